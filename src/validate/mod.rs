//! `sim validate DIR`: replays real-CPython ground-truth cases and compares.
//!
//! DIR holds `cases.json` (exact parameters), `measured.json` (per case and metric: median,
//! min, max and each repetition) and `invocations/<case>.csv` (every invocation; the Poisson
//! cases' arrival times are replayed from it). Tolerances, as the ground truth's README states:
//! makespan within 5%; mean, p50 and p99 latency within 10% of the median or inside the
//! measured min..max where that is wider; max concurrency inside min..max; per-process counts
//! exact. Burst and serial cases are simulated `reps` times with different seeds (the GIL's
//! hand-over is random, as the OS's is) and the median compared; Poisson cases are compared
//! per repetition, replaying that repetition's arrivals. Impossible cases are refused before
//! anything runs (`case_checks`); the table ends with its score (`score`).

mod case_checks;
mod cases;
mod score;

use crate::cli::ValidateArgs;
use crate::config::Placement;
use cases::{experiment_for, recorded_arrivals};
pub use cases::{metrics_of, percentile, CaseMetrics};
pub use score::{report_json, score_of, score_text, CountScore, MetricScore, Report, Score};

use crate::error::{Result, SimError};
use crate::metrics::InvocationRecord;
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

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|source| SimError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| SimError::GroundTruth {
        path: path.to_path_buf(),
        message: format!("not valid JSON: {e}"),
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return 0.0;
    }
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
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

/// Runs every case in `dir` and returns the table.
pub fn validate_dir(dir: &Path, only: Option<&str>, reps: u32) -> Result<Vec<Check>> {
    validate_dir_rows(dir, only, reps, None, None)
}

/// [`validate_dir`], also writing each case's simulated invocations to `rows/<case>.csv` in
/// the harness's column format, so a case can be compared invocation by invocation, and with
/// `placement` instead of the default (`host.placement`) for every case.
pub fn validate_dir_rows(
    dir: &Path,
    only: Option<&str>,
    reps: u32,
    rows: Option<&Path>,
    placement: Option<Placement>,
) -> Result<Vec<Check>> {
    let cases_file = dir.join("cases.json");
    let measured_file = dir.join("measured.json");
    let cases = read_json(&cases_file)?;
    let measured = read_json(&measured_file)?;
    let machine = measured["machine"].clone();
    let cases = cases["cases"]
        .as_array()
        .cloned()
        .ok_or_else(|| SimError::GroundTruth {
            path: cases_file.clone(),
            message: "no `cases` list".into(),
        })?;
    if let Some(only) = only {
        let names: Vec<String> = cases
            .iter()
            .map(|c| c["name"].as_str().unwrap_or("").to_string())
            .collect();
        if !names.iter().any(|n| n.contains(only)) {
            return Err(SimError::NoSuchCase {
                only: only.to_string(),
                path: cases_file,
                available: names,
            });
        }
    }
    case_checks::check_cases(&cases, only, &machine, &cases_file, &measured_file)?;
    // Build every run first, then simulate them all in parallel.
    struct Plan {
        case: Value,
        rep: Option<u64>,
    }
    let mut plans = Vec::new();
    let mut exps = Vec::new();
    let mut fresh_poisson = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap_or("").to_string();
        if only.is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let csv = dir.join("invocations").join(format!("{name}.csv"));
        if case["arrival"]["type"].as_str() == Some("poisson") && csv.is_file() {
            for (rep, arrivals) in recorded_arrivals(&csv)? {
                exps.push(experiment_for(
                    &case,
                    &machine,
                    1 + rep,
                    Some(arrivals),
                    &csv,
                )?);
                plans.push(Plan {
                    case: case.clone(),
                    rep: Some(rep),
                });
            }
        } else {
            if case["arrival"]["type"].as_str() == Some("poisson") {
                fresh_poisson.push(name.clone());
            }
            for seed in 1..=reps.max(1) as u64 {
                exps.push(experiment_for(&case, &machine, seed, None, &cases_file)?);
                plans.push(Plan {
                    case: case.clone(),
                    rep: None,
                });
            }
        }
    }
    if let Some(placement) = placement {
        exps.iter_mut().for_each(|e| e.host.placement = placement);
    }
    let outputs = run_all(&exps)?;
    if let Some(rows_dir) = rows {
        let runs = plans
            .iter()
            .zip(&outputs)
            .map(|(p, o)| (&p.case, p.rep, &o.rows));
        write_simulated_rows(rows_dir, runs)?;
    }
    let mut by_case: BTreeMap<String, Vec<SimulatedRun>> = BTreeMap::new();
    let mut order = Vec::new();
    for (plan, out) in plans.into_iter().zip(outputs) {
        let name = plan.case["name"].as_str().unwrap_or("").to_string();
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
        let runs = &by_case[&name];
        let m = &measured["measured"][&name];
        if m.is_null() {
            return Err(SimError::GroundTruth {
                path: measured_file.clone(),
                message: format!("no measurements for case {name}"),
            });
        }
        for metric in score::METRICS {
            if ["median", "min", "max"]
                .iter()
                .any(|k| !m[metric][k].is_number())
            {
                return Err(SimError::GroundTruth {
                    path: measured_file.clone(),
                    message: format!("case {name}: `{metric}` needs numeric median, min and max"),
                });
            }
        }
        let stat = |metric: &str, key: &str| m[metric][key].as_f64().unwrap_or(f64::NAN);
        let rep_value =
            |metric: &str, rep: u64| m[metric]["reps"][rep as usize].as_f64().unwrap_or(f64::NAN);
        let metrics: [MetricRule; 5] = [
            ("makespan_ms", |c| c.makespan_ms, 0.05),
            ("lat_mean_ms", |c| c.lat_mean_ms, 0.10),
            ("lat_p50_ms", |c| c.lat_p50_ms, 0.10),
            ("lat_p99_ms", |c| c.lat_p99_ms, 0.10),
            ("max_concurrency", |c| c.max_concurrency, 0.0),
        ];
        if runs[0].0.is_some() {
            for (rep, cm) in runs {
                let rep = rep.expect("poisson runs are per repetition");
                let label = format!("{name}#{rep}");
                for (metric, get, tol) in metrics {
                    let v = rep_value(metric, rep);
                    let range = if tol == 0.0 {
                        (stat(metric, "min"), stat(metric, "max"))
                    } else {
                        (v, v)
                    };
                    table.push(check(&label, metric, v, range, get(cm), tol, false));
                }
                table.extend(counts_check(
                    &label,
                    &m["per_process_counts"]["reps"][rep as usize],
                    &cm.per_process,
                ));
            }
        } else {
            for (metric, get, tol) in metrics {
                let sim = median(runs.iter().map(|(_, c)| get(c)).collect());
                table.push(check(
                    &name,
                    metric,
                    stat(metric, "median"),
                    (stat(metric, "min"), stat(metric, "max")),
                    sim,
                    tol,
                    true,
                ));
            }
            // Counts are exact only for fixed arrivals (fresh Poisson samples differ in n).
            if !fresh_poisson.contains(&name) {
                table.extend(counts_check(
                    &name,
                    &m["per_process_counts"]["reps"][0],
                    &runs[0].1.per_process,
                ));
            }
        }
    }
    Ok(table)
}

