//! The seeds' claims (shared/seeds/) as tests: each is a behaviour a user will try first, and
//! each must come out of the model's mechanisms.

mod common;
use common::*;

/// Counts how many latencies fall in [lo, hi) ms.
fn count_in(lat: &[f64], lo: f64, hi: f64) -> usize {
    lat.iter().filter(|&&l| l >= lo && l < hi).count()
}

#[test]
fn fifty_sync_io_requests_on_one_process_of_32_threads_finish_in_two_waves() {
    let lat = latencies_ms(&run("io_bound", &[]));
    assert_eq!(count_in(&lat, 1000.0, 1100.0), 32, "{lat:?}");
    assert_eq!(count_in(&lat, 2000.0, 2100.0), 18, "{lat:?}");
}

#[test]
fn fifty_sync_io_requests_on_two_processes_of_32_threads_finish_in_one_wave() {
    let out = run("io_bound", &["host.processes=2"]);
    let lat = latencies_ms(&out);
    assert_eq!(count_in(&lat, 1000.0, 1100.0), 50, "{lat:?}");
    let per_process: Vec<u64> = out
        .summary
        .processes
        .iter()
        .map(|p| p.invocations)
        .collect();
    assert_eq!(per_process, vec![25, 25]);
}

const TEN_SLEEPS: &str = r#"Experiment(name: "ten_sleeps", host: Host(cores: 2.0, processes: 1, threads: 1),
    functions: [FunctionUse(function: Inline(Function(name: "sleep", kind: Sync,
        body: [BlockingIo(Constant(200.0))])), workload: Burst(n: 10))])"#;

#[test]
fn ten_sync_sleeps_with_one_thread_run_one_after_another() {
    let out = run_text(TEN_SLEEPS, &[]);
    assert!(
        (1990.0..2100.0).contains(&makespan_ms(&out)),
        "{}",
        makespan_ms(&out)
    );
    let mut starts: Vec<u64> = out.rows.iter().map(|r| r.start.unwrap()).collect();
    starts.sort();
    assert!(
        starts.windows(2).all(|w| w[1] - w[0] >= 200_000_000),
        "serial: {starts:?}"
    );
}

#[test]
fn ten_sync_sleeps_on_ten_processes_run_in_parallel() {
    let out = run_text(TEN_SLEEPS, &["host.processes=10"]);
    assert!(makespan_ms(&out) < 210.0, "{}", makespan_ms(&out));
    assert!(out.summary.processes.iter().all(|p| p.invocations == 1));
}

#[test]
fn cpu_bound_more_threads_are_no_faster_and_worsen_the_median() {
    let one = run("cpu_bound", &["host.threads=1"]);
    let eight = run("cpu_bound", &["host.threads=8"]);
    let (m1, m8) = (makespan_ms(&one), makespan_ms(&eight));
    assert!((m8 - m1).abs() / m1 < 0.05, "makespan T=1 {m1} vs T=8 {m8}");
    let (p1, p8) = (median(&latencies_ms(&one)), median(&latencies_ms(&eight)));
    assert!(p8 > p1 * 1.2, "median T=1 {p1} vs T=8 {p8}");
}

#[test]
fn cpu_bound_more_processes_are_faster_up_to_the_core_count() {
    let m = |p: &str| makespan_ms(&run("cpu_bound", &[p]));
    let (p1, p2, p4) = (
        m("host.processes=1"),
        m("host.processes=2"),
        m("host.processes=4"),
    );
    assert!((p2 / p1 - 0.5).abs() < 0.05, "P=1 {p1}, P=2 {p2}");
    assert!(
        (p4 / p2 - 1.0).abs() < 0.05,
        "2 cores: P=4 {p4} no better than P=2 {p2}"
    );
    let bigger = makespan_ms(&run("cpu_bound", &["host.processes=4", "host.cores=4"]));
    assert!(
        (bigger / p1 - 0.25).abs() < 0.03,
        "4 cores, P=4: {bigger} vs {p1}"
    );
}

#[test]
fn a_free_threaded_build_lets_threads_use_every_core() {
    let gil = makespan_ms(&run("cpu_bound", &["host.threads=2"]));
    let free = makespan_ms(&run(
        "cpu_bound",
        &[
            "host.threads=2",
            "host.python=3.13",
            "host.free_threaded=true",
        ],
    ));
    assert!(
        (free / gil - 0.5).abs() < 0.05,
        "GIL {gil} vs free-threaded {free}"
    );
}

