//! A thread that slept long wakes late (`host.dispatch.sleeper_wake_*`, measured with
//! notebooks/harness/wake_latency.py): requests that find the worker asleep pay it at every
//! hop of the dispatch path, requests that follow each other closely do not.

mod common;
use common::*;

/// One client sending a no-op `def` request, then thinking `think_ms` before the next.
fn serial_noops(think_ms: f64) -> String {
    format!(
        r#"Experiment(name: "serial", host: Host(cores: 2.0, processes: 1, threads: 1),
        functions: [FunctionUse(function: Inline(Function(name: "noop", kind: Sync,
            body: [Cpu(Constant(0.001))])),
            workload: ClosedLoop(clients: 1, think: Constant({think_ms}), requests_per_client: 50))])"#
    )
}

fn mean_latency_us(text: &str, sets: &[&str]) -> f64 {
    let lat = latencies_ms(&run_text(text, sets));
    lat.iter().sum::<f64>() / lat.len() as f64 * 1e3
}

const NO_SLEEPER_LATENCY: &str = "host.dispatch.sleeper_wake_max_us=0";

#[test]
fn requests_after_a_long_quiet_spell_pay_the_sleeper_wake_up_at_each_hop() {
    let text = serial_noops(50.0);
    let extra = mean_latency_us(&text, &[]) - mean_latency_us(&text, &[NO_SLEEPER_LATENCY]);
    // Receiver, loop, pool thread and sender each slept about 50 ms: 115 us each, except the
    // loop, which the body's completion wakes again at once.
    assert!(
        (3.0 * 115.0 - 1.0..=4.0 * 115.0 + 1.0).contains(&extra),
        "extra {extra:.1} us"
    );
}

#[test]
fn requests_that_follow_closely_pay_no_sleeper_wake_up() {
    let text = serial_noops(0.5);
    let extra = mean_latency_us(&text, &[]) - mean_latency_us(&text, &[NO_SLEEPER_LATENCY]);
    assert!(extra.abs() < 1e-9, "extra {extra} us");
}
