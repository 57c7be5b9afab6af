//! Experiment configuration: RON files in, a typed [`Experiment`] out.
//!
//! `raw` parses (serde mirror, unknown fields rejected, numbers kept as written by `number`),
//! `overrides` applies `--set` what-ifs, `validate` checks every value at once (with
//! `checker`, `host` and `body`, against the ranges in `limits`) and resolves
//! defaults, profiles and trace files. The typed structs below are what `validate` produces
//! from checked input (code that builds them directly, as `sim validate` and the benchmarks
//! do, takes that responsibility); the model never re-checks them.
//! This module imports neither the kernel nor the model.

mod body;
mod checker;
pub mod compare;
pub mod curve;
mod host;
pub mod limits;
mod memory;
mod names;
mod number;
pub mod objective;
pub mod overrides;
pub mod patterns;
pub mod plan;
pub mod raw;
pub mod scale;
mod source;
pub mod sweep;
pub mod sweep_runs;
mod syntax;
pub mod trace;
pub mod trace_memory;
pub mod trace_rest;
pub mod trace_triggers;
pub mod trigger;
pub mod validate;
pub mod variants;
mod window;

use serde::Serialize;
use std::path::PathBuf;

pub use curve::RateCurve;
pub use host::{default_executor_threads, default_pool_threads, switch_interval_ns};
pub use plan::PlanConfig;
pub use scale::ScaleConfig;
pub use sweep_runs::{load_sweep, parse_sweep, Sweep};
pub use trigger::{
    EventHubsConfig, HttpConfig, ServiceBusConfig, StorageQueueConfig, TriggerConfig,
};
pub use validate::{load_experiment, parse_experiment};
pub use variants::{load_comparison, parse_comparison, Comparison, Variant};

/// Default cost of a context switch on oversubscribed cores (`host.context_switch_us`), the
/// direct cost and the cache refill together. Measured, not fitted: one preemption of a
/// pure-Python loop by a thread that runs briefly, which is two switches, costs the loop a
/// median 11.8 us over 21 trials (`notebooks/harness/switch_cost.py`,
/// `notebooks/measurements/switch-cost-2026-12-04`), so one switch 5.9 us. A waking thread
/// that runs on is charged two switches (11.8 us), one that wakes only to block again the
/// same measured 11.8 us (`cpu::BRIEF_PREEMPTION_NS`), and time-sharing threads one switch per
/// slice. Until the twentieth CPU-load round this was 30 us, an upper bound from the ground
/// truth's slices (at most about 40 us) that also stood in for a loss not modelled, the GIL
/// waiters woken in vain by each release (`World::signal_in_vain`); with it three and four
/// single-thread processes on two CPUs came out 6-13% slow. The measured cost landed with
/// those wake-ups (`notebooks/measurements/cpu-load-2026-12-05l`).
pub const DEFAULT_CONTEXT_SWITCH_NS: u64 = 5_900;

/// How fast the machine the dispatch costs were calibrated on ran Python: the ground truth's
/// own calibration (`shared/ground-truth/measured.json`, `machine.calibration.iters_per_ms`: loop
/// iterations of `for i in range(200): x += i * i` per ms of CPU), the machine whose
/// `dispatch_overhead.json` gave [`DispatchCosts::CALIBRATED`]. `sim validate` compares a
/// measured folder's own calibration with it ([`DispatchCosts::at_python_speed`]).
pub const CALIBRATION_ITERS_PER_MS: f64 = 48_462.0;

/// Where the OS runs a thread woken while the CPU it last ran on is busy (`host.placement`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, clap::ValueEnum,
)]
pub enum Placement {
    /// On an idle CPU if there is one: no runnable thread waits while a core idles (the cores
    /// are shared by processor sharing). Faster to simulate (about 0.7 of `HomeCpu`'s time), but
    /// it loses no capacity to placement, so two processes of several CPU-bound threads come out
    /// fast (the sixth round's hold-out: 21-40% low in every repetition of 2 x default at rho
    /// 0.7).
    Spread,
    /// Queued on its home CPU (the one it last ran on; at first the one it was created on)
    /// even while another CPU idles, as the 2-vCPU VM of the measurements does
    /// (`notebooks/measurements/sched-placement-2026-12-03`): EEVDF runs it at once or at the
    /// running thread's next deadline, an idle CPU takes it at the wake-up only sometimes and
    /// pulls it at the 4 ms tick (see `model::cpu::run_queues`). The default since it passed
    /// more of an unseen hold-out's checks than `Spread`, by a rule fixed before measuring
    /// (`notebooks/measurements/cpu-load-2026-12-04d`: 210 of 252 against 203).
    #[default]
    HomeCpu,
}

