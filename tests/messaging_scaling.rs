//! Service Bus and Event Hubs triggers in a scaled run: maxConcurrentCalls bodies at once on
//! an instance, a backlog that scales out and conserves every message, partitions owned by at
//! most one instance each, every event processed once and in order within its partition.
//! Numbers checkable on paper (constant bodies).

mod common;
use common::*;
use sim::metrics::InvocationRecord;
use sim::runner::run_experiment;

const MS: u64 = 1_000_000;

/// A function `body` on 1-core instances of one process with 16 threads, `workload`
/// arrivals, the trigger `trigger` and `scale` as the Scale block.
fn app(body: &str, workload: &str, trigger: &str, scale: &str) -> String {
    format!(
        r#"Experiment(name: "m", host: Host(cores: 1.0, processes: 1, threads: 16),
        functions: [FunctionUse(function: Inline(Function(name: "m", kind: Sync,
            body: [{body}])), workload: {workload}, trigger: {trigger})],
        scale: {scale})"#
    )
}

/// Most bodies running at one instant among `rows` (an end at t frees its slot before a start
/// at t).
fn most_at_once<'a>(rows: impl Iterator<Item = &'a InvocationRecord>) -> usize {
    let mut edges: Vec<(u64, i32)> = Vec::new();
    for r in rows {
        edges.push((r.start.unwrap(), 1));
        edges.push((r.end.unwrap(), -1));
    }
    edges.sort();
    let (mut now, mut most) = (0i32, 0i32);
    for (_, d) in edges {
        now += d;
        most = most.max(now);
    }
    most as usize
}

#[test]
fn service_bus_runs_at_most_max_concurrent_calls_bodies_on_an_instance() {
    // One instance, maxConcurrentCalls 4 (not per core): 20 messages of 100 ms blocking I/O
    // run 4 at a time, in 5 waves 100 ms apart; 16 threads would allow more.
    let text = app(
        "BlockingIo(Constant(100.0))",
        "Burst(n: 20)",
        "ServiceBus(max_concurrent_calls: 4, per_core: false)",
        "Scale(min_instances: 1, max_instances: 1)",
    );
    let out = run_text(&text, &[]);
    let c = &out.summary.invocations;
    assert_eq!((c.arrived, c.succeeded), (20, 20), "{c:?}");
    assert_eq!(most_at_once(out.rows.iter()), 4);
    let mut waves: Vec<u64> = out
        .rows
        .iter()
        .map(|r| r.start.unwrap() / (100 * MS))
        .collect();
    waves.sort();
    let want: Vec<u64> = (0..20).map(|i| i / 4).collect();
    assert_eq!(waves, want);
}

#[test]
fn service_bus_per_core_multiplies_max_concurrent_calls_by_the_processors() {
    // 2 calls x 3 processors = 6 at once.
    let text = app(
        "BlockingIo(Constant(100.0))",
        "Burst(n: 24)",
        "ServiceBus(max_concurrent_calls: 2, processor_count: 3)",
        "Scale(min_instances: 1, max_instances: 1)",
    );
    let out = run_text(&text, &[]);
    assert_eq!(out.summary.invocations.succeeded, 24);
    assert_eq!(most_at_once(out.rows.iter()), 6);
}

#[test]
fn a_service_bus_backlog_scales_out_and_every_message_succeeds() {
    // 2,000 messages of 50 ms CPU + 300 ms I/O at 16 per instance: the controller adds
    // instances, each new one receives, and arrived = succeeded.
    let text = app(
        "Cpu(Constant(50.0)), BlockingIo(Constant(300.0))",
        "Burst(n: 2000)",
        "ServiceBus(max_concurrent_calls: 16, per_core: false)",
        "Scale(min_instances: 1)",
    );
    let out = run_text(&text, &[]);
    let c = &out.summary.invocations;
    assert_eq!(
        (c.arrived, c.succeeded, c.pending),
        (2000, 2000, 0),
        "{c:?}"
    );
    assert_eq!(out.rows.len(), 2000);
    let sc = out.summary.scaling.as_ref().expect("a scaled run");
    assert!(sc.max_ready_instances > 1, "{:#?}", sc.decisions);
    let first_out = sc
        .decisions
        .iter()
        .find(|d| d.add > 0)
        .expect("a scale-out");
    assert!(first_out.queue_length > 1000, "{first_out:?}");
    // Work ran on more than the first instance (one process each: process = instance).
    assert!(out.rows.iter().any(|r| r.process != Some(0)));
    // Each message runs once: latency counts from its enqueue at t = 0.
    assert!(out.rows.iter().all(|r| r.arrival == 0));
}

#[test]
fn a_service_bus_trigger_without_a_scale_block_is_refused_before_time_starts() {
    let text = r#"Experiment(name: "s", host: Host(cores: 1.0, processes: 1, threads: 1),
        functions: [FunctionUse(function: Inline(Function(name: "s", kind: Sync,
            body: [Cpu(Constant(1.0))])), workload: Burst(n: 1), trigger: ServiceBus())])"#;
    let exp = sim::config::parse_experiment(text, &root().join("experiments/s.ron"), &[]).unwrap();
    let err = run_experiment(&exp).expect_err("refused").to_string();
    assert!(
        err.contains("functions[0].trigger = ServiceBus") && err.contains("scale: Scale()"),
        "{err}"
    );
}
