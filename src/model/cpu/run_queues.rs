//! Per-CPU run queues with home CPUs: where the cores run a woken thread under
//! [`Placement::HomeCpu`](crate::config::Placement::HomeCpu).
//!
//! Each thread has a home CPU, the one it last ran on (a new thread starts on the least loaded
//! CPU, the lowest-numbered of equals). A thread woken while its home CPU is busy and another
//! CPU idles is queued on its home CPU, as the measured 2-vCPU VM does
//! (`notebooks/measurements/sched-placement-2026-12-03`, `perf sched` on three cases: 92-94% of
//! such wake-ups in the Poisson cases). Queued there, it runs when the thread ahead leaves that
//! CPU (blocks, ends its burst or is preempted) or has had its protected slice, counted from
//! when it took the CPU: the VM runs Linux 6.18, whose EEVDF scheduler lets the running task
//! finish its base slice before a woken one may switch it out (RUN_TO_PARITY), 0.70 ms x
//! (1 + log2 CPUs), 1.4 ms on 2 vCPUs ([`protected_slice_ns`]; the measured 90th percentile of
//! these waits, 1.32 ms in the 2 x 3 case, sits just below it). A thread ahead that has had its
//! slice is switched out at the wake-up. Either way the thread ahead, if still runnable, moves
//! to the idle CPU. The host process's work never holds a woken thread back: it is many short
//! runs of the host's own threads, each soon asleep.
//!
//! The one measured parameter is how often the idle CPU takes the woken thread at once
//! instead: [`IDLE_CPU_TAKES_WAKE`], from the counts of that measurement. A CPU going idle
//! later does not take a queued woken thread: the VM balances only at its 4 ms scheduler tick,
//! about a half per tick (`notebooks/measurements/pull-latency-2026-12-04`), later than these
//! waits end; threads time-sharing a CPU because every CPU was busy do spread to a CPU
//! that goes idle, as processor sharing has them do.
//!
//! The rates stay those of processor sharing over all running threads (`Cores`): these queues
//! only decide which woken thread waits, and for how long, while a CPU idles.

use super::super::ids::CoreSlot;
use crate::kernel::SimRng;
use rand::Rng;

/// No home yet: the thread has never run.
const NO_CPU: u32 = u32::MAX;

/// Of the wake-ups of a worker's thread whose last CPU was busy while another CPU idled, the
/// part that ran on the idle CPU: 68 of 806 (2 x 3 CPU threads, Poisson rho 0.8), 16 of 259
/// (2 x 1, rho 0.9) and 14 of 54 (2 x 4, a burst of 8) in the `perf sched` records of
/// `notebooks/measurements/sched-placement-2026-12-03`, pooled: 98 of 1119.
pub(super) const IDLE_CPU_TAKES_WAKE: f64 = 98.0 / 1119.0;

/// EEVDF's base slice (Linux 6.18, `sysctl_sched_base_slice`): 0.70 ms, scaled by
/// 1 + log2(CPUs) for up to 8 CPUs (1.4 ms on 2 vCPUs).
const BASE_SLICE_NS: u64 = 700_000;

/// The slice a thread that takes a CPU keeps before a woken thread may switch it out on
/// `cpus` CPUs (RUN_TO_PARITY).
fn protected_slice_ns(cpus: usize) -> u64 {
    let factor = 1 + cpus.clamp(1, 8).ilog2() as u64;
    BASE_SLICE_NS * factor
}

/// A woken thread waiting on its busy home CPU while another CPU idles.
#[derive(Debug, Clone, Copy)]
struct Queued {
    slot: CoreSlot,
    /// The burst it will start when it runs.
    work_ns: u64,
    cpu: u32,
}

/// The CPUs of one instance: who runs on each, each thread's home, the queued woken threads.
#[derive(Debug, Clone)]
pub(super) struct RunQueues {
    /// Per CPU: the seats running there (the host as [`CoreSlot::HOST`]), the one that took
    /// it first at the head. More than one only while no CPU idles (they time-share it).
    on: Vec<Vec<CoreSlot>>,
    /// Per CPU: when the thread at its head took it (its slice started).
    since: Vec<u64>,
    /// Per CPU: the seat that last left it, and when (a thread going on from one burst to the
    /// next in the same instant keeps its slice).
    left: Vec<(CoreSlot, u64)>,
    /// Per seat: its home CPU ([`NO_CPU`] before it first runs).
    home: Vec<u32>,
    /// The host process's home CPU.
    host_home: u32,
    /// Woken threads waiting on their home CPU, in the order they woke.
    queued: Vec<Queued>,
    /// Draws whether an idle CPU takes a woken thread.
    rng: SimRng,
    /// [`protected_slice_ns`] of these CPUs.
    slice_ns: u64,
}

impl RunQueues {
    /// `cpus` CPUs, all idle; `rng` draws the placements.
    pub(super) fn new(cpus: usize, rng: SimRng) -> RunQueues {
        RunQueues {
            slice_ns: protected_slice_ns(cpus),
            on: vec![Vec::new(); cpus.max(1)],
            since: vec![0; cpus.max(1)],
            left: vec![(CoreSlot::HOST, u64::MAX); cpus.max(1)],
            home: Vec::new(),
            host_home: NO_CPU,
            queued: Vec::new(),
            rng,
        }
    }

    fn home(&self, slot: CoreSlot) -> u32 {
        if slot == CoreSlot::HOST {
            return self.host_home;
        }
        self.home.get(slot.index()).copied().unwrap_or(NO_CPU)
    }

