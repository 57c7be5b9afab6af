//! A trace's rows in arrival order, with memory bounded by how far out of order they are.
//!
//! The first pass over a file ([`super::trace_scan`]) measures its lateness L: the most any
//! row's arrival lies before an arrival on an earlier line. Once a row arriving at `a` has
//! been read, no later row arrives before `a - L`, so every held row arriving at or before
//! that may go. The heap therefore holds only the rows of the last L of trace time (for an
//! Azure 2021 file written in end order, L is at most its longest duration), never the
//! file. Ties keep file order. A row arriving earlier than the lateness allows (the file
//! changed between the passes) is an error naming its line.

use super::trace_rows::{bad, RowReader, TraceRow};
use crate::error::Result;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::path::PathBuf;

/// A row held until no later row can arrive before it.
struct Held(TraceRow);

impl PartialEq for Held {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Held {}
impl PartialOrd for Held {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Held {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.0.arrival_ns, self.0.line).cmp(&(other.0.arrival_ns, other.0.line))
    }
}

/// The rows of one file in arrival order.
pub struct Ordered {
    rows: RowReader,
    path: PathBuf,
    lateness_ns: u64,
    heap: BinaryHeap<Reverse<Held>>,
    /// The latest arrival read so far.
    latest_ns: u64,
    /// The last arrival handed out.
    released_ns: u64,
    done: bool,
    /// The most rows held at once.
    peak_held: usize,
}

impl Ordered {
    /// Orders `rows` (of `path`), whose lateness the first pass found to be `lateness_ns`.
    pub fn new(rows: RowReader, path: PathBuf, lateness_ns: u64) -> Ordered {
        Ordered {
            rows,
            path,
            lateness_ns,
            heap: BinaryHeap::new(),
            latest_ns: 0,
            released_ns: 0,
            done: false,
            peak_held: 0,
        }
    }

    /// The next row in arrival order, or `None` after the last.
    pub fn next_row(&mut self) -> Result<Option<TraceRow>> {
        while !self.done && !self.ready() {
            match self.rows.next_row()? {
                Some(row) => self.hold(row)?,
                None => self.done = true,
            }
        }
        let row = self.heap.pop().map(|Reverse(Held(row))| row);
        if let Some(r) = &row {
            self.released_ns = r.arrival_ns;
        }
        Ok(row)
    }

    /// The most rows held at once so far (the reorder's memory).
    pub fn peak_held(&self) -> usize {
        self.peak_held
    }

    /// Whether the earliest held row can go: no row still to read arrives before it.
    fn ready(&self) -> bool {
        self.heap.peek().is_some_and(|Reverse(Held(r))| {
            r.arrival_ns.saturating_add(self.lateness_ns) <= self.latest_ns
        })
    }

    fn hold(&mut self, row: TraceRow) -> Result<()> {
        if row.arrival_ns < self.released_ns {
            return Err(bad(
                &self.path,
                row.line,
                format!(
                    "arrives at {} s, before rows already replayed ({} s): the file changed since it was first read",
                    row.arrival_ns as f64 / 1e9,
                    self.released_ns as f64 / 1e9
                ),
            ));
        }
        self.latest_ns = self.latest_ns.max(row.arrival_ns);
        self.heap.push(Reverse(Held(row)));
        self.peak_held = self.peak_held.max(self.heap.len());
        Ok(())
    }
}
