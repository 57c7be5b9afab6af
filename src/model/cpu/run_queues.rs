//! Per-CPU run queues with home CPUs: where the cores run a woken thread under
//! [`Placement::HomeCpu`](crate::config::Placement::HomeCpu).
//!
//! Each thread has a home CPU, the one it last ran on; before its first run, the one it was
//! created on: Linux places a new thread on the idlest CPU (fork balancing), so the threads a
//! process starts one after another alternate over the CPUs, each process from a CPU of its
//! own ([`RunQueues::seat_created`]). A thread woken while its home CPU is busy
//! and another CPU idles is queued on its home CPU, as the measured 2-vCPU VM does
//! (`notebooks/measurements/sched-placement-2026-12-03`: 92-94% of such wake-ups), unless the
//! idle CPU takes it ([`IDLE_CPU_TAKES_WAKE`]); a thread handed the GIL by one of its own
//! process on another CPU may be placed beside its waker (`wake_affine`). On its CPU Linux
//! 6.18's EEVDF decides (`eevdf`): the woken thread takes the CPU at once if the thread
//! running there is no longer eligible once the woken one's lag is counted, or if its own
//! deadline is earlier; otherwise it waits for the running thread's deadline, every base
//! slice from when that one took the CPU: 0.70 ms x (1 + log2 CPUs), 1.4 ms on 2 vCPUs
//! ([`slice_ns`]), the first slice protected outright (RUN_TO_PARITY). A thread switched out
//! waits on that CPU in turn, owed the time it waits. With no CPU idle, a woken run shorter
//! than one slice (a step of the dispatch path, a moment's C) waits for its turn there too;
//! a longer one time-shares its CPU at once, since over a slice or more the turns EEVDF gives
//! it add up to processor sharing's share. On two to four busy processes the measured threads
//! wait in the run queue where sim's used to share the cores at once, and the request's way
//! from the receiver to the body was 2-4 ms longer than sim's
//! (`notebooks/measurements/sched-multi-2026-12-07`). The host process's work is not on these
//! queues and never holds a woken thread back: it is many short runs of the host's own
//! threads, each soon asleep.
//!
//! A CPU going idle does not take a queued thread at once: the VM balances only at its 4 ms
//! scheduler tick (`notebooks/measurements/pull-latency-2026-12-04`; `settle`), which fires on
//! every CPU at the same instants, so the first chance comes at the next of them: anywhere
//! from a moment to a whole tick after a thread began to wait, half a tick on average. There, as
//! Linux's `can_migrate_task` does, the idle CPU pulls a waiting thread that has not run for
//! the migration cost, 0.5 ms ([`MIGRATION_COST_NS`]), and leaves a cache-hot one where it is,
//! which moves only about a half per tick ([`PULL_PER_TICK`]: two CPU-bound threads sharing
//! one CPU, each switched out moments before the tick). So a GIL hand-over that wakes the new
//! holder on the other process's CPU, where it preempts that process's holder, leaves the
//! waker's CPU idle until the next tick moves the preempted thread over (the `perf sched`
//! record of a 2 x 6 burst, `notebooks/measurements/sched-burst-2026-12-04`: 82 idle
//! stretches, the longest 4.24 ms): this is where a process of several CPU threads loses cores
//! beside another process.
//!
//! The rates stay those of processor sharing over all running threads (`Cores`): these queues
//! only decide which runnable thread waits, and for how long.

use super::super::ids::{CoreSlot, ProcessRank};
use super::eevdf::{CpuQueue, Standing};
use super::handovers::HandoverTally;
use super::wake_affine::ThreadKind;
use super::wake_affine::{brief_waker_cpu_chance, waker_cpu_chance, WokenBy};
use crate::kernel::SimRng;
use crate::metrics::{HandoverPlacement, StallTally};
use rand::Rng;

mod settle;

/// No home recorded: the thread has not run yet (its home is the CPU it was created on).
const NO_CPU: u32 = u32::MAX;

/// No run recorded: the thread has not run yet (it is cache-cold).
const NEVER_RAN: u64 = u64::MAX;

