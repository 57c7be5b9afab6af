//! A run as a Chrome Trace Event Format JSON file, for ui.perfetto.dev and chrome://tracing,
//! built from an output folder's files only (the model is never read):
//!
//! - a process per worker process (`instance I / worker P`), a thread per thread (`loop`
//!   first, then `receiver`, `sender`, `pool-N`, `executor-N`), its states from
//!   thread_states.csv as complete events: `Python (GIL held)`, `GIL wait`, `I/O`, `native`,
//!   and the loop's blocked stretches as `loop BLOCKED by <function>` in the reserved colour
//!   `terrible`;
//! - a track per asyncio task from tasks.csv: nestable async spans (`b`/`e`, category
//!   `task`), named by function and invocation, a gather branch or executor call nested under
//!   the task that awaits it when it overlaps none of its siblings nested there before it;
//! - a `host` pseudo-process with counters from timeseries.csv (in flight, queued, busy
//!   threads, GIL held, loop blocked, CPU; with scaling instances by state, queue length and
//!   429s) and instant events for arrivals, 429s, cold starts (invocations.csv, at most
//!   [`INSTANT_CAP`] of each) and the scale decisions that add or drain (scaling.csv).
//!
//! Only what overlaps the window is written, clipped to it. The JSON goes to disk an event at
//! a time, into a partial file renamed over the target once complete
//! ([`crate::output::folder::replace_file`]); the same folder and window give the same bytes.

mod host;
mod lanes;
mod read;
mod tasks;
mod write;

pub use host::{LeftOut, INSTANT_CAP};

use crate::error::{Result, SimError};
use std::path::Path;

/// A stretch of simulated time, seconds: `from_s < to_s`, both finite and >= 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    from_s: f64,
    to_s: f64,
}

impl Window {
    /// The default window: the first 10 s of the run.
    pub const FIRST_10_S: Window = Window {
        from_s: 0.0,
        to_s: 10.0,
    };

    /// `[from_s, to_s]`, or why not.
    pub fn new(from_s: f64, to_s: f64) -> std::result::Result<Window, String> {
        if from_s.is_finite() && to_s.is_finite() && 0.0 <= from_s && from_s < to_s {
            Ok(Window { from_s, to_s })
        } else {
            Err(format!(
                "{from_s}..{to_s} is not a window: write A..B in seconds with 0 <= A < B, e.g. 0..2"
            ))
        }
    }

    /// The window in seconds, `(from, to)`.
    pub fn seconds(&self) -> (f64, f64) {
        (self.from_s, self.to_s)
    }

    fn start_ms(&self) -> f64 {
        self.from_s * 1000.0
    }

    fn end_ms(&self) -> f64 {
        self.to_s * 1000.0
    }

    /// Whether the instant `ms` is in the window (ends included).
    fn holds(&self, ms: f64) -> bool {
        self.start_ms() <= ms && ms <= self.end_ms()
    }

    /// The part of `[start, end]` (ms) in the window, or `None` when they do not meet.
    fn clip(&self, start: f64, end: f64) -> Option<(f64, f64)> {
        let (from, to) = (start.max(self.start_ms()), end.min(self.end_ms()));
        (from <= to).then_some((from, to))
    }
}

/// What a written trace holds.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceStats {
    /// Events written (metadata events included).
    pub events: u64,
    /// Thread-state slices, or `None` when the folder has no thread_states.csv.
    pub thread_states: Option<u64>,
    /// Task spans, or `None` when the folder has no tasks.csv.
    pub tasks: Option<u64>,
    /// Instant events left out past the cap.
    pub left_out: LeftOut,
    /// Where the run stopped recording thread states (its row cap), ms, if it did.
    pub cut_at_ms: Option<f64>,
}

