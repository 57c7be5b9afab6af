//! What limits this app: the run's own figures read for the bottleneck a user can act on, each
//! with the setting that would help and a `--set` line to try.
//!
//! The checks, in the order they are reported (the first is the one `sim run --advise` tries):
//! - **memory near its limit**: OOM kills, or a peak at 90% of the instance's memory or more;
//! - **GIL-bound**: a process holds its GIL 90% of the time or more while its threads spend
//!   20% or more of their working time waiting for it (more threads cannot help; more
//!   processes can, up to the cores);
//! - **cores saturated**: 90% or more of the instance's cores in use;
//! - **event loop blocked**: an `async def` function keeps its loop blocked 20% of the time or
//!   more (its own Python or a blocking call runs on the loop, so nothing else on it can);
//! - **thread pool saturated**: every pool thread was started, requests waited for one (mean
//!   queueing 20% or more of the mean latency) while the cores stayed under 75% and the GIL
//!   under 75%;
//! - **scale-limited**: work waited while scale decisions were clipped by the step, the rate
//!   of new instances or the ceiling;
//! - **cold-start dominated**: waiting for cold instances is 20% or more of the mean latency.
//!
//! The thresholds are round figures for "clearly the bottleneck", not fitted to any case; a
//! run that trips none gets no advice.

use crate::config::Experiment;
use crate::metrics::summary::{RunSummary, ScaleOutLimit};

/// GIL held at least this share of the time: the process runs Python nearly all the time.
const GIL_SATURATED: f64 = 0.9;
/// Threads wait for the GIL at least this share of their working time.
const GIL_CONTENDED: f64 = 0.2;
/// Cores in use at least this share of the time.
const CORES_SATURATED: f64 = 0.9;
/// Below this share of the cores and of the GIL, neither is what requests wait for.
const RESOURCE_SPARE: f64 = 0.75;
/// A function keeps its event loop blocked at least this share of the time.
const LOOP_BLOCKED: f64 = 0.2;
/// Waiting (for a pool thread, or a cold start) is at least this share of the mean latency.
const WAIT_DOMINANT: f64 = 0.2;
/// Memory peak at least this share of the limit.
const MEMORY_NEAR_LIMIT: f64 = 0.9;
/// Azure's largest FUNCTIONS_WORKER_PROCESS_COUNT.
const MAX_PROCESSES: u32 = 10;

/// One finding: what limits the app, the figures that show it, and what to try.
#[derive(Debug, Clone, PartialEq)]
pub struct Advice {
    /// The limit, in a few words ("GIL-bound").
    pub limit: &'static str,
    /// The run's figures that show it.
    pub evidence: String,
    /// The setting that would help, and why.
    pub remedy: String,
    /// Overrides to try, as `--set` takes them (empty: a code change, not a setting).
    pub try_sets: Vec<String>,
}