/// Writes the simulated invocations of every run, grouped by case, as the harness writes its
/// measured ones (times in ms; `rep` is the recorded repetition, or the simulated one).
fn write_simulated_rows<'a>(
    dir: &Path,
    runs: impl Iterator<Item = (&'a Value, Option<u64>, &'a Vec<InvocationRecord>)>,
) -> Result<()> {
    let write_err = |path: &Path, source| SimError::Write {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
    let mut files: BTreeMap<String, (String, u64)> = BTreeMap::new();
    for (case, rep, records) in runs {
        let name = case["name"].as_str().unwrap_or("case").to_string();
        let (text, next_rep) = files.entry(name).or_insert_with(|| {
            (
                "rep,id,worker,thread,arrival_ms,start_ms,end_ms,response_ms\n".to_string(),
                0,
            )
        });
        let rep = rep.unwrap_or(*next_rep);
        *next_rep += 1;
        let ms = |t: Option<u64>| t.map_or(String::new(), |t| format!("{:.4}", t as f64 / 1e6));
        for r in records {
            let thread = r.thread.map_or(String::new(), |t| t.to_string());
            text.push_str(&format!(
                "{rep},{},{},{thread},{},{},{},{}\n",
                r.id,
                r.process.map_or(String::new(), |p| p.to_string()),
                ms(Some(r.arrival)),
                ms(r.start),
                ms(r.end),
                ms(r.response)
            ));
        }
    }
    for (name, (text, _)) in files {
        let path = dir.join(format!("{name}.csv"));
        std::fs::write(&path, text).map_err(|e| write_err(&path, e))?;
    }
    Ok(())
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

/// `sim validate DIR`.
pub fn validate_command(args: ValidateArgs) -> Result<()> {
    let table = validate_dir_rows(
        &args.dir,
        args.only.as_deref(),
        args.reps,
        args.rows.as_deref(),
        args.placement,
    )?;
    score::emit(&table, args.json.as_deref())?;
    let misses = table.iter().filter(|c| !c.pass).count();
    if misses > 0 {
        return Err(SimError::ValidationFailed(misses));
    }
    Ok(())
}
