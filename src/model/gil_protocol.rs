//! The GIL protocol, as CPython 3.11's `ceval_gil.h` runs it, on the world's threads: taking a
//! free GIL, waiting for a held one, the switch-interval clock and forced hand-overs
//! (FORCE_SWITCHING), voluntary releases, the wake-up latency of the thread handed the GIL, and
//! the races at the dispatch path's short syscalls. Which waiter wins is [`super::gil::Gil`]'s
//! choice.
//!
//! Waiting for the GIL is also waiting for a CPU: a waiter sleeps on a condition variable and
//! can take the GIL only once it runs. So with every core busy, a holder forced off by the
//! switch interval is back in the queue only after it has had its CPU again, which the threads
//! woken beside it get first (`rejoin`), and no waiter is awake to take the GIL during
//! another thread's short syscall. A request arriving while a body of its process runs then
//! passes receiver, loop and pool thread for one switch interval, as measured (5.4-6.0 ms, a
//! median, on two processes of two CPU threads), where with a core idle each hop pays one.

use super::cpu::{BurstLength, ThreadKind, WokenBy};
use super::event::Event;
use super::ids::{ProcessId, ThreadId};
use super::state::{Activity, Role};
use super::world::World;

/// The forced-off holder's way back into `take_gil`'s wait: returning from the `switch_cond`
/// wait, unlocking and relocking the GIL's mutex. A few microseconds of C, not measured on its
/// own: what matters is when the thread gets a CPU to run them, and any value far below the
/// wake-up latency behaves the same.
const REJOIN_NS: u64 = 5_000;

impl World {
    /// Short syscalls of `th`: each releases the GIL for microseconds, and the thread gets it
    /// straight back unless a waiter is awake at that instant. That race was measured on
    /// CPython 3.11 with a core idle: a waiter wins it with probability `syscall_loss_recent`
    /// shortly after a hand-over (when the previous holder and newly woken threads are still
    /// awake) and `syscall_loss` otherwise. With no core idle beside `th` no waiter can be
    /// awake, and `th` keeps the GIL (unless a thread it woke preempts it in the syscall);
    /// either way each release that `th` takes back wakes one waiter in vain.
    /// Returns true if `th` lost the GIL and now waits for it.
    pub(super) fn lose_gil_at_syscalls(&mut self, th: ThreadId, n: u8) -> bool {
        if self.free_threaded || !self.threads[th].holds_gil {
            return false;
        }
        let p = self.threads[th].process;
        let now = self.now;
        if self.woken_sibling_preempts(th) {
            // The thread it woke takes the free GIL when it runs, later in this instant.
            self.threads[th].pending_ns = 0;
            self.let_go_of_gil(th, p);
            self.enqueue_waiter(p, th);
            return true;
        }
        if !self.a_core_is_idle(p) {
            // No waiter has a CPU to take the GIL on in time, but each release wakes one.
            for _ in 0..n {
                self.signal_in_vain(p, Some(th));
            }
            self.rearm_switch_timer(p);
            return false;
        }
        for _ in 0..n {
            let gil = &mut self.processes[p].gil;
            if gil.waiters.is_empty() {
                return false;
            }
            let recent =
                now.saturating_sub(gil.last_handover) < self.costs.syscall_recent_window_ns;
            let p_loss = if recent {
                self.costs.syscall_loss_recent
            } else {
                self.costs.syscall_loss
            };
            if gil.chance() < p_loss {
                self.threads[th].pending_ns = 0;
                self.let_go_of_gil(th, p);
                self.hand_over(p);
                self.enqueue_waiter(p, th);
                return true;
            }
            self.signal_in_vain(p, Some(th));
        }
        self.rearm_switch_timer(p);
        false
    }