/// Every limit the run `s` of `exp` shows, the one to try first first.
pub fn advise(exp: &Experiment, s: &RunSummary) -> Vec<Advice> {
    [
        memory(exp, s),
        gil_bound(exp, s),
        cores(exp, s),
        loop_blocked(exp, s),
        pool(exp, s),
        scale_limited(s),
        cold_starts(s),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn memory(exp: &Experiment, s: &RunSummary) -> Option<Advice> {
    let m = s.memory.as_ref()?;
    let share = m.peak_share.unwrap_or(0.0);
    if m.oom_kills == 0 && share < MEMORY_NEAR_LIMIT {
        return None;
    }
    let p = exp.host.processes;
    Some(Advice {
        limit: "memory near its limit",
        evidence: format!(
            "peak {:.0} MB of {:.0} MB ({:.0}%), {} OOM kills",
            m.peak_mb,
            m.limit_mb.unwrap_or(m.peak_mb),
            share * 100.0,
            m.oom_kills
        ),
        remedy: "fewer worker processes (each holds the imports again) or fewer threads (fewer requests in flight hold memory), or a plan with more memory".into(),
        try_sets: vec![format!("host.processes={}", p.saturating_sub(1).max(1))],
    })
}

fn gil_bound(exp: &Experiment, s: &RunSummary) -> Option<Advice> {
    let busiest = s
        .processes
        .iter()
        .filter(|p| p.gil_held >= GIL_SATURATED && p.gil_wait_share >= GIL_CONTENDED)
        .max_by(|a, b| a.gil_held.total_cmp(&b.gil_held))?;
    let h = &exp.host;
    let cores = h.cores.ceil() as u32;
    let (remedy, try_sets) = if h.processes < cores {
        (
            "more worker processes (FUNCTIONS_WORKER_PROCESS_COUNT): each has a GIL of its own, up to one per core; more threads cannot help Python code",
            vec![format!("host.processes={}", (h.processes + 1).min(MAX_PROCESSES))],
        )
    } else {
        (
            "more cores (a bigger plan) with a process per core, or native code that drops the GIL (numpy, a C extension); more threads cannot help Python code",
            vec![
                format!("host.cores={}", h.cores * 2.0),
                format!("host.processes={}", (h.processes * 2).min(MAX_PROCESSES)),
            ],
        )
    };
    Some(Advice {
        limit: "GIL-bound",
        evidence: format!(
            "process {} holds its GIL {:.0}% of the time while its threads wait for it {:.0}% of their working time",
            busiest.process,
            busiest.gil_held * 100.0,
            busiest.gil_wait_share * 100.0
        ),
        remedy: remedy.into(),
        try_sets,
    })
}

fn cores(exp: &Experiment, s: &RunSummary) -> Option<Advice> {
    if s.cpu_utilisation < CORES_SATURATED {
        return None;
    }
    let cores = exp.host.cores;
    Some(Advice {
        limit: "cores saturated",
        evidence: format!(
            "{:.0}% of the instance's {cores} cores in use",
            s.cpu_utilisation * 100.0
        ),
        remedy: "more cores (a bigger plan, or more instances with a scale block)".into(),
        try_sets: vec![format!("host.cores={}", cores * 2.0)],
    })
}

fn loop_blocked(exp: &Experiment, s: &RunSummary) -> Option<Advice> {
    let f = s
        .functions
        .iter()
        .filter(|f| f.kind == "async" && f.loop_blocked >= LOOP_BLOCKED)
        .max_by(|a, b| a.loop_blocked.total_cmp(&b.loop_blocked))?;
    let more = (exp.host.processes + 1).min(MAX_PROCESSES);
    Some(Advice {
        limit: "event loop blocked",
        evidence: format!(
            "`{}` keeps its event loop blocked {:.0}% of the time",
            f.name,
            f.loop_blocked * 100.0
        ),
        remedy: format!(
            "await the slow calls in `{}` (an asyncio client), or move them off the loop with run_in_executor / asyncio.to_thread; more processes give more loops meanwhile",
            f.name
        ),
        try_sets: (more > exp.host.processes)
            .then(|| format!("host.processes={more}"))
            .into_iter()
            .collect(),
    })
}

fn pool(exp: &Experiment, s: &RunSummary) -> Option<Advice> {
    let all_started = !s.processes.is_empty()
        && s.processes
            .iter()
            .all(|p| p.pool_threads_started >= p.pool_size);
    let spare = s.cpu_utilisation < RESOURCE_SPARE
        && s.processes.iter().all(|p| p.gil_held < RESOURCE_SPARE);
    let waited = s.queue_ms.mean >= WAIT_DOMINANT * s.latency_ms.mean && s.latency_ms.mean > 0.0;
    if !(all_started && spare && waited) {
        return None;
    }
    let threads = exp.host.threads;
    Some(Advice {
        limit: "thread pool saturated",
        evidence: format!(
            "all {threads} pool threads per process busy: requests waited {:.1} ms on average of {:.1} ms, while the cores were {:.0}% used",
            s.queue_ms.mean,
            s.latency_ms.mean,
            s.cpu_utilisation * 100.0
        ),
        remedy: "more threads (PYTHON_THREADPOOL_THREAD_COUNT): the requests wait on I/O, which threads overlap".into(),
        try_sets: vec![format!("host.threads={}", threads * 2)],
    })
}

fn scale_limited(s: &RunSummary) -> Option<Advice> {
    let sc = s.scaling.as_ref()?;
    let held: Vec<ScaleOutLimit> = sc
        .decisions
        .iter()
        .filter(|d| d.queue_length > 0)
        .filter_map(|d| d.held_back)
        .collect();
    if held.is_empty() {
        return None;
    }
    let ceiling = held.iter().any(|l| matches!(l, ScaleOutLimit::Ceiling(_)));
    let step = held.iter().find_map(|l| match l {
        ScaleOutLimit::Step(max) => Some(*max),
        _ => None,
    });
    let (remedy, try_sets) = match (ceiling, step) {
        (true, _) => (
            "a higher instance ceiling (max_instances)",
            vec![format!(
                "scale.max_instances={}",
                sc.max_ready_instances * 2
            )],
        ),
        (false, Some(step)) => (
            "larger scale-out steps (the mode's max_step)",
            vec![format!("scale.mode.max_step={}", step * 2)],
        ),
        (false, None) => (
            "a faster rate of new instances (the platform's, not a setting)",
            Vec::new(),
        ),
    };
    Some(Advice {
        limit: "scale-limited",
        evidence: format!(
            "{} of {} scale decisions held back new instances while work waited (oldest {:.1} s)",
            held.len(),
            sc.decisions.len(),
            sc.max_queue_age_s
        ),
        remedy: format!("{remedy}; or more concurrency per instance, so fewer are needed"),
        try_sets,
    })
}

fn cold_starts(s: &RunSummary) -> Option<Advice> {
    let sc = s.scaling.as_ref()?;
    let wait = sc.latency_split_ms.cold_start_wait;
    if s.latency_ms.mean <= 0.0 || wait < WAIT_DOMINANT * s.latency_ms.mean {
        return None;
    }
    Some(Advice {
        limit: "cold-start dominated",
        evidence: format!(
            "{} cold starts; waiting for them is {wait:.1} ms of the {:.1} ms mean latency",
            sc.cold_starts, s.latency_ms.mean
        ),
        remedy: "pre-warmed or always-ready instances (Premium, or Flex always-ready), or a minimum instance count".into(),
        try_sets: vec!["plan=EP1".into()],
    })
}
