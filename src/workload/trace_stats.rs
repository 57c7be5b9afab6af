//! `sim trace stats`: what a trace holds (invocations, functions, rate per minute, recorded
//! durations, the busiest functions), from two streaming passes.

use super::trace_rows::TraceFormat;
use super::trace_scan::{ordered, scan, Scan};
use crate::error::Result;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

/// A trace's figures.
#[derive(Debug, Clone, Serialize)]
pub struct TraceStats {
    /// Invocations (rows).
    pub invocations: u64,
    /// Distinct functions.
    pub functions: usize,
    /// First and last arrival, s.
    pub first_s: f64,
    /// See `first_s`.
    pub last_s: f64,
    /// Mean invocations per minute over the minutes from the first arrival's to the last's.
    pub mean_per_minute: f64,
    /// The busiest minute's invocations.
    pub peak_per_minute: u64,
    /// Recorded durations, ms: p50, p90, p99, max (`None` without durations).
    pub duration_ms: Option<[f64; 4]>,
    /// The busiest functions (at most 10): key and invocations.
    pub top: Vec<(String, u64)>,
    /// Invocations per trigger (when the format records triggers).
    pub per_trigger: Vec<(String, u64)>,
    /// The most rows the reorder held at once.
    pub reorder_peak_rows: usize,
}

/// Reads `path` twice (checking every row, then in arrival order) and sums it up.
pub fn trace_stats(path: &Path, format: TraceFormat) -> Result<TraceStats> {
    let s = scan(path, format, (0, u64::MAX))?;
    let (peak, held) = match format {
        TraceFormat::Azure2019 => (s.per_minute.iter().copied().max().unwrap_or(0), 0),
        _ => busiest_minute(path, format, &s)?,
    };
    let minutes = (s.last_ns / 60_000_000_000 - s.first_ns / 60_000_000_000 + 1) as f64;
    let mut top: Vec<(String, u64)> = s
        .functions
        .iter()
        .map(|(k, f)| (k.clone(), f.count))
        .collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    top.truncate(10);
    let d = &s.durations;
    let ms = |q: f64| d.quantile(q) / 1e6;
    Ok(TraceStats {
        invocations: s.rows,
        functions: s.functions.len(),
        first_s: s.first_ns as f64 / 1e9,
        last_s: s.last_ns as f64 / 1e9,
        mean_per_minute: if s.rows == 0 {
            0.0
        } else {
            s.rows as f64 / minutes
        },
        peak_per_minute: peak,
        duration_ms: (d.count() > 0).then(|| [ms(0.5), ms(0.9), ms(0.99), d.max() as f64 / 1e6]),
        top,
        per_trigger: s.per_trigger.into_iter().collect(),
        reorder_peak_rows: held,
    })
}

/// The busiest minute's invocations, from a pass in arrival order, and the most rows the
/// reorder held.
fn busiest_minute(path: &Path, format: TraceFormat, s: &Scan) -> Result<(u64, usize)> {
    let mut rows = ordered(path, format, s)?;
    let (mut minute, mut in_minute, mut peak) = (0u64, 0u64, 0u64);
    while let Some(row) = rows.next_row()? {
        let m = row.arrival_ns / 60_000_000_000;
        if m != minute {
            (minute, in_minute) = (m, 0);
        }
        in_minute += 1;
        peak = peak.max(in_minute);
    }
    Ok((peak, rows.peak_held()))
}

impl TraceStats {
    /// The figures as the terminal shows them.
    pub fn report(&self, path: &Path) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}", path.display());
        let _ = writeln!(
            out,
            "  invocations {}  functions {}  arrivals from {:.3} s to {:.3} s",
            self.invocations, self.functions, self.first_s, self.last_s
        );
        let _ = writeln!(
            out,
            "  per minute: mean {:.1}, peak {}",
            self.mean_per_minute, self.peak_per_minute
        );
        match self.duration_ms {
            Some([p50, p90, p99, max]) => {
                let _ = writeln!(
                    out,
                    "  duration ms: p50 {p50:.1}  p90 {p90:.1}  p99 {p99:.1}  max {max:.1}"
                );
            }
            None => out.push_str("  duration: not recorded\n"),
        }
        if self.per_trigger.is_empty() {
            out.push_str("  per trigger: not recorded in this format\n");
        } else {
            let each: Vec<String> = self
                .per_trigger
                .iter()
                .map(|(t, n)| format!("{t} {n}"))
                .collect();
            let _ = writeln!(out, "  per trigger: {}", each.join(", "));
        }
        out.push_str("  busiest functions:\n");
        for (name, n) in &self.top {
            let _ = writeln!(out, "    {n:>8}  {name}");
        }
        let _ = write!(
            out,
            "  (reorder held at most {} row(s) at once)",
            self.reorder_peak_rows
        );
        out
    }
}