/// Of the wake-ups of a worker's thread whose last CPU was busy while another CPU idled, the
/// part that ran on the idle CPU: 68 of 806 (2 x 3 CPU threads, Poisson rho 0.8), 16 of 259
/// (2 x 1, rho 0.9) and 14 of 54 (2 x 4, a burst of 8) in the `perf sched` records of
/// `notebooks/measurements/sched-placement-2026-12-03`, pooled: 98 of 1119.
pub(super) const IDLE_CPU_TAKES_WAKE: f64 = 98.0 / 1119.0;

/// EEVDF's base slice (Linux 6.18, `sysctl_sched_base_slice`): 0.70 ms, scaled by
/// 1 + log2(CPUs) for up to 8 CPUs (1.4 ms on 2 vCPUs).
const BASE_SLICE_NS: u64 = 700_000;

/// The scheduler tick of the measured VM's kernel (CONFIG_HZ=250): with twice the slice, the
/// most lag a thread takes along when it sleeps (`update_entity_lag`).
const TICK_NS: u64 = 4_000_000;

/// At each scheduler tick while a CPU holds a cache-hot thread waiting for it (or threads
/// time-sharing it) and another CPU idles, the chance that the idle CPU pulls one: two
/// CPU-bound processes released from one CPU of the measured VM, each switched out at a tick
/// in turn, were pulled apart after 1 tick in 21 of 40 trials, 2 ticks in 11, 3 in 3, more in
/// 5 (`notebooks/harness/pull_latency.py`, `notebooks/measurements/pull-latency-2026-12-04`):
/// geometric, a half per tick.
const PULL_PER_TICK: f64 = 0.5;

/// How long Linux's periodic balance leaves a CPU running one thread more than another while
/// no CPU idles (two time-sharing one CPU beside one alone on the other) before it moves one
/// of the pair over: the median gap between the migrations of three CPU-bound processes on
/// the measured 2-vCPU VM, each of which swaps which process runs alone (3 trials of 8 s, 158
/// gaps: p10 112 ms, median 148, p90 180, always on a tick; `notebooks/harness/busy_balance.py`,
/// `notebooks/measurements/busy-balance-2026-12-05`). Linux's balance runs every few tens of
/// ms on busy CPUs and moves a thread only after an attempt has failed (`nr_balance_failed`:
/// the thread's load is twice the imbalance), so the three share the two CPUs at two thirds
/// each over a second (0.61-0.68 measured), unevenly over 100 ms.
pub(super) const BUSY_BALANCE_NS: u64 = 148_000_000;

/// Linux's `sysctl_sched_migration_cost` (0.5 ms): a thread that ran this recently is
/// cache-hot (`task_hot`), and the tick balance leaves it on its CPU if it can; a colder one
/// it moves to an idle CPU at once.
const MIGRATION_COST_NS: u64 = 500_000;

/// The request each thread's deadline is counted in on `cpus` CPUs: EEVDF's base slice.
fn slice_ns(cpus: usize) -> u64 {
    let factor = 1 + cpus.clamp(1, 8).ilog2() as u64;
    BASE_SLICE_NS * factor
}

/// How much a woken thread has to run, as far as its placement is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BurstLength {
    /// Work: with no CPU idle, a burst of a slice or more time-shares its home CPU at once (a
    /// woken sleeper preempts, see `Cores`), and the rates are processor sharing's; a shorter
    /// one waits for its turn there, as a moment does.
    Work,
    /// A moment (microseconds of C before it sleeps again, as a holder forced off the GIL
    /// queuing up for it): what matters is when it gets its CPU, not at what rate, so with no
    /// CPU idle EEVDF decides on its home CPU, as for the brief wake of a timed GIL wait. A
    /// thread that has just run owes its lag there and waits behind a thread in its first
    /// slice.
    Moment,
}

/// What became of a woken thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Wake {
    /// It runs now.
    Runs,
    /// It waits on its home CPU ([`RunQueues::settle`] starts it).
    Queued,
    /// It runs now, in place of this thread, which waits on that CPU with the work it has
    /// left ([`RunQueues::hold`]).
    Displaces(CoreSlot),
}