    fn set_home(&mut self, slot: CoreSlot, cpu: u32) {
        if slot == CoreSlot::HOST {
            self.host_home = cpu;
            return;
        }
        let i = slot.index();
        if i >= self.home.len() {
            self.home.resize(i + 1, NO_CPU);
        }
        self.home[i] = cpu;
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

    /// Puts `slot` on `cpu`, which becomes its home.
    fn put(&mut self, slot: CoreSlot, cpu: u32, now: u64) {
        let c = cpu as usize;
        if self.on[c].is_empty() && self.left[c] != (slot, now) {
            self.since[c] = now;
        }
        self.on[c].push(slot);
        self.set_home(slot, cpu);
    }

    /// `slot` goes on running without having slept (or is the host, which these queues do not
    /// hold back): on its home CPU if free, else on an idle one, else it time-shares its home.
    pub(super) fn run(&mut self, slot: CoreSlot, now: u64) {
        let mut cpu = self.home(slot);
        if cpu == NO_CPU {
            cpu = self.least_loaded();
        } else if !self.on[cpu as usize].is_empty() {
            cpu = self.idle_cpu().unwrap_or(cpu);
        }
        self.put(slot, cpu, now);
    }

    /// `slot` wakes with a burst of `work_ns`: true if it runs now, false if it is queued on
    /// its busy home CPU (it then runs when [`RunQueues::settle`] says so).
    pub(super) fn wake(&mut self, slot: CoreSlot, work_ns: u64, now: u64) -> bool {
        let cpu = self.home(slot);
        if cpu == NO_CPU || self.on[cpu as usize].is_empty() {
            self.run(slot, now);
            return true;
        }
        let Some(idle) = self.idle_cpu() else {
            self.put(slot, cpu, now);
            return true;
        };
        if self.rng.random::<f64>() < IDLE_CPU_TAKES_WAKE {
            self.put(slot, idle, now);
        } else if !self.protected(cpu, now) {
            self.switch_in(slot, cpu, idle, now);
        } else {
            self.queued.push(Queued { slot, work_ns, cpu });
            return false;
        }
        true
    }

    /// Whether the thread running on `cpu` keeps it from a woken thread: a worker thread within
    /// its slice. The host's work is many short runs of its own threads, each soon asleep.
    fn protected(&self, cpu: u32, now: u64) -> bool {
        let on = &self.on[cpu as usize];
        on.iter().any(|&s| s != CoreSlot::HOST) && self.slice_end(cpu) > now
    }

    /// When the thread at the head of `cpu` has had its protected slice.
    fn slice_end(&self, cpu: u32) -> u64 {
        self.since[cpu as usize] + self.slice_ns
    }

    /// `slot` takes `cpu` from the thread running there, which moves to the idle CPU `idle`.
    fn switch_in(&mut self, slot: CoreSlot, cpu: u32, idle: u32, now: u64) {
        let ahead = std::mem::take(&mut self.on[cpu as usize]);
        for a in ahead {
            self.put(a, idle, now);
        }
        self.put(slot, cpu, now);
    }

    /// `slot` leaves its CPU. A CPU left idle takes a thread time-sharing another CPU, if any
    /// (not a queued woken thread: that one waits for [`RunQueues::settle`]).
    pub(super) fn leave(&mut self, slot: CoreSlot, now: u64) {
        let cpu = self.home(slot);
        if cpu == NO_CPU {
            return;
        }
        let cpu = cpu as usize;
        let Some(at) = self.on[cpu].iter().position(|&s| s == slot) else {
            return;
        };
        self.on[cpu].remove(at);
        if !self.on[cpu].is_empty() {
            return;
        }
        self.left[cpu] = (slot, now);
        if let Some(crowded) = self.on.iter().position(|on| on.len() > 1) {
            let moved = self.on[crowded].pop().expect("a crowded CPU");
            self.put(moved, cpu as u32, now);
        }
    }

    /// Takes `slot` out of the queue if it waits there, returning the work it was to start.
    pub(super) fn take(&mut self, slot: CoreSlot) -> Option<u64> {
        let at = self.queued.iter().position(|q| q.slot == slot)?;
        Some(self.queued.remove(at).work_ns)
    }

    /// Once an instant's transitions are done: every queued thread whose home CPU is free or
    /// whose thread ahead has had its slice runs; appends (seat, work) of each to `out`.
    pub(super) fn settle(&mut self, now: u64, out: &mut Vec<(CoreSlot, u64)>) {
        let mut i = 0;
        while i < self.queued.len() {
            let q = self.queued[i];
            let free = self.on[q.cpu as usize].is_empty();
            if !free && self.slice_end(q.cpu) > now {
                i += 1;
                continue;
            }
            self.queued.remove(i);
            match self.idle_cpu() {
                Some(idle) if !free => self.switch_in(q.slot, q.cpu, idle, now),
                _ => self.put(q.slot, q.cpu, now),
            }
            out.push((q.slot, q.work_ns));
        }
    }

    /// When the next queued thread runs (its thread ahead's slice ends), if any waits.
    pub(super) fn next_due(&self) -> Option<u64> {
        self.queued.iter().map(|q| self.slice_end(q.cpu)).min()
    }

    /// Whether any woken thread is queued.
    pub(super) fn any_queued(&self) -> bool {
        !self.queued.is_empty()
    }
}
