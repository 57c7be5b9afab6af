//! End-to-end checks of how the `sim` binary treats bad input.
//!
//! The contract: bad input gets one clear error naming the file, `line:col` where possible,
//! the field and the allowed range; the exit code is 2; sim never panics; nothing is
//! half-written, and a previous outputs folder survives a failed run. Each test writes its
//! fixtures into a fresh temporary folder and runs the real binary, because exit codes,
//! stderr and the files left on disk are exactly what a user sees.
//!
//! Each test asserts the behaviour a user needs; none is ignored.

use std::path::{Path, PathBuf};
mod common;
use common::{sim_in as sim, Run};

// More tests, by theme, in tests/bad_input/ (a crate root finds modules beside itself).
#[path = "bad_input/bounds.rs"]
mod bounds;
#[path = "bad_input/compare.rs"]
mod compare;
#[path = "bad_input/curves.rs"]
mod curves;
#[path = "bad_input/encodings.rs"]
mod encodings;
#[path = "bad_input/names.rs"]
mod names;
#[path = "bad_input/numbers.rs"]
mod numbers;
#[path = "bad_input/outputs.rs"]
mod outputs;
#[path = "bad_input/overrides.rs"]
mod overrides;
#[path = "bad_input/ranges.rs"]
mod ranges;
#[path = "bad_input/scale.rs"]
mod scale;
#[path = "bad_input/schema.rs"]
mod schema;
#[path = "bad_input/triggers.rs"]
mod triggers;
#[path = "bad_input/validate_args.rs"]
mod validate_args;

/// A fresh temporary folder for one test, removed when the test ends.
struct Fixture {
    dir: PathBuf,
}

impl Fixture {
    fn new(name: &str) -> Fixture {
        let dir = std::env::temp_dir().join(format!("sim-bad-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Fixture { dir }
    }

    /// Writes `text` to `rel` (creating folders) and returns the full path.
    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Names of the entries of `dir`.
    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `sim check FILE`.
fn check(fx: &Fixture, file: &Path) -> Run {
    sim(&fx.dir, &["check", file.to_str().unwrap()])
}

/// Asserts the run failed as bad input (exit 2, one error, no panic) and returns stderr.
fn input_error(run: &Run) -> &str {
    assert_eq!(run.code, Some(2), "exit code; stderr:\n{}", run.stderr);
    assert!(
        !run.stderr.contains("panicked"),
        "sim panicked:\n{}",
        run.stderr
    );
    assert!(run.stderr.starts_with("error: "), "stderr:\n{}", run.stderr);
    assert_eq!(
        run.stderr.matches("error: ").count(),
        1,
        "the error is printed once:\n{}",
        run.stderr
    );
    &run.stderr
}

/// An experiment file: `host` is the inside of `Host(..)`, on line 3; function `i` is on
/// line 5 + i.
fn experiment(name: &str, host: &str, functions: &[String]) -> String {
    let mut s =
        format!("Experiment(\n    name: \"{name}\",\n    host: Host({host}),\n    functions: [\n");
    for f in functions {
        s.push_str("        ");
        s.push_str(f);
        s.push('\n');
    }
    s.push_str("    ],\n)\n");
    s
}

/// One `FunctionUse` with an inline definition, on one line.
fn inline(name: &str, kind: &str, body: &str, workload: &str) -> String {
    format!("FunctionUse(function: Inline(Function(name: \"{name}\", kind: {kind}, body: [{body}])), workload: {workload}),")
}

/// A valid function: 1 ms of Python CPU, 5 invocations at once.
fn ok_function() -> String {
    inline("f", "Sync", "Cpu(Constant(1.0))", "Burst(n: 5)")
}

/// A sync function `f` with `body` and `workload`.
fn sync_fn(body: &str, workload: &str) -> String {
    inline("f", "Sync", body, workload)
}

/// Writes `models/<name>.ron`, a sync function `name` of 1 ms (after `prefix`, e.g. a BOM),
/// and returns a `FunctionUse` of it for an experiment in `experiments/`.
fn profile(fx: &Fixture, name: &str, prefix: &str) -> String {
    let body =
        format!("{prefix}Function(name: \"{name}\", kind: Sync, body: [Cpu(Constant(1.0))])\n");
    fx.write(&format!("models/{name}.ron"), &body);
    format!("FunctionUse(function: Profile(\"../models/{name}.ron\"), workload: Burst(n: 1)),")
}

/// `sim check FILE --set SPEC...`.
fn check_set(fx: &Fixture, file: &Path, sets: &[&str]) -> Run {
    let mut args = vec!["check", file.to_str().unwrap()];
    for spec in sets {
        args.extend(["--set", spec]);
    }
    sim(&fx.dir, &args)
}

/// `line:col` (1-based) of the first `needle` on line `line` of `text`.
fn loc(text: &str, line: usize, needle: &str) -> String {
    let l = text.lines().nth(line - 1).unwrap();
    let col = l
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not on line {line}: {l:?}"))
        + 1;
    format!("{line}:{col}")
}

/// The error line about `field`, trimmed.
fn line_about<'a>(stderr: &'a str, field: &str) -> &'a str {
    stderr
        .lines()
        .map(str::trim)
        .find(|l| l.contains(&format!("`{field}`")))
        .unwrap_or_else(|| panic!("no problem names `{field}`:\n{stderr}"))
}

/// The error line about `field`, which must start with `file:` (and a location if given).
fn problem_line<'a>(stderr: &'a str, file: &Path, field: &str) -> &'a str {
    let line = line_about(stderr, field);
    assert!(
        line.trim_start()
            .starts_with(&format!("{}:", file.display())),
        "names the file: {line}"
    );
    line
}

