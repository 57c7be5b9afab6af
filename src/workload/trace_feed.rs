//! One trace function's arrivals, streamed from its file during a run (the second pass).
//!
//! Each trace function reads the file on its own, in arrival order through
//! [`super::reorder`], keeping its own rows in the window: memory is the reorder's window,
//! never the file. Times are shifted to the window's start and divided by the scale. The
//! file was checked row by row before the run (the first pass); should it change or vanish
//! since, the function's arrivals end there.

use super::reorder::Ordered;
use super::trace_rows::RowReader;
use crate::config::trace::TraceSource;

/// The next arrivals of one trace function, with each one's recorded duration.
pub struct TraceArrivals {
    rows: Option<Ordered>,
    key: String,
    window_ns: (u64, u64),
    scale: f64,
    default_duration_ns: u64,
    /// The recorded duration of the arrival last handed out, ns.
    last_duration_ns: u64,
}

impl TraceArrivals {
    /// Opens the file of `src` (no arrivals if it cannot be opened any more).
    pub fn new(src: &TraceSource) -> TraceArrivals {
        let rows = RowReader::open(&src.path, src.format)
            .ok()
            .map(|r| Ordered::new(r, src.path.clone(), src.lateness_ns));
        TraceArrivals {
            rows,
            key: src.key.clone(),
            window_ns: src.window_ns,
            scale: src.scale,
            default_duration_ns: src.default_duration_ns,
            last_duration_ns: 0,
        }
    }

    /// The recorded duration of the arrival last handed out, ns.
    pub fn last_duration_ns(&self) -> u64 {
        self.last_duration_ns
    }
}

impl Iterator for TraceArrivals {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        let (from, to) = self.window_ns;
        loop {
            let row = self.rows.as_mut()?.next_row().ok().flatten();
            let Some(row) = row else {
                self.rows = None;
                return None;
            };
            if row.arrival_ns >= to {
                self.rows = None;
                return None;
            }
            if row.arrival_ns < from || row.function != self.key {
                continue;
            }
            self.last_duration_ns = row.duration_ns.unwrap_or(self.default_duration_ns);
            return Some(((row.arrival_ns - from) as f64 / self.scale).round() as u64);
        }
    }
}
