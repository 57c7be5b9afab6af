//! An instance's life beyond the cold start: the pre-warmed buffer (a new instance taken from
//! it skips allocation and host start, and the buffer refills in the background), the grace
//! period of a draining instance (what still runs at its end is cut; a queue message goes back
//! to its queue), and scale to zero inside a run (a quiet gap longer than idle_to_zero_s empties
//! the fleet, and the next burst meets a cold start). Constant phases and bodies: every number
//! is checkable on paper.

mod common;
use common::*;
use sim::metrics::summary::{DecisionRow, ScalingSummary};
use sim::metrics::{FailReason, InvocationRecord, Outcome};

const MS: u64 = 1_000_000;
const S: u64 = 1_000_000_000;

/// Allocation 1 s, host start 0.5 s, worker start 0.2 s: a cold instance is ready 1.7 s after
/// it is asked for, a pre-warmed one 0.2 s after (its worker only), or at once with
/// `prewarmed_workers: true`.
const FIXED_PHASES: &str =
    "cold_start: ColdStart(allocate_ms: Constant(1000), host_start_ms: Constant(500), worker_start_ms: Constant(200))";

/// A storage-queue function with `body` on 1-core instances of 1 x 8, `n` messages at t = 0,
/// the queue trigger `trigger` and `scale` as the Scale block's fields (with the fixed
/// phases).
fn queue_app(body: &str, n: u64, trigger: &str, scale: &str) -> String {
    format!(
        r#"Experiment(name: "lc", host: Host(cores: 1.0, processes: 1, threads: 8),
        functions: [FunctionUse(function: Inline(Function(name: "q", kind: Sync,
            body: [{body}])), workload: Burst(n: {n}), trigger: {trigger})],
        scale: Scale({scale}, {FIXED_PHASES}))"#
    )
}

/// The first decision that drained an instance.
fn first_scale_in(sc: &ScalingSummary) -> &DecisionRow {
    sc.decisions
        .iter()
        .find(|d| d.drain > 0)
        .unwrap_or_else(|| panic!("a scale-in: {:#?}", sc.decisions))
}

/// The first body start on `instance`, ns.
fn first_start_on(rows: &[InvocationRecord], instance: u16) -> u64 {
    rows.iter()
        .filter(|r| r.instance == Some(instance))
        .filter_map(|r| r.start)
        .min()
        .unwrap_or_else(|| panic!("no body ran on instance {instance}"))
}

// ---- the pre-warmed buffer ----

/// 3000 messages of 50 ms CPU + 300 ms I/O: one instance from t = 0, +1 per scale-out (30 s
/// apart), the first at t = 10 s.
fn prewarmed_app(extra: &str) -> String {
    queue_app(
        "Cpu(Constant(50.0)), BlockingIo(Constant(300.0))",
        3000,
        "StorageQueue(processor_count: 1)",
        &format!("min_instances: 1, mode: TargetBased(max_step: 1), {extra}"),
    )
}

#[test]
fn a_prewarmed_instance_skips_allocation_and_host_start() {
    let out = run_text(&prewarmed_app("prewarmed: 1"), &[]);
    let sc = out.summary.scaling.as_ref().expect("scaled");
    let outs: Vec<f64> = sc
        .decisions
        .iter()
        .filter(|d| d.add > 0)
        .map(|d| d.t_s)
        .collect();
    assert_eq!(&outs[..2], &[10.0, 40.0], "{outs:?}");
    // t = 10: the buffer is empty (it fills from the first decision that sees work), so
    // instance 1 is cold: up at 11.7 s. The buffer's refill is done at 11.5 s, so instance 2,
    // asked for at t = 40, only starts its worker: up at 40.2 s.
    let (one, two) = (first_start_on(&out.rows, 1), first_start_on(&out.rows, 2));
    assert!(
        (1700 * MS + 10 * S..1710 * MS + 10 * S).contains(&one),
        "{one}"
    );
    assert!(
        (200 * MS + 40 * S..210 * MS + 40 * S).contains(&two),
        "{two}"
    );
    let added: u64 = sc.decisions.iter().map(|d| d.add as u64).sum();
    assert!(sc.prewarmed_used >= 1, "{sc:#?}");
    assert_eq!(
        sc.cold_starts + sc.prewarmed_used,
        added,
        "every new instance is one or the other"
    );
    assert_eq!(
        sc.cold_starts, 1,
        "only the first, before the buffer filled"
    );
}

#[test]
fn a_prewarmed_instance_with_its_workers_started_is_ready_at_once() {
    let out = run_text(&prewarmed_app("prewarmed: 1, prewarmed_workers: true"), &[]);
    let two = first_start_on(&out.rows, 2);
    assert!((40 * S..40 * S + 10 * MS).contains(&two), "{two}");
}

