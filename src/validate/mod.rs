//! `sim validate DIR`: replays real-CPython ground-truth cases and compares.
//!
//! DIR holds `cases.json` (exact parameters), `measured.json` (per case and metric: median,
//! min, max and each repetition) and `invocations/<case>.csv` (every invocation; the Poisson
//! cases' arrival times are replayed from it). Tolerances, as the ground truth's README states:
//! makespan within 5%; mean, p50 and p99 latency within 10% of the median or inside the
//! measured min..max where that is wider; max concurrency inside min..max; per-process counts
//! exact. Burst and serial cases are simulated several times with different seeds (the GIL's
//! hand-over is random, as the OS's is: `seeds_per_rep` runs per measured repetition, or
//! `reps`) and the median compared; Poisson cases are compared
//! per repetition, replaying that repetition's arrivals, each with the host CPU per
//! invocation its repetition recorded where the harness log has it (`harness_log`); where it
//! also has the idle dispatch path's probe, sim's own probe is set beside it and the cases run
//! at the idle exits that match it, the sitting's (`dispatch_probe`). Impossible cases are
//! refused before anything runs (`case_checks`); the table ends with its score (`score`).

mod case_checks;
mod cases;
mod dispatch_probe;
mod harness_log;
mod repeat;
mod score;
mod sim_rows;

use crate::cli::ValidateArgs;
use crate::config::{Experiment, Placement};
use cases::{experiment_for, median, read_json, recorded_arrivals};
pub use cases::{metrics_of, percentile, CaseMetrics};
pub use dispatch_probe::ProbeReport;
use dispatch_probe::SittingDispatch;
use harness_log::{RecordedFigure, HOST_CPU};
pub use repeat::{judge as judge_repeat, shared_checks};
pub use score::{
    report_json, score_of, score_text, CountScore, MetricScore, RepeatReport, Report, Score,
};

use crate::error::{Result, SimError};
use crate::runner::run_all;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// One simulated repetition of a case: its ground-truth repetition (Poisson) and metrics.
type SimulatedRun = (Option<u64>, CaseMetrics);

/// A compared metric: name, how to read it, relative tolerance (0 = inside the measured range).
type MetricRule = (&'static str, fn(&CaseMetrics) -> f64, f64);

/// One comparison of the table.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Case name (with `#rep` for per-repetition checks).
    pub case: String,
    /// Metric name.
    pub metric: String,
    /// The measured reference (median, or the repetition's value).
    pub measured: f64,
    /// Measured range used for the tolerance (min, max).
    pub range: (f64, f64),
    /// sim's figure.
    pub simulated: f64,
    /// Relative error against `measured`.
    pub error: f64,
    /// Inside the tolerance.
    pub pass: bool,
}

/// Compares one metric: within `tol` of `reference`, or inside [lo, hi] when `range_ok`.
fn check(
    case: &str,
    metric: &str,
    reference: f64,
    range: (f64, f64),
    sim: f64,
    tol: f64,
    range_ok: bool,
) -> Check {
    let error = if reference != 0.0 {
        (sim - reference) / reference
    } else {
        sim - reference
    };
    let inside = sim >= range.0 - 1e-9 && sim <= range.1 + 1e-9;
    let pass = if tol == 0.0 {
        inside
    } else {
        error.abs() <= tol || (range_ok && inside)
    };
    Check {
        case: case.into(),
        metric: metric.into(),
        measured: reference,
        range,
        simulated: sim,
        error,
        pass,
    }
}

/// How `sim validate` simulates and compares a ground-truth folder.
#[derive(Debug, Clone, Copy)]
pub struct ValidateOptions<'a> {
    /// Only cases whose name contains this.
    pub only: Option<&'a str>,
    /// Simulated repetitions (seeds) per burst case; their median is compared. `None`: as
    /// many per measured repetition as a Poisson repetition gets
    /// ([`ValidateOptions::burst_reps`]).
    pub reps: Option<u32>,
    /// Simulated runs (seeds) per recorded repetition of a Poisson case, all replaying that
    /// repetition's arrivals; their median is compared. One run leaves the comparison with the
    /// model's scheduling noise on top of the machine's; more compare the model's central
    /// prediction, as the burst cases do.
    pub seeds_per_rep: u32,
    /// Also write each case's simulated invocations here (every simulated repetition of a
    /// burst case; the first seed of each recorded repetition of a Poisson case), and every
    /// simulated run's summary.json.
    pub rows: Option<&'a Path>,
    /// Where woken threads run in every case, instead of each case's default.
    pub placement: Option<Placement>,
}

