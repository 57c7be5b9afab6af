//! The worker's ThreadPoolExecutors (the function pool and the loop's default executor):
//! submitting work, waking idle threads one at a time, starting threads on demand.

use super::ids::{ProcessId, TaskId, ThreadId};
use super::state::Role;
use super::worker::Pool;
use super::world::World;

/// Which of a process's two executors.
#[derive(Clone, Copy)]
pub(super) enum Executor {
    FunctionPool,
    Default,
}

impl World {
    /// `executor.submit`: queue the task; if threads are idle, the queue wakes one of them (one
    /// at a time: the next is woken when that one has taken its item); if none is idle and the
    /// pool is below max_workers, a new thread starts.
    pub(super) fn submit(&mut self, p: ProcessId, which: Executor, task: TaskId) {
        let pool = self.pool_mut(p, which);
        pool.queue.push_back(task);
        if !pool.idle.is_empty() {
            self.wake_one_idle(p, which);
        } else if (pool.threads.len() as u32) < pool.max {
            let n = pool.threads.len() as u32;
            let role = match which {
                Executor::FunctionPool => Role::Pool(n),
                Executor::Default => Role::Executor(n),
            };
            let th = self.new_thread(p, role);
            self.pool_mut(p, which).threads.push(th);
            self.wake(th);
        }
    }

    fn pool(&self, p: ProcessId, which: Executor) -> &Pool {
        match which {
            Executor::FunctionPool => &self.processes[p].pool,
            Executor::Default => &self.processes[p].executor,
        }
    }

    /// The process and executor of pooled thread `th` (None for a dispatch thread).
    fn executor_of(&self, th: ThreadId) -> Option<(ProcessId, Executor)> {
        let t = &self.threads[th];
        let which = match t.role {
            Role::Pool(_) => Executor::FunctionPool,
            Role::Executor(_) => Executor::Default,
            _ => return None,
        };
        Some((t.process, which))
    }

    fn pool_mut(&mut self, p: ProcessId, which: Executor) -> &mut Pool {
        match which {
            Executor::FunctionPool => &mut self.processes[p].pool,
            Executor::Default => &mut self.processes[p].executor,
        }
    }

    /// Wakes the longest-idle thread of a pool unless one is already on its way.
    fn wake_one_idle(&mut self, p: ProcessId, which: Executor) {
        if self.pool(p, which).queue.is_empty() {
            return;
        }
        self.wake_next_idle(p, which);
    }

    /// Wakes the longest-idle thread of a pool, work queued or not, unless one is already on
    /// its way: the queue's lock goes to it.
    fn wake_next_idle(&mut self, p: ProcessId, which: Executor) {
        let pool = self.pool_mut(p, which);
        if pool.waking.is_some() {
            return;
        }
        if let Some(th) = pool.idle.pop_front() {
            pool.waking = Some(th);
            self.wake(th);
        }
    }

    /// Whether `th` is a pooled thread woken through its work queue's lock: back in
    /// `SimpleQueue.get`, it takes the GIL before it can look at the queue, even if the
    /// queue is empty by then.
    pub(super) fn woken_by_queue_lock(&self, th: ThreadId) -> bool {
        self.executor_of(th)
            .is_some_and(|(p, which)| self.pool(p, which).waking == Some(th))
    }

    /// A pooled thread is done looking at the queue; `took` says whether it got an item.
    /// CPython 3.11's `SimpleQueue.get` (the executors' work queue) hands its lock on: a thread
    /// the lock woke that pops an item releases the lock, which wakes the next idle thread
    /// whether or not anything is left; that one takes the GIL, and with nothing to do sleeps
    /// again, holding the lock, so the chain stops there. In the `perf` records of 2 x 6 and
    /// 2 x 3 CPU cases (`notebooks/measurements/queue-lock-2026-12-06`) a sixth of the pool
    /// threads' GIL holds, 0.9 per invocation, are such wake-ups: a few us long, after a wait
    /// of about a switch interval. Otherwise the next idle thread is woken only for what is
    /// left.
    pub(super) fn pool_thread_settled(&mut self, th: ThreadId, took: bool) {
        let Some((p, which)) = self.executor_of(th) else {
            return;
        };
        let pool = self.pool_mut(p, which);
        let lock_woken = pool.waking == Some(th);
        if lock_woken {
            pool.waking = None;
        }
        if lock_woken && took {
            self.wake_next_idle(p, which);
        } else {
            self.wake_one_idle(p, which);
        }
    }
}
