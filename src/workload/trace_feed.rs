//! A trace's arrivals, streamed from its file during a run (the second pass).
//!
//! The functions of one row file (Azure 2021, plain CSV) share one reader: it reads the file
//! once, in arrival order through [`super::reorder`], and names the member function each row
//! belongs to ([`TraceArrivals::shared`]); a 2019 function reads its own row of counts. Memory
//! is the reorder's window, never the file. The grouped rest of a trace takes every row of a
//! function not kept (as a member of the shared reader, or on its own), or for a 2019 day the
//! spilled counts of [`super::day_group`]. Times are shifted to the window's start and divided by the scale. The
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
use std::collections::HashMap;

/// Where a trace function's arrivals come from.
enum Feed {
    /// Invocation rows in arrival order (Azure 2021, plain CSV).
    Rows(Box<Ordered>),
    /// A 2019 day's counts per minute, and the percentiles durations are drawn from.
    Day(DayArrivals, Option<Vec<(f64, f64)>>),
    /// The grouped rest of a 2019 day.
    Group(Box<GroupDay>),
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
    /// For the grouped rest: which functions it takes, and its member number when it shares
    /// a reader.
    rest: Option<(RestFilter, u32)>,
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
        TraceArrivals::with(src, rows)
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
        Ok(TraceArrivals {
            rest: Some((filter, 0)),
            ..TraceArrivals::with(src, rows)
        })
    }

    fn with(src: &TraceSource, rows: Option<Feed>) -> TraceArrivals {
        TraceArrivals {
            rows,
            key: src.key.clone(),
            window_ns: src.window_ns,
            scale: src.scale,
            default_duration_ns: src.default_duration_ns,
            last_duration_ns: 0,
            members: None,
            last_member: 0,
            rest: None,
        }
    }

    /// One reader of `src`'s row file for several functions, each a key and its member number;
    /// rows of other functions go to the grouped rest when `rest` (its filter and member
    /// number) is given, else are skipped.
    pub fn shared(
        src: &TraceSource,
        rng: SimRng,
        members: HashMap<String, u32>,
        rest: Option<(RestFilter, u32)>,
    ) -> TraceArrivals {
        TraceArrivals {
            members: Some(members),
            rest,
            ..TraceArrivals::new(src, rng)
        }
    }

    /// The member whose arrival was last handed out (`None`: not a shared reader).
    pub fn last_member(&self) -> Option<u32> {
        self.members.as_ref().map(|_| self.last_member)
    }

    /// Whether `function`'s rows are this reader's (and, shared, whose they are).
    fn claims(&mut self, function: &str) -> bool {
        if function.is_empty() {
            return true;
        }
        if let Some(&m) = self.members.as_ref().and_then(|ms| ms.get(function)) {
            self.last_member = m;
            return true;
        }
        match &mut self.rest {
            Some((filter, m)) => {
                let takes = filter.takes(function);
                if takes {
                    self.last_member = *m;
                }
                takes
            }
            None => self.members.is_none() && function == self.key,
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
    while let Some(row) = rows.next_row_if(|key| key == src.key).ok()? {
        if let Some(row) = row {
            return Some(row.counts);
        }
    }
    None
}

/// The rows of `src`'s file in arrival order (`None` if it cannot be opened any more).
fn open_rows(src: &TraceSource) -> Option<Feed> {
    RowReader::open(&src.path, src.format)
        .ok()
        .map(|r| Feed::Rows(Box::new(Ordered::new(r, src.path.clone(), src.lateness_ns))))
}
