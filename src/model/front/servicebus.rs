//! The Service Bus front end: the broker pushes each message to a waiting receiver, one per
//! free slot of an instance (maxConcurrentCalls per instance, or per processor as the code's
//! default says); a delivered message is locked to its instance while processed (the lock is
//! renewed); a failed one is abandoned and available again at once; once delivered
//! maxDeliveryCount times it is dead-lettered instead.
//!
//! Waiting receivers are served in the order they started waiting (the broker answers pending
//! receive calls first come, first served): a sim assumption, UNVERIFIED. A lost instance's
//! locks run out after the lock duration (sim assumes they were just renewed), and only then
//! are its messages available again: the World is asked to call [`ServiceBusFront::wake`]
//! then.

use super::{InstanceSlot, MessageId, Outcome, PerInstance};
use crate::config::ServiceBusConfig;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

/// What the World must do after a call to the Service Bus front end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceBusAction {
    /// Start an invocation for `message` on `instance`; call `complete` when it ends.
    Deliver {
        /// Where it runs.
        instance: InstanceSlot,
        /// Which message.
        message: MessageId,
        /// When it was enqueued.
        enqueued_ns: u64,
        /// Which delivery this is, from 1.
        delivery_count: u32,
    },
    /// `message` went to the dead-letter queue after `delivery_count` deliveries: failed.
    DeadLettered {
        /// Which message.
        message: MessageId,
        /// Deliveries it had.
        delivery_count: u32,
        /// Dead-lettered when its lock ran out with its instance lost, not after a failed
        /// try: no try of its own settles it.
        untried: bool,
    },
    /// Call `wake` at `at_ns` (a lost instance's locks run out).
    WakeAt {
        /// When.
        at_ns: u64,
    },
}

/// The entity at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceBusStats {
    /// Messages available for delivery (Service Bus's ActiveMessageCount).
    pub active: usize,
    /// Messages locked: being processed, or held by a lost instance's lock.
    pub locked: usize,
    /// Age of the message at the head (the next delivered): the oldest available one, unless
    /// an abandoned younger one went back in front of it. 0 when none.
    pub oldest_active_age_ns: u64,
    /// Messages dead-lettered so far.
    pub dead_lettered: u64,
}

#[derive(Debug, Clone, Copy)]
struct Message {
    enqueued_ns: u64,
    delivery_count: u32,
    holder: Option<InstanceSlot>,
}

#[derive(Debug, Clone, Default)]
struct Receiver {
    held: Vec<MessageId>,
    accepting: bool,
}

/// A Service Bus queue and the message pumps of the instances reading it.
#[derive(Debug)]
pub struct ServiceBusFront {
    cfg: ServiceBusConfig,
    messages: HashMap<MessageId, Message>,
    available: VecDeque<MessageId>,
    expiring: BinaryHeap<Reverse<(u64, MessageId)>>,
    idle: VecDeque<InstanceSlot>,
    instances: PerInstance<Receiver>,
    next_id: u64,
    dead_lettered: u64,
}

impl ServiceBusFront {
    /// An empty queue read with these settings.
    pub fn new(cfg: ServiceBusConfig) -> ServiceBusFront {
        ServiceBusFront {
            cfg,
            messages: HashMap::new(),
            available: VecDeque::new(),
            expiring: BinaryHeap::new(),
            idle: VecDeque::new(),
            instances: PerInstance::default(),
            next_id: 0,
            dead_lettered: 0,
        }
    }

    /// A message arrives at `now`; it is delivered at once if a receiver waits.
    pub fn enqueue(&mut self, now: u64, out: &mut Vec<ServiceBusAction>) -> MessageId {
        let id = MessageId(self.next_id);
        self.next_id += 1;
        let m = Message {
            enqueued_ns: now,
            delivery_count: 0,
            holder: None,
        };
        self.messages.insert(id, m);
        self.available.push_back(id);
        self.dispatch(now, out);
        id
    }

    /// `instance` is ready: it opens its receivers (its concurrency) and takes what waits.
    pub fn add_instance(
        &mut self,
        now: u64,
        instance: InstanceSlot,
        out: &mut Vec<ServiceBusAction>,
    ) {
        let receiver = Receiver {
            held: Vec::new(),
            accepting: true,
        };
        self.instances.insert(instance, receiver);
        self.idle.retain(|i| *i != instance);
        for _ in 0..self.cfg.concurrency_per_instance() {
            self.idle.push_back(instance);
        }
        self.dispatch(now, out);
    }

    /// `instance` drains: it takes no new messages; the ones it holds still complete.
    pub fn stop_instance(&mut self, instance: InstanceSlot) {
        if let Some(r) = self.instances.get_mut(instance) {
            r.accepting = false;
        }
        self.idle.retain(|i| *i != instance);
    }

