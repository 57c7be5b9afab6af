//! The serde mirror of the RON files: it only parses.
//!
//! Every struct denies unknown fields, so a typo is an error naming the field and the valid ones.
//! Nothing here is checked beyond its type; [`super::validate`] turns a `RawExperiment` into an
//! [`super::Experiment`] that cannot hold an invalid value. The structs also serialize, which
//! is how `--set path=value` overrides are applied (see [`super::overrides`]).

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
    /// Seed of every random draw in the run.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// The host instance and its Python worker settings.
    pub host: RawHost,
    /// The functions of the app, each with the load it receives.
    pub functions: Vec<RawFunctionUse>,
    /// Stop the clock here (seconds); invocations still running are reported as pending.
    #[serde(default)]
    pub horizon_s: Option<f64>,
    /// What to write.
    #[serde(default)]
    pub output: RawOutput,
}

fn default_seed() -> u64 {
    1
}

/// One host instance and the Python worker settings it runs with.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Host")]
pub struct RawHost {
    /// vCPUs of the instance; fractional allowed (Flex 512 MB has 0.25).
    #[serde(default = "default_cores")]
    pub cores: f64,
    /// FUNCTIONS_WORKER_PROCESS_COUNT (1..=10).
    #[serde(default = "default_processes")]
    pub processes: u32,
    /// PYTHON_THREADPOOL_THREAD_COUNT; omit for the Python version's default.
    #[serde(default)]
    pub threads: Option<u32>,
    /// Python version, "3.6" .. "3.14": picks the thread-pool default.
    #[serde(default = "default_python")]
    pub python: String,
    /// What os.cpu_count() returns in the worker; omit for ceil(cores).
    #[serde(default)]
    pub cpu_count: Option<u32>,
    /// A free-threaded build (3.13t/3.14t): no GIL.
    #[serde(default)]
    pub free_threaded: bool,
    /// sys.setswitchinterval, in milliseconds (CPython default 5); accepted: 0 < ms <= 1000.
    /// As CPython does, sim keeps whole microseconds and waits at least 1 us (anything below
    /// 1 us acts as 1 us). Tiny intervals still make progress, as in CPython: a thread handed
    /// the GIL always runs (at least the shorter of the interval and its wake-up latency)
    /// before it can be asked to drop it. But every hand-over leaves the GIL idle for the
    /// wake-up latency (`dispatch.gil_handover_us`, 60 by default), so below about 0.1 ms the
    /// hand-overs dominate: CPU-bound threads sharing the GIL advance at roughly
    /// interval / (interval + latency) of their speed, with about one hand-over per interval
    /// of Python work.
    #[serde(default = "default_switch_interval")]
    pub switch_interval_ms: f64,
    /// Worker processes become ready this many seconds apart (Azure: 10); 0 = all warm at t = 0.
    #[serde(default)]
    pub process_start_interval_s: f64,
    /// Cost of a context switch on oversubscribed cores, in microseconds (default 30).
    #[serde(default = "default_context_switch")]
    pub context_switch_us: f64,
    /// Start all pool threads before t = 0 (a warm worker) instead of on demand.
    #[serde(default)]
    pub prewarm_pools: bool,
    /// Costs of the worker's dispatch path; omitted fields keep the calibrated defaults.
    #[serde(default)]
    pub dispatch: RawDispatch,
}

fn default_cores() -> f64 {
    1.0
}
fn default_processes() -> u32 {
    1
}
fn default_python() -> String {
    "3.11".to_string()
}
fn default_context_switch() -> f64 {
    super::DEFAULT_CONTEXT_SWITCH_NS as f64 / 1e3
}
fn default_switch_interval() -> f64 {
    5.0
}

