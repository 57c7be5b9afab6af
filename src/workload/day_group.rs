//! Every grouped function of a 2019 day replayed as one stream of arrivals, in flat memory.
//!
//! The day's nonzero counts of the grouped functions are spilled by hour
//! ([`super::day_spill`]); the replay loads one hour at a time, takes its entries minute by
//! minute (ordered by minute, then function), spreads each function's count in the minute as
//! the trace block's `spread` says, and hands the minute's instants out in time order (ties
//! by function), each with a duration drawn from its own function's percentiles. Memory is
//! one hour's nonzero entries, one minute's instants and a table of seven percentiles per
//! function of the file. Every draw comes from one stream in that fixed order, so a seed
//! gives the same arrivals and durations on every run.

use super::azure2019::{each_percentiles, spread_minute, Spread, MINUTE_NS, PERCENTILE_PROBS};
use super::day_spill::{spill, DayFunction, Entry, SpillPlan, Spilled};
use super::trace_rest::RestFilter;
use crate::error::Result;
use crate::kernel::rng::inverse_cdf;
use crate::kernel::SimRng;
use rand::Rng;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What a grouped 2019 replay reads.
pub struct GroupSpec<'a> {
    /// The invocations file.
    pub path: &'a Path,
    /// The durations file (`None`: every invocation gets the trace body's default).
    pub durations: Option<&'a Path>,
    /// Which functions are grouped.
    pub filter: RestFilter,
    /// Only minutes overlapping [from, to) ns are replayed.
    pub window_ns: (u64, u64),
    /// How a minute's invocations are spread in it.
    pub spread: Spread,
    /// Where the hour files go (a folder of their own is made in it).
    pub spill_parent: PathBuf,
}

/// The grouped functions' arrivals over the day, with each one's recorded duration.
pub struct GroupDay {
    spilled: Spilled,
    spread: Spread,
    rng: SimRng,
    /// The next hour to load.
    hour: usize,
    /// The loaded hour's entries, and the next one to spread.
    entries: Vec<Entry>,
    next: usize,
    /// The current minute's instants with their functions, latest first (popped from the end).
    pending: Vec<(u64, DayFunction)>,
    /// Each function's seven percentiles (ns), if the durations file has them.
    percentiles: Vec<Option<[f64; 7]>>,
}

impl GroupDay {
    /// Spills the grouped functions' counts and reads their percentiles; draws from `rng`.
    pub fn open(spec: GroupSpec<'_>, rng: SimRng) -> Result<GroupDay> {
        let GroupSpec {
            path,
            durations,
            mut filter,
            window_ns,
            spread,
            spill_parent,
        } = spec;
        let mut index: HashMap<String, DayFunction> = HashMap::new();
        let mut grouped = |key: &str, f: DayFunction| {
            let takes = filter.takes(key);
            if takes && durations.is_some() {
                index.insert(key.to_string(), f);
            }
            takes
        };
        let plan = SpillPlan {
            grouped: &mut grouped,
            window_ns,
            parent: spill_parent,
        };
        let spilled = spill(path, plan)?;
        let mut percentiles = vec![None; spilled.functions];
        if let Some(file) = durations {
            each_percentiles(
                file,
                |key| index.contains_key(key),
                |key, ns| percentiles[index[key].index()] = Some(ns),
            )?;
        }
        Ok(GroupDay {
            spilled,
            spread,
            rng,
            hour: 0,
            entries: Vec::new(),
            next: 0,
            pending: Vec::new(),
            percentiles,
        })
    }

    /// The folder of the hour files (removed when this is dropped).
    pub fn spill_folder(&self) -> &Path {
        self.spilled.folder()
    }

    /// The next arrival: its instant (ns from the trace's zero), its function and its duration
    /// drawn from the function's percentiles (`None` without them); `None` at the end.
    pub fn next_arrival(&mut self) -> Option<(u64, DayFunction, Option<u64>)> {
        while self.pending.is_empty() {
            if !self.fill_minute() {
                return None;
            }
        }
        let (t, f) = self.pending.pop()?;
        let duration = self.percentiles[f.index()].map(|ns| {
            let points: [(f64, f64); 7] = std::array::from_fn(|i| (PERCENTILE_PROBS[i], ns[i]));
            inverse_cdf(&points, self.rng.random::<f64>()).round() as u64
        });
        Some((t, f, duration))
    }

    /// Spreads the next minute with entries into `pending`; `false` when the day is over.
    fn fill_minute(&mut self) -> bool {
        while self.next >= self.entries.len() {
            if self.hour >= self.spilled.hours {
                return false;
            }
            if self
                .spilled
                .load_hour(self.hour, &mut self.entries)
                .is_err()
            {
                return false;
            }
            self.next = 0;
            self.hour += 1;
        }
        let minute = self.entries[self.next].minute;
        let base = u64::from(minute) * MINUTE_NS;
        self.pending.clear();
        while let Some(e) = self.entries.get(self.next).filter(|e| e.minute == minute) {
            let pending = &mut self.pending;
            let f = e.function;
            spread_minute(self.spread, e.count, base, &mut self.rng, |t| {
                pending.push((t, f))
            });
            self.next += 1;
        }
        self.pending.sort_unstable();
        self.pending.reverse();
        true
    }
}
