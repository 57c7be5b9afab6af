//! Sweeps: grid and zip expansion, bad axes, a sweep over the limit, byte-identical files
//! whatever `--jobs`, shards merged into the single machine's files, `--resume` after an
//! interruption, derived seeds, confidence intervals, and the example's figures.

mod common;
use common::*;
use sim::analysis::stats::{t975, MeanCi};
use sim::config::{parse_sweep, Sweep};
use sim::kernel::rng::replication_seed;
use std::path::Path;

/// A small sweep: 2 x 2 grid and a zip of 2, 2 replications = 16 short runs.
const SMALL: &str = r#"Experiment(
    name: "sw",
    seed: 5,
    host: Host(processes: 1, threads: 1),
    functions: [FunctionUse(
        function: Inline(Function(name: "api", kind: Sync,
            body: [Cpu(Exponential(2.0)), BlockingIo(Exponential(20.0))])),
        workload: Poisson(rate_per_s: 30.0, duration_s: 5.0),
    )],
    output: Output(timeseries_interval_ms: 1000.0),
    sweep: Sweep(
        grid: [
            Axis(path: "host.processes", values: [1, 2]),
            Axis(path: "host.threads", values: [1, 4]),
        ],
        zip: [
            Axis(path: "functions.0.function.body.0.0", values: [2.0, 10.0]),
            Axis(path: "functions.0.workload.rate_per_s", values: [30, 20]),
        ],
        replications: 2,
    ),
)
"#;

fn sweep_of(text: &str) -> Result<Sweep, String> {
    parse_sweep(text, &root().join("experiments/sw.ron"), &[])
        .map(|s| s.expect("a sweep block"))
        .map_err(|e| e.to_string())
}

fn fixture(name: &str, text: &str) -> std::path::PathBuf {
    let d = temp_dir(name);
    std::fs::write(d.join("sw.ron"), text).unwrap();
    d
}

/// `sim sweep sw.ron --out OUT ARGS` in `dir`; panics unless it exits 0.
fn sweep_ok(dir: &Path, out: &str, args: &[&str]) -> String {
    let mut all = vec!["sweep", "sw.ron", "--out", out, "--quiet"];
    all.extend(args);
    let r = sim_in(dir, &all);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    r.stdout
}

const FILES: [&str; 3] = ["sweep.csv", "sweep_summary.csv", "sweep_summary.json"];

fn same_files(a: &Path, b: &Path) {
    for f in FILES {
        assert_eq!(bytes(&a.join(f)), bytes(&b.join(f)), "{f} differs");
    }
}

#[test]
fn grid_and_zip_expand_to_every_combination() {
    let s = sweep_of(SMALL).unwrap();
    assert_eq!(s.configs.len(), 8, "2 x 2 x zip of 2");
    assert_eq!(s.runs(), 16);
    assert_eq!(s.run(5), (2, 1));
    let b = &s.block;
    // The zip varies fastest, then the last grid axis.
    assert_eq!(b.values(0), ["1", "1", "2", "30"]);
    assert_eq!(b.values(1), ["1", "1", "10", "20"]);
    assert_eq!(b.values(2), ["1", "4", "2", "30"]);
    assert_eq!(b.values(7), ["2", "4", "10", "20"]);
    let c7 = &s.configs[7];
    assert_eq!((c7.host.processes, c7.host.threads), (2, 4));
    // A grid alone: 3 x 2.
    let grid = SMALL
        .replace("values: [1, 2]", "values: [1, 2, 3]")
        .replace(
            "zip: [\n            Axis(path: \"functions.0.function.body.0.0\", values: [2.0, 10.0]),\n            Axis(path: \"functions.0.workload.rate_per_s\", values: [30, 20]),\n        ],",
            "",
        );
    assert_eq!(sweep_of(&grid).unwrap().configs.len(), 6);
}

