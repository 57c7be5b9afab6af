//! Storage-queue-triggered functions under scaling: each arrival is a message enqueued; each
//! ready instance's listener polls the queue (with the SDK's back-off when it is empty) and
//! starts an invocation per message it receives; the invocation's latency counts from the
//! enqueue. A success deletes the message; a failure (the function's `fails`) hides it for
//! host.json's visibilityTimeout, after which any listener may receive it again (a new
//! invocation, a new row, its latency still counted from the first enqueue), and after
//! maxDequeueCount tries it goes to the poison queue [code QueueProcessor.cs; reference
//! sheet section 3: "maxDequeueCount 5, then the poison queue"]. The message is one arrival,
//! settled by its last try.
//!
//! Poll timers observe the queue rather than do work, so they are periodic events: they fire
//! only while the run is not over (see `run_end`), and an empty queue never keeps a finished
//! run alive.

use super::event::Event;
use super::fleet::{instance_of_slot, slot_of};
use super::front::{MessageId, Outcome, QueueAction, QueueFront, QueueStats, Ticket};
use super::ids::{FuncId, IdVec, InstanceId, InvId};
use super::slab::SideTable;
use super::world::World;
use crate::config::{Experiment, TriggerConfig};
use crate::kernel::{RngStreams, SimRng};
use crate::metrics::FailReason;

/// Every storage-queue front end of the app, with what the world must remember about them.
pub(super) struct QueueTriggers {
    /// Per function: its queue, if it is queue-triggered.
    fronts: IdVec<FuncId, Option<QueueFront>>,
    /// Per function: the draws of its listeners' back-off.
    rngs: IdVec<FuncId, SimRng>,
    /// The message each queue-triggered invocation is for.
    messages: SideTable<InvId, MessageId>,
    /// Actions returned by the last call (reused).
    actions: Vec<QueueAction>,
}

impl QueueTriggers {
    /// The queues of `exp`'s storage-queue-triggered functions.
    pub(super) fn of(exp: &Experiment, streams: &RngStreams) -> QueueTriggers {
        let fronts = exp
            .functions
            .iter()
            .map(|f| match &f.trigger {
                Some(TriggerConfig::StorageQueue(cfg)) => Some(QueueFront::new(cfg.clone())),
                _ => None,
            })
            .collect();
        let rngs = (0..exp.functions.len() as u64)
            .map(|f| streams.indexed("queue-polling", f))
            .collect();
        QueueTriggers {
            fronts,
            rngs,
            messages: SideTable::default(),
            actions: Vec::new(),
        }
    }

    /// Whether `func` is queue-triggered.
    pub(super) fn has(&self, func: FuncId) -> bool {
        self.fronts[func].is_some()
    }

    /// The queue of `func` at `now`, if it is queue-triggered.
    pub(super) fn stats(&mut self, func: FuncId, now: u64) -> Option<QueueStats> {
        self.fronts[func].as_mut().map(|q| q.stats(now))
    }

    /// Whether no queue holds a message (visible, or invisible while being processed).
    pub(super) fn all_empty(&mut self, now: u64) -> bool {
        self.fronts.iter_mut().flatten().all(|q| {
            let s = q.stats(now);
            s.visible + s.invisible == 0
        })
    }

    /// Messages of `func` no instance holds, with the oldest one's enqueue time.
    pub(super) fn waiting_at_end(&self, func: FuncId) -> (u64, Option<u64>) {
        self.fronts[func]
            .as_ref()
            .map_or((0, None), QueueFront::waiting)
    }

    /// Every queue, to tell them an instance is lost.
    pub(super) fn fronts_mut(&mut self) -> impl Iterator<Item = &mut QueueFront> {
        self.fronts.iter_mut().flatten()
    }

    /// Forgets the message of `inv` (its try was cut; the queue takes the message back when
    /// told its instance is lost). Whether `inv` was for a message.
    pub(super) fn forget(&mut self, inv: InvId) -> bool {
        self.messages.remove(inv).is_some()
    }

    fn queue_functions(&self) -> Vec<FuncId> {
        self.fronts.ids().filter(|&f| self.has(f)).collect()
    }
}

impl World {
    /// Whether `func`'s arrivals go through a storage queue.
    pub(super) fn is_queue_triggered(&self, func: FuncId) -> bool {
        self.scale.as_ref().is_some_and(|rt| rt.queues.has(func))
    }

