//! What every thread did, stretch by stretch, and when each task ran, over a window of a run:
//! the rows behind the per-thread GIL picture and the Perfetto trace. Off unless asked for
//! (`output.thread_states`, `sim run --thread-states A..B`): a busy run makes millions of
//! stretches a second, so the rows are clipped to the window and capped.

use serde::Serialize;
use std::fmt;

/// Rows (thread stretches and task spans together) after which recording stops.
pub const MAX_ROWS: u64 = 2_000_000;

/// What a thread was doing over a stretch (idle stretches have no row).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadState {
    /// Running bytecode, holding the GIL.
    Python,
    /// Wants the GIL (or was handed it and is waking up).
    GilWait,
    /// GIL-free C code on a core.
    Native,
    /// In a blocking call: the GIL released, off the cores.
    Io,
}

impl fmt::Display for ThreadState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ThreadState::Python => "python",
            ThreadState::GilWait => "gil_wait",
            ThreadState::Native => "native",
            ThreadState::Io => "io",
        })
    }
}

/// A worker thread by what it is for, as its lane is labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadName {
    /// The gRPC reader.
    Receiver,
    /// The main thread, running the asyncio loop.
    Loop,
    /// The response writer.
    Sender,
    /// Thread n of the function thread pool.
    Pool(u32),
    /// Thread n of the loop's default executor.
    Executor(u32),
}

impl fmt::Display for ThreadName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ThreadName::Receiver => f.write_str("receiver"),
            ThreadName::Loop => f.write_str("loop"),
            ThreadName::Sender => f.write_str("sender"),
            ThreadName::Pool(n) => write!(f, "pool-{n}"),
            ThreadName::Executor(n) => write!(f, "executor-{n}"),
        }
    }
}

/// Where a thread lives and what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThreadPlace {
    /// Host instance.
    pub instance: u32,
    /// Worker process (numbered as in invocations.csv).
    pub process: u32,
    /// The thread.
    pub thread: ThreadName,
}

/// What a stretch of a thread's time was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StretchWork {
    /// The state.
    pub state: ThreadState,
    /// The function whose invocation the work is for, if any.
    pub function: Option<u16>,
    /// That invocation's id.
    pub invocation: Option<u64>,
    /// The task being run (its run-wide number), if any.
    pub task: Option<u64>,
    /// The loop thread runs a coroutine's own code: no other callback of its loop can run.
    pub blocks_loop: bool,
}

/// One stretch of one thread, ns since t = 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StateRow {
    /// Whose stretch.
    pub place: ThreadPlace,
    /// What it did.
    pub work: StretchWork,
    /// Start, ns.
    pub start: u64,
    /// End, ns.
    pub end: u64,
}

/// How a task came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskKind {
    /// An invocation's body.
    Body,
    /// A branch of an `asyncio.gather`.
    Branch,
    /// A `run_in_executor` call.
    Executor,
}

impl fmt::Display for TaskKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TaskKind::Body => "body",
            TaskKind::Branch => "branch",
            TaskKind::Executor => "executor",
        })
    }
}

/// One task's life, ns since t = 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskRow {
    /// Run-wide number, from 0, never reused.
    pub task: u64,
    /// The task awaiting it (a branch's or an executor call's), none for a body.
    pub parent: Option<u64>,
    /// Its invocation's id.
    pub invocation: u64,
    /// Its function.
    pub function: u16,
    /// Host instance.
    pub instance: u32,
    /// Worker process.
    pub process: u32,
    /// What it is.
    pub kind: TaskKind,
    /// Created, ns.
    pub start: u64,
    /// Its last step ended (or the run did), ns.
    pub end: u64,
}

/// The window recorded, and how much was written (summary.json's `thread_states`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ThreadStatesSummary {
    /// Window start, ms.
    pub from_ms: f64,
    /// Window end, ms.
    pub to_ms: f64,
    /// Rows of thread_states.csv.
    pub rows: u64,
    /// Rows of tasks.csv.
    pub task_rows: u64,
    /// Recording stopped here after MAX_ROWS rows (null: the whole window was recorded).
    pub cut_at_ms: Option<f64>,
}

/// Rows of the window not yet handed to the sink, and the counts.
#[derive(Debug, Clone)]
pub struct StateLog {
    from: u64,
    to: u64,
    states: Vec<StateRow>,
    tasks: Vec<TaskRow>,
    state_rows: u64,
    task_rows: u64,
    cut_at: Option<u64>,
    /// Rows after which recording stops ([`MAX_ROWS`]).
    cap: u64,
}