// ---- malformed RON ---------------------------------------------------------------------

#[test]
fn a_stray_token_reports_file_line_col_and_what_was_expected() {
    let fx = Fixture::new("stray");
    let text = experiment("stray", "cores: 1.0 processes: 1", &[ok_function()]);
    let file = fx.write("stray.ron", &text);
    let run = check(&fx, &file);
    let err = input_error(&run);
    // ron points at the token where the comma should have been.
    let at = loc(&text, 3, "processes");
    assert!(
        err.contains(&format!("{}:{at}: Expected comma", file.display())),
        "{err}"
    );
}

#[test]
fn a_missing_closing_paren_says_a_paren_was_expected() {
    let fx = Fixture::new("paren");
    let text = experiment(
        "paren",
        "",
        &[inline("f", "Sync", "Cpu(Constant(1.0)", "Burst(n: 1)")],
    );
    let file = fx.write("paren.ron", &text);
    let run = check(&fx, &file);
    let err = input_error(&run);
    assert!(err.contains(&format!("{}:5:", file.display())), "{err}");
    assert!(err.contains("Expected closing `)`"), "{err}");
}

#[test]
fn an_unclosed_host_paren_lists_the_fields_expected_instead() {
    let fx = Fixture::new("host-paren");
    let text = "Experiment(\n    name: \"x\",\n    host: Host(cores: 1.0,\n    functions: [],\n)\n";
    let file = fx.write("x.ron", text);
    let run = check(&fx, &file);
    let err = input_error(&run);
    assert!(err.contains(&format!("{}:4:", file.display())), "{err}");
    assert!(
        err.contains("expected one of") && err.contains("`processes`"),
        "{err}"
    );
}

#[test]
fn a_file_ending_before_its_closing_paren_says_what_is_missing() {
    let fx = Fixture::new("eof");
    let text = experiment("eof", "", &[ok_function()]);
    let text = text.trim_end().trim_end_matches(')');
    let file = fx.write("eof.ron", text);
    let run = check(&fx, &file);
    let err = input_error(&run);
    assert!(err.contains(&format!("{}:", file.display())), "{err}");
    assert!(
        err.contains("`)`") || err.contains("closing"),
        "says a `)` is missing: {err}"
    );
}

// ---- unknown fields ----------------------------------------------------------------------