impl Default for ValidateOptions<'_> {
    fn default() -> Self {
        ValidateOptions {
            only: None,
            reps: None,
            seeds_per_rep: 1,
            rows: None,
            placement: None,
        }
    }
}

impl ValidateOptions<'_> {
    /// Simulated runs of a burst case the machine ran `measured_reps` times: `reps` if given,
    /// else `seeds_per_rep` runs for each measured repetition (with one seed as many runs as
    /// the machine's, 3 in nearly every folder). So `--seeds-per-rep N` compares the model's
    /// central prediction for bursts as it does for Poisson cases, instead of a median of 3
    /// runs carrying the model's own noise. At most [`MAX_BURST_RUNS`] unless `reps` says so,
    /// so a measured.json listing thousands of repetitions cannot make a run endless.
    pub fn burst_reps(&self, measured_reps: usize) -> u32 {
        let measured = u32::try_from(measured_reps.max(1)).unwrap_or(u32::MAX);
        self.reps.unwrap_or(
            measured
                .saturating_mul(self.seeds_per_rep.max(1))
                .min(MAX_BURST_RUNS),
        )
    }
}

/// The most runs a burst case gets by default: 100 seeds for each of the harness's three
/// repetitions.
pub const MAX_BURST_RUNS: u32 = 300;

/// How many repetitions the machine ran of a case (its `lat_mean_ms` or `makespan_ms` values).
fn measured_reps(m: &Value) -> usize {
    ["makespan_ms", "lat_mean_ms"]
        .iter()
        .filter_map(|metric| m[metric]["reps"].as_array().map(Vec::len))
        .max()
        .unwrap_or(0)
}

/// Runs every case in `dir` and returns the table.
pub fn validate_dir(dir: &Path, only: Option<&str>, reps: u32) -> Result<Vec<Check>> {
    let options = ValidateOptions {
        only,
        reps: Some(reps),
        ..ValidateOptions::default()
    };
    validate_with(dir, &options)
}

/// One simulated run: its case, its recorded repetition (Poisson replays) and which of the
/// seeds simulated for it this is.
struct Plan {
    case: Value,
    rep: Option<u64>,
    seed_index: u32,
}

impl Plan {
    /// Whether `--rows` writes this run's invocations: every run of a burst case, the first
    /// seed of each recorded repetition of a Poisson case. Those runs record thread states too,
    /// for the rows' inner stretches.
    fn rows_written(&self) -> bool {
        self.rep.is_none() || self.seed_index == 0
    }
}

/// The ground-truth folder's files and contents.
struct GroundTruth {
    cases_file: std::path::PathBuf,
    measured_file: std::path::PathBuf,
    cases: Vec<Value>,
    measured: Value,
}

/// Runs every case in `dir` as `options` say and returns the table.
pub fn validate_with(dir: &Path, options: &ValidateOptions) -> Result<Vec<Check>> {
    let truth = load(dir, options.only)?;
    let probes = probe_reports(dir, &truth, None)?;
    validate_loaded(dir, &truth, &probes, options)
}