/// How long a dead worker process stays down before the host starts it again, seconds:
/// 10 s [reference sheet section 2: "A dead worker restarts after 10 s"; code
/// RpcFunctionInvocationDispatcher.cs]. An experiment may set `worker_restart_delay_s`.
pub const WORKER_RESTART_DELAY_S: f64 = 10.0;

/// A validated experiment, ready to build a model from.
#[derive(Debug, Clone, Serialize)]
pub struct Experiment {
    /// Output folder name.
    pub name: String,
    /// What the experiment shows.
    pub description: String,
    /// Seed of every random draw.
    pub seed: u64,
    /// The host instance.
    pub host: HostConfig,
    /// The app's functions and their loads.
    pub functions: Vec<FunctionSpec>,
    /// Stop time in nanoseconds, if any.
    pub horizon_ns: Option<u64>,
    /// What to write.
    pub output: OutputConfig,
    /// The scale controller's settings; `None`: one instance, no scaling (as before the
    /// `scale` block existed, and left out of manifest.json).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scale: Option<ScaleConfig>,
    /// The hosting plan with every field resolved (`plan` in the file); `None`: no plan, no
    /// cost (and left out of manifest.json).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<plan::PlanConfig>,
    /// host.json's functionTimeout, ns: `function_timeout_s`, or the plan's default; `None`:
    /// none. The model enforces it (see `model::timeout`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_timeout_ns: Option<u64>,
    /// How long a worker process killed by a timeout stays down before the host starts it
    /// again (its worker start follows), ns: `worker_restart_delay_s`, default
    /// [`WORKER_RESTART_DELAY_S`].
    pub worker_restart_delay_ns: u64,
    /// Memory on each instance, when the run models it (a `memory` block, a plan, or a
    /// function's `memory_mb`); `None`: not modelled (and left out of manifest.json).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<MemoryConfig>,
    /// The variants to run instead of the experiment itself, and the target they are judged
    /// against (the `compare` block); `None`: one run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compare: Option<compare::CompareConfig>,
    /// The grid of settings and the replications to run instead of the experiment itself
    /// (the `sweep` block); `None`: one run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sweep: Option<sweep::SweepConfig>,
    /// What the variants or configurations must achieve and how they are ranked: the
    /// `objective` block, or a compare block's `slo`; `None`: no ranking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective: Option<objective::Objective>,
    /// The experiment file.
    pub source: PathBuf,
    /// The experiment as written, after `--set` overrides (for the manifest: compact, with
    /// every field a user can set, e.g. a replay's column and filter).
    #[serde(skip)]
    pub as_given: Option<raw::RawExperiment>,
}

/// Memory on each instance, in MB, every default resolved (see `model::memory`).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct MemoryConfig {
    /// The instance's limit, shared by the host and its workers; `None`: no limit.
    pub limit_mb: Option<f64>,
    /// The Functions host process.
    pub host_mb: f64,
    /// A bare Python worker process.
    pub worker_base_mb: f64,
    /// The app's imports, in every worker process.
    pub imports_mb: f64,
}

/// A bare Python worker process, MB: "the Python process eats all of 80MB" [reference sheet
/// section 5: 3rd issue python-worker#394].
pub const WORKER_BASE_MB: f64 = 80.0;
/// The Functions host process, MB: sim's own default, UNVERIFIED (the reference sheet gives
/// no figure; Azure says an instance's memory is "less memory taken by the functions runtime").
pub const HOST_MB: f64 = 200.0;

