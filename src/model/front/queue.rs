//! The storage-queue front end: the queue plus one listener per instance.
//!
//! The World calls [`QueueFront::enqueue`] for each arrival, [`QueueFront::start_listener`]
//! when an instance becomes ready, [`QueueFront::poll`] when a poll timer it was asked for
//! fires, and [`QueueFront::complete`] when an invocation it was told to start ends. Each
//! pushes [`QueueAction`]s: start an invocation for a message on an instance, set a poll
//! timer, or record a message as poisoned (its arrival's outcome: failed). A listener polls
//! with no delay while it can take more (the Get Messages round trip is not modelled).

use super::listener::{Listener, Wait};
use super::queue_store::{QueueStore, Received};
use super::{InstanceSlot, MessageId, Outcome, PerInstance, Ticket};
use crate::config::StorageQueueConfig;
use crate::kernel::SimRng;

/// What the World must do after a call to the queue front end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueAction {
    /// Start an invocation for `message` on `instance`; call `complete` when it ends.
    Deliver {
        /// Which instance.
        instance: InstanceSlot,
        /// Which message.
        message: MessageId,
        /// When the message was enqueued (its queueing time starts there).
        enqueued_ns: u64,
        /// Which try this is, from 1.
        dequeue_count: u32,
    },
    /// Call `poll(instance, ticket)` at `at_ns`.
    PollAt {
        /// Whose listener.
        instance: InstanceSlot,
        /// When.
        at_ns: u64,
        /// Pass it back; a stale one is ignored.
        ticket: Ticket,
    },
    /// `message` went to the poison queue after `dequeue_count` tries: its arrival failed.
    Poisoned {
        /// Which message.
        message: MessageId,
        /// Tries it had.
        dequeue_count: u32,
        /// Poisoned as it was received, without a try of its own: its last tries ended with
        /// their instances lost, so no failed try settles it.
        untried: bool,
    },
}

/// What the queue looks like at one instant (for the scale controller and the time series).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueStats {
    /// The length Azure reports (ApproximateMessagesCount): visible messages, plus the
    /// invisible ones when `length_counts_invisible`.
    pub length: usize,
    /// Messages a poll could take now.
    pub visible: usize,
    /// Messages being processed or waiting out a visibility timeout.
    pub invisible: usize,
    /// Age of the oldest visible message (what a peek shows), 0 when none is visible.
    pub oldest_visible_age_ns: u64,
    /// Messages moved to the poison queue so far.
    pub poisoned: u64,
}

/// A storage queue and the listeners of the instances that read it.
#[derive(Debug)]
pub struct QueueFront {
    cfg: StorageQueueConfig,
    store: QueueStore,
    listeners: PerInstance<Listener>,
    next_ticket: u64,
    received: Vec<Received>,
}

