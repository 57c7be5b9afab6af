//! The progress bar of a long run, on standard error, only on a terminal.
//!
//! It stays hidden for the first second, so short runs print nothing extra; then it shows the
//! share done (the mean of simulated time over its estimate and events over their estimate,
//! each capped at 1: a burst advances events before time, a long sleep time before events),
//! the simulated time, the invocations and an ETA.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Ticks of the bar: the share done in thousandths.
const TICKS: u64 = 1000;

/// A progress bar that appears after a second when standard error is a terminal.
pub struct RunProgress {
    bar: ProgressBar,
    started: Instant,
    shown: bool,
    enabled: bool,
    expected_sim_s: f64,
    expected_events: f64,
}

impl RunProgress {
    /// A bar for a run expected to simulate `sim_s` seconds in `events` events; `quiet`
    /// turns it off.
    pub fn new(sim_s: f64, events: f64, quiet: bool) -> RunProgress {
        let bar = ProgressBar::with_draw_target(Some(TICKS), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {percent:>3}%  {msg}  ETA {eta}")
                .expect("a valid template"),
        );
        RunProgress {
            bar,
            started: Instant::now(),
            shown: false,
            enabled: !quiet && std::io::stderr().is_terminal(),
            expected_sim_s: sim_s.max(1e-9),
            expected_events: events.max(1.0),
        }
    }

    /// The run has simulated `sim_s` seconds in `events` events, with `arrived` invocations.
    pub fn update(&mut self, sim_s: f64, events: u64, arrived: u64) {
        if !self.enabled {
            return;
        }
        if !self.shown && self.started.elapsed() > Duration::from_secs(1) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.shown = true;
        }
        let by_time = (sim_s / self.expected_sim_s).min(1.0);
        let by_events = (events as f64 / self.expected_events).min(1.0);
        let done = (by_time + by_events) / 2.0;
        self.bar
            .set_position((done.min(0.999) * TICKS as f64) as u64);
        self.bar.set_message(format!(
            "simulated {} of ~{}, {arrived} invocations",
            crate::units::duration(sim_s),
            crate::units::duration(self.expected_sim_s)
        ));
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The progress bar of a sweep: runs finished of those to do, with an ETA, on standard error
/// only when it is a terminal.
pub struct SweepProgress {
    bar: ProgressBar,
}

impl SweepProgress {
    /// A bar for `runs` runs; `quiet` turns it off.
    pub fn new(runs: usize, quiet: bool) -> SweepProgress {
        let target = if !quiet && std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(runs as u64), target);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} runs  {elapsed} elapsed  ETA {eta}")
                .expect("a valid template"),
        );
        SweepProgress { bar }
    }

    /// One more run finished.
    pub fn inc(&self) {
        self.bar.inc(1);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