impl MemoryConfig {
    /// What a worker process holds before any invocation: its base and the app's imports.
    pub fn process_mb(&self) -> f64 {
        self.worker_base_mb + self.imports_mb
    }
}

/// One host instance running Python workers, with every default resolved.
#[derive(Debug, Clone, Serialize)]
pub struct HostConfig {
    /// vCPUs (fractional allowed).
    pub cores: f64,
    /// FUNCTIONS_WORKER_PROCESS_COUNT.
    pub processes: u32,
    /// Thread-pool size per process (PYTHON_THREADPOOL_THREAD_COUNT or the version default).
    pub threads: u32,
    /// Where `threads` came from, for the reader ("set" or the default rule applied).
    pub threads_source: String,
    /// Size of the loop's default executor (run_in_executor(None)): min(32, cpu_count + 4).
    pub default_executor_threads: u32,
    /// os.cpu_count() as the worker sees it.
    pub cpu_count: u32,
    /// Python version string.
    pub python: String,
    /// No GIL (3.13t/3.14t).
    pub free_threaded: bool,
    /// GIL switch interval, ns: whole microseconds, at least 1 us (see [`switch_interval_ns`]).
    pub switch_interval_ns: u64,
    /// Delay between worker processes becoming ready, ns (0 = all ready at t = 0).
    pub process_start_interval_ns: u64,
    /// Cost of one context switch when cores are oversubscribed (direct cost and cache refill).
    pub context_switch_ns: u64,
    /// Where a woken thread runs when the CPU it last ran on is busy.
    pub placement: Placement,
    /// Start every thread-pool and default-executor thread before t = 0 (a warm worker);
    /// otherwise they start on demand, as ThreadPoolExecutor does.
    pub prewarm_pools: bool,
    /// Dispatch-path costs.
    pub dispatch: DispatchCosts,
}

