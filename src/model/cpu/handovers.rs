//! The tally of where GIL hand-overs between body threads ran ([`HandoverPlacement`]): per seat,
//! the waker's CPU of a hand-over not yet run.

use super::super::ids::CoreSlot;
use crate::metrics::HandoverPlacement;

/// No hand-over pending for a seat.
const NONE: u32 = u32::MAX;

/// The hand-overs counted so far, and per seat the waker's CPU of one not yet run.
#[derive(Debug, Clone, Default)]
pub(super) struct HandoverTally {
    /// Per seat: its waker's CPU while a hand-over to it waits to run, else `NONE`.
    pending: Vec<u32>,
    /// The hand-overs that ran.
    pub counts: HandoverPlacement,
}

impl HandoverTally {
    /// `slot` was handed the GIL by a thread running on `waker_cpu`.
    pub fn handed(&mut self, slot: CoreSlot, waker_cpu: u32) {
        let i = slot.index();
        if i >= self.pending.len() {
            self.pending.resize(i + 1, NONE);
        }
        self.pending[i] = waker_cpu;
    }

    /// Whether a hand-over to `slot` waits to run.
    pub fn waits(&self, slot: CoreSlot) -> bool {
        self.pending.get(slot.index()).is_some_and(|&c| c != NONE)
    }

    /// `slot` runs on `cpu` with `sharers` threads there: counts its hand-over if one waited.
    pub fn ran(&mut self, slot: CoreSlot, cpu: u32, sharers: usize) {
        let Some(waker_cpu) = self.pending.get_mut(slot.index()) else {
            return;
        };
        if *waker_cpu != NONE {
            self.counts
                .count(cpu, std::mem::replace(waker_cpu, NONE), sharers);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::ids::Id;
    use super::*;

    #[test]
    fn a_hand_over_counts_once_when_its_thread_first_runs() {
        let mut t = HandoverTally::default();
        let (a, b) = (CoreSlot::from_index(0), CoreSlot::from_index(3));
        t.ran(a, 0, 1);
        assert_eq!(
            t.counts,
            HandoverPlacement::default(),
            "no hand-over pending"
        );
        t.handed(b, 0);
        assert!(t.waits(b) && !t.waits(a));
        t.ran(b, 1, 2);
        t.ran(b, 1, 2);
        let once = HandoverPlacement {
            busy_cpu: 1,
            ..HandoverPlacement::default()
        };
        assert_eq!(t.counts, once, "counted at its first run only");
        assert!(!t.waits(b));
    }
}