/// The CPUs of one instance: who runs on each, each thread's home, each CPU's EEVDF queue.
#[derive(Debug, Clone)]
pub(super) struct RunQueues {
    /// Per CPU: the seats running there (the host as [`CoreSlot::HOST`]), the one that took
    /// it first at the head. More than one when they time-share it: while no CPU idles, or
    /// until the tick balance moves one to a CPU gone idle.
    on: Vec<Vec<CoreSlot>>,
    /// Per CPU: when the thread at its head took it (its first, protected slice started).
    since: Vec<u64>,
    /// Per CPU: when the head's current slice ends (its virtual deadline, a resched point).
    deadline: Vec<u64>,
    /// Per CPU: the seat that last left it, and when (a thread going on from one burst to the
    /// next in the same instant keeps its slice).
    left: Vec<(CoreSlot, u64)>,
    /// Per CPU: its members' lags and who waits.
    queues: Vec<CpuQueue>,
    /// Per CPU: the next tick at which an idle CPU may pull a thread waiting there.
    pull_at: Vec<Option<u64>>,
    /// Per CPU time-sharing beside a CPU running one thread fewer, none idle: the tick at
    /// which the busy balance moves one of its threads over ([`BUSY_BALANCE_NS`]).
    busy_pull_at: Vec<Option<u64>>,
    /// When the CPUs tick, past each multiple of [`TICK_NS`] (drawn once: where an instance's
    /// ticks fall against its arrivals is chance).
    tick_phase: u64,
    /// Where GIL hand-overs between body threads ran.
    handovers: HandoverTally,
    /// Per seat: the CPU it last ran on, or before its first run the one it was created on
    /// ([`RunQueues::seat_created`]).
    home: Vec<u32>,
    /// Per seat: the lag it took along when it last slept, ns.
    banked: Vec<f64>,
    /// Per seat: when it last stopped running on a CPU ([`NEVER_RAN`] before), for the tick
    /// balance's cache-hot test.
    ran_until: Vec<u64>,
    /// The host process's home CPU.
    host_home: u32,
    /// Draws whether an idle CPU takes a woken thread.
    rng: SimRng,
    /// [`slice_ns`] of these CPUs.
    slice_ns: u64,
    /// CPU-ns spent idle while a thread waited for a CPU or time-shared one, up to
    /// `lost_at` (the capacity this placement loses; see [`RunQueues::idle_while_waiting_ns`]).
    lost_ns: f64,
    /// When `lost_ns` was last brought up to date.
    lost_at: u64,
    /// The stretches in which `lost_ns` grew, counted one by one.
    stalls: StallTally,
    /// Whether the stretch up to `lost_at` was a stall (one going on).
    stalled: bool,
}

impl RunQueues {
    /// `cpus` CPUs, all idle; `rng` draws the placements.
    pub(super) fn new(cpus: usize, mut rng: SimRng) -> RunQueues {
        let cpus = cpus.max(1);
        RunQueues {
            tick_phase: rng.random_range(0..TICK_NS),
            slice_ns: slice_ns(cpus),
            on: vec![Vec::new(); cpus],
            since: vec![0; cpus],
            deadline: vec![0; cpus],
            left: vec![(CoreSlot::HOST, u64::MAX); cpus],
            queues: vec![CpuQueue::default(); cpus],
            pull_at: vec![None; cpus],
            busy_pull_at: vec![None; cpus],
            handovers: HandoverTally::default(),
            home: Vec::new(),
            banked: Vec::new(),
            ran_until: Vec::new(),
            host_home: NO_CPU,
            rng,
            lost_ns: 0.0,
            lost_at: 0,
            stalls: StallTally::default(),
            stalled: false,
        }
    }

    /// The first scheduler tick after `now`. Linux's periodic tick fires on every CPU at the
    /// same instants, every [`TICK_NS`] (the jiffy boundaries), whatever happens between them.
    fn next_tick(&self, now: u64) -> u64 {
        match now.checked_sub(self.tick_phase) {
            Some(since) => self.tick_phase + (since / TICK_NS + 1) * TICK_NS,
            None => self.tick_phase,
        }
    }

