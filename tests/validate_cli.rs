//! `sim validate DIR` end to end: the score lines agree with the table, `--json` writes the
//! table and the score, and impossible case files are refused as bad input (exit 2, the file,
//! case and field named, no panic) before anything is simulated.

mod common;

use common::Run;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Runs `sim validate DIR EXTRA...`.
fn validate(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["validate", dir.to_str().expect("a UTF-8 path")];
    args.extend_from_slice(extra);
    common::sim_in(&common::root(), &args)
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn write_json(path: &Path, v: &Value) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, serde_json::to_string_pretty(v).unwrap()).unwrap();
}

/// The shared ground truth, or `None` outside CI when it is not beside the repository.
fn ground_truth() -> Option<PathBuf> {
    let dir = common::root().join("../shared/ground-truth");
    if dir.join("cases.json").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have ../shared/ground-truth beside the repository"
    );
    eprintln!("skipped: {} not found", dir.display());
    None
}

/// A folder with two ground-truth cases (a CPU burst and a gather), one of them changed so
/// that its makespan misses and 3 invocations are on the wrong process.
fn two_case_dir(gt: &Path, name: &str) -> PathBuf {
    const CASES: [&str; 2] = ["burst8_sync_cpu_P1_T1", "burst10_gather_P1"];
    let dir = common::temp_dir(name);
    let cases = read_json(&gt.join("cases.json"));
    let picked: Vec<Value> = cases["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| CASES.contains(&c["name"].as_str().unwrap()))
        .cloned()
        .collect();
    assert_eq!(picked.len(), 2, "both cases are in the ground truth");
    write_json(&dir.join("cases.json"), &json!({ "cases": picked }));
    let all = read_json(&gt.join("measured.json"));
    let mut measured = json!({"machine": all["machine"], "measured": {}});
    for case in CASES {
        measured["measured"][case] = all["measured"][case].clone();
        let csv = format!("invocations/{case}.csv");
        std::fs::create_dir_all(dir.join("invocations")).unwrap();
        std::fs::copy(gt.join(&csv), dir.join(&csv)).unwrap();
    }
    let m = &mut measured["measured"]["burst8_sync_cpu_P1_T1"];
    for key in ["median", "min", "max"] {
        m["makespan_ms"][key] = json!(2.0 * m["makespan_ms"][key].as_f64().unwrap());
    }
    m["per_process_counts"]["reps"][0] = json!({"0": 5, "1": 3});
    write_json(&dir.join("measured.json"), &measured);
    dir
}

/// One row of the printed table.
struct Row {
    metric: String,
    simulated: f64,
    error: f64,
    pass: bool,
}

/// The table's rows (between the header and the score lines).
fn table_rows(stdout: &str) -> Vec<Row> {
    stdout
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("score:"))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let pass = *f.last().unwrap() == "ok";
            let error = if f[1] == "per_process_counts" {
                f[4].parse().unwrap()
            } else {
                f[4].trim_end_matches('%').parse().unwrap()
            };
            Row {
                metric: f[1].to_string(),
                simulated: f[3].parse().unwrap(),
                error,
                pass,
            }
        })
        .collect()
}

/// The first number after `prefix` in `line`.
fn number_after(line: &str, prefix: &str) -> f64 {
    let rest = &line[line
        .find(prefix)
        .unwrap_or_else(|| panic!("{prefix:?} in {line}"))
        + prefix.len()..];
    let text: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    text.parse()
        .unwrap_or_else(|_| panic!("a number after {prefix:?} in {line}"))
}

/// The score line of `metric`.
fn score_line<'a>(stdout: &'a str, metric: &str) -> &'a str {
    let label = format!("score: {metric} ");
    stdout
        .lines()
        .find(|l| l.starts_with(&label))
        .unwrap_or_else(|| panic!("a score line for {metric}:\n{stdout}"))
}