impl TraceStats {
    /// One line for the terminal: what was written, and what is missing.
    pub fn line(&self, file: &Path, window: Window) -> String {
        let (a, b) = window.seconds();
        let mut s = format!(
            "wrote {} ({} events, {a} s to {b} s of simulated time",
            file.display(),
            self.events
        );
        match (self.thread_states, self.tasks) {
            (Some(n), t) => s.push_str(&format!(
                ", {n} thread-state slices, {} task spans)",
                t.unwrap_or(0)
            )),
            (None, _) => s.push_str(
                "; the folder has no thread_states.csv, so no thread lanes: run it again with --trace-events FILE)",
            ),
        }
        if let Some(cut) = self.cut_at_ms {
            s.push_str(&format!(
                "; the run stopped recording thread states at {cut} ms (its row cap): narrow the window"
            ));
        }
        let l = self.left_out;
        if l != LeftOut::default() {
            s.push_str(&format!(
                "; past {INSTANT_CAP} of a kind, left out {} arrivals, {} 429s, {} cold starts (narrow the window)",
                l.arrivals, l.rejected_429, l.cold_starts
            ));
        }
        s.push_str("; open it in https://ui.perfetto.dev");
        s
    }
}

/// The folder read and the file written, for errors.
struct Sources<'a> {
    dir: &'a Path,
    out: &'a Path,
}

impl Sources<'_> {
    /// A failed write of the trace file.
    fn failed(&self, source: std::io::Error) -> SimError {
        SimError::Write {
            path: self.out.to_path_buf(),
            source,
        }
    }
}

/// Writes the trace of output folder `dir` over `window` to `out`. Bad or missing inputs are
/// errors naming the file (and line); nothing is written then and a previous `out` stays.
pub fn convert(dir: &Path, out: &Path, window: Window) -> Result<TraceStats> {
    let src = Sources { dir, out };
    let summary = read_summary(dir)?;
    let mut input_error = None;
    let mut stats = None;
    let written = super::folder::replace_file(out, |w| match fill(w, &src, window, &summary) {
        Ok(s) => {
            stats = Some(s);
            Ok(())
        }
        Err(e) => {
            let stop = std::io::Error::other(e.to_string());
            input_error = Some(e);
            Err(stop)
        }
    });
    if let Some(e) = input_error {
        return Err(e);
    }
    written?;
    Ok(stats.expect("written"))
}

fn fill<W: std::io::Write>(
    w: W,
    src: &Sources,
    window: Window,
    summary: &serde_json::Value,
) -> Result<TraceStats> {
    let mut trace = write::Trace::start(w).map_err(|e| src.failed(e))?;
    let thread_states = lanes::thread_states(&mut trace, src, window)?;
    let tasks = tasks::tasks(&mut trace, src, window)?;
    host::counters(&mut trace, src, window)?;
    let left_out = host::invocations(&mut trace, src, window)?;
    host::scale_decisions(&mut trace, src, window)?;
    let events = trace.events();
    let (from, to) = window.seconds();
    let metadata = serde_json::json!({
        "generator": format!("sim {}", env!("CARGO_PKG_VERSION")),
        "experiment": summary.get("experiment"),
        "window_s": [from, to],
        "thread_states": summary.get("thread_states"),
        "instant_cap": INSTANT_CAP,
        "instants_left_out": left_out,
    });
    trace.finish(&metadata).map_err(|e| src.failed(e))?;
    Ok(TraceStats {
        events,
        thread_states,
        tasks,
        left_out,
        cut_at_ms: summary["thread_states"]["cut_at_ms"].as_f64(),
    })
}

/// summary.json of `dir`, which every sim output folder has.
fn read_summary(dir: &Path) -> Result<serde_json::Value> {
    crate::output::read_back::json(&dir.join("summary.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_is_two_finite_seconds_in_order() {
        assert_eq!(Window::new(1.5, 3.0).unwrap().seconds(), (1.5, 3.0));
        let bad = [
            (2.0, 1.0),
            (1.0, 1.0),
            (-1.0, 2.0),
            (0.0, f64::INFINITY),
            (f64::NAN, 1.0),
        ];
        for (a, b) in bad {
            assert!(Window::new(a, b).is_err(), "{a}..{b}");
        }
    }

    #[test]
    fn clipping_keeps_the_part_inside_and_the_touching_ends() {
        let w = Window::new(1.0, 2.0).unwrap();
        assert_eq!(w.clip(500.0, 1500.0), Some((1000.0, 1500.0)));
        assert_eq!(w.clip(1500.0, 2500.0), Some((1500.0, 2000.0)));
        assert_eq!(w.clip(0.0, 999.0), None);
        assert_eq!(w.clip(2000.0, 2000.0), Some((2000.0, 2000.0)));
        assert!(w.holds(1000.0) && w.holds(2000.0) && !w.holds(2000.5));
    }
}