    /// Puts the CPUs' ticks at `phase` past each multiple of [`TICK_NS`] (tests that time a
    /// tick).
    #[cfg(test)]
    pub(super) fn set_tick_phase(&mut self, phase: u64) {
        self.tick_phase = phase % TICK_NS;
    }

    /// Brings the lost capacity up to `now`, before anything on the CPUs changes: over the
    /// time since, each idle CPU lost its time if some thread waited for a CPU or shared one.
    fn account(&mut self, now: u64) {
        let dt = now.saturating_sub(self.lost_at);
        self.lost_at = self.lost_at.max(now);
        if dt == 0 {
            return;
        }
        let idle = self.on.iter().filter(|on| on.is_empty()).count() as u64;
        let stalled = idle > 0
            && (self.on.iter().any(|on| on.len() > 1)
                || self.queues.iter().any(CpuQueue::any_waiting));
        if stalled {
            self.lost_ns += (dt * idle) as f64;
            self.stalls.count += u64::from(!self.stalled);
            self.stalls.ns += dt;
        }
        self.stalled = stalled;
    }

    /// CPU-ns the CPUs spent idle up to `now` while a runnable thread waited for its busy home
    /// CPU or time-shared one: the capacity lost to where threads run (zero under processor
    /// sharing). The measured counterpart is `harness/sched_idle.py`'s idle time while a pool
    /// thread was runnable.
    pub(super) fn idle_while_waiting_ns(&mut self, now: u64) -> f64 {
        self.account(now);
        self.lost_ns
    }

    /// The stalls up to `now`: the stretches `idle_while_waiting_ns` adds up, one by one.
    pub(super) fn stalls(&mut self, now: u64) -> StallTally {
        self.account(now);
        self.stalls
    }

    /// Notes a GIL hand-over to a body thread by a body thread of its process (`by`) before
    /// `slot` is placed: the hand-overs `harness/sched_idle.py` reads from a `perf sched`
    /// record. A hand-over from the dispatch path is not among them, nor a moment's run
    /// ([`BurstLength::Moment`]: a holder forced off the GIL, woken by the new holder to
    /// queue up again).
    pub(super) fn note_handover(
        &mut self,
        slot: CoreSlot,
        by: Option<WokenBy>,
        length: BurstLength,
    ) {
        if length == BurstLength::Moment {
            return;
        }
        let between_bodies =
            |b: &WokenBy| b.wakee_kind == ThreadKind::Body && b.waker_kind == ThreadKind::Body;
        if let Some(by) = by.filter(between_bodies) {
            let waker_cpu = self.home(by.waker);
            self.handovers.handed(slot, waker_cpu);
        }
    }

    /// `slot` runs now, having switched out the threads in `displaced` (if any): counts where,
    /// if a hand-over to it waited to run.
    pub(super) fn note_ran(&mut self, slot: CoreSlot, displaced: &[CoreSlot]) {
        if !self.handovers.waits(slot) {
            return;
        }
        let cpu = self.home(slot);
        let switched_out = displaced.iter().filter(|&&d| self.home(d) == cpu).count();
        let sharers = self.on[cpu as usize].len() + switched_out;
        self.handovers.ran(slot, cpu, sharers);
    }

    /// Where the GIL hand-overs to body threads ran so far.
    pub(super) fn handover_placement(&self) -> HandoverPlacement {
        self.handovers.counts
    }

    /// The CPU `slot` last ran on; before it first runs, the one it was created on
    /// ([`RunQueues::seat_created`]; a seat never announced there starts on CPU
    /// seat mod CPUs).
    fn home(&self, slot: CoreSlot) -> u32 {
        if slot == CoreSlot::HOST {
            return self.host_home;
        }
        let i = slot.index();
        match self.home.get(i).copied() {
            Some(cpu) if cpu != NO_CPU => cpu,
            _ => (i % self.on.len()) as u32,
        }
    }