/// [`validate_with`] on a folder already loaded (`truth`), whose probe reports over every case
/// are `folder_probes`.
fn validate_loaded(
    dir: &Path,
    truth: &GroundTruth,
    folder_probes: &[ProbeReport],
    options: &ValidateOptions,
) -> Result<Vec<Check>> {
    let sitting = SittingDispatch::of_reports(folder_probes);
    let (plans, mut exps) = plan_runs(dir, truth, &sitting, options)?;
    if let Some(placement) = options.placement {
        exps.iter_mut().for_each(|e| e.host.placement = placement);
    }
    if options.rows.is_some() {
        for (_, exp) in plans
            .iter()
            .zip(&mut exps)
            .filter(|(p, _)| p.rows_written())
        {
            exp.output.thread_states = Some((0, u64::MAX));
        }
    }
    let outputs = run_all(&exps)?;
    if let Some(rows_dir) = options.rows {
        let runs = plans
            .iter()
            .zip(&outputs)
            .filter(|(p, _)| p.rows_written())
            .map(|(p, o)| (&p.case, p.rep, o));
        sim_rows::write_simulated_rows(rows_dir, runs)?;
        let summaries = plans
            .iter()
            .zip(&outputs)
            .map(|(p, o)| (case_name(&p.case), p.rep, p.seed_index, o));
        sim_rows::write_simulated_summaries(rows_dir, summaries)?;
    }
    let mut by_case: BTreeMap<String, Vec<SimulatedRun>> = BTreeMap::new();
    let mut order = Vec::new();
    for (plan, out) in plans.into_iter().zip(outputs) {
        let name = case_name(&plan.case);
        if !by_case.contains_key(&name) {
            order.push(name.clone());
        }
        by_case
            .entry(name)
            .or_default()
            .push((plan.rep, metrics_of(&out.rows)));
    }
    let mut table = Vec::new();
    for name in order {
        let m = &truth.measured["measured"][&name];
        check_measured(&name, m, &truth.measured_file)?;
        let runs = &by_case[&name];
        if runs[0].0.is_some() {
            compare_per_rep(&name, m, runs, &mut table);
        } else {
            let fresh = is_poisson(&truth.cases, &name);
            compare_medians(&name, m, runs, !fresh, &mut table);
        }
    }
    Ok(table)
}

fn case_name(case: &Value) -> String {
    case["name"].as_str().unwrap_or("").to_string()
}

/// The file of `name`'s measured invocations in `dir`.
fn recorded_rows(dir: &Path, name: &str) -> std::path::PathBuf {
    dir.join("invocations").join(format!("{name}.csv"))
}

/// Whether `case` is compared repetition by repetition, each replaying its recorded arrivals:
/// a Poisson case whose invocations were recorded.
fn replays_recorded_arrivals(dir: &Path, case: &Value) -> bool {
    case["arrival"]["type"].as_str() == Some("poisson")
        && recorded_rows(dir, &case_name(case)).is_file()
}

fn is_poisson(cases: &[Value], name: &str) -> bool {
    cases
        .iter()
        .any(|c| case_name(c) == name && c["arrival"]["type"].as_str() == Some("poisson"))
}

/// Reads `dir`'s cases and measurements and refuses impossible cases (and an `only` that
/// matches none).
fn load(dir: &Path, only: Option<&str>) -> Result<GroundTruth> {
    let cases_file = dir.join("cases.json");
    let measured_file = dir.join("measured.json");
    let cases = read_json(&cases_file)?;
    let measured = read_json(&measured_file)?;
    let cases = cases["cases"]
        .as_array()
        .cloned()
        .ok_or_else(|| SimError::GroundTruth {
            path: cases_file.clone(),
            message: "no `cases` list".into(),
        })?;
    if let Some(only) = only {
        let names: Vec<String> = cases.iter().map(case_name).collect();
        if !names.iter().any(|n| n.contains(only)) {
            return Err(SimError::NoSuchCase {
                only: only.to_string(),
                path: cases_file,
                available: names,
            });
        }
    }
    let machine = &measured["machine"];
    case_checks::check_cases(&cases, only, machine, &cases_file, &measured_file)?;
    Ok(GroundTruth {
        cases_file,
        measured_file,
        cases,
        measured,
    })
}

