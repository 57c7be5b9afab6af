//! The Azure Functions 2019 trace: one row per function and day,
//! `HashOwner,HashApp,HashFunction,Trigger,1..1440` (invocations in each minute), joined with
//! `function_durations_percentiles` (`HashOwner,HashApp,HashFunction,Average,Count,Minimum,
//! Maximum,percentile_Average_0,_1,_25,_50,_75,_99,_100`, ms) for durations.
//!
//! A function is `HashApp/HashFunction`. Its arrivals in a minute are spread as chosen:
//! `Uniform` (the minute's count at uniform instants, sorted), `Poisson` (a Poisson process at
//! the minute's rate, so the count varies around the recorded one) or `Equidistant` (evenly
//! spaced). Each invocation's duration is drawn from the function's percentiles (a
//! piecewise-linear inverse CDF through them); a function without a durations row gets the
//! trace body's default. Files are read row by row; a run holds one function's 1440 counts.

use super::trace_rows::{bad, open_csv, CsvCursor};
use crate::error::Result;
use crate::kernel::SimRng;
use rand::Rng;
use rand_distr::{Distribution, Exp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// Minutes in a day of the 2019 trace.
pub const MINUTES: usize = 1440;
/// One minute, ns.
pub const MINUTE_NS: u64 = 60_000_000_000;

/// How a minute's invocations are spread within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Spread {
    /// The recorded count at uniform random instants.
    #[default]
    Uniform,
    /// A Poisson process at the minute's recorded rate.
    Poisson,
    /// The recorded count, evenly spaced.
    Equidistant,
}

/// One function's day.
#[derive(Debug, Clone)]
pub struct DayRow {
    /// `HashApp/HashFunction`.
    pub key: String,
    /// Its trigger (http, timer, event, queue, storage, orchestration, others).
    pub trigger: String,
    /// Invocations in each minute.
    pub counts: Vec<u32>,
}

/// The rows of an invocations file.
pub struct DayReader {
    csv: CsvCursor,
}

impl DayReader {
    /// Opens `path` and checks its header.
    pub fn open(path: &Path) -> Result<DayReader> {
        let csv = CsvCursor::open(path)?;
        let headers = &csv.headers;
        let want = ["HashOwner", "HashApp", "HashFunction", "Trigger"];
        let mut missing: Vec<String> = want
            .iter()
            .filter(|w| !headers.iter().any(|h| h == *w))
            .map(|w| w.to_string())
            .collect();
        let minutes = headers.get(4..).unwrap_or_default();
        let numbered = minutes
            .iter()
            .enumerate()
            .all(|(i, h)| *h == (i + 1).to_string());
        if minutes.is_empty() || !numbered || minutes.len() > MINUTES {
            missing.push(format!("the minutes 1..{MINUTES} after Trigger"));
        }
        let in_place = headers.iter().zip(want).all(|(h, w)| h == w);
        if !missing.is_empty() || !in_place {
            return Err(bad(
                path,
                1,
                format!(
                    "missing or misplaced column(s) {} for the Azure2019 format (HashOwner,HashApp,HashFunction,Trigger,1..1440); the header has: {}",
                    missing.join(", "),
                    shorten(headers)
                ),
            ));
        }
        Ok(DayReader { csv })
    }

    /// The next function's day, or `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<DayRow>> {
        Ok(self
            .next_row_if(|_| true)?
            .map(|row| row.expect("every row wanted")))
    }

    /// The next function's day, its counts read only when `wanted` accepts its key (`Some(None)`
    /// for a row not wanted, `None` at the end). A wanted row's counts are checked.
    pub fn next_row_if(
        &mut self,
        wanted: impl FnOnce(&str) -> bool,
    ) -> Result<Option<Option<DayRow>>> {
        if !self.csv.advance()? {
            return Ok(None);
        }
        if self.csv.record.len() != self.csv.headers.len() {
            return Err(bad(
                &self.csv.path,
                self.csv.line,
                format!(
                    "the row has {} columns, the header {}",
                    self.csv.record.len(),
                    self.csv.headers.len()
                ),
            ));
        }
        let key = format!(
            "{}/{}",
            self.csv.record[1].trim(),
            self.csv.record[2].trim()
        );
        if !wanted(&key) {
            return Ok(Some(None));
        }
        let mut counts = Vec::with_capacity(self.csv.headers.len() - 4);
        for col in 4..self.csv.headers.len() {
            let cell = self.csv.record[col].trim();
            let n = cell.parse::<u32>().map_err(|_| {
                bad(
                    &self.csv.path,
                    self.csv.line,
                    format!(
                        "`{}` (column {}) = {cell:?} is not a count: allowed a whole number 0..=4294967295",
                        self.csv.headers[col],
                        col + 1
                    ),
                )
            })?;
            counts.push(n);
        }
        Ok(Some(Some(DayRow {
            key,
            trigger: self.csv.record[3].trim().to_string(),
            counts,
        })))
    }
}

/// The probabilities of a durations row's seven percentiles.
pub const PERCENTILE_PROBS: [f64; 7] = [0.0, 0.01, 0.25, 0.5, 0.75, 0.99, 1.0];

/// The durations file's percentiles of the functions in `keys`: (probability, ns) points.
pub fn read_percentiles(
    path: &Path,
    keys: &BTreeSet<String>,
) -> Result<HashMap<String, Vec<(f64, f64)>>> {
    let mut out = HashMap::new();
    each_percentiles(
        path,
        |key| keys.contains(key),
        |key, ns| {
            let points = PERCENTILE_PROBS.iter().copied().zip(ns).collect();
            out.insert(key.to_string(), points);
        },
    )?;
    Ok(out)
}