    /// A worker's thread gets seat `slot`: the `nth` thread that the process of rank `rank`
    /// creates. It starts on CPU (rank + nth) mod CPUs. Linux places a new thread on the
    /// idlest CPU (fork balancing), so the threads a process creates one after another
    /// alternate over the CPUs, and the worker processes, started together, each begin on a
    /// CPU of its own. Counting over the whole instance instead would start every process's
    /// threads of the same place in creation order on one CPU whenever a process creates an
    /// even number of threads: two single-thread processes' pool threads would begin on one
    /// CPU, where the `perf sched` record of 2 x 1 at rho 0.9
    /// (`notebooks/measurements/sched-handover-2026-12-04`) ran each on a CPU of its own
    /// throughout.
    pub(super) fn seat_created(&mut self, slot: CoreSlot, rank: ProcessRank, nth: u32) {
        let cpus = self.on.len();
        let cpu = (rank.index() + nth as usize) % cpus;
        self.set_home(slot, cpu as u32);
    }

    fn set_home(&mut self, slot: CoreSlot, cpu: u32) {
        if slot == CoreSlot::HOST {
            self.host_home = cpu;
            return;
        }
        let i = slot.index();
        self.make_room(i);
        self.home[i] = cpu;
    }

    /// Grows the per-seat records to hold seat `i`.
    fn make_room(&mut self, i: usize) {
        if i >= self.home.len() {
            self.home.resize(i + 1, NO_CPU);
            self.banked.resize(i + 1, 0.0);
            self.ran_until.resize(i + 1, NEVER_RAN);
        }
    }

    /// `slot` (a worker's thread) stops running on its CPU at `now`.
    fn stopped_running(&mut self, slot: CoreSlot, now: u64) {
        if slot != CoreSlot::HOST {
            self.make_room(slot.index());
            self.ran_until[slot.index()] = now;
        }
    }

    /// Whether `slot` ran within the migration cost before `now` (cache-hot).
    fn cache_hot(&self, slot: CoreSlot, now: u64) -> bool {
        let ran = self
            .ran_until
            .get(slot.index())
            .copied()
            .unwrap_or(NEVER_RAN);
        ran != NEVER_RAN && now.saturating_sub(ran) < MIGRATION_COST_NS
    }

    /// How many share the CPU `slot` runs on (itself included; 1 if it is on none).
    pub(super) fn sharers(&self, slot: CoreSlot) -> usize {
        let Some(on) = self.on.get(self.home(slot) as usize) else {
            return 1;
        };
        if on.contains(&slot) {
            on.len()
        } else {
            1
        }
    }

    /// Whether `wakee`, woken by `releaser` as that one stops, finds a CPU that is not idle:
    /// its home is the releaser's, or busy (see [`super::Cores::wakes_without_idle_exit`]).
    pub(super) fn wakes_without_idle_exit(&self, wakee: CoreSlot, releaser: CoreSlot) -> bool {
        let cpu = self.home(wakee);
        cpu == self.home(releaser) || !self.on[cpu as usize].is_empty()
    }

    /// How many CPUs there are.
    pub(super) fn cpus(&self) -> usize {
        self.on.len()
    }

    /// How many CPUs have a thread (or the host) on them.
    pub(super) fn busy_cpus(&self) -> usize {
        self.on.iter().filter(|on| !on.is_empty()).count()
    }

    /// The first idle CPU, if any.
    fn idle_cpu(&self) -> Option<u32> {
        self.on.iter().position(Vec::is_empty).map(|c| c as u32)
    }

    /// The CPU with the fewest threads on it (the lowest-numbered of equals).
    fn least_loaded(&self) -> u32 {
        let (cpu, _) = self
            .on
            .iter()
            .enumerate()
            .min_by_key(|(c, on)| (on.len(), *c))
            .expect("at least one CPU");
        cpu as u32
    }

    /// Brings `cpu`'s lags up to `now`, before anything on it changes.
    fn touch(&mut self, cpu: u32, now: u64) {
        let c = cpu as usize;
        self.queues[c].advance(now, self.on[c].len());
    }

    /// The lag `slot` brings to a CPU: what it is owed on its home queue if it is still there
    /// (taken out of it), else what it took along when it slept.
    fn carried_lag(&mut self, slot: CoreSlot, now: u64) -> f64 {
        let home = self.home(slot);
        if self.queues[home as usize].holds(slot) {
            self.touch(home, now);
            return self.queues[home as usize].remove(slot);
        }
        self.banked.get(slot.index()).copied().unwrap_or(0.0)
    }