impl StateLog {
    /// Records stretches overlapping `[from, to]` ns, clipped to it.
    pub fn new(from: u64, to: u64) -> StateLog {
        StateLog {
            from,
            to,
            states: Vec::new(),
            tasks: Vec::new(),
            state_rows: 0,
            task_rows: 0,
            cut_at: None,
            cap: MAX_ROWS,
        }
    }

    /// Whether a stretch from `start` to `end` would be written (so the model can skip
    /// building rows outside the window or after the cap).
    pub fn wants(&self, start: u64, end: u64) -> bool {
        self.cut_at.is_none() && end >= self.from && start <= self.to && end > start
    }

    /// The model has nothing more to record after this time.
    pub fn over_after(&self, now: u64) -> bool {
        self.cut_at.is_some() || now > self.to
    }

    /// A thread's stretch ended.
    pub fn state(&mut self, mut row: StateRow) {
        if !self.wants(row.start, row.end) || !self.room(row.end) {
            return;
        }
        (row.start, row.end) = (row.start.max(self.from), row.end.min(self.to));
        self.state_rows += 1;
        self.states.push(row);
    }

    /// A task ended.
    pub fn task(&mut self, mut row: TaskRow) {
        if !self.wants(row.start, row.end) || !self.room(row.end) {
            return;
        }
        (row.start, row.end) = (row.start.max(self.from), row.end.min(self.to));
        self.task_rows += 1;
        self.tasks.push(row);
    }

    fn room(&mut self, now: u64) -> bool {
        if self.state_rows + self.task_rows < self.cap {
            return true;
        }
        self.cut_at = Some(now);
        false
    }

    /// Buffered rows.
    pub fn buffered(&self) -> usize {
        self.states.len() + self.tasks.len()
    }

    /// Takes the buffered rows: (thread stretches, task spans).
    pub fn drain(&mut self) -> (std::vec::Drain<'_, StateRow>, std::vec::Drain<'_, TaskRow>) {
        (self.states.drain(..), self.tasks.drain(..))
    }

    /// What summary.json says of the recording.
    pub fn summary(&self) -> ThreadStatesSummary {
        let ms = |ns: u64| ns as f64 / 1e6;
        ThreadStatesSummary {
            from_ms: ms(self.from),
            to_ms: ms(self.to),
            rows: self.state_rows,
            task_rows: self.task_rows,
            cut_at_ms: self.cut_at.map(ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(start: u64, end: u64) -> StateRow {
        StateRow {
            place: ThreadPlace {
                instance: 0,
                process: 0,
                thread: ThreadName::Pool(3),
            },
            work: StretchWork {
                state: ThreadState::Python,
                function: Some(0),
                invocation: Some(1),
                task: Some(2),
                blocks_loop: false,
            },
            start,
            end,
        }
    }

    #[test]
    fn stretches_are_clipped_to_the_window_and_outside_ones_dropped() {
        let mut log = StateLog::new(100, 200);
        log.state(row(50, 150));
        log.state(row(10, 90));
        log.state(row(190, 300));
        log.state(row(250, 300));
        let (states, _) = log.drain();
        let spans: Vec<(u64, u64)> = states.map(|r| (r.start, r.end)).collect();
        assert_eq!(spans, vec![(100, 150), (190, 200)]);
        assert_eq!(log.summary().rows, 2);
    }

    #[test]
    fn recording_stops_at_the_cap_and_says_where() {
        let mut log = StateLog::new(0, 1000);
        log.cap = 2;
        for t in 0..5 {
            log.state(row(t * 10, t * 10 + 5));
        }
        let s = log.summary();
        assert_eq!((s.rows, s.cut_at_ms), (2, Some(25.0 / 1e6)));
        assert!(log.over_after(0), "nothing more is recorded");
    }

    #[test]
    fn labels_read_as_the_csv_writes_them() {
        assert_eq!(ThreadName::Executor(2).to_string(), "executor-2");
        assert_eq!(ThreadName::Pool(0).to_string(), "pool-0");
        assert_eq!(ThreadState::GilWait.to_string(), "gil_wait");
        assert_eq!(TaskKind::Branch.to_string(), "branch");
    }
}