/// Per-invocation costs of the host -> worker -> host path, in microseconds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Dispatch")]
pub struct RawDispatch {
    /// Host to worker message latency (no CPU).
    pub transport_us: Option<f64>,
    /// Receiver thread: reading the request and handing it to the loop (Python, holds the GIL).
    pub receive_us: Option<f64>,
    /// Event loop: binding conversion and creating the task (holds the GIL).
    pub dispatch_us: Option<f64>,
    /// Thread-pool thread: picking up a sync invocation before the body starts (holds the GIL).
    pub executor_handoff_us: Option<f64>,
    /// Event loop: creating and first stepping a coroutine task (holds the GIL).
    pub task_start_us: Option<f64>,
    /// Event loop: output binding conversion after the body ends (holds the GIL).
    pub complete_us: Option<f64>,
    /// Sender thread: writing the response back to the host (holds the GIL).
    pub respond_us: Option<f64>,
    /// Time for an OS thread woken to take the GIL to actually run (the GIL sits unused).
    pub gil_handover_us: Option<f64>,
    /// Extra wake-up time when every other core is busy (default 200).
    pub gil_busy_wakeup_us: Option<f64>,
    /// How late a sleeping thread or an asyncio timer wakes (OS timer slack).
    pub timer_slack_us: Option<f64>,
    /// Sigma of the log-normal noise (mean 1) on every dispatch-path cost; 0 = constant.
    pub jitter_sigma: Option<f64>,
    /// Share of GIL hand-overs won by the thread that held it before the current holder.
    pub handover_previous_holder: Option<f64>,
    /// Share of GIL hand-overs won by the longest-waiting thread.
    pub handover_longest_waiter: Option<f64>,
    /// Chance a waiter takes the GIL during one short syscall of the dispatch path.
    pub syscall_loss: Option<f64>,
    /// The same within `syscall_recent_window_us` of a hand-over.
    pub syscall_loss_recent: Option<f64>,
    /// How long after a hand-over woken threads are still awake to race (default 300).
    pub syscall_recent_window_us: Option<f64>,
}

/// Where a function's definition comes from.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "FunctionRef")]
pub enum RawFunctionRef {
    /// A profile file, relative to the experiment file (e.g. "../models/sleep_1s.ron").
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
    /// `await asyncio.gather` of `count` copies of one sub-program: async functions only.
    GatherN(u32, Vec<RawStep>),
    /// `await loop.run_in_executor(None, f)`: f runs on the default executor; async only.
    RunInExecutor(Vec<RawStep>),
    /// The steps repeated `count` times (a loop in the body).
    Repeat(u32, Vec<RawStep>),
}

/// A duration distribution, in milliseconds.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "Dist")]
pub enum RawDist {
    /// Always `ms`.
    Constant(f64),
    /// Exponential with this mean.
    Exponential(f64),
    /// Log-normal: median and sigma of the underlying normal.
    Lognormal(f64, f64),
    /// Uniform between min and max.
    Uniform(f64, f64),
    /// Piecewise-linear inverse CDF through (percentile 0..100, ms) points, as in the Azure
    /// 2019 duration percentiles.
    Empirical(Vec<(f64, f64)>),
}

/// How invocations arrive.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Workload")]
pub enum RawWorkload {
    /// `n` invocations at once, at `at_ms`.
    Burst {
        /// How many.
        n: u64,
        /// When (default 0).
        #[serde(default)]
        at_ms: f64,
    },
    /// Open-loop Poisson arrivals at `rate_per_s` for `duration_s`.
    Poisson {
        /// Mean arrivals per second.
        rate_per_s: f64,
        /// Seconds during which arrivals come.
        duration_s: f64,
    },
    /// `clients` users, each sending a request, waiting for its response, then thinking.
    ClosedLoop {
        /// Number of concurrent clients (JMeter threads, k6 VUs).
        clients: u32,
        /// Think time between a response and the client's next request.
        think: RawDist,
        /// Stop sending after this many seconds...
        #[serde(default)]
        duration_s: Option<f64>,
        /// ...or after this many requests per client.
        #[serde(default)]
        requests_per_client: Option<u64>,
    },
    /// Arrival times read from a CSV file (relative to the experiment file).
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
    /// Sampling interval of timeseries.csv, in milliseconds.
    #[serde(default = "default_interval")]
    pub timeseries_interval_ms: f64,
}

fn default_true() -> bool {
    true
}
fn default_interval() -> f64 {
    100.0
}

impl Default for RawOutput {
    fn default() -> Self {
        RawOutput {
            invocations: true,
            timeseries_interval_ms: default_interval(),
        }
    }
}
