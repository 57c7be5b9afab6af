//! A thread that slept long wakes late (`host.dispatch.sleeper_wake_*`, measured with
//! notebooks/harness/wake_latency.py) when it wakes onto an idle core: requests that find the
//! worker asleep pay it at every hop of the dispatch path, requests that follow each other
//! closely do not, nor does anything on a single core. And the host process's own CPU per
//! invocation (`host.dispatch.host_response_us`) slows the workers only on full cores.

mod common;
use common::*;

/// One client sending a no-op `def` request, then thinking `think_ms` before the next.
fn serial_noops(think_ms: f64) -> String {
    serial_noops_on(2.0, think_ms)
}

/// The same on `cores` cores.
fn serial_noops_on(cores: f64, think_ms: f64) -> String {
    format!(
        r#"Experiment(name: "serial", host: Host(cores: {cores}, processes: 1, threads: 1),
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

/// Two single-threaded worker processes on `cores` cores, each serving back-to-back 20 ms CPU
/// bodies from a burst (so every core a worker needs is busy whenever the host works).
fn two_busy_workers(cores: f64) -> String {
    format!(
        r#"Experiment(name: "busy", host: Host(cores: {cores}, processes: 2, threads: 1),
        functions: [FunctionUse(function: Inline(Function(name: "cpu", kind: Sync,
            body: [Cpu(Constant(20.0))])), workload: Burst(n: 40))])"#
    )
}

const NO_HOST_CPU: &str = "host.dispatch.host_response_us=0";

/// An idle core takes any woken thread: the host's CPU is then only a share of full cores.
/// (With `HomeCpu` the host's runs also move worker threads between CPUs, and
/// a woken thread may wait on its busy home CPU: the same burst ends about 15 ms later with
/// the host's CPU than without, against 5 ms here.)
const SPREAD: &str = "host.placement=Spread";

/// A GIL hand-over takes as long with a core idle as without, so that only the host's share
/// of the cores differs between the runs compared (by default a host busy on the spare core
/// leaves none idle, and hand-overs then skip the idle CPU's wake-up: the workers end earlier).
const SAME_HANDOVER: &str = "host.dispatch.gil_handover_busy_us=60";

/// No waiter takes the GIL during a short syscall, with a core idle or not (by default a
/// waiter can only while a core idles for it to wake on, so a host busy on the spare core
/// would change the races as well as the cores' share).
const NO_SYSCALL_RACES: [&str; 2] = [
    "host.dispatch.syscall_loss=0",
    "host.dispatch.syscall_loss_recent=0",
];

#[test]
fn the_host_s_cpu_slows_the_workers_only_when_no_core_is_free() {
    // On 2 cores the two workers fill them, so the host's 260 us per response takes its
    // share: 40 responses x 260 us = 10.4 ms of core time, half of it from each worker's
    // 400 ms: about 5.2 ms later, plus the host's wake-ups preempting a worker, less what
    // falls after a worker's last body (the two together: 5.0 ms).
    let [race, race_recent] = NO_SYSCALL_RACES;
    let same = [SPREAD, SAME_HANDOVER, race, race_recent];
    let no_host = [SPREAD, SAME_HANDOVER, race, race_recent, NO_HOST_CPU];
    let full = two_busy_workers(2.0);
    let later = makespan_ms(&run_text(&full, &same)) - makespan_ms(&run_text(&full, &no_host));
    assert!((2.0..=6.0).contains(&later), "{later:.2} ms later");
    // On 3 cores a core is always free for the host: its CPU costs the workers nothing. They
    // notice it only where the GIL protocol asks whether a core idles (a holder forced off
    // while the host runs on the spare core waits for a CPU to queue up again): 0.5 ms of a
    // 400 ms burst, a tenth of the 2-core figure.
    let roomy = two_busy_workers(3.0);
    let later = makespan_ms(&run_text(&roomy, &same)) - makespan_ms(&run_text(&roomy, &no_host));
    assert!(later.abs() < 1.0, "{later:.3} ms later");
}

#[test]
fn on_one_core_there_is_no_idle_core_to_wake_so_no_sleeper_latency() {
    // The waker is on the only core: the woken thread is queued there, no halted vCPU wakes.
    let text = serial_noops_on(1.0, 50.0);
    let extra = mean_latency_us(&text, &[]) - mean_latency_us(&text, &[NO_SLEEPER_LATENCY]);
    assert!(extra.abs() < 1e-9, "extra {extra} us");
}