#[test]
fn without_a_buffer_every_new_instance_is_cold() {
    let out = run_text(&prewarmed_app("prewarmed: 0"), &[]);
    let sc = out.summary.scaling.as_ref().unwrap();
    assert_eq!(sc.prewarmed_used, 0);
    let two = first_start_on(&out.rows, 2);
    assert!(
        (1700 * MS + 40 * S..1710 * MS + 40 * S).contains(&two),
        "{two}"
    );
}

#[test]
fn the_buffer_never_goes_beyond_the_maximum() {
    // max_instances 2: after the scale-out at t = 10 the fleet is at its maximum, so no
    // instance is pre-warmed and none is ever taken from the buffer.
    let out = run_text(&prewarmed_app("prewarmed: 1, max_instances: 2"), &[]);
    let sc = out.summary.scaling.as_ref().unwrap();
    assert_eq!((sc.cold_starts, sc.prewarmed_used), (1, 0), "{sc:#?}");
}

// ---- the drain grace period ----

/// Three 100 s messages, each instance holding one at a time (batch 1, no prefetch; the
/// controller counts visible messages only, 1 per instance). t = 0: instance 0 takes message
/// 0. t = 10: 2 visible, +1; instance 1 is up at 11.7 s and takes message 1. t = 20: 1 visible,
/// so one instance too many: instance 1 (the newest) drains with message 1 running. One
/// scale-out per hour at most, so a message that comes back does not bring a new instance.
fn drain_app(grace_s: u64) -> String {
    queue_app(
        "BlockingIo(Constant(100000.0))",
        3,
        "StorageQueue(batch_size: 1, new_batch_threshold: 0, processor_count: 1, \
         message_lease_s: 10, length_counts_invisible: false)",
        &format!(
            "min_instances: 1, mode: TargetBased(scale_in_hold_s: 0), other_rate_s: 3600, \
             targets: Targets(storage_queue: 1), drain_grace_s: {grace_s}"
        ),
    )
}

#[test]
fn work_still_running_at_the_end_of_the_grace_period_is_cut_and_its_message_returns() {
    let out = run_text(&drain_app(5), &[]);
    let sc = out.summary.scaling.as_ref().unwrap();
    let drain = first_scale_in(sc);
    assert_eq!(drain.t_s, 20.0, "{:#?}", sc.decisions);
    // Cut at 20 + 5 s: no row for the cut try, its message is back in the queue (visible when
    // its 10 s lease runs out) and is tried again on instance 0 once message 0 is done.
    assert_eq!(sc.messages_returned, 1, "{sc:#?}");
    let c = &out.summary.invocations;
    assert_eq!(
        (c.arrived, c.succeeded, c.failed.drain_cut, c.pending),
        (3, 3, 0, 0),
        "{c:?}"
    );
    assert_eq!(out.rows.len(), 3);
    let on_one: Vec<_> = out.rows.iter().filter(|r| r.instance == Some(1)).collect();
    assert!(on_one.is_empty(), "instance 1 finished nothing: {on_one:?}");
    // Instance 0 runs the three messages one after another: the last ends after 300 s.
    let mut ends: Vec<u64> = out.rows.iter().filter_map(|r| r.end).collect();
    ends.sort();
    assert_eq!(
        ends.iter().map(|e| e / (100 * S)).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
}

#[test]
fn work_that_ends_within_the_grace_period_is_not_cut() {
    // A 200 s grace: message 1 ends at 111.7 s on the draining instance, which then goes.
    let out = run_text(&drain_app(200), &[]);
    let sc = out.summary.scaling.as_ref().unwrap();
    assert_eq!(sc.messages_returned, 0);
    let c = &out.summary.invocations;
    assert_eq!((c.succeeded, c.failed.drain_cut), (3, 0), "{c:?}");
    let on_one: Vec<u64> = out
        .rows
        .iter()
        .filter(|r| r.instance == Some(1))
        .map(|r| r.end.unwrap())
        .collect();
    assert_eq!(on_one.len(), 1);
    assert_eq!(on_one[0] / (100 * MS), 1117, "ended at {} ns", on_one[0]);
}

#[test]
fn a_request_still_running_at_the_end_of_the_grace_period_is_cut() {
    // Two HTTP functions sharing the host's limit of 2 executing requests per instance (HTTP
    // scaling, target 2 per instance, at most 2 instances, no hold, a 30 s grace):
    // t = 0: four 15 s "short" requests on instance 0: two run (to 15 s), two wait (to 30 s);
    // t = 10: 4 concurrent / 2 = 2 instances: +1, instance 1 is up at 11.7 s;
    // t = 12: two 100 s "long" requests, round robin: the first waits on instance 0, the
    //   second runs on instance 1 (to 112 s);
    // t = 20: short wants 2/2 = 1 and long 2/2 = 1, only scale-ins: the largest, 1: instance
    //   1, the newest, drains with its long request running; cut at 20 + 30 = 50 s.
    let function = |name: &str, ms: u32, n: u32, at_ms: u32| {
        format!(
            r#"FunctionUse(function: Inline(Function(name: "{name}", kind: Sync,
            body: [BlockingIo(Constant({ms}.0))])), workload: Burst(n: {n}, at_ms: {at_ms}),
            trigger: Http(per_instance_concurrency: 2))"#
        )
    };
    let text = format!(
        r#"Experiment(name: "cut", host: Host(cores: 1.0, processes: 1, threads: 4),
        functions: [{}, {}],
        scale: Scale(mode: Http(scale_in_hold_s: 0), min_instances: 1, max_instances: 2,
            drain_grace_s: 30, {FIXED_PHASES}))"#,
        function("short", 15_000, 4, 0),
        function("long", 100_000, 2, 12_000)
    );
    let out = run_text(&text, &[]);
    let sc = out.summary.scaling.as_ref().unwrap();
    let changes: Vec<(f64, u32, u32)> = sc
        .decisions
        .iter()
        .filter(|d| d.add + d.drain > 0)
        .map(|d| (d.t_s, d.add, d.drain))
        .collect();
    assert_eq!(
        &changes[..2],
        &[(10.0, 1, 0), (20.0, 0, 1)],
        "{:#?}",
        sc.decisions
    );
    let c = &out.summary.invocations;
    assert_eq!(
        (c.arrived, c.succeeded, c.failed.drain_cut),
        (6, 5, 1),
        "{c:?}"
    );
    let cut: Vec<&InvocationRecord> = out
        .rows
        .iter()
        .filter(|r| r.outcome == Outcome::Failed(FailReason::DrainCut))
        .collect();
    assert_eq!(cut.len(), 1);
    let r = cut[0];
    assert_eq!(
        (r.function, r.instance),
        (1, Some(1)),
        "the long request on instance 1"
    );
    assert_eq!(
        r.response,
        Some(50 * S),
        "cut at the end of the grace period"
    );
    assert_eq!(r.end, None, "its body never ended");
    assert!(r.start.unwrap() >= 12 * S);
    // The other long request ran to its end on instance 0, after the shorts (30 + 100 s).
    let other = out
        .rows
        .iter()
        .find(|r| r.function == 1 && r.outcome == Outcome::Succeeded)
        .unwrap();
    assert_eq!(other.end.unwrap() / S, 130, "{other:?}");
}

