//! Failing invocations (`fails`) in runs, with numbers checkable on paper: a storage-queue
//! message that always fails is tried maxDequeueCount times, the visibility timeout apart,
//! then poisoned; a Service Bus message is redelivered at once and dead-lettered after
//! maxDeliveryCount deliveries; an Event Hubs batch is not retried; a direct invocation just
//! fails. Conservation holds on both ledgers: arrivals (each settled once) and executions
//! (the rows).

mod common;
use common::*;
use sim::metrics::{FailReason, Outcome};

const MS: u64 = 1_000_000;
const FAILED: Outcome = Outcome::Failed(FailReason::Raised);

/// One sync function of `body` on fixed 1-core instances (one process, 4 threads), with
/// `trigger` and `fails`; `scale` is the Scale block (or "None" for one instance).
fn app(body: &str, workload: &str, trigger: &str, fails: &str, scale: &str) -> String {
    let trigger = if trigger.is_empty() {
        String::new()
    } else {
        format!("trigger: {trigger},")
    };
    format!(
        r#"Experiment(name: "f", host: Host(cores: 1.0, processes: 1, threads: 4),
        functions: [FunctionUse(function: Inline(Function(name: "f", kind: Sync,
            body: [{body}])), workload: {workload}, {trigger} fails: {fails})],
        scale: {scale})"#
    )
}

const ONE: &str = "Some(Scale(min_instances: 1, max_instances: 1))";

/// `n` arrivals at t = 0 of 100 ms of I/O that always raises, through `trigger`, on one
/// fixed instance.
fn always_failing(n: u32, trigger: &str) -> sim::runner::RunOutput {
    let burst = format!("Burst(n: {n})");
    run_text(
        &app("BlockingIo(Constant(100.0))", &burst, trigger, "1.0", ONE),
        &[],
    )
}

#[test]
fn a_queue_message_failing_every_time_is_poisoned_after_max_dequeue_count_tries() {
    // One message, 100 ms of I/O, always raising; visibilityTimeout 2 s, maxDequeueCount 3,
    // the listener polling every 100 ms: try 1 ends at ~100 ms, the message is visible again
    // 2 s later and received at the next poll (within 100 ms), and so on: 3 tries, each
    // starting 2.0-2.1 s after the previous one ended, then the poison queue.
    let out = always_failing(
        1,
        "StorageQueue(visibility_timeout_s: 2, max_dequeue_count: 3, max_polling_interval_ms: 100)",
    );
    assert_eq!(out.rows.len(), 3, "{:?}", out.rows);
    assert!(out
        .rows
        .iter()
        .all(|r| r.outcome == FAILED && r.arrival == 0));
    for pair in out.rows.windows(2) {
        let gap = pair[1].start.unwrap() - pair[0].end.unwrap();
        assert!(
            (2000 * MS..2102 * MS).contains(&gap),
            "the next try waits out the visibility timeout: {gap} ns"
        );
    }
    let c = &out.summary.invocations;
    assert_eq!((c.arrived, c.succeeded, c.pending), (1, 0, 0), "{c:?}");
    assert_eq!((c.failed.raised, c.poisoned), (1, 1), "{c:?}");
    let e = out
        .summary
        .executions
        .as_ref()
        .expect("3 tries of 1 message");
    assert_eq!((e.executions, e.failed.raised), (3, 3));
    // The message waited longest before its third try: about 4.4 s after its enqueue.
    let age = out.summary.scaling.as_ref().unwrap().max_queue_age_s;
    assert!((4.4..4.5).contains(&age), "{age}");
}

#[test]
fn a_queue_message_that_fails_once_succeeds_on_its_next_try() {
    // fails 0.5 over 200 messages: every message ends succeeded or poisoned (5 tries in a
    // row raised: about 200 / 32), and rows = tries.
    let text = app(
        "BlockingIo(Constant(10.0))",
        "Burst(n: 200)",
        "StorageQueue()",
        "0.5",
        ONE,
    );
    let out = run_text(&text, &[]);
    let c = &out.summary.invocations;
    assert_eq!(c.arrived, 200);
    assert_eq!(c.succeeded + c.failed.raised, 200, "{c:?}");
    assert_eq!(c.failed.raised, c.poisoned);
    assert!((1..=20).contains(&c.poisoned), "{c:?}");
    let e = out.summary.executions.as_ref().unwrap();
    assert_eq!(e.executions, out.rows.len() as u64);
    assert_eq!(
        e.succeeded, c.succeeded,
        "one succeeded try per succeeded message"
    );
    assert_eq!(e.failed.raised, e.executions - e.succeeded);
    // About 2 tries per message (a geometric number of tries, capped at 5).
    assert!((300..500).contains(&e.executions), "{e:?}");
}

