//! One trace function's arrivals, streamed from its file during a run (the second pass).
//!
//! Each trace function reads the file on its own, in arrival order through
//! [`super::reorder`], keeping its own rows in the window: memory is the reorder's window,
//! never the file. The grouped rest of a trace reads it once for all its functions: the rows
//! of every function not kept, or for a 2019 day the spilled counts of [`super::day_group`]. Times are shifted to the window's start and divided by the scale. The
//! file was checked row by row before the run (the first pass); should it change or vanish
//! since, the function's arrivals end there.

use super::azure2019::{DayArrivals, DayReader};
use super::day_group::{GroupDay, GroupSpec};
use super::reorder::Ordered;
use super::trace_rest::RestFilter;
use super::trace_rows::{RowReader, TraceFormat, TraceRow};
use crate::config::trace::{RestSource, TraceSource};
use crate::error::Result;
use crate::kernel::rng::inverse_cdf;
use crate::kernel::SimRng;

/// Where a trace function's arrivals come from.
enum Feed {
    /// Invocation rows in arrival order (Azure 2021, plain CSV).
    Rows(Box<Ordered>),
    /// A 2019 day's counts per minute, and the percentiles durations are drawn from.
    Day(DayArrivals, Option<Vec<(f64, f64)>>),
    /// The grouped rest of a 2019 day.
    Group(Box<GroupDay>),
}

/// Whose rows a trace function replays.
enum Who {
    /// One function's, by its key.
    One(String),
    /// Every function the filter takes (the grouped rest).
    Rest(RestFilter),
}

/// The next arrivals of one trace function, with each one's recorded duration.
pub struct TraceArrivals {
    rows: Option<Feed>,
    who: Who,
    window_ns: (u64, u64),
    scale: f64,
    default_duration_ns: u64,
    /// The recorded duration of the arrival last handed out, ns.
    last_duration_ns: u64,
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
            _ => open_rows(src),
        };
        TraceArrivals::with(src, rows, Who::One(src.key.clone()))
    }

    /// Opens the grouped rest `rest` of `src`'s trace; a 2019 day is spilled by hour under
    /// `spill_parent` first (an error if that folder cannot be written, or the file no longer
    /// parses).
    pub fn open_rest(
        src: &TraceSource,
        rest: &RestSource,
        rng: SimRng,
        spill_parent: &std::path::Path,
    ) -> Result<TraceArrivals> {
        let filter = RestFilter::new(&rest.kept, rest.sample);
        let rows = match src.format {
            TraceFormat::Azure2019 => {
                let spec = GroupSpec {
                    path: &src.path,
                    durations: rest.durations.as_deref(),
                    filter: filter.clone(),
                    window_ns: src.window_ns,
                    spread: src.spread,
                    spill_parent: spill_parent.to_path_buf(),
                };
                Some(Feed::Group(Box::new(GroupDay::open(spec, rng)?)))
            }
            _ => open_rows(src),
        };
        Ok(TraceArrivals::with(src, rows, Who::Rest(filter)))
    }

    fn with(src: &TraceSource, rows: Option<Feed>, who: Who) -> TraceArrivals {
        TraceArrivals {
            rows,
            who,
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
                Feed::Group(group) => group.next_arrival().map(|(t, _, d)| TraceRow {
                    function: String::new(),
                    arrival_ns: t,
                    duration_ns: d,
                    line: 0,
                }),
            };
            let Some(row) = row else {
                self.rows = None;
                return None;
            };
            let theirs = row.function.is_empty()
                || match &mut self.who {
                    Who::One(key) => row.function == *key,
                    Who::Rest(filter) => filter.takes(&row.function),
                };
            if row.arrival_ns >= to {
                self.rows = None;
                return None;
            }
            if row.arrival_ns < from || !theirs {
                continue;
            }
            self.last_duration_ns = row.duration_ns.unwrap_or(self.default_duration_ns);
            return Some(((row.arrival_ns - from) as f64 / self.scale).round() as u64);
        }
    }
}

/// The rows of `src`'s file in arrival order (`None` if it cannot be opened any more).
fn open_rows(src: &TraceSource) -> Option<Feed> {
    RowReader::open(&src.path, src.format)
        .ok()
        .map(|r| Feed::Rows(Box::new(Ordered::new(r, src.path.clone(), src.lateness_ns))))
}

/// The counts per minute of `src`'s function, read from its 2019 file (`None` if the file
/// cannot be read any more or no longer has it).
fn day_counts(src: &TraceSource) -> Option<Vec<u32>> {
    let mut rows = DayReader::open(&src.path).ok()?;
    while let Some(row) = rows.next_row_if(|key| key == src.key).ok()? {
        if let Some(row) = row {
            return Some(row.counts);
        }
    }
    None
}
