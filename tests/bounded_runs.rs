//! Bounded by construction: before time starts sim estimates a run's size and refuses one
//! above the limits unless `--yes`; while it runs, a memory budget stops a run whose backlog
//! would exhaust the machine; an overloaded host is named in the report.

mod common;

use sim::preflight::estimate;
use std::process::{Command, Output};

fn experiment(workload: &str, body: &str, output: &str) -> String {
    format!(
        r#"Experiment(
    name: "bounded",
    host: Host(cores: 2.0, processes: 1, threads: 4),
    functions: [FunctionUse(
        function: Inline(Function(name: "f", kind: Sync, body: [{body}])),
        workload: {workload},
    )],
    output: Output({output}),
)
"#
    )
}

fn sim(dir: &std::path::Path, text: &str, extra: &[&str]) -> Output {
    let file = dir.join("exp.ron");
    std::fs::write(&file, text).unwrap();
    Command::new(env!("CARGO_BIN_EXE_sim"))
        .current_dir(dir)
        .args(["run", file.to_str().unwrap(), "--out", "out", "--quiet"])
        .args(extra)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn huge_runs_are_refused_before_they_start_with_the_estimate_and_the_flag() {
    let dir = common::temp_dir("bounded-refused");
    let io = "BlockingIo(Constant(10.0))";
    let cases = [
        ("burst", experiment("Burst(n: 1000000000)", io, ""), "memory about"),
        (
            "poisson",
            experiment("Poisson(rate_per_s: 1e9, duration_s: 1e6)", io, ""),
            "wall time about",
        ),
        (
            "closed loop",
            experiment(
                "ClosedLoop(clients: 1000000, think: Constant(0.0), requests_per_client: 1000000000000)",
                io,
                "",
            ),
            "wall time about",
        ),
        (
            "tiny interval",
            experiment("Burst(n: 10)", "BlockingIo(Constant(100000.0))", "timeseries_interval_ms: 0.001"),
            "output files about",
        ),
    ];
    for (what, text, limit) in cases {
        let run = sim(&dir, &text, &[]);
        let err = stderr(&run);
        assert_eq!(run.status.code(), Some(2), "{what}: {err}");
        assert!(
            err.contains("too big to start without --yes"),
            "{what}: {err}"
        );
        assert!(err.contains("estimate: "), "{what}: {err}");
        assert!(err.contains(limit), "{what}: {err}");
        assert!(!dir.join("out").exists(), "{what}: nothing written");
    }
}

#[test]
fn the_memory_budget_stops_a_runaway_backlog_and_keeps_the_previous_outputs() {
    let dir = common::temp_dir("bounded-budget");
    let small = experiment("Burst(n: 10)", "BlockingIo(Constant(10.0))", "");
    assert_eq!(sim(&dir, &small, &[]).status.code(), Some(0));
    let before = std::fs::read(dir.join("out/summary.json")).unwrap();
    // 300,000 requests at once on 4 threads: the backlog alone passes a 0.05 GiB budget.
    let big = experiment("Burst(n: 300000)", "BlockingIo(Constant(10.0))", "");
    let run = sim(&dir, &big, &["--yes", "--max-memory-gib", "0.05"]);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(err.contains("memory budget of 51 MiB"), "{err}");
    assert!(
        err.contains(
            "invocations with 0 tasks (gather branches, executor calls) are in the system"
        ),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(std::fs::read(dir.join("out/summary.json")).unwrap(), before);
}

#[test]
fn the_max_memory_flag_rejects_a_nonsense_size() {
    let dir = common::temp_dir("bounded-flag");
    let small = experiment("Burst(n: 1)", "BlockingIo(Constant(1.0))", "");
    for bad in ["0", "-1", "NaN", "lots"] {
        let run = sim(&dir, &small, &[&format!("--max-memory-gib={bad}")]);
        assert_eq!(run.status.code(), Some(2), "{bad}");
        assert!(
            stderr(&run).contains("between 0.01 and 65536"),
            "{}",
            stderr(&run)
        );
    }
}

#[test]
fn the_estimate_is_within_a_factor_of_two_of_the_run() {
    let cases: [(&str, &[&str]); 6] = [
        ("io_bound", &[]),
        ("cpu_bound", &[]),
        ("mixed", &[]),
        ("async_pitfalls", &[]),
        (
            "io_bound",
            &["host.processes=2", "functions.0.workload.n=500"],
        ),
        ("mixed", &["functions.0.workload.rate_per_s=400"]),
    ];
    for (name, sets) in cases {
        let exp = common::experiment(name, sets);
        let e = estimate(&exp);
        let out = sim::runner::run_experiment(&exp).expect("the experiment builds");
        let within = |est: f64, actual: f64| est / actual < 2.0 && actual / est < 2.0;
        let events = out.summary.events as f64;
        assert!(
            within(e.events, events),
            "{name} {sets:?}: {} vs {events} events",
            e.events
        );
        let sim_s = out.summary.sim_end_ms / 1e3;
        assert!(
            within(e.sim_s, sim_s),
            "{name} {sets:?}: {} vs {sim_s} s",
            e.sim_s
        );
        let arrived = out.summary.invocations.arrived as f64;
        let spread = 5.0 * e.arrivals.sqrt() + 1.0; // Poisson counts: 5 standard deviations
        assert!(
            (e.arrivals - arrived).abs() <= spread,
            "{name} {sets:?}: {} vs {arrived}",
            e.arrivals
        );
    }
}

#[test]
fn an_overloaded_host_is_named_with_its_capacity() {
    let fine = common::run("mixed", &[]);
    let c = fine
        .summary
        .capacity
        .as_ref()
        .expect("Poisson load has a capacity");
    assert!(!c.overloaded, "{c:?}");
    let text = report_of(&fine.summary);
    assert!(!text.contains("warning"), "{text}");

    let over = common::run(
        "mixed",
        &[
            "functions.0.workload.rate_per_s=2000",
            "functions.0.workload.duration_s=5",
        ],
    );
    let c = over.summary.capacity.as_ref().unwrap();
    assert!(c.overloaded && c.max_per_s < 2000.0, "{c:?}");
    // The bound is a bound: the run served no more than the capacity.
    assert!(
        over.summary.throughput_per_s <= c.max_per_s * 1.01,
        "{} > {c:?}",
        over.summary.throughput_per_s
    );
    let text = report_of(&over.summary);
    assert!(
        text.contains("warning: the offered load, 2000.0/s, exceeds"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "at most {:.1}/s (limited by {})",
            c.max_per_s, c.limited_by
        )),
        "{text}"
    );
}

fn report_of(summary: &sim::metrics::summary::RunSummary) -> String {
    let header = sim::output::report::Header {
        description: "",
        changed_by: None,
        host_line: "",
    };
    sim::output::report::summary_text(summary, &header)
}

#[test]
fn wide_gathers_count_their_tasks_in_the_estimate() {
    // Each of the 100,000 branches costs the loop its task start: 100 invocations keep the
    // loop busy for minutes, and their tasks need memory.
    let text = r#"Experiment(name: "wide", host: Host(cores: 2.0, processes: 1, threads: 4),
        functions: [FunctionUse(function: Inline(Function(name: "f", kind: Async,
            body: [GatherN(100000, [AwaitIo(Constant(1.0))])])), workload: Burst(n: 100))])"#;
    let exp = sim::config::parse_experiment(text, std::path::Path::new("wide.ron"), &[]).unwrap();
    let e = estimate(&exp);
    assert!(e.sim_s > 100.0, "{e:?}");
    assert!(e.memory_bytes > 100.0 * 100_000.0 * 40.0, "{e:?}");
}