#[test]
fn an_unknown_path_lists_the_valid_fields() {
    let bad = SMALL.replace("\"host.threads\"", "\"host.thread\"");
    let err = sweep_of(&bad).unwrap_err();
    assert!(err.contains("sweep.grid[1]"), "{err}");
    assert!(err.contains("has no field `thread`"), "{err}");
    assert!(
        err.contains("valid fields:") && err.contains("threads"),
        "{err}"
    );
    assert_eq!(
        err.matches("has no field").count(),
        1,
        "once, not per configuration: {err}"
    );
}

#[test]
fn bad_axes_are_named_with_their_place() {
    let unequal = SMALL.replace("values: [30, 20]", "values: [30, 20, 10]");
    let err = sweep_of(&unequal).unwrap_err();
    assert!(err.contains("sweep.zip[1].values"), "{err}");
    assert!(err.contains("as many values as sweep.zip[0]"), "{err}");
    assert!(err.contains("sw.ron:"), "a place in the file: {err}");
    let empty = SMALL.replace("values: [1, 4]", "values: []");
    let err = sweep_of(&empty).unwrap_err();
    assert!(
        err.contains("sweep.grid[1].values") && err.contains("1..=1000"),
        "{err}"
    );
    let bad_value = SMALL.replace("values: [1, 4]", "values: [1, 0]");
    let err = sweep_of(&bad_value).unwrap_err();
    assert!(
        err.contains("configuration 2") && err.contains("host.threads=0"),
        "{err}"
    );
    let seed = SMALL.replace("\"host.processes\"", "\"seed\"");
    let err = sweep_of(&seed).unwrap_err();
    assert!(
        err.contains("sweep.grid[0].path") && err.contains("replications"),
        "{err}"
    );
}

