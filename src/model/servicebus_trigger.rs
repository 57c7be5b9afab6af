//! Service Bus-triggered functions under scaling: each arrival is a message enqueued on its
//! function's [`ServiceBusFront`]; each ready instance opens maxConcurrentCalls receivers
//! (times its processor count where `per_core` says so, the code's default), and the broker
//! pushes a message to each free one; its invocation's latency counts from the enqueue. When
//! the invocation is answered the message is completed and the receiver takes the next.
//!
//! A failed invocation (the function's `fails`) abandons its message: it is available again
//! at once, at the head, and its next delivery is a new invocation (a new row, its latency
//! still counted from the enqueue); after maxDeliveryCount deliveries the broker
//! dead-letters it instead (entity MaxDeliveryCount, default 10 [doc]; the reference sheet
//! does not cover Service Bus failures: UNVERIFIED there). A drained instance keeps its locks
//! until its invocations end, so no lock runs out in a run. `WakeAt` timers (a lost
//! instance's locks running out) are nonetheless carried out, as periodic events like the
//! storage queue's polls: they fire only while the run is not over (see `run_end`).

use super::event::Event;
use super::fleet::{instance_of_slot, slot_of};
use super::front::{MessageId, Outcome, ServiceBusAction, ServiceBusFront, ServiceBusStats};
use super::ids::{FuncId, IdVec, InstanceId, InvId};
use super::slab::SideTable;
use super::world::World;
use crate::config::{Experiment, TriggerConfig};
use crate::metrics::FailReason;

/// Every Service Bus front end of the app, with what the world must remember about them.
pub(super) struct ServiceBusTriggers {
    /// Per function: its entity, if it is Service Bus-triggered.
    fronts: IdVec<FuncId, Option<ServiceBusFront>>,
    /// The message each Service Bus-triggered invocation is for.
    messages: SideTable<InvId, MessageId>,
    /// Actions returned by the last call (reused).
    actions: Vec<ServiceBusAction>,
}

impl ServiceBusTriggers {
    /// The entities of `exp`'s Service Bus-triggered functions.
    pub(super) fn of(exp: &Experiment) -> ServiceBusTriggers {
        let fronts = exp
            .functions
            .iter()
            .map(|f| match &f.trigger {
                Some(TriggerConfig::ServiceBus(cfg)) => Some(ServiceBusFront::new(cfg.clone())),
                _ => None,
            })
            .collect();
        ServiceBusTriggers {
            fronts,
            messages: SideTable::default(),
            actions: Vec::new(),
        }
    }

    /// Whether `func` is Service Bus-triggered.
    pub(super) fn has(&self, func: FuncId) -> bool {
        self.fronts[func].is_some()
    }

    /// The entity of `func` at `now`, if it is Service Bus-triggered.
    pub(super) fn stats(&self, func: FuncId, now: u64) -> Option<ServiceBusStats> {
        self.fronts[func].as_ref().map(|q| q.stats(now))
    }

    /// Whether no entity holds a message (available, or locked while being processed).
    pub(super) fn all_empty(&self, now: u64) -> bool {
        self.fronts.iter().flatten().all(|q| {
            let s = q.stats(now);
            s.active + s.locked == 0
        })
    }

    /// Messages of `func` no instance holds, with the oldest one's enqueue time.
    pub(super) fn waiting_at_end(&self, func: FuncId) -> (u64, Option<u64>) {
        self.fronts[func]
            .as_ref()
            .map_or((0, None), ServiceBusFront::waiting)
    }

    /// Forgets the message of `inv` (its try was cut; the entity takes the message back when
    /// told its instance is lost). Whether `inv` was for a message.
    pub(super) fn forget(&mut self, inv: InvId) -> bool {
        self.messages.remove(inv).is_some()
    }

    /// The Service Bus-triggered functions.
    fn functions(&self) -> Vec<FuncId> {
        self.fronts.ids().filter(|&f| self.has(f)).collect()
    }
}

impl World {
    /// Whether `func`'s arrivals go through a Service Bus entity.
    pub(super) fn is_servicebus_triggered(&self, func: FuncId) -> bool {
        self.scale
            .as_ref()
            .is_some_and(|rt| rt.servicebus.has(func))
    }

    /// An arrival of Service Bus-triggered `func`: a message joins its entity, and goes at once
    /// to a free receiver if there is one.
    pub(super) fn enqueue_servicebus_message(&mut self, func: FuncId) {
        self.with_servicebus_front(func, |q, now, out| {
            q.enqueue(now, out);
        });
    }

