//! Event Hubs-triggered functions under scaling: each arrival is an event, put on the next
//! partition round robin by the function's [`EventHubsFront`]; each partition is owned by at
//! most one ready instance, which reads it in batches of up to maxEventBatchSize, one batch
//! at a time and in order, and checkpoints (see the front end for the balancing rule). A
//! batch is one invocation, on its owner, whose latency counts from the enqueue of its oldest
//! event; it settles its events (each counted once, even when a partition that changed owner
//! is read again from its checkpoint). The scale controller sees the events not yet
//! checkpointed ("unprocessed events") and, through its trigger kind, the partitions, so a
//! target-based want is rounded up to a valid worker count.
//!
//! A batch whose invocation fails (the function's `fails`) is not tried again: the partition
//! checkpoints and moves on, its events settled as failed. This is the Functions Event Hubs
//! extension's default: the trigger checkpoints whatever the function did, and only an
//! optional retry policy (not modelled) would run it again [doc functions-bindings-error-pages
//! "Azure Functions error handling and retries"; 3rd issue Azure/Azure-Functions#947 "Event
//! Hub-triggered function always checkpoints"]. The project's reference sheet
//! (`azure-functions-python.md`) says nothing about Event Hubs failures: UNVERIFIED there.
//!
//! Nothing here keeps time: the front end answers at once, so Event Hubs needs no timers.

use super::fleet::{instance_of_slot, slot_of};
use super::front::{EventHubsAction, EventHubsFront, MessageId, PartitionId};
use super::ids::{FuncId, IdVec, InstanceId, InvId};
use super::slab::SideTable;
use super::world::World;
use crate::config::{Experiment, TriggerConfig};

/// The batch an Event Hubs invocation processes.
#[derive(Debug, Clone, Copy)]
struct Batch {
    /// Whose hub.
    func: FuncId,
    /// The front end's id of the batch.
    id: MessageId,
    /// Whose partition.
    partition: PartitionId,
    /// Sequence number after its last event.
    end_seq: u64,
    /// Its events no earlier batch settled (the arrivals it holds).
    fresh: u32,
}

/// One hub's front end and the events of each partition already settled.
struct Hub {
    front: EventHubsFront,
    /// Per partition: events settled (their sequence numbers are below this).
    settled: Vec<u64>,
    /// Events enqueued.
    enqueued: u64,
}

/// Every Event Hubs front end of the app, with what the world must remember about them.
pub(super) struct EventHubsTriggers {
    /// Per function: its hub, if it is Event Hubs-triggered.
    hubs: IdVec<FuncId, Option<Hub>>,
    /// The batch each Event Hubs-triggered invocation processes.
    batches: SideTable<InvId, Batch>,
    /// Actions returned by the last call (reused).
    actions: Vec<EventHubsAction>,
}

/// What the controller and the time series see of a hub at one instant.
#[derive(Debug, Clone, Copy)]
pub(super) struct HubStats {
    /// Its partitions.
    pub(super) partitions: u32,
    /// Events not yet checkpointed, over all partitions (the scale controller's length).
    pub(super) unprocessed: u64,
    /// Age of the oldest event no owner has read yet, ns (0 when none waits).
    pub(super) oldest_unread_age_ns: u64,
}

impl EventHubsTriggers {
    /// The hubs of `exp`'s Event Hubs-triggered functions.
    pub(super) fn of(exp: &Experiment) -> EventHubsTriggers {
        let hubs = exp
            .functions
            .iter()
            .map(|f| match &f.trigger {
                Some(TriggerConfig::EventHubs(cfg)) => Some(Hub {
                    settled: vec![0; cfg.partitions.max(1) as usize],
                    front: EventHubsFront::new(cfg.clone()),
                    enqueued: 0,
                }),
                _ => None,
            })
            .collect();
        EventHubsTriggers {
            hubs,
            batches: SideTable::default(),
            actions: Vec::new(),
        }
    }

    /// Whether `func` is Event Hubs-triggered.
    pub(super) fn has(&self, func: FuncId) -> bool {
        self.hubs[func].is_some()
    }

    /// The hub of `func` at `now`, if it is Event Hubs-triggered.
    pub(super) fn stats(&self, func: FuncId, now: u64) -> Option<HubStats> {
        let hub = self.hubs[func].as_ref()?;
        Some(HubStats {
            partitions: hub.settled.len() as u32,
            unprocessed: hub.front.total_unprocessed() as u64,
            oldest_unread_age_ns: hub
                .front
                .oldest_unread_enqueued()
                .map_or(0, |t| now.saturating_sub(t)),
        })
    }

    /// Whether no hub has an event left to read or a batch being processed.
    pub(super) fn all_idle(&self) -> bool {
        self.hubs.iter().flatten().all(|h| h.front.is_idle())
    }

