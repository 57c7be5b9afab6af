//! The Azure Storage queue itself: messages with their enqueue time and dequeue count, which
//! of them are visible, invisible while processed, or invisible until a retry; the poison
//! queue's count. Memory holds only the messages still in the queue, no history.
//!
//! Order: Azure promises no order; sim hands out the visible message that was enqueued first
//! (a retried message goes before younger ones), so the oldest visible message, whose age the
//! scale controller reads, is also the next one received.

use super::window::Window;
use super::{InstanceSlot, MessageId};
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

/// Where a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Visible: the next receive may take it.
    Visible,
    /// Received by `holder` at `since`, invisible under a lease the listener renews.
    Leased { holder: InstanceSlot, since: u64 },
    /// Invisible until a retry or a lost lease makes it visible again.
    Hidden,
}

/// One message in the queue.
#[derive(Debug, Clone, Copy)]
struct Message {
    enqueued_ns: u64,
    dequeue_count: u32,
    place: Place,
}

/// A message handed out by [`QueueStore::receive`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Received {
    /// Which message.
    pub(crate) id: MessageId,
    /// When it was enqueued.
    pub(crate) enqueued_ns: u64,
    /// Times it has been received, this time included.
    pub(crate) dequeue_count: u32,
}

/// The queue's messages, by id in enqueue order (see `window`).
#[derive(Debug, Default)]
pub(crate) struct QueueStore {
    messages: Window<Message>,
    /// Visible messages never received: every id from this one on (a receive takes the
    /// oldest, so they are always the newest ids).
    fresh_from: u64,
    /// Visible messages received before, by (enqueue time, id).
    returned: BTreeSet<(u64, MessageId)>,
    /// Invisible messages by the time they become visible.
    hidden: BinaryHeap<Reverse<(u64, MessageId)>>,
    leased: usize,
    poisoned: u64,
}

impl QueueStore {
    /// Adds a message enqueued at `now`.
    pub(crate) fn enqueue(&mut self, now: u64) -> MessageId {
        self.messages.push(Message {
            enqueued_ns: now,
            dequeue_count: 0,
            place: Place::Visible,
        })
    }

    /// Makes visible every hidden message whose time has come by `now`.
    pub(crate) fn reveal_due(&mut self, now: u64) {
        while let Some(&Reverse((at, id))) = self.hidden.peek() {
            if at > now {
                break;
            }
            self.hidden.pop();
            if let Some(m) = self.messages.get_mut(id) {
                m.place = Place::Visible;
                self.returned.insert((m.enqueued_ns, id));
            }
        }
    }

    /// Takes up to `max` visible messages, oldest first, leased to `holder` from `now`; each
    /// one's dequeue count goes up by one.
    pub(crate) fn receive(
        &mut self,
        now: u64,
        max: u32,
        holder: InstanceSlot,
        out: &mut Vec<Received>,
    ) {
        self.reveal_due(now);
        for _ in 0..max {
            let Some(id) = self.take_oldest_visible() else {
                break;
            };
            let Some(m) = self.messages.get_mut(id) else {
                continue;
            };
            m.dequeue_count += 1;
            m.place = Place::Leased { holder, since: now };
            self.leased += 1;
            out.push(Received {
                id,
                enqueued_ns: m.enqueued_ns,
                dequeue_count: m.dequeue_count,
            });
        }
    }

    fn take_oldest_visible(&mut self) -> Option<MessageId> {
        let fresh = self.oldest_fresh().map(|id| (self.enqueued(id), id));
        let returned = self.returned.first().copied();
        match (fresh, returned) {
            (Some(f), Some(r)) if r < f => self.returned.pop_first().map(|(_, id)| id),
            (Some((_, id)), _) => {
                self.fresh_from += 1;
                Some(id)
            }
            (None, Some(_)) => self.returned.pop_first().map(|(_, id)| id),
            (None, None) => None,
        }
    }

