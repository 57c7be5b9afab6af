//! Property tests over random small scaled fleets: a random scale mode, min/max instances, a
//! storage-queue, Service Bus, Event Hubs or HTTP trigger with random limits, a random chance
//! that an invocation fails, a small random load and constant cold starts, a random
//! pre-warmed buffer, a short random drain grace (so busy instances are drained and their
//! work cut), sometimes a function timeout (so invocations time out and their worker
//! processes restart) and sometimes a memory limit that invocations pass (so workers are
//! OOM-killed and restart), run without a horizon. The properties: every run ends on its own (within a
//! bound on its events); nothing is left pending; both ledgers add up: the arrivals, arrived =
//! succeeded + failed + rejected + timed_out + pending (each message settled once, however
//! many tries it had; a cut request fails with drain_cut, a timed-out one with timeout, its
//! siblings on the restarted process with worker_restart), and the executions, which are the
//! rows of invocations.csv as written, by outcome; the latency split and the instance columns
//! agree with the rows (a cut message's try is placed but writes no row: its message is tried
//! again).

mod common;
use common::{root, run_text};
use proptest::prelude::*;
use proptest::sample::select;
use sim::config::parse_experiment;
use sim::metrics::summary::RunSummary;
use sim::metrics::{FailReason, Outcome};
use sim::output::csv_export::{CsvRows, ExtraColumns};
use sim::runner::run_streaming;
use std::cell::RefCell;
use std::io::Write;
use std::ops::ControlFlow;
use std::rc::Rc;

/// A writer whose bytes stay readable after the sink that owns it is finished.
#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The trigger: a storage queue with a random batch size and retry settings, a Service Bus
/// queue, an event hub, or HTTP with random limits.
fn trigger() -> impl Strategy<Value = (String, bool)> {
    let limit = |hi: u32| prop::option::of(1u32..=hi);
    prop_oneof![
        (1u32..=16, 1u32..=2, 0u32..=2, 1u32..=5).prop_map(|(b, p, vis, tries)| (
            format!("StorageQueue(batch_size: {b}, processor_count: {p}, visibility_timeout_s: {vis}, max_dequeue_count: {tries})"),
            false
        )),
        (1u32..=8, 1u32..=5).prop_map(|(calls, tries)| (
            format!("ServiceBus(max_concurrent_calls: {calls}, per_core: false, max_delivery_count: {tries})"),
            false
        )),
        // At least as many partitions as the most instances drawn below (6): an all-Event-Hubs
        // app asking for more instances than partitions is refused before it runs.
        (6u32..=12, 1u32..=20, 1u32..=3).prop_map(|(parts, batch, every)| (
            format!("EventHubs(partitions: {parts}, max_event_batch_size: {batch}, batch_checkpoint_frequency: {every})"),
            false
        )),
        (limit(8), prop::option::of(0u32..=6), limit(4)).prop_map(|(c, extra, per)| {
            let mut fields = Vec::new();
            if let Some(c) = c {
                fields.push(format!("max_concurrent_requests: {c}"));
                // Outstanding requests include the executing ones: at least the concurrency.
                if let Some(extra) = extra {
                    fields.push(format!("max_outstanding_requests: {}", c + extra));
                }
            }
            if let Some(p) = per {
                fields.push(format!("per_instance_concurrency: {p}"));
            }
            (format!("Http({})", fields.join(", ")), true)
        }),
    ]
}

/// The scale controller's mode.
fn mode() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u32..=4, select(vec![0, 180]))
            .prop_map(|(k, h)| format!("TargetBased(max_step: {k}, scale_in_hold_s: {h})")),
        (1u32..=4, select(vec![0, 180]))
            .prop_map(|(k, h)| format!("Http(max_step: {k}, scale_in_hold_s: {h})")),
        Just("Incremental()".to_string()),
    ]
}

/// A small load: a burst at a random instant, or a short Poisson stream.
fn load() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u64..=60, 0u64..=3000).prop_map(|(n, at)| format!("Burst(n: {n}, at_ms: {at}.0)")),
        (1.0f64..40.0, 0.5f64..3.0)
            .prop_map(|(r, d)| format!("Poisson(rate_per_s: {r:.3}, duration_s: {d:.3})")),
    ]
}

