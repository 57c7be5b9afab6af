//! Trigger front ends: how work reaches the app's instances.
//!
//! Each front end is a pure state machine, independent of the World: the World calls it with
//! the current time in ns (and the run's random stream where a draw is needed) when something
//! happens (an arrival, an instance ready or gone, an invocation done, a timer it asked for),
//! and the front end answers with what to do, pushed onto a caller-owned `Vec` so the hot path
//! allocates nothing: deliver this message to that instance, poll again at t, reject with 429.
//! It also exposes what the scale controller and the time series read (queue length, oldest
//! message age, unprocessed events), all at a given time.
//!
//! * `queue` (with `queue_store`, `listener`, `backoff`): the Azure Storage queue and the
//!   listener on each instance;
//! * `servicebus`: the Service Bus message pump;
//! * `eventhubs`: partitions, their owners and checkpoints;
//! * `http`: per-instance admission, 429s, and the requests waiting for a first instance.
//!
//! Settings and their sources: [`crate::config::trigger`].
//!
//! Timers a front end asks for carry a ticket; a timer whose ticket is stale (its instance
//! went away, or a newer timer replaced it) is ignored when it fires, so the World never has
//! to cancel events.

mod backoff;
pub mod eventhubs;
pub mod http;
mod listener;
pub mod queue;
mod queue_store;
pub mod servicebus;
mod window;

pub use super::ids::{InstanceSlot, PartitionId};
pub use backoff::PollingBackoff;
pub use eventhubs::{valid_worker_counts, EventHubsAction, EventHubsFront};
pub use http::{HttpAction, HttpFront};
pub use queue::{QueueAction, QueueFront, QueueStats};
pub use servicebus::{ServiceBusAction, ServiceBusFront, ServiceBusStats};

use super::ids::Id;

/// A queue or Service Bus message (or an Event Hubs batch), unique within its front end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageId(pub u64);

/// An HTTP request: the World's own number for the invocation it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestId(pub u64);

/// Identifies one timer a front end asked for; a stale ticket is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ticket(pub u64);

/// How an invocation the front end delivered ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The function returned normally: the message is deleted, the checkpoint moves on.
    Succeeded,
    /// The function raised or timed out: the message may be retried.
    Failed,
}

/// A vector indexed by instance slot, growing as slots are used.
#[derive(Debug, Clone)]
pub(crate) struct PerInstance<T> {
    items: Vec<Option<T>>,
}

impl<T> Default for PerInstance<T> {
    fn default() -> Self {
        PerInstance { items: Vec::new() }
    }
}

impl<T> PerInstance<T> {
    /// Puts `item` at `slot`, replacing what was there.
    pub(crate) fn insert(&mut self, slot: InstanceSlot, item: T) {
        if self.items.len() <= slot.index() {
            self.items.resize_with(slot.index() + 1, || None);
        }
        self.items[slot.index()] = Some(item);
    }

    /// Takes the item at `slot` out.
    pub(crate) fn remove(&mut self, slot: InstanceSlot) -> Option<T> {
        self.items.get_mut(slot.index()).and_then(Option::take)
    }

    /// The item at `slot`, if any.
    pub(crate) fn get(&self, slot: InstanceSlot) -> Option<&T> {
        self.items.get(slot.index()).and_then(Option::as_ref)
    }

    /// The item at `slot`, mutable, if any.
    pub(crate) fn get_mut(&mut self, slot: InstanceSlot) -> Option<&mut T> {
        self.items.get_mut(slot.index()).and_then(Option::as_mut)
    }

    /// Present slots in ascending order, with their items.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (InstanceSlot, &T)> {
        self.items
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.as_ref().map(|t| (InstanceSlot::from_index(i), t)))
    }
}