    /// `instance` is ready: it opens its receivers on every entity and takes what waits.
    pub(super) fn servicebus_instance_ready(&mut self, id: InstanceId) {
        for func in self.scale_rt().servicebus.functions() {
            self.with_servicebus_front(func, |q, now, out| q.add_instance(now, slot_of(id), out));
        }
    }

    /// `instance` drains: it receives no new messages; those it holds still complete.
    pub(super) fn servicebus_instance_gone(&mut self, id: InstanceId) {
        if self.scale.is_none() {
            return;
        }
        for q in self.scale_rt().servicebus.fronts.iter_mut().flatten() {
            q.stop_instance(slot_of(id));
        }
    }

    /// `instance` is shut down with its invocations: the messages it held are available again
    /// once their locks run out (each counted as returned).
    pub(super) fn servicebus_lose_instance(&mut self, id: InstanceId) {
        for func in self.scale_rt().servicebus.functions() {
            let rt = self.scale_rt();
            if let Some(q) = rt.servicebus.fronts[func].as_ref() {
                rt.messages_returned += q.in_flight(slot_of(id)) as u64;
            }
            self.with_servicebus_front(func, |q, now, out| q.lose_instance(now, slot_of(id), out));
        }
    }

    /// A `WakeAt` timer of `func`'s entity fires: locks that ran out make their messages
    /// available again.
    pub(super) fn servicebus_wake(&mut self, func: FuncId) {
        self.with_servicebus_front(func, |q, now, out| q.wake(now, out));
    }

    /// `inv` is answered: if it was for a message, the message is completed, or, when the
    /// invocation failed, abandoned (available again at once, at the head) or dead-lettered
    /// after maxDeliveryCount deliveries; its receiver takes the next. Returns the messages it
    /// settles (1 when completed or dead-lettered, 0 when it will be delivered again), or
    /// `None` when `inv` was not for a Service Bus message.
    pub(super) fn servicebus_invocation_done(
        &mut self,
        inv: InvId,
        func: FuncId,
        id: InstanceId,
        outcome: Outcome,
    ) -> Option<u32> {
        let message = self.scale.as_mut()?.servicebus.messages.remove(inv)?;
        let before = self.recorder.dead_lettered;
        self.with_servicebus_front(func, |q, now, out| {
            q.complete(now, slot_of(id), message, outcome, out)
        });
        let dead_lettered = self.recorder.dead_lettered > before;
        Some(u32::from(outcome == Outcome::Succeeded || dead_lettered))
    }

    /// Calls `f` on `func`'s entity with the time and the action buffer, then carries out what
    /// it asked.
    fn with_servicebus_front(
        &mut self,
        func: FuncId,
        f: impl FnOnce(&mut ServiceBusFront, u64, &mut Vec<ServiceBusAction>),
    ) {
        let now = self.now;
        let sb = &mut self.scale_rt().servicebus;
        let mut actions = std::mem::take(&mut sb.actions);
        if let Some(q) = sb.fronts[func].as_mut() {
            f(q, now, &mut actions);
        }
        self.carry_out_servicebus(func, actions);
    }

    /// Does what the entity of `func` asked, then hands the action buffer back.
    fn carry_out_servicebus(&mut self, func: FuncId, mut actions: Vec<ServiceBusAction>) {
        for action in actions.drain(..) {
            match action {
                ServiceBusAction::Deliver {
                    instance,
                    message,
                    enqueued_ns,
                    ..
                } => {
                    let inv = self.new_invocation_at(func, None, enqueued_ns);
                    self.note_delivery_wait(enqueued_ns);
                    self.scale_rt().servicebus.messages.insert(inv, message);
                    self.route_to(inv, instance_of_slot(instance));
                }
                ServiceBusAction::WakeAt { at_ns } => {
                    let ev = Event::ServiceBusWake { func };
                    self.schedule_periodic(at_ns.max(self.now), ev);
                }
                // The message's last delivery has its row; the dead-letter queue counts it.
                // One dead-lettered when a lost instance's lock ran out had its last try cut
                // with that instance (a drain's grace period): it fails for that reason.
                ServiceBusAction::DeadLettered { untried, .. } => {
                    self.recorder.dead_lettered += 1;
                    if untried {
                        self.recorder.failed_without_row(FailReason::DrainCut);
                    }
                }
            }
        }
        self.scale_rt().servicebus.actions = actions;
    }
}