/// One random scaled experiment, as RON text, and whether its trigger is HTTP.
fn experiment() -> impl Strategy<Value = (String, bool)> {
    (
        trigger(),
        mode(),
        load(),
        0u32..=2,
        0u32..=4,
        1u32..=2,
        select(vec!["Sync", "Async"]),
        (1u32..=40, 1u32..=200, 1u32..=800),
        select(vec![0.0, 0.1, 0.5, 1.0]),
        (0u32..=1, 0u32..=2),
        select(vec![None, Some(0.05), Some(0.3), Some(2.0)]),
        select(vec![None, Some((400, 50)), Some((400, 150)), Some((1000, 150))]),
    )
        .prop_map(
            |((trig, http), mode, load, min, extra, procs, kind, (cpu, io, cold), fails, (pre, grace), timeout, memory)| {
                let timeout = timeout.map_or(String::new(), |s| format!("function_timeout_s: {s},"));
                // An instance limit and invocations that hold memory: sometimes OOM kills.
                let (memory, holds) = memory.map_or((String::new(), String::new()), |(limit, mb)| (
                    format!("memory: Memory(limit_mb: {limit}, host_mb: 100, worker_base_mb: 50),"),
                    format!("memory_mb: Lognormal({mb}, 0.5),"),
                ));
                let max = (min + extra).max(1);
                let prewarmed = if min + pre <= max { pre } else { 0 };
                let io_step = if kind == "Async" {
                    format!("AwaitIo(Constant({io}.0))")
                } else {
                    format!("BlockingIo(Constant({io}.0))")
                };
                let text = format!(
                    r#"Experiment(name: "fleet", seed: 7, {timeout} {memory}
                    host: Host(cores: 1.0, processes: {procs}, threads: 2),
                    functions: [FunctionUse(function: Inline(Function(name: "f", kind: {kind},
                        body: [Cpu(Constant({cpu}.0)), {io_step}])),
                        workload: {load}, trigger: {trig}, fails: {fails}, {holds})],
                    scale: Scale(mode: {mode}, min_instances: {min}, max_instances: {max},
                        decision_interval_s: 1, prewarmed: {prewarmed}, drain_grace_s: {grace},
                        cold_start: ColdStart(allocate_ms: Constant({cold}), host_start_ms: Constant(100),
                            worker_start_ms: Constant(50))))"#
                );
                (text, http)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_scaled_run_ends_and_conserves_its_invocations((text, http) in experiment()) {
        check_scaled_run(&text, http)?;
    }
}

/// Runs `text` (its trigger HTTP if `http`) without a horizon and checks the properties in
/// the module docs; returns its invocations.csv.
fn check_scaled_run(text: &str, http: bool) -> Result<String, TestCaseError> {
    let (summary, csv, series) = run_bounded(text);
    check_arrivals(&summary, text, http)?;
    let mut lines = csv.lines();
    prop_assert!(lines.next().unwrap().ends_with(",instance,cold"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    check_outcomes(&summary, &rows, text)?;
    check_placement(&summary, &rows, text)?;
    check_cold_bodies(&rows)?;
    check_series(&summary, &series)?;
    Ok(csv)
}

/// Runs `text` to its end, within a bound on its events: its summary, invocations.csv and
/// timeseries.csv.
fn run_bounded(text: &str) -> (RunSummary, String, String) {
    let exp = parse_experiment(text, &root().join("experiments/fleet.ron"), &[])
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    let (inv, series) = (Shared::default(), Shared::default());
    let mut sink = CsvRows::new(
        Some(inv.clone()),
        series.clone(),
        vec!["f".into()],
        ExtraColumns::of(&exp),
    )
    .unwrap();
    // A bounded size instead of a horizon: a run that never ends would pass this.
    let bound = 5_000_000;
    let mut watch = |p: &sim::model::Progress| {
        if p.events > bound {
            ControlFlow::Break(format!("over {bound} events at t = {} ns", p.now_ns))
        } else {
            ControlFlow::Continue(())
        }
    };
    let summary = run_streaming(&exp, &mut sink, &mut watch)
        .unwrap_or_else(|_| panic!("the run did not end within {bound} events:\n{text}"));
    sink.finish().unwrap();
    let text_of = |w: Shared| String::from_utf8(w.0.borrow().clone()).unwrap();
    (summary, text_of(inv), text_of(series))
}

/// The arrivals add up, nothing is pending, and only HTTP requests are refused.
fn check_arrivals(summary: &RunSummary, text: &str, http: bool) -> Result<(), TestCaseError> {
    let c = &summary.invocations;
    let failed = c.failed.total();
    prop_assert_eq!(
        c.arrived,
        c.succeeded + failed + c.rejected + c.timed_out + c.pending,
        "{}",
        text
    );
    prop_assert_eq!(c.pending, 0, "a run without a horizon ends idle: {}", text);
    prop_assert!(c.poisoned + c.dead_lettered <= failed);
    if !http {
        prop_assert_eq!(c.rejected + c.timed_out, 0);
    }
    Ok(())
}

/// The rows are the executions, by outcome (without retries or batches, the arrivals).
fn check_outcomes(
    summary: &RunSummary,
    rows: &[Vec<&str>],
    text: &str,
) -> Result<(), TestCaseError> {
    let c = &summary.invocations;
    let (executions, succeeded, fails) = match &summary.executions {
        Some(e) => {
            prop_assert_eq!(
                e.executions,
                e.succeeded + e.failed.total() + e.rejected + e.timed_out + e.pending
            );
            (e.executions, e.succeeded, e.failed)
        }
        None => (c.arrived, c.succeeded, c.failed),
    };
    prop_assert_eq!(rows.len() as u64, executions, "{}", text);
    let with = |o: Outcome| rows.iter().filter(|r| r[8] == o.to_string()).count() as u64;
    let failed = |reason| with(Outcome::Failed(reason));
    prop_assert_eq!(with(Outcome::Succeeded), succeeded);
    prop_assert_eq!(failed(FailReason::Raised), fails.raised);
    prop_assert_eq!(failed(FailReason::DrainCut), fails.drain_cut);
    prop_assert_eq!(failed(FailReason::Timeout), fails.timeout);
    prop_assert_eq!(failed(FailReason::WorkerRestart), fails.worker_restart);
    prop_assert_eq!(failed(FailReason::OutOfMemory), fails.oom);
    if !text.contains("function_timeout_s") {
        prop_assert_eq!(fails.timeout + fails.worker_restart, 0);
    }
    if !text.contains("memory_mb") {
        prop_assert_eq!(fails.oom, 0);
    }
    prop_assert_eq!(with(Outcome::Rejected), c.rejected);
    prop_assert_eq!(with(Outcome::TimedOut), c.timed_out);
    Ok(())
}

/// The instance, process and cold columns agree with each other and with the latency split.
fn check_placement(
    summary: &RunSummary,
    rows: &[Vec<&str>],
    text: &str,
) -> Result<(), TestCaseError> {
    let cut = Outcome::Failed(FailReason::DrainCut).to_string();
    for r in rows {
        // A try cut while it waited at its instance for a ready process (its worker down
        // after an OOM kill or a timeout) names the instance but no process.
        let cut_waiting = r[8] == cut && r[6].is_empty();
        prop_assert!(r[6].is_empty() == r[9].is_empty() || cut_waiting, "{:?}", r);
        prop_assert!(r[10] == "true" || r[10] == "false");
    }
    // Placed on an instance = names its instance: it has a process there, or it was cut
    // while it waited there for one.
    let placed = rows.iter().filter(|r| !r[9].is_empty()).count() as u64;
    let sc = summary.scaling.as_ref().unwrap();
    prop_assert_eq!(
        sc.latency_split_ms.placed,
        placed + sc.messages_returned,
        "{}",
        text
    );
    prop_assert_eq!(sc.rejected_429, summary.invocations.rejected);
    Ok(())
}

/// Each process meets at most one cold body per life: its first, and one more after each
/// restart (each follows one of its invocations timing out, or an OOM kill).
fn check_cold_bodies(rows: &[Vec<&str>]) -> Result<(), TestCaseError> {
    let timeout = Outcome::Failed(FailReason::Timeout).to_string();
    let oom = Outcome::Failed(FailReason::OutOfMemory).to_string();
    // An HTTP request killed after its client gave up at the cap shows the client's timeout
    // (its body never ended), not why its process died: it may be the restart's cause.
    let gave_up = Outcome::TimedOut.to_string();
    let killed =
        |r: &Vec<&str>| r[8] == timeout || r[8] == oom || (r[8] == gave_up && r[4].is_empty());
    let mut cold: Vec<&str> = rows
        .iter()
        .filter(|r| r[10] == "true")
        .map(|r| r[6])
        .collect();
    cold.sort();
    for p in cold
        .iter()
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
    {
        let bodies = cold.iter().filter(|&&q| q == p).count();
        // A timeout restarts its process once; an OOM kill ends at least one row there.
        let restarts = rows.iter().filter(|r| r[6] == p && killed(r)).count();
        prop_assert!(
            bodies <= 1 + restarts,
            "process {}: {} cold bodies, {} restarts",
            p,
            bodies,
            restarts
        );
    }
    Ok(())
}

/// The per-interval 429s add up to the summary's, and the fleet's totals are sane.
fn check_series(summary: &RunSummary, series: &str) -> Result<(), TestCaseError> {
    let column = series
        .lines()
        .next()
        .unwrap()
        .split(',')
        .position(|c| c == "rejected_429")
        .unwrap();
    let per_interval: u64 = series
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(column).unwrap().parse::<u64>().unwrap())
        .sum();
    prop_assert_eq!(per_interval, summary.invocations.rejected);
    let sc = summary.scaling.as_ref().unwrap();
    prop_assert!(sc.instance_seconds >= 0.0);
    prop_assert!(sc.scale_events <= sc.decisions.len() as u64);
    Ok(())
}

/// Found by the property test: a request sent to an instance whose only worker is down after
/// an OOM kill waits there for it and is cut there by the drain. It was placed on the
/// instance (the latency split counts it) though it never reached a process: its row names
/// the instance and no process.
#[test]
fn a_request_cut_while_its_worker_was_down_counts_as_placed() {
    let text = r#"Experiment(name: "fleet", seed: 7,
        memory: Memory(limit_mb: 400, host_mb: 100, worker_base_mb: 50),
        host: Host(cores: 1.0, processes: 1, threads: 2),
        functions: [FunctionUse(function: Inline(Function(name: "f", kind: Sync,
            body: [Cpu(Constant(1.0)), BlockingIo(Constant(53.0))])),
            workload: Poisson(rate_per_s: 35.810, duration_s: 2.771),
            trigger: Http(max_concurrent_requests: 2, max_outstanding_requests: 3,
                per_instance_concurrency: 2),
            fails: 0, memory_mb: Lognormal(150, 0.5))],
        scale: Scale(mode: TargetBased(max_step: 1, scale_in_hold_s: 0), min_instances: 1,
            max_instances: 2, decision_interval_s: 1, prewarmed: 0, drain_grace_s: 0,
            cold_start: ColdStart(allocate_ms: Constant(1), host_start_ms: Constant(100),
                worker_start_ms: Constant(50))))"#;
    let csv = check_scaled_run(text, true).unwrap_or_else(|e| panic!("{e}"));
    let cut = Outcome::Failed(FailReason::DrainCut).to_string();
    let cut_waiting = rows_of(&csv).any(|r| r[8] == cut && r[6].is_empty() && !r[9].is_empty());
    assert!(
        cut_waiting,
        "no request was cut while it waited for its worker:\n{csv}"
    );
}

/// Found by the property test: a request waits at its instance past its client's 230 s cap
/// (its worker restarting again and again after function timeouts), then runs and times out
/// itself. Its row shows what its client saw (`timed_out`), yet its process restarted: the
/// next body there is cold again.
#[test]
fn a_request_killed_after_its_client_gave_up_restarts_its_worker() {
    let text = r#"Experiment(name: "fleet", seed: 7, function_timeout_s: 0.05,
        host: Host(cores: 1.0, processes: 1, threads: 2),
        functions: [FunctionUse(function: Inline(Function(name: "f", kind: Sync,
            body: [Cpu(Constant(11.0)), BlockingIo(Constant(27.0))])),
            workload: Poisson(rate_per_s: 38.952, duration_s: 2.680),
            trigger: Http(per_instance_concurrency: 2), fails: 0)],
        scale: Scale(mode: Incremental(), min_instances: 0, max_instances: 1,
            decision_interval_s: 1, prewarmed: 0, drain_grace_s: 0,
            cold_start: ColdStart(allocate_ms: Constant(1), host_start_ms: Constant(100),
                worker_start_ms: Constant(50))))"#;
    let csv = check_scaled_run(text, true).unwrap_or_else(|e| panic!("{e}"));
    let gave_up = Outcome::TimedOut.to_string();
    let killed_late = rows_of(&csv).any(|r| r[8] == gave_up && !r[6].is_empty() && r[4].is_empty());
    assert!(
        killed_late,
        "no request was killed after its client gave up:\n{csv}"
    );
}