/// Per-invocation costs of the dispatch path, in nanoseconds.
///
/// Defaults are calibrated on the ground truth's idle dispatch path
/// (`shared/ground-truth/dispatch_overhead.json`, CPython 3.11, 2 vCPU) and on its rho = 0.9
/// Poisson cases for `gil_handover_ns`; the hand-over shares were measured by instrumenting
/// CPython 3.11 on the same kind of machine (who wins among 7 waiting CPU-bound threads; the
/// longest waiter's share is not reproduced today, see `handover_longest_waiter`).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct DispatchCosts {
    /// Host -> worker message latency.
    pub transport_ns: u64,
    /// Receiver thread CPU per request (GIL).
    pub receive_ns: u64,
    /// Loop CPU per request before the body (GIL).
    pub dispatch_ns: u64,
    /// Pool-thread CPU before a submitted call starts: a sync body, or a run_in_executor
    /// call on the default executor (GIL).
    pub executor_handoff_ns: u64,
    /// Loop CPU to create and first step a coroutine task (async bodies, gather branches).
    pub task_start_ns: u64,
    /// Loop CPU per request after the body (GIL).
    pub complete_ns: u64,
    /// Sender thread CPU per response (GIL).
    pub respond_ns: u64,
    /// Wake-up time of a thread handed the GIL that wakes on an idle CPU (its home CPU idles
    /// and is not the releaser's; otherwise it runs after `gil_handover_busy_ns`): a VM's idle
    /// exit. Calibrated on the ground truth's rho = 0.9 Poisson cases (one process, the other
    /// core idle): 105 us matches their mean latencies (60 us did while every hand-over with a
    /// core idle paid it). Later sittings left idle faster (the `perf sched` records of
    /// `notebooks/measurements/sched-handover-2026-12-04`: a median 56 us; the same
    /// one-process case re-measured ran 15% faster); `sim validate` scales it, with the
    /// sleeper wake-up, to each sitting's dispatch probe ([`DispatchCosts::at_idle_exit_scale`]).
    pub gil_handover_ns: u64,
    /// Wake-up time of a thread handed the GIL when no core idles: Linux runs it on the CPU of
    /// the thread that let the GIL go as that thread stops (or preempts the thread it finds
    /// elsewhere), with no idle exit. Measured, not fitted: over the same records, 11,274 such
    /// wake-ups ran on the waker's CPU after a median 4 us and 1,131 elsewhere after 28 us, 6 us
    /// on average of the two (`notebooks/harness/handover_latency.py`).
    pub gil_handover_busy_ns: u64,
    /// Extra delay of every timed wake-up (sleep, asyncio timer, client think time).
    pub timer_slack_ns: u64,
    /// Spread of each dispatch-path cost: it is multiplied by a log-normal factor of mean 1
    /// and this sigma (OS scheduling and cache noise); 0 makes the costs constant.
    pub jitter_sigma: f64,
    /// Share of GIL hand-overs that go to the thread that held it before the current holder.
    pub handover_previous_holder: f64,
    /// Share of GIL hand-overs that go to the longest-waiting thread (the rest: any waiter).
    ///
    /// Re-measured with `notebooks/harness/handover_shares.py` (CPU-bound threads in one
    /// process, `notebooks/measurements/handover-shares-2026-12-07`): the previous holder's
    /// share agrees (0.21-0.32), but the longest waiter wins no more often than any other
    /// waiter (about 0, not 0.30). 0 passes the ground truth too but fewer checks of the
    /// latest rounds (2,946 against 2,958), so 0.30 stands in for another preference (the
    /// signalled waiter's, likely) until a mechanism for it is found and judged.
    pub handover_longest_waiter: f64,
    /// Chance that a waiter takes the GIL during one short syscall of the dispatch path, while
    /// a core idles (with every core busy no waiter is awake to take it). Re-measured with
    /// `notebooks/measurements/sched-many-2026-12-07/syscall_race.py` (a thread's pipe write
    /// and read beside CPU-bound threads of its process): 3.4% beside one, 3.8-5.7% beside two
    /// to seven.
    pub syscall_loss: f64,
    /// The same within `syscall_recent_window_ns` of a hand-over, when woken threads are awake.
    pub syscall_loss_recent: f64,
    /// How long after a hand-over the higher chance applies.
    pub syscall_recent_window_ns: u64,
    /// Extra wake-up latency of a thread that slept long (see [`DispatchCosts::sleeper_wake_ns`]):
    /// a virtual CPU's exit from idle, which moves from one sitting to the next; `sim validate`
    /// reports the scale that would match a folder's dispatch probe
    /// ([`DispatchCosts::at_idle_exit_scale`]).
    pub sleeper_wake_max_ns: u64,
    /// Sleeps up to this long wake with no extra latency.
    pub sleeper_wake_from_ns: u64,
    /// Sleeps this long or longer pay all of `sleeper_wake_max_ns`.
    pub sleeper_wake_to_ns: u64,
    /// CPU a worker thread that slept long spends when it is woken onto a virtual CPU that
    /// idles (see [`DispatchCosts::idle_wake_cpu_ns_after`]), whoever woke it: the CPU's way
    /// out of its halt (the interrupt's exit to the hypervisor and back) and the woken thread's
    /// first stretch on it are counted in the guest as the woken thread's time. It pays that
    /// before it takes the GIL back, so the GIL's holder goes on meanwhile. A GIL hand-over
    /// onto an idle CPU is not charged: the dispatch probe that sizes this has none. Default
    /// 0: the calibrated dispatch costs already hold what the ground truth's sitting paid.
    ///
    /// Measured, not fitted: `sim validate` sets it, per style of body, so that sim's dispatch
    /// probe uses as much worker CPU per empty invocation as the machine's probe recorded
    /// (`idle_dispatch_cpu_us`, `validate::dispatch_probe`). In the first round with that
    /// figure (`notebooks/measurements/cpu-load-2026-12-07b`) the machine's workers used about
    /// 310 us more per `def` probe than sim's Python and 160 us more per `async def` probe:
    /// 65.4 and 53.4 us for each of the five and three wake-ups of a thread that slept through
    /// the probe's gap (four with a one-thread pool); rounds 34 and 35 gave 93.6 and 74.2,
    /// 75.9 and 67.0 us.
    pub idle_wake_cpu_ns: u64,
    /// CPU the host process spends on each request it sends to a worker, run on the instance's
    /// cores from the moment it is placed, beside the request (it does not hold it back).
    /// Default 0: the host's work for a request comes before the request leaves, so on an idle
    /// instance it is already part of the calibrated path; see `host_response_ns`.
    pub host_request_ns: u64,
    /// CPU the host process spends per invocation after the response (reading it, unpickling
    /// or unmarshalling, bookkeeping), run on the instance's cores beside the workers: the
    /// host is a process of its own (no GIL), so on an instance with a core free it costs the
    /// workers nothing, and on busy cores it takes its share and preempts a worker thread.
    ///
    /// Measured, not fitted: the measurement harness's host process (`measure.py`, which
    /// plays the Functions host) used 231-329 us of CPU (user + system) per invocation, median
    /// 262 us, about half of it on the sending side, over six Poisson cases of
    /// `notebooks/measurements/cpu-load-2026-12-03/fit` measured again on the idle machine
    /// (`host-cpu/harness_log_idle.json`, `host_cpu_us_per_invocation`; a first reading while
    /// builds ran on the machine gave a median of about 225 us).
    /// The whole of it is charged here, after the response, where it lies on no request's path.
    /// The Functions host (.NET, gRPC) spends its own CPU per invocation; measure yours and set
    /// `host.dispatch.host_response_us`. `sim validate` uses each measured repetition's own
    /// figure where the harness recorded it (`validate::harness_log`).
    pub host_response_ns: u64,
    /// The load generator sleeps until each scheduled arrival and sends when it wakes (the
    /// measurement harness's open-loop driver): each request leaves one timed wake-up after
    /// the generator's sleep, while its arrival is stamped at the schedule. Set by `sim
    /// validate` for Poisson cases; off for experiments (the host receives at the arrival).
    pub generator_sleeps: bool,
}

