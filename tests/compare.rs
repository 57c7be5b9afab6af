//! The compare block: one experiment per variant with the experiment's seed (common random
//! numbers: the same arrivals and durations), compare.csv with a row per variant in file order,
//! the same bytes whatever the number of threads, and the previous outputs kept when a
//! comparison fails or was killed.

mod common;
use common::*;
use sim::config::{parse_comparison, Comparison};
use sim::runner::run_experiment;
use std::path::Path;
use std::process::{Command, Output};

/// A small compare experiment: an HTTP API under a ramp, on three plans.
const SMALL: &str = r#"Experiment(
    name: "cmp",
    seed: 3,
    host: Host(processes: 1, threads: 4),
    functions: [FunctionUse(
        function: Inline(Function(name: "api", kind: Sync,
            body: [Cpu(Exponential(5.0)), BlockingIo(Lognormal(50.0, 0.5))])),
        workload: RateCurve(points: [(0.0, 10.0), (20.0, 60.0), (40.0, 10.0)]),
        trigger: Http(),
    )],
    scale: Scale(mode: Http(max_step: 4), decision_interval_s: 1, targets: Targets(http: 4)),
    plan: "EP1",
    output: Output(timeseries_interval_ms: 1000.0),
    compare: Compare(
        variants: [
            Variant(name: "EP1", set: ["plan=EP1"]),
            Variant(name: "cons", set: ["plan=Consumption", "host.threads=8"]),
            Variant(name: "EP2", set: ["plan=EP2", "host.processes=2"]),
        ],
        slo: Slo(p99_ms: 200.0),
    ),
)
"#;

fn comparison(text: &str, sets: &[&str]) -> Comparison {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    parse_comparison(text, &root().join("experiments/cmp.ron"), &sets)
        .unwrap_or_else(|e| panic!("{e}"))
        .expect("a compare block")
}

/// `sim run cmp.ron --out <out> ARGS` in `dir`, with `RAYON_NUM_THREADS` = `threads`.
fn run_in(dir: &Path, out: &str, threads: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sim"))
        .current_dir(dir)
        .env("RAYON_NUM_THREADS", threads)
        .args(["run", "cmp.ron", "--out", out])
        .args(args)
        .output()
        .unwrap()
}

fn fixture(name: &str) -> std::path::PathBuf {
    let d = temp_dir(name);
    std::fs::write(d.join("cmp.ron"), SMALL).unwrap();
    d
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file under `dir` (relative path, bytes), sorted; manifests left out (they hold the
/// command line and the wall time).
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            out.extend(
                files(&p)
                    .into_iter()
                    .map(|(f, b)| (format!("{name}/{f}"), b)),
            );
        } else if name != "manifest.json" {
            out.push((name, bytes(&p)));
        }
    }
    out.sort();
    out
}

#[test]
fn each_variant_is_the_experiment_with_its_overrides_and_the_same_seed() {
    let cmp = comparison(SMALL, &["seed=9", "host.threads=6"]);
    let names: Vec<&str> = cmp.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["EP1", "cons", "EP2"]);
    let plans: Vec<&str> = cmp
        .variants
        .iter()
        .map(|v| v.experiment.plan.as_ref().unwrap().name.as_str())
        .collect();
    assert_eq!(plans, ["EP1", "Consumption", "EP2"]);
    let host = |i: usize| {
        let h = &cmp.variants[i].experiment.host;
        (h.cores, h.processes, h.threads)
    };
    // The command line's --set comes first, the variant's own after it.
    assert_eq!(host(0), (1.0, 1, 6));
    assert_eq!(host(1), (1.0, 1, 8));
    assert_eq!(host(2), (2.0, 2, 6));
    for v in &cmp.variants {
        assert_eq!(v.experiment.seed, 9, "{}", v.name);
        assert!(v.experiment.compare.is_none(), "{}", v.name);
    }
    // A compare block's slo is the objective "p99 within it, at most 1% unanswered".
    assert_eq!(cmp.objective.constraints.p99_ms, Some(200.0));
    assert_eq!(cmp.objective.constraints.unanswered_share, Some(0.01));
}

#[test]
fn every_variant_sees_the_same_arrivals_and_the_same_durations() {
    // An I/O-only body on threads enough for every request, no GIL (3.13t) to wait for when the call
    // returns, no wake-up latency: each body lasts exactly its drawn duration (plus the
    // constant timer slack) on every plan.
    let text = SMALL
        .replace(
            "body: [Cpu(Exponential(5.0)), BlockingIo(Lognormal(50.0, 0.5))]",
            "body: [BlockingIo(Lognormal(50.0, 0.5))]",
        )
        .replace(
            "threads: 4)",
            "threads: 64, python: \"3.13\", free_threaded: true, dispatch: Dispatch(sleeper_wake_max_us: 0))",
        );
    let cmp = comparison(&text, &[]);
    let runs: Vec<_> = cmp
        .variants
        .iter()
        .map(|v| run_experiment(&v.experiment).expect("builds"))
        .collect();
    let arrivals = |i: usize| -> Vec<u64> { runs[i].rows.iter().map(|r| r.arrival).collect() };
    let bodies = |i: usize| -> Vec<u64> {
        runs[i]
            .rows
            .iter()
            .map(|r| r.end.unwrap() - r.start.unwrap())
            .collect()
    };
    assert!(arrivals(0).len() > 1000, "{}", arrivals(0).len());
    for i in 1..runs.len() {
        assert_eq!(
            arrivals(0),
            arrivals(i),
            "arrivals of {}",
            cmp.variants[i].name
        );
        assert_eq!(
            bodies(0),
            bodies(i),
            "durations of {}",
            cmp.variants[i].name
        );
    }
    // The plans do differ: not the same run three times.
    let latency = |i: usize| runs[i].summary.latency_ms.p99;
    assert!(latency(0) != latency(1) || runs[0].summary.cost != runs[1].summary.cost);
}

