//! summary.json: the one export schema of a run's results.

use super::ledger::is_zero;
use super::{CpuStalls, FailedCounts, HandoverPlacement, LogHistogram, Recorder, StallTally};
use serde::Serialize;

/// Distribution of a duration, in milliseconds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stats {
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Maximum.
    pub max: f64,
}

impl Stats {
    /// From a histogram of ns values (percentiles within [`LogHistogram::RELATIVE_ERROR`]).
    pub fn from_histogram(h: &LogHistogram) -> Stats {
        let ms = |ns: f64| round6(ns / 1e6);
        Stats {
            mean: ms(h.mean()),
            p50: ms(h.quantile(0.5)),
            p90: ms(h.quantile(0.9)),
            p99: ms(h.quantile(0.99)),
            max: ms(h.max() as f64),
        }
    }
}

/// Rounds to 6 decimals (nanoseconds, when the unit is ms) so files stay readable.
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// `stalls` with its rates rounded as the rest of the file.
fn rounded_stalls(stalls: CpuStalls) -> CpuStalls {
    CpuStalls {
        per_s: round6(stalls.per_s),
        mean_ms: round6(stalls.mean_ms),
        ..stalls
    }
}

/// What arrived (requests, queue and Service Bus messages, Event Hubs events), each counted
/// once by how it finally ended, so that the arrivals add up: arrived = succeeded + failed +
/// rejected + timed_out + pending. A message tried again after a failure counts once, by its
/// last try; an Event Hubs event by the batch that settled it. `rejected`, `timed_out`,
/// `failed`, `poisoned` and `dead_lettered` are left out of summary.json while they are 0,
/// so runs without them keep their exact file. The executions themselves (invocations.csv's
/// rows) are in [`ExecutionCounts`].
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Counts {
    /// Arrivals.
    pub arrived: u64,
    /// Processed successfully.
    pub succeeded: u64,
    /// Still in the system when the run stopped (horizon).
    pub pending: u64,
    /// Refused with 429 (HTTP: an instance already held maxOutstandingRequests).
    #[serde(skip_serializing_if = "is_zero")]
    pub rejected: u64,
    /// Failed at the HTTP response cap: the client got no response in time.
    #[serde(skip_serializing_if = "is_zero")]
    pub timed_out: u64,
    /// Failed for good, by reason: the function raised (a queue message on its last try).
    #[serde(skip_serializing_if = "FailedCounts::is_none")]
    pub failed: FailedCounts,
    /// Of the failed: storage-queue messages moved to the poison queue after
    /// maxDequeueCount tries.
    #[serde(skip_serializing_if = "is_zero")]
    pub poisoned: u64,
    /// Of the failed: Service Bus messages dead-lettered after maxDeliveryCount deliveries.
    #[serde(skip_serializing_if = "is_zero")]
    pub dead_lettered: u64,
    /// Age at the end of the run of the oldest pending arrival, ms (0 when none).
    pub oldest_pending_age_ms: f64,
}

/// The function's executions, the rows of invocations.csv, each by its own outcome: present
/// in summary.json only when they differ from the arrivals (a message tried more than once,
/// an Event Hubs batch of several events, messages still waiting at a horizon without a row),
/// so that executions = succeeded + failed + rejected + timed_out + pending.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ExecutionCounts {
    /// Executions (rows of invocations.csv).
    pub executions: u64,
    /// Succeeded.
    pub succeeded: u64,
    /// Failed, by reason (a failed try of a message that is tried again counts here too).
    #[serde(skip_serializing_if = "FailedCounts::is_none")]
    pub failed: FailedCounts,
    /// Refused with 429.
    #[serde(skip_serializing_if = "is_zero")]
    pub rejected: u64,
    /// Timed out at the HTTP response cap.
    #[serde(skip_serializing_if = "is_zero")]
    pub timed_out: u64,
    /// Running when the run stopped.
    pub pending: u64,
}

/// Per-function results.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FunctionSummary {
    /// Name.
    pub name: String,
    /// "sync" or "async".
    pub kind: String,
    /// Answered invocations.
    pub succeeded: u64,
    /// Latency with no contention at all (critical path of the body at mean durations), ms.
    pub ideal_latency_ms: f64,
    /// Arrival -> response.
    pub latency_ms: Stats,
    /// Share of the run the GIL was held for its invocations (their bodies and the worker's
    /// dispatch path for them), averaged over processes.
    pub gil_held: f64,
    /// Of its invocations' time in flight (arrival to response), the share their threads
    /// spent waiting for the GIL.
    pub gil_wait_share: f64,
    /// Share of the run the event loop ran its coroutines' own code (Python, native or a
    /// blocking call), averaged over processes: the loop-blocked time its code caused.
    pub loop_blocked: f64,
}