#[test]
fn the_score_lines_agree_with_the_table() {
    let Some(gt) = ground_truth() else { return };
    let dir = two_case_dir(&gt, "validate-score");
    let run = validate(&dir, &[]);
    assert_eq!(
        run.code,
        Some(1),
        "a miss exits 1:\n{}{}",
        run.stdout,
        run.stderr
    );
    let rows = table_rows(&run.stdout);
    assert_eq!(rows.len(), 12, "2 cases x 6 checks:\n{}", run.stdout);
    let passed = rows.iter().filter(|r| r.pass).count();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        *lines.last().unwrap(),
        format!("12 checks, {passed} passed, {} missed", 12 - passed),
        "the last line stays last"
    );
    let total = lines
        .iter()
        .find(|l| l.starts_with("score: ") && l.contains("checks passed"))
        .expect("a total score line");
    assert!(
        total.starts_with(&format!("score: {passed} of 12 checks passed (")),
        "{total}"
    );
    let percent = number_after(total, "(");
    assert!(
        (percent - 100.0 * passed as f64 / 12.0).abs() < 0.006,
        "{total}"
    );
    for metric in [
        "makespan_ms",
        "lat_mean_ms",
        "lat_p50_ms",
        "lat_p99_ms",
        "max_concurrency",
    ] {
        let of: Vec<&Row> = rows.iter().filter(|r| r.metric == metric).collect();
        let misses = of.iter().filter(|r| !r.pass).count();
        let mean = of.iter().map(|r| r.error.abs()).sum::<f64>() / of.len() as f64;
        let line = score_line(&run.stdout, metric);
        // The table prints errors to 0.1%, the score to 0.01%.
        assert!(
            (number_after(line, "|error|") - mean).abs() <= 0.05 + 1e-9,
            "{line}"
        );
        assert!(
            line.ends_with(&format!("{misses} of {} missed", of.len())),
            "{line}"
        );
    }
    assert!(score_line(&run.stdout, "makespan_ms").ends_with("1 of 2 missed"));
    let counts = score_line(&run.stdout, "per_process_counts");
    let off: f64 = rows
        .iter()
        .filter(|r| r.metric == "per_process_counts")
        .map(|r| r.error)
        .sum();
    assert_eq!(off, 6.0, "{}", run.stdout);
    assert!(
        counts.contains("3 invocations misplaced (6 off), 1 of 2 missed"),
        "{counts}"
    );
}