    /// A release of process `p`'s GIL whose `drop_gil` signal wakes a waiter that does not get
    /// it: the releaser takes it straight back after a syscall, or another waiter, already
    /// handed it, runs first. The signalled waiter wakes a moment, finds the GIL held and
    /// starts a fresh timed wait, so its switch-interval cycle restarts; this is why, with the
    /// dispatch path busy, few drop requests come from a waiter that began waiting before the
    /// holder took the GIL. The cycle is restarted at the signal: the moment the waiter takes
    /// to run is not modelled, and several wake-ups of one instant cost the cores one brief
    /// wake-up. Its `releaser`, where known, may draw the waiter's home CPU beside its own, as
    /// Linux's wake-affine placement does (`cpu::wake_affine::brief_waker_cpu_chance`). The
    /// caller re-arms the switch timer once its releases are done.
    fn signal_in_vain(&mut self, p: ProcessId, releaser: Option<ThreadId>) {
        let (now, interval) = (self.now, self.switch_interval_ns);
        let gil = &mut self.processes[p].gil;
        let Some(w) = gil.signalled_waiter(now, interval) else {
            return;
        };
        gil.restart_wait(w, now);
        let core = self.threads[w].core;
        let by = releaser.map(|r| self.woken_by(r, w));
        self.instance_of(p).cores.brief_wake_by(Some(core), now, by);
    }

    /// Whether a thread of `th`'s process that `th` has just woken (a self-pipe or queue write)
    /// runs during `th`'s syscall: with no other core free, Linux puts the woken thread on the
    /// waker's core and runs it at once, while the waker is inside the GIL-free syscall.
    fn woken_sibling_preempts(&self, th: ThreadId) -> bool {
        let p = self.threads[th].process;
        !self.a_core_is_idle(p)
            && self.wake_list.iter().any(|&w| {
                let t = &self.threads[w];
                t.process == p && t.activity == Activity::Woken
            })
    }

    /// `th` (of process `p`) lets go of the GIL, leaving it free; who gets it is the caller's
    /// business.
    fn let_go_of_gil(&mut self, th: ThreadId, p: ProcessId) {
        self.threads[th].holds_gil = false;
        self.processes[p].gil.holder = None;
        self.processes[p].gil_held.set(self.now, 0);
    }

    /// Points process `p`'s switch timer at the next drop request its waiters will make
    /// (none without waiters).
    pub(super) fn rearm_switch_timer(&mut self, p: ProcessId) {
        let interval = self.switch_interval_ns;
        let gil = &mut self.processes[p].gil;
        let next = gil.next_drop_request(interval).map(|t| t.max(self.now));
        if next == gil.armed_at {
            return;
        }
        match next {
            None => gil.disarm(),
            Some(at) => {
                let gen = gil.arm(at);
                self.push(at, Event::GilSwitch { process: p, gen });
            }
        }
    }

    /// `th` (not holding the GIL) waits for it; the switch clock starts if it was not running.
    /// A thread that was asleep (not just forced off a core) first wakes to find the GIL held.
    pub(super) fn enqueue_waiter(&mut self, p: ProcessId, th: ThreadId) {
        let now = self.now;
        if !matches!(
            self.threads[th].activity,
            Activity::OnCpu { .. } | Activity::Rejoining
        ) {
            let core = self.threads[th].core;
            self.instance_of(p).cores.brief_wake(Some(core), now);
        }
        self.processes[p].gil_waiters.add(now, 1);
        self.queue_waiter(p, th);
    }

    /// `th` joins the GIL's queue of waiters (counted as waiting already).
    fn queue_waiter(&mut self, p: ProcessId, th: ThreadId) {
        self.processes[p].gil.push_waiter(th, self.now);
        self.rearm_switch_timer(p);
        self.set_activity(th, Activity::WaitGil);
    }

    /// Takes the GIL if it is free (or already held, or there is none); otherwise queues `th`
    /// as a waiter and starts the switch-interval clock.
    pub(super) fn take_gil(&mut self, th: ThreadId) -> bool {
        if self.free_threaded || self.threads[th].holds_gil {
            return true;
        }
        let p = self.threads[th].process;
        let now = self.now;
        let pr = &mut self.processes[p];
        if pr.gil.holder.is_none() {
            pr.gil.take(th, now, now);
            pr.gil_held.set(now, 1);
            self.threads[th].holds_gil = true;
            return true;
        }
        self.enqueue_waiter(p, th);
        false
    }

    /// Releases the GIL if `th` holds it, handing it to a waiter.
    pub(super) fn drop_gil(&mut self, th: ThreadId) {
        if !self.threads[th].holds_gil {
            return;
        }
        let p = self.threads[th].process;
        self.let_go_of_gil(th, p);
        self.hand_over(p);
    }