// ---- scale to zero inside a run ----

#[test]
fn a_quiet_gap_longer_than_idle_to_zero_empties_the_fleet_and_the_next_burst_is_cold() {
    // One 1 ms request at t = 0 and one at 30 min, idle_to_zero_s 60, no hold: t = 0 the first
    // request activates instance 0 (up at 1.7 s); from the decision at t = 10 the app is idle,
    // so at t = 70 it goes to zero. At 1800 s the second request finds no instance: it
    // activates instance 1 and waits for its cold start (up at 1801.7 s).
    let function = |name: &str, at_ms: u64| {
        format!(
            r#"FunctionUse(function: Inline(Function(name: "{name}", kind: Sync,
            body: [Cpu(Constant(1.0))])), workload: Burst(n: 1, at_ms: {at_ms}))"#
        )
    };
    let text = format!(
        r#"Experiment(name: "zero", host: Host(cores: 1.0, processes: 1, threads: 4),
        functions: [{}, {}],
        scale: Scale(mode: TargetBased(scale_in_hold_s: 0), idle_to_zero_s: 60, {FIXED_PHASES}))"#,
        function("first", 0),
        function("second", 1_800_000)
    );
    let out = run_text(&text, &[]);
    let sc = out.summary.scaling.as_ref().unwrap();
    let to_zero = first_scale_in(sc);
    assert_eq!(
        (to_zero.t_s, to_zero.desired),
        (70.0, 0),
        "{:#?}",
        sc.decisions
    );
    assert!(
        sc.decisions
            .iter()
            .any(|d| d.t_s == 60.0 && d.reason.contains("idle 50 s of the 60 s")),
        "{:#?}",
        sc.decisions
    );
    assert_eq!(sc.cold_starts, 2);
    let second = out.rows.iter().find(|r| r.function == 1).unwrap();
    assert_eq!(second.instance, Some(1));
    assert!(second.cold, "it met a cold process");
    let start = second.start.unwrap();
    assert!((1_801_700 * MS..1_801_710 * MS).contains(&start), "{start}");
    // Instance 0 existed 70 s, instance 1 from 1800 s to the end (about 1.7 s).
    assert!(
        (71.0..72.0).contains(&sc.instance_seconds),
        "{}",
        sc.instance_seconds
    );
}