/// Per-process results.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProcessSummary {
    /// Process index.
    pub process: usize,
    /// Invocations routed to it.
    pub invocations: u64,
    /// Cores it used on average (core-seconds / elapsed seconds).
    pub cpu_cores: f64,
    /// Share of time its GIL was held.
    pub gil_held: f64,
    /// Of its threads' time with work, the share spent waiting for the GIL.
    pub gil_wait_share: f64,
    /// Mean number of threads waiting for the GIL.
    pub mean_gil_waiters: f64,
    /// Share of time the event loop had work.
    pub loop_busy: f64,
    /// Share of time the event loop ran a coroutine's own code (Python, native or a blocking
    /// call), so no other callback could run.
    pub loop_blocked: f64,
    /// Size of its function thread pool: PYTHON_THREADPOOL_THREAD_COUNT, or the Python
    /// version's default, as resolved.
    pub pool_size: u32,
    /// Thread-pool threads started (on demand, so at most `pool_size`).
    pub pool_threads_started: u32,
    /// Size of the event loop's default executor (run_in_executor(None, ...)):
    /// min(32, cpu_count + 4).
    pub executor_size: u32,
    /// Default-executor threads started (on demand, so at most `executor_size`).
    pub executor_threads_started: u32,
}

impl ProcessSummary {
    /// The same figures rounded to 6 decimals, for the export.
    pub fn rounded(&self) -> ProcessSummary {
        ProcessSummary {
            cpu_cores: round6(self.cpu_cores),
            gil_held: round6(self.gil_held),
            gil_wait_share: round6(self.gil_wait_share),
            mean_gil_waiters: round6(self.mean_gil_waiters),
            loop_busy: round6(self.loop_busy),
            loop_blocked: round6(self.loop_blocked),
            ..self.clone()
        }
    }
}

/// Everything summary.json holds. Deterministic: no wall-clock values.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunSummary {
    /// Experiment name.
    pub experiment: String,
    /// Seed.
    pub seed: u64,
    /// What arrived and how it ended.
    pub invocations: Counts,
    /// The executions (rows), when they differ from the arrivals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub executions: Option<ExecutionCounts>,
    /// Simulated time at the end, ms.
    pub sim_end_ms: f64,
    /// First arrival to last body end, ms.
    pub makespan_ms: f64,
    /// Answered invocations per second, from the first arrival to the end of the run.
    pub throughput_per_s: f64,
    /// Arrival -> response, all functions, over answered invocations.
    pub latency_ms: Stats,
    /// Arrival -> body start, all functions.
    pub queue_ms: Stats,
    /// Percentiles (p50, p90, p99, here and per function) come from a log histogram: each is
    /// within this relative error of the exact value (means and maxima are exact).
    pub percentile_resolution: f64,
    /// Share of the instance's cores in use.
    pub cpu_utilisation: f64,
    /// Share of the instance's cores idle while a runnable thread waited for a CPU: the
    /// capacity lost to where threads run. Only with `placement: HomeCpu` (under processor
    /// sharing no runnable thread waits while a core idles).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_idle_while_waiting: Option<f64>,
    /// The stretches behind `cpu_idle_while_waiting` one by one: how many, per second, and
    /// their mean length (`placement: HomeCpu` only), to set beside the machine's stalls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_stalls: Option<CpuStalls>,
    /// Where the GIL hand-overs from one body thread (pool or executor) to another of its
    /// process first ran: on the waker's CPU, on another CPU beside a running thread, or on an
    /// idle one (counts; `placement: HomeCpu` only). A `perf sched` record gives the machine's (`sched_idle.py`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gil_handovers: Option<HandoverPlacement>,
    /// Per function.
    pub functions: Vec<FunctionSummary>,
    /// Per worker process.
    pub processes: Vec<ProcessSummary>,
    /// Events the kernel processed.
    pub events: u64,
    /// The host's capacity for the open-loop load, when there is one.
    pub capacity: Option<CapacitySummary>,
    /// The fleet under the scale controller, when the experiment has a `scale` block.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scaling: Option<ScalingSummary>,
    /// What the run cost on its plan, and per month, when the experiment names a plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<super::Cost>,
    /// What the instances held, when the run models memory (a `memory` block, a plan, or a
    /// function's `memory_mb`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<super::memory::MemorySummary>,
    /// Worker processes restarted, by cause (left out while none was).
    #[serde(skip_serializing_if = "super::memory::RestartSummary::is_none")]
    pub worker_restarts: super::memory::RestartSummary,
    /// The window of thread_states.csv and tasks.csv, when the run wrote them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_states: Option<super::thread_states::ThreadStatesSummary>,
}