    /// Puts `slot` on `cpu`, which becomes its home; a worker thread joins its queue, bringing
    /// its lag.
    fn put(&mut self, slot: CoreSlot, cpu: u32, now: u64) {
        let lag = if slot == CoreSlot::HOST || self.home(slot) == cpu {
            self.banked.get(slot.index()).copied().unwrap_or(0.0)
        } else {
            self.carried_lag(slot, now)
        };
        self.touch(cpu, now);
        let c = cpu as usize;
        if self.on[c].is_empty() && self.left[c] != (slot, now) {
            self.take_cpu(cpu, now);
        }
        self.on[c].push(slot);
        self.set_home(slot, cpu);
        if slot != CoreSlot::HOST {
            self.queues[c].join(slot, lag, Standing::Running);
        }
    }

    /// A thread takes `cpu` now: its first slice starts.
    fn take_cpu(&mut self, cpu: u32, now: u64) {
        self.since[cpu as usize] = now;
        self.deadline[cpu as usize] = now + self.slice_ns;
    }

    /// `slot` goes on running without having slept (or is the host, which these queues do not
    /// hold back): on its home CPU if free, else on an idle one, else it time-shares its home.
    pub(super) fn run(&mut self, slot: CoreSlot, now: u64) {
        self.account(now);
        let mut cpu = self.home(slot);
        if cpu == NO_CPU {
            // The host's first run.
            cpu = self.least_loaded();
        } else if !self.on[cpu as usize].is_empty() {
            cpu = self.idle_cpu().unwrap_or(cpu);
        }
        self.put(slot, cpu, now);
    }

    /// `slot` wakes with a burst of `work_ns` of the given `length`: it runs now (perhaps in
    /// another's place) or waits on its busy home CPU while another CPU idles, or, for a
    /// moment's run or any run shorter than a slice, while no CPU idles.
    pub(super) fn wake(
        &mut self,
        slot: CoreSlot,
        work_ns: u64,
        now: u64,
        by: Option<WokenBy>,
        length: BurstLength,
    ) -> Wake {
        self.account(now);
        self.follow_waker(slot, by);
        let cpu = self.home(slot);
        if self.on[cpu as usize].is_empty() {
            self.run(slot, now);
            return Wake::Runs;
        }
        let Some(idle) = self.idle_cpu() else {
            let waits_its_turn = length == BurstLength::Moment || work_ns < self.slice_ns;
            return match self.worker_head(cpu) {
                Some(head) if waits_its_turn => self.queue_at_wake(slot, work_ns, head, now),
                _ => {
                    self.put(slot, cpu, now);
                    Wake::Runs
                }
            };
        };
        // A sleeper still counted on its CPU (delayed) is requeued there.
        let delayed = self.queues[cpu as usize].holds(slot);
        if !delayed && self.rng.random::<f64>() < IDLE_CPU_TAKES_WAKE {
            self.put(slot, idle, now);
            return Wake::Runs;
        }
        self.touch(cpu, now);
        let lag = self.banked.get(slot.index()).copied().unwrap_or(0.0);
        self.queues[cpu as usize].join(slot, lag, Standing::Waiting(work_ns));
        match self.worker_head(cpu) {
            Some(head) => self.preempt_at_wake(slot, head, cpu, now),
            None => {
                self.start_waiting(slot, cpu, idle, now);
                Wake::Runs
            }
        }
    }

    /// `slot` wakes for a run shorter than a slice on its home CPU, where `head` runs and no
    /// CPU idles: it joins the CPU's queue with the lag it banked (or, still counted there,
    /// the lag it owes) and EEVDF runs it now or later ([`RunQueues::settle`]).
    fn queue_at_wake(&mut self, slot: CoreSlot, work_ns: u64, head: CoreSlot, now: u64) -> Wake {
        let cpu = self.home(slot);
        self.touch(cpu, now);
        let lag = self.banked.get(slot.index()).copied().unwrap_or(0.0);
        self.queues[cpu as usize].join(slot, lag, Standing::Waiting(work_ns));
        self.preempt_at_wake(slot, head, cpu, now)
    }