#[test]
fn async_pitfalls_play_out_as_documented() {
    let out = run("async_pitfalls", &[]);
    let f = |name: &str| {
        out.summary
            .functions
            .iter()
            .find(|f| f.name == name)
            .unwrap()
            .latency_ms
            .clone()
    };
    // await overlaps: all ten take ~0.5 s.
    assert!(f("await_io").max < 510.0, "{:?}", f("await_io"));
    // time.sleep in async def: serial, the last waits ~5 s.
    assert!(
        (4990.0..5100.0).contains(&f("blocking_in_async").max),
        "{:?}",
        f("blocking_in_async")
    );
    // async def without await: serial too, ~1 s for the last.
    assert!(
        (990.0..1100.0).contains(&f("async_no_await").max),
        "{:?}",
        f("async_no_await")
    );
    // run_in_executor: 6 default-executor threads, so two waves of ~0.5 s.
    let ex = f("run_in_executor");
    assert!(
        ex.p50 < 520.0 && (990.0..1100.0).contains(&ex.max),
        "{ex:?}"
    );
    // "Look at loop blocked per function": acts 2 and 3 block the loop (10 x 0.5 s and
    // 10 x 0.1 s of the run), acts 1 and 4 do not.
    let run_s = out.summary.sim_end_ms / 1e3;
    let blocked = |name: &str| {
        let f = out.summary.functions.iter().find(|f| f.name == name);
        f.unwrap().loop_blocked * run_s
    };
    assert!((blocked("blocking_in_async") - 5.0).abs() < 0.05);
    assert!((blocked("async_no_await") - 1.0).abs() < 0.05);
    assert!(blocked("await_io") < 0.01 && blocked("run_in_executor") < 0.01);
}

#[test]
fn the_default_executor_grows_with_the_cpu_count() {
    let out = run("async_pitfalls", &["host.cpu_count=8"]);
    let ex = &out
        .summary
        .functions
        .iter()
        .find(|f| f.name == "run_in_executor")
        .unwrap()
        .latency_ms;
    assert!(
        ex.max < 520.0,
        "12 executor threads take all 10 at once: {ex:?}"
    );
}

#[test]
fn thread_pool_default_depends_on_the_python_version() {
    // 3.8 and older: 1 thread, so 50 x 1 s take 50 s.
    let old = run("io_bound", &["host.threads=null", "host.python=3.8"]);
    assert!(
        (50_000.0..50_500.0).contains(&makespan_ms(&old)),
        "{}",
        makespan_ms(&old)
    );
    // 3.9+: min(32, cpu_count + 4) = 6 on 2 cores: ceil(50 / 6) = 9 waves.
    let new = run("io_bound", &["host.threads=null", "host.python=3.11"]);
    assert!(
        (9_000.0..9_200.0).contains(&makespan_ms(&new)),
        "{}",
        makespan_ms(&new)
    );
}

#[test]
fn processes_times_threads_is_the_concurrency_of_an_instance() {
    // "4 processes x 16 threads = 64 concurrent invocations per instance."
    let exactly = run(
        "io_bound",
        &[
            "host.processes=4",
            "host.threads=16",
            "functions.0.workload.n=64",
        ],
    );
    assert!(makespan_ms(&exactly) < 1100.0);
    let one_more = run(
        "io_bound",
        &[
            "host.processes=4",
            "host.threads=16",
            "functions.0.workload.n=65",
        ],
    );
    assert!(
        makespan_ms(&one_more) > 2000.0,
        "the 65th waits for a thread"
    );
}

#[test]
fn gather_takes_as_long_as_its_slowest_branch() {
    let text = r#"Experiment(name: "g", host: Host(cores: 2.0),
        functions: [FunctionUse(function: Inline(Function(name: "g", kind: Async, body: [
            Gather([[AwaitIo(Constant(100.0))], [AwaitIo(Constant(300.0))], [AwaitIo(Constant(200.0))]])])),
            workload: Burst(n: 1))])"#;
    let lat = latencies_ms(&run_text(text, &[]))[0];
    assert!((300.0..302.0).contains(&lat), "{lat}");
}

#[test]
fn round_robin_deals_requests_blindly_starting_after_the_first_process() {
    // Azure's dispatcher increments its counter before use: invocation i goes to (i + 1) % P.
    let out = run_text(TEN_SLEEPS, &["host.processes=3"]);
    let counts: Vec<u64> = out
        .summary
        .processes
        .iter()
        .map(|p| p.invocations)
        .collect();
    assert_eq!(counts, vec![3, 4, 3]);
    assert_eq!(out.rows[0].process, Some(1));
}

