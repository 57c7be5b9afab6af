//! One Python worker process: its threads, queues, GIL and the gauges that describe it.
//!
//! Mirrors azure-functions-python-worker's structure: a gRPC reader thread receives requests
//! and hands them to the asyncio loop on the main thread (`call_soon_threadsafe`); the loop runs
//! `async def` bodies as tasks and sends `def` bodies to a ThreadPoolExecutor of
//! PYTHON_THREADPOOL_THREAD_COUNT threads; `run_in_executor(None, ...)` uses the loop's separate
//! default executor; responses go back through a sender thread.

use super::gil::Gil;
use super::ids::{InstanceId, InvId, ProcessRank, TaskId, ThreadId};
use crate::kernel::SimRng;
use crate::metrics::Gauge;
use std::collections::VecDeque;

/// Work a thread can be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Nothing.
    None,
    /// Receiver thread: read a request and hand it to the loop.
    Receive(InvId),
    /// Loop: convert bindings, then start the body (task or executor submit).
    Dispatch(InvId),
    /// Loop: run a coroutine from where it stopped to its next await.
    Step(TaskId),
    /// Loop: convert outputs of a finished body and pass the response to the sender.
    Complete(InvId),
    /// Sender thread: write a response back to the host.
    Respond(InvId),
    /// Pool or executor thread: run a synchronous program.
    Run(TaskId),
    /// Loop: start a round (epoll_wait(0), read the self-pipe) before its ready callbacks.
    Poll,
    /// Pool or executor thread: write the loop's self-pipe after posting a callback.
    Notify,
}

/// A ThreadPoolExecutor: at most `max` threads, created lazily, and an unbounded FIFO queue.
#[derive(Debug, Default)]
pub struct Pool {
    /// max_workers.
    pub max: u32,
    /// Threads created so far, in creation order.
    pub threads: Vec<ThreadId>,
    /// Threads waiting for work, longest-idle first.
    pub idle: VecDeque<ThreadId>,
    /// Submitted work not yet picked up.
    pub queue: VecDeque<TaskId>,
    /// An idle thread the work queue's lock woke that has not looked at the queue yet (for
    /// queued work, or handed the lock by a thread that took an item): the queue wakes one
    /// waiting thread at a time.
    pub waking: Option<ThreadId>,
}

/// One worker process.
#[derive(Debug)]
pub struct Process {
    /// The instance it runs on.
    pub instance: InstanceId,
    /// Its place among the instance's processes (its account on the instance's cores).
    pub rank: ProcessRank,
    /// Started and receiving invocations.
    pub ready: bool,
    /// The gRPC reader thread.
    pub receiver: ThreadId,
    /// The main thread, running the asyncio loop.
    pub loop_thread: ThreadId,
    /// The thread writing responses back.
    pub sender: ThreadId,
    /// Requests delivered, not yet read by the receiver.
    pub inbox: VecDeque<InvId>,
    /// The loop's ready callbacks, in FIFO order.
    pub ready_queue: VecDeque<Job>,
    /// Callbacks left in the loop's current round (asyncio runs the callbacks ready when a
    /// round starts; later ones wait for the next round and its epoll_wait).
    pub round_left: usize,
    /// Responses waiting for the sender.
    pub outbox: VecDeque<InvId>,
    /// The function thread pool (sync bodies).
    pub pool: Pool,
    /// The loop's default executor (run_in_executor(None, ...)).
    pub executor: Pool,
    /// The process's GIL.
    pub gil: Gil,
    /// Noise on its dispatch-path costs.
    pub jitter: SimRng,
    /// Invocations routed here.
    pub invocations: u64,
    /// A body has started here: the process is warm (its first body met it cold).
    pub ran_a_body: bool,
    /// 1 while the GIL has a holder.
    pub gil_held: Gauge,
    /// Threads waiting for the GIL.
    pub gil_waiters: Gauge,
    /// 1 while the loop thread has work (running, waiting for the GIL, or blocked).
    pub loop_busy: Gauge,
    /// 1 while the loop thread runs a coroutine's own code (Python, native or a blocking call).
    pub loop_blocked: Gauge,
    /// The loop thread is in a coroutine's own code now.
    pub loop_in_user_code: bool,
    /// Threads of this process with work (running, waiting for the GIL or a core, blocked).
    pub active_threads: Gauge,
}