impl DispatchCosts {
    /// An ideal worker: no dispatch costs, no noise, no wake-up latency, no syscall races (the
    /// GIL is still there). What queueing theory and plain FaaS simulators assume.
    pub const ZERO: DispatchCosts = DispatchCosts {
        transport_ns: 0,
        receive_ns: 0,
        dispatch_ns: 0,
        executor_handoff_ns: 0,
        task_start_ns: 0,
        complete_ns: 0,
        respond_ns: 0,
        gil_handover_ns: 0,
        gil_handover_busy_ns: 0,
        timer_slack_ns: 0,
        jitter_sigma: 0.0,
        syscall_loss: 0.0,
        syscall_loss_recent: 0.0,
        sleeper_wake_max_ns: 0,
        host_request_ns: 0,
        host_response_ns: 0,
        ..DispatchCosts::CALIBRATED
    };

    /// Calibrated defaults (see the type's docs).
    pub const CALIBRATED: DispatchCosts = DispatchCosts {
        transport_ns: 1_000,
        receive_ns: 28_000,
        dispatch_ns: 66_000,
        executor_handoff_ns: 41_000,
        task_start_ns: 25_000,
        complete_ns: 34_000,
        respond_ns: 84_000,
        gil_handover_ns: 105_000,
        gil_handover_busy_ns: 6_000,
        timer_slack_ns: 100_000,
        jitter_sigma: 0.5,
        handover_previous_holder: 0.28,
        handover_longest_waiter: 0.30,
        syscall_loss: 0.03,
        syscall_loss_recent: 0.25,
        syscall_recent_window_ns: 300_000,
        sleeper_wake_max_ns: 115_000,
        sleeper_wake_from_ns: 2_000_000,
        sleeper_wake_to_ns: 10_000_000,
        idle_wake_cpu_ns: 0,
        host_request_ns: 0,
        host_response_ns: 260_000,
        generator_sleeps: false,
    };

