//! The score of a validation table: checks passed of total, and per metric the mean absolute
//! relative error and the misses; for per-process counts, the invocations misplaced.
//!
//! The figures are rounded to two decimals once, here, so the score lines and the JSON
//! report (`--json`: `{"checks": [...], "score": {...}}`) carry the same numbers.

use super::dispatch_probe::ProbeReport;
use super::{table_text, Check};
use crate::error::{Result, SimError};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The compared metrics other than per-process counts, in the table's order.
pub const METRICS: [&str; 5] = [
    "makespan_ms",
    "lat_mean_ms",
    "lat_p50_ms",
    "lat_p99_ms",
    "max_concurrency",
];

/// The metric name of the per-process count checks.
pub const COUNTS: &str = "per_process_counts";

/// The whole table in a few numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// Checks in the table.
    pub checks: usize,
    /// Checks inside their tolerance.
    pub passed: usize,
    /// Checks outside their tolerance.
    pub missed: usize,
    /// `passed` in percent of `checks` (0 when there are none).
    pub percent_passed: f64,
    /// Per compared metric (see [`METRICS`]).
    pub metrics: BTreeMap<String, MetricScore>,
    /// The per-process count checks.
    pub per_process_counts: CountScore,
}

/// How one metric did over every case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricScore {
    /// Checks of this metric.
    pub checks: usize,
    /// Of them, outside their tolerance.
    pub misses: usize,
    /// Mean of |simulated - measured| / measured, in percent (`None` without checks).
    pub mean_abs_error_pct: Option<f64>,
}

/// How the per-process counts did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountScore {
    /// Count checks (one per case or repetition that has counts).
    pub checks: usize,
    /// Of them, not exact.
    pub misses: usize,
    /// The table's `off` summed: |measured - simulated| per process, over every check.
    pub off: u64,
    /// Invocations run on another process than measured: half of each check's `off`
    /// (rounded up), since each is missing from one process and extra on another.
    pub misplaced: u64,
}

/// Rounds to two decimals, as the score lines print.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The score of one metric's checks.
fn metric_score(table: &[Check], metric: &str) -> MetricScore {
    let rows: Vec<&Check> = table.iter().filter(|c| c.metric == metric).collect();
    let errors: Vec<f64> = rows
        .iter()
        .map(|c| c.error.abs())
        .filter(|e| e.is_finite())
        .collect();
    let mean = (!errors.is_empty())
        .then(|| round2(100.0 * errors.iter().sum::<f64>() / errors.len() as f64));
    MetricScore {
        checks: rows.len(),
        misses: rows.iter().filter(|c| !c.pass).count(),
        mean_abs_error_pct: mean,
    }
}

/// The score of the per-process count checks (their `error` is the table's `off`).
fn count_score(table: &[Check]) -> CountScore {
    let off: Vec<u64> = table
        .iter()
        .filter(|c| c.metric == COUNTS)
        .map(|c| c.error.max(0.0).round() as u64)
        .collect();
    CountScore {
        checks: off.len(),
        misses: off.iter().filter(|&&o| o > 0).count(),
        off: off.iter().sum(),
        misplaced: off.iter().map(|o| o.div_ceil(2)).sum(),
    }
}

/// The score of `table`.
pub fn score_of(table: &[Check]) -> Score {
    let passed = table.iter().filter(|c| c.pass).count();
    let percent = if table.is_empty() {
        0.0
    } else {
        round2(100.0 * passed as f64 / table.len() as f64)
    };
    Score {
        checks: table.len(),
        passed,
        missed: table.len() - passed,
        percent_passed: percent,
        metrics: METRICS
            .iter()
            .map(|m| (m.to_string(), metric_score(table, m)))
            .collect(),
        per_process_counts: count_score(table),
    }
}

/// The score lines, each starting with `score:` (one for the total, one per metric).
pub fn score_text(score: &Score) -> String {
    let mut s = format!(
        "score: {} of {} checks passed ({:.2}%)\n",
        score.passed, score.checks, score.percent_passed
    );
    for name in METRICS {
        let Some(m) = score.metrics.get(name) else {
            continue;
        };
        let error = m
            .mean_abs_error_pct
            .map_or_else(|| "n/a".to_string(), |e| format!("{e:.2}%"));
        s.push_str(&format!(
            "score: {name:<19} mean |error| {error:>8}, {} of {} missed\n",
            m.misses, m.checks
        ));
    }
    let c = &score.per_process_counts;
    s.push_str(&format!(
        "score: {COUNTS:<19} {} invocations misplaced ({} off), {} of {} missed\n",
        c.misplaced, c.off, c.misses, c.checks
    ));
    s
}

/// What `--json` writes: every check of the table, and their score.
#[derive(Debug, Clone, Serialize)]
pub struct Report<'a> {
    /// The table, row by row.
    pub checks: &'a [Check],
    /// [`score_of`] the table.
    pub score: Score,
    /// With `--repeat`: the second measurement judged by the same rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat: Option<RepeatReport<'a>>,
    /// Where the harness probed the idle dispatch path: sim's probe beside the machine's.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub dispatch_probe: &'a [ProbeReport],
}

