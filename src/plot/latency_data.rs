//! The latency CDF's data: a run's invocations.csv (succeeded rows) and summary.json, or a
//! compare's variant folders.

use super::files::{Compare, Percentiles, Summary};
use super::input::{json, Csv};
use super::latency_cdf::{Curve, LatencyCdf};
use super::percentile_rows::{PercentileRows, Row};
use super::render::{DrawResult, Figure};
use super::Drawable;
use crate::error::Result;
use plotters::coord::Shift;
use plotters::prelude::{DrawingArea, DrawingBackend};
use std::collections::BTreeMap;
use std::path::Path;

/// Functions drawn at most; the rest are left out, saying so.
const MAX_CURVES: usize = 8;

/// Points drawn per curve at most: evenly over the distribution, and as many again over its
/// top 1%.
const CURVE_POINTS: usize = 800;

/// The latency plot of the run in `dir`: CDFs from invocations.csv, or the percentiles of
/// summary.json when the run wrote no rows.
pub fn run(dir: &Path) -> Result<Drawable<LatencyPlot>> {
    let summary: Summary = json(&dir.join("summary.json"))?;
    let rows = dir.join("invocations.csv");
    let functions = &summary.functions[..summary.functions.len().min(MAX_CURVES)];
    let more = match summary.functions.len() > MAX_CURVES {
        true => format!(
            " (first {MAX_CURVES} of {} functions)",
            summary.functions.len()
        ),
        false => String::new(),
    };
    let title = format!("{}: response latency by function", summary.experiment);
    if !rows.is_file() {
        let rows: Vec<Row> = functions
            .iter()
            .filter_map(|f| Some(percentile_row(&f.name, f.latency_ms?, f.ideal_latency_ms)))
            .collect();
        let subtitle =
            format!("Percentiles from summary.json (the run wrote no invocations.csv){more}");
        return Ok(rows_plot(title, subtitle, rows));
    }
    let mut latencies = succeeded_latencies(&rows)?;
    let curves: Vec<Curve> = functions
        .iter()
        .filter_map(|f| {
            let c = curve(&f.name, latencies.remove(&f.name)?, f.latency_ms)?;
            Some(Curve {
                ideal: f.ideal_latency_ms,
                ..c
            })
        })
        .collect();
    if curves.is_empty() {
        return Ok(Drawable::Skip("no invocation succeeded".into()));
    }
    let subtitle = format!("Every succeeded invocation of invocations.csv; dots: p50, p90, p99; dashed: the function's ideal latency{more}");
    Ok(Drawable::Draw(LatencyPlot::Cdf(LatencyCdf {
        title,
        subtitle,
        curves,
    })))
}

/// The latencies of a compare's variants overlaid: CDFs when every variant folder has its
/// invocations.csv, else each variant's summary.json percentiles side by side.
pub fn compare(dir: &Path) -> Result<Drawable<LatencyPlot>> {
    let cmp: Compare = json(&dir.join("compare.json"))?;
    let title = format!("{}: response latency by configuration", cmp.experiment);
    let folders: Vec<_> = cmp
        .variants
        .iter()
        .map(|v| (v.variant.as_str(), dir.join(&v.variant)))
        .collect();
    if folders
        .iter()
        .all(|(_, f)| f.join("invocations.csv").is_file())
    {
        let mut curves = Vec::new();
        for (name, folder) in &folders {
            let samples = succeeded_latencies(&folder.join("invocations.csv"))?
                .into_values()
                .flatten()
                .collect();
            curves.extend(curve(name, samples, None));
        }
        if curves.is_empty() {
            return Ok(Drawable::Skip(
                "no variant has a succeeded invocation".into(),
            ));
        }
        let subtitle =
            "Every succeeded invocation of each variant's invocations.csv; dots: p50, p90, p99"
                .to_string();
        return Ok(Drawable::Draw(LatencyPlot::Cdf(LatencyCdf {
            title,
            subtitle,
            curves,
        })));
    }
    let mut rows = Vec::new();
    for (name, folder) in &folders {
        let summary: Summary = json(&folder.join("summary.json"))?;
        rows.extend(summary.latency_ms.map(|p| percentile_row(name, p, None)));
    }
    let subtitle =
        "Each variant's percentiles from its summary.json (the variants wrote no invocations.csv)"
            .to_string();
    Ok(rows_plot(title, subtitle, rows))
}

