//! Memory, with numbers checkable on paper: an instance holds its host, each worker process at
//! rest (a bare worker plus the app's imports) and each running invocation's memory; past
//! its limit the largest worker is OOM-killed, its invocations fail as `failed:oom` (a queue
//! message is tried again), and it restarts after the restart delay. Consumption bills the
//! workers' memory, rounded up to 128 MB, while the instance executes. An instance too small
//! for its host and workers at rest is refused before the run.

mod common;
use common::*;
use sim::metrics::{FailReason, Outcome};

const OOM: Outcome = Outcome::Failed(FailReason::OutOfMemory);

/// One instance of `processes` x `threads` on 1 core; `n` sync invocations at t = 0, each
/// blocking `ms` and holding `mb`; `top` is added to the experiment's top level.
fn app(processes: u32, threads: u32, n: u32, ms: u32, mb: u32, top: &str) -> String {
    format!(
        r#"Experiment(name: "m", {top}
        host: Host(cores: 1.0, processes: {processes}, threads: {threads}),
        functions: [FunctionUse(
            function: Inline(Function(name: "f", kind: Sync, body: [BlockingIo(Constant({ms}.0))])),
            workload: Burst(n: {n}),
            memory_mb: Constant({mb}),
        )])"#
    )
}

/// The memory block with a 1000 MB limit: host 200, worker 80 + imports 100 = 180 at rest.
const LIMIT_1000: &str =
    "memory: Memory(limit_mb: 1000, host_mb: 200, worker_base_mb: 80, imports_mb: 100),";

#[test]
fn under_the_limit_the_peak_is_host_plus_workers_plus_running_invocations() {
    // 2 processes at rest: 200 + 2 x 180 = 560 MB; two invocations of 150 MB run at once (one
    // per process, round robin): peak 860 MB, no kill.
    let out = run_text(&app(2, 1, 2, 1000, 150, LIMIT_1000), &[]);
    let m = out
        .summary
        .memory
        .as_ref()
        .expect("a memory block models memory");
    assert_eq!(m.peak_mb, 860.0);
    assert_eq!(m.limit_mb, Some(1000.0));
    assert_eq!(m.peak_share, Some(0.86));
    assert_eq!(m.oom_kills, 0);
    assert_eq!(out.summary.invocations.succeeded, 2);
    // Held about 1 s of the run at 860, the rest at 560: the mean lies between.
    assert!(m.mean_mb > 560.0 && m.mean_mb < 860.0, "{m:?}");
}

#[test]
fn past_the_limit_the_largest_worker_is_killed_and_its_invocations_fail() {
    // 1 process x 4 threads: 200 + 180 at rest; four invocations of 200 MB start together.
    // The fourth takes it to 1180 > 1000: the worker is killed with all four (failed:oom),
    // and with direct delivery nothing retries them.
    let out = run_text(&app(1, 4, 4, 1000, 200, LIMIT_1000), &[]);
    let m = out.summary.memory.as_ref().unwrap();
    assert_eq!(m.oom_kills, 1);
    assert_eq!(out.summary.worker_restarts.out_of_memory, 1);
    assert_eq!(m.peak_mb, 1180.0, "the demand at the instant of the kill");
    assert_eq!(out.summary.invocations.failed.oom, 4);
    assert!(out.rows.iter().all(|r| r.outcome == OOM), "{:?}", out.rows);
}

#[test]
fn the_killer_picks_the_worker_holding_most_and_spares_the_other() {
    // 2 processes x 2 threads, three 250 MB invocations at once, a 1100 MB limit: round
    // robin sends the first and third to process 1, the second to process 0. The third's
    // start takes the instance to 560 + 750 = 1310 > 1100; killing process 1 (680 MB, the
    // largest) brings it to 630: process 0's invocation succeeds.
    let limit = LIMIT_1000.replace("limit_mb: 1000", "limit_mb: 1100");
    let out = run_text(&app(2, 2, 3, 1000, 250, &limit), &[]);
    let failed: Vec<_> = out.rows.iter().filter(|r| r.outcome == OOM).collect();
    assert_eq!(failed.len(), 2, "{:?}", out.rows);
    assert!(failed.iter().all(|r| r.process == Some(1)));
    assert_eq!(out.summary.invocations.succeeded, 1);
    assert_eq!(out.summary.worker_restarts.out_of_memory, 1);
}

#[test]
fn an_oom_killed_queue_message_is_tried_again_until_poisoned() {
    // Every try alone passes the limit (380 + 900 > 1000): each is killed with its process,
    // tried again once the process is back; after 5 tries, the poison queue.
    let text = app(1, 1, 1, 100, 900, LIMIT_1000)
        .replace(
            "memory_mb: Constant(900),",
            "memory_mb: Constant(900), trigger: StorageQueue(visibility_timeout_s: 1),",
        )
        .replace(
            "functions:",
            "scale: Scale(min_instances: 1, max_instances: 1), functions:",
        );
    let out = run_text(&text, &[]);
    let c = &out.summary.invocations;
    assert_eq!((c.arrived, c.failed.oom, c.poisoned), (1, 1, 1), "{c:?}");
    let tries = out.rows.iter().filter(|r| r.outcome == OOM).count();
    assert_eq!(tries, 5, "maxDequeueCount tries, each killed");
}

