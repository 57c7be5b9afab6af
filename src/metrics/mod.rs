//! What a run measures: the [`Recorder`] is the only sink the model writes to.
//!
//! Per-invocation and time-series rows are buffered briefly and streamed to a
//! [`rows::RowSink`]; everything else is streaming too (log histograms, counters,
//! time-weighted gauges), so memory stays flat on huge runs.
//! [`summary::RunSummary`] is the export schema of summary.json.

pub mod code_time;
pub mod cost;
pub mod gauge;
pub mod handovers;
pub mod histogram;
pub mod ledger;
pub mod memory;
pub mod rows;
pub mod stalls;
pub mod summary;
pub mod thread_states;
pub mod usage;

pub use code_time::{CodeClock, CodeTime, Slot, Use};
pub use cost::{Cost, CostItem};
pub use gauge::Gauge;
pub use handovers::HandoverPlacement;
pub use histogram::LogHistogram;
pub use ledger::{FailReason, FailedCounts, Tally};
pub use rows::{KeepRows, NoRows, RowSink};
pub use stalls::{CpuStalls, StallTally};
pub use usage::{Usage, UsageMeter};

use serde::Serialize;
use std::fmt;

/// Which thread ran an invocation's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ThreadLabel {
    /// The process's event loop (main) thread: async bodies.
    Loop,
    /// Thread `n` of the function thread pool: sync bodies (at most 4096 threads, so 16
    /// bits keep the in-flight record small).
    Pool(u16),
}

impl fmt::Display for ThreadLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ThreadLabel::Loop => write!(f, "loop"),
            ThreadLabel::Pool(n) => write!(f, "pool-{n}"),
        }
    }
}

/// How an invocation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// The response reached the host.
    Succeeded,
    /// Still in the system when the run stopped (horizon).
    Pending,
    /// Refused at once with 429 (an HTTP instance already held maxOutstandingRequests).
    Rejected,
    /// Failed: the client got no response within the HTTP response cap (230 s); the
    /// invocation may have kept running on its instance after that.
    TimedOut,
    /// The invocation ran and failed, for this reason (written `failed:raised`).
    Failed(FailReason),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Pending => "pending",
            Outcome::Rejected => "rejected",
            Outcome::TimedOut => "timed_out",
            Outcome::Failed(reason) => return write!(f, "failed:{reason}"),
        })
    }
}

/// One invocation's life, in ns since t = 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InvocationRecord {
    /// Arrival order, from 0.
    pub id: u64,
    /// Index of the function in the experiment.
    pub function: u16,
    /// Arrival at the host.
    pub arrival: u64,
    /// Body start (first Python line of the function).
    pub start: Option<u64>,
    /// Body end (its last line).
    pub end: Option<u64>,
    /// Response back at the host; for a rejected or timed-out request, when the client got
    /// its 429 or gave up.
    pub response: Option<u64>,
    /// Worker process index (`None`: it never reached a process).
    pub process: Option<u16>,
    /// Thread that ran the body.
    pub thread: Option<ThreadLabel>,
    /// How it ended.
    pub outcome: Outcome,
    /// Host instance of its process (`None`: it never reached a process).
    pub instance: Option<u16>,
    /// Its body started on a process that had run no body before: it met a cold process.
    pub cold: bool,
    /// Arrivals whose fate this row decides (see [`ledger`]): 1 for a request, or for a
    /// message's last try; 0 for a try the message will have again; for an Event Hubs batch,
    /// its events not settled by an earlier read. A pending row holds its arrivals.
    pub settles: u32,
}

/// One row of timeseries.csv: averages over the interval ending at `t_ns`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TimeseriesRow {
    /// End of the interval.
    pub t_ns: u64,
    /// Invocations arrived and not yet answered (time average).
    pub in_flight: f64,
    /// Invocations arrived whose body has not started (time average).
    pub queued: f64,
    /// Thread-pool and default-executor threads with work (time average).
    pub busy_threads: f64,
    /// Share of the interval the GIL had a holder, averaged over processes.
    pub gil_held: f64,
    /// Share of the interval event loops ran a coroutine's own code (Python, native or a
    /// blocking call), averaged over processes.
    pub loop_blocked: f64,
    /// Share of the instance's cores in use.
    pub cpu_utilisation: f64,
    /// The fleet at `t_ns`, when the app scales (a `scale` block).
    pub fleet: Option<FleetSample>,
    /// What every instance held, summed, MB (time average), when the run models memory.
    pub memory_mb: Option<f64>,
}

/// The scaled fleet and its queues at one instant (the time series' extra columns).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FleetSample {
    /// Instances taking work.
    pub ready: u32,
    /// Instances requested, allocating or starting their workers.
    pub starting: u32,
    /// Instances draining.
    pub draining: u32,
    /// Messages or requests waiting (queue length as Azure reports it, plus requests waiting
    /// for an instance).
    pub queue_length: u64,
    /// Age of the oldest visible message, ns (0 when none).
    pub oldest_age_ns: u64,
    /// Cold starts so far.
    pub cold_starts: u64,
    /// Requests refused with 429 in the interval ending at the sample.
    pub rejected_429: u64,
}

