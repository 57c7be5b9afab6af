//! A trace's arrivals, streamed from its file during a run (the second pass).
//!
//! The functions of one row file (Azure 2021, plain CSV) share one reader: it reads the file
//! once, in arrival order through [`super::reorder`], and names the member function each row
//! belongs to ([`TraceArrivals::shared`]); a 2019 function reads its own row of counts. Memory
//! is the reorder's window, never the file. Times are shifted to the window's start and divided by the scale. The
//! file was checked row by row before the run (the first pass); should it change or vanish
//! since, the function's arrivals end there.

use super::azure2019::{DayArrivals, DayReader};
use super::reorder::Ordered;
use super::trace_rows::{RowReader, TraceFormat, TraceRow};
use crate::config::trace::TraceSource;
use crate::kernel::rng::inverse_cdf;
use crate::kernel::SimRng;
use std::collections::HashMap;

/// Where a trace function's arrivals come from.
enum Feed {
    /// Invocation rows in arrival order (Azure 2021, plain CSV).
    Rows(Box<Ordered>),
    /// A 2019 day's counts per minute, and the percentiles durations are drawn from.
    Day(DayArrivals, Option<Vec<(f64, f64)>>),
}

/// The next arrivals of one trace function, with each one's recorded duration.
pub struct TraceArrivals {
    rows: Option<Feed>,
    key: String,
    window_ns: (u64, u64),
    scale: f64,
    default_duration_ns: u64,
    /// The recorded duration of the arrival last handed out, ns.
    last_duration_ns: u64,
    /// A shared reader's members: each function's key and its member number (`None`: the
    /// reader keeps the rows of `key` only).
    members: Option<HashMap<String, u32>>,
    /// The member whose arrival was last handed out.
    last_member: u32,
}

impl TraceArrivals {
    /// Opens the file of `src` (no arrivals if it cannot be opened any more); a 2019
    /// function's instants and durations are drawn from `rng`.
    pub fn new(src: &TraceSource, rng: SimRng) -> TraceArrivals {
        let rows = match src.format {
            TraceFormat::Azure2019 => day_counts(src).map(|c| {
                Feed::Day(
                    DayArrivals::new(c, src.spread, rng),
                    src.percentiles.clone(),
                )
            }),
            _ => RowReader::open(&src.path, src.format)
                .ok()
                .map(|r| Feed::Rows(Box::new(Ordered::new(r, src.path.clone(), src.lateness_ns)))),
        };
        TraceArrivals {
            rows,
            key: src.key.clone(),
            window_ns: src.window_ns,
            scale: src.scale,
            default_duration_ns: src.default_duration_ns,
            last_duration_ns: 0,
            members: None,
            last_member: 0,
        }
    }

    /// One reader of `src`'s row file for several functions, each a key and its member number;
    /// rows of other functions are skipped.
    pub fn shared(src: &TraceSource, rng: SimRng, members: HashMap<String, u32>) -> TraceArrivals {
        TraceArrivals {
            members: Some(members),
            ..TraceArrivals::new(src, rng)
        }
    }

    /// The member whose arrival was last handed out (`None`: not a shared reader).
    pub fn last_member(&self) -> Option<u32> {
        self.members.as_ref().map(|_| self.last_member)
    }

    /// Whether `function`'s rows are this reader's (and, shared, whose they are).
    fn claims(&mut self, function: &str) -> bool {
        match &self.members {
            None => function.is_empty() || function == self.key,
            Some(members) => match members.get(function) {
                Some(&m) => {
                    self.last_member = m;
                    true
                }
                None => false,
            },
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
            let row = match self.rows.as_mut()? {
                Feed::Rows(rows) => rows.next_row().ok().flatten(),
                Feed::Day(day, percentiles) => day.next().map(|t| TraceRow {
                    function: String::new(),
                    arrival_ns: t,
                    duration_ns: percentiles
                        .as_ref()
                        .map(|p| inverse_cdf(p, day.uniform()).round() as u64),
                    line: 0,
                }),
            };
            let Some(row) = row else {
                self.rows = None;
                return None;
            };
            if row.arrival_ns >= to {
                self.rows = None;
                return None;
            }
            if row.arrival_ns < from || !self.claims(&row.function) {
                continue;
            }
            self.last_duration_ns = row.duration_ns.unwrap_or(self.default_duration_ns);
            return Some(((row.arrival_ns - from) as f64 / self.scale).round() as u64);
        }
    }
}

/// The counts per minute of `src`'s function, read from its 2019 file (`None` if the file
/// cannot be read any more or no longer has it).
fn day_counts(src: &TraceSource) -> Option<Vec<u32>> {
    let mut rows = DayReader::open(&src.path).ok()?;
    while let Some(row) = rows.next_row().ok()? {
        if row.key == src.key {
            return Some(row.counts);
        }
    }
    None
}
