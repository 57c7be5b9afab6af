//! Settling the run queues once an instant's transitions are done: whom EEVDF runs on each
//! CPU with threads waiting, the tick balance that moves a waiting thread to an idle CPU, and
//! the busy balance that evens a split of one thread more on one busy CPU than on another.

use super::{CoreSlot, CpuQueue, RunQueues, Standing, BUSY_BALANCE_NS, PULL_PER_TICK};
use rand::Rng;

/// What settling the run queues changed: the threads to start, with the work each has left,
/// and the threads switched out for them (whose work [`RunQueues::hold`] then sets).
#[derive(Debug, Default)]
pub(in crate::model::cpu) struct Settled {
    /// (seat, work ns) of each thread that starts.
    pub started: Vec<(CoreSlot, u64)>,
    /// Each thread switched out.
    pub displaced: Vec<CoreSlot>,
}

impl RunQueues {
    /// Once an instant's transitions are done: on each CPU with threads waiting, whom EEVDF
    /// runs if the CPU is free, runs only the host's threads, or is at its head's deadline.
    pub(in crate::model::cpu) fn settle(&mut self, now: u64) -> Settled {
        let mut out = Settled::default();
        self.account(now);
        for cpu in 0..self.on.len() as u32 {
            if self.queues[cpu as usize].any_waiting() {
                self.settle_cpu(cpu, now, &mut out);
            }
            self.balance(cpu, now, &mut out);
            self.busy_balance(cpu, now, &mut out);
        }
        self.arm_busy_balance(now);
        out
    }

    /// The busy balance: [`BUSY_BALANCE_NS`] after `cpu` was first seen running two or more
    /// threads beside a CPU running one fewer, none idle (at the first tick from then), one
    /// of its threads moves there, if the split is still uneven at that instant. Linux weighs
    /// the CPUs by their load averaged over tens of ms, so a thread waking for a moment on
    /// either CPU meanwhile neither restarts the wait nor moves anything.
    fn busy_balance(&mut self, cpu: u32, now: u64, out: &mut Settled) {
        let c = cpu as usize;
        if self.busy_pull_at[c].is_some_and(|at| now >= at) {
            self.busy_pull_at[c] = None;
            if self.unevenly_busy(cpu) {
                self.move_one(cpu, now, out);
            }
        }
    }

    /// Arms the busy balance of each CPU that has just become the busier of an uneven split.
    fn arm_busy_balance(&mut self, now: u64) {
        if self.idle_cpu().is_some() {
            return; // no split is uneven while a CPU idles
        }
        for cpu in 0..self.on.len() as u32 {
            if self.busy_pull_at[cpu as usize].is_none() && self.unevenly_busy(cpu) {
                self.busy_pull_at[cpu as usize] = Some(self.next_tick(now + BUSY_BALANCE_NS - 1));
            }
        }
    }

    /// Whether `cpu` runs a thread more than another CPU, with none idle.
    fn unevenly_busy(&self, cpu: u32) -> bool {
        self.idle_cpu().is_none() && self.one_fewer(cpu).is_some()
    }

    /// One of `cpu`'s threads moves to the CPU running one thread fewer: the one that has
    /// waited longest there, which starts, else one of those time-sharing it (not the host's
    /// work), which runs on. Linux cannot move the thread running at that instant, so of two
    /// time-sharing a CPU each slice, either moves: an even draw. A thread switched out of
    /// `cpu` in this same settling (in `out.displaced`) stays: it is the one that just ran.
    fn move_one(&mut self, cpu: u32, now: u64, out: &mut Settled) {
        let c = cpu as usize;
        let Some(light) = self.one_fewer(cpu) else {
            return;
        };
        self.touch(cpu, now);
        // The CPU it goes to is no longer the busier one: its own due balance is void.
        self.busy_pull_at[light as usize] = None;
        if let Some(waiting) = self.queues[c].longest_waiting(&out.displaced) {
            let work = self.queues[c].waiting_work(waiting).unwrap_or(0);
            self.put(waiting, light, now);
            out.started.push((waiting, work));
            return;
        }
        let movable: Vec<CoreSlot> = self.on[c]
            .iter()
            .copied()
            .filter(|&s| s != CoreSlot::HOST)
            .collect();
        if movable.is_empty() {
            return;
        }
        let moved = movable[self.rng.random_range(0..movable.len())];
        self.on[c].retain(|&s| s != moved);
        self.put(moved, light, now);
    }

