//! Impossible ground-truth cases, refused before anything is simulated.
//!
//! `experiment_for` turns a case into an [`crate::config::Experiment`] without the config's
//! validation, so every value it reads is checked here first, against the ranges of
//! [`crate::config::limits`] where the config has one and against the bounds below where a
//! measured case is smaller than any experiment. All problems of the folder are reported at
//! once, each with its file, case, field and allowed range ([`SimError::BadCases`], exit 2).
//! Optional fields keep the defaults `experiment_for` gives them (`T` null: Python's default;
//! `cpu_count` missing: 2; `switchinterval_s` missing: 0.005 s; `gap_ms` missing: 0;
//! `calibration.iters_per_ms` missing: the calibration machine's Python speed).

use crate::config::limits::{self, Fault, Real, Whole};
use crate::config::raw::Num;
use crate::error::{CaseProblem, Result, SimError};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// Most invocations one repetition of a case may have: a burst's or serial run's `n`, or a
/// Poisson case's expected arrivals. A real harness measures hundreds.
pub const MAX_CASE_INVOCATIONS: u64 = 1_000_000;
/// Most awaitables one repetition of a `gather` case may create (`k` x invocations).
pub const MAX_CASE_TASKS: u64 = 10_000_000;

/// `arrival.n` of a burst or serial case.
pub const CASE_N: Whole = Whole {
    min: 1,
    max: MAX_CASE_INVOCATIONS,
    note: "invocations per repetition",
};
/// `machine.cpu_count`: the config's `host.cpu_count` range.
pub const CPU_COUNT: Whole = Whole {
    min: limits::CPU_COUNT.min,
    max: limits::CPU_COUNT.max,
    note: "os.cpu_count() of the measuring machine; omit it for 2",
};
/// `body.k` of a `gather` case.
pub const GATHER_K: Whole = Whole {
    min: 1,
    max: 10_000,
    note: "awaitables in the asyncio.gather",
};
/// `machine.switchinterval_s`: the config's `host.switch_interval_ms`, in seconds.
pub const SWITCH_INTERVAL_S: Real = Real {
    min: 0.0,
    open_min: true,
    max: limits::SWITCH_INTERVAL_MS.max / 1e3,
    unit: "seconds",
    note: "sys.getswitchinterval(); CPython's default is 0.005; omit it for the default",
};
/// `machine.calibration.iters_per_ms`: how fast the measuring machine ran Python, which sets
/// the speed of the simulated dispatch path (`DispatchCosts::at_python_speed`).
pub const ITERS_PER_MS: Real = Real {
    min: 100.0,
    open_min: false,
    max: 10_000_000.0,
    unit: "iterations per ms",
    note: "measure.py's calibration loop; omit it to simulate at the calibration machine's speed",
};
/// A body duration (`d_ms`, `cpu_ms`, `io_ms`): the config's step limit, 0 allowed.
pub const BODY_MS: Real = Real {
    min: 0.0,
    open_min: false,
    max: limits::MAX_DURATION_MS,
    unit: "ms",
    note: "at most 1 day",
};

/// Every body kind `experiment_for` knows, with the duration fields it reads.
pub const BODY_KINDS: &[(&str, &[&str])] = &[
    ("sync_io", &["d_ms"]),
    ("sync_cpu", &["d_ms"]),
    ("mixed", &["cpu_ms", "io_ms"]),
    ("sync_noop", &[]),
    ("async_io", &["d_ms"]),
    ("async_blocking", &["d_ms"]),
    ("async_cpu", &["d_ms"]),
    ("async_executor", &["d_ms"]),
    ("async_noop", &[]),
    ("gather", &["d_ms"]),
];
/// Every arrival type `experiment_for` knows.
pub const ARRIVAL_TYPES: &[&str] = &["burst", "serial", "poisson"];

