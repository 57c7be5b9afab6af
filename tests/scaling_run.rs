//! The scale controller in a run: a queue backlog drains while instances are added at the
//! controller's pace, new instances pay their cold start, an app scaled to zero wakes on its
//! first request, and periodic decisions never keep a finished run alive. Numbers checkable on
//! paper (constant cold-start phases where a test needs exact times).

mod common;
use common::*;
use sim::runner::run_experiment;

const S: f64 = 1e9;

/// A queue-triggered function (50 ms CPU + 300 ms I/O) on 1-core instances of 1 x 8, a
/// backlog of `n` messages at t = 0, and `scale` as the Scale block.
fn queue_app(n: u64, scale: &str) -> String {
    format!(
        r#"Experiment(name: "q", host: Host(cores: 1.0, processes: 1, threads: 8),
        functions: [FunctionUse(function: Inline(Function(name: "q", kind: Sync,
            body: [Cpu(Constant(50.0)), BlockingIo(Constant(300.0))])),
            workload: Burst(n: {n}), trigger: StorageQueue(processor_count: 1))],
        scale: {scale})"#
    )
}

const FIXED_PHASES: &str =
    "cold_start: ColdStart(allocate_ms: Constant(1000), host_start_ms: Constant(500), worker_start_ms: Constant(200))";

#[test]
fn a_backlog_drains_while_instances_come_at_most_four_per_thirty_seconds() {
    let out = run_text(&queue_app(3000, "Scale(min_instances: 1)"), &[]);
    let s = &out.summary;
    assert_eq!(s.invocations.arrived, 3000);
    assert_eq!(s.invocations.succeeded, 3000, "{:?}", s.invocations);
    let sc = s.scaling.as_ref().expect("a scaled run");
    let outs: Vec<_> = sc.decisions.iter().filter(|d| d.add > 0).collect();
    assert!(outs.len() >= 2, "{:#?}", sc.decisions);
    assert!(outs.iter().all(|d| d.add <= 4), "{:#?}", outs);
    for w in outs.windows(2) {
        assert!(
            w[1].t_s - w[0].t_s >= 30.0,
            "scale-outs {} s and {} s",
            w[0].t_s,
            w[1].t_s
        );
    }
    // 3000 messages / 16 per instance: the first decision wants 1 + ceil(backlog / 16) - ...,
    // far above what it may add.
    assert!(
        outs[0].reason.contains("16 per instance"),
        "{}",
        outs[0].reason
    );
    assert_eq!(
        sc.cold_starts,
        outs.iter().map(|d| d.add as u64).sum::<u64>()
    );
}

#[test]
fn new_instances_take_work_only_after_their_cold_start() {
    let scale = format!("Scale(min_instances: 1, {FIXED_PHASES})");
    let out = run_text(&queue_app(1000, &scale), &[]);
    let first_out = out
        .summary
        .scaling
        .as_ref()
        .unwrap()
        .decisions
        .iter()
        .find(|d| d.add > 0)
        .expect("a scale-out")
        .t_s;
    // The instance ready at t = 0 runs process 0; every later instance's process starts
    // allocate + host start + worker start = 1.7 s after the decision that asked for it.
    let later_start = out
        .rows
        .iter()
        .filter(|r| r.process != Some(0))
        .map(|r| r.start.unwrap())
        .min()
        .expect("work on a new instance");
    let ready_at = ((first_out + 1.7) * S) as u64;
    assert!(later_start >= ready_at, "{later_start} before {ready_at}");
    assert!(
        later_start < ready_at + 5_000_000,
        "{later_start} long after {ready_at}"
    );
    assert!(out
        .rows
        .iter()
        .filter(|r| r.process == Some(0))
        .all(|r| r.start.is_some()));
}

#[test]
fn an_app_scaled_to_zero_wakes_on_its_first_request_after_a_cold_start() {
    let text = format!(
        r#"Experiment(name: "z", host: Host(cores: 1.0, processes: 1, threads: 4),
        functions: [FunctionUse(function: Inline(Function(name: "f", kind: Sync,
            body: [Cpu(Constant(1.0))])), workload: Burst(n: 3, at_ms: 5000))],
        scale: Scale({FIXED_PHASES}))"#
    );
    let out = run_text(&text, &[]);
    let sc = out.summary.scaling.as_ref().unwrap();
    assert_eq!(sc.cold_starts, 1, "{:#?}", sc.decisions);
    assert_eq!(
        sc.decisions[0].t_s, 5.0,
        "activation at the first request: {:#?}",
        sc.decisions
    );
    for r in &out.rows {
        let start = r.start.unwrap();
        assert!(
            start >= (6.7 * S) as u64,
            "started at {start}, before the instance was up"
        );
    }
}

#[test]
fn periodic_decisions_do_not_keep_a_finished_run_alive() {
    // The run ends with its last piece of work: the last response, or the last instance
    // that was still starting; no decision or queue poll after that moves the end.
    let scale = format!("Scale(min_instances: 1, {FIXED_PHASES})");
    let out = run_text(&queue_app(200, &scale), &[]);
    let last_response = out.rows.iter().map(|r| r.response.unwrap()).max().unwrap();
    let sc = out.summary.scaling.as_ref().unwrap();
    let last_ready = sc
        .decisions
        .iter()
        .filter(|d| d.add > 0)
        .map(|d| ((d.t_s + 1.7) * S) as u64)
        .max()
        .unwrap_or(0);
    let end_ns = (out.summary.sim_end_ms * 1e6) as u64;
    assert!(
        end_ns <= last_response.max(last_ready) + 1_000_000,
        "end {end_ns}, last response {last_response}, last instance up at {last_ready}"
    );
    let last_decision = sc.decisions.last().unwrap().t_s;
    assert!(
        last_decision * S <= end_ns as f64,
        "a decision at {last_decision} s after the end"
    );
}