impl QueueFront {
    /// An empty queue read with these settings.
    pub fn new(cfg: StorageQueueConfig) -> QueueFront {
        QueueFront {
            cfg,
            store: QueueStore::default(),
            listeners: PerInstance::default(),
            next_ticket: 0,
            received: Vec::new(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &StorageQueueConfig {
        &self.cfg
    }

    /// A message arrives at `now`. Listeners find it at their next poll.
    pub fn enqueue(&mut self, now: u64) -> MessageId {
        self.store.enqueue(now)
    }

    /// `instance` is ready: its listener polls at once. Replaces an earlier listener there.
    pub fn start_listener(&mut self, now: u64, instance: InstanceSlot, out: &mut Vec<QueueAction>) {
        let ticket = self.ticket();
        self.listeners
            .insert(instance, Listener::new(&self.cfg, ticket));
        out.push(poll_at(instance, now, ticket));
    }

    /// `instance` drains: its listener polls no more; its messages in flight still complete.
    pub fn stop_listener(&mut self, instance: InstanceSlot) {
        if let Some(l) = self.listeners.get_mut(instance) {
            l.wait = Wait::Stopped;
        }
    }

    /// `instance` is gone with its invocations: the leases on its messages run out (they are
    /// visible again between lease/2 and lease from now) and its listener is removed.
    pub fn lose_instance(&mut self, now: u64, instance: InstanceSlot) {
        let Some(listener) = self.listeners.remove(instance) else {
            return;
        };
        for id in listener.in_flight {
            if let Some(end) = self
                .store
                .lease_end(id, instance, now, self.cfg.message_lease_ns)
            {
                self.store.hide_until(id, instance, end);
            }
        }
    }

    /// A poll timer of `instance` fires. Stale tickets are ignored.
    pub fn poll(
        &mut self,
        now: u64,
        instance: InstanceSlot,
        ticket: Ticket,
        rng: &mut SimRng,
        out: &mut Vec<QueueAction>,
    ) {
        let current = self.listeners.get(instance).map(|l| l.wait);
        if current != Some(Wait::Timer(ticket)) {
            return;
        }
        self.received.clear();
        self.store
            .receive(now, self.cfg.batch_size, instance, &mut self.received);
        let found = !self.received.is_empty();
        for i in 0..self.received.len() {
            let r = self.received[i];
            self.accept(instance, r, out);
        }
        if found {
            self.after_found(now, instance, out);
        } else {
            self.after_empty(now, instance, rng, out);
        }
    }

    /// Starts a received message, or poisons it at once when it has been received more than
    /// maxDequeueCount times (its earlier holders were lost). [code QueueProcessor.cs]
    fn accept(&mut self, instance: InstanceSlot, r: Received, out: &mut Vec<QueueAction>) {
        if r.dequeue_count > self.cfg.max_dequeue_count {
            self.store.poison(r.id, instance);
            out.push(poisoned(r.id, r.dequeue_count, true));
            return;
        }
        if let Some(l) = self.listeners.get_mut(instance) {
            l.in_flight.push(r.id);
        }
        out.push(QueueAction::Deliver {
            instance,
            message: r.id,
            enqueued_ns: r.enqueued_ns,
            dequeue_count: r.dequeue_count,
        });
    }

    fn after_found(&mut self, now: u64, instance: InstanceSlot, out: &mut Vec<QueueAction>) {
        let threshold = self.cfg.new_batch_threshold;
        let ticket = self.ticket();
        let Some(l) = self.listeners.get_mut(instance) else {
            return;
        };
        l.found_since_last_delay = true;
        if l.below_threshold(threshold) {
            l.wait = Wait::Timer(ticket);
            out.push(poll_at(instance, now, ticket));
        } else {
            l.wait = Wait::Threshold;
        }
    }

    fn after_empty(
        &mut self,
        now: u64,
        instance: InstanceSlot,
        rng: &mut SimRng,
        out: &mut Vec<QueueAction>,
    ) {
        let ticket = self.ticket();
        let Some(l) = self.listeners.get_mut(instance) else {
            return;
        };
        let delay = l.backoff.next_delay_ns(l.found_since_last_delay, rng);
        l.found_since_last_delay = false;
        l.wait = Wait::Timer(ticket);
        out.push(poll_at(instance, now + delay, ticket));
    }

    /// The invocation for `message` on `instance` ended. On success the message is deleted;
    /// on failure it is retried after the visibility timeout, or poisoned once it has been
    /// tried maxDequeueCount times. The listener fetches again if it was waiting for this.
    /// A message that instance does not hold is ignored.
    pub fn complete(
        &mut self,
        now: u64,
        instance: InstanceSlot,
        message: MessageId,
        outcome: Outcome,
        out: &mut Vec<QueueAction>,
    ) {
        let held = self
            .listeners
            .get_mut(instance)
            .is_some_and(|l| l.finish(message));
        if !held {
            return;
        }
        match outcome {
            Outcome::Succeeded => {
                self.store.delete(message, instance);
            }
            Outcome::Failed => self.fail(now, instance, message, out),
        }
        self.resume_if_waiting(now, instance, out);
    }

    fn fail(
        &mut self,
        now: u64,
        instance: InstanceSlot,
        message: MessageId,
        out: &mut Vec<QueueAction>,
    ) {
        let count = self.store.dequeue_count(message, instance).unwrap_or(0);
        if count >= self.cfg.max_dequeue_count {
            self.store.poison(message, instance);
            out.push(poisoned(message, count, false));
        } else {
            let visible_at = now + self.cfg.visibility_timeout_ns;
            self.store.hide_until(message, instance, visible_at);
        }
    }

    fn resume_if_waiting(&mut self, now: u64, instance: InstanceSlot, out: &mut Vec<QueueAction>) {
        let threshold = self.cfg.new_batch_threshold;
        let ticket = Ticket(self.next_ticket);
        let Some(l) = self.listeners.get_mut(instance) else {
            return;
        };
        if l.wait == Wait::Threshold && l.below_threshold(threshold) {
            self.next_ticket += 1;
            l.wait = Wait::Timer(ticket);
            out.push(poll_at(instance, now, ticket));
        }
    }

    /// The queue at `now`.
    pub fn stats(&mut self, now: u64) -> QueueStats {
        self.store.reveal_due(now);
        let (visible, invisible) = (self.store.visible(), self.store.invisible());
        let length = if self.cfg.length_counts_invisible {
            visible + invisible
        } else {
            visible
        };
        QueueStats {
            length,
            visible,
            invisible,
            oldest_visible_age_ns: self
                .store
                .oldest_visible_enqueued()
                .map_or(0, |t| now.saturating_sub(t)),
            poisoned: self.store.poisoned(),
        }
    }

    /// Messages no instance holds now (visible, or waiting out a visibility timeout), with
    /// the enqueue time of the oldest: what is still waiting when a run stops.
    pub fn waiting(&self) -> (u64, Option<u64>) {
        self.store.unleased()
    }

    /// Messages `instance`'s listener holds now.
    pub fn in_flight(&self, instance: InstanceSlot) -> usize {
        self.listeners
            .get(instance)
            .map_or(0, |l| l.in_flight.len())
    }

    fn ticket(&mut self) -> Ticket {
        self.next_ticket += 1;
        Ticket(self.next_ticket - 1)
    }
}

fn poll_at(instance: InstanceSlot, at_ns: u64, ticket: Ticket) -> QueueAction {
    QueueAction::PollAt {
        instance,
        at_ns,
        ticket,
    }
}

fn poisoned(message: MessageId, dequeue_count: u32, untried: bool) -> QueueAction {
    QueueAction::Poisoned {
        message,
        dequeue_count,
        untried,
    }
}