/// Collects measurements during a run.
#[derive(Debug, Default)]
pub struct Recorder {
    keep_rows: bool,
    /// Finished invocation rows not yet handed to the sink.
    rows: Vec<InvocationRecord>,
    /// Arrival -> response, all functions.
    pub latency: LogHistogram,
    /// Arrival -> body start, all functions.
    pub queue: LogHistogram,
    /// Arrival -> response, per function.
    pub latency_by_function: Vec<LogHistogram>,
    /// Thread time spent working for each function's invocations.
    pub code: CodeClock,
    /// Time-series rows not yet handed to the sink.
    timeseries: Vec<TimeseriesRow>,
    /// Arrivals (requests, messages, events).
    pub arrived: u64,
    /// The arrivals by how they ended (a message that failed: after its last try; pending:
    /// still in the system when the run stopped).
    pub arrivals: Tally,
    /// Of the failed: storage-queue messages moved to the poison queue.
    pub poisoned: u64,
    /// Of the failed: Service Bus messages dead-lettered.
    pub dead_lettered: u64,
    /// Arrival of the oldest pending one.
    pub oldest_pending: Option<u64>,
    /// The executions (rows) by outcome.
    pub executions: Tally,
    /// Some row settled other than exactly one arrival: the ledgers differ.
    pub executions_differ: bool,
    /// Latest response time.
    pub last_response: u64,
    /// Latest body end.
    pub last_body_end: u64,
    /// Earliest arrival.
    pub first_arrival: Option<u64>,
    /// What a bill counts: instance lives, busy stretches, executions.
    pub usage: UsageMeter,
    /// Per-thread stretches and task spans over a window, when asked for.
    pub states: Option<thread_states::StateLog>,
}

impl Recorder {
    /// A recorder for `functions` functions; `keep_rows` keeps per-invocation rows.
    pub fn new(functions: usize, keep_rows: bool) -> Recorder {
        Recorder {
            keep_rows,
            latency_by_function: vec![LogHistogram::default(); functions],
            code: CodeClock::new(functions),
            ..Recorder::default()
        }
    }

    /// The recorder with `usage` as its usage meter (a plan's rounding of busy stretches).
    pub fn with_usage(self, usage: UsageMeter) -> Recorder {
        Recorder { usage, ..self }
    }

    /// An invocation arrived at `t`.
    pub fn arrived(&mut self, t: u64) {
        self.arrived += 1;
        if self.first_arrival.is_none() {
            self.first_arrival = Some(t);
        }
    }

    /// An invocation is over (answered, or pending at the horizon): it counts as an
    /// execution, and its `settles` arrivals count by its outcome.
    pub fn finished(&mut self, r: InvocationRecord) {
        if let Some(start) = r.start {
            self.queue.record(start - r.arrival);
        }
        if let Some(end) = r.end {
            self.last_body_end = self.last_body_end.max(end);
        }
        if r.start.is_some() {
            self.usage.executed();
        }
        self.executions.add(r.outcome, 1);
        self.executions_differ |= r.settles != 1;
        self.settle(r.outcome, u64::from(r.settles), r.arrival);
        if let (Outcome::Succeeded, Some(resp)) = (r.outcome, r.response) {
            self.latency.record(resp - r.arrival);
            self.latency_by_function[r.function as usize].record(resp - r.arrival);
            self.last_response = self.last_response.max(resp);
        }
        if self.keep_rows {
            self.rows.push(r);
        }
    }

    /// `n` arrivals are still waiting outside every instance when the run stops, without a
    /// row (messages or events not yet received), the oldest of them since `arrival`: they
    /// count as pending, and the executions no longer match the arrivals.
    pub fn waiting_at_end(&mut self, n: u64, arrival: u64) {
        self.executions_differ |= n > 0;
        self.settle(Outcome::Pending, n, arrival);
    }

    /// An arrival failed for `reason` with no execution of its own to record it (a queue
    /// message poisoned as it was received, after its tries were cut).
    pub fn failed_without_row(&mut self, reason: FailReason) {
        self.executions_differ = true;
        self.settle(Outcome::Failed(reason), 1, 0);
    }

    /// `n` arrivals, the oldest of them from `arrival`, ended with `outcome`.
    fn settle(&mut self, outcome: Outcome, n: u64, arrival: u64) {
        if n == 0 {
            return;
        }
        self.arrivals.add(outcome, n);
        if outcome == Outcome::Pending {
            self.oldest_pending = Some(self.oldest_pending.map_or(arrival, |o| o.min(arrival)));
        }
    }

    /// Buffers one time-series row.
    pub fn sampled(&mut self, row: TimeseriesRow) {
        self.timeseries.push(row);
    }

    /// Rows buffered and not yet handed to a sink.
    pub fn buffered(&self) -> usize {
        self.rows.len() + self.timeseries.len() + self.states.as_ref().map_or(0, |s| s.buffered())
    }

    /// Hands the buffered rows to `sink` and empties the buffers (keeping their capacity).
    pub fn flush(&mut self, sink: &mut dyn RowSink) {
        if !self.rows.is_empty() {
            sink.invocations(&self.rows);
            self.rows.clear();
        }
        if !self.timeseries.is_empty() {
            sink.timeseries(&self.timeseries);
            self.timeseries.clear();
        }
        if let Some(log) = self.states.as_mut() {
            let (states, tasks) = log.drain();
            sink.thread_states(states.as_slice());
            sink.tasks(tasks.as_slice());
        }
    }
}