#[test]
fn a_queue_trigger_without_a_scale_block_is_refused_before_time_starts() {
    let text = r#"Experiment(name: "q", host: Host(cores: 1.0, processes: 1, threads: 1),
        functions: [FunctionUse(function: Inline(Function(name: "q", kind: Sync,
            body: [Cpu(Constant(1.0))])), workload: Burst(n: 1), trigger: StorageQueue())])"#;
    let exp = sim::config::parse_experiment(text, &root().join("experiments/q.ron"), &[]).unwrap();
    let err = run_experiment(&exp).expect_err("refused").to_string();
    assert!(
        err.contains("functions[0].trigger") && err.contains("scale"),
        "{err}"
    );
}

#[test]
fn an_event_hubs_trigger_without_a_scale_block_is_refused_with_the_fix() {
    let text = r#"Experiment(name: "h", host: Host(cores: 1.0, processes: 1, threads: 1),
        functions: [FunctionUse(function: Inline(Function(name: "h", kind: Sync,
            body: [Cpu(Constant(1.0))])), workload: Burst(n: 1), trigger: EventHubs())])"#;
    let exp = sim::config::parse_experiment(text, &root().join("experiments/h.ron"), &[]).unwrap();
    let err = run_experiment(&exp).expect_err("refused").to_string();
    assert!(
        err.contains("functions[0].trigger = EventHubs") && err.contains("scale: Scale()"),
        "{err}"
    );
}

#[test]
fn the_time_series_of_a_scaled_run_shows_the_fleet_and_the_queue() {
    let scale = format!("Scale(min_instances: 1, {FIXED_PHASES})");
    let out = run_text(&queue_app(1000, &scale), &[]);
    let fleet: Vec<_> = out
        .timeseries
        .iter()
        .map(|r| r.fleet.expect("fleet columns"))
        .collect();
    assert_eq!(fleet[0].ready, 1);
    assert!(
        fleet.iter().any(|f| f.starting > 0),
        "instances seen starting"
    );
    let most = fleet.iter().map(|f| f.ready).max().unwrap();
    assert_eq!(
        most,
        out.summary.scaling.as_ref().unwrap().max_ready_instances
    );
    assert!(
        fleet[0].queue_length > 900,
        "the backlog at the first sample: {:?}",
        fleet[0]
    );
    assert!(fleet
        .windows(2)
        .all(|w| w[1].cold_starts >= w[0].cold_starts));
}

#[test]
fn an_unscaled_run_has_no_fleet_columns() {
    let out = run("io_bound", &[]);
    assert!(out.timeseries.iter().all(|r| r.fleet.is_none()));
    assert!(out.summary.scaling.is_none());
}

#[test]
fn a_cold_start_shows_in_the_latency_split_the_rows_and_the_instance_seconds() {
    // Scaled to zero; 3 requests at 5 s wait 1.7 s (1 + 0.5 + 0.2) for the first instance.
    let text = format!(
        r#"Experiment(name: "z", host: Host(cores: 1.0, processes: 1, threads: 4),
        functions: [FunctionUse(function: Inline(Function(name: "f", kind: Sync,
            body: [Cpu(Constant(1.0))])), workload: Burst(n: 3, at_ms: 5000))],
        scale: Scale({FIXED_PHASES}))"#
    );
    let out = run_text(&text, &[]);
    let sc = out.summary.scaling.as_ref().unwrap();
    let split = &sc.latency_split_ms;
    assert_eq!(split.placed, 3);
    assert!((split.queue_outside - 1700.0).abs() < 1e-6, "{split:?}");
    assert!((split.cold_start_wait - 1700.0).abs() < 1e-6, "{split:?}");
    let latency = out.summary.latency_ms.mean;
    assert!(
        (split.queue_outside + split.service - latency).abs() < 1e-3,
        "queueing + service = latency: {split:?} against {latency}"
    );
    assert_eq!(sc.scale_events, 1, "{:#?}", sc.decisions);
    assert_eq!(sc.rejected_429, 0);
    let end_s = out.summary.sim_end_ms / 1e3;
    assert!((sc.instance_seconds - (end_s - 5.0)).abs() < 1e-6, "{sc:?}");
    // One instance from 5 s to the end: on average (end - 5) / end instances over the run.
    let mean = (end_s - 5.0) / end_s;
    assert!((sc.mean_instances - mean).abs() < 1e-6, "{sc:?}");
    // One process: the first body meets it cold, the others warm; all ran on instance 0.
    let cold: Vec<bool> = out.rows.iter().map(|r| r.cold).collect();
    assert_eq!(cold.iter().filter(|&&c| c).count(), 1, "{cold:?}");
    let first = out.rows.iter().min_by_key(|r| r.start).unwrap();
    assert!(first.cold);
    assert!(out.rows.iter().all(|r| r.instance == Some(0)));
}

#[test]
fn an_always_ready_instance_means_no_cold_start_wait() {
    let out = run_text(
        &queue_app(200, &format!("Scale(min_instances: 1, {FIXED_PHASES})")),
        &[],
    );
    let sc = out.summary.scaling.as_ref().unwrap();
    let split = &sc.latency_split_ms;
    assert_eq!(split.placed, 200);
    assert_eq!(split.cold_start_wait, 0.0, "{split:?}");
    // The backlog waits in the queue: the longest wait is the last message's.
    let longest = out
        .rows
        .iter()
        .map(|r| r.start.unwrap() - r.arrival)
        .max()
        .unwrap() as f64
        / S;
    assert!(
        sc.max_queue_age_s > 0.0 && sc.max_queue_age_s <= longest,
        "{sc:?}"
    );
}
