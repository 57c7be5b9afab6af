//! The first pass over a trace: every row checked, and what the second pass and the trace
//! block need (functions and their counts, the lateness that bounds the reorder, the span),
//! in memory that grows with the number of functions, not rows.

use super::reorder::Ordered;
use super::trace_rows::{RowReader, TraceFormat};
use crate::error::Result;
use crate::metrics::histogram::LogHistogram;
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
}

/// Reads every row of `path`, checking each; functions' counts and durations are those of
/// the arrivals in `window_ns` ([from, to)).
pub fn scan(path: &Path, format: TraceFormat, window_ns: (u64, u64)) -> Result<Scan> {
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

/// The rows of `path` in arrival order, given its first pass.
pub fn ordered(path: &Path, format: TraceFormat, scan: &Scan) -> Result<Ordered> {
    let rows = RowReader::open(path, format)?;
    Ok(Ordered::new(rows, path.to_path_buf(), scan.lateness_ns))
}
