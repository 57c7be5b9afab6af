//! The messages still in a queue, by id, without a hash map.
//!
//! Ids are handed out in enqueue order and messages mostly leave in about that order, so the
//! live ones sit in a short window of ids: a ring indexed by `id - first` finds one with no
//! hashing, and neighbours in time are neighbours in memory (a backlog of a million messages
//! is read front to back, where a hash map scatters it over the cache). The slot of a message
//! that left stays empty until every older one has left too; memory is the span of ids from
//! the oldest message still in the queue to the newest, the backlog plus the messages enqueued
//! after one that lingers (a retry waiting out its visibility timeout).

use super::MessageId;
use std::collections::VecDeque;

/// Values by message id, for ids handed out in increasing order by [`Window::push`].
#[derive(Debug)]
pub(crate) struct Window<T> {
    /// The id of `slots[0]`.
    first: u64,
    /// One slot per id from `first` on; `None` once its message left.
    slots: VecDeque<Option<T>>,
    /// Slots holding a value.
    live: usize,
}

impl<T> Default for Window<T> {
    fn default() -> Self {
        Window {
            first: 0,
            slots: VecDeque::new(),
            live: 0,
        }
    }
}

impl<T> Window<T> {
    /// The id the next [`Window::push`] returns.
    pub(crate) fn next_id(&self) -> MessageId {
        MessageId(self.first + self.slots.len() as u64)
    }

    /// Stores `value` under the next id and returns that id.
    pub(crate) fn push(&mut self, value: T) -> MessageId {
        let id = self.next_id();
        self.slots.push_back(Some(value));
        self.live += 1;
        id
    }

    fn slot(&self, id: MessageId) -> Option<usize> {
        let i = id.0.checked_sub(self.first)?;
        (i < self.slots.len() as u64).then_some(i as usize)
    }

    /// The value of `id`, if it is still here.
    pub(crate) fn get(&self, id: MessageId) -> Option<&T> {
        self.slot(id).and_then(|i| self.slots[i].as_ref())
    }

    /// The value of `id`, if it is still here, to change.
    pub(crate) fn get_mut(&mut self, id: MessageId) -> Option<&mut T> {
        let i = self.slot(id)?;
        self.slots[i].as_mut()
    }

    /// Takes `id` out; the window moves past the empty slots at its front.
    pub(crate) fn remove(&mut self, id: MessageId) -> Option<T> {
        let i = self.slot(id)?;
        let value = self.slots[i].take()?;
        self.live -= 1;
        while let Some(None) = self.slots.front() {
            self.slots.pop_front();
            self.first += 1;
        }
        Some(value)
    }

    /// Values still here.
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// The values still here, oldest id first.
    pub(crate) fn values(&self) -> impl Iterator<Item = &T> {
        self.slots.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_is_left_whatever_the_order_of_removal() {
        let mut w = Window::default();
        let ids: Vec<MessageId> = (0..6).map(|n| w.push(n * 10)).collect();
        assert_eq!(ids[5], MessageId(5));
        assert_eq!(w.remove(ids[2]), Some(20));
        assert_eq!(w.remove(ids[2]), None);
        assert_eq!(w.remove(ids[0]), Some(0));
        assert_eq!(w.get(ids[1]), Some(&10));
        assert_eq!(w.remove(ids[1]), Some(10));
        assert_eq!(w.get(ids[0]), None);
        *w.get_mut(ids[4]).expect("still here") += 1;
        assert_eq!(w.values().copied().collect::<Vec<_>>(), [30, 41, 50]);
        assert_eq!(w.len(), 3);
        assert_eq!(w.get(MessageId(6)), None);
        assert_eq!(w.push(60), MessageId(6));
    }

    #[test]
    fn an_emptied_window_hands_out_the_next_ids() {
        let mut w = Window::default();
        let a = w.push('a');
        let b = w.push('b');
        w.remove(b);
        w.remove(a);
        assert_eq!(w.len(), 0);
        assert_eq!(w.next_id(), MessageId(2));
        assert_eq!(w.push('c'), MessageId(2));
        assert_eq!(w.get(MessageId(2)), Some(&'c'));
    }
}