    /// These costs on a machine that runs Python `speed` (> 0) times as fast as the calibration
    /// machine ([`CALIBRATION_ITERS_PER_MS`]): the dispatch path's Python work (receive,
    /// dispatch, executor hand-off, task start, complete, respond) is a fixed number of
    /// bytecodes, so it takes 1 / `speed` as long. Wake-up latencies, timer slack and the
    /// host's CPU are the kernel's and the host's, and stay.
    ///
    /// Why: the project's own measurement folders were taken on days when the same kind of VM
    /// ran Python at 12,000 to 34,000 iterations per ms, and with the calibrated costs sim's
    /// Poisson latencies came out the lower the slower the day (`notebooks/measurements/README.md`,
    /// "The machine's speed").
    ///
    /// ```
    /// let c = sim::config::DispatchCosts::CALIBRATED;
    /// let half = c.at_python_speed(0.5);
    /// assert_eq!(half.receive_ns, 2 * c.receive_ns);
    /// assert_eq!(half.timer_slack_ns, c.timer_slack_ns);
    /// ```
    pub fn at_python_speed(self, speed: f64) -> DispatchCosts {
        debug_assert!(
            speed.is_finite() && speed > 0.0,
            "a Python speed of {speed}"
        );
        let slower = |ns: u64| (ns as f64 / speed).round() as u64;
        DispatchCosts {
            receive_ns: slower(self.receive_ns),
            dispatch_ns: slower(self.dispatch_ns),
            executor_handoff_ns: slower(self.executor_handoff_ns),
            task_start_ns: slower(self.task_start_ns),
            complete_ns: slower(self.complete_ns),
            respond_ns: slower(self.respond_ns),
            ..self
        }
    }

    /// These costs on a VM whose virtual CPUs take `scale` (>= 0) times as long as the
    /// calibration machine's to leave idle: the two latencies that are such an exit, a long
    /// sleeper's wake-up (`sleeper_wake_max_ns`) and a GIL hand-over to a thread that wakes on
    /// an idle CPU (`gil_handover_ns`), scale; the Python work, the timer slack (the
    /// kernel's fixed 50 us of slack and a short wake-up, measured together) and hand-overs on
    /// busy CPUs stay.
    ///
    /// Why: the same VM ran the idle dispatch path twice as fast in some sittings as in
    /// others while its Python ran only about 15% faster; `sim validate` reports the scale at
    /// which sim's probe matches the harness's dispatch probe (`validate::dispatch_probe`).
    ///
    /// ```
    /// let c = sim::config::DispatchCosts::CALIBRATED;
    /// let quick = c.at_idle_exit_scale(0.5);
    /// assert_eq!(quick.sleeper_wake_max_ns, c.sleeper_wake_max_ns / 2);
    /// assert_eq!(quick.gil_handover_ns, c.gil_handover_ns / 2);
    /// assert_eq!(quick.receive_ns, c.receive_ns);
    /// ```
    pub fn at_idle_exit_scale(self, scale: f64) -> DispatchCosts {
        debug_assert!(
            scale.is_finite() && scale >= 0.0,
            "an idle-exit scale of {scale}"
        );
        let scaled = |ns: u64| (ns as f64 * scale).round() as u64;
        DispatchCosts {
            sleeper_wake_max_ns: scaled(self.sleeper_wake_max_ns),
            gil_handover_ns: scaled(self.gil_handover_ns),
            ..self
        }
    }

    /// Extra wake-up latency of a thread that slept `slept_ns` waiting for work (blocked in a
    /// pipe read, a queue or epoll) when another thread wakes it, on top of the dispatch costs
    /// (which hold a short sleeper's wake-up). Timed wake-ups (`time.sleep`, asyncio timers)
    /// keep the one `timer_slack_ns` instead: the probe's sleep lateness is 70-80 us after
    /// short sleeps and 160-190 us after long ones, and the ground truth's sleep-heavy bursts
    /// fit the constant 100 us (with the ramp added they miss: 1 x 16 mixed, p50 +11%).
    ///
    /// Measured with `notebooks/harness/wake_latency.py` (a child blocked on a pipe, woken
    /// after a sleep; `notebooks/measurements/wake-latency-2026-12-02`): on the project's
    /// 2-vCPU VM a thread that slept 10 ms or more takes about 115 us (median) to run, one
    /// that slept under 1 ms 10-50 us, whether the cores are idle or busy, so it is the
    /// sleeper's latency, not a busy core's. The extra rises linearly from
    /// `sleeper_wake_from_ns` to `sleeper_wake_to_ns`. The start of the ramp (2 ms) comes from
    /// the ground truth's serial cases, which sleep 2 ms between requests and show no extra on
    /// their machine (this probe's machine showed some from 1 ms, so the ramp is a compromise;
    /// measure yours with the probe and set `host.dispatch.sleeper_wake_*`).
    ///
    /// ```
    /// let c = sim::config::DispatchCosts::CALIBRATED;
    /// assert_eq!(c.sleeper_wake_ns(1_000_000), 0);
    /// assert_eq!(c.sleeper_wake_ns(6_000_000), 57_500);
    /// assert_eq!(c.sleeper_wake_ns(50_000_000), 115_000);
    /// ```
    pub fn sleeper_wake_ns(&self, slept_ns: u64) -> u64 {
        if self.sleeper_wake_max_ns == 0 {
            return 0;
        }
        (self.sleeper_wake_max_ns as f64 * self.halted_share(slept_ns)).round() as u64
    }

