//! Memory on each instance: the Functions host, every worker process (a bare worker plus the
//! app's imports, paid by each process and again by each restart), and every running
//! invocation (its function's `memory_mb`, held from its body's start to its answer). The
//! limit is the instance's and shared by all of them [reference sheet section 5].
//!
//! At the limit the kernel's OOM killer ends the process with the most memory (Linux picks
//! the largest resident set; ties: the lowest rank here): a worker is killed (exit 137), its
//! invocations fail as `failed:oom` (a queue message is tried again after its visibility
//! timeout), and the host starts it again after the restart delay, paying its imports again
//! (`restart`). The kill comes as its own event at the instant the limit is passed, so the
//! allocation that passed it is never cut half-way. The host itself is never the victim
//! here: an experiment whose host and workers at rest do not fit is refused before it runs.
//!
//! A process counts its memory from the instant it is ready (its start, imports included, is
//! a cold-start phase) until it is killed or its instance is removed. Memory is counted in
//! KiB, in exact integers.

use super::event::Event;
use super::ids::{Id, InstanceId, InvId, ProcessId, ProcessRank};
use super::program::Sampler;
use super::restart::Kill;
use super::world::World;
use crate::config::{Experiment, FunctionSpec, MemoryConfig};
use crate::kernel::{RngStreams, SimRng};
use crate::metrics::Gauge;

/// KiB per MB.
const KIB_PER_MB: f64 = 1024.0;

/// The run's memory rules, when it models memory.
pub(super) struct MemoryModel {
    /// The instance's limit, KiB (`None`: no limit, no OOM kill).
    limit_kib: Option<i64>,
    /// The host process, KiB.
    host_kib: i64,
    /// A worker process at rest (base and imports), KiB.
    process_kib: i64,
}

impl MemoryModel {
    /// The memory rules of `exp`, if it models memory.
    pub(super) fn of(exp: &Experiment) -> Option<Box<MemoryModel>> {
        let m: &MemoryConfig = exp.memory.as_ref()?;
        Some(Box::new(MemoryModel {
            limit_kib: m.limit_mb.map(kib),
            host_kib: kib(m.host_mb),
            process_kib: kib(m.process_mb()),
        }))
    }
}

/// `mb` in whole KiB.
fn kib(mb: f64) -> i64 {
    (mb * KIB_PER_MB).round() as i64
}

/// How much memory each invocation of a function holds: one draw per invocation, in the
/// order they arrive, from the function's own stream ("memory/<name>"), so the k-th
/// invocation holds the same whatever the plan (common random numbers across what-ifs).
pub struct MemoryDraws {
    sampler: Sampler,
    rng: SimRng,
}

impl MemoryDraws {
    /// The draws of `f`, if it holds memory.
    pub(super) fn of(f: &FunctionSpec, streams: &RngStreams) -> Option<MemoryDraws> {
        let dist = f.memory_kib.as_ref()?;
        Some(MemoryDraws {
            sampler: Sampler::new(dist),
            rng: streams.stream(&format!("memory/{}", f.name)),
        })
    }

    /// The next invocation's memory, KiB.
    pub(super) fn next_kib(&mut self) -> u32 {
        self.sampler.sample(&mut self.rng).min(u64::from(u32::MAX)) as u32
    }
}

/// What one instance holds now and has held.
#[derive(Debug, Default)]
pub(super) struct InstanceMemory {
    /// Host and workers, KiB (time-weighted).
    used: Gauge,
    /// The most it held at once, KiB.
    peak_kib: i64,
    /// Each worker process's memory, by rank, KiB.
    processes: Vec<i64>,
    /// An `OutOfMemory` event is pending for it.
    kill_pending: bool,
    /// When it was created and removed, ns (its life, for the time-weighted mean).
    life: (u64, Option<u64>),
}

/// One instance's memory over a run, for summary.json.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InstanceMemoryRecord {
    /// The most it held at once, MB.
    pub peak_mb: f64,
    /// Time-weighted mean over its life, MB.
    pub mean_mb: f64,
    /// Its life, ns (the weight of its mean in the fleet's).
    pub life_ns: u64,
}

/// Memory over a run, for summary.json: each instance's record, in instance order.
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryResult {
    /// Per instance.
    pub instances: Vec<InstanceMemoryRecord>,
}

impl InstanceMemory {
    /// Adds `delta` KiB at `now`, to process `rank` if it is a worker's.
    fn change(&mut self, now: u64, rank: Option<usize>, delta: i64) {
        self.used.add(now, delta);
        self.peak_kib = self.peak_kib.max(self.used.value());
        if let Some(r) = rank {
            if self.processes.len() <= r {
                self.processes.resize(r + 1, 0);
            }
            self.processes[r] += delta;
        }
    }

    /// The worker processes' memory, KiB (what Consumption bills).
    fn workers_kib(&self) -> i64 {
        self.processes.iter().sum()
    }