    /// Gives the free GIL of process `p` to a waiter the OS picks; it runs after waking up.
    /// `drop_gil` signals the waiter that has slept longest in its timed wait: with a core
    /// idle that one wakes on it, and the pick stands for it; with none, the pick (woken onto
    /// the releaser's CPU as it stops) gets the GIL first, and the signalled waiter, if
    /// another, finds it taken and restarts its timed wait ([`World::signal_in_vain`]).
    pub(super) fn hand_over(&mut self, p: ProcessId) {
        let now = self.now;
        let idle = self.a_core_is_idle(p);
        let pr = &mut self.processes[p];
        let signalled = (!idle)
            .then(|| pr.gil.signalled_waiter(now, self.switch_interval_ns))
            .flatten();
        let releaser = pr.gil.last_holder();
        let Some(w) = pr.gil.pick_waiter() else {
            pr.gil.disarm();
            return;
        };
        pr.gil_waiters.add(now, -1);
        let runs_at = now + self.wakeup_latency(idle, releaser, w);
        let pr = &mut self.processes[p];
        pr.gil.take(w, now, runs_at);
        pr.gil_held.set(now, 1);
        if signalled.is_some_and(|s| s != w) {
            // `w` is out of the queue: the same waiter is still the one signalled.
            self.signal_in_vain(p, releaser);
        }
        self.rearm_switch_timer(p);
        self.threads[w].holds_gil = true;
        self.set_activity(w, Activity::Waking);
        self.push(runs_at, Event::GilGranted { thread: w });
    }

    /// How long `woken`, handed the GIL by `releaser`, takes to run: the condition-variable
    /// wake-up. Linux runs it on the CPU of the thread letting go, as that one stops, within
    /// microseconds (the switch itself is a cost the cores charge, see `cpu`), unless it goes
    /// to an idle CPU, which must first wake up: with a core idle beside the releaser, under
    /// home-CPU placement only if its home CPU is that idle one
    /// ([`Cores::wakes_without_idle_exit`](super::cpu::Cores::wakes_without_idle_exit)), on
    /// shared cores always. In the `perf` record of one process of four CPU threads
    /// (`notebooks/measurements/gil-timeline-2026-12-05`, `m_poisson_cpu20_P1_T4_rho70`), of
    /// the hand-overs with a CPU idle 1,596 ran on the releaser's CPU after a median 3 us and
    /// 652 elsewhere after 60 us. (It looks at the cores through `instance_of`, which marks
    /// them for re-arming, as the model round 26 measured did: a read-only look moves results
    /// by floating-point rounding.)
    fn wakeup_latency(
        &mut self,
        core_idle: bool,
        releaser: Option<ThreadId>,
        woken: ThreadId,
    ) -> u64 {
        let p = self.threads[woken].process;
        let beside = releaser.is_some_and(|r| {
            let (wakee, by) = (self.threads[woken].core, self.threads[r].core);
            self.instance_of(p).cores.wakes_without_idle_exit(wakee, by)
        });
        if core_idle && !beside {
            self.costs.gil_handover_ns
        } else {
            self.costs.gil_handover_busy_ns
        }
    }

    /// A thread handed the GIL runs: it resumes its Python op. Taking the GIL wakes the
    /// holder it was forced from, if any, to queue up again ([`World::rejoin`]).
    pub(super) fn gil_granted(&mut self, th: ThreadId) {
        let p = self.threads[th].process;
        let forced_off = self.processes[p].gil.forced_off.take();
        self.resume_python(th, true);
        if let Some(h) = forced_off {
            self.rejoin(h, th);
        }
    }

    /// `th`, holding the GIL, goes on with the Python op it was in (`woken`: after sleeping,
    /// woken by the GIL's previous holder), or with its next op.
    fn resume_python(&mut self, th: ThreadId, woken: bool) {
        let ns = std::mem::take(&mut self.threads[th].pending_ns);
        if ns == 0 {
            self.advance(th);
            return;
        }
        let p = self.threads[th].process;
        let by = if woken && self.instance_of(p).cores.places_threads() {
            let waker = self.processes[p].gil.handed_over_by();
            waker.map(|w| self.woken_by(w, th))
        } else {
            None
        };
        self.start_cpu_woken_by(th, ns, true, by);
    }