    /// `instance` is gone with its invocations: its messages are available again once their
    /// locks run out.
    pub fn lose_instance(
        &mut self,
        now: u64,
        instance: InstanceSlot,
        out: &mut Vec<ServiceBusAction>,
    ) {
        self.idle.retain(|i| *i != instance);
        let Some(r) = self.instances.remove(instance) else {
            return;
        };
        let at_ns = now + self.cfg.lock_duration_ns;
        for id in r.held {
            if let Some(m) = self.messages.get_mut(&id) {
                m.holder = None;
                self.expiring.push(Reverse((at_ns, id)));
            }
        }
        if !self.expiring.is_empty() {
            out.push(ServiceBusAction::WakeAt { at_ns });
        }
    }

    /// A timer asked for by [`ServiceBusAction::WakeAt`] fires.
    pub fn wake(&mut self, now: u64, out: &mut Vec<ServiceBusAction>) {
        self.dispatch(now, out);
    }

    /// The invocation for `message` on `instance` ended: the message is completed, or
    /// abandoned (dead-lettered after maxDeliveryCount deliveries); the receiver waits for
    /// the next. A message that instance does not hold is ignored.
    pub fn complete(
        &mut self,
        now: u64,
        instance: InstanceSlot,
        message: MessageId,
        outcome: Outcome,
        out: &mut Vec<ServiceBusAction>,
    ) {
        let Some(r) = self.instances.get_mut(instance) else {
            return;
        };
        let Some(i) = r.held.iter().position(|m| *m == message) else {
            return;
        };
        r.held.swap_remove(i);
        if r.accepting {
            self.idle.push_back(instance);
        }
        match outcome {
            Outcome::Succeeded => {
                self.messages.remove(&message);
            }
            Outcome::Failed => self.abandon(message, false, out),
        }
        self.dispatch(now, out);
    }

    /// A message back from a failed try or (`lost`) a lock that ran out with its instance
    /// gone: available again at the head, or dead-lettered once it has had its deliveries.
    fn abandon(&mut self, id: MessageId, lost: bool, out: &mut Vec<ServiceBusAction>) {
        let Some(m) = self.messages.get_mut(&id) else {
            return;
        };
        m.holder = None;
        if m.delivery_count >= self.cfg.max_delivery_count {
            let delivery_count = m.delivery_count;
            self.messages.remove(&id);
            self.dead_lettered += 1;
            out.push(ServiceBusAction::DeadLettered {
                message: id,
                delivery_count,
                untried: lost,
            });
        } else {
            self.available.push_front(id);
        }
    }

    /// Gives available messages to waiting receivers.
    fn dispatch(&mut self, now: u64, out: &mut Vec<ServiceBusAction>) {
        while let Some(&Reverse((at, id))) = self.expiring.peek() {
            if at > now {
                break;
            }
            self.expiring.pop();
            self.abandon(id, true, out);
        }
        while !self.idle.is_empty() {
            let Some(id) = self.available.pop_front() else {
                break;
            };
            if let Some(instance) = self.idle.pop_front() {
                self.deliver(instance, id, out);
            }
        }
    }

    fn deliver(&mut self, instance: InstanceSlot, id: MessageId, out: &mut Vec<ServiceBusAction>) {
        let Some(m) = self.messages.get_mut(&id) else {
            return;
        };
        m.delivery_count += 1;
        m.holder = Some(instance);
        if let Some(r) = self.instances.get_mut(instance) {
            r.held.push(id);
        }
        out.push(ServiceBusAction::Deliver {
            instance,
            message: id,
            enqueued_ns: m.enqueued_ns,
            delivery_count: m.delivery_count,
        });
    }

    /// The queue at `now` (locks that ran out by `now` count as active once `wake` ran).
    pub fn stats(&self, now: u64) -> ServiceBusStats {
        let head = self.available.front().and_then(|id| self.messages.get(id));
        ServiceBusStats {
            active: self.available.len(),
            locked: self.messages.len() - self.available.len(),
            oldest_active_age_ns: head.map_or(0, |m| now.saturating_sub(m.enqueued_ns)),
            dead_lettered: self.dead_lettered,
        }
    }

    /// Messages no instance holds now (available, or locked by a lost instance), with the
    /// enqueue time of the oldest: what is still waiting when a run stops.
    pub fn waiting(&self) -> (u64, Option<u64>) {
        let free = self.messages.values().filter(|m| m.holder.is_none());
        let (mut n, mut oldest) = (0, None::<u64>);
        for m in free {
            n += 1;
            oldest = Some(oldest.map_or(m.enqueued_ns, |o| o.min(m.enqueued_ns)));
        }
        (n, oldest)
    }

    /// Messages `instance` processes now.
    pub fn in_flight(&self, instance: InstanceSlot) -> usize {
        self.instances.get(instance).map_or(0, |r| r.held.len())
    }
}
