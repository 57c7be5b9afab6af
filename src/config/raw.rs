//! The serde mirror of the RON files: it only parses.
//!
//! Every struct denies unknown fields, so a typo is an error naming the field and the valid ones.
//! Every numeric field is a [`Num`], which takes any number or string written there: its type
//! and range are checked by [`super::validate`] against [`super::limits`] (the ranges quoted
//! in these doc comments), which turns a `RawExperiment` into an [`super::Experiment`] that
//! cannot hold an invalid value, reporting every problem at once. The structs also serialize,
//! which is how `--set path=value` overrides are applied (see [`super::overrides`]).

pub use super::number::Num;
pub use super::trigger::raw::{RawHttpProfile, RawTrigger};
use serde::{Deserialize, Serialize};

/// One experiment file (`experiments/*.ron`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Experiment")]
pub struct RawExperiment {
    /// Names the output folder `outputs/<name>/`.
    pub name: String,
    /// What the experiment shows, for the reader.
    #[serde(default)]
    pub description: String,
    /// Seed of every random draw in the run: a whole number 0..=18446744073709551615.
    #[serde(default = "default_seed")]
    pub seed: Num,
    /// The host instance and its Python worker settings.
    pub host: RawHost,
    /// The functions of the app, each with the load it receives (may be omitted with a
    /// `trace` block).
    #[serde(default)]
    pub functions: Vec<RawFunctionUse>,
    /// A recorded trace whose functions join the run, each with its arrivals and durations
    /// (see [`super::trace`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<super::trace::RawTrace>,
    /// Stop the clock here (0 < seconds <= 1e6); invocations still running are reported as
    /// pending.
    #[serde(default)]
    pub horizon_s: Option<Num>,
    /// What to write.
    #[serde(default)]
    pub output: RawOutput,
    /// How the app scales over many instances (see [`super::scale`]); omit for one instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<super::scale::raw::RawScale>,
    /// The hosting plan or SKU, by its name in `models/plans.ron` (e.g. "EP2"): it sets
    /// `host.cores`, the `scale` block's defaults and the prices of the run's `cost`; omit
    /// for no plan (no cost).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// Any field of the plan, changed for this experiment (same fields as in
    /// `models/plans.ron`, e.g. `Plan(memory_mb: 4096, price: Price(gib_hour: 0.02))`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_overrides: Option<super::plan::raw::RawPlan>,
    /// host.json's functionTimeout, seconds (0 < s <= 1e6; at most the plan's maximum; omit:
    /// the plan's default; neither: no timeout). Enforced by the model (`model::timeout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_timeout_s: Option<Num>,
    /// How long a worker process killed by a timeout stays down before the host starts it
    /// again, seconds (0..=3600; default 10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_restart_delay_s: Option<Num>,
    /// The instance's memory and what the host and each worker process hold (see
    /// [`RawMemory`]); omit for the defaults, with the plan's memory as the limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<RawMemory>,
    /// Run the experiment as several variants side by side (see [`super::compare`]); omit for
    /// one run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare: Option<super::compare::RawCompare>,
    /// What a compare variant or sweep configuration must achieve, and how those that do are
    /// ranked (see [`super::objective`]); omit it for none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<super::objective::RawObjective>,
    /// Run the experiment over a grid of settings with replications (see [`super::sweep`]);
    /// omit for one run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<super::sweep::RawSweep>,
}

/// Memory on an instance: the limit, shared by the host and all its worker processes, and
/// what each holds. At the limit the largest worker is killed (OOM) and restarted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Memory")]
pub struct RawMemory {
    /// The instance's memory, MB (1..=1048576); omit for the plan's `memory_mb` (no limit,
    /// so no OOM kill, without a plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_mb: Option<Num>,
    /// The Functions host process, MB (0..=1048576; default 200, UNVERIFIED).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_mb: Option<Num>,
    /// A bare Python worker process, MB (0..=1048576; default 80).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worker_base_mb: Option<Num>,
    /// The app's imports, paid again by every worker process and every restart, MB
    /// (0..=1048576; default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imports_mb: Option<Num>,
}

fn default_seed() -> Num {
    Num::Int(1)
}