    /// `h`, forced off the GIL while no core idled, is woken by `by` taking it
    /// (`switch_cond`) and runs a moment to call `take_gil` again: it queues up only once it
    /// has a CPU. Having just run a switch interval, it owes its CPU's queue time and waits
    /// there behind the threads woken beside it ([`BurstLength::Moment`]), so the thread the
    /// GIL went to, and those it wakes in turn (the loop, a pool thread), pass the GIL on among
    /// themselves before `h` is back in the queue.
    fn rejoin(&mut self, h: ThreadId, by: ThreadId) {
        if self.threads[h].activity != Activity::WaitGil || self.threads[h].holds_gil {
            return;
        }
        let p = self.threads[h].process;
        let woken_by = if self.instance_of(p).cores.places_threads() {
            Some(self.woken_by(by, h))
        } else {
            None
        };
        self.set_activity(h, Activity::Rejoining);
        let (now, core) = (self.now, self.threads[h].core);
        self.instance_of(p)
            .cores
            .start_burst(core, REJOIN_NS, now, woken_by, BurstLength::Moment);
    }

    /// `h` is back in `take_gil`: it takes the GIL if it is free and goes on with its op,
    /// or waits for it (already counted among the waiters since it was forced off).
    pub(super) fn rejoined(&mut self, h: ThreadId) {
        let p = self.threads[h].process;
        if self.processes[p].gil.holder.is_some() {
            self.queue_waiter(p, h);
            return;
        }
        self.processes[p].gil_waiters.add(self.now, -1);
        self.take_gil(h);
        self.resume_python(h, false);
    }

    /// `waker` waking `th`, as the cores' placement sees it: a pool or executor thread runs
    /// bodies, any other is the dispatch path.
    fn woken_by(&self, waker: ThreadId, th: ThreadId) -> WokenBy {
        let kind = |t: ThreadId| match self.threads[t].role {
            Role::Pool(_) | Role::Executor(_) => ThreadKind::Body,
            Role::Receiver | Role::Loop | Role::Sender => ThreadKind::Dispatch,
        };
        WokenBy {
            waker: self.threads[waker].core,
            waker_kind: kind(waker),
            wakee_kind: kind(th),
        }
    }

    /// The switch interval expired with waiters: the holder is asked to drop the GIL, gives it
    /// to another thread, and queues up again for it (FORCE_SWITCHING).
    pub(super) fn gil_switch(&mut self, p: ProcessId, gen: u32) {
        let gil = &mut self.processes[p].gil;
        if gen != gil.timer_gen || gil.armed_at.is_none() {
            return;
        }
        gil.armed_at = None;
        // The waiter whose timed wait ran out wakes to set the drop request.
        let now = self.now;
        let core = if self.instance_of(p).cores.places_threads() {
            let requester = self.processes[p]
                .gil
                .next_requester(self.switch_interval_ns);
            requester.map(|w| self.threads[w].core)
        } else {
            None
        };
        self.instance_of(p).cores.brief_wake(core, now);
        let gil = &mut self.processes[p].gil;
        let Some(h) = gil.holder else {
            self.hand_over(p);
            return;
        };
        if gil.waiters.is_empty() {
            return;
        }
        if self.threads[h].activity != (Activity::OnCpu { gil: true }) {
            // Still waking up: requests are timed to reach it only once it runs.
            self.rearm_switch_timer(p);
            debug_assert!(self.processes[p].gil.armed_at > Some(self.now));
            return;
        }
        let core = self.threads[h].core;
        let left = self.instance_of(p).cores.stop(core, now);
        self.threads[h].pending_ns = left;
        self.let_go_of_gil(h, p);
        let back_at_once = self.a_core_is_idle(p);
        self.hand_over(p);
        if back_at_once {
            self.enqueue_waiter(p, h);
        } else {
            self.await_rejoin(p, h);
        }
    }

    /// `h`, forced off the GIL of `p` while no core idles, waits until the thread the GIL
    /// went to has taken it; it already counts as waiting for the GIL.
    fn await_rejoin(&mut self, p: ProcessId, h: ThreadId) {
        let now = self.now;
        self.processes[p].gil_waiters.add(now, 1);
        self.set_activity(h, Activity::WaitGil);
        self.processes[p].gil.forced_off = Some(h);
    }
}
