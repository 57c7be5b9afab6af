//! One host instance: the cores its worker processes share, the list of those processes, and
//! the host's dispatcher that spreads the invocations routed to the instance over the ready ones.
//!
//! The processes themselves live in the world's arena (`World::processes`) and the instance
//! holds their ids. A thread names its process, and the GIL, thread and loop code reaches the
//! process with one index, as it did when the world was a single instance; a process names its
//! instance and its rank (its place in the instance's list, and its account on the instance's
//! cores), so the code that needs the cores finds them in two steps. Keeping the processes
//! inside each instance would put an instance lookup on every GIL and queue operation instead.

use super::cpu::Cores;
use super::ids::{IdVec, InstanceId, InvId, ProcessId, ProcessRank};
use super::world::World;
use crate::metrics::{Gauge, HandoverPlacement, StallTally};
use std::collections::VecDeque;

/// One host instance of the app.
pub(super) struct Instance {
    /// The cores, shared by the threads of all its processes.
    pub(super) cores: Cores,
    /// How many cores (fractional on small plans).
    pub(super) cores_capacity: f64,
    /// When the pending `CpuTick` of these cores fires, if one is pending.
    pub(super) cpu_armed: Option<u64>,
    /// Its worker processes, by rank.
    pub(super) processes: IdVec<ProcessRank, ProcessId>,
    /// The round robin over its ready processes.
    dispatcher: RoundRobin,
    /// Invocations routed here while no process was ready, oldest first.
    waiting: VecDeque<InvId>,
    /// Invocations routed here whose body has not started (time-weighted).
    pub(super) queued: Gauge,
    /// Its thread-pool and default-executor threads with work (time-weighted).
    pub(super) busy_threads: Gauge,
    /// Where it is in its life (see `fleet`).
    pub(super) state: InstanceState,
    /// Exists from t = 0 and is never drained.
    pub(super) always_ready: bool,
    /// Invocations placed on it and not yet answered.
    pub(super) in_flight: u32,
    /// Its cores may have changed during the current event (see `World::note_cpu_touched`).
    pub(super) cpu_touched: bool,
    /// What its host and workers hold (see `memory`).
    pub(super) memory: super::memory::InstanceMemory,
}

/// The life of an instance: requested (at once allocating) -> allocating -> host starting ->
/// workers starting -> ready (its first worker process is up) -> draining (no new work) ->
/// removed (its last invocation answered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum InstanceState {
    /// Being allocated by the platform.
    Allocating,
    /// The Functions host is starting.
    HostStarting,
    /// Worker processes are starting, one after another; none is up yet.
    WorkersStarting,
    /// Taking work.
    Ready,
    /// Finishing its invocations; takes no new work.
    Draining,
    /// Gone.
    Removed,
}

impl Instance {
    /// An instance with `capacity` cores for `processes` processes (added with
    /// [`Instance::add_process`]), each context switch costing `switch_cost_ns`.
    pub(super) fn new(capacity: f64, processes: usize, switch_cost_ns: u64) -> Instance {
        Instance {
            cores: Cores::new(capacity, processes, switch_cost_ns),
            cores_capacity: capacity,
            cpu_armed: None,
            processes: IdVec::default(),
            dispatcher: RoundRobin::default(),
            waiting: VecDeque::new(),
            queued: Gauge::default(),
            busy_threads: Gauge::default(),
            state: InstanceState::Ready,
            always_ready: true,
            in_flight: 0,
            cpu_touched: false,
            memory: Default::default(),
        }
    }

    /// Adds process `p` (not ready yet) and returns its rank on this instance.
    pub(super) fn add_process(&mut self, p: ProcessId) -> ProcessRank {
        self.processes.push(p)
    }

    /// Process `p` has started: from now on the dispatcher gives it invocations.
    pub(super) fn process_ready(&mut self, p: ProcessId) {
        self.dispatcher.ready.push(p);
    }

    /// Process `p` is down (it restarts): the dispatcher sends it nothing until it is ready
    /// again.
    pub(super) fn process_down(&mut self, p: ProcessId) {
        self.dispatcher.ready.retain(|&q| q != p);
    }

    /// The process the next invocation goes to, or `None` while no process is ready.
    pub(super) fn pick_process(&mut self) -> Option<ProcessId> {
        self.dispatcher.next()
    }

    /// Keeps `inv` until a process is ready (see [`Instance::next_waiting`]).
    pub(super) fn wait(&mut self, inv: InvId) {
        self.waiting.push_back(inv);
    }

