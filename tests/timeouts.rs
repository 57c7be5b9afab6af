//! Function timeouts, with numbers checkable on paper: the timeout counts from an
//! invocation's arrival at its worker process (time queued there included); a timed-out
//! invocation fails as `failed:timeout` and its whole process restarts, failing the other
//! invocations on it (`failed:worker_restart`) and taking no work for the restart delay
//! (10 s) plus a worker start; a queue message that times out has had a failed try. Without a
//! timeout nothing changes.

mod common;
use common::*;
use sim::metrics::{FailReason, InvocationRecord, Outcome};

const S: u64 = 1_000_000_000;
const TIMEOUT: Outcome = Outcome::Failed(FailReason::Timeout);
const RESTART: Outcome = Outcome::Failed(FailReason::WorkerRestart);

/// One process of `threads` threads on one core running sync functions, each
/// `(name, body ms of blocking I/O, arrival ms)`, arriving once; `top` is added to the
/// experiment's top level (a timeout, a plan, a scale block).
fn app(threads: u32, functions: &[(&str, u32, u32)], top: &str) -> String {
    let uses: Vec<String> = functions
        .iter()
        .map(|(name, ms, at)| {
            format!(
                r#"FunctionUse(function: Inline(Function(name: "{name}", kind: Sync,
                    body: [BlockingIo(Constant({ms}.0))])), workload: Burst(n: 1, at_ms: {at}.0))"#
            )
        })
        .collect();
    format!(
        r#"Experiment(name: "t", {top}
        host: Host(cores: 1.0, processes: 1, threads: {threads}),
        functions: [{}])"#,
        uses.join(", ")
    )
}

/// The row of function number `f` (rows are in the order the functions are listed).
fn row(out: &sim::runner::RunOutput, f: u16) -> InvocationRecord {
    *out.rows
        .iter()
        .find(|r| r.function == f)
        .unwrap_or_else(|| panic!("no row of function {f}: {:?}", out.rows))
}

#[test]
fn a_body_longer_than_the_timeout_fails_at_the_timeout_and_the_next_request_waits_for_the_restart()
{
    // 1 process x 1 thread; a 10 s body at t = 0, a 5 s timeout: it fails at 5 s and the
    // process restarts: down 10 s, then a worker start (log-normal, median 0.6 s). The next
    // request, at 6 s, waits for it: its body starts after 15 s, and it succeeds.
    let out = run_text(
        &app(
            1,
            &[("long", 10_000, 0), ("next", 100, 6_000)],
            "function_timeout_s: 5,",
        ),
        &[],
    );
    let long = row(&out, 0);
    assert_eq!(long.outcome, TIMEOUT);
    assert_eq!(long.response, Some(5 * S));
    assert_eq!(long.end, None, "its body never ended");
    let next = row(&out, 1);
    assert_eq!(next.outcome, Outcome::Succeeded);
    let start = next.start.unwrap();
    assert!(
        (15 * S..20 * S).contains(&start),
        "starts after the restart: {start}"
    );
    assert!(next.cold, "the restarted process is cold again");
    let c = &out.summary.invocations;
    assert_eq!(
        (c.arrived, c.succeeded, c.failed.timeout),
        (2, 1, 1),
        "{c:?}"
    );
    assert_eq!(c.failed.total(), 1);
}

#[test]
fn the_restart_delay_is_the_experiment_s_to_set() {
    // The same, with worker_restart_delay_s: 2: the process is back after 5 + 2 s plus its
    // worker start (median 0.6 s), so the next request's body starts well before 15 s.
    let out = run_text(
        &app(
            1,
            &[("long", 10_000, 0), ("next", 100, 6_000)],
            "function_timeout_s: 5, worker_restart_delay_s: 2,",
        ),
        &[],
    );
    let start = row(&out, 1).start.unwrap();
    assert!(
        (7 * S..12 * S).contains(&start),
        "starts after the restart: {start}"
    );
}

