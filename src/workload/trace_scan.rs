//! The first pass over a trace: every row checked, and what the second pass and the trace
//! block need (functions and their counts, the lateness that bounds the reorder, the span),
//! in memory that grows with the number of functions, not rows.

use super::azure2019::{DayReader, MINUTES, MINUTE_NS};
use super::reorder::Ordered;
use super::trace_rows::{RowReader, TraceFormat};
use crate::error::Result;
use crate::kernel::RngStreams;
use crate::metrics::histogram::LogHistogram;
use rand::Rng;
use std::collections::BTreeMap;
use std::path::Path;

/// One function of a trace, as the first pass saw it.
#[derive(Debug, Clone, Default)]
pub struct FunctionScan {
    /// Its invocations in the window.
    pub count: u64,
    /// The sum of its recorded durations, ns (0 without durations).
    pub duration_sum_ns: u128,
    /// Its invocations with a recorded duration.
    pub with_duration: u64,
    /// Its trigger as the trace names it (Azure 2019 only; empty otherwise).
    pub trigger: String,
}

impl FunctionScan {
    /// Its mean recorded duration, ns (`None` without any).
    pub fn mean_duration_ns(&self) -> Option<f64> {
        (self.with_duration > 0).then(|| self.duration_sum_ns as f64 / self.with_duration as f64)
    }
}

/// What a first pass over a trace found.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    /// Every function by its key in the trace, with its counts in the window.
    pub functions: BTreeMap<String, FunctionScan>,
    /// Rows read.
    pub rows: u64,
    /// The earliest and latest arrival, ns.
    pub first_ns: u64,
    /// See `first_ns`.
    pub last_ns: u64,
    /// The most a row's arrival lies before an arrival on an earlier line, ns.
    pub lateness_ns: u64,
    /// The recorded durations (ns) in the window.
    pub durations: LogHistogram,
    /// Invocations per trigger (Azure 2019 only).
    pub per_trigger: BTreeMap<String, u64>,
    /// Invocations per minute of the day (Azure 2019 only).
    pub per_minute: Vec<u64>,
}

/// Reads every row of `path`, checking each; functions' counts and durations are those of
/// the arrivals in `window_ns` ([from, to)).
pub fn scan(path: &Path, format: TraceFormat, window_ns: (u64, u64)) -> Result<Scan> {
    if format == TraceFormat::Azure2019 {
        return scan_day(path, window_ns);
    }
    let mut rows = RowReader::open(path, format)?;
    let mut s = Scan {
        first_ns: u64::MAX,
        ..Scan::default()
    };
    while let Some(row) = rows.next_row()? {
        s.rows += 1;
        s.lateness_ns = s.lateness_ns.max(s.last_ns.saturating_sub(row.arrival_ns));
        s.first_ns = s.first_ns.min(row.arrival_ns);
        s.last_ns = s.last_ns.max(row.arrival_ns);
        let f = s.functions.entry(row.function).or_default();
        if row.arrival_ns < window_ns.0 || row.arrival_ns >= window_ns.1 {
            continue;
        }
        f.count += 1;
        if let Some(d) = row.duration_ns {
            f.duration_sum_ns += u128::from(d);
            f.with_duration += 1;
            s.durations.record(d);
        }
    }
    if s.rows == 0 {
        s.first_ns = 0;
    }
    Ok(s)
}

/// The first pass over an Azure 2019 invocations file: counts by function (minutes starting
/// in the window), by trigger and by minute.
fn scan_day(path: &Path, window_ns: (u64, u64)) -> Result<Scan> {
    let mut rows = DayReader::open(path)?;
    let mut s = Scan {
        first_ns: u64::MAX,
        per_minute: vec![0; MINUTES],
        ..Scan::default()
    };
    while let Some(row) = rows.next_row()? {
        let f = s.functions.entry(row.key).or_default();
        f.trigger.clone_from(&row.trigger);
        let mut total = 0;
        for (m, &n) in row.counts.iter().enumerate().filter(|(_, &n)| n > 0) {
            let (n, t) = (u64::from(n), m as u64 * MINUTE_NS);
            total += n;
            s.per_minute[m] += n;
            s.first_ns = s.first_ns.min(t);
            s.last_ns = s.last_ns.max(t + MINUTE_NS - 1);
            if t >= window_ns.0 && t < window_ns.1 {
                f.count += n;
            }
        }
        s.rows += total;
        *s.per_trigger.entry(row.trigger).or_default() += total;
    }
    if s.rows == 0 {
        s.first_ns = 0;
    }
    Ok(s)
}

/// The rows of `path` in arrival order, given its first pass.
pub fn ordered(path: &Path, format: TraceFormat, scan: &Scan) -> Result<Ordered> {
    let rows = RowReader::open(path, format)?;
    Ok(Ordered::new(rows, path.to_path_buf(), scan.lateness_ns))
}

/// Whether the app of trace function `key` (its part before the first `/`) is kept when
/// apps are sampled with chance `share`: one draw per app from the seed and the app's name,
/// so an app's functions stay or go together, whatever else the trace holds.
pub fn app_sampled(key: &str, share: f64, seed: u64) -> bool {
    let app = key.split('/').next().unwrap_or(key);
    let mut rng = RngStreams::new(seed).stream(&format!("apps/{app}"));
    rng.random::<f64>() < share
}