#[test]
fn a_host_too_small_for_its_workers_at_rest_is_refused_with_the_count_that_fits() {
    // Consumption: 1536 MB; 200 + 4 x (80 + 300) = 1720 MB at rest: at most 3 processes.
    let text = app(
        4,
        1,
        1,
        10,
        0,
        r#"plan: "Consumption", memory: Memory(imports_mb: 300),"#,
    );
    let path = temp_dir("memory_refusal").join("m.ron");
    std::fs::write(&path, text).unwrap();
    let out = sim_in(
        &root(),
        &["run", path.to_str().unwrap(), "--out", "/nonexistent/x"],
    );
    assert!(matches!(out.code, Some(c) if c != 0), "{:?}", out.code);
    assert!(out.stderr.contains("host.processes"), "{}", out.stderr);
    assert!(out.stderr.contains("at most 3 processes"), "{}", out.stderr);
    assert!(out.stderr.contains("1720"), "{}", out.stderr);
}

#[test]
fn consumption_bills_the_workers_memory_rounded_up_to_128_mb_while_executing() {
    // One 1 s invocation holding 100 MB on a worker of 80 MB (no imports): 180 MB while it
    // runs, billed as 256 MB (2 x 128); before its body starts (the dispatch path, well under
    // a millisecond) the worker holds 80 MB, billed as 128.
    let out = run_text(&app(1, 1, 1, 1000, 100, r#"plan: "Consumption","#), &[]);
    let cost = out.summary.cost.as_ref().unwrap();
    let gb_s = cost.items[0].quantity;
    assert!(
        (gb_s - 0.25).abs() < 0.25 * 0.01,
        "about 1 s x 0.25 GB: {gb_s}"
    );
    assert!(gb_s <= 0.25 * 1.01);
    // With the billed memory fixed instead, it is that memory rounded up, the whole time.
    let fixed = run_text(
        &app(
            1,
            1,
            1,
            1000,
            100,
            r#"plan: "Consumption", plan_overrides: Plan(price: Price(billed_memory_mb: 1536)),"#,
        ),
        &[],
    );
    let fixed_gb_s = fixed.summary.cost.as_ref().unwrap().items[0].quantity;
    assert!(
        (fixed_gb_s / gb_s - 6.0).abs() < 0.1,
        "{fixed_gb_s} vs {gb_s}"
    );
}

#[test]
fn memory_draws_follow_the_arrivals_so_a_what_if_keeps_them() {
    // The same invocations hold the same memory whatever the host: with 1 thread or 8, the
    // time-weighted memory of the work differs, but the peak of a run where the invocations
    // never overlap (1 thread) is the largest single draw over the rest level.
    let text = app(
        1,
        1,
        20,
        10,
        0,
        "memory: Memory(host_mb: 0, worker_base_mb: 0),",
    )
    .replace("Constant(0)", "Lognormal(100, 0.5)");
    let one = run_text(&text, &[]);
    let again = run_text(&text, &[]);
    assert_eq!(one.summary.memory, again.summary.memory, "deterministic");
    let eight = run_text(&text, &["host.threads=8"]);
    let (p1, p8) = (
        one.summary.memory.as_ref().unwrap().peak_mb,
        eight.summary.memory.as_ref().unwrap().peak_mb,
    );
    assert!(p8 > 3.0 * p1, "8 at once hold about 8 draws: {p8} vs {p1}");
}

#[test]
fn a_run_without_memory_settings_or_a_plan_reports_none() {
    let out = run_text(
        &app(1, 1, 1, 10, 0, "").replace("memory_mb: Constant(0),", ""),
        &[],
    );
    assert!(out.summary.memory.is_none());
    assert!(out.summary.worker_restarts.is_none());
}

#[test]
fn memory_oom_shows_the_kills_its_comment_promises_and_the_fix() {
    // experiments/memory_oom.ron's header quotes these figures.
    let out = run("memory_oom", &[]);
    let m = out.summary.memory.as_ref().unwrap();
    assert_eq!(m.oom_kills, 52);
    assert_eq!(
        out.summary.invocations.failed.total(),
        1,
        "all but one message served in the end"
    );
    let tries = out.summary.executions.as_ref().unwrap();
    assert_eq!(tries.failed.oom, 99);
    assert_eq!(m.peak_mb.round(), 4024.0);
    let one = run("memory_oom", &["host.processes=1", "host.threads=6"]);
    let m1 = one.summary.memory.as_ref().unwrap();
    assert_eq!(m1.oom_kills, 0);
    assert_eq!(m1.peak_mb.round(), 3253.0);
    assert!(one.summary.latency_ms.p99 < 0.1 * out.summary.latency_ms.p99);
}
