//! The GIL makes progress at every switch interval sim accepts: CPython runs at any
//! `sys.setswitchinterval`, each holder runs before it can be asked to drop the GIL, and tiny
//! intervals only make hand-overs dominate. Each run must end by itself (no horizon), answer
//! every invocation, and take a number of events bounded by its Python work over the interval.

mod common;
use common::*;
use sim::config::DispatchCosts;
use sim::runner::RunOutput;
use std::sync::mpsc;
use std::time::Duration;

/// Switch intervals (ms) from the smallest accepted (CPython waits at least 1 us) to 0.1 ms,
/// across the GIL wake-up latency (60 us by default; 260 us with every other core busy).
const INTERVALS_MS: [f64; 9] = [1e-9, 0.001, 0.005, 0.01, 0.02, 0.03, 0.06, 0.07, 0.1];

/// Invocations per run and Python work (ms) in each.
const INVOCATIONS: u32 = 4;
const CPU_MS: f64 = 2.0;

/// Runs `text` on another thread; a run that does not end within a minute fails.
fn run_to_the_end(text: String, label: &str) -> RunOutput {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(run_text(&text, &[]));
    });
    rx.recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{label}: the run did not end"))
}

/// Python work of the dispatch path per invocation (ms): the worker's calibrated costs.
fn dispatch_python_ms() -> f64 {
    let c = DispatchCosts::CALIBRATED;
    let ns = c.receive_ns
        + c.dispatch_ns
        + c.executor_handoff_ns
        + c.task_start_ns
        + c.complete_ns
        + c.respond_ns;
    ns as f64 / 1e6
}

/// Every invocation answered, and events bounded: a few per interval of Python work (each
/// hand-over costs a handful of events) plus a few dozen per invocation for its path through
/// the worker.
fn assert_progress(out: &RunOutput, interval_ms: f64, body_python_ms: f64, label: &str) {
    let c = &out.summary.invocations;
    assert_eq!(
        (c.succeeded, c.pending),
        (INVOCATIONS as u64, 0),
        "{label}: {c:?}"
    );
    let n = INVOCATIONS as f64;
    let python_ms = n * (body_python_ms + dispatch_python_ms());
    let interval_ms = interval_ms.max(0.001);
    let budget = 4.0 * python_ms / interval_ms + 50.0 * n;
    assert!(
        (out.summary.events as f64) < budget,
        "{label}: {} events, budget {budget:.0}",
        out.summary.events
    );
}

fn experiment(kind: &str, body: &str, threads: u32, interval_ms: f64) -> String {
    format!(
        r#"Experiment(name: "tiny_switch", host: Host(cores: 2.0, processes: 1, threads: {threads},
            switch_interval_ms: {interval_ms:e}),
            functions: [FunctionUse(function: Inline(Function(name: "f", kind: {kind}, body: {body})),
            workload: Burst(n: {INVOCATIONS}))])"#
    )
}

#[test]
fn cpu_bound_sync_bodies_finish_at_every_tiny_switch_interval() {
    let body = format!("[Cpu(Constant({CPU_MS}))]");
    for threads in 1..=4 {
        for interval in INTERVALS_MS {
            let label = format!("{threads} thread(s), interval {interval} ms");
            let out = run_to_the_end(experiment("Sync", &body, threads, interval), &label);
            assert_progress(&out, interval, CPU_MS, &label);
        }
    }
}

#[test]
fn async_bodies_with_executor_calls_finish_at_every_tiny_switch_interval() {
    // The loop runs each coroutine's Python while default-executor threads run theirs: the
    // loop thread, the receiver and the executor all contend for the GIL.
    let body = format!(
        "[Cpu(Constant({CPU_MS})), AwaitIo(Constant(1.0)), RunInExecutor([Cpu(Constant({CPU_MS}))]), Cpu(Constant({CPU_MS}))]"
    );
    for interval in INTERVALS_MS {
        let label = format!("async, interval {interval} ms");
        let out = run_to_the_end(experiment("Async", &body, 4, interval), &label);
        assert_progress(&out, interval, 3.0 * CPU_MS, &label);
    }
}

#[test]
fn a_holder_runs_at_least_one_interval_per_hand_over_below_the_wake_up_latency() {
    // Two CPU-bound threads at a 10 us interval, well below the 60 us wake-up latency: each
    // hand-over idles the GIL for one latency and is followed by one interval of work, so the
    // work takes (interval + latency) / interval times as long as it would alone.
    let out = run_to_the_end(
        experiment("Sync", "[Cpu(Constant(20.0))]", 2, 0.01),
        "2 threads, interval 0.01 ms",
    );
    let work_ms = INVOCATIONS as f64 * 20.0;
    let expected = work_ms * (0.01 + 0.06) / 0.01;
    let ratio = out.summary.makespan_ms / expected;
    assert!(
        (0.9..1.1).contains(&ratio),
        "makespan {} ms for {work_ms} ms of work, expected about {expected} ms",
        out.summary.makespan_ms
    );
}

#[test]
fn switch_intervals_are_whole_microseconds_of_at_least_one_as_in_cpython() {
    let text = experiment("Sync", "[Cpu(Constant(1.0))]", 1, 5.0);
    let path = root().join("experiments/inline.ron");
    for (ms, ns) in [
        (5.0, 5_000_000),
        (0.0155, 15_000),
        (0.001, 1_000),
        (1e-9, 1_000),
    ] {
        let set = format!("host.switch_interval_ms={ms:e}");
        let exp = sim::config::parse_experiment(&text, &path, &[set]).unwrap();
        assert_eq!(exp.host.switch_interval_ns, ns, "{ms} ms");
    }
}