    /// `slot` wakes only to run a moment and sleep again (a timed wait for a GIL ending). On
    /// a home CPU where another worker thread runs it takes its turn as any woken thread
    /// ([`Standing::Briefly`]), gaining lag while it waits, and takes that lag along when it
    /// sleeps again; the moment it runs is too short to count. An idle CPU takes it as often
    /// as any wake-up, and becomes its home.
    pub(super) fn brief_wake(&mut self, slot: CoreSlot, now: u64, by: Option<WokenBy>) {
        self.account(now);
        self.follow_waker_briefly(slot, by);
        let cpu = self.home(slot);
        let Some(head) = self.worker_head(cpu).filter(|&h| h != slot) else {
            return;
        };
        let c = cpu as usize;
        let counted = self.queues[c].standing(slot);
        if counted.is_some_and(|s| s != Standing::Delayed) {
            return;
        }
        if let Some(idle) = self.idle_cpu() {
            if counted.is_none() && self.rng.random::<f64>() < IDLE_CPU_TAKES_WAKE {
                self.set_home(slot, idle);
                return;
            }
        }
        self.touch(cpu, now);
        let lag = self.banked.get(slot.index()).copied().unwrap_or(0.0);
        self.queues[c].join(slot, lag, Standing::Briefly);
        if self.pick(cpu, head, now) == Some(slot) {
            self.bank(slot, cpu);
            self.stopped_running(slot, now);
        }
    }

    /// Wake-affine placement: a thread woken by one on another CPU is placed on the waker's
    /// CPU instead of its own last one with the chance measured for the two threads' kinds and
    /// its last CPU busy or idle ([`waker_cpu_chance`]). A sleeper still counted on its CPU
    /// (delayed) is requeued there.
    fn follow_waker(&mut self, slot: CoreSlot, by: Option<WokenBy>) {
        self.move_beside_waker(slot, by, waker_cpu_chance);
    }

    /// Wake-affine placement of a moment's wake-up: a body thread woken a moment by a body
    /// thread of its process on another CPU moves its home there with the measured chance
    /// ([`brief_waker_cpu_chance`]); over a burst's hundreds of such wake-ups this gathers a
    /// process's threads on the CPU its GIL holder runs on, as the records show.
    fn follow_waker_briefly(&mut self, slot: CoreSlot, by: Option<WokenBy>) {
        self.move_beside_waker(slot, by, brief_waker_cpu_chance);
    }

    /// Moves `slot`'s home to its waker's CPU with `chance(by, its last CPU busy)`, unless
    /// the two share a CPU or `slot` is still queued on its own.
    fn move_beside_waker(
        &mut self,
        slot: CoreSlot,
        by: Option<WokenBy>,
        chance: fn(&WokenBy, bool) -> f64,
    ) {
        let (cpu, Some(by)) = (self.home(slot), by) else {
            return;
        };
        let to = self.home(by.waker);
        if to == cpu || self.queues[cpu as usize].holds(slot) {
            return;
        }
        let last_busy = !self.on[cpu as usize].is_empty();
        if self.rng.random::<f64>() < chance(&by, last_busy) {
            self.set_home(slot, to);
        }
    }

    /// The worker thread running alone on `cpu`, if that is what runs there.
    fn worker_head(&self, cpu: u32) -> Option<CoreSlot> {
        match self.on[cpu as usize].as_slice() {
            [head] if *head != CoreSlot::HOST => Some(*head),
            _ => None,
        }
    }

    /// The woken `slot` takes `cpu` from `head` if EEVDF picks it now (wake-up preemption).
    fn preempt_at_wake(&mut self, slot: CoreSlot, head: CoreSlot, cpu: u32, now: u64) -> Wake {
        if self.pick(cpu, head, now) != Some(slot) {
            return Wake::Queued;
        }
        self.displace(head, slot, cpu, now);
        Wake::Displaces(head)
    }

