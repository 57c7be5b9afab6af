//! `output.thread_states`: the window of simulated time whose thread stretches are written.

use super::checker::Checker;
use super::limits;
use super::raw::RawWindow;

impl Checker {
    /// The window as (from, to) ns; a problem when an end is out of range or the window is
    /// empty.
    pub(super) fn window(&mut self, w: &RawWindow) -> Option<(u64, u64)> {
        let from = self.real("output.thread_states.from_s", &w.from_s, &limits::WINDOW_S);
        let to = self.real("output.thread_states.to_s", &w.to_s, &limits::WINDOW_S);
        let (from, to) = (from?, to?);
        if to <= from {
            self.problem(
                "output.thread_states.to_s",
                &w.to_s,
                format!("the window ends before it starts (from_s = {from})"),
                "a to_s after from_s",
            );
            return None;
        }
        Some(((from * 1e9).round() as u64, (to * 1e9).round() as u64))
    }
}