/// Checks the machine block and every case that will run (`only` as for `--only`); the error
/// lists every impossible value. An empty case list is refused too: it would pass unchecked.
pub fn check_cases(
    cases: &[Value],
    only: Option<&str>,
    machine: &Value,
    cases_file: &Path,
    measured_file: &Path,
) -> Result<()> {
    if cases.is_empty() {
        return Err(SimError::GroundTruth {
            path: cases_file.to_path_buf(),
            message: "`cases` is empty, so nothing would be compared: add cases, or name the \
                      folder the harness wrote"
                .into(),
        });
    }
    let mut problems = check_machine(machine, measured_file);
    problems.extend(duplicate_names(cases, cases_file));
    for (i, case) in cases.iter().enumerate() {
        let name = case["name"].as_str().unwrap_or("");
        if only.is_none_or(|o| name.contains(o)) {
            problems.extend(check_case(case, i, cases_file));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(SimError::BadCases(problems))
    }
}

/// Problems of `measured.json`'s `machine` block (cores, switch interval, Python speed).
fn check_machine(machine: &Value, file: &Path) -> Vec<CaseProblem> {
    let mut c = Collector::new(file, None);
    if !machine.is_null() && !machine.is_object() {
        c.bad(
            "machine",
            Some(machine),
            "is not an object",
            "an object such as {\"cpu_count\": 2, \"switchinterval_s\": 0.005}, or omit it",
        );
        return c.problems;
    }
    c.whole(machine, "cpu_count", &CPU_COUNT, false);
    c.real(machine, "switchinterval_s", &SWITCH_INTERVAL_S, false);
    let calibration = &machine["calibration"];
    if calibration.is_object() {
        c.real_at(
            calibration,
            "calibration",
            "iters_per_ms",
            &ITERS_PER_MS,
            false,
        );
    } else if !calibration.is_null() {
        c.bad(
            "calibration",
            Some(calibration),
            "is not an object",
            "an object such as {\"iters_per_ms\": 30000}, or omit it",
        );
    }
    c.problems
}

/// One problem per name given to more than one case (their runs would be merged).
fn duplicate_names(cases: &[Value], file: &Path) -> Vec<CaseProblem> {
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    for case in cases {
        let Some(name) = case["name"].as_str() else {
            continue;
        };
        if !name.is_empty() && !seen.insert(name) {
            let mut c = Collector::new(file, Some(name.to_string()));
            c.bad(
                "name",
                Some(&case["name"]),
                "is given to more than one case",
                "a name unique in cases.json (it names invocations/<name>.csv and the table's rows)",
            );
            problems.extend(c.problems);
        }
    }
    problems
}

/// Problems of case `index` of `cases.json`.
fn check_case(case: &Value, index: usize, file: &Path) -> Vec<CaseProblem> {
    let name = case["name"].as_str().filter(|n| !n.is_empty());
    let label = name.map_or_else(|| format!("cases[{index}]"), str::to_string);
    let mut c = Collector::new(file, Some(label));
    if !case.is_object() {
        c.bad(
            "",
            Some(case),
            "is not an object",
            "{\"name\": .., \"P\": .., \"T\": .., \"arrival\": {..}, \"body\": {..}}",
        );
        return c.problems;
    }
    if name.is_none() {
        let value = case.get("name");
        c.bad(
            "name",
            value,
            missing_or("is not a name", value),
            "a non-empty string",
        );
    }
    c.whole(case, "P", &limits::PROCESSES, true);
    c.whole(case, "T", &limits::THREADS, false);
    check_python(&mut c, &case["python_version"]);
    let k = check_body(&mut c, &case["body"]);
    let invocations = check_arrival(&mut c, &case["arrival"]);
    if let (Some(k), Some(n)) = (k, invocations) {
        if k as f64 * n > MAX_CASE_TASKS as f64 {
            c.bad(
                "body.k",
                Some(&case["body"]["k"]),
                &format!(
                    "makes {} awaitables per repetition with the arrivals",
                    (k as f64 * n).round()
                ),
                &format!(
                    "k x invocations at most {MAX_CASE_TASKS}: a smaller k or fewer invocations"
                ),
            );
        }
    }
    c.problems
}

/// `python_version`: optional, "3.6" .. "3.14" (what `experiment_for` reads as a minor version).
fn check_python(c: &mut Collector, v: &Value) {
    if v.is_null() {
        return;
    }
    let minor = v
        .as_str()
        .and_then(|s| s.strip_prefix("3."))
        .and_then(|m| m.parse::<u32>().ok());
    if !minor.is_some_and(|m| (6..=14).contains(&m)) {
        c.bad(
            "python_version",
            Some(v),
            "is not a Python version sim models",
            "\"3.6\" .. \"3.14\" (free-threaded builds are not compared), or omit it for \"3.11\"",
        );
    }
}

/// `body`: a known kind with its durations; returns a `gather`'s width when it is valid.
fn check_body(c: &mut Collector, body: &Value) -> Option<u64> {
    let kinds: Vec<&str> = BODY_KINDS.iter().map(|(k, _)| *k).collect();
    let kind = c.one_of(body, "body", "kind", &kinds)?;
    let (_, fields) = BODY_KINDS.iter().find(|(k, _)| *k == kind)?;
    for field in *fields {
        c.real_at(body, "body", field, &BODY_MS, true);
    }
    if kind == "gather" {
        c.whole_at(body, "body", "k", &GATHER_K, true)
    } else {
        None
    }
}

/// `arrival`: a known type with its parameters; returns the invocations per repetition (a
/// Poisson case's expected count) when they are valid.
fn check_arrival(c: &mut Collector, arrival: &Value) -> Option<f64> {
    match c.one_of(arrival, "arrival", "type", ARRIVAL_TYPES)? {
        "burst" => c
            .whole_at(arrival, "arrival", "n", &CASE_N, true)
            .map(|n| n as f64),
        "serial" => {
            c.real_at(arrival, "arrival", "gap_ms", &limits::THINK_MS, false);
            c.whole_at(arrival, "arrival", "n", &CASE_N, true)
                .map(|n| n as f64)
        }
        _ => {
            let rate = c.real_at(arrival, "arrival", "rate_per_s", &limits::RATE_PER_S, true);
            let duration = c.real_at(arrival, "arrival", "duration_s", &limits::DURATION_S, true);
            let expected = rate? * duration?;
            if expected > MAX_CASE_INVOCATIONS as f64 {
                c.bad(
                    "arrival.rate_per_s",
                    Some(&arrival["rate_per_s"]),
                    &format!(
                        "x duration_s = {} expected arrivals per repetition",
                        expected.round()
                    ),
                    &format!(
                        "at most {MAX_CASE_INVOCATIONS}: a lower rate or a shorter duration_s"
                    ),
                );
                return None;
            }
            Some(expected)
        }
    }
}

/// "is missing" when `v` is absent or null, else `what`.
fn missing_or<'a>(what: &'a str, v: Option<&Value>) -> &'a str {
    if v.is_none_or(Value::is_null) {
        "is missing"
    } else {
        what
    }
}