/// `sim run` of a 5 s Poisson load under a scale block deciding every `interval_s`, in a folder
/// of its own: its exit code and stderr; nothing may be written.
fn deciding_every(folder: &str, interval_s: &str) -> (Option<i32>, String) {
    let dir = common::temp_dir(folder);
    let text = experiment(
        "Poisson(rate_per_s: 10.0, duration_s: 5.0)",
        "Cpu(Constant(1.0))",
        "",
    )
    .replace(
        "    output: Output(),\n",
        &format!("    output: Output(),\n    scale: Scale(decision_interval_s: {interval_s}, min_instances: 1),\n"),
    );
    assert!(text.contains("decision_interval_s"), "{text}");
    let out = sim(&dir, &text, &[]);
    assert!(!dir.join("out").exists(), "nothing written");
    (out.status.code(), stderr(&out))
}

#[test]
fn a_scale_controller_deciding_every_nanosecond_is_refused_before_it_starts() {
    // Found by the fuzzer: each decision is an event and an entry of summary.json's decision
    // list, so a 1 ns interval over a few seconds would exhaust memory; the estimate counts
    // the decisions and names the setting to change.
    let (code, err) = deciding_every("bounded-decisions", "1e-9");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("scale decisions") && err.contains("scale.decision_interval_s"),
        "{err}"
    );
}

#[test]
fn a_microsecond_decision_interval_is_refused_for_its_files() {
    // Found by the fuzzer: 5 million decisions fit the memory estimate, but summary.json's
    // decision list and scaling.csv would be gigabytes (and summary.json, built as one string,
    // exhausted a 4 GiB address space). The files are now streamed and the estimate counts
    // each decision's ~600 bytes of files.
    let (code, err) = deciding_every("bounded-decision-files", "1e-6");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("output files about") && err.contains("scale.decision_interval_s"),
        "{err}"
    );
}

#[test]
fn an_event_hubs_app_is_estimated_in_batches() {
    // experiments/event_hubs_stream.ron: about 120,000 events in batches of up to 100, so
    // about 1,200 invocations (it runs 1,289: not every batch is full), not 120,000.
    let exp = common::experiment("event_hubs_stream", &[]);
    let e = estimate(&exp);
    assert!(
        (1_000.0..1_500.0).contains(&e.arrivals),
        "{} invocations",
        e.arrivals
    );
    let out = sim::runner::run_experiment(&exp).expect("the experiment builds");
    let events = out.summary.events as f64;
    assert!(
        e.events / events < 2.0 && events / e.events < 2.0,
        "{} vs {events} events",
        e.events
    );
}