#[test]
fn a_queued_request_times_out_counting_its_queue_time() {
    // 1 thread, a 5 s timeout, two 3 s bodies at 0 and 0.5 s: the first runs 0-3 s and
    // succeeds; the second waits in the pool's queue until 3 s, so at 5.5 s (5 s after it
    // reached the worker) it has run only 2.5 s of its 3 s and times out.
    let out = run_text(
        &app(
            1,
            &[("a", 3_000, 0), ("b", 3_000, 500)],
            "function_timeout_s: 5,",
        ),
        &[],
    );
    assert_eq!(row(&out, 0).outcome, Outcome::Succeeded);
    let b = row(&out, 1);
    assert_eq!(b.outcome, TIMEOUT);
    assert_eq!(b.response, Some(5_500_000_000));
    let start = b.start.unwrap();
    assert!((3 * S..3 * S + S / 100).contains(&start), "{start}");
}

#[test]
fn a_restart_fails_the_other_invocations_of_the_process() {
    // 2 threads: a 10 s body at 0 and a 3 s body at 4 s (running, due at 7 s) and a third
    // request at 4.5 s (queued: both threads busy); at 5 s the first times out and the
    // process restarts: the other two fail with it, at 5 s.
    let out = run_text(
        &app(
            2,
            &[
                ("long", 10_000, 0),
                ("running", 3_000, 4_000),
                ("queued", 100, 4_500),
            ],
            "function_timeout_s: 5,",
        ),
        &[],
    );
    assert_eq!(row(&out, 0).outcome, TIMEOUT);
    for f in [1, 2] {
        let r = row(&out, f);
        assert_eq!((r.outcome, r.response), (RESTART, Some(5 * S)), "{r:?}");
    }
    assert!(row(&out, 1).start.is_some() && row(&out, 2).start.is_none());
    let c = &out.summary.invocations;
    assert_eq!(
        (
            c.arrived,
            c.succeeded,
            c.failed.timeout,
            c.failed.worker_restart,
            c.pending
        ),
        (3, 0, 1, 2, 0),
        "{c:?}"
    );
}

#[test]
fn without_a_timeout_a_long_body_runs_to_its_end() {
    let out = run_text(&app(1, &[("long", 10_000, 0)], ""), &[]);
    let long = row(&out, 0);
    assert_eq!(long.outcome, Outcome::Succeeded);
    assert!(long.response.unwrap() >= 10 * S);
}

#[test]
fn the_plans_default_timeout_applies_when_the_experiment_sets_none() {
    // Consumption: 5 minutes by default; a 400 s body fails at 300 s.
    let out = run_text(
        &app(1, &[("long", 400_000, 0)], r#"plan: "Consumption","#),
        &[],
    );
    let long = row(&out, 0);
    assert_eq!((long.outcome, long.response), (TIMEOUT, Some(300 * S)));
}

#[test]
fn a_queue_message_that_times_out_is_tried_again_then_poisoned() {
    // A 10 s body, a 1 s timeout, maxDequeueCount 2: try 1 times out at ~1 s; the message is
    // visible again 2 s later, but the process is down until ~11.6 s (10 s + a worker start
    // of 0.6 s); try 2 starts then and times out 1 s later; then the poison queue.
    let text = r#"Experiment(name: "q", function_timeout_s: 1,
        host: Host(cores: 1.0, processes: 1, threads: 4),
        functions: [FunctionUse(function: Inline(Function(name: "f", kind: Sync,
            body: [BlockingIo(Constant(10000.0))])), workload: Burst(n: 1),
            trigger: StorageQueue(visibility_timeout_s: 2, max_dequeue_count: 2,
                max_polling_interval_ms: 100))],
        scale: Scale(min_instances: 1, max_instances: 1,
            cold_start: ColdStart(worker_start_ms: Constant(600))))"#;
    let out = run_text(text, &[]);
    assert_eq!(out.rows.len(), 2, "{:?}", out.rows);
    assert!(out.rows.iter().all(|r| r.outcome == TIMEOUT));
    let second = out.rows[1].start.unwrap();
    assert!(
        (11_600_000_000..11_800_000_000).contains(&second),
        "{second}"
    );
    let c = &out.summary.invocations;
    assert_eq!(
        (c.arrived, c.failed.timeout, c.poisoned),
        (1, 1, 1),
        "{c:?}"
    );
    let e = out
        .summary
        .executions
        .as_ref()
        .expect("2 tries of 1 message");
    assert_eq!((e.executions, e.failed.timeout), (2, 2));
}