    /// Whom EEVDF runs on `cpu` now, `head` running there: `head` while it is eligible and in
    /// its first slice, else the earliest eligible deadline.
    fn pick(&mut self, cpu: u32, head: CoreSlot, now: u64) -> Option<CoreSlot> {
        let c = cpu as usize;
        self.renew_deadline(cpu, now);
        let protected = now < self.since[c] + self.slice_ns;
        if protected && self.queues[c].lag(head).is_some_and(|lag| lag >= 0.0) {
            return Some(head);
        }
        let head_left = self.deadline[c] - now;
        self.queues[c].pick(Some(head), head_left, self.slice_ns)
    }

    /// A head past its deadline gets a new slice, starting at the last boundary.
    fn renew_deadline(&mut self, cpu: u32, now: u64) {
        let c = cpu as usize;
        if now >= self.deadline[c] {
            let slices = (now - self.since[c]) / self.slice_ns + 1;
            self.deadline[c] = self.since[c] + slices * self.slice_ns;
        }
    }

    /// `head` waits on `cpu` (its work left set by [`RunQueues::hold`]) while the waiting
    /// `slot` runs there.
    fn displace(&mut self, head: CoreSlot, slot: CoreSlot, cpu: u32, now: u64) {
        let c = cpu as usize;
        self.queues[c].switched_out(head, now);
        self.stopped_running(head, now);
        self.queues[c].set(slot, Standing::Running);
        self.on[c] = vec![slot];
        self.take_cpu(cpu, now);
    }

    /// The waiting `slot` runs on `cpu`, where only the host runs (or no one): the host's
    /// threads make way, to the idle CPU `idle` if there is one.
    fn start_waiting(&mut self, slot: CoreSlot, cpu: u32, idle: u32, now: u64) {
        let c = cpu as usize;
        let ahead = std::mem::take(&mut self.on[c]);
        for a in ahead {
            self.put(a, idle, now);
        }
        self.queues[c].set(slot, Standing::Running);
        self.on[c].push(slot);
        self.take_cpu(cpu, now);
    }

    /// The thread switched out by a wake-up or a deadline has `work_ns` left to run.
    pub(super) fn hold(&mut self, slot: CoreSlot, work_ns: u64) {
        let cpu = self.home(slot);
        self.queues[cpu as usize].set(slot, Standing::Waiting(work_ns));
    }

    /// `slot` leaves its CPU to sleep (or because it was taken off). A CPU it leaves idle takes
    /// nothing from another CPU at once: a thread waiting or time-sharing there moves over only
    /// at a tick balance ([`RunQueues::settle`]).
    pub(super) fn leave(&mut self, slot: CoreSlot, now: u64) {
        self.account(now);
        let cpu = self.home(slot);
        if cpu == NO_CPU {
            return; // the host, before it first ran
        }
        let c = cpu as usize;
        let Some(at) = self.on[c].iter().position(|&s| s == slot) else {
            return;
        };
        self.touch(cpu, now);
        self.on[c].remove(at);
        if slot != CoreSlot::HOST {
            self.bank(slot, cpu);
            self.stopped_running(slot, now);
        }
        if !self.on[c].is_empty() {
            return;
        }
        self.left[c] = (slot, now);
    }

    /// `slot` sleeps: it takes its lag along (at most the kernel's limit), or stays counted
    /// on `cpu` while it has run ahead.
    fn bank(&mut self, slot: CoreSlot, cpu: u32) {
        let limit = (2 * self.slice_ns).max(TICK_NS) as f64;
        let lag = self.queues[cpu as usize].sleep(slot).unwrap_or(0.0);
        let i = slot.index();
        self.make_room(i);
        self.banked[i] = lag.clamp(-limit, limit);
    }

    /// Takes `slot` out of its CPU's waiting threads if it waits there, returning the work it
    /// was to run.
    pub(super) fn take(&mut self, slot: CoreSlot, now: u64) -> Option<u64> {
        self.account(now);
        let cpu = self.home(slot);
        let work = self.queues[cpu as usize].waiting_work(slot)?;
        self.touch(cpu, now);
        self.bank(slot, cpu);
        Some(work)
    }
}
