//! Every event of the model, one doc line each. Ids are indices into the world's arenas.

use super::ids::{ClientId, FuncId, InstanceId, InvId, ProcessId, TaskId, ThreadId};

/// Something that happens at an instant. Fields are ids named for what they hold.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The next open-loop arrival of function `func`.
    Arrival { func: FuncId },
    /// Closed-loop client `client` of function `func` sends its next request.
    ClientRequest { func: FuncId, client: ClientId },
    /// A request reaches its worker process's receiver thread.
    Deliver { inv: InvId },
    /// The earliest CPU burst on `instance`'s cores may have finished.
    CpuTick { instance: InstanceId },
    /// A blocking call (time.sleep, blocking I/O) returns on `thread`.
    SleepDone { thread: ThreadId },
    /// A thread woken after a long sleep runs at last (its sleeper wake-up latency is over).
    AwakeAfterSleep { thread: ThreadId },
    /// A thread handed the GIL has woken up and runs.
    GilGranted { thread: ThreadId },
    /// The switch interval of `process`'s GIL expired with waiters: force a hand-over.
    GilSwitch { process: ProcessId, gen: u32 },
    /// An awaited asyncio timer or non-blocking I/O completes for `task`.
    AwaitDone { task: TaskId },
    /// Worker process `process` has started and can receive invocations.
    ProcessReady { process: ProcessId },
    /// Time to write a row of the time series.
    Sample,
    /// The current cold-start phase of `instance` is over.
    InstancePhase { instance: InstanceId },
    /// A poll timer of `func`'s queue listener on `instance` fires (`ticket` tells stale ones).
    QueuePoll {
        func: FuncId,
        instance: InstanceId,
        ticket: u32,
    },
    /// The scale controller's periodic decision.
    ScaleDecision,
    /// A timer `func`'s Service Bus entity asked for (a lost instance's locks run out).
    ServiceBusWake { func: FuncId },
    /// A background refill of the pre-warmed buffer is done.
    PrewarmFilled,
    /// The grace period of draining `instance` is over: what it still runs is cut.
    DrainDeadline { instance: InstanceId },
    /// The earliest pending function-timeout deadline has come (see `timeout`).
    FunctionTimeout,
    /// `instance` has passed its memory limit: the OOM killer runs (see `memory`).
    OutOfMemory { instance: InstanceId },
}

impl Event {
    /// Periodic events that observe or steer the fleet (besides the time series' `Sample`),
    /// and timers that find nothing to do once the fleet is idle: once the run is over they
    /// are dropped unhandled (see `run_end`).
    pub fn is_fleet_periodic(&self) -> bool {
        matches!(
            self,
            Event::QueuePoll { .. }
                | Event::ScaleDecision
                | Event::ServiceBusWake { .. }
                | Event::PrewarmFilled
                | Event::DrainDeadline { .. }
                | Event::FunctionTimeout
        )
    }
}