/// A JSON value as the config's number type: JSON integers are `Int`, other numbers `Float`,
/// strings are kept as text (cases.json numbers are never strings).
fn num(v: &Value) -> Num {
    match v {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .map_or_else(|| Num::Float(n.as_f64().unwrap_or(f64::NAN)), Num::Int),
        Value::Bool(b) => Num::Bool(*b),
        Value::String(s) => Num::Text(s.clone()),
        other => Num::Text(other.to_string()),
    }
}

/// A value as the message shows it: as written in the JSON (long values cut short).
fn shown(v: &Value) -> String {
    const LONGEST: usize = 60;
    let text = v.to_string();
    match text.char_indices().nth(LONGEST) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

/// Collects the problems of one case (or of the machine block).
struct Collector<'a> {
    file: &'a Path,
    case: Option<String>,
    problems: Vec<CaseProblem>,
}

impl<'a> Collector<'a> {
    fn new(file: &'a Path, case: Option<String>) -> Self {
        Collector {
            file,
            case,
            problems: Vec::new(),
        }
    }

    fn bad(&mut self, field: &str, value: Option<&Value>, what: &str, allowed: &str) {
        self.problems.push(CaseProblem {
            file: self.file.to_path_buf(),
            case: self.case.clone(),
            field: field.to_string(),
            value: value.filter(|v| !v.is_null()).map(shown),
            what: what.to_string(),
            allowed: allowed.to_string(),
        });
    }