    /// The woken thread's CPU ([`DispatchCosts::idle_wake_cpu_ns`]) for being woken onto an
    /// idle CPU after sleeping `slept_ns`: on the same ramp as
    /// [`DispatchCosts::sleeper_wake_ns`], since a CPU that idled only briefly is still
    /// polling and needs no interrupt to leave.
    ///
    /// ```
    /// use sim::config::DispatchCosts;
    /// let c = DispatchCosts { idle_wake_cpu_ns: 80_000, ..DispatchCosts::CALIBRATED };
    /// assert_eq!(c.idle_wake_cpu_ns_after(1_000_000), 0);
    /// assert_eq!(c.idle_wake_cpu_ns_after(6_000_000), 40_000);
    /// assert_eq!(c.idle_wake_cpu_ns_after(50_000_000), 80_000);
    /// ```
    pub fn idle_wake_cpu_ns_after(&self, slept_ns: u64) -> u64 {
        (self.idle_wake_cpu_ns as f64 * self.halted_share(slept_ns)).round() as u64
    }

    /// How far a sleep of `slept_ns` is along the ramp from `sleeper_wake_from_ns` (0) to
    /// `sleeper_wake_to_ns` (1).
    fn halted_share(&self, slept_ns: u64) -> f64 {
        let (from, to) = (self.sleeper_wake_from_ns, self.sleeper_wake_to_ns);
        if slept_ns <= from {
            return 0.0;
        }
        if slept_ns >= to {
            return 1.0;
        }
        (slept_ns - from) as f64 / (to - from) as f64
    }
}

/// `def` or `async def`.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub enum FunctionKind {
    /// Runs on the worker's ThreadPoolExecutor.
    Sync,
    /// Runs as a task on the worker's event loop.
    Async,
}

/// A function of the app, its body, and its arrivals.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionSpec {
    /// Name in reports.
    pub name: String,
    /// `def` or `async def`.
    pub kind: FunctionKind,
    /// The body's steps (loops already unrolled).
    pub body: Vec<Step>,
    /// How invocations arrive.
    pub workload: Workload,
    /// The front end arrivals go through (None: direct delivery, each arrival runs at once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger: Option<TriggerConfig>,
    /// The chance that an invocation raises at the end of its body (its `fails`; 0: never).
    pub fails: f64,
    /// Memory a running invocation holds, in KiB (its `memory_mb`); `None`: none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_kib: Option<Dist>,
}

/// One step of a body, with durations in nanoseconds.
#[derive(Debug, Clone, Serialize)]
pub enum Step {
    /// Python CPU work (GIL).
    Cpu(Dist),
    /// Native CPU work without the GIL.
    NativeCpu(Dist),
    /// Blocking call: the thread sleeps without the GIL.
    BlockingIo(Dist),
    /// Awaited non-blocking I/O (async only).
    AwaitIo(Dist),
    /// asyncio.gather of sub-programs (async only).
    Gather(Vec<Vec<Step>>),
    /// await run_in_executor(None, sub-program) (async only; the sub-program is sync).
    RunInExecutor(Vec<Step>),
}