/// What the scale controller did over a run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScalingSummary {
    /// Instances that went through a cold start.
    pub cold_starts: u64,
    /// Most instances ready at once.
    pub max_ready_instances: u32,
    /// New instances taken from the pre-warmed buffer (left out while 0).
    #[serde(skip_serializing_if = "is_zero")]
    pub prewarmed_used: u64,
    /// Queue and Service Bus messages sent back to their queue because their try was cut at
    /// the end of a drain's grace period (left out while 0).
    #[serde(skip_serializing_if = "is_zero")]
    pub messages_returned: u64,
    /// Integral over the run of the instances that exist (starting, ready or draining), s.
    pub instance_seconds: f64,
    /// Time-weighted mean of the instances that exist (starting, ready or draining: the
    /// allocated ones, as Premium bills them) from t = 0 to the end of the run:
    /// `instance_seconds` / the run's length in seconds.
    pub mean_instances: f64,
    /// Decisions that changed the fleet (added or drained instances).
    pub scale_events: u64,
    /// Requests refused with 429.
    pub rejected_429: u64,
    /// Longest a message (storage queue, Service Bus) or event (Event Hubs) waited before an
    /// instance received it (or the oldest one still waiting at the end), s; 0 without such
    /// a trigger.
    pub max_queue_age_s: f64,
    /// Latency split into queueing outside an instance, cold-start wait and service.
    pub latency_split_ms: LatencySplit,
    /// Every decision, in order (also scaling.csv).
    pub decisions: Vec<DecisionRow>,
}

/// Where a scaled run's latency went, as means in ms over the invocations placed on an
/// instance (placement: an instance takes the invocation to run it).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LatencySplit {
    /// Invocations placed on an instance.
    pub placed: u64,
    /// Arrival (a queue message's enqueue) to placement.
    pub queue_outside: f64,
    /// Time spent outside every instance while the app had no ready instance, i.e. waiting
    /// for a cold start (an instance's, and so its first worker process's), per placed
    /// invocation: part of `queue_outside` when every invocation that waited was placed
    /// (requests that gave up at the HTTP cap, or still waited at the end, add theirs too).
    pub cold_start_wait: f64,
    /// Placement to the response leaving the worker (the end of the run for one still
    /// running).
    pub service: f64,
}

/// One scale decision with the fleet and queues it saw.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DecisionRow {
    /// When, s.
    pub t_s: f64,
    /// Instances ready then.
    pub ready: u32,
    /// Instances starting then.
    pub starting: u32,
    /// Instances draining then.
    pub draining: u32,
    /// Messages or requests waiting, over all functions.
    pub queue_length: u64,
    /// Age of the oldest waiting message, s.
    pub oldest_age_s: f64,
    /// Instance count decided (starting and ready).
    pub desired: u32,
    /// Instances requested by it.
    pub add: u32,
    /// Instances drained by it.
    pub drain: u32,
    /// Why, with the numbers and every limit that clipped it.
    pub reason: String,
    /// The limit that held back new instances, if one did (in `reason` for people; here for
    /// the advice).
    #[serde(skip)]
    pub held_back: Option<ScaleOutLimit>,
}

/// A limit that gave a scale-out fewer new instances than its rule asked for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScaleOutLimit {
    /// The instance ceiling (`max_instances` or functionAppScaleLimit) at this count.
    Ceiling(u32),
    /// The mode's step: at most this many new instances per decision.
    Step(u32),
    /// The platform's rate of new instances.
    Rate,
}

/// How much open-loop load the host can serve: an upper bound from each invocation's mean
/// demand on the cores, the GIL, the threads and the loop (see `preflight::capacity`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CapacitySummary {
    /// Arrivals offered per second, on average.
    pub offered_per_s: f64,
    /// The most invocations per second the host can serve at this mix.
    pub max_per_s: f64,
    /// The resource that limits it.
    pub limited_by: String,
    /// Offered load at or above the capacity: queues grow while it lasts.
    pub overloaded: bool,
}