/// One host instance and the Python worker settings it runs with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Host")]
pub struct RawHost {
    /// vCPUs of the instance, 0.01..=1024; fractional allowed (Flex 512 MB has 0.25); omit
    /// for the plan's cores, or 1 without a plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cores: Option<Num>,
    /// FUNCTIONS_WORKER_PROCESS_COUNT (1..=10).
    #[serde(default = "default_processes")]
    pub processes: Num,
    /// PYTHON_THREADPOOL_THREAD_COUNT (1..=4096); omit for the Python version's default.
    #[serde(default)]
    pub threads: Option<Num>,
    /// Python version, "3.6" .. "3.14": picks the thread-pool default.
    #[serde(default = "default_python")]
    pub python: String,
    /// What os.cpu_count() returns in the worker (1..=1024); omit for ceil(cores).
    #[serde(default)]
    pub cpu_count: Option<Num>,
    /// A free-threaded build (3.13t/3.14t): no GIL.
    #[serde(default)]
    pub free_threaded: bool,
    /// sys.setswitchinterval, in milliseconds (CPython default 5); accepted: 0 < ms <= 1000.
    /// As CPython does, sim keeps whole microseconds and waits at least 1 us (anything below
    /// 1 us acts as 1 us). Tiny intervals still make progress, as in CPython: a thread handed
    /// the GIL always runs (at least the shorter of the interval and its wake-up latency)
    /// before it can be asked to drop it. But every hand-over leaves the GIL idle for the
    /// wake-up latency (`dispatch.gil_handover_us`, 105 by default for a thread woken on an
    /// idle CPU), so below about 0.1 ms the hand-overs dominate: CPU-bound threads sharing the
    /// GIL advance at roughly interval / (interval + latency) of their speed, with about one
    /// hand-over per interval of Python work.
    #[serde(default = "default_switch_interval")]
    pub switch_interval_ms: Num,
    /// Worker processes become ready this many seconds apart, 0..=3600 (Azure: 10); 0 = all
    /// warm at t = 0.
    #[serde(default)]
    pub process_start_interval_s: Num,
    /// Cost of a context switch on oversubscribed cores, in microseconds, 0..=1e4 (default 5.9,
    /// measured: see `DEFAULT_CONTEXT_SWITCH_NS`).
    #[serde(default = "default_context_switch")]
    pub context_switch_us: Num,
    /// Where a thread woken while the CPU it last ran on is busy runs: `HomeCpu` (queued on
    /// that CPU even while another idles, as on the measured 2-vCPU VM; the default) or
    /// `Spread` (on an idle CPU if any: faster to simulate, no capacity lost to placement).
    #[serde(default)]
    pub placement: super::Placement,
    /// Start all pool threads before t = 0 (a warm worker) instead of on demand.
    #[serde(default)]
    pub prewarm_pools: bool,
    /// Costs of the worker's dispatch path; omitted fields keep the calibrated defaults.
    #[serde(default)]
    pub dispatch: RawDispatch,
}

fn default_processes() -> Num {
    Num::Int(1)
}
fn default_python() -> String {
    "3.11".to_string()
}
fn default_context_switch() -> Num {
    Num::Float(super::DEFAULT_CONTEXT_SWITCH_NS as f64 / 1e3)
}
fn default_switch_interval() -> Num {
    Num::Float(5.0)
}

/// Per-invocation costs of the host -> worker -> host path, in microseconds (each 0..=1e9),
/// and the GIL's hand-over shares and syscall races (each a probability, 0..=1).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Dispatch")]
pub struct RawDispatch {
    /// Host to worker message latency (no CPU).
    pub transport_us: Option<Num>,
    /// Receiver thread: reading the request and handing it to the loop (Python, holds the GIL).
    pub receive_us: Option<Num>,
    /// Event loop: binding conversion and creating the task (holds the GIL).
    pub dispatch_us: Option<Num>,
    /// Thread-pool thread: picking up a sync invocation before the body starts (holds the GIL).
    pub executor_handoff_us: Option<Num>,
    /// Event loop: creating and first stepping a coroutine task (holds the GIL).
    pub task_start_us: Option<Num>,
    /// Event loop: output binding conversion after the body ends (holds the GIL).
    pub complete_us: Option<Num>,
    /// Sender thread: writing the response back to the host (holds the GIL).
    pub respond_us: Option<Num>,
    /// Time for an OS thread woken to take the GIL to actually run (the GIL sits unused),
    /// while a core idles (default 60: an idle CPU's wake-up on a VM).
    pub gil_handover_us: Option<Num>,
    /// The same when no core idles (default 6: the woken thread runs on the CPU of the thread
    /// that let the GIL go, as that thread stops).
    pub gil_handover_busy_us: Option<Num>,
    /// How late a sleeping thread or an asyncio timer wakes (OS timer slack).
    pub timer_slack_us: Option<Num>,
    /// Sigma of the log-normal noise (mean 1) on every dispatch-path cost, 0..=3; 0 = constant.
    pub jitter_sigma: Option<Num>,
    /// Share of GIL hand-overs won by the thread that held it before the current holder.
    pub handover_previous_holder: Option<Num>,
    /// Share of GIL hand-overs won by the longest-waiting thread.
    pub handover_longest_waiter: Option<Num>,
    /// Chance a waiter takes the GIL during one short syscall of the dispatch path.
    pub syscall_loss: Option<Num>,
    /// The same within `syscall_recent_window_us` of a hand-over.
    pub syscall_loss_recent: Option<Num>,
    /// How long after a hand-over woken threads are still awake to race (default 300).
    pub syscall_recent_window_us: Option<Num>,
    /// Extra wake-up latency of a thread that slept long (default 115; 0 = none).
    pub sleeper_wake_max_us: Option<Num>,
    /// Sleeps up to this long pay no extra (default 2000).
    pub sleeper_wake_from_us: Option<Num>,
    /// Sleeps this long or longer pay all of it (default 10000).
    pub sleeper_wake_to_us: Option<Num>,
    /// CPU a worker thread spends when woken onto an idle virtual CPU after a long sleep
    /// (default 0).
    pub idle_wake_cpu_us: Option<Num>,
    /// CPU the host process spends on each request it places (default 0).
    pub host_request_us: Option<Num>,
    /// CPU the host process spends per invocation after its response (default 260; 0 = none).
    pub host_response_us: Option<Num>,
}

