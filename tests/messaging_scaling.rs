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
    // The fifth wave is received at about 400 ms: the longest queue wait is 0.4 s (plus the
    // dispatch path's fractions of a ms), and the oldest-message column saw the backlog age.
    let age = out.summary.scaling.as_ref().unwrap().max_queue_age_s;
    assert!((0.4..0.41).contains(&age), "{age}");
    let oldest = out
        .timeseries
        .iter()
        .map(|r| r.fleet.unwrap().oldest_age_ns)
        .max()
        .unwrap();
    assert!(oldest >= 300 * MS, "{oldest}");
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

/// An Event Hubs app on `instances` fixed 1-core instances (one process, 16 threads).
fn hub_app(partitions: u32, batch: u32, events: u32, instances: u32) -> String {
    app(
        "BlockingIo(Constant(100.0))",
        &format!("Burst(n: {events})"),
        &format!("EventHubs(partitions: {partitions}, max_event_batch_size: {batch})"),
        &format!("Scale(min_instances: {instances}, max_instances: {instances})"),
    )
}

#[test]
fn two_instances_own_two_of_four_partitions_each_and_read_them_in_batches() {
    // 80 events at t = 0, round robin: 20 per partition. Both instances are ready at t = 0
    // and own 2 partitions each. The first event of a partition finds its owner idle and is
    // read alone; the other 19 wait and come as batches of 10 and 9: 3 batches per
    // partition, 12 invocations of 100 ms, 6 on each instance, 2 at a time (one per
    // partition), the last ending at about 300 ms.
    let out = run_text(&hub_app(4, 10, 80, 2), &[]);
    let c = &out.summary.invocations;
    assert_eq!((c.arrived, c.succeeded, c.pending), (80, 80, 0), "{c:?}");
    assert_eq!(out.rows.len(), 12);
    let e = out
        .summary
        .executions
        .as_ref()
        .expect("batches differ from events");
    assert_eq!((e.executions, e.succeeded), (12, 12));
    for instance in [0, 1] {
        let mine: Vec<_> = out
            .rows
            .iter()
            .filter(|r| r.instance == Some(instance))
            .collect();
        assert_eq!(mine.len(), 6, "instance {instance}");
        assert_eq!(most_at_once(mine.into_iter()), 2, "instance {instance}");
    }
    // Every batch counts its latency from its oldest event, enqueued at t = 0.
    assert!(out.rows.iter().all(|r| r.arrival == 0));
    let end = out.summary.sim_end_ms;
    assert!((300.0..310.0).contains(&end), "{end}");
    // The third batches waited about 200 ms for their partition.
    let age = out.summary.scaling.as_ref().unwrap().max_queue_age_s;
    assert!((0.2..0.21).contains(&age), "{age}");
    // Only the two instances' first processes met a cold body.
    assert_eq!(out.rows.iter().filter(|r| r.cold).count(), 2);
}

#[test]
fn an_event_hubs_backlog_scales_to_valid_worker_counts_and_never_past_the_partitions() {
    // 4,000 events on 8 partitions, target 100 per instance: the controller wants 40,
    // rounded to a valid worker count and capped by the 8 partitions; max_instances is 100,
    // but no instance beyond the 8th would own a partition.
    let text = app(
        "BlockingIo(Constant(50.0))",
        "Burst(n: 4000)",
        "EventHubs(partitions: 8, max_event_batch_size: 10)",
        "Scale(min_instances: 1, decision_interval_s: 1, cold_start: ColdStart(allocate_ms: Constant(100), host_start_ms: Constant(100), worker_start_ms: Constant(100)))",
    );
    let out = run_text(&text, &[]);
    let c = &out.summary.invocations;
    assert_eq!(
        (c.arrived, c.succeeded, c.pending),
        (4000, 4000, 0),
        "{c:?}"
    );
    let sc = out.summary.scaling.as_ref().unwrap();
    assert!(sc.max_ready_instances > 1, "{:#?}", sc.decisions);
    assert!(
        sc.decisions.iter().all(|d| d.desired <= 8),
        "{:#?}",
        sc.decisions
    );
    let first_out = sc.decisions.iter().find(|d| d.add > 0).unwrap();
    assert!(
        first_out
            .reason
            .contains("valid worker count for 8 partitions"),
        "{first_out:?}"
    );
    // Each batch holds at most 10 events: at least 400 invocations.
    assert!(out.rows.len() >= 400, "{}", out.rows.len());
}