/// Whole-run figures the model reports besides the recorder.
#[derive(Debug, Clone, Copy)]
pub struct RunTotals {
    /// Simulated time at the end (ns).
    pub sim_end_ns: u64,
    /// Share of the instance's cores used.
    pub cpu_utilisation: f64,
    /// Share of the cores idle while a runnable thread waited for a CPU (`placement:
    /// HomeCpu` only).
    pub cpu_idle_while_waiting: Option<f64>,
    /// The stretches behind `cpu_idle_while_waiting` (`placement: HomeCpu` only).
    pub cpu_stalls: Option<StallTally>,
    /// Where the GIL hand-overs between body threads ran (`placement: HomeCpu` only).
    pub gil_handovers: Option<HandoverPlacement>,
    /// Events processed.
    pub events: u64,
}

impl RunSummary {
    /// Assembles the summary; `functions` gives (name, kind, ideal latency ms) per function.
    pub fn new(
        experiment: &str,
        seed: u64,
        rec: &Recorder,
        functions: &[(String, String, f64)],
        processes: Vec<ProcessSummary>,
        totals: RunTotals,
    ) -> RunSummary {
        let RunTotals {
            sim_end_ns,
            cpu_utilisation,
            cpu_idle_while_waiting,
            cpu_stalls,
            gil_handovers,
            events,
        } = totals;
        let first = rec.first_arrival.unwrap_or(0);
        let span = sim_end_ns.saturating_sub(first) as f64 / 1e9;
        RunSummary {
            experiment: experiment.to_string(),
            seed,
            invocations: Counts {
                arrived: rec.arrived,
                succeeded: rec.arrivals.succeeded,
                pending: rec.arrivals.pending,
                rejected: rec.arrivals.rejected,
                timed_out: rec.arrivals.timed_out,
                failed: rec.arrivals.failed,
                poisoned: rec.poisoned,
                dead_lettered: rec.dead_lettered,
                oldest_pending_age_ms: rec
                    .oldest_pending
                    .map_or(0.0, |a| round6(sim_end_ns.saturating_sub(a) as f64 / 1e6)),
            },
            executions: rec.executions_differ.then(|| ExecutionCounts {
                executions: rec.executions.total(),
                succeeded: rec.executions.succeeded,
                failed: rec.executions.failed,
                rejected: rec.executions.rejected,
                timed_out: rec.executions.timed_out,
                pending: rec.executions.pending,
            }),
            sim_end_ms: round6(sim_end_ns as f64 / 1e6),
            makespan_ms: round6(rec.last_body_end.saturating_sub(first) as f64 / 1e6),
            throughput_per_s: if span > 0.0 {
                round6(rec.arrivals.succeeded as f64 / span)
            } else {
                0.0
            },
            latency_ms: Stats::from_histogram(&rec.latency),
            queue_ms: Stats::from_histogram(&rec.queue),
            cpu_utilisation: round6(cpu_utilisation),
            cpu_idle_while_waiting: cpu_idle_while_waiting.map(round6),
            cpu_stalls: cpu_stalls.map(|t| rounded_stalls(CpuStalls::new(t, sim_end_ns))),
            gil_handovers,
            percentile_resolution: LogHistogram::RELATIVE_ERROR,
            functions: function_summaries(rec, functions, sim_end_ns, processes.len()),
            processes,
            events,
            capacity: None,
            scaling: None,
            cost: None,
            memory: None,
            worker_restarts: Default::default(),
            thread_states: None,
        }
    }
}

/// Per-function results; `functions` gives (name, kind, ideal latency ms) per function, and
/// the shares are over a run of `elapsed_ns` on `processes` worker processes.
fn function_summaries(
    rec: &Recorder,
    functions: &[(String, String, f64)],
    elapsed_ns: u64,
    processes: usize,
) -> Vec<FunctionSummary> {
    functions
        .iter()
        .zip(&rec.latency_by_function)
        .enumerate()
        .map(|(f, ((name, kind, ideal), h))| {
            let shares = rec.code.time(f).shares(elapsed_ns, processes);
            FunctionSummary {
                name: name.clone(),
                kind: kind.clone(),
                succeeded: h.count(),
                ideal_latency_ms: round6(*ideal),
                latency_ms: Stats::from_histogram(h),
                gil_held: round6(shares.gil_held),
                gil_wait_share: round6(shares.gil_wait_share),
                loop_blocked: round6(shares.loop_blocked),
            }
        })
        .collect()
}