/// A duration distribution over nanoseconds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub enum Dist {
    /// Always this many ns.
    Constant(u64),
    /// Exponential with this mean (ns).
    Exponential(f64),
    /// exp(Normal(mu, sigma)) ns.
    Lognormal {
        /// ln of the median in ns.
        mu: f64,
        /// Sigma of the underlying normal.
        sigma: f64,
    },
    /// Uniform on [lo, hi] ns.
    Uniform(f64, f64),
    /// Inverse CDF through (probability 0..1, ns) points, increasing in both.
    Empirical(Vec<(f64, f64)>),
    /// This share of each invocation's recorded duration (a trace function's body; see
    /// [`trace`]).
    Recorded {
        /// The share, 0..=1.
        share: f64,
        /// The function's mean recorded duration, ns (for estimates and the ideal latency).
        mean_ns: f64,
    },
}

impl Dist {
    /// The mean, ns (for estimates and the ideal latency; draws are capped as the sampler
    /// caps them, which this ignores).
    pub fn mean_ns(&self) -> f64 {
        match self {
            Dist::Constant(ns) => *ns as f64,
            Dist::Exponential(mean) => *mean,
            Dist::Lognormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Dist::Uniform(lo, hi) => (lo + hi) / 2.0,
            Dist::Empirical(points) => points
                .windows(2)
                .map(|w| (w[1].0 - w[0].0) * (w[0].1 + w[1].1) / 2.0)
                .sum(),
            Dist::Recorded { share, mean_ns } => share * mean_ns,
        }
    }
}

/// Steps a body runs once every gather branch is counted (the step budget, and the
/// per-step kernel events of a run's estimate).
pub fn expanded_size(steps: &[Step]) -> usize {
    steps
        .iter()
        .map(|s| match s {
            Step::Gather(branches) => 1 + branches.iter().map(|b| expanded_size(b)).sum::<usize>(),
            Step::RunInExecutor(sub) => 1 + expanded_size(sub),
            _ => 1,
        })
        .sum()
}

/// How invocations of a function arrive.
#[derive(Debug, Clone, Serialize)]
pub enum Workload {
    /// `n` at once.
    Burst {
        /// How many.
        n: u64,
        /// When (ns).
        at_ns: u64,
    },
    /// Open-loop Poisson.
    Poisson {
        /// Mean arrivals per second.
        rate_per_s: f64,
        /// Arrivals stop after this (ns).
        duration_ns: u64,
    },
    /// Open-loop Poisson arrivals whose rate follows a piecewise-linear curve.
    RateCurve(RateCurve),
    /// On/off bursts (a two-state Markov-modulated Poisson process): Poisson arrivals at
    /// `rate_per_s` during on periods, none during off periods, each period exponential.
    OnOff {
        /// Arrivals per second while on.
        rate_per_s: f64,
        /// Mean on period, ns.
        on_ns: f64,
        /// Mean off period, ns.
        off_ns: f64,
        /// Arrivals stop after this (ns).
        duration_ns: u64,
    },
    /// Closed loop of clients with think time.
    ClosedLoop {
        /// Number of clients.
        clients: u32,
        /// Think time.
        think: Dist,
        /// Clients stop sending after this (ns).
        duration_ns: Option<u64>,
        /// Or after this many requests each.
        requests_per_client: Option<u64>,
    },
    /// Arrival instants read from a file, sorted.
    Replay {
        /// The file, for reports.
        path: PathBuf,
        /// Arrival instants (ns), ascending.
        #[serde(skip)]
        arrivals_ns: Vec<u64>,
    },
    /// One function of a recorded trace, streamed from its file (the `trace` block).
    Trace(trace::TraceSource),
}

/// What a run writes.
#[derive(Debug, Clone, Serialize)]
pub struct OutputConfig {
    /// Write invocations.csv.
    pub invocations: bool,
    /// Time-series sampling interval (ns).
    pub timeseries_interval_ns: u64,
    /// Write thread_states.csv and tasks.csv over this window, (from, to) ns.
    pub thread_states: Option<(u64, u64)>,
}