/// Where a function's definition comes from.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "FunctionRef")]
pub enum RawFunctionRef {
    /// A profile file, relative to the experiment file (e.g. "../models/sleep_1s_sync.ron").
    Profile(String),
    /// A definition written in place.
    Inline(RawFunction),
}

/// A function of the app and the load it receives.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "FunctionUse")]
pub struct RawFunctionUse {
    /// The function's definition.
    pub function: RawFunctionRef,
    /// The arrivals it receives.
    pub workload: RawWorkload,
    /// How the arrivals reach the instances (see [`RawTrigger`]); omit for direct delivery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<RawTrigger>,
    /// The chance that an invocation raises at the end of its body, 0..=1 (omit: 0, never).
    /// A failed storage-queue message is tried again after the visibility timeout and goes to
    /// the poison queue after maxDequeueCount tries; a Service Bus message is abandoned and
    /// dead-lettered after maxDeliveryCount deliveries; an Event Hubs batch is not retried.
    /// (Written even when omitted, as null, so that `--set functions.0.fails=0.1` finds it.)
    #[serde(default)]
    pub fails: Option<Num>,
    /// Memory one running invocation holds in its worker process, from its body's start to
    /// its answer, MB: a distribution as for durations (`Constant(50)`, `Lognormal(40, 0.5)`;
    /// each value 0..=1048576); omit for none. Drawn per invocation, in arrival order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mb: Option<RawDist>,
}

/// A function profile (`models/*.ron`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Function")]
pub struct RawFunction {
    /// The function's name in reports.
    pub name: String,
    /// `def` or `async def`.
    pub kind: RawKind,
    /// What the body does, in order.
    pub body: Vec<RawStep>,
    /// What the profile models, for the reader.
    #[serde(default)]
    pub description: String,
}

/// `def` (runs on the thread pool) or `async def` (runs on the event loop).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename = "Kind")]
pub enum RawKind {
    /// A plain `def`.
    Sync,
    /// An `async def` coroutine.
    Async,
}

/// One step of a function body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Step")]
pub enum RawStep {
    /// Pure-Python CPU work: holds the GIL.
    Cpu(RawDist),
    /// Native code that releases the GIL (numpy, hashlib, zlib): uses a core, not the GIL.
    NativeCpu(RawDist),
    /// A blocking call (time.sleep, requests.get): no CPU, no GIL, blocks its thread.
    BlockingIo(RawDist),
    /// `await` of non-blocking I/O (asyncio.sleep, aiohttp): async functions only.
    AwaitIo(RawDist),
    /// `await asyncio.gather(...)` of sub-programs run as tasks: async functions only.
    Gather(Vec<Vec<RawStep>>),
    /// `await asyncio.gather` of `count` copies (1..=100000) of one sub-program: async
    /// functions only.
    GatherN(Num, Vec<RawStep>),
    /// `await loop.run_in_executor(None, f)`: f runs on the default executor; async only.
    RunInExecutor(Vec<RawStep>),
    /// The steps repeated `count` times (1..=1000000; a loop in the body). A body has at most
    /// 1,000,000 steps once every `Repeat` and `GatherN` is expanded.
    Repeat(Num, Vec<RawStep>),
}

