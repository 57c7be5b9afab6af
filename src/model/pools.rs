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

    fn pool_mut(&mut self, p: ProcessId, which: Executor) -> &mut Pool {
        match which {
            Executor::FunctionPool => &mut self.processes[p].pool,
            Executor::Default => &mut self.processes[p].executor,
        }
    }

    /// Wakes the longest-idle thread of a pool unless one is already on its way.
    fn wake_one_idle(&mut self, p: ProcessId, which: Executor) {
        let pool = self.pool_mut(p, which);
        if pool.waking.is_some() || pool.queue.is_empty() {
            return;
        }
        if let Some(th) = pool.idle.pop_front() {
            pool.waking = Some(th);
            self.wake(th);
        }
    }

    /// A pooled thread is done looking at the queue: if it was the one woken, the next idle
    /// thread may be woken for what is left.
    pub(super) fn pool_thread_settled(&mut self, th: ThreadId) {
        let t = &self.threads[th];
        let which = match t.role {
            Role::Pool(_) => Executor::FunctionPool,
            Role::Executor(_) => Executor::Default,
            _ => return,
        };
        let p = t.process;
        let pool = self.pool_mut(p, which);
        if pool.waking == Some(th) {
            pool.waking = None;
        }
        self.wake_one_idle(p, which);
    }
}
