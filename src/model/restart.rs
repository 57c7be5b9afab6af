//! A worker process restart: the process dies (the host kills it after a function timeout, or
//! the kernel at the instance's memory limit, see `memory`), every invocation on it fails,
//! and the host starts it again after the restart delay, paying its worker start (imports
//! included) again.
//!
//! Cutting the process reuses what a drain's cut does for a whole instance (`drain`): its
//! pending events (its threads' blocking calls, wake-ups and GIL hand-overs, awaited I/O of
//! its invocations, requests on their way to it) leave the event queue, its threads leave the
//! cores and go idle, and its GIL is freed. Its queues (inbox, loop callbacks, pool queues,
//! responses not yet sent) are emptied. The restarted process keeps its thread records: its
//! pool threads come back idle rather than being created again, which costs nothing in the
//! model either way; its first body meets a cold process again.
//!
//! The invocation that timed out fails as `failed:timeout`, the others on the process as
//! `failed:worker_restart`; after an OOM kill every invocation on it fails as `failed:oom`; each through the same path as a response (`answer`): a request
//! simply fails; a storage-queue or Service Bus message has had a failed try (tried again
//! after its visibility timeout or redelivered, then poisoned or dead-lettered); an Event
//! Hubs batch is not retried. Meanwhile the instance's dispatcher leaves the process out:
//! requests go to its other ready processes, or wait at the instance until one is ready.

use super::drain::process_owner;
use super::event::Event;
use super::ids::{InvId, ProcessId, ThreadId};
use super::instance::InstanceState;
use super::program::Sampler;
use super::world::World;
use crate::config::scale::ColdStart;
use crate::config::Experiment;
use crate::kernel::{RngStreams, SimRng};
use crate::metrics::FailReason;

/// How a restarted process comes back: the restart delay, then its worker start.
pub(super) struct Restarts {
    /// Down time before the start: the experiment's `worker_restart_delay_s` (default 10 s,
    /// see [`crate::config::WORKER_RESTART_DELAY_S`]).
    delay_ns: u64,
    /// A worker start with the app's imports: the `scale` block's `cold_start.worker_start`,
    /// or its default for a run without one.
    worker_start: Sampler,
    /// Draws of `worker_start` ("worker-restart", its own stream, so a run without restarts
    /// draws exactly what it drew before).
    rng: SimRng,
    /// Restarts so far, by why the process died.
    pub(super) counts: RestartCounts,
}

/// Why a worker process dies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kill {
    /// The host kills it: this invocation ran out of its function timeout.
    Timeout(InvId),
    /// The kernel kills it: the instance passed its memory limit.
    OutOfMemory,
}

/// Worker process restarts over a run, by cause.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RestartCounts {
    /// After a function timeout.
    pub timeout: u64,
    /// After an out-of-memory kill.
    pub out_of_memory: u64,
}

impl Restarts {
    /// The restarts of `exp`'s processes.
    pub(super) fn of(exp: &Experiment, streams: &RngStreams) -> Restarts {
        let cold_start = exp
            .scale
            .as_ref()
            .map_or_else(ColdStart::defaults, |s| s.cold_start.clone());
        Restarts {
            delay_ns: exp.worker_restart_delay_ns,
            worker_start: Sampler::new(&cold_start.worker_start),
            rng: streams.stream("worker-restart"),
            counts: RestartCounts::default(),
        }
    }

    /// How long from the kill until the process is ready again.
    fn down_ns(&mut self) -> u64 {
        self.delay_ns
            .saturating_add(self.worker_start.sample(&mut self.rng))
    }
}

impl World {
    /// Process `p` dies for `kill` with everything on it and is started again (see the
    /// module docs).
    pub(super) fn restart_process(&mut self, p: ProcessId, kill: Kill) {
        let id = self.processes[p].instance;
        self.instances[id].process_down(p);
        self.processes[p].ready = false;
        let victims = self.invocations_on(p);
        let (threads, tasks, invs) = (&self.threads, &self.tasks, &self.invs);
        self.queue
            .retain(|ev| process_owner(ev, threads, tasks, invs) != Some(p));
        self.stop_process(p);
        for inv in victims {
            let reason = match kill {
                Kill::Timeout(timed_out) if inv == timed_out => FailReason::Timeout,
                Kill::Timeout(_) => FailReason::WorkerRestart,
                Kill::OutOfMemory => FailReason::OutOfMemory,
            };
            self.fail_in_worker(inv, reason);
        }
        self.memory_process_down(p);
        let counts = &mut self.restarts.counts;
        match kill {
            Kill::Timeout(_) => counts.timeout += 1,
            Kill::OutOfMemory => counts.out_of_memory += 1,
        }
        self.schedule_restart(p);
    }

    /// The invocations placed on `p` and not answered, in arrival order.
    fn invocations_on(&self, p: ProcessId) -> Vec<InvId> {
        let mut on: Vec<InvId> = self
            .invs
            .live_ids()
            .into_iter()
            .filter(|&inv| self.invs[inv].process == Some(p))
            .collect();
        on.sort_by_key(|&inv| self.invs[inv].id);
        on
    }

    /// Stops every thread of `p`, frees its GIL and empties its queues.
    fn stop_process(&mut self, p: ProcessId) {
        let pr = &self.processes[p];
        let mut threads: Vec<ThreadId> = vec![pr.receiver, pr.loop_thread, pr.sender];
        threads.extend(&pr.pool.threads);
        threads.extend(&pr.executor.threads);
        for &th in &threads {
            self.stop_thread(th);
            self.threads[th].asleep_since = self.now;
        }
        self.free_gil(p);
        let pr = &mut self.processes[p];
        pr.inbox.clear();
        pr.ready_queue.clear();
        pr.round_left = 0;
        pr.outbox.clear();
        for pool in [&mut pr.pool, &mut pr.executor] {
            pool.queue.clear();
            pool.waking = None;
            pool.idle = pool.threads.iter().copied().collect();
        }
        pr.ran_a_body = false;
        let id = pr.instance;
        self.note_cpu_touched(id);
    }

    /// `inv`, on a process being killed, fails now for `reason`.
    fn fail_in_worker(&mut self, inv: InvId, reason: FailReason) {
        let id = self.processes[self.process_of(inv)].instance;
        self.forget_tasks_of(inv);
        if self.invs[inv].start.is_none() {
            self.instances[id].queued.add(self.now, -1);
        }
        self.settle(inv, id, Some(reason), self.now);
    }

    /// The host starts `p` again after the restart delay and its worker start (unless its
    /// instance is gone).
    fn schedule_restart(&mut self, p: ProcessId) {
        let id = self.processes[p].instance;
        if self.instances[id].state == InstanceState::Removed {
            return;
        }
        let at = self.now.saturating_add(self.restarts.down_ns());
        self.push(at, Event::ProcessReady { process: p });
    }
}