/// The rows of `csv` (invocations.csv), split into their columns, without the header.
fn rows_of(csv: &str) -> impl Iterator<Item = Vec<&str>> {
    csv.lines().skip(1).map(|l| l.split(',').collect())
}

/// Found by the property test: a message whose try was cut with its draining instance comes
/// back with its dequeue count spent and is poisoned as it is received, with no try of its
/// own; it must still be settled once, as failed (drain_cut).
#[test]
fn a_message_poisoned_after_its_tries_were_cut_is_settled_once() {
    let text = drained_fleet(
        "Cpu(Constant(1.0)), BlockingIo(Constant(138.0))",
        "Burst(n: 55, at_ms: 2056.0)",
        "StorageQueue(batch_size: 9, processor_count: 1, visibility_timeout_s: 1, max_dequeue_count: 2), fails: 0.5",
        "Incremental()",
        134,
    );
    let c = settled_once(&text);
    assert_eq!(c.failed.drain_cut, 1, "{c:?}");
    assert!(c.poisoned <= c.failed.total(), "{c:?}");
}

/// Found by the property test: the same for a Service Bus message whose lock ran out with
/// its drained instance after its last delivery: dead-lettered, settled once, as drain_cut.
#[test]
fn a_message_dead_lettered_after_its_lock_was_lost_is_settled_once() {
    let text = drained_fleet(
        "Cpu(Constant(2.0)), BlockingIo(Constant(26.0))",
        "Burst(n: 26, at_ms: 959.0)",
        "ServiceBus(max_concurrent_calls: 6, per_core: false, max_delivery_count: 4), fails: 1",
        "Http(max_step: 1, scale_in_hold_s: 0)",
        371,
    );
    let c = settled_once(&text);
    assert!(c.failed.drain_cut >= 1, "{c:?}");
    assert!(c.dead_lettered <= c.failed.total(), "{c:?}");
}