    /// A whole number `parent[key]` (shown as `key`), `None` when missing and optional.
    fn whole(&mut self, parent: &Value, key: &str, limit: &Whole, required: bool) -> Option<u64> {
        self.whole_at(parent, "", key, limit, required)
    }

    /// A whole number `parent[key]`, shown as `prefix.key`. JSON fractions (`2.0`) are refused
    /// because `experiment_for` reads whole numbers as integers.
    fn whole_at(
        &mut self,
        parent: &Value,
        prefix: &str,
        key: &str,
        limit: &Whole,
        required: bool,
    ) -> Option<u64> {
        let v = &parent[key];
        let (result, allowed) = match v {
            Value::Null => return self.missing(prefix, key, required, &limit.to_string()),
            Value::Number(n) if n.is_f64() => (
                Err(Fault::NotWhole),
                format!("{limit}; write it without a fraction or exponent"),
            ),
            _ => (limit.check(&num(v)), limit.to_string()),
        };
        self.fault(prefix, key, v, result, &allowed)
    }

    /// A real number `parent[key]` (shown as `key`), `None` when missing and optional.
    fn real(&mut self, parent: &Value, key: &str, limit: &Real, required: bool) -> Option<f64> {
        self.real_at(parent, "", key, limit, required)
    }

    /// A real number `parent[key]`, shown as `prefix.key`.
    fn real_at(
        &mut self,
        parent: &Value,
        prefix: &str,
        key: &str,
        limit: &Real,
        required: bool,
    ) -> Option<f64> {
        let v = &parent[key];
        if v.is_null() {
            return self.missing(prefix, key, required, &limit.to_string());
        }
        let result = limit.check(&num(v));
        self.fault(prefix, key, v, result, &limit.to_string())
    }

    /// One of `allowed` at `parent[key]`, shown as `prefix.key`.
    fn one_of(
        &mut self,
        parent: &Value,
        prefix: &str,
        key: &str,
        allowed: &[&'static str],
    ) -> Option<&'static str> {
        let v = &parent[key];
        let found = v.as_str().and_then(|s| allowed.iter().find(|a| **a == s));
        if found.is_none() {
            let what = missing_or("is not known", Some(v));
            self.bad(
                &join(prefix, key),
                Some(v),
                what,
                &format!("one of {}", allowed.join(", ")),
            );
        }
        found.copied()
    }

    fn missing<T>(&mut self, prefix: &str, key: &str, required: bool, allowed: &str) -> Option<T> {
        if required {
            self.bad(&join(prefix, key), None, "is missing", allowed);
        }
        None
    }

    fn fault<T>(
        &mut self,
        prefix: &str,
        key: &str,
        v: &Value,
        result: std::result::Result<T, Fault>,
        allowed: &str,
    ) -> Option<T> {
        result
            .map_err(|fault| self.bad(&join(prefix, key), Some(v), fault.what(), allowed))
            .ok()
    }
}