#[test]
fn an_unknown_field_is_named_with_the_valid_ones() {
    let fx = Fixture::new("unknown");
    let text = experiment("unknown", "cores: 1.0, procesess: 2", &[ok_function()]);
    let file = fx.write("unknown.ron", &text);
    let run = check(&fx, &file);
    let err = input_error(&run);
    assert!(err.contains(&format!("{}:3:", file.display())), "{err}");
    assert!(err.contains("`procesess`"), "{err}");
    for valid in [
        "`cores`",
        "`processes`",
        "`threads`",
        "`python`",
        "`dispatch`",
    ] {
        assert!(err.contains(valid), "lists {valid}: {err}");
    }
}

// ---- values too large to simulate --------------------------------------------------------

#[test]
fn an_absurdly_long_step_is_rejected_instead_of_panicking() {
    let fx = Fixture::new("huge-step");
    let text = experiment(
        "huge",
        "",
        &[inline(
            "f",
            "Sync",
            "BlockingIo(Constant(1e300))",
            "Burst(n: 1)",
        )],
    );
    let file = fx.write("huge.ron", &text);
    let out = fx.dir.join("out");
    let run = sim(
        &fx.dir,
        &[
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ],
    );
    problem_line(input_error(&run), &file, "functions[0].function.body[0]");
    assert!(!out.exists());
}

#[test]
fn an_absurdly_late_burst_is_rejected() {
    let fx = Fixture::new("late-burst");
    let text = experiment(
        "late",
        "",
        &[inline(
            "f",
            "Sync",
            "Cpu(Constant(1.0))",
            "Burst(n: 1, at_ms: 1e300)",
        )],
    );
    let file = fx.write("late.ron", &text);
    let run = check(&fx, &file);
    problem_line(input_error(&run), &file, "functions[0].workload.at_ms");
}

#[test]
fn nested_gathers_count_against_the_step_budget() {
    let fx = Fixture::new("nested");
    let body = "GatherN(1100, [GatherN(1000, [AwaitIo(Constant(1.0))])])";
    let text = experiment("nested", "", &[inline("f", "Async", body, "Burst(n: 1)")]);
    let file = fx.write("nested.ron", &text);
    let run = check(&fx, &file);
    let err = input_error(&run);
    assert!(err.contains("1,000,000 steps"), "{err}");
}

// ---- semantic errors ---------------------------------------------------------------------

#[test]
fn await_io_in_a_sync_function_is_rejected_with_a_hint() {
    let fx = Fixture::new("await");
    let text = experiment(
        "await",
        "",
        &[inline("f", "Sync", "AwaitIo(Constant(5.0))", "Burst(n: 1)")],
    );
    let file = fx.write("await.ron", &text);
    let run = check(&fx, &file);
    let line = problem_line(input_error(&run), &file, "functions[0].function.body[0]");
    assert!(line.contains("AwaitIo"), "{line}");
    assert!(
        line.contains("Async") && line.contains("BlockingIo"),
        "hints at kind: Async or BlockingIo: {line}"
    );
}

// ---- missing and broken files ------------------------------------------------------------

#[test]
fn a_missing_profile_names_its_path() {
    let fx = Fixture::new("nope");
    let text = experiment(
        "nope",
        "",
        &[
            "FunctionUse(function: Profile(\"../models/nope.ron\"), workload: Burst(n: 1)),"
                .to_string(),
        ],
    );
    let file = fx.write("experiments/nope.ron", &text);
    let run = check(&fx, &file);
    let err = input_error(&run);
    assert!(
        err.contains("`functions[0].function`") && err.contains("does not"),
        "{err}"
    );
    assert!(err.contains("models/nope.ron"), "{err}");
}

#[test]
fn a_missing_experiment_file_names_its_path() {
    let fx = Fixture::new("no-exp");
    let run = sim(&fx.dir, &["check", "absent.ron"]);
    let err = input_error(&run);
    assert!(err.contains("cannot read absent.ron"), "{err}");
}