/// Every run to simulate: a Poisson case with recorded arrivals `seeds_per_rep` times per
/// recorded repetition (seeds 1 + rep, then 1001 + rep, ...), any other case `reps` times;
/// each with the host CPU per invocation its repetitions recorded, where they did
/// (`harness_log`), and the idle exits and wake-up CPU of the sitting (`sitting`), where the
/// folder probed them.
fn plan_runs(
    dir: &Path,
    truth: &GroundTruth,
    sitting: &SittingDispatch,
    options: &ValidateOptions,
) -> Result<(Vec<Plan>, Vec<Experiment>)> {
    let machine = &truth.measured["machine"];
    let host_cpu = RecordedFigure::read(dir, HOST_CPU)?;
    let mut plans = Vec::new();
    let mut exps = Vec::new();
    for case in &truth.cases {
        let name = case_name(case);
        if options.only.is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let csv = recorded_rows(dir, &name);
        if replays_recorded_arrivals(dir, case) {
            for (rep, arrivals) in recorded_arrivals(&csv)? {
                let host_ns = host_cpu.of_rep(&name, rep);
                for k in 0..options.seeds_per_rep.max(1) {
                    let seed = 1 + rep + 1000 * k as u64;
                    let exp = experiment_for(case, machine, seed, Some(arrivals.clone()), &csv)?;
                    exps.push(sitting.applied(with_host_cpu(exp, host_ns)));
                    plans.push(Plan {
                        case: case.clone(),
                        rep: Some(rep),
                        seed_index: k,
                    });
                }
            }
        } else {
            let host_ns = host_cpu.of_case(&name);
            let measured_reps = measured_reps(&truth.measured["measured"][&name]);
            for k in 0..options.burst_reps(measured_reps).max(1) {
                let seed = 1 + k as u64;
                let exp = experiment_for(case, machine, seed, None, &truth.cases_file)?;
                exps.push(sitting.applied(with_host_cpu(exp, host_ns)));
                plans.push(Plan {
                    case: case.clone(),
                    rep: None,
                    seed_index: k,
                });
            }
        }
    }
    Ok((plans, exps))
}

/// `exp` with the host CPU per invocation its measurement recorded, if it did.
fn with_host_cpu(mut exp: Experiment, host_ns: Option<u64>) -> Experiment {
    if let Some(ns) = host_ns {
        exp.host.dispatch.host_response_ns = ns;
    }
    exp
}

/// Refuses a case whose measurements lack a median, min or max of any metric.
fn check_measured(name: &str, m: &Value, measured_file: &Path) -> Result<()> {
    let bad = |message: String| SimError::GroundTruth {
        path: measured_file.to_path_buf(),
        message,
    };
    if m.is_null() {
        return Err(bad(format!("no measurements for case {name}")));
    }
    for metric in score::METRICS {
        if ["median", "min", "max"]
            .iter()
            .any(|k| !m[metric][k].is_number())
        {
            return Err(bad(format!(
                "case {name}: `{metric}` needs numeric median, min and max"
            )));
        }
    }
    Ok(())
}

/// The compared metrics: name, how to read it, relative tolerance (0 = inside the measured
/// range).
const METRIC_RULES: [MetricRule; 5] = [
    ("makespan_ms", |c| c.makespan_ms, 0.05),
    ("lat_mean_ms", |c| c.lat_mean_ms, 0.10),
    ("lat_p50_ms", |c| c.lat_p50_ms, 0.10),
    ("lat_p99_ms", |c| c.lat_p99_ms, 0.10),
    ("max_concurrency", |c| c.max_concurrency, 0.0),
];

fn stat(m: &Value, metric: &str, key: &str) -> f64 {
    m[metric][key].as_f64().unwrap_or(f64::NAN)
}

/// A Poisson case replayed per recorded repetition: each repetition's value against the
/// median of its simulated runs (the first run's per-process counts).
fn compare_per_rep(name: &str, m: &Value, runs: &[SimulatedRun], table: &mut Vec<Check>) {
    let mut reps: Vec<u64> = runs.iter().filter_map(|(r, _)| *r).collect();
    reps.sort_unstable();
    reps.dedup();
    for rep in reps {
        let of_rep: Vec<&CaseMetrics> = runs
            .iter()
            .filter(|(r, _)| *r == Some(rep))
            .map(|(_, c)| c)
            .collect();
        let label = format!("{name}#{rep}");
        for (metric, get, tol) in METRIC_RULES {
            let v = m[metric]["reps"][rep as usize].as_f64().unwrap_or(f64::NAN);
            let range = if tol == 0.0 {
                (stat(m, metric, "min"), stat(m, metric, "max"))
            } else {
                (v, v)
            };
            let sim = median(of_rep.iter().map(|c| get(c)).collect());
            table.push(check(&label, metric, v, range, sim, tol, false));
        }
        table.extend(counts_check(
            &label,
            &m["per_process_counts"]["reps"][rep as usize],
            &of_rep[0].per_process,
        ));
    }
}

