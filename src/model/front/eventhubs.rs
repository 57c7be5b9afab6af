//! The Event Hubs front end: events spread round robin over P partitions; each partition is
//! owned by at most one instance, which reads it in batches of up to maxEventBatchSize, one
//! batch at a time and in order, checkpointing every batchCheckpointFrequency batches. A
//! partition that changes owner is read again from its last checkpoint (at-least-once).
//!
//! Balancing rule (sim's, after the Event Processor's goal of an even spread; the SDK gets
//! there by claiming one partition per 10 s cycle, which sim does at once: UNVERIFIED how long
//! it takes): with N instances in slot order, the first P mod N own ceil(P/N) partitions and
//! the rest floor(P/N); a partition keeps its owner while that owner is present and within its
//! share, the others go, in partition order, to the instances below their share. Ownership
//! moves when instances come and go; a partition whose batch is running moves only once that
//! batch ends, so two instances never process one partition at once. With more instances than
//! partitions the extra ones own nothing ([`valid_worker_counts`]).

use super::{InstanceSlot, MessageId, PartitionId, PerInstance};
use crate::config::EventHubsConfig;
use crate::model::ids::Id;
use std::collections::{HashMap, VecDeque};

/// What the World must do after a call to the Event Hubs front end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventHubsAction {
    /// Start one invocation for a batch of `events` events of `partition` on `instance`; call
    /// `complete(batch)` when it ends.
    Deliver {
        /// The owner.
        instance: InstanceSlot,
        /// Which partition.
        partition: PartitionId,
        /// The batch's id.
        batch: MessageId,
        /// Events in the batch, 1..=maxEventBatchSize.
        events: u32,
        /// Enqueue time of its first (oldest) event.
        oldest_enqueued_ns: u64,
        /// Sequence number of its first event within the partition, from 0: a batch read
        /// again after a move starts at or before events an earlier batch already had.
        first_seq: u64,
    },
}

/// One partition: its events since the last checkpoint and who reads it.
#[derive(Debug, Clone, Default)]
struct Partition {
    /// Enqueue times of the events after the checkpoint, oldest first.
    events: VecDeque<u64>,
    /// Sequence number of `events[0]`: events checkpointed so far.
    checkpointed: u64,
    /// Of those, how many the owner has read (delivered in batches).
    read: usize,
    in_flight: Option<(MessageId, usize)>,
    batches_since_checkpoint: u32,
    owner: Option<InstanceSlot>,
    /// The owner it gets once its running batch ends.
    next_owner: Option<Option<InstanceSlot>>,
}

/// The hub's partitions and the instances that own them.
#[derive(Debug)]
pub struct EventHubsFront {
    cfg: EventHubsConfig,
    partitions: Vec<Partition>,
    /// Present instances; `false` once draining (they own nothing more).
    instances: PerInstance<bool>,
    batches: HashMap<MessageId, PartitionId>,
    next_partition: u32,
    next_batch: u64,
}

impl EventHubsFront {
    /// An empty hub with these settings.
    pub fn new(cfg: EventHubsConfig) -> EventHubsFront {
        EventHubsFront {
            partitions: vec![Partition::default(); cfg.partitions.max(1) as usize],
            cfg,
            instances: PerInstance::default(),
            batches: HashMap::new(),
            next_partition: 0,
            next_batch: 0,
        }
    }

    /// An event arrives at `now`, on the next partition round robin.
    pub fn enqueue(&mut self, now: u64, out: &mut Vec<EventHubsAction>) -> PartitionId {
        let p = PartitionId(self.next_partition);
        self.next_partition = (self.next_partition + 1) % self.partitions.len() as u32;
        self.partitions[p.index()].events.push_back(now);
        self.start_batch(p, out);
        p
    }

    /// `instance` is ready: partitions are balanced again and it reads the ones it gets.
    pub fn add_instance(&mut self, instance: InstanceSlot, out: &mut Vec<EventHubsAction>) {
        self.instances.insert(instance, true);
        self.rebalance(out);
    }

    /// `instance` drains: its partitions move to the others once their running batches end.
    pub fn stop_instance(&mut self, instance: InstanceSlot, out: &mut Vec<EventHubsAction>) {
        if let Some(active) = self.instances.get_mut(instance) {
            *active = false;
        }
        self.rebalance(out);
    }

    /// `instance` is gone with its invocations: its running batches are dropped (the World
    /// fails them) and its partitions, read again from their checkpoints, move at once.
    pub fn lose_instance(&mut self, instance: InstanceSlot, out: &mut Vec<EventHubsAction>) {
        self.instances.remove(instance);
        for p in &mut self.partitions {
            if p.owner == Some(instance) {
                if let Some((batch, _)) = p.in_flight.take() {
                    self.batches.remove(&batch);
                }
                p.owner = None;
                p.read = 0;
            }
        }
        self.rebalance(out);
    }

    /// The invocation for `batch` ended (succeeded or failed alike: Event Hubs does not
    /// retry): the partition moves on, checkpoints when due, and reads its next batch.
    pub fn complete(&mut self, batch: MessageId, out: &mut Vec<EventHubsAction>) {
        let Some(pid) = self.batches.remove(&batch) else {
            return;
        };
        let every = self.cfg.batch_checkpoint_frequency;
        let p = &mut self.partitions[pid.index()];
        p.in_flight = None;
        p.batches_since_checkpoint += 1;
        if p.batches_since_checkpoint >= every {
            p.events.drain(..p.read);
            p.checkpointed += p.read as u64;
            p.read = 0;
            p.batches_since_checkpoint = 0;
        }
        if let Some(owner) = p.next_owner.take() {
            move_to(p, owner);
        }
        self.start_batch(pid, out);
    }