    /// The oldest message never received, if any.
    fn oldest_fresh(&self) -> Option<MessageId> {
        (self.fresh_from < self.messages.next_id().0).then_some(MessageId(self.fresh_from))
    }

    /// Messages never received.
    fn fresh(&self) -> usize {
        (self.messages.next_id().0 - self.fresh_from) as usize
    }

    /// Enqueue time of a message still in the queue (0 for one that is gone).
    fn enqueued(&self, id: MessageId) -> u64 {
        self.messages.get(id).map_or(0, |m| m.enqueued_ns)
    }

    /// The leased message `id`, if `holder` holds it.
    fn leased_by(&self, id: MessageId, holder: InstanceSlot) -> Option<(u64, u32)> {
        let m = self.messages.get(id)?;
        match m.place {
            Place::Leased { holder: h, since } if h == holder => Some((since, m.dequeue_count)),
            _ => None,
        }
    }

    /// Deletes a leased message (processed, or moved to the poison queue).
    pub(crate) fn delete(&mut self, id: MessageId, holder: InstanceSlot) -> bool {
        if self.leased_by(id, holder).is_none() {
            return false;
        }
        self.messages.remove(id);
        self.leased -= 1;
        true
    }

    /// Moves a leased message to the poison queue.
    pub(crate) fn poison(&mut self, id: MessageId, holder: InstanceSlot) -> bool {
        let moved = self.delete(id, holder);
        self.poisoned += u64::from(moved);
        moved
    }

    /// Hides a leased message until `visible_at` (a retry, or a lease that ran out).
    pub(crate) fn hide_until(
        &mut self,
        id: MessageId,
        holder: InstanceSlot,
        visible_at: u64,
    ) -> bool {
        if self.leased_by(id, holder).is_none() {
            return false;
        }
        if let Some(m) = self.messages.get_mut(id) {
            m.place = Place::Hidden;
        }
        self.leased -= 1;
        self.hidden.push(Reverse((visible_at, id)));
        true
    }

    /// When the lease on `id` runs out if `holder` stops renewing it at `now`: the listener
    /// renews every lease/2 from the receive, so at the last renewal plus the lease.
    pub(crate) fn lease_end(
        &self,
        id: MessageId,
        holder: InstanceSlot,
        now: u64,
        lease_ns: u64,
    ) -> Option<u64> {
        let (since, _) = self.leased_by(id, holder)?;
        let half = (lease_ns / 2).max(1);
        let last_renewal = since + (now.saturating_sub(since) / half) * half;
        Some(last_renewal + lease_ns)
    }

    /// The dequeue count of a leased message.
    pub(crate) fn dequeue_count(&self, id: MessageId, holder: InstanceSlot) -> Option<u32> {
        self.leased_by(id, holder).map(|(_, count)| count)
    }

    /// Visible messages (call [`Self::reveal_due`] first).
    pub(crate) fn visible(&self) -> usize {
        self.fresh() + self.returned.len()
    }

    /// Invisible messages: leased or waiting to become visible.
    pub(crate) fn invisible(&self) -> usize {
        self.leased + self.hidden.len()
    }

    /// Enqueue time of the oldest visible message (call [`Self::reveal_due`] first).
    pub(crate) fn oldest_visible_enqueued(&self) -> Option<u64> {
        let fresh = self.oldest_fresh().map(|id| self.enqueued(id));
        let returned = self.returned.first().map(|(t, _)| *t);
        match (fresh, returned) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Messages no instance holds (visible, or hidden until a retry), with the enqueue time
    /// of the oldest of them.
    pub(crate) fn unleased(&self) -> (u64, Option<u64>) {
        let oldest = self
            .messages
            .values()
            .filter(|m| !matches!(m.place, Place::Leased { .. }))
            .map(|m| m.enqueued_ns)
            .min();
        ((self.messages.len() - self.leased) as u64, oldest)
    }

    /// Messages moved to the poison queue so far.
    pub(crate) fn poisoned(&self) -> u64 {
        self.poisoned
    }
}