    /// The threads running on `cpu` (time-sharing it). Linux balances on each CPU's load
    /// averaged over tens of ms (PELT), in which a thread queued for a moment, until the
    /// running thread's deadline or the next tick, barely counts.
    fn load(&self, cpu: u32) -> usize {
        self.on[cpu as usize].len()
    }

    /// A CPU running exactly one thread fewer than `cpu`, which runs at least two, if any.
    fn one_fewer(&self, cpu: u32) -> Option<u32> {
        let here = self.load(cpu);
        (0..self.on.len() as u32).find(|&i| i != cpu && here >= 2 && self.load(i) + 1 == here)
    }

    /// The tick balance: while `cpu` holds a waiting thread and another CPU idles (or runs
    /// at least two threads fewer, [`RunQueues::lighter_cpu`]), at each tick (the first the
    /// next tick of the CPUs' common ones after the imbalance began, [`RunQueues::next_tick`])
    /// that CPU pulls the thread that has waited longest if it is cache-cold, and a cache-hot
    /// one (or one of threads time-sharing `cpu`) with [`PULL_PER_TICK`]'s chance. A thread
    /// switched out of `cpu` in this same settling (in `out.displaced`) is not pulled then (the
    /// cores hand its work left back only once settling is done, and it is cache-hot anyway),
    /// but a later tick may pull it.
    fn balance(&mut self, cpu: u32, now: u64, out: &mut Settled) {
        let c = cpu as usize;
        let idle = self
            .idle_cpu()
            .filter(|&i| i != cpu)
            .or_else(|| self.lighter_cpu(cpu));
        let sharing = self.on[c].len() > 1;
        let any_waiting = self.queues[c].longest_waiting(&[]).is_some();
        let Some(idle) = idle.filter(|_| any_waiting || sharing) else {
            self.pull_at[c] = None;
            return;
        };
        let Some(at) = self.pull_at[c] else {
            self.pull_at[c] = Some(self.next_tick(now));
            return;
        };
        if now < at {
            return;
        }
        let waiting = self.queues[c].longest_waiting(&out.displaced);
        if waiting.is_none() && !sharing {
            // Only the thread switched out in this settling waits: a later tick may pull it.
            self.pull_at[c] = Some(self.next_tick(now));
            return;
        }
        let cold = waiting.is_some_and(|w| !self.cache_hot(w, now));
        if !cold && self.rng.random::<f64>() >= PULL_PER_TICK {
            self.pull_at[c] = Some(self.next_tick(now));
            return;
        }
        self.pull_at[c] = None;
        self.touch(cpu, now);
        let Some(waiting) = waiting else {
            // A thread time-sharing the CPU moves on running.
            let moved = self.on[c].pop().expect("a shared CPU");
            self.put(moved, idle, now);
            return;
        };
        let work = self.queues[c].waiting_work(waiting).unwrap_or(0);
        self.put(waiting, idle, now);
        out.started.push((waiting, work));
    }

    /// Settles `cpu`: a thread woken only briefly that gets it runs its moment and sleeps
    /// again, and the choice is made anew.
    fn settle_cpu(&mut self, cpu: u32, now: u64, out: &mut Settled) {
        self.touch(cpu, now);
        while let Some(brief) = self.settle_step(cpu, now, out) {
            self.bank(brief, cpu);
        }
    }

