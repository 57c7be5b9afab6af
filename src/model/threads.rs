//! What each thread does next: the dispatch path of the worker (receiver, loop rounds, sender),
//! the op loop every thread runs, and the CPU bursts. Executors are in `pools`, program steps
//! in `tasks`, the GIL in `gil_protocol`.
//!
//! A thread runs one job at a time ([`Job`]); a job is a sequence of ops, each one of
//! * `Python(ns)`: bytecode, which needs the GIL (0 ns = just take the GIL back),
//! * `Native(ns)`: GIL-free C code on a core,
//! * `Block(ns)`: a blocking call, which drops the GIL and sleeps,
//! * `Syscall(n)`: short syscalls of the dispatch path, which usually keep the GIL,
//! * `Yield`: the job is over (or, for a coroutine, suspended at an `await`).
//!
//! A thread keeps the GIL from one Python op to the next (across jobs too, as the loop does
//! across ready callbacks) and drops it only for a blocking call, native code, or when it runs
//! out of work. Threads woken during an event run after the current thread's transition
//! (`wake` defers them), which is the order the OS gives a thread that signals another.

use super::cpu::{Waker, WokenBy};
use super::event::Event;
use super::ids::{ProcessId, ThreadId};
use super::state::{Activity, Role};
use super::worker::Job;
use super::world::World;
use rand_distr::{Distribution, StandardNormal};

/// The next thing a thread does.
pub(super) enum Op {
    Python(u64),
    Native(u64),
    Block(u64),
    /// `n` short syscalls (pipe read or write, epoll_wait(0)): each releases the GIL for a few
    /// microseconds, and a waiter that happens to be awake may take it.
    Syscall(u8),
    Yield,
}

impl World {
    /// Lets an idle thread look for work once the current event's transition is done, or,
    /// when it has slept long, once its sleeper wake-up latency is over
    /// ([`DispatchCosts::sleeper_wake_ns`](crate::config::DispatchCosts::sleeper_wake_ns)).
    pub(super) fn wake(&mut self, th: ThreadId) {
        self.wake_from(th, Waker::WorkerThread);
    }

    /// [`World::wake`] by `waker`, which decides whether the waker's own core is already
    /// counted among the running ones. A thread woken onto an idle CPU after a long sleep
    /// also owes that CPU's way out of its halt (`DispatchCosts::idle_wake_cpu_ns_after`),
    /// whoever woke it: the interrupt's exit and the woken thread's first stretch on a CPU the
    /// hypervisor has just resumed are counted in the guest as the woken thread's time.
    pub(super) fn wake_from(&mut self, th: ThreadId, waker: Waker) {
        let t = &mut self.threads[th];
        if t.activity != Activity::Idle {
            return;
        }
        t.activity = Activity::Woken;
        let slept = self.now - t.asleep_since;
        let p = t.process;
        let instance = self.processes[p].instance;
        let latency = if self.instances[instance].cores.idle_core_beside(waker) {
            self.threads[th].wake_cpu_owed_ns += self.costs.idle_wake_cpu_ns_after(slept);
            self.costs.sleeper_wake_ns(slept)
        } else {
            0
        };
        if latency == 0 {
            self.wake_list.push(th);
        } else {
            self.push(self.now + latency, Event::AwakeAfterSleep { thread: th });
        }
    }

    /// Whether a thread of process `p` woken now would find an idle core of its instance,
    /// besides the one its waker runs on. A long-idle (virtual) core must first leave its halt,
    /// which is the sleeper's wake-up latency; with every core busy the woken thread is queued
    /// on a running core instead (and may preempt its waker there, see `gil_protocol`).
    pub(super) fn a_core_is_idle(&self, p: ProcessId) -> bool {
        let instance = self.processes[p].instance;
        self.instances[instance]
            .cores
            .idle_core_beside(Waker::WorkerThread)
    }

    /// A thread woken after a long sleep runs and looks for work.
    pub(super) fn awake_after_sleep(&mut self, th: ThreadId) {
        if self.threads[th].activity == Activity::Woken {
            self.threads[th].activity = Activity::Idle;
            self.advance(th);
        }
    }

    /// `loop.call_soon(_threadsafe)`: queues `job` on process `p`'s event loop.
    pub(super) fn post_to_loop(&mut self, p: ProcessId, job: Job) {
        self.processes[p].ready_queue.push_back(job);
        let l = self.processes[p].loop_thread;
        self.wake(l);
    }

