//! One instance's storage-queue listener: the messages it holds and what it waits for before
//! its next poll (QueueListener.cs: after a poll that found messages it fetches again as soon
//! as in-flight <= newBatchThreshold; after an empty poll it backs off).

use super::backoff::PollingBackoff;
use super::{MessageId, Ticket};
use crate::config::StorageQueueConfig;

/// What the listener waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    /// A poll timer with this ticket.
    Timer(Ticket),
    /// In-flight messages to fall to the threshold.
    Threshold,
    /// Nothing: the instance drains and polls no more.
    Stopped,
}

/// The listener of one instance.
#[derive(Debug, Clone)]
pub(crate) struct Listener {
    /// Messages received and not yet completed.
    pub(crate) in_flight: Vec<MessageId>,
    pub(crate) backoff: PollingBackoff,
    /// Some poll since the last back-off delay found messages.
    pub(crate) found_since_last_delay: bool,
    pub(crate) wait: Wait,
}

impl Listener {
    /// A listener about to make its first poll, under `ticket`.
    pub(crate) fn new(cfg: &StorageQueueConfig, ticket: Ticket) -> Listener {
        Listener {
            in_flight: Vec::new(),
            backoff: PollingBackoff::new(cfg),
            found_since_last_delay: false,
            wait: Wait::Timer(ticket),
        }
    }

    /// Forgets `id` when it was in flight here; whether it was.
    pub(crate) fn finish(&mut self, id: MessageId) -> bool {
        match self.in_flight.iter().position(|m| *m == id) {
            Some(i) => {
                self.in_flight.swap_remove(i);
                true
            }
            None => false,
        }
    }

    /// Whether the in-flight count allows the next fetch.
    pub(crate) fn below_threshold(&self, threshold: u32) -> bool {
        self.in_flight.len() <= threshold as usize
    }
}
