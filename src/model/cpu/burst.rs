//! A burst in progress on the cores, as their heap orders it.

use super::super::ids::CoreSlot;
use std::cmp::Ordering;

/// A burst in progress: ends when virtual time reaches `finish_v`. Kept at 16 bytes: the heap
/// holds one per running thread, plus the stale ones not yet popped.
#[derive(Debug, Clone, Copy)]
pub(super) struct Burst {
    /// Virtual time at which it ends.
    pub(super) finish_v: f64,
    /// Whose burst: a thread's seat, or [`CoreSlot::HOST`].
    pub(super) slot: CoreSlot,
    /// Sequence number of the burst (stale heap entries differ from the live one).
    pub(super) seq: u32,
}

impl PartialEq for Burst {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Burst {}
impl PartialOrd for Burst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Burst {
    /// Reversed, so the std max-heap pops the earliest finish; ties by slot (the order the
    /// threads were created in, the host last).
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .finish_v
            .total_cmp(&self.finish_v)
            .then(other.slot.cmp(&self.slot))
    }
}