/// A burst or serial case (or a Poisson case sampled afresh): the median of its simulated
/// runs against the measured median, or inside the measured range. Counts are compared only
/// for fixed arrivals (`fixed_arrivals`: fresh Poisson samples differ in n).
fn compare_medians(
    name: &str,
    m: &Value,
    runs: &[SimulatedRun],
    fixed_arrivals: bool,
    table: &mut Vec<Check>,
) {
    for (metric, get, tol) in METRIC_RULES {
        let sim = median(runs.iter().map(|(_, c)| get(c)).collect());
        let range = (stat(m, metric, "min"), stat(m, metric, "max"));
        table.push(check(
            name,
            metric,
            stat(m, metric, "median"),
            range,
            sim,
            tol,
            true,
        ));
    }
    if fixed_arrivals {
        table.extend(counts_check(
            name,
            &m["per_process_counts"]["reps"][0],
            &runs[0].1.per_process,
        ));
    }
}

/// Per-process counts must match exactly (no check when the measurements have none).
fn counts_check(case: &str, measured: &Value, sim: &BTreeMap<u16, u64>) -> Option<Check> {
    let obj = measured.as_object()?;
    let mut misses = 0.0;
    let mut total = 0.0;
    for (k, v) in obj {
        let want = v.as_u64().unwrap_or(0);
        let got = k
            .parse::<u16>()
            .ok()
            .and_then(|p| sim.get(&p))
            .copied()
            .unwrap_or(0);
        total += want as f64;
        misses += (want as f64 - got as f64).abs();
    }
    let extra: u64 = sim
        .iter()
        .filter(|(p, _)| measured.get(p.to_string()).is_none())
        .map(|(_, c)| *c)
        .sum();
    misses += extra as f64;
    Some(Check {
        case: case.into(),
        metric: "per_process_counts".into(),
        measured: total,
        range: (total, total),
        simulated: total - misses,
        error: misses,
        pass: misses == 0.0,
    })
}

/// Formats the table, its score lines and the last line `N checks, P passed, M missed`.
pub fn table_text(table: &[Check]) -> String {
    let mut s = format!(
        "{:<34} {:<19} {:>11} {:>11} {:>8}  {}\n",
        "case", "metric", "measured", "simulated", "error", ""
    );
    for c in table {
        let err = if c.metric == "per_process_counts" {
            format!("{:.0} off", c.error)
        } else {
            format!("{:+.1}%", c.error * 100.0)
        };
        s.push_str(&format!(
            "{:<34} {:<19} {:>11.3} {:>11.3} {:>8}  {}\n",
            c.case,
            c.metric,
            c.measured,
            c.simulated,
            err,
            if c.pass { "ok" } else { "MISS" }
        ));
    }
    s.push_str(&score_text(&score_of(table)));
    let misses = table.iter().filter(|c| !c.pass).count();
    s.push_str(&format!(
        "{} checks, {} passed, {} missed\n",
        table.len(),
        table.len() - misses,
        misses
    ));
    s
}

/// sim's idle dispatch path beside the machine's, where the folder's harness log has the probe.
fn probe_reports(dir: &Path, truth: &GroundTruth, only: Option<&str>) -> Result<Vec<ProbeReport>> {
    let machine = &truth.measured["machine"];
    dispatch_probe::report(dir, &truth.cases, machine, &truth.cases_file, only)
}