#[test]
fn compare_csv_has_one_row_per_variant_in_file_order_and_the_table_is_printed() {
    let d = fixture("cmp-csv");
    let run = run_in(&d, "out", "2", &[]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let csv = std::fs::read_to_string(d.join("out/compare.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], sim::output::compare::CSV_HEADER);
    let names: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(names, ["EP1", "cons", "EP2"]);
    for v in ["EP1", "cons", "EP2"] {
        for f in [
            "summary.json",
            "invocations.csv",
            "timeseries.csv",
            "scaling.csv",
            "manifest.json",
        ] {
            assert!(d.join("out").join(v).join(f).is_file(), "{v}/{f}");
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out/compare.json")).unwrap())
            .unwrap();
    assert_eq!(json["variants"].as_array().unwrap().len(), 3);
    let ranking = &json["ranking"];
    assert_eq!(ranking["objective"]["constraints"]["p99_ms"], 200.0);
    let judged = ["ranked", "uncertain", "misses"]
        .iter()
        .map(|k| ranking[k].as_array().unwrap().len())
        .sum::<usize>();
    assert_eq!(judged, 3, "every variant is ranked or missing: {ranking}");
    let manifest = std::fs::read_to_string(d.join("out/manifest.json")).unwrap();
    assert!(manifest.contains("\"folders\""), "{manifest}");
    let printed = stdout(&run);
    let row = printed
        .lines()
        .find(|l| l.trim_start().starts_with("cons"))
        .unwrap();
    assert!(
        row.contains("Consumption") && row.contains("1 x 8"),
        "{printed}"
    );
    let verdict = printed
        .lines()
        .find(|l| l.starts_with("cheapest that meets") || l.starts_with("no variant meets"))
        .unwrap_or_else(|| panic!("a verdict line:\n{printed}"));
    assert!(verdict.contains("p99 <= 200 ms"), "{verdict}");
}

#[test]
fn the_files_are_the_same_bytes_on_one_thread_or_two() {
    let d = fixture("cmp-threads");
    for (out, threads) in [("one", "1"), ("two", "2")] {
        let run = run_in(&d, out, threads, &["--quiet"]);
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    }
    let (one, two) = (files(&d.join("one")), files(&d.join("two")));
    assert!(
        one.len() >= 2 + 3 * 4,
        "{:?}",
        one.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert_eq!(
        one.iter().map(|f| &f.0).collect::<Vec<_>>(),
        two.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, a), (_, b)) in one.iter().zip(&two) {
        assert!(a == b, "{name} differs between 1 and 2 threads");
    }
}

#[test]
fn a_stopped_comparison_leaves_the_previous_outputs_byte_identical() {
    let d = fixture("cmp-stopped");
    let first = run_in(&d, "out", "2", &["--quiet"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let before = files(&d.join("out"));
    std::fs::write(d.join("out/notes.txt"), "mine").unwrap();
    // A burst no variant can hold within a 0.05 GiB budget: every run stops.
    let big = [
        "--yes",
        "--max-memory-gib",
        "0.05",
        "--set",
        "functions.0.workload=Burst(n: 300000)",
    ];
    let run = run_in(&d, "out", "2", &big);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(2), "{err}");
    assert!(
        err.contains("variant \"EP1\"") && err.contains("memory budget"),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    std::fs::remove_file(d.join("out/notes.txt")).unwrap();
    assert!(
        files(&d.join("out")) == before,
        "the previous outputs changed"
    );
    let entries: Vec<_> = std::fs::read_dir(d.join("out")).unwrap().collect();
    assert_eq!(entries.len(), 3 + 3, "no staging folder left");
}

#[test]
fn a_killed_comparisons_staging_is_removed_at_the_next_start() {
    let d = fixture("cmp-killed");
    let first = run_in(&d, "out", "2", &["--quiet"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    // What a comparison killed with SIGKILL leaves: its staging folder with the variants'
    // half-written folders inside, named after a process that no longer exists.
    let stale = d.join("out/.sim-staging-4294967294");
    std::fs::create_dir_all(stale.join("EP1")).unwrap();
    std::fs::write(stale.join(".sim-staging"), "").unwrap();
    std::fs::write(stale.join("EP1/summary.json"), "half").unwrap();
    let before = files(&d.join("out"));
    let again = run_in(&d, "out", "2", &["--quiet"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(!stale.exists());
    let after: Vec<_> = files(&d.join("out"))
        .into_iter()
        .filter(|(f, _)| !f.starts_with(".sim-staging"))
        .collect();
    let before: Vec<_> = before
        .into_iter()
        .filter(|(f, _)| !f.starts_with(".sim-staging"))
        .collect();
    assert!(after == before, "the same experiment gives the same files");
}