    /// Hands the owner of `pid` its next batch, if it is idle and has unread events.
    fn start_batch(&mut self, pid: PartitionId, out: &mut Vec<EventHubsAction>) {
        let max = self.cfg.max_event_batch_size as usize;
        let p = &mut self.partitions[pid.index()];
        let (Some(instance), None) = (p.owner, p.in_flight) else {
            return;
        };
        let unread = p.events.len() - p.read;
        if unread == 0 {
            return;
        }
        let events = unread.min(max);
        let batch = MessageId(self.next_batch);
        self.next_batch += 1;
        let oldest_enqueued_ns = p.events[p.read];
        let first_seq = p.checkpointed + p.read as u64;
        p.read += events;
        p.in_flight = Some((batch, events));
        self.batches.insert(batch, pid);
        out.push(EventHubsAction::Deliver {
            instance,
            partition: pid,
            batch,
            events: events as u32,
            oldest_enqueued_ns,
            first_seq,
        });
    }

    /// Moves partitions so each active instance owns its share (see the module docs).
    fn rebalance(&mut self, out: &mut Vec<EventHubsAction>) {
        let target = self.balanced_owners();
        for (i, owner) in target.into_iter().enumerate() {
            let p = &mut self.partitions[i];
            let current = p.next_owner.unwrap_or(p.owner);
            if current == owner {
                continue;
            }
            if p.in_flight.is_some() {
                p.next_owner = Some(owner);
            } else {
                p.next_owner = None;
                move_to(p, owner);
                self.start_batch(PartitionId::from_index(i), out);
            }
        }
    }

    /// The owner each partition should have.
    fn balanced_owners(&self) -> Vec<Option<InstanceSlot>> {
        let active: Vec<InstanceSlot> = self
            .instances
            .iter()
            .filter(|(_, a)| **a)
            .map(|(s, _)| s)
            .collect();
        let mut target = vec![None; self.partitions.len()];
        if active.is_empty() {
            return target;
        }
        let (n, parts) = (active.len(), self.partitions.len());
        let share = |k: usize| parts / n + usize::from(k < parts % n);
        let mut owned = vec![0usize; n];
        for (i, p) in self.partitions.iter().enumerate() {
            let current = p.next_owner.unwrap_or(p.owner);
            if let Some(k) = current.and_then(|o| active.iter().position(|a| *a == o)) {
                if owned[k] < share(k) {
                    owned[k] += 1;
                    target[i] = Some(active[k]);
                }
            }
        }
        for slot in target.iter_mut().filter(|t| t.is_none()) {
            if let Some(k) = (0..n).find(|k| owned[*k] < share(*k)) {
                owned[k] += 1;
                *slot = Some(active[k]);
            }
        }
        target
    }

    /// Events of `partition` not yet checkpointed (what the scale controller reads).
    pub fn unprocessed(&self, partition: PartitionId) -> usize {
        self.partitions
            .get(partition.index())
            .map_or(0, |p| p.events.len())
    }

    /// Events not yet checkpointed, over all partitions.
    pub fn total_unprocessed(&self) -> usize {
        self.partitions.iter().map(|p| p.events.len()).sum()
    }

    /// Events no owner has read yet, over all partitions (what waits outside the instances).
    pub fn total_unread(&self) -> usize {
        self.partitions
            .iter()
            .map(|p| p.events.len() - p.read)
            .sum()
    }

    /// Enqueue time of the oldest event no owner has read yet, over all partitions.
    pub fn oldest_unread_enqueued(&self) -> Option<u64> {
        self.partitions
            .iter()
            .filter_map(|p| p.events.get(p.read).copied())
            .min()
    }

    /// Whether no partition has an unread event or a batch being processed.
    pub fn is_idle(&self) -> bool {
        self.partitions
            .iter()
            .all(|p| p.read == p.events.len() && p.in_flight.is_none())
    }

    /// Who owns `partition` now.
    pub fn owner(&self, partition: PartitionId) -> Option<InstanceSlot> {
        self.partitions.get(partition.index()).and_then(|p| p.owner)
    }

    /// Partitions `instance` owns now.
    pub fn owned_by(&self, instance: InstanceSlot) -> usize {
        self.partitions
            .iter()
            .filter(|p| p.owner == Some(instance))
            .count()
    }
}

/// Gives `p` to `owner`, who reads it again from its checkpoint.
fn move_to(p: &mut Partition, owner: Option<InstanceSlot>) {
    if p.owner != owner {
        p.owner = owner;
        p.read = 0;
        p.batches_since_checkpoint = 0;
    }
}

/// The instance counts target-based scaling may ask for with `partitions` partitions: the
/// distinct values of ceil(P / c) for c = 1..=P, ascending, so never more than P.
/// [code EventHubsTargetScaler.cs]
pub fn valid_worker_counts(partitions: u32) -> Vec<u32> {
    let mut counts: Vec<u32> = (1..=partitions).map(|c| partitions.div_ceil(c)).collect();
    counts.sort_unstable();
    counts.dedup();
    counts
}