    /// An arrival of queue-triggered `func`: a message joins its queue.
    pub(super) fn enqueue_message(&mut self, func: FuncId) {
        let now = self.now;
        let q = self.scale_rt().queues.fronts[func]
            .as_mut()
            .expect("a queue-triggered function");
        q.enqueue(now);
    }

    /// `instance` is ready: its listener of every queue polls at once.
    pub(super) fn start_queue_listeners(&mut self, id: InstanceId) {
        let now = self.now;
        for func in self.scale_rt().queues.queue_functions() {
            let queues = &mut self.scale_rt().queues;
            let mut actions = std::mem::take(&mut queues.actions);
            if let Some(q) = queues.fronts[func].as_mut() {
                q.start_listener(now, slot_of(id), &mut actions);
            }
            self.carry_out(func, actions);
        }
    }

    /// `instance` drains: its listeners poll no more.
    pub(super) fn stop_queue_listeners(&mut self, id: InstanceId) {
        if self.scale.is_none() {
            return;
        }
        for q in self.scale_rt().queues.fronts.iter_mut().flatten() {
            q.stop_listener(slot_of(id));
        }
    }

    /// A poll timer of `func`'s listener on `instance` fires.
    pub(super) fn queue_poll(&mut self, func: FuncId, id: InstanceId, ticket: u32) {
        let now = self.now;
        let queues = &mut self.scale_rt().queues;
        let mut actions = std::mem::take(&mut queues.actions);
        let (fronts, rngs) = (&mut queues.fronts, &mut queues.rngs);
        if let Some(q) = fronts[func].as_mut() {
            let ticket = Ticket(ticket as u64);
            q.poll(now, slot_of(id), ticket, &mut rngs[func], &mut actions);
        }
        self.carry_out(func, actions);
    }

    /// `inv` is answered: if it was for a message, the message is deleted, or, when the
    /// invocation failed, hidden for the visibility timeout before its next try, or moved to
    /// the poison queue after its last (its listener may fetch again). Returns the messages
    /// it settles (1 when deleted or poisoned, 0 when it will be tried again), or `None` when
    /// `inv` was not for a queue message.
    pub(super) fn queue_invocation_done(
        &mut self,
        inv: InvId,
        func: FuncId,
        id: InstanceId,
        outcome: Outcome,
    ) -> Option<u32> {
        let now = self.now;
        let queues = &mut self.scale.as_mut()?.queues;
        let message = queues.messages.remove(inv)?;
        let mut actions = std::mem::take(&mut queues.actions);
        if let Some(q) = queues.fronts[func].as_mut() {
            q.complete(now, slot_of(id), message, outcome, &mut actions);
        }
        let poisoned = actions
            .iter()
            .any(|a| matches!(a, QueueAction::Poisoned { message: m, .. } if *m == message));
        self.carry_out(func, actions);
        Some(u32::from(outcome == Outcome::Succeeded || poisoned))
    }

    /// Does what the queue of `func` asked, then hands the action buffer back.
    fn carry_out(&mut self, func: FuncId, mut actions: Vec<QueueAction>) {
        for action in actions.drain(..) {
            match action {
                QueueAction::Deliver {
                    instance,
                    message,
                    enqueued_ns,
                    ..
                } => self.deliver_message(func, instance_of_slot(instance), message, enqueued_ns),
                QueueAction::PollAt {
                    instance,
                    at_ns,
                    ticket,
                } => {
                    debug_assert!(ticket.0 <= u32::MAX as u64, "poll tickets fit in 32 bits");
                    let ev = Event::QueuePoll {
                        func,
                        instance: instance_of_slot(instance),
                        ticket: ticket.0 as u32,
                    };
                    self.schedule_periodic(at_ns.max(self.now), ev);
                }
                // A message's failed last try has its row; the poison queue only counts it.
                // One poisoned as it is received had its last tries cut with their instances
                // (a drain's grace period), so it fails for that reason, without a row.
                QueueAction::Poisoned { untried, .. } => {
                    self.recorder.poisoned += 1;
                    if untried {
                        self.recorder.failed_without_row(FailReason::DrainCut);
                    }
                }
            }
        }
        self.scale_rt().queues.actions = actions;
    }

    /// A listener received `message`: its invocation starts on `instance`, its latency
    /// counted from the enqueue.
    fn deliver_message(&mut self, func: FuncId, id: InstanceId, message: MessageId, at: u64) {
        let inv = self.new_invocation_at(func, None, at);
        self.note_delivery_wait(at);
        self.scale_rt().queues.messages.insert(inv, message);
        self.route_to(inv, id);
    }
}