/// `sim validate DIR`.
pub fn validate_command(args: ValidateArgs) -> Result<()> {
    let options = ValidateOptions {
        only: args.only.as_deref(),
        reps: args.reps,
        seeds_per_rep: args.seeds_per_rep,
        rows: args.rows.as_deref(),
        placement: args.placement,
    };
    // Judged first, so that a repeat that does not fit fails before anything is simulated.
    let repeat_checks = match &args.repeat {
        Some(again) => Some((again, repeat::judge(&args.dir, again, options.only)?)),
        None => None,
    };
    let truth = load(&args.dir, options.only)?;
    let folder_probes = probe_reports(&args.dir, &truth, None)?;
    let table = validate_loaded(&args.dir, &truth, &folder_probes, &options)?;
    let repeat = repeat_checks.as_ref().map(|(again, checks)| {
        RepeatReport::new(again, checks, &repeat::shared_checks(&table, checks))
    });
    let probes = match options.only {
        None => folder_probes,
        only => probe_reports(&args.dir, &truth, only)?,
    };
    score::emit(&table, repeat.as_ref(), &probes, args.json.as_deref())?;
    let misses = table.iter().filter(|c| !c.pass).count();
    if misses > 0 {
        return Err(SimError::ValidationFailed(misses));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_burst_runs_seeds_per_rep_times_per_measured_repetition_within_a_cap() {
        let with = |reps, seeds_per_rep| ValidateOptions {
            reps,
            seeds_per_rep,
            ..ValidateOptions::default()
        };
        assert_eq!(with(None, 1).burst_reps(3), 3);
        assert_eq!(with(None, 25).burst_reps(3), 75);
        assert_eq!(
            with(None, 1).burst_reps(0),
            1,
            "no recorded repetitions: one run"
        );
        assert_eq!(with(None, 100).burst_reps(1_000_000), MAX_BURST_RUNS);
        assert_eq!(
            with(Some(7), 25).burst_reps(3),
            7,
            "--reps is taken as given"
        );
    }

    #[test]
    fn measured_repetitions_are_read_from_the_case_s_figures() {
        let m = json!({"makespan_ms": {"reps": [1.0, 2.0, 3.0, 4.0, 5.0]}});
        assert_eq!(measured_reps(&m), 5);
        assert_eq!(measured_reps(&json!({"lat_mean_ms": {"reps": [1.0]}})), 1);
        assert_eq!(measured_reps(&json!({})), 0);
    }

    fn run_of(rep: u64, lat_mean_ms: f64) -> SimulatedRun {
        let metrics = CaseMetrics {
            n: 2.0,
            makespan_ms: 100.0,
            lat_mean_ms,
            lat_p50_ms: lat_mean_ms,
            lat_p99_ms: lat_mean_ms,
            max_concurrency: 1.0,
            per_process: BTreeMap::from([(0, 2)]),
        };
        (Some(rep), metrics)
    }

    fn measured(means: [f64; 2]) -> Value {
        let metric = |reps: [f64; 2]| json!({"median": reps[0], "min": reps[0], "max": reps[1], "reps": reps});
        json!({
            "makespan_ms": metric([100.0, 100.0]),
            "lat_mean_ms": metric(means),
            "lat_p50_ms": metric(means),
            "lat_p99_ms": metric(means),
            "max_concurrency": metric([1.0, 1.0]),
            "per_process_counts": {"reps": [{"0": 2}, {"0": 2}]},
        })
    }

    #[test]
    fn each_recorded_repetition_is_compared_with_the_median_of_its_seeds() {
        let runs = [
            run_of(0, 10.0),
            run_of(0, 50.0),
            run_of(0, 12.0),
            run_of(1, 30.0),
            run_of(1, 20.0),
            run_of(1, 40.0),
        ];
        let mut table = Vec::new();
        compare_per_rep("c", &measured([11.0, 30.0]), &runs, &mut table);
        let mean_of = |label: &str| {
            table
                .iter()
                .find(|c| c.case == label && c.metric == "lat_mean_ms")
                .map(|c| (c.simulated, c.pass))
                .expect("a mean-latency check per repetition")
        };
        assert_eq!(mean_of("c#0"), (12.0, true), "median of 10, 50, 12");
        assert_eq!(mean_of("c#1"), (30.0, true), "median of 30, 20, 40");
        assert_eq!(table.len(), 2 * 6, "six checks per repetition");
    }
}
