//! What the report's and summary.json's figures count: the thread pool's size apart from the
//! threads started, the percentiles' resolution, and, where functions share a process, each
//! function's GIL and event-loop time (the time of the threads working for its invocations),
//! which adds up to the per-process figures.

mod common;
use common::*;
use sim::metrics::summary::RunSummary;

/// A CPU-heavy and an I/O-bound function on the same two processes, under Poisson load.
const SHARED: &str = r#"Experiment(name: "shared", host: Host(cores: 2.0, processes: 2, threads: 4),
    functions: [
        FunctionUse(function: Inline(Function(name: "cpu", kind: Sync,
            body: [Cpu(Exponential(8.0)), BlockingIo(Constant(5.0))])),
            workload: Poisson(rate_per_s: 60.0, duration_s: 3.0)),
        FunctionUse(function: Inline(Function(name: "io", kind: Sync,
            body: [Cpu(Constant(0.2)), BlockingIo(Constant(20.0))])),
            workload: Poisson(rate_per_s: 60.0, duration_s: 3.0)),
    ])"#;

fn mean_over_processes(
    s: &RunSummary,
    figure: impl Fn(&sim::metrics::summary::ProcessSummary) -> f64,
) -> f64 {
    s.processes.iter().map(figure).sum::<f64>() / s.processes.len() as f64
}

#[test]
fn functions_loop_blocked_add_up_to_the_loops() {
    let s = run("async_pitfalls", &[]).summary;
    let total: f64 = s.functions.iter().map(|f| f.loop_blocked).sum();
    assert!(
        (total - s.processes[0].loop_blocked).abs() < 1e-5,
        "{total} vs {:?}",
        s.processes
    );
}

#[test]
fn functions_gil_held_cover_the_processes_gil_time() {
    let s = run_text(SHARED, &[]).summary;
    let held: f64 = s.functions.iter().map(|f| f.gil_held).sum();
    let process = mean_over_processes(&s, |p| p.gil_held);
    // The rest is the worker's own work: loop rounds, self-pipe writes, looking for work.
    assert!(
        held <= process + 1e-5 && held > 0.97 * process,
        "{held} vs {process}"
    );
    let (cpu, io) = (&s.functions[0], &s.functions[1]);
    assert!(cpu.gil_held > 10.0 * io.gil_held, "{cpu:?} {io:?}");
    // Both wait behind the CPU-heavy bodies; a function's wait is a share of its time.
    assert!(io.gil_wait_share > 0.0 && io.gil_wait_share < 1.0, "{io:?}");
}

#[test]
fn a_lone_invocation_never_waits_for_the_gil_and_free_threading_holds_none() {
    let text = r#"Experiment(name: "lone", host: Host(cores: 2.0, threads: 1),
        functions: [FunctionUse(function: Inline(Function(name: "f", kind: Sync,
            body: [Cpu(Constant(20.0))])), workload: Burst(n: 1))])"#;
    let s = run_text(text, &[]).summary;
    assert_eq!(s.functions[0].gil_wait_share, 0.0);
    assert!(s.functions[0].gil_held > 0.9, "{:?}", s.functions[0]);
    let s = run_text(text, &["host.python=3.13", "host.free_threaded=true"]).summary;
    assert_eq!(s.functions[0].gil_held, 0.0);
}

#[test]
fn pool_size_and_threads_started_are_reported_apart() {
    let text = r#"Experiment(name: "few", host: Host(cores: 2.0, threads: 32, cpu_count: 2),
        functions: [FunctionUse(function: Inline(Function(name: "f", kind: Sync,
            body: [BlockingIo(Constant(10.0))])), workload: Burst(n: 5))])"#;
    let p = &run_text(text, &[]).summary.processes[0];
    assert_eq!(
        (
            p.pool_size,
            p.pool_threads_started,
            p.executor_size,
            p.executor_threads_started
        ),
        (32, 5, 6, 0)
    );
}

#[test]
fn the_summary_states_the_percentiles_resolution() {
    let s = run_text(SHARED, &[]).summary;
    assert_eq!(s.percentile_resolution, 1.0 / 2048.0);
    let header = sim::output::report::Header {
        description: "",
        changed_by: None,
        host_line: "host",
    };
    let text = sim::output::report::summary_text(&s, &header);
    assert!(text.contains("within 0.05% of the exact value"), "{text}");
}