#[test]
fn a_service_bus_message_failing_every_time_is_dead_lettered_after_max_delivery_count() {
    // Two messages, always raising, maxDeliveryCount 4: each is abandoned and redelivered
    // at once (the next try starts within a ms of the previous end), 4 times, then
    // dead-lettered: 8 rows.
    let out = always_failing(
        2,
        "ServiceBus(max_concurrent_calls: 1, per_core: false, max_delivery_count: 4)",
    );
    assert_eq!(out.rows.len(), 8);
    assert!(out.rows.iter().all(|r| r.outcome == FAILED));
    let c = &out.summary.invocations;
    assert_eq!(
        (c.arrived, c.failed.raised, c.dead_lettered),
        (2, 2, 2),
        "{c:?}"
    );
    // One receiver: an abandoned message goes back to the head, so message 0 has its 4
    // deliveries first, back to back.
    let mut rows = out.rows.clone();
    rows.sort_by_key(|r| r.start);
    for pair in rows.windows(2) {
        let gap = pair[1].start.unwrap() - pair[0].end.unwrap();
        assert!(gap < MS, "redelivered at once: {gap} ns");
    }
}

#[test]
fn a_failed_event_hubs_batch_is_not_retried_and_its_events_fail() {
    // 4 partitions on one instance, 40 events, batches of 10, always raising: each
    // partition's first event is read alone, then its 9 others as one batch: 8 batches,
    // each tried once, 40 events failed.
    let out = always_failing(40, "EventHubs(partitions: 4, max_event_batch_size: 10)");
    assert_eq!(out.rows.len(), 8);
    let c = &out.summary.invocations;
    assert_eq!(
        (c.arrived, c.failed.raised, c.pending),
        (40, 40, 0),
        "{c:?}"
    );
    assert_eq!((c.poisoned, c.dead_lettered), (0, 0));
    let e = out.summary.executions.as_ref().unwrap();
    assert_eq!((e.executions, e.failed.raised), (8, 8));
}

#[test]
fn a_direct_function_on_one_instance_fails_without_retry() {
    // No scale block: 1,000 requests, fails 0.2: each fails once or not at all; about 200
    // fail (binomial: standard deviation 12.6).
    let text = app("Cpu(Constant(0.1))", "Burst(n: 1000)", "", "0.2", "None");
    let out = run_text(&text, &[]);
    let c = &out.summary.invocations;
    assert_eq!(out.rows.len(), 1000);
    assert_eq!(c.succeeded + c.failed.raised, 1000, "{c:?}");
    assert!((150..250).contains(&c.failed.raised), "{c:?}");
    assert!(out.summary.executions.is_none(), "one row per arrival");
    let failed_rows = out.rows.iter().filter(|r| r.outcome == FAILED).count() as u64;
    assert_eq!(failed_rows, c.failed.raised);
}

#[test]
fn failures_draw_from_their_own_stream_and_change_no_other_draw() {
    // Random durations: with fails 0.5 every invocation runs exactly as without (same start,
    // end and response); only outcomes change.
    let body = "Cpu(Exponential(2.0)), BlockingIo(Lognormal(20.0, 0.5))";
    let load = "Poisson(rate_per_s: 50.0, duration_s: 2.0)";
    let base = run_text(&app(body, load, "", "0", "None"), &[]);
    let failing = run_text(&app(body, load, "", "0.5", "None"), &[]);
    assert_eq!(base.rows.len(), failing.rows.len());
    let times = |o: &sim::runner::RunOutput| -> Vec<_> {
        let mut t: Vec<_> = o
            .rows
            .iter()
            .map(|r| (r.id, r.start, r.end, r.response))
            .collect();
        t.sort();
        t
    };
    assert_eq!(times(&base), times(&failing));
    assert!(failing.rows.iter().any(|r| r.outcome == FAILED));
    assert!(base.rows.iter().all(|r| r.outcome == Outcome::Succeeded));
}

#[test]
fn queue_messages_still_waiting_at_the_horizon_count_as_pending() {
    // 100 messages of 1 s on one instance with batch 4: at 1.5 s most still wait in the
    // queue without a row; the arrivals still add up.
    let text = app(
        "BlockingIo(Constant(1000.0))",
        "Burst(n: 100)",
        "StorageQueue(batch_size: 4, new_batch_threshold: 0)",
        "0",
        ONE,
    )
    .replace("scale: Some(", "horizon_s: 1.5, scale: Some(");
    let out = run_text(&text, &[]);
    let c = &out.summary.invocations;
    assert_eq!(c.arrived, 100);
    assert_eq!(c.succeeded + c.pending, 100, "{c:?}");
    assert!(c.pending > 90, "{c:?}");
}