    /// Takes every invocation waiting for a ready process (the instance is being shut down).
    pub(super) fn take_waiting(&mut self) -> Vec<InvId> {
        std::mem::take(&mut self.waiting).into()
    }

    /// The oldest invocation waiting for a ready process and the process it goes to, if one is
    /// ready.
    pub(super) fn next_waiting(&mut self) -> Option<(InvId, ProcessId)> {
        if self.waiting.is_empty() {
            return None;
        }
        let p = self.dispatcher.next()?;
        self.waiting.pop_front().map(|inv| (inv, p))
    }
}

impl World {
    /// The instance process `p` runs on.
    #[inline(always)]
    pub(super) fn instance_of(&mut self, p: ProcessId) -> &mut Instance {
        let i = self.processes[p].instance;
        self.note_cpu_touched(i);
        &mut self.instances[i]
    }

    /// Remembers that `instance`'s cores may have changed during this event, so that
    /// `arm_cpu` looks at them (and only at such instances).
    #[inline(always)]
    pub(super) fn note_cpu_touched(&mut self, i: InstanceId) {
        let inst = &mut self.instances[i];
        if !inst.cpu_touched {
            inst.cpu_touched = true;
            self.cpu_touched.push(i);
        }
    }

    /// Core-ns used on every instance up to `now`.
    pub(super) fn fleet_busy_core_ns(&mut self, now: u64) -> f64 {
        self.instances
            .iter_mut()
            .fold(0.0, |sum, i| sum + i.cores.busy_core_ns(now))
    }

    /// Core-ns every instance's cores idled up to `now` while a runnable thread waited for a
    /// CPU, when the cores place threads on CPUs (`None` otherwise).
    pub(super) fn fleet_idle_while_waiting_ns(&mut self, now: u64) -> Option<f64> {
        self.instances
            .iter_mut()
            .filter_map(|i| i.cores.idle_while_waiting_ns(now))
            .reduce(|a, b| a + b)
    }

    /// The stalls of every instance's cores up to `now`, when the cores place threads on CPUs.
    pub(super) fn fleet_stalls(&mut self, now: u64) -> Option<StallTally> {
        self.instances
            .iter_mut()
            .filter_map(|i| i.cores.stalls(now))
            .reduce(StallTally::plus)
    }

    /// Where the GIL hand-overs between body threads ran, over the fleet's instances, when the
    /// cores place threads on CPUs.
    pub(super) fn fleet_handover_placement(&self) -> Option<HandoverPlacement> {
        self.instances
            .iter()
            .filter_map(|i| i.cores.handover_placement())
            .reduce(HandoverPlacement::plus)
    }

    /// The cores of every instance.
    pub(super) fn fleet_cores(&self) -> f64 {
        self.instances
            .iter()
            .fold(0.0, |sum, i| sum + i.cores_capacity)
    }
}

/// The host's load balancer (RpcFunctionInvocationDispatcherLoadBalancer): one counter for all
/// functions, incremented for every invocation placed, picks `counter % ready`, blind to load.
#[derive(Default)]
struct RoundRobin {
    counter: u64,
    /// Ready processes, in the order they became ready.
    ready: Vec<ProcessId>,
}

impl RoundRobin {
    /// The next ready process in turn, or `None` (the counter unchanged) when none is ready.
    fn next(&mut self) -> Option<ProcessId> {
        if self.ready.is_empty() {
            return None;
        }
        self.counter += 1;
        let turn = self.counter % self.ready.len() as u64;
        Some(self.ready[turn as usize])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ids::Id;

    #[test]
    fn round_robin_starts_at_the_second_ready_process_and_cycles() {
        let mut rr = RoundRobin::default();
        assert_eq!(rr.next(), None);
        for p in 0..3 {
            rr.ready.push(ProcessId::from_index(p));
        }
        let picks: Vec<usize> = (0..4).map(|_| rr.next().unwrap().index()).collect();
        assert_eq!(picks, vec![1, 2, 0, 1]);
    }

    #[test]
    fn invocations_wait_until_a_process_is_ready() {
        let mut inst = Instance::new(1.0, 1, 0);
        let p = ProcessId::from_index(0);
        inst.add_process(p);
        assert_eq!(inst.pick_process(), None);
        let inv = InvId::from_index(7);
        inst.wait(inv);
        assert_eq!(inst.next_waiting(), None);
        inst.process_ready(p);
        assert_eq!(inst.next_waiting(), Some((inv, p)));
        assert_eq!(inst.next_waiting(), None);
    }
}