#[test]
fn a_sweep_over_the_limit_asks_for_yes() {
    let values: Vec<String> = (1..=40).map(|v| v.to_string()).collect();
    let big = SMALL.replace(
        "values: [1, 4]",
        &format!("values: [{}]", values.join(", ")),
    );
    let big = big.replace("replications: 2", "replications: 32");
    let d = fixture("sweep-limit", &big);
    let r = sim_in(&d, &["sweep", "sw.ron", "--out", "out"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.contains("5120 runs") && r.stderr.contains("--yes"),
        "{}",
        r.stderr
    );
    assert!(!d.join("out").exists(), "nothing started");
}

#[test]
fn the_files_are_the_same_bytes_whatever_jobs_and_sharding() {
    let d = fixture("sweep-jobs", SMALL);
    let report = sweep_ok(&d, "one", &["--jobs", "1"]);
    assert!(report.is_empty(), "--quiet prints nothing");
    sweep_ok(&d, "two", &["--jobs", "2"]);
    same_files(&d.join("one"), &d.join("two"));
    sweep_ok(&d, "s0", &["--shard", "0/2"]);
    sweep_ok(&d, "s1", &["--shard", "1/2", "--jobs", "1"]);
    assert!(
        !d.join("s0/sweep_summary.csv").exists(),
        "a shard has no summary"
    );
    let r = sim_in(&d, &["merge", "merged", "s1", "s0"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    same_files(&d.join("one"), &d.join("merged"));
    let rows = std::fs::read_to_string(d.join("one/sweep.csv")).unwrap();
    assert_eq!(rows.lines().count(), 17, "a header and 16 runs");
}

#[test]
fn merge_refuses_missing_or_foreign_shards() {
    let d = fixture("sweep-merge", SMALL);
    sweep_ok(&d, "s0", &["--shard", "0/2"]);
    let r = sim_in(&d, &["merge", "m", "s0"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("missing: 1/2"), "{}", r.stderr);
    sweep_ok(&d, "other", &["--shard", "1/2", "--seed", "9"]);
    let r = sim_in(&d, &["merge", "m", "s0", "other"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("another sweep"), "{}", r.stderr);
    let r = sim_in(&d, &["merge", "m", "s0", "s0"]);
    assert!(r.stderr.contains("given twice"), "{}", r.stderr);
    assert!(!d.join("m").exists(), "nothing written");
}

/// The journal an interrupted sweep leaves: its first line, the header, `rows` of the full
/// sweep.csv in a finishing order, and half a line.
fn interrupted(full: &Path, out: &Path, rows: &[usize], edit: impl Fn(&str) -> String) {
    let manifest: serde_json::Value =
        serde_json::from_slice(&bytes(&full.join("manifest.json"))).unwrap();
    let hash = manifest["sweep"]["hash"].as_str().unwrap();
    let csv = std::fs::read_to_string(full.join("sweep.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    let mut j = format!("# sim sweep journal: experiment sw, sweep {hash}, 16 runs, shard 0/1\n");
    j.push_str(lines[0]);
    j.push('\n');
    for &r in rows {
        j.push_str(&edit(lines[r + 1]));
        j.push('\n');
    }
    j.push_str(&lines[3][..10]);
    std::fs::create_dir_all(out).unwrap();
    std::fs::write(out.join("sweep.partial.csv"), j).unwrap();
}

#[test]
fn resume_runs_only_the_rest_and_gives_the_same_bytes() {
    let d = fixture("sweep-resume", SMALL);
    sweep_ok(&d, "full", &[]);
    let full = d.join("full");
    interrupted(&full, &d.join("again"), &[7, 0, 12, 1], |l| l.to_string());
    let r = sim_in(&d, &["sweep", "sw.ron", "--out", "again"]);
    assert_eq!(r.code, Some(2), "a journal with rows needs --resume");
    assert!(r.stderr.contains("--resume"), "{}", r.stderr);
    let out = sweep_ok(&d, "again", &["--resume", "--jobs", "2"]);
    assert!(out.is_empty());
    same_files(&full, &d.join("again"));
    assert!(
        !d.join("again/sweep.partial.csv").exists(),
        "the journal is gone"
    );
    // The kept rows are not run again: a row changed in the journal stays changed.
    interrupted(&full, &d.join("marked"), &[7], |l| {
        let mut cols: Vec<&str> = l.split(',').collect();
        cols[8] = "999999";
        cols.join(",")
    });
    let r = sim_in(&d, &["sweep", "sw.ron", "--out", "marked", "--resume"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout
            .contains("resumed: 1 finished runs kept from the journal, 15 run now"),
        "{}",
        r.stdout
    );
    let csv = std::fs::read_to_string(d.join("marked/sweep.csv")).unwrap();
    assert!(csv.lines().nth(8).unwrap().contains(",999999,"), "{csv}");
}

#[test]
fn replications_have_their_own_seeds_the_same_in_every_configuration() {
    let seeds: Vec<u64> = (0..4).map(|r| replication_seed(5, r)).collect();
    let mut distinct = seeds.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 4, "{seeds:?}");
    assert!(!seeds.contains(&5));
    // Stable across versions and machines: these numbers are in published sweep.csv files.
    assert_eq!(replication_seed(1, 0), 14439147264037076);
    assert_eq!(replication_seed(1, 1), 5367365410004752753);
    let d = fixture("sweep-seeds", SMALL);
    sweep_ok(&d, "out", &[]);
    let csv = std::fs::read_to_string(d.join("out/sweep.csv")).unwrap();
    for line in csv.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        let r: u32 = cols[2].parse().unwrap();
        assert_eq!(cols[3], replication_seed(5, r).to_string(), "{line}");
    }
}

#[test]
fn confidence_intervals_match_hand_computations() {
    // 1, 2, 3, 4: mean 2.5, s = sqrt(5/3) = 1.290994, s/sqrt(4) = 0.645497, t(3) = 3.182446:
    // 3.182446 x 0.645497 = 2.054260.
    let ci = MeanCi::of(&[1.0, 2.0, 3.0, 4.0]).unwrap();
    assert_eq!(ci.mean, 2.5);
    assert!((ci.ci95.unwrap() - 2.054260).abs() < 1e-5, "{ci:?}");
    assert!((ci.low.unwrap() - 0.445740).abs() < 1e-5);
    // 10, 12: s = sqrt(2), s/sqrt(2) = 1, t(1) = 12.706205.
    let ci = MeanCi::of(&[10.0, 12.0]).unwrap();
    assert!((ci.ci95.unwrap() - 12.706205).abs() < 1e-6);
    // One replication: a mean, no interval.
    let one = MeanCi::of(&[7.0]).unwrap();
    assert_eq!((one.mean, one.ci95, one.low), (7.0, None, None));
    assert!(MeanCi::of(&[]).is_none());
    assert!((t975(4) - 2.776445).abs() < 1e-6 && (t975(30) - 2.042272).abs() < 1e-6);
}

#[test]
fn the_example_header_shows_its_figures() {
    let d = temp_dir("sweep-example");
    let file = root().join("experiments/sweep_threads.ron");
    let r = sim_in(
        &d,
        &["sweep", file.to_str().unwrap(), "--out", "out", "--quiet"],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let text = std::fs::read_to_string(&file).unwrap();
    let summary = std::fs::read_to_string(d.join("out/sweep_summary.csv")).unwrap();
    let mut lines = summary.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).unwrap();
    for line in lines {
        let c: Vec<&str> = line.split(',').collect();
        let f = |name: &str| c[col(name)].parse::<f64>().unwrap();
        let kind = if c[col("functions.0.function.body.0.0")] == "1" {
            "io "
        } else {
            "cpu"
        };
        let want = format!(
            "//   {kind}  {} x {}   p50 {:.0} ± {:.0} ms, p99 {:.0} ± {:.0} ms",
            c[1],
            c[2],
            f("p50_ms_mean"),
            f("p50_ms_ci95"),
            f("p99_ms_mean"),
            f("p99_ms_ci95")
        );
        assert!(
            text.contains(&want),
            "the header lacks\n{want}\n(rerun the sweep and copy its figures)"
        );
    }
}

#[test]
fn keep_runs_writes_each_runs_folder_and_the_same_sweep_files() {
    let d = fixture("sweep-keep", SMALL);
    sweep_ok(&d, "plain", &[]);
    sweep_ok(&d, "kept", &["--keep-runs", "--no-invocations"]);
    same_files(&d.join("plain"), &d.join("kept"));
    for i in [0, 15] {
        let run = d.join(format!("kept/run-{i:06}"));
        assert!(run.join("summary.json").is_file() && run.join("manifest.json").is_file());
        assert!(!run.join("invocations.csv").exists(), "--no-invocations");
    }
    // Run again without the flag: the run folders go, the sweep's files stay the same.
    sweep_ok(&d, "kept", &[]);
    assert!(!d.join("kept/run-000000").exists());
    same_files(&d.join("plain"), &d.join("kept"));
}

#[test]
fn an_axis_given_twice_or_a_grid_past_a_million_configurations_is_refused() {
    // Found by the fuzzer: a grid axis duplicated a thousand times made the count of
    // configurations overflow to 0, and the sweep "finished" with no runs.
    let twice = SMALL.replace(
        "Axis(path: \"host.threads\", values: [1, 4]),",
        "Axis(path: \"host.threads\", values: [1, 4]),\n            Axis(path: \"host.threads\", values: [2]),",
    );
    let err = sweep_of(&twice).unwrap_err();
    assert!(
        err.contains("sweep.grid[2].path") && err.contains("also the path of sweep.grid[0]")
            || err.contains("also the path of sweep.grid[1]"),
        "{err}"
    );
    let values: Vec<String> = (1..=1000).map(|v| v.to_string()).collect();
    let wide = |path: &str| format!("Axis(path: \"{path}\", values: [{}]),", values.join(", "));
    let big = SMALL.replace(
        "Axis(path: \"host.threads\", values: [1, 4]),",
        &[
            wide("host.threads"),
            wide("host.cores"),
            wide("seed_unused"),
        ]
        .join("\n"),
    );
    let big = big.replace("seed_unused", "functions.0.workload.duration_s");
    let err = sweep_of(&big).unwrap_err();
    assert!(
        err.contains("configurations is too many") && err.contains("1000000"),
        "{err}"
    );
}