    /// Arrivals the invocation `inv` holds: its batch's fresh events, if it is a batch.
    pub(super) fn held_by(&self, inv: InvId) -> Option<u32> {
        self.batches.get(inv).map(|b| b.fresh)
    }

    /// Events of `func` not settled and not held by a running batch, with the enqueue time
    /// of the oldest unread one: what is still waiting when the run stops.
    pub(super) fn waiting_at_end(&self, func: FuncId) -> (u64, Option<u64>) {
        let Some(hub) = self.hubs[func].as_ref() else {
            return (0, None);
        };
        let settled: u64 = hub.settled.iter().sum();
        let running: u64 = self
            .batches
            .values()
            .filter(|b| b.func == func)
            .map(|b| u64::from(b.fresh))
            .sum();
        let waiting = hub.enqueued.saturating_sub(settled + running);
        (waiting, hub.front.oldest_unread_enqueued())
    }

    /// The Event Hubs-triggered functions.
    fn functions(&self) -> Vec<FuncId> {
        self.hubs.ids().filter(|&f| self.has(f)).collect()
    }
}

impl World {
    /// Whether `func`'s arrivals are events of an event hub.
    pub(super) fn is_eventhubs_triggered(&self, func: FuncId) -> bool {
        self.scale.as_ref().is_some_and(|rt| rt.eventhubs.has(func))
    }

    /// An arrival of Event Hubs-triggered `func`: an event joins the next partition, and its
    /// owner reads it at once if it is idle.
    pub(super) fn enqueue_event(&mut self, func: FuncId) {
        self.with_hub(func, |hub, now, out| {
            hub.enqueued += 1;
            hub.front.enqueue(now, out);
        });
    }

    /// `instance` is ready: partitions are balanced again and it reads the ones it gets.
    pub(super) fn eventhubs_instance_ready(&mut self, id: InstanceId) {
        for func in self.scale_rt().eventhubs.functions() {
            self.with_hub(func, |hub, _, out| hub.front.add_instance(slot_of(id), out));
        }
    }

    /// `instance` drains: its partitions move to the others once their running batches end.
    pub(super) fn eventhubs_instance_gone(&mut self, id: InstanceId) {
        if self.scale.is_none() {
            return;
        }
        for func in self.scale_rt().eventhubs.functions() {
            self.with_hub(func, |hub, _, out| {
                hub.front.stop_instance(slot_of(id), out)
            });
        }
    }

    /// `inv` ended, succeeded or failed alike (a failed batch is not retried): if it was a
    /// batch, its partition moves on (the next batch, a checkpoint when due) and its fresh
    /// events are settled. Returns the events it settles.
    pub(super) fn eventhubs_invocation_done(&mut self, inv: InvId) -> Option<u32> {
        let rt = self.scale.as_mut()?;
        let batch = rt.eventhubs.batches.remove(inv)?;
        self.with_hub(batch.func, |hub, _, out| {
            let settled = &mut hub.settled[batch.partition.index()];
            *settled = (*settled).max(batch.end_seq);
            hub.front.complete(batch.id, out);
        });
        Some(batch.fresh)
    }

    /// Calls `f` on `func`'s hub with the time and the action buffer, then carries out what
    /// it asked.
    fn with_hub(&mut self, func: FuncId, f: impl FnOnce(&mut Hub, u64, &mut Vec<EventHubsAction>)) {
        let now = self.now;
        let eh = &mut self.scale_rt().eventhubs;
        let mut actions = std::mem::take(&mut eh.actions);
        if let Some(hub) = eh.hubs[func].as_mut() {
            f(hub, now, &mut actions);
        }
        for action in actions.drain(..) {
            self.start_batch(func, action);
        }
        self.scale_rt().eventhubs.actions = actions;
    }

    /// The owner of a partition reads a batch: one invocation on it, its latency counted
    /// from the oldest event's enqueue.
    fn start_batch(&mut self, func: FuncId, action: EventHubsAction) {
        let EventHubsAction::Deliver {
            instance,
            partition,
            batch,
            events,
            oldest_enqueued_ns,
            first_seq,
        } = action;
        let end_seq = first_seq + u64::from(events);
        let eh = &self.scale_rt().eventhubs;
        let settled = eh.hubs[func]
            .as_ref()
            .map_or(0, |h| h.settled[partition.index()]);
        let fresh = end_seq.saturating_sub(settled.max(first_seq)) as u32;
        let inv = self.new_invocation_at(func, None, oldest_enqueued_ns);
        let b = Batch {
            func,
            id: batch,
            partition,
            end_seq,
            fresh,
        };
        self.scale_rt().eventhubs.batches.insert(inv, b);
        self.note_delivery_wait(oldest_enqueued_ns);
        self.route_to(inv, instance_of_slot(instance));
    }
}