#[test]
fn a_broken_replay_row_names_the_csv_and_its_line() {
    let fx = Fixture::new("replay");
    let csv = fx.write("arrivals.csv", "arrival_ms\n1.0\n2.5\nabc\n4\n");
    let text = experiment(
        "replay",
        "",
        &[inline(
            "f",
            "Sync",
            "Cpu(Constant(1.0))",
            "Replay(path: \"arrivals.csv\")",
        )],
    );
    let file = fx.write("replay.ron", &text);
    let run = check(&fx, &file);
    let err = input_error(&run);
    // Line 1 is the header, so "abc" is on line 4.
    assert!(err.contains(&format!("{}:4:", csv.display())), "{err}");
    assert!(
        err.contains("arrival_ms") && err.contains("\"abc\"") && err.contains("not a number"),
        "{err}"
    );
}

// ---- --set overrides ---------------------------------------------------------------------

#[test]
fn set_with_an_unknown_path_lists_the_valid_fields() {
    let fx = Fixture::new("set-path");
    let file = fx.write("ok.ron", &experiment("ok", "", &[ok_function()]));
    let out = fx.dir.join("out");
    for command in ["check", "run"] {
        let mut args = vec![command, file.to_str().unwrap(), "--set", "host.nope=3"];
        if command == "run" {
            args.extend(["--out", out.to_str().unwrap()]);
        }
        let run = sim(&fx.dir, &args);
        let err = input_error(&run);
        assert!(
            err.contains("--set host.nope=3") && err.contains("no field `nope`"),
            "{err}"
        );
        assert!(
            err.contains("processes") && err.contains("threads") && err.contains("cores"),
            "{err}"
        );
    }
    assert!(!out.exists(), "a failed run writes nothing");
}

#[test]
fn set_with_a_value_of_the_wrong_type_exits_2() {
    let fx = Fixture::new("set-type");
    let file = fx.write("ok.ron", &experiment("ok", "", &[ok_function()]));
    let out = fx.dir.join("out");
    let run = sim(
        &fx.dir,
        &[
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--set",
            "host.processes=abc",
        ],
    );
    let err = input_error(&run);
    assert!(
        err.contains("--set host.processes=abc") && err.contains("\"abc\""),
        "{err}"
    );
    assert!(!out.exists(), "a failed run writes nothing");
}

#[test]
fn an_out_of_range_set_value_is_blamed_on_the_override() {
    let fx = Fixture::new("set-range");
    let text = experiment("ok", "processes: 1", &[ok_function()]);
    let file = fx.write("ok.ron", &text);
    let run = sim(
        &fx.dir,
        &["check", file.to_str().unwrap(), "--set", "host.processes=0"],
    );
    let err = input_error(&run);
    let line = err
        .lines()
        .find(|l| l.contains("`host.processes`"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.trim_start().starts_with("--set host.processes=0:"),
        "says the value came from --set: {line}"
    );
    assert!(
        !line.contains(&loc(&text, 3, "processes")),
        "does not point at `processes: 1`: {line}"
    );
}

/// A file of the shared hostile-input collection (`../shared/reliability/hostile/`).
fn hostile(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reliability/hostile")
        .join(name)
}

#[test]
fn a_failure_chance_outside_0_to_1_or_nan_is_refused_with_field_place_and_range() {
    for (case, value) in [("above", "1.5"), ("below", "-0.1"), ("nan", "NaN")] {
        let fx = Fixture::new(&format!("fails-{case}"));
        let function = sync_fn("Cpu(Constant(1.0))", "Burst(n: 5)");
        let function = format!("{}, fails: {value}),", function.trim_end_matches("),"));
        let text = experiment("fails", "", &[function]);
        let file = fx.write("fails.ron", &text);
        let run = check(&fx, &file);
        let line = problem_line(input_error(&run), &file, "functions[0].fails");
        assert!(
            line.contains(&format!(
                ":{}: `functions[0].fails` = {value}",
                loc(&text, 5, "fails:")
            )),
            "{case}: the line:col of the field and its value: {line}"
        );
        assert!(
            line.contains("0 <= probability <= 1"),
            "{case}: the allowed range: {line}"
        );
    }
}
