//! The runtime records the world is made of: threads (their role and what they are doing),
//! tasks (running programs), invocations in flight, and the functions' arrival state.

use super::ids::{ClientId, CoreSlot, FuncId, IdVec, InstanceId, InvId, ProcessId, ProgId, TaskId};
use super::program::Sampler;
use super::worker::Job;
use crate::config::FunctionKind;
use crate::kernel::SimRng;
use crate::metrics::{InvocationRecord, Outcome, Slot, ThreadLabel};
use crate::workload::ArrivalSource;

/// What a thread is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// gRPC reader.
    Receiver,
    /// Main thread with the asyncio loop.
    Loop,
    /// Response writer.
    Sender,
    /// Function thread pool, thread n.
    Pool(u32),
    /// Default executor, thread n.
    Executor(u32),
}

/// What a thread is doing right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// No work; not holding the GIL.
    Idle,
    /// Told to look for work at the end of the current event.
    Woken,
    /// Waiting for the GIL.
    WaitGil,
    /// Handed the GIL, waking up.
    Waking,
    /// Forced off the GIL, running a moment on a core to queue up for it again (it must get
    /// a CPU first: with every CPU busy it waits for one).
    Rejoining,
    /// On a core; `gil` says whether it runs Python (holding the GIL) or native code.
    OnCpu {
        /// Holding the GIL.
        gil: bool,
    },
    /// In a blocking call.
    Blocked,
}

/// One OS thread of a worker process.
#[derive(Debug)]
pub struct Thread {
    /// Owning process.
    pub process: ProcessId,
    /// Its seat on the cores of its process's instance.
    pub core: CoreSlot,
    /// What it is for.
    pub role: Role,
    /// What it does now.
    pub activity: Activity,
    /// It is the GIL holder.
    pub holds_gil: bool,
    /// CPU work left of the current op, ns (kept across preemption).
    pub pending_ns: u64,
    /// Current work.
    pub job: Job,
    /// Progress through a dispatch-path job.
    pub stage: u8,
    /// A pool thread with work (counted in the busy-threads gauge).
    pub busy: bool,
    /// The function whose invocation its job works for (None: the worker's own work, or no
    /// job), once known.
    pub code: Option<FuncId>,
    /// `code` has been found for the current job.
    pub code_known: bool,
    /// Where the time of its current stretch (since its last activity or job change) goes.
    pub slot: Slot,
    /// When its current stretch began (if its time goes to a slot).
    pub since: u64,
    /// When it last went idle (blocked waiting for work): how long a wake-up finds it asleep.
    pub asleep_since: u64,
    /// CPU it owes for having been woken onto an idle CPU after a long sleep
    /// ([`DispatchCosts::idle_wake_cpu_ns`](crate::config::DispatchCosts::idle_wake_cpu_ns)),
    /// ns: it runs that long, without the GIL, before it goes on.
    pub wake_cpu_owed_ns: u64,
}

impl Thread {
    /// Gives the thread `job`, to go on from `stage`.
    pub fn assign(&mut self, job: Job, stage: u8) {
        self.job = job;
        self.stage = stage;
        self.code_known = false;
    }
}

/// A running program: an invocation's body, a gather branch, or an executor call.
#[derive(Debug, Clone, Copy)]
pub struct Task {
    /// The invocation it belongs to.
    pub inv: InvId,
    /// The program.
    pub prog: ProgId,
    /// Next step.
    pub pc: u32,
    /// The task awaiting this one (gather / run_in_executor), if any.
    pub parent: Option<TaskId>,
    /// Children still running.
    pub pending: u32,
    /// The body of the invocation (not a branch).
    pub root: bool,
    /// Its first step has begun.
    pub started: bool,
    /// A coroutine task whose creation cost the loop has paid.
    pub launched: bool,
    /// A blocking call just returned: the thread must take the GIL back before going on.
    pub reacquire: bool,
}

/// An invocation in flight.
#[derive(Debug, Clone)]
pub struct Inv {
    /// Arrival order.
    pub id: u64,
    /// Function index.
    pub func: FuncId,
    /// Arrival at the host.
    pub arrival: u64,
    /// Body start.
    pub start: Option<u64>,
    /// Body end.
    pub end: Option<u64>,
    /// The worker process it was placed on (`None` while it waits for a ready one).
    pub process: Option<ProcessId>,
    /// Thread that ran the body.
    pub thread: Option<ThreadLabel>,
    /// Closed-loop client that sent it.
    pub client: Option<ClientId>,
    /// Its body started on a process that had run no body before (it met a cold process).
    /// A bool fits in the record's padding: the size stays 104 bytes.
    pub cold: bool,
    /// Memory its body holds while it runs, KiB (0: none; see `memory`).
    pub memory_kib: u32,
    /// Its own stream of step durations: the k-th invocation of a function draws the same
    /// durations whatever the host does (common random numbers across what-ifs).
    pub rng: SimRng,
}

/// Runtime state of one function.
pub struct FunctionRt {
    /// def / async def.
    pub kind: FunctionKind,
    /// Body program.
    pub root: ProgId,
    /// Open-loop arrivals.
    pub source: ArrivalSource,
    /// Key of its invocations' duration streams ("durations/<name>"), if its body draws any
    /// random duration (constant bodies need no stream).
    pub durations_family: Option<u64>,
    /// Invocations of it so far (the index of the next one's stream).
    pub invocations: u64,
    /// Closed-loop clients, if any.
    pub clients: Option<Clients>,
    /// Its failures, if it can fail (`fails` above 0).
    pub failures: Option<Failures>,
    /// Its invocations' memory, if they hold any (`memory_mb`).
    pub memory: Option<super::memory::MemoryDraws>,
}

/// How often a function raises, and the stream the draws come from ("fails/<name>", its own,
/// so that a function that cannot fail draws nothing and every other stream is untouched).
pub struct Failures {
    /// The chance that an invocation raises at the end of its body.
    pub chance: f64,
    /// One draw per invocation, as its response leaves.
    pub rng: SimRng,
}

/// Closed-loop clients of one function.
pub struct Clients {
    /// Think time between a response and the next request.
    pub think: Sampler,
    /// Stream of think times.
    pub rng: SimRng,
    /// No request at or after this instant.
    pub stop_at: Option<u64>,
    /// Requests per client at most.
    pub per_client_limit: Option<u64>,
    /// Requests sent by each client so far.
    pub sent: IdVec<ClientId, u64>,
}

impl Inv {
    /// Its row, as it ends with `outcome` (`response` for answered ones), on `instance` (the
    /// one its process belongs to, if it reached one), deciding the fate of `settles`
    /// arrivals (see [`InvocationRecord::settles`]).
    pub fn record(
        &self,
        response: Option<u64>,
        outcome: Outcome,
        instance: Option<InstanceId>,
        settles: u32,
    ) -> InvocationRecord {
        InvocationRecord {
            id: self.id,
            function: self.func.number(),
            arrival: self.arrival,
            start: self.start,
            end: self.end,
            response,
            process: self.process.map(ProcessId::number),
            thread: self.thread,
            outcome,
            instance: instance.map(InstanceId::number),
            cold: self.cold,
            settles,
        }
    }
}

#[cfg(test)]
mod tests {
    /// The in-flight record is the model's memory per invocation: keep it from growing.
    #[test]
    fn an_invocation_in_flight_stays_104_bytes() {
        assert_eq!(std::mem::size_of::<super::Inv>(), 104);
    }
}