    /// Runs `th` until it waits for something: the GIL, a core, a blocking call, or work; a
    /// thread just woken onto an idle CPU first pays that wake-up's CPU.
    pub(super) fn advance(&mut self, th: ThreadId) {
        if self.pay_wake_cpu(th) {
            return;
        }
        loop {
            if self.threads[th].job == Job::None {
                // Returning from queue.get / epoll_wait / recv is Python code: a thread takes
                // the GIL back before it can look at its queue, so a thread that already holds
                // it (finishing a body) may take the item an idle thread was woken for. A
                // thread its pool's queue lock woke takes the GIL even with nothing queued.
                if !self.has_queued_work(th) && !self.woken_by_queue_lock(th) {
                    self.go_idle(th);
                    return;
                }
                if !self.take_gil(th) {
                    self.threads[th].pending_ns = 0;
                    return;
                }
                if !self.take_job(th) {
                    self.go_idle(th);
                    return;
                }
            }
            match self.next_op(th) {
                Op::Python(ns) => {
                    if !self.take_gil(th) {
                        self.threads[th].pending_ns = ns;
                        return;
                    }
                    if ns > 0 {
                        self.start_cpu(th, ns, true);
                        return;
                    }
                }
                Op::Native(ns) => {
                    self.drop_gil(th);
                    if ns > 0 {
                        self.start_cpu(th, ns, false);
                        return;
                    }
                }
                Op::Block(ns) => {
                    self.drop_gil(th);
                    self.set_activity(th, Activity::Blocked);
                    self.push(self.now.saturating_add(ns), Event::SleepDone { thread: th });
                    return;
                }
                Op::Syscall(n) => {
                    if self.lose_gil_at_syscalls(th, n) {
                        return;
                    }
                }
                Op::Yield => self.threads[th].assign(Job::None, 0),
            }
        }
    }

    /// Puts `th`, just woken onto an idle CPU, on a core for the wake-up's CPU it owes, which
    /// it pays before it takes the GIL back; true when it owed some.
    fn pay_wake_cpu(&mut self, th: ThreadId) -> bool {
        let owed = std::mem::take(&mut self.threads[th].wake_cpu_owed_ns);
        if owed == 0 {
            return false;
        }
        debug_assert!(!self.threads[th].holds_gil, "a woken thread holds no GIL");
        self.start_cpu(th, owed, false);
        true
    }

    /// Work waiting in the queue this thread serves.
    fn has_queued_work(&self, th: ThreadId) -> bool {
        let t = &self.threads[th];
        let pr = &self.processes[t.process];
        match t.role {
            Role::Receiver => !pr.inbox.is_empty(),
            Role::Loop => !pr.ready_queue.is_empty(),
            Role::Sender => !pr.outbox.is_empty(),
            Role::Pool(_) => !pr.pool.queue.is_empty(),
            Role::Executor(_) => !pr.executor.queue.is_empty(),
        }
    }

    fn take_job(&mut self, th: ThreadId) -> bool {
        let t = &self.threads[th];
        let pr = &mut self.processes[t.process];
        let job = match t.role {
            Role::Receiver => pr.inbox.pop_front().map(Job::Receive),
            Role::Loop if pr.round_left == 0 => {
                pr.round_left = pr.ready_queue.len();
                (pr.round_left > 0).then_some(Job::Poll)
            }
            Role::Loop => {
                pr.round_left -= 1;
                pr.ready_queue.pop_front()
            }
            Role::Sender => pr.outbox.pop_front().map(Job::Respond),
            Role::Pool(_) => pr.pool.queue.pop_front().map(Job::Run),
            Role::Executor(_) => pr.executor.queue.pop_front().map(Job::Run),
        };
        self.pool_thread_settled(th, job.is_some());
        let Some(job) = job else { return false };
        let t = &mut self.threads[th];
        if matches!(t.role, Role::Pool(_) | Role::Executor(_)) && !t.busy {
            t.busy = true;
            let instance = self.processes[t.process].instance;
            self.instances[instance].busy_threads.add(self.now, 1);
        }
        t.assign(job, 0);
        true
    }

    fn go_idle(&mut self, th: ThreadId) {
        self.drop_gil(th);
        self.pool_thread_settled(th, false);
        let t = &mut self.threads[th];
        let (p, role) = (t.process, t.role);
        if t.busy {
            t.busy = false;
            let instance = self.processes[p].instance;
            self.instances[instance].busy_threads.add(self.now, -1);
        }
        match role {
            Role::Pool(_) => self.processes[p].pool.idle.push_back(th),
            Role::Executor(_) => self.processes[p].executor.idle.push_back(th),
            _ => {}
        }
        self.threads[th].asleep_since = self.now;
        self.set_activity(th, Activity::Idle);
    }