/// A duration distribution, in milliseconds. Every duration parameter (a constant, a mean, a
/// median, a max, an empirical point) is at most 86400000 ms (1 day); a body step's is at least
/// 0.000001 ms, a think time's may be 0. Draws from the unbounded `Exponential` and
/// `Lognormal` are truncated at 1 day.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Dist")]
pub enum RawDist {
    /// Always `ms`.
    Constant(Num),
    /// Exponential with this mean (draws truncated at 1 day).
    Exponential(Num),
    /// Log-normal: median and sigma (0..=5) of the underlying normal (draws truncated at 1 day).
    Lognormal(Num, Num),
    /// Uniform between min (>= 0) and max.
    Uniform(Num, Num),
    /// Piecewise-linear inverse CDF through (percentile 0..100, ms) points, as in the Azure
    /// 2019 duration percentiles: from percentile 0 to 100, percentiles strictly increasing,
    /// ms non-decreasing.
    Empirical(Vec<(Num, Num)>),
}

/// How invocations arrive.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Workload")]
pub enum RawWorkload {
    /// `n` invocations at once, at `at_ms`.
    Burst {
        /// How many, 1..=1000000000.
        n: Num,
        /// When, 0 <= ms <= 3.1536e10 (1 year; default 0).
        #[serde(default)]
        at_ms: Num,
    },
    /// Open-loop Poisson arrivals at `rate_per_s` for `duration_s`.
    Poisson {
        /// Mean arrivals per second, 0 < rate <= 1e9.
        rate_per_s: Num,
        /// Seconds during which arrivals come, 0 < seconds <= 1e6.
        duration_s: Num,
    },
    /// Open-loop arrivals whose rate follows a curve (a non-homogeneous Poisson process):
    /// a daily cycle, a ramp, a spike. `points` are (time s, arrivals per second), joined by
    /// straight lines; the rate is 0 before the first point and after the last.
    RateCurve {
        /// 2..=100000 points; times 0 <= s <= 1e6, strictly increasing; rates 0 <= rate <=
        /// 1e9 arrivals per second, not all 0.
        points: Vec<(Num, Num)>,
    },
    /// A synthetic pattern built on a rate curve: `Pattern(Diurnal(..))`, `Pattern(Ramp(..))`,
    /// `Pattern(Step(..))`, `Pattern(Spike(..))` (see [`super::patterns`]).
    Pattern(super::patterns::RawPattern),
    /// On/off bursts (MMPP): Poisson at `rate_per_s` during on periods (mean `on_s`), nothing
    /// during off periods (mean `off_s`), both exponential, starting on, for `duration_s`.
    OnOff {
        /// Arrivals per second while on, 0 < rate <= 1e9.
        rate_per_s: Num,
        /// Mean on period, seconds.
        on_s: Num,
        /// Mean off period, seconds.
        off_s: Num,
        /// Seconds during which arrivals come, 0 < seconds <= 1e6.
        duration_s: Num,
    },
    /// `clients` users, each sending a request, waiting for its response, then thinking.
    ClosedLoop {
        /// Number of concurrent clients (JMeter threads, k6 VUs), 1..=1000000.
        clients: Num,
        /// Think time between a response and the client's next request.
        think: RawDist,
        /// Stop sending after this many seconds (0 < seconds <= 1e6)...
        #[serde(default)]
        duration_s: Option<Num>,
        /// ...or after this many requests per client (>= 1).
        #[serde(default)]
        requests_per_client: Option<Num>,
    },
    /// Arrival times read from a CSV file (relative to the experiment file); each within 1 year
    /// of the start (0 <= ms <= 3.1536e10).
    Replay {
        /// The CSV file.
        path: String,
        /// Column holding arrival times; `_s` suffix means seconds, otherwise milliseconds.
        #[serde(default = "default_column")]
        column: String,
        /// Keep only rows whose column `.0` equals `.1` (e.g. ("rep", "0")).
        #[serde(default)]
        filter: Option<(String, String)>,
    },
}

fn default_column() -> String {
    "arrival_ms".to_string()
}

/// What a run writes besides summary.json and manifest.json.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Output")]
pub struct RawOutput {
    /// Write invocations.csv (one row per invocation); turn off for huge runs.
    #[serde(default = "default_true")]
    pub invocations: bool,
    /// Sampling interval of timeseries.csv, 0.001 <= ms <= 86400000 (1 us to 1 day).
    #[serde(default = "default_interval")]
    pub timeseries_interval_ms: Num,
    /// Write thread_states.csv and tasks.csv (what every thread did, and every task's life)
    /// over this window of simulated time: `thread_states: (from_s: 0, to_s: 2)`.
    #[serde(default)]
    pub thread_states: Option<RawWindow>,
}

/// A window of simulated time, s.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWindow {
    /// Start, s.
    pub from_s: Num,
    /// End, s (after the start).
    pub to_s: Num,
}

fn default_true() -> bool {
    true
}
fn default_interval() -> Num {
    Num::Float(100.0)
}

impl Default for RawOutput {
    fn default() -> Self {
        RawOutput {
            invocations: true,
            timeseries_interval_ms: default_interval(),
            thread_states: None,
        }
    }
}