#[test]
fn processes_that_are_still_starting_get_no_traffic() {
    // Processes start 10 s apart: before then everything goes to the first (host#8899).
    let out = run_text(
        TEN_SLEEPS,
        &["host.processes=4", "host.process_start_interval_s=10"],
    );
    assert!(out.rows.iter().all(|r| r.process == Some(0)));
}

#[test]
fn a_blocked_event_loop_delays_the_dispatch_of_sync_invocations_too() {
    let text = r#"Experiment(name: "b", host: Host(cores: 2.0, threads: 4), functions: [
        FunctionUse(function: Inline(Function(name: "blocker", kind: Async, body: [BlockingIo(Constant(1000.0))])),
            workload: Burst(n: 1)),
        FunctionUse(function: Inline(Function(name: "quick", kind: Sync, body: [BlockingIo(Constant(1.0))])),
            workload: Burst(n: 1, at_ms: 10.0))])"#;
    let out = run_text(text, &[]);
    let quick = out.rows.iter().find(|r| r.function == 1).unwrap();
    let lat = (quick.response.unwrap() - quick.arrival) as f64 / 1e6;
    assert!(
        (990.0..1010.0).contains(&lat),
        "the sync call waits for the loop: {lat} ms"
    );
}

#[test]
fn too_many_worker_processes_pay_for_context_switches() {
    // "Setting the number of workers too high can affect overall performance due to the
    // increased number of required context switches": 10 CPU-bound processes on 2 cores are
    // no faster than 2, and the switches are what costs.
    let two = makespan_ms(&run("cpu_bound", &["host.processes=2"]));
    let ten = makespan_ms(&run("cpu_bound", &["host.processes=10"]));
    assert!(ten > two * 0.99, "P=2 {two} ms, P=10 {ten} ms");
    let free = makespan_ms(&run(
        "cpu_bound",
        &["host.processes=10", "host.context_switch_us=0"],
    ));
    // At the measured 5.9 us a switch and slices of about 1.4 ms, the switches cost about
    // half a percent of the makespan while every woken run time-shared a busy CPU at once.
    // Since round 39 (E2) a run shorter than a slice waits for its turn instead, and is not
    // charged a preemption's switches when it is queued: about 0.2% (404.9 against 404.1 ms).
    assert!(
        ten > free * 1.001,
        "with switch costs {ten} ms, without {free} ms"
    );
}

#[test]
fn what_ifs_keep_each_invocations_durations() {
    // Common random numbers: the k-th invocation draws the same step durations whatever the
    // host, so a what-if compares configurations, not luck.
    let body_ms = |sets: &[&str]| -> Vec<u64> {
        run(
            "mixed",
            &[&["functions.0.workload.duration_s=2"], sets].concat(),
        )
        .rows
        .iter()
        .map(|r| r.arrival)
        .collect()
    };
    assert_eq!(
        body_ms(&["host.processes=1"]),
        body_ms(&["host.processes=2"]),
        "same arrivals"
    );
    let io = |sets: &[&str]| -> Vec<f64> {
        let text = r#"Experiment(name: "crn", host: Host(cores: 2.0, threads: 64), functions: [FunctionUse(
            function: Inline(Function(name: "io", kind: Sync, body: [BlockingIo(Exponential(50.0))])),
            workload: Poisson(rate_per_s: 200.0, duration_s: 2.0))])"#;
        run_text(text, sets)
            .rows
            .iter()
            .map(|r| (r.end.unwrap() - r.start.unwrap()) as f64 / 1e6)
            .collect()
    };
    let (one, two) = (io(&["host.processes=1"]), io(&["host.processes=2"]));
    assert_eq!(one.len(), two.len());
    let same = one
        .iter()
        .zip(&two)
        .filter(|(a, b)| (*a - *b).abs() < 1.0)
        .count();
    assert!(
        same as f64 > 0.95 * one.len() as f64,
        "{same} of {} bodies kept their duration",
        one.len()
    );
}

#[test]
fn every_model_profile_is_valid() {
    let mut checked = 0;
    for entry in std::fs::read_dir(root().join("models")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name == "plans.ron" {
            continue; // the plan catalogue, not a profile (checked by config::plan's tests)
        }
        let text = format!(
            r#"Experiment(name: "m", host: Host(cores: 2.0), functions: [FunctionUse(
                function: Profile("../models/{name}"), workload: Burst(n: 3))])"#
        );
        let out = run_text(&text, &[]);
        assert_eq!(out.summary.invocations.succeeded, 3, "{name}");
        checked += 1;
    }
    assert!(checked >= 8, "{checked} profiles");
}
