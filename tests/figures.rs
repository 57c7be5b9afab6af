//! What the report's and summary.json's figures count: the thread pool's size apart from the
//! threads started, and the percentiles' resolution.

mod common;
use common::*;

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
    let s = run("io_bound", &[]).summary;
    assert_eq!(s.percentile_resolution, 1.0 / 2048.0);
    let text = sim::output::report::summary_text(&s, "", "host");
    assert!(text.contains("within 0.05% of the exact value"), "{text}");
}