/// Calls `found` with the key and the seven percentiles (ns, made non-decreasing) of every
/// row of durations file `path` whose key `wanted` accepts, in file order; a row of another
/// function is not parsed. A bad cell is an error naming the file, line, column and value.
pub fn each_percentiles(
    path: &Path,
    wanted: impl Fn(&str) -> bool,
    mut found: impl FnMut(&str, [f64; 7]),
) -> Result<()> {
    let (mut reader, headers) = open_csv(path)?;
    let names =
        ["0", "1", "25", "50", "75", "99", "100"].map(|p| format!("percentile_Average_{p}"));
    let find = |n: &str| headers.iter().position(|h| h == n);
    let cols: Vec<Option<usize>> = ["HashApp", "HashFunction"]
        .iter()
        .map(|n| find(n))
        .chain(names.iter().map(|n| find(n)))
        .collect();
    if cols.iter().any(Option::is_none) {
        return Err(bad(
            path,
            1,
            format!(
                "missing column(s) for the 2019 durations (HashApp, HashFunction, percentile_Average_0, _1, _25, _50, _75, _99, _100); the header has: {}",
                shorten(&headers)
            ),
        ));
    }
    let cols: Vec<usize> = cols.into_iter().flatten().collect();
    let mut record = csv::StringRecord::new();
    let mut key = String::new();
    let mut line = 1;
    while reader
        .read_record(&mut record)
        .map_err(|e| bad(path, line + 1, format!("unreadable row: {e}")))?
    {
        line = record.position().map_or(line + 1, |p| p.line());
        key.clear();
        key.push_str(record.get(cols[0]).unwrap_or("").trim());
        key.push('/');
        key.push_str(record.get(cols[1]).unwrap_or("").trim());
        if !wanted(&key) {
            continue;
        }
        let mut ns = [0.0; 7];
        let mut floor = 0.0f64;
        for (i, &col) in cols[2..].iter().enumerate() {
            let cell = record.get(col).unwrap_or("").trim();
            let ms = cell
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0 && *v <= 86_400_000.0);
            let Some(ms) = ms else {
                return Err(bad(
                    path,
                    line,
                    format!("`{}` (column {}) = {cell:?} is not a duration: allowed 0 <= ms <= 86400000", headers[col], col + 1),
                ));
            };
            floor = floor.max(ms * 1e6);
            ns[i] = floor;
        }
        found(&key, ns);
    }
    Ok(())
}

/// Puts the instants of a minute starting at `base` (ns) with `n` recorded invocations,
/// spread as `spread` and drawn from `rng`, through `push`: ascending for `Equidistant` and
/// `Poisson`, in draw order for `Uniform` (the caller sorts).
pub fn spread_minute(
    spread: Spread,
    n: u32,
    base: u64,
    rng: &mut SimRng,
    mut push: impl FnMut(u64),
) {
    match spread {
        Spread::Equidistant => {
            let gap = MINUTE_NS as f64 / f64::from(n.max(1));
            (0..n).for_each(|i| push(base + ((f64::from(i) + 0.5) * gap) as u64));
        }
        Spread::Uniform => (0..n).for_each(|_| push(base + rng.random_range(0..MINUTE_NS))),
        Spread::Poisson if n > 0 => {
            let gap = Exp::new(f64::from(n) / MINUTE_NS as f64).expect("rate > 0");
            let mut t = gap.sample(rng);
            while t < MINUTE_NS as f64 {
                push(base + t as u64);
                t += gap.sample(rng);
            }
        }
        Spread::Poisson => {}
    }
}

/// One 2019 function's arrivals over its day, minute by minute.
pub struct DayArrivals {
    counts: Vec<u32>,
    spread: Spread,
    rng: SimRng,
    minute: usize,
    /// The current minute's instants, ns from its start, latest first (popped from the end).
    pending: Vec<u64>,
}

impl DayArrivals {
    /// The arrivals of a day with `counts` per minute, spread as `spread`, drawn from `rng`.
    pub fn new(counts: Vec<u32>, spread: Spread, rng: SimRng) -> DayArrivals {
        DayArrivals {
            counts,
            spread,
            rng,
            minute: 0,
            pending: Vec::new(),
        }
    }

    /// A uniform draw in [0, 1) from the same stream (for the invocations' durations).
    pub fn uniform(&mut self) -> f64 {
        self.rng.random::<f64>()
    }

    /// Fills `pending` with minute `m`'s instants.
    fn fill(&mut self, m: usize) {
        let base = m as u64 * MINUTE_NS;
        self.pending.clear();
        let pending = &mut self.pending;
        spread_minute(self.spread, self.counts[m], base, &mut self.rng, |t| {
            pending.push(t)
        });
        if self.spread == Spread::Uniform {
            self.pending.sort_unstable();
        }
        self.pending.reverse();
    }
}

impl Iterator for DayArrivals {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        while self.pending.is_empty() {
            if self.minute >= self.counts.len() {
                return None;
            }
            let m = self.minute;
            self.minute += 1;
            self.fill(m);
        }
        self.pending.pop()
    }
}

/// A header for a message: its first 8 names, and how many more.
fn shorten(headers: &[String]) -> String {
    let mut s = headers
        .iter()
        .take(8)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if headers.len() > 8 {
        s.push_str(&format!(", ... ({} more)", headers.len() - 8));
    }
    s
}