/// The percentiles plot of `rows`, or a skip when there are none.
fn rows_plot(title: String, subtitle: String, rows: Vec<Row>) -> Drawable<LatencyPlot> {
    if rows.is_empty() {
        return Drawable::Skip("no invocation succeeded".into());
    }
    Drawable::Draw(LatencyPlot::Rows(PercentileRows {
        title,
        subtitle,
        rows,
    }))
}

fn percentile_row(label: &str, p: Percentiles, ideal: Option<f64>) -> Row {
    Row {
        label: label.to_string(),
        marks: vec![(p.p50, "p50"), (p.p90, "p90"), (p.p99, "p99")],
        ideal,
    }
}

/// The latency plot: a CDF per function or configuration, or percentiles side by side.
pub enum LatencyPlot {
    /// Drawn from every row.
    Cdf(LatencyCdf),
    /// Drawn from percentiles alone.
    Rows(PercentileRows),
}

impl Figure for LatencyPlot {
    fn size(&self) -> (u32, u32) {
        match self {
            LatencyPlot::Cdf(f) => f.size(),
            LatencyPlot::Rows(f) => f.size(),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        match self {
            LatencyPlot::Cdf(f) => f.draw(root),
            LatencyPlot::Rows(f) => f.draw(root),
        }
    }
}

/// At most this many sweep configurations are overlaid.
const MAX_SWEEP_CONFIGS: usize = 10;

/// A sweep's configurations overlaid by their mean p50 and p99 (sweep_summary.json; a sweep
/// keeps no rows of invocations).
pub fn sweep(dir: &Path) -> Result<Drawable<LatencyPlot>> {
    let file: SweepSummary = json(&dir.join("sweep_summary.json"))?;
    let n = file.configurations.len();
    if n > MAX_SWEEP_CONFIGS {
        return Ok(Drawable::Skip(format!("{n} configurations are too many to overlay (at most {MAX_SWEEP_CONFIGS}); the whatif chart shows them all")));
    }
    let rows: Vec<Row> = file
        .configurations
        .iter()
        .filter_map(|c| {
            let (p50, p99) = (
                c.metrics.p50_ms.as_ref()?.mean?,
                c.metrics.p99_ms.as_ref()?.mean?,
            );
            Some(Row {
                label: config_label(&file.axes, &c.values),
                marks: vec![(p50, "p50"), (p99, "p99")],
                ideal: None,
            })
        })
        .collect();
    let title = format!("{}: response latency by configuration", file.experiment);
    let subtitle = "Each configuration's mean p50 and p99 over its replications (sweep_summary.json; a sweep keeps no invocation rows)".to_string();
    Ok(rows_plot(title, subtitle, rows))
}

/// The parts of sweep_summary.json read here.
#[derive(serde::Deserialize)]
struct SweepSummary {
    experiment: String,
    #[serde(default)]
    axes: Vec<String>,
    configurations: Vec<SweepConfig>,
}

#[derive(serde::Deserialize)]
struct SweepConfig {
    #[serde(default)]
    values: BTreeMap<String, String>,
    metrics: SweepMetrics,
}

#[derive(serde::Deserialize)]
struct SweepMetrics {
    #[serde(default)]
    p50_ms: Option<Mean>,
    #[serde(default)]
    p99_ms: Option<Mean>,
}

#[derive(serde::Deserialize)]
struct Mean {
    #[serde(default)]
    mean: Option<f64>,
}

/// `processes=2 threads=4`: each axis by its last named part, in the axes' order.
fn config_label(axes: &[String], values: &BTreeMap<String, String>) -> String {
    let short = |axis: &str| {
        let parts: Vec<&str> = axis.split('.').collect();
        let named = parts
            .iter()
            .rposition(|p| p.parse::<u64>().is_err())
            .unwrap_or(0);
        parts[named..].join(".")
    };
    let shown = axes
        .iter()
        .filter_map(|a| values.get(a).map(|v| format!("{}={v}", short(a))));
    shown.collect::<Vec<_>>().join(" ")
}

/// The CDF of the samples, its percentiles marked (`pct`, else the samples' own); `None`
/// without samples.
fn curve(label: &str, mut samples: Vec<f64>, pct: Option<Percentiles>) -> Option<Curve> {
    samples.sort_by(f64::total_cmp);
    let pct = pct.or_else(|| empirical(&samples))?;
    Some(Curve {
        label: label.to_string(),
        points: cdf_points(&samples),
        marks: vec![
            (pct.p50, 0.5, "p50"),
            (pct.p90, 0.9, "p90"),
            (pct.p99, 0.99, "p99"),
        ],
        ideal: None,
    })
}

/// Nearest-rank percentiles of sorted samples.
fn empirical(sorted: &[f64]) -> Option<Percentiles> {
    let at =
        |q: f64| sorted[((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1];
    (!sorted.is_empty()).then(|| Percentiles {
        p50: at(0.5),
        p90: at(0.9),
        p99: at(0.99),
    })
}

/// (latency, share at or below it) at evenly spaced ranks, denser over the top 1%.
fn cdf_points(sorted: &[f64]) -> Vec<(f64, f64)> {
    let n = sorted.len();
    if n == 0 {
        return Vec::new();
    }
    let m = CURVE_POINTS.min(n);
    let tail_start = n - n.div_ceil(100);
    let even = (1..=m).map(|k| k * n / m - 1);
    let tail = (1..=m)
        .map(|k| tail_start + k * (n - tail_start) / m)
        .map(|i| i.min(n - 1));
    let mut ranks: Vec<usize> = even.chain(tail).chain([0]).collect();
    ranks.sort_unstable();
    ranks.dedup();
    ranks
        .into_iter()
        .map(|i| (sorted[i], (i + 1) as f64 / n as f64))
        .collect()
}

/// The response latency (response_ms - arrival_ms) of every succeeded row of
/// invocations.csv, by function.
fn succeeded_latencies(path: &Path) -> Result<BTreeMap<String, Vec<f64>>> {
    let mut csv = Csv::open(path)?;
    let (function, arrival, response, outcome) = (
        csv.column("function")?,
        csv.column("arrival_ms")?,
        csv.column("response_ms")?,
        csv.column("outcome")?,
    );
    let mut by_function: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    csv.rows(|row| {
        if row.text(outcome) != "succeeded" {
            return Ok(());
        }
        let ms = row.num(response, "response_ms")? - row.num(arrival, "arrival_ms")?;
        match by_function.get_mut(row.text(function)) {
            Some(v) => v.push(ms),
            None => {
                by_function.insert(row.text(function).to_string(), vec![ms]);
            }
        }
        Ok(())
    })?;
    Ok(by_function)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdf_points_end_at_one_and_rise() {
        let v: Vec<f64> = (1..=10_000).map(f64::from).collect();
        let pts = cdf_points(&v);
        assert_eq!(pts.last().copied(), Some((10_000.0, 1.0)));
        assert!(pts.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 < w[1].1));
        assert!(pts.len() <= 2 * CURVE_POINTS + 1);
    }

    #[test]
    fn sweep_labels_name_each_axis_by_its_last_named_part() {
        let axes = [
            "host.processes".to_string(),
            "functions.0.function.body.1.0".to_string(),
        ];
        let values = [
            ("host.processes", "2"),
            ("functions.0.function.body.1.0", "100"),
        ];
        let values = values
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(config_label(&axes, &values), "processes=2 body.1.0=100");
    }

    #[test]
    fn empirical_percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let p = empirical(&v).unwrap();
        assert_eq!((p.p50, p.p90, p.p99), (50.0, 90.0, 99.0));
    }
}