    /// The next op of the thread's current job; advances the job's state.
    fn next_op(&mut self, th: ThreadId) -> Op {
        let t = &mut self.threads[th];
        let p = t.process;
        let stage = t.stage;
        t.stage = t.stage.saturating_add(1);
        let c = self.costs;
        match (t.job, stage) {
            (Job::None, _) => Op::Yield,
            // Connection.recv: two pipe reads (length, then payload), then unpickling.
            (Job::Receive(_), 0) => Op::Syscall(2),
            (Job::Receive(_), 1) => Op::Python(self.cost(p, c.receive_ns)),
            // call_soon_threadsafe: append the callback, write a byte to the loop's self-pipe.
            (Job::Receive(inv), 2) => {
                self.post_to_loop(p, Job::Dispatch(inv));
                Op::Syscall(1)
            }
            (Job::Dispatch(_), 0) => Op::Python(self.cost(p, c.dispatch_ns)),
            (Job::Dispatch(inv), 1) => {
                self.start_body(p, inv);
                Op::Yield
            }
            (Job::Complete(_), 0) => Op::Python(self.cost(p, c.complete_ns)),
            (Job::Complete(inv), 1) => {
                self.processes[p].outbox.push_back(inv);
                let s = self.processes[p].sender;
                self.wake(s);
                Op::Yield
            }
            (Job::Respond(_), 0) => Op::Python(self.cost(p, c.respond_ns)),
            (Job::Respond(_), 1) => Op::Syscall(1),
            (Job::Respond(inv), 2) => {
                self.respond(inv);
                Op::Yield
            }
            (Job::Run(_), 0) => Op::Python(self.cost(p, c.executor_handoff_ns)),
            (Job::Run(task), _) => self.task_op(th, task, false),
            (Job::Step(task), _) => self.task_op(th, task, true),
            // One round of the loop: epoll_wait(0) and reading the self-pipe.
            (Job::Poll, 0) => Op::Syscall(3),
            // A pool thread's call_soon_threadsafe: the self-pipe write.
            (Job::Notify, 0) => Op::Syscall(1),
            (_, _) => Op::Yield,
        }
    }

    /// A dispatch-path cost of process `p`, with its noise.
    pub(super) fn cost(&mut self, p: ProcessId, ns: u64) -> u64 {
        let sigma = self.costs.jitter_sigma;
        if sigma == 0.0 || ns == 0 {
            return ns;
        }
        let z: f64 = StandardNormal.sample(&mut self.processes[p].jitter);
        (ns as f64 * (sigma * z - sigma * sigma / 2.0).exp()).round() as u64
    }

    pub(super) fn start_cpu(&mut self, th: ThreadId, ns: u64, gil: bool) {
        self.start_cpu_woken_by(th, ns, gil, None);
    }

    /// [`World::start_cpu`] for a thread woken `by` a known thread (the GIL's previous holder
    /// handing it over), which the cores may place it beside.
    pub(super) fn start_cpu_woken_by(
        &mut self,
        th: ThreadId,
        ns: u64,
        gil: bool,
        by: Option<WokenBy>,
    ) {
        let p = self.threads[th].process;
        self.set_activity(th, Activity::OnCpu { gil });
        let (now, core) = (self.now, self.threads[th].core);
        self.instance_of(p).cores.start_woken_by(core, ns, now, by);
    }

    /// Changes what `th` is doing, keeping the loop gauges and the time attributed to
    /// functions in step.
    #[inline(always)]
    pub(super) fn set_activity(&mut self, th: ThreadId, a: Activity) {
        let t = &mut self.threads[th];
        let before = t.activity;
        if before == a && t.code_known && t.role != Role::Loop {
            return;
        }
        t.activity = a;
        if before != a || t.role == Role::Loop {
            let pr = &mut self.processes[t.process];
            let busy = |x: Activity| !matches!(x, Activity::Idle | Activity::Woken);
            if busy(before) != busy(a) {
                let delta = if busy(a) { 1 } else { -1 };
                pr.active_threads.add(self.now, delta);
                if t.role == Role::Loop {
                    pr.loop_busy.add(self.now, delta);
                }
            }
            if t.role == Role::Loop {
                // Blocked: running a coroutine's own code (Python, native or a blocking call),
                // so no other callback of this loop can run.
                let blocked = matches!(t.job, Job::Step(_))
                    && matches!(a, Activity::Blocked | Activity::OnCpu { .. });
                if blocked != pr.loop_in_user_code {
                    pr.loop_in_user_code = blocked;
                    pr.loop_blocked.add(self.now, if blocked { 1 } else { -1 });
                }
            }
        }
        self.restart_stretch(th, a);
        if self.thread_log.is_some() {
            self.log_thread(th);
        }
    }
}