    /// The rank of the worker with the most memory (ties: the lowest rank), if any holds any.
    fn largest_worker(&self) -> Option<usize> {
        let (rank, &kib) = self
            .processes
            .iter()
            .enumerate()
            .rev()
            .max_by_key(|(_, &kib)| kib)?;
        (kib > 0).then_some(rank)
    }

    /// Its record for a run that ended at `end`.
    fn record(&self, end: u64) -> InstanceMemoryRecord {
        let until = self.life.1.unwrap_or(end);
        let life = until.saturating_sub(self.life.0);
        let mean_kib = if life > 0 {
            self.used.area(until) as f64 / life as f64
        } else {
            self.used.value() as f64
        };
        InstanceMemoryRecord {
            peak_mb: self.peak_kib as f64 / KIB_PER_MB,
            mean_mb: mean_kib / KIB_PER_MB,
            life_ns: life,
        }
    }
}

impl World {
    /// Every instance's memory at the end of the run, if the run models memory.
    pub(super) fn memory_result(&self) -> Option<MemoryResult> {
        self.memory.as_ref()?;
        let instances = self
            .instances
            .iter()
            .map(|i| i.memory.record(self.now))
            .collect();
        Some(MemoryResult { instances })
    }

    /// Every instance's memory integrated from t = 0 to `now`, KiB x ns, if the run models
    /// memory (the time series' `memory_mb`).
    pub(super) fn memory_area(&self, now: u64) -> Option<i128> {
        self.memory.as_ref()?;
        Some(self.instances.iter().map(|i| i.memory.used.area(now)).sum())
    }

    /// Instance `id` was created: its host holds its memory from now.
    pub(super) fn memory_instance_up(&mut self, id: InstanceId) {
        let Some(host_kib) = self.memory.as_ref().map(|m| m.host_kib) else {
            return;
        };
        let now = self.now;
        let mem = &mut self.instances[id].memory;
        mem.life = (now, None);
        mem.change(now, None, host_kib);
    }

    /// Worker `p` is ready: it holds its base and imports from now.
    pub(super) fn memory_process_up(&mut self, p: ProcessId) {
        let Some(kib) = self.memory.as_ref().map(|m| m.process_kib) else {
            return;
        };
        self.memory_change(p, kib);
    }

    /// `inv`'s body starts on its process: it holds its memory from now.
    pub(super) fn memory_body_started(&mut self, inv: InvId) {
        let kib = i64::from(self.invs[inv].memory_kib);
        if kib > 0 {
            self.memory_change(self.process_of(inv), kib);
        }
    }

    /// `inv` ends: the memory its body held is freed.
    pub(super) fn memory_released(&mut self, inv: InvId) {
        let i = &self.invs[inv];
        let kib = i64::from(i.memory_kib);
        if let (true, Some(p), Some(_)) = (kib > 0, i.process, i.start) {
            self.memory_change(p, -kib);
        }
    }

    /// Worker `p` is gone (killed): whatever it still held is freed.
    pub(super) fn memory_process_down(&mut self, p: ProcessId) {
        let (id, rank) = (self.processes[p].instance, self.processes[p].rank.index());
        let held = self.instances[id]
            .memory
            .processes
            .get(rank)
            .copied()
            .unwrap_or(0);
        if held != 0 {
            self.memory_change(p, -held);
        }
    }

    /// Instance `id` is removed: it holds nothing from now.
    pub(super) fn memory_instance_gone(&mut self, id: InstanceId) {
        let now = self.now;
        let mem = &mut self.instances[id].memory;
        mem.used.set(now, 0);
        mem.processes.iter_mut().for_each(|kib| *kib = 0);
        mem.life.1 = Some(now);
        self.recorder.usage.worker_memory(id.index(), now, 0);
    }

    /// Adds `delta` KiB to worker `p` and its instance; past the limit, a kill is scheduled.
    fn memory_change(&mut self, p: ProcessId, delta: i64) {
        let (id, rank) = (self.processes[p].instance, self.processes[p].rank.index());
        let now = self.now;
        let mem = &mut self.instances[id].memory;
        mem.change(now, Some(rank), delta);
        let workers = mem.workers_kib();
        self.recorder.usage.worker_memory(id.index(), now, workers);
        if self.over_limit(id) && !self.instances[id].memory.kill_pending {
            self.instances[id].memory.kill_pending = true;
            self.push(now, Event::OutOfMemory { instance: id });
        }
    }

    /// Whether `id` holds more than its limit.
    fn over_limit(&self, id: InstanceId) -> bool {
        let limit = self.memory.as_ref().and_then(|m| m.limit_kib);
        limit.is_some_and(|l| self.instances[id].memory.used.value() > l)
    }

    /// The OOM killer on `id`: while it is over its limit, the largest worker is killed and
    /// restarted (see the module docs).
    pub(super) fn out_of_memory(&mut self, id: InstanceId) {
        self.instances[id].memory.kill_pending = false;
        while self.over_limit(id) {
            let Some(rank) = self.instances[id].memory.largest_worker() else {
                return;
            };
            let p = self.instances[id].processes[ProcessRank::from_index(rank)];
            self.restart_process(p, Kill::OutOfMemory);
        }
    }
}