#[test]
fn json_holds_the_checks_and_the_score() {
    let Some(gt) = ground_truth() else { return };
    let dir = two_case_dir(&gt, "validate-json");
    let file = dir.join("report.json");
    let run = validate(&dir, &["--json", file.to_str().unwrap()]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let report = read_json(&file);
    let checks = report["checks"].as_array().expect("a checks list");
    assert_eq!(checks.len(), table_rows(&run.stdout).len());
    for key in [
        "case",
        "metric",
        "measured",
        "range",
        "simulated",
        "error",
        "pass",
    ] {
        assert!(
            checks[0].get(key).is_some(),
            "checks carry {key}: {}",
            checks[0]
        );
    }
    let score = &report["score"];
    let passed = checks.iter().filter(|c| c["pass"] == json!(true)).count();
    assert_eq!(score["checks"], json!(checks.len()));
    assert_eq!(score["passed"], json!(passed));
    assert_eq!(score["missed"], json!(checks.len() - passed));
    assert_eq!(score["metrics"]["makespan_ms"]["misses"], json!(1));
    assert_eq!(score["per_process_counts"]["misplaced"], json!(3));
    assert_eq!(score["per_process_counts"]["off"], json!(6));
    // The score line prints the JSON's numbers.
    let pct = score["metrics"]["lat_mean_ms"]["mean_abs_error_pct"]
        .as_f64()
        .unwrap();
    let line = score_line(&run.stdout, "lat_mean_ms");
    assert!(line.contains(&format!("{pct:.2}%")), "{pct} in {line}");

    let stdout = validate(&dir, &["--json", "-"]);
    assert_eq!(stdout.code, Some(1), "{}", stdout.stderr);
    let printed: Value = serde_json::from_str(&stdout.stdout).expect("stdout is only JSON");
    assert_eq!(printed, report, "--json - prints what --json FILE writes");
}

/// A valid one-case folder, changed by `edit` (on the case and on measured.json's machine).
fn tiny_dir(name: &str, edit: impl FnOnce(&mut Value, &mut Value)) -> PathBuf {
    let dir = common::temp_dir(name);
    let mut case = json!({
        "name": "tiny", "P": 1, "T": 1, "python_version": "3.11",
        "arrival": {"type": "burst", "n": 2},
        "body": {"kind": "sync_io", "d_ms": 10}
    });
    let mut machine = json!({"cpu_count": 2, "switchinterval_s": 0.005});
    edit(&mut case, &mut machine);
    write_json(&dir.join("cases.json"), &json!({ "cases": [case] }));
    let stat = |v: f64| json!({"median": v, "min": v, "max": v, "reps": [v]});
    let measured = json!({"machine": machine, "measured": {"tiny": {
        "makespan_ms": stat(20.3), "lat_mean_ms": stat(15.2), "lat_p50_ms": stat(15.2),
        "lat_p99_ms": stat(20.2), "max_concurrency": stat(1.0),
        "per_process_counts": {"reps": [{"0": 2}]}
    }}});
    write_json(&dir.join("measured.json"), &measured);
    dir
}

#[test]
fn the_tiny_folder_itself_is_valid() {
    let run = validate(&tiny_dir("validate-tiny", |_, _| {}), &[]);
    assert!(matches!(run.code, Some(0 | 1)), "{}", run.stderr);
    assert!(run.stdout.contains("score: "), "{}", run.stdout);
}

/// Each impossible value: (what it edits, the value, the file and field the error names).
fn impossible() -> Vec<(&'static str, Value, &'static str, &'static str)> {
    vec![
        (
            "machine.switchinterval_s",
            json!(0),
            "measured.json",
            "switchinterval_s",
        ),
        (
            "machine.switchinterval_s",
            json!(-0.005),
            "measured.json",
            "switchinterval_s",
        ),
        (
            "machine.switchinterval_s",
            json!("fast"),
            "measured.json",
            "switchinterval_s",
        ),
        ("machine.cpu_count", json!(0), "measured.json", "cpu_count"),
        (
            "machine.cpu_count",
            json!("two"),
            "measured.json",
            "cpu_count",
        ),
        ("P", json!(0), "cases.json", "P"),
        ("P", Value::Null, "cases.json", "P"),
        ("T", json!(0), "cases.json", "T"),
        ("T", json!(-1), "cases.json", "T"),
        (
            "body",
            json!({"kind": "gather", "k": 0, "d_ms": 1}),
            "cases.json",
            "body.k",
        ),
        (
            "body",
            json!({"kind": "gather", "k": 100_000, "d_ms": 1}),
            "cases.json",
            "body.k",
        ),
        (
            "body",
            json!({"kind": "sync_io", "d_ms": -1}),
            "cases.json",
            "body.d_ms",
        ),
        (
            "body",
            json!({"kind": "sync_io", "d_ms": "NaN"}),
            "cases.json",
            "body.d_ms",
        ),
        (
            "body",
            json!({"kind": "sync_io", "d_ms": 1e12}),
            "cases.json",
            "body.d_ms",
        ),
        (
            "body",
            json!({"kind": "mixed", "cpu_ms": -1, "io_ms": 1}),
            "cases.json",
            "body.cpu_ms",
        ),
        (
            "body",
            json!({"kind": "mixed", "cpu_ms": 1, "io_ms": "NaN"}),
            "cases.json",
            "body.io_ms",
        ),
        (
            "body",
            json!({"kind": "sync_sleep", "d_ms": 1}),
            "cases.json",
            "body.kind",
        ),
        (
            "arrival",
            json!({"type": "poisson", "rate_per_s": 0, "duration_s": 1}),
            "cases.json",
            "arrival.rate_per_s",
        ),
        (
            "arrival",
            json!({"type": "poisson", "rate_per_s": -5, "duration_s": 1}),
            "cases.json",
            "arrival.rate_per_s",
        ),
        (
            "arrival",
            json!({"type": "poisson", "rate_per_s": 5, "duration_s": 0}),
            "cases.json",
            "arrival.duration_s",
        ),
        (
            "arrival",
            json!({"type": "burst", "n": 0}),
            "cases.json",
            "arrival.n",
        ),
        (
            "arrival",
            json!({"type": "burst", "n": 1_000_000_000u64}),
            "cases.json",
            "arrival.n",
        ),
        (
            "arrival",
            json!({"type": "trickle", "n": 2}),
            "cases.json",
            "arrival.type",
        ),
    ]
}

#[test]
fn impossible_cases_are_bad_input_naming_file_case_and_field() {
    for (i, (key, value, file, field)) in impossible().into_iter().enumerate() {
        let dir = tiny_dir(&format!("validate-bad-{i}"), |case, machine| {
            match key.strip_prefix("machine.") {
                Some(k) => machine[k] = value.clone(),
                None => case[key] = value.clone(),
            }
        });
        let run = validate(&dir, &[]);
        let label = format!("{key} = {value}");
        assert_eq!(
            run.code,
            Some(2),
            "{label}: exit code; stderr:\n{}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("panicked"),
            "{label}: panicked:\n{}",
            run.stderr
        );
        assert!(
            run.stdout.is_empty(),
            "{label}: nothing simulated:\n{}",
            run.stdout
        );
        let err = &run.stderr;
        assert!(
            err.starts_with("error: 1 invalid value "),
            "{label}: one problem:\n{err}"
        );
        assert!(
            err.contains(&format!("{file}: ")),
            "{label}: names {file}:\n{err}"
        );
        assert!(
            err.contains(&format!("`{field}`")),
            "{label}: names {field}:\n{err}"
        );
        let place = if file == "cases.json" {
            "case tiny: "
        } else {
            "machine: "
        };
        assert!(err.contains(place), "{label}: names {place:?}:\n{err}");
        assert!(
            err.contains("is out of range") || err.contains("is not") || err.contains("is missing"),
            "{label}: says what is wrong:\n{err}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn an_empty_case_list_is_refused() {
    let dir = common::temp_dir("validate-empty");
    write_json(&dir.join("cases.json"), &json!({"cases": []}));
    write_json(
        &dir.join("measured.json"),
        &json!({"machine": {}, "measured": {}}),
    );
    let run = validate(&dir, &[]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("`cases` is empty"), "{}", run.stderr);
}

/// The simulated value of each check, in table order.
fn simulated_values(stdout: &str) -> Vec<f64> {
    table_rows(stdout).iter().map(|r| r.simulated).collect()
}

#[test]
fn several_seeds_per_recorded_repetition_compare_their_median() {
    let dir = common::root().join("notebooks/measurements/cpu-load-2026-12-04b/fit");
    let case = [
        "--only",
        "mixed15_20_P2_T6_rho70",
        "--placement",
        "home-cpu",
    ];
    let rows_one = common::temp_dir("validate-seeds-1");
    let rows_three = common::temp_dir("validate-seeds-3");
    let one = validate(
        &dir,
        &[&case[..], &["--rows", rows_one.to_str().unwrap()]].concat(),
    );
    let three = validate(
        &dir,
        &[
            &case[..],
            &[
                "--seeds-per-rep",
                "3",
                "--rows",
                rows_three.to_str().unwrap(),
            ],
        ]
        .concat(),
    );
    for run in [&one, &three] {
        assert!(matches!(run.code, Some(0 | 1)), "{}", run.stderr);
    }
    assert_eq!(
        table_rows(&three.stdout).len(),
        table_rows(&one.stdout).len(),
        "the same checks, one per recorded repetition:\n{}",
        three.stdout
    );
    assert_ne!(
        simulated_values(&one.stdout),
        simulated_values(&three.stdout),
        "three seeds per repetition move some median"
    );
    let csv = "f_poisson_mixed15_20_P2_T6_rho70.csv";
    assert_eq!(
        std::fs::read(rows_one.join(csv)).unwrap(),
        std::fs::read(rows_three.join(csv)).unwrap(),
        "--rows holds each repetition's first seed either way"
    );
    let summaries = read_json(&rows_three.join("f_poisson_mixed15_20_P2_T6_rho70.summaries.json"));
    let summaries = summaries.as_array().expect("a list of runs");
    assert_eq!(
        summaries.len(),
        3 * 3,
        "every seed of every recorded repetition"
    );
    for run in summaries {
        let lost = run["summary"]["cpu_idle_while_waiting"].as_f64();
        assert!(lost.is_some_and(|x| (0.0..1.0).contains(&x)), "{run}");
    }
    for bad in ["0", "101"] {
        let run = validate(&dir, &["--seeds-per-rep", bad]);
        assert_eq!(run.code, Some(2), "--seeds-per-rep {bad}: {}", run.stderr);
    }
}

/// The repetition labels of the rows `sim validate` wrote for burst `case` of `folder` (under
/// notebooks/measurements), one per simulated repetition.
fn burst_rows_written(folder: &str, case: &str, extra: &[&str]) -> Vec<String> {
    let dir = common::root().join("notebooks/measurements").join(folder);
    let rows = common::temp_dir("validate-burst-rows");
    let args = [
        &["--only", case, "--rows", rows.to_str().unwrap()][..],
        extra,
    ]
    .concat();
    let run = validate(&dir, &args);
    assert!(matches!(run.code, Some(0 | 1)), "{}", run.stderr);
    let csv = std::fs::read_to_string(rows.join(format!("{case}.csv"))).unwrap();
    let mut reps: Vec<String> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect();
    reps.dedup();
    reps
}

#[test]
fn rows_hold_every_simulated_repetition_of_a_burst() {
    let reps = burst_rows_written(
        "cpu-load-2026-12-04/fit",
        "e_burst12_cpu30_P2_T6",
        &["--reps", "3"],
    );
    assert_eq!(
        reps,
        ["0", "1", "2"],
        "one block of rows per simulated repetition"
    );
}

#[test]
fn a_burst_gets_as_many_runs_per_measured_repetition_as_a_poisson_repetition() {
    // Three measured repetitions: one run each by default, five each with five seeds, and
    // exactly --reps when it is given.
    let three = |extra: &[&str]| {
        burst_rows_written("cpu-load-2026-12-04/fit", "e_burst12_cpu30_P2_T6", extra).len()
    };
    assert_eq!(three(&[]), 3);
    assert_eq!(three(&["--seeds-per-rep", "5"]), 15);
    assert_eq!(three(&["--seeds-per-rep", "5", "--reps", "7"]), 7);
    // The busy-balance bursts were measured five times: five runs with one seed.
    let five = burst_rows_written(
        "busy-balance-2026-12-05/measured",
        "q_burst3_cpu600_P3_T1",
        &[],
    );
    assert_eq!(five.len(), 5);
}

#[test]
fn each_case_is_simulated_with_the_host_cpu_its_repetitions_recorded() {
    let cpu_case = |case: &mut Value, _: &mut Value| {
        case["P"] = json!(2);
        case["body"] = json!({"kind": "sync_cpu", "d_ms": 10});
        case["arrival"] = json!({"type": "burst", "n": 6});
    };
    let log = |us: Value| {
        json!({"cases": {"tiny": {"reps": [
            {"rep": 0, "kept_attempt": 0, "attempts": [{"host_cpu_us_per_invocation": us}]}
        ]}}})
    };
    let plain = tiny_dir("validate-host-plain", cpu_case);
    let busy_host = tiny_dir("validate-host-busy", cpu_case);
    write_json(&busy_host.join("harness_log.json"), &log(json!(5000.0)));
    let (a, b) = (validate(&plain, &[]), validate(&busy_host, &[]));
    for run in [&a, &b] {
        assert!(matches!(run.code, Some(0 | 1)), "{}", run.stderr);
    }
    let makespan = |run: &Run| table_rows(&run.stdout)[0].simulated;
    assert!(
        makespan(&b) > makespan(&a) + 2.0,
        "5 ms of host CPU per invocation on the same cores lengthens the burst: {} vs {}",
        makespan(&b),
        makespan(&a)
    );
    let broken = tiny_dir("validate-host-broken", cpu_case);
    write_json(&broken.join("harness_log.json"), &log(json!("fast")));
    let run = validate(&broken, &[]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("harness_log.json")
            && run.stderr.contains("host_cpu_us_per_invocation"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_repeat_measurement_is_judged_beside_sim_on_the_same_checks() {
    let first = tiny_dir("validate-repeat-first", |_, _| {});
    let again = tiny_dir("validate-repeat-again", |_, _| {});
    let file = again.join("measured.json");
    let mut m = read_json(&file);
    let slower = json!({"median": 20.0, "min": 20.0, "max": 20.0, "reps": [20.0]});
    m["measured"]["tiny"]["lat_mean_ms"] = slower;
    write_json(&file, &m);
    let json_file = first.join("report.json");
    let run = validate(
        &first,
        &[
            "--repeat",
            again.to_str().unwrap(),
            "--json",
            json_file.to_str().unwrap(),
        ],
    );
    assert!(matches!(run.code, Some(0 | 1)), "{}", run.stderr);
    let repeat_mean = run
        .stdout
        .lines()
        .find(|l| l.starts_with("repeat score: lat_mean_ms "))
        .unwrap_or_else(|| panic!("a repeat score line for the mean:\n{}", run.stdout));
    assert!(repeat_mean.contains("1 of 1 missed"), "{repeat_mean}");
    assert!(
        run.stdout
            .contains("repeat: on the same 6 checks sim passed"),
        "{}",
        run.stdout
    );
    let report = read_json(&json_file);
    assert_eq!(report["repeat"]["score"]["checks"], 6);
    assert_eq!(
        report["repeat"]["score"]["missed"], 1,
        "only the mean moved"
    );
    assert_eq!(report["repeat"]["sim_on_same_checks"]["checks"], 6);
}

#[test]
fn a_repeat_that_measured_none_of_the_cases_is_bad_input() {
    let first = tiny_dir("validate-repeat-none-first", |_, _| {});
    let other = tiny_dir("validate-repeat-none-other", |case, _| {
        case["name"] = json!("another");
    });
    let file = other.join("measured.json");
    let mut m = read_json(&file);
    m["measured"] = json!({"another": m["measured"]["tiny"].clone()});
    write_json(&file, &m);
    let run = validate(&first, &["--repeat", other.to_str().unwrap()]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("measured.json") && run.stderr.contains("--repeat"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_dispatch_probe_is_reported_beside_sims_where_the_harness_recorded_it() {
    let probe = |us: f64| json!({"idle_dispatch_us": us, "round_trip_us": 2.0 * us});
    let log = json!({"cases": {"tiny": {"reps": [
        {"rep": 0, "kept_attempt": 0, "attempts": [{"speed": {"dispatch_probe": probe(300.0)}}]},
        {"rep": 1, "kept_attempt": 0, "attempts": [{"speed": {"dispatch_probe": probe(500.0)}}]}
    ]}}});
    let dir = tiny_dir("validate-probe", |_, _| {});
    write_json(&dir.join("harness_log.json"), &log);
    let file = dir.join("report.json");
    let run = validate(&dir, &["--json", file.to_str().unwrap()]);
    assert!(matches!(run.code, Some(0 | 1)), "{}", run.stderr);
    let reports = read_json(&file)["dispatch_probe"].clone();
    assert_eq!(
        reports.as_array().map(Vec::len),
        Some(1),
        "one style: {reports}"
    );
    let report = &reports[0];
    assert_eq!(report["style"], json!("def"));
    assert_eq!(report["repetitions"], json!(2));
    assert_eq!(
        report["machine_us"],
        json!(400.0),
        "the median of 300 and 500"
    );
    let (sim_us, scale) = (
        report["sim_us"].as_f64().unwrap(),
        report["idle_exit_scale"].as_f64().unwrap(),
    );
    assert!(sim_us > 0.0 && (0.0..=8.0).contains(&scale), "{report}");
    let line = format!(
        "dispatch probe, def: the machine 400.0 us (median of 2 repetitions), sim {sim_us:.1} us"
    );
    assert!(run.stdout.contains(&line), "{line} in:\n{}", run.stdout);

    let other = validate(&dir, &["--json", "-", "--only", "elsewhere"]);
    assert_eq!(other.code, Some(2), "no case matches: {}", other.stderr);
    let plain = tiny_dir("validate-probe-none", |_, _| {});
    let plain_file = plain.join("report.json");
    let run = validate(&plain, &["--json", plain_file.to_str().unwrap()]);
    assert!(matches!(run.code, Some(0 | 1)), "{}", run.stderr);
    assert!(
        read_json(&plain_file).get("dispatch_probe").is_none(),
        "no probe, no field"
    );
    assert!(!run.stdout.contains("dispatch probe"), "{}", run.stdout);
}