    /// One choice on `cpu`: starts the thread EEVDF picks there, or returns it if it was
    /// woken only briefly.
    fn settle_step(&mut self, cpu: u32, now: u64, out: &mut Settled) -> Option<CoreSlot> {
        let c = cpu as usize;
        if let Some(head) = self.worker_head(cpu) {
            if now < self.deadline[c] {
                return None;
            }
            let next = self.pick(cpu, head, now).filter(|&p| p != head)?;
            if self.queues[c].standing(next) == Some(Standing::Briefly) {
                return Some(next);
            }
            let work = self.queues[c].waiting_work(next).unwrap_or(0);
            self.displace(head, next, cpu, now);
            out.displaced.push(head);
            out.started.push((next, work));
            return None;
        }
        let next = self.queues[c].pick(None, 0, self.slice_ns)?;
        if self.on[c].len() > 1 && now < self.deadline[c] {
            return None;
        }
        if self.queues[c].standing(next) == Some(Standing::Briefly) {
            return Some(next);
        }
        let work = self.queues[c].waiting_work(next).unwrap_or(0);
        if self.on[c].len() > 1 {
            // Time-sharing threads (every CPU busy): it joins them at their deadline.
            self.renew_deadline(cpu, now);
            self.queues[c].set(next, Standing::Running);
            self.on[c].push(next);
        } else {
            let idle = self.idle_cpu().filter(|&i| i != cpu).unwrap_or(cpu);
            self.start_waiting(next, cpu, idle, now);
        }
        out.started.push((next, work));
        None
    }

    /// When the next waiting thread may run (a busy CPU's head reaches its deadline, or a
    /// tick may pull it to an idle CPU), if any waits.
    pub(in crate::model::cpu) fn next_due(&self) -> Option<u64> {
        let deadlines = (0..self.on.len())
            .filter(|&c| self.queues[c].any_waiting() && !self.on[c].is_empty())
            .map(|c| self.deadline[c]);
        deadlines
            .chain(self.pull_at.iter().flatten().copied())
            .chain(self.busy_pull_at.iter().flatten().copied())
            .min()
    }

    /// A CPU running at least two threads fewer than `cpu`, if any: Linux's periodic balance
    /// evens such a split on busy CPUs too (three threads on one CPU and one on the other
    /// become two and two), moving one at a tick as it moves one to an idle CPU.
    fn lighter_cpu(&self, cpu: u32) -> Option<u32> {
        let here = self.on[cpu as usize].len();
        let (light, n) = self
            .on
            .iter()
            .enumerate()
            .map(|(i, on)| (i as u32, on.len()))
            .min_by_key(|&(i, n)| (n, i))?;
        (n + 2 <= here).then_some(light)
    }

    /// Whether settling has anything to do now: a thread waits for its CPU, threads share one
    /// beside an idle CPU, a split is uneven and its busy balance not yet armed, or a pull is
    /// armed. An armed busy balance that is not due needs nothing until it is
    /// ([`RunQueues::busy_balance_due`], [`RunQueues::next_busy_balance`]).
    pub(in crate::model::cpu) fn any_queued(&self) -> bool {
        if self.queues.iter().any(CpuQueue::any_waiting) || self.pull_at.iter().any(Option::is_some)
        {
            return true;
        }
        let idle = self.idle_cpu().is_some();
        let unarmed_split = |c: u32| {
            !idle && self.busy_pull_at[c as usize].is_none() && self.one_fewer(c).is_some()
        };
        (idle && self.on.iter().any(|on| on.len() > 1))
            || (0..self.on.len() as u32).any(|c| self.lighter_cpu(c).is_some() || unarmed_split(c))
    }

    /// Whether a CPU's busy balance is due at `now`.
    pub(in crate::model::cpu) fn busy_balance_due(&self, now: u64) -> bool {
        self.busy_pull_at.iter().flatten().any(|&at| at <= now)
    }

    /// When the next armed busy balance is due, if any.
    pub(in crate::model::cpu) fn next_busy_balance(&self) -> Option<u64> {
        self.busy_pull_at.iter().flatten().copied().min()
    }
}