/// A second measurement of the same cases judged against the first (`--repeat`), beside
/// sim's score on the same checks: how far the real system misses the tolerances against
/// itself.
#[derive(Debug, Clone, Serialize)]
pub struct RepeatReport<'a> {
    /// The second measurement's folder, as given.
    pub folder: String,
    /// Its checks, row by row.
    pub checks: &'a [Check],
    /// [`score_of`] its checks.
    pub score: Score,
    /// sim's score on the same checks (same cases and metrics).
    pub sim_on_same_checks: Score,
}

impl<'a> RepeatReport<'a> {
    /// The repeat's `checks` from `folder`, beside `sim_checks`, sim's checks on the same
    /// cases and metrics.
    pub fn new(folder: &Path, checks: &'a [Check], sim_checks: &[Check]) -> RepeatReport<'a> {
        RepeatReport {
            folder: folder.display().to_string(),
            checks,
            score: score_of(checks),
            sim_on_same_checks: score_of(sim_checks),
        }
    }

    /// Its score lines (each `repeat score: ...`) and the two scores side by side.
    fn text(&self) -> String {
        let mut s = format!(
            "repeat: {} judged by the same rules, as if it were sim\n",
            self.folder
        );
        for line in score_text(&self.score).lines() {
            s.push_str(&format!("repeat {line}\n"));
        }
        let (sim, again) = (&self.sim_on_same_checks, &self.score);
        s.push_str(&format!(
            "repeat: on the same {} checks sim passed {} ({:.2}%), the machine against itself {} ({:.2}%)\n",
            again.checks, sim.passed, sim.percent_passed, again.passed, again.percent_passed
        ));
        s
    }
}

/// The JSON report of `table`, pretty-printed.
pub fn report_json(table: &[Check]) -> String {
    report_json_with(table, None, &[])
}

fn report_json_with(
    table: &[Check],
    repeat: Option<&RepeatReport>,
    probes: &[ProbeReport],
) -> String {
    crate::output::pretty_json(&Report {
        checks: table,
        score: score_of(table),
        repeat: repeat.cloned(),
        dispatch_probe: probes,
    })
}

/// Prints the table with its score lines (and the repeat's and the dispatch probe's, if any),
/// and writes the JSON report to `json`; with `json` = `-`, prints the JSON report instead
/// (for scripts).
pub fn emit(
    table: &[Check],
    repeat: Option<&RepeatReport>,
    probes: &[ProbeReport],
    json: Option<&Path>,
) -> Result<()> {
    if json == Some(Path::new("-")) {
        crate::say!("{}", report_json_with(table, repeat, probes).trim_end());
        return Ok(());
    }
    crate::say!("{}", table_text(table).trim_end());
    if let Some(r) = repeat {
        crate::say!("{}", r.text().trim_end());
    }
    for probe in probes {
        crate::say!("{}", probe.text().trim_end());
    }
    if let Some(path) = json {
        std::fs::write(path, report_json_with(table, repeat, probes)).map_err(|source| {
            SimError::Write {
                path: path.to_path_buf(),
                source,
            }
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(metric: &str, error: f64, pass: bool) -> Check {
        Check {
            case: "c".into(),
            metric: metric.into(),
            measured: 1.0,
            range: (1.0, 1.0),
            simulated: 1.0 + error,
            error,
            pass,
        }
    }

    #[test]
    fn errors_are_averaged_per_metric_and_counts_summed() {
        let table = [
            row("makespan_ms", 0.02, true),
            row("makespan_ms", -0.06, false),
            row("lat_p99_ms", f64::NAN, false),
            row(COUNTS, 6.0, false),
            row(COUNTS, 3.0, false),
            row(COUNTS, 0.0, true),
        ];
        let s = score_of(&table);
        assert_eq!((s.checks, s.passed, s.missed), (6, 2, 4));
        assert_eq!(s.percent_passed, 33.33);
        let m = &s.metrics["makespan_ms"];
        assert_eq!(
            (m.checks, m.misses, m.mean_abs_error_pct),
            (2, 1, Some(4.0))
        );
        assert_eq!(s.metrics["lat_p99_ms"].mean_abs_error_pct, None);
        assert_eq!(s.metrics["lat_mean_ms"].checks, 0);
        let c = &s.per_process_counts;
        assert_eq!((c.checks, c.misses, c.off, c.misplaced), (3, 2, 9, 5));
    }

    #[test]
    fn every_line_is_labelled() {
        let text = score_text(&score_of(&[row("makespan_ms", 0.01, true)]));
        assert_eq!(text.lines().count(), 2 + METRICS.len());
        assert!(text.lines().all(|l| l.starts_with("score: ")), "{text}");
        assert!(
            text.starts_with("score: 1 of 1 checks passed (100.00%)\n"),
            "{text}"
        );
        assert!(text.contains("makespan_ms         mean |error|    1.00%, 0 of 1 missed"));
        assert!(text.contains("lat_mean_ms         mean |error|      n/a, 0 of 0 missed"));
    }
}