/// `prefix.key`, or `key` alone.
fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::PathBuf;

    fn problems(case: Value) -> Vec<CaseProblem> {
        check_case(&case, 0, Path::new("cases.json"))
    }

    fn fields(case: Value) -> Vec<String> {
        problems(case).into_iter().map(|p| p.field).collect()
    }

    fn ok_case() -> Value {
        json!({"name": "c", "P": 1, "T": 2, "arrival": {"type": "burst", "n": 4},
               "body": {"kind": "sync_io", "d_ms": 10}, "python_version": "3.11"})
    }

    #[test]
    fn a_valid_case_has_no_problem() {
        assert!(problems(ok_case()).is_empty(), "{:?}", problems(ok_case()));
    }

    #[test]
    fn every_known_kind_and_arrival_builds_an_experiment() {
        let machine = json!({"cpu_count": 2, "switchinterval_s": 0.005});
        for (kind, durations) in BODY_KINDS {
            let mut body = json!({"kind": kind, "k": 3});
            for d in *durations {
                body[*d] = json!(5);
            }
            for arrival in [
                json!({"type": "burst", "n": 3}),
                json!({"type": "serial", "n": 3, "gap_ms": 1}),
                json!({"type": "poisson", "rate_per_s": 10, "duration_s": 1}),
            ] {
                let mut case = ok_case();
                case["body"] = body.clone();
                case["arrival"] = arrival;
                assert!(problems(case.clone()).is_empty(), "{case}");
                let exp = super::super::cases::experiment_for(
                    &case,
                    &machine,
                    1,
                    None,
                    &PathBuf::from("cases.json"),
                );
                assert!(exp.is_ok(), "{case}");
            }
        }
    }

    #[test]
    fn impossible_values_name_their_field() {
        let mut case = ok_case();
        case["P"] = json!(0);
        case["T"] = json!(-1);
        case["body"]["d_ms"] = json!(-5);
        case["arrival"]["n"] = json!(0);
        assert_eq!(fields(case), ["P", "T", "body.d_ms", "arrival.n"]);
    }

    #[test]
    fn wrong_types_are_not_numbers() {
        let mut case = ok_case();
        case["P"] = json!(2.0);
        case["body"]["d_ms"] = json!("NaN");
        let found = problems(case);
        assert_eq!(found[0].what, "is not a whole number");
        assert_eq!(found[1].what, "is not a number");
        assert_eq!(found[1].value.as_deref(), Some("\"NaN\""));
    }

    #[test]
    fn huge_gathers_and_rates_are_refused() {
        let mut case = ok_case();
        case["body"] = json!({"kind": "gather", "k": 10_001, "d_ms": 1});
        assert_eq!(fields(case.clone()), ["body.k"]);
        case["body"]["k"] = json!(10_000);
        case["arrival"]["n"] = json!(1001);
        assert_eq!(fields(case.clone()), ["body.k"]);
        case["arrival"] = json!({"type": "poisson", "rate_per_s": 1e6, "duration_s": 2});
        assert_eq!(fields(case), ["arrival.rate_per_s"]);
    }

    #[test]
    fn unknown_kinds_and_types_list_the_known_ones() {
        let mut case = ok_case();
        case["body"]["kind"] = json!("sync_sleep");
        case["arrival"] = json!({});
        let found = problems(case);
        assert_eq!(found[0].what, "is not known");
        assert!(found[0].allowed.contains("sync_io, sync_cpu"));
        assert_eq!(
            (found[1].field.as_str(), found[1].what.as_str()),
            ("arrival.type", "is missing")
        );
    }

    #[test]
    fn the_machine_needs_cores_and_a_positive_switch_interval() {
        let file = Path::new("measured.json");
        assert!(check_machine(&json!({}), file).is_empty());
        let found = check_machine(&json!({"cpu_count": 0, "switchinterval_s": 0}), file);
        let f: Vec<_> = found.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(f, ["cpu_count", "switchinterval_s"]);
        assert!(
            found[1].allowed.starts_with("0 < seconds <= 1"),
            "{}",
            found[1].allowed
        );
    }

    #[test]
    fn the_machine_speed_must_be_a_plausible_calibration() {
        let file = Path::new("measured.json");
        let ok = json!({"calibration": {"iters_per_ms": 30_000.0, "runs": 5}});
        assert!(check_machine(&ok, file).is_empty());
        for bad in [
            json!({"iters_per_ms": 0}),
            json!({"iters_per_ms": "fast"}),
            json!(3),
        ] {
            let found = check_machine(&json!({ "calibration": bad }), file);
            assert_eq!(found.len(), 1, "{found:?}");
            assert!(
                found[0].field.starts_with("calibration"),
                "{}",
                found[0].field
            );
        }
    }

    #[test]
    fn repeated_names_and_empty_lists_are_refused() {
        let file = Path::new("cases.json");
        let twice = [ok_case(), ok_case()];
        assert_eq!(duplicate_names(&twice, file).len(), 1);
        let err = check_cases(&[], None, &Value::Null, file, file).unwrap_err();
        assert!(err.to_string().contains("`cases` is empty"), "{err}");
    }
}
