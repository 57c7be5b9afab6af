//! The latency CDF's data: a run's invocations.csv (succeeded rows) and summary.json, or a
//! compare's variant folders.

use super::files::{Compare, Percentiles, Summary};
use super::input::{json, Csv};
use super::latency_cdf::{Curve, LatencyCdf};
use super::Drawable;
use crate::error::Result;
use std::collections::BTreeMap;
use std::path::Path;

/// Functions drawn at most; the rest are left out, saying so.
const MAX_CURVES: usize = 8;

/// Points drawn per curve at most: evenly over the distribution, and as many again over its
/// top 1%.
const CURVE_POINTS: usize = 800;

/// The latency CDF of the run in `dir`.
pub fn run(dir: &Path) -> Result<Drawable<LatencyCdf>> {
    let summary: Summary = json(&dir.join("summary.json"))?;
    let rows = dir.join("invocations.csv");
    let mut latencies = if rows.is_file() {
        Some(succeeded_latencies(&rows)?)
    } else {
        None
    };
    let mut curves = Vec::new();
    for f in summary.functions.iter().take(MAX_CURVES) {
        let samples = latencies.as_mut().and_then(|l| l.remove(&f.name));
        let Some(curve) = curve(&f.name, samples, f.latency_ms) else {
            continue;
        };
        curves.push(Curve {
            ideal: f.ideal_latency_ms,
            ..curve
        });
    }
    if curves.is_empty() {
        return Ok(Drawable::Skip("no invocation succeeded".into()));
    }
    let mut subtitle = match latencies {
        Some(_) => "Every succeeded invocation of invocations.csv; dots: p50, p90, p99; dashed: the function's ideal latency".to_string(),
        None => "Percentiles from summary.json (the run wrote no invocations.csv); dashed: ideal latency".to_string(),
    };
    if summary.functions.len() > MAX_CURVES {
        subtitle.push_str(&format!(
            " (first {MAX_CURVES} of {} functions)",
            summary.functions.len()
        ));
    }
    Ok(Drawable::Draw(LatencyCdf {
        title: format!("{}: response latency by function", summary.experiment),
        subtitle,
        curves,
    }))
}

/// The latency CDFs of a compare's variants overlaid, from each variant folder's
/// invocations.csv, or its summary.json percentiles when it wrote none.
pub fn compare(dir: &Path) -> Result<Drawable<LatencyCdf>> {
    let cmp: Compare = json(&dir.join("compare.json"))?;
    let mut curves = Vec::new();
    let mut from_rows = 0;
    for v in &cmp.variants {
        let vdir = dir.join(&v.variant);
        let summary: Summary = json(&vdir.join("summary.json"))?;
        let rows = vdir.join("invocations.csv");
        let samples = if rows.is_file() {
            from_rows += 1;
            Some(
                succeeded_latencies(&rows)?
                    .into_values()
                    .flatten()
                    .collect(),
            )
        } else {
            None
        };
        if let Some(c) = curve(&v.variant, samples, summary.latency_ms) {
            curves.push(c);
        }
    }
    if curves.is_empty() {
        return Ok(Drawable::Skip(
            "no variant has a succeeded invocation".into(),
        ));
    }
    let subtitle = if from_rows == cmp.variants.len() {
        "Every succeeded invocation of each variant's invocations.csv; dots: p50, p90, p99"
    } else {
        "Dots: p50, p90, p99 from each variant's summary.json (variants without invocations.csv show only these)"
    };
    Ok(Drawable::Draw(LatencyCdf {
        title: format!("{}: response latency by configuration", cmp.experiment),
        subtitle: subtitle.into(),
        curves,
    }))
}

/// A curve from the samples, or from the percentiles alone; `None` when there is neither.
fn curve(label: &str, samples: Option<Vec<f64>>, pct: Option<Percentiles>) -> Option<Curve> {
    let mut samples = samples.unwrap_or_default();
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
    fn empirical_percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let p = empirical(&v).unwrap();
        assert_eq!((p.p50, p.p90, p.p99), (50.0, 90.0, 99.0));
    }
}