/// One `def` function of `body` on 1 x 2, fed by `trigger` (with its `fails`), on up to two
/// instances scaled by `mode`, drained with no grace: what the two regressions above ran.
fn drained_fleet(
    body: &str,
    workload: &str,
    trigger: &str,
    mode: &str,
    allocate_ms: u32,
) -> String {
    format!(
        r#"Experiment(name: "fleet", seed: 7,
        host: Host(cores: 1.0, processes: 1, threads: 2),
        functions: [FunctionUse(function: Inline(Function(name: "f", kind: Sync, body: [{body}])),
            workload: {workload}, trigger: {trigger})],
        scale: Scale(mode: {mode}, min_instances: 1, max_instances: 2,
            decision_interval_s: 1, prewarmed: 0, drain_grace_s: 0,
            cold_start: ColdStart(allocate_ms: Constant({allocate_ms}), host_start_ms: Constant(100),
                worker_start_ms: Constant(50))))"#
    )
}

/// Runs `text` and checks that its arrivals add up (no HTTP: nothing rejected or timed out).
fn settled_once(text: &str) -> sim::metrics::summary::Counts {
    let c = run_text(text, &[]).summary.invocations;
    assert_eq!(
        c.arrived,
        c.succeeded + c.failed.total() + c.pending,
        "{c:?}"
    );
    c
}
