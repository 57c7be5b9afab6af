//! Runs experiments: each run builds its own world, so runs are independent and can go in
//! parallel (rayon, across runs, never inside one); results come back in input order.

use crate::config::{Experiment, FunctionKind};
use crate::metrics::memory::{MemorySummary, RestartSummary};
use crate::metrics::summary::ScaleOutLimit;
use crate::metrics::summary::{
    round6, CapacitySummary, DecisionRow, LatencySplit, ProcessSummary, RunSummary, RunTotals,
    ScalingSummary,
};
use crate::metrics::{InvocationRecord, KeepRows, RowSink, TimeseriesRow};
use crate::model::program::critical_path_ns;
use crate::model::scale::Limit;
use crate::model::scaling::ScalingResult;
use crate::model::{BuildError, Progress, RunResult, World};
use crate::preflight::capacity::capacity;
use rayon::prelude::*;
use std::ops::ControlFlow;

/// What one run produced, ready to export.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// summary.json.
    pub summary: RunSummary,
    /// invocations.csv rows (empty when turned off).
    pub rows: Vec<InvocationRecord>,
    /// timeseries.csv rows.
    pub timeseries: Vec<TimeseriesRow>,
    /// Function names by index, for the CSV.
    pub function_names: Vec<String>,
    /// thread_states.csv rows, in the order the stretches ended (empty unless recorded).
    pub thread_states: Vec<crate::metrics::thread_states::StateRow>,
    /// tasks.csv rows, in the order the tasks ended (empty unless recorded).
    pub tasks: Vec<crate::metrics::thread_states::TaskRow>,
}

/// Why a run gave no summary.
#[derive(Debug)]
pub enum RunFailure {
    /// The experiment's topology cannot be built (before time started).
    Build(BuildError),
    /// A budget or a failed write stopped the run; the reason.
    Stopped(String),
}

/// Simulates one experiment, keeping every row in memory (tests, `sim validate`, small runs).
pub fn run_experiment(exp: &Experiment) -> Result<RunOutput, BuildError> {
    let mut rows = KeepRows::default();
    let summary = match run_streaming(exp, &mut rows, &mut |_| ControlFlow::Continue(())) {
        Ok(summary) => summary,
        Err(RunFailure::Build(e)) => return Err(e),
        Err(RunFailure::Stopped(why)) => {
            unreachable!("a run without a budget, keeping its rows, is never stopped: {why}")
        }
    };
    rows.invocations.sort_by_key(|r| r.id);
    Ok(RunOutput {
        summary,
        rows: rows.invocations,
        timeseries: rows.timeseries,
        function_names: exp.functions.iter().map(|f| f.name.clone()).collect(),
        thread_states: rows.thread_states,
        tasks: rows.tasks,
    })
}

/// Simulates one experiment, handing rows to `sink` as they finish and progress to `watch`,
/// which may stop the run: then the reason comes back instead of a summary.
pub fn run_streaming(
    exp: &Experiment,
    sink: &mut dyn RowSink,
    watch: &mut dyn FnMut(&Progress) -> ControlFlow<String>,
) -> Result<RunSummary, RunFailure> {
    let world = World::build(exp).map_err(RunFailure::Build)?;
    let result = world.run(sink, watch);
    if let Some(why) = result.stopped {
        return Err(RunFailure::Stopped(why));
    }
    Ok(summarise(exp, &result))
}

fn summarise(exp: &Experiment, result: &RunResult) -> RunSummary {
    let processes = result
        .processes
        .iter()
        .map(ProcessSummary::rounded)
        .collect();
    let functions: Vec<(String, String, f64)> = exp
        .functions
        .iter()
        .map(|f| {
            let kind = match f.kind {
                FunctionKind::Sync => "sync",
                FunctionKind::Async => "async",
            };
            (
                f.name.clone(),
                kind.to_string(),
                critical_path_ns(&f.body) / 1e6,
            )
        })
        .collect();
    let mut summary = RunSummary::new(
        &exp.name,
        exp.seed,
        &result.recorder,
        &functions,
        processes,
        RunTotals {
            sim_end_ns: result.end_ns,
            cpu_utilisation: result.cpu_utilisation,
            cpu_idle_while_waiting: result.cpu_idle_while_waiting,
            cpu_stalls: result.cpu_stalls,
            gil_handovers: result.gil_handovers,
            events: result.events,
        },
    );
    summary.scaling = result
        .scaling
        .as_ref()
        .map(|s| scaling_summary(s, result.recorder.arrivals.rejected, result.end_ns));
    summary.cost = exp
        .plan
        .as_ref()
        .map(|plan| crate::billing::cost(plan, &result.recorder.usage.usage(result.end_ns)));
    summary.memory = memory_summary(exp, result);
    summary.worker_restarts = RestartSummary {
        timeout: result.restarts.timeout,
        out_of_memory: result.restarts.out_of_memory,
    };
    summary.thread_states = result.recorder.states.as_ref().map(|s| s.summary());
    summary.capacity = capacity(exp).map(|c| CapacitySummary {
        offered_per_s: round6(c.offered_per_s),
        max_per_s: round6(c.max_per_s),
        overloaded: c.overloaded(),
        limited_by: c.limit.resource,
    });
    summary
}

/// The memory section of summary.json, when the run models memory.
fn memory_summary(exp: &Experiment, result: &RunResult) -> Option<MemorySummary> {
    let (config, memory) = (exp.memory.as_ref()?, result.memory.as_ref()?);
    let figures: Vec<_> = memory
        .instances
        .iter()
        .map(|i| (i.peak_mb, i.mean_mb, i.life_ns))
        .collect();
    Some(MemorySummary::new(
        config.limit_mb,
        config.host_mb,
        config.process_mb(),
        result.restarts.out_of_memory,
        &figures,
    ))
}

/// `limit`, if it is one that holds back new instances.
fn scale_out_limit(limit: &Limit) -> Option<ScaleOutLimit> {
    match limit {
        Limit::Ceiling { value, .. } => Some(ScaleOutLimit::Ceiling(*value)),
        Limit::Step { max } => Some(ScaleOutLimit::Step(*max)),
        Limit::Rate { .. } => Some(ScaleOutLimit::Rate),
        _ => None,
    }
}

/// The fleet's record as summary.json and scaling.csv show it; `rejected` 429s in a run that
/// ended at `end_ns`.
fn scaling_summary(r: &ScalingResult, rejected: u64, end_ns: u64) -> ScalingSummary {
    let decisions = r
        .log
        .iter()
        .map(|e| DecisionRow {
            t_s: round6(e.decision.at.0 as f64 / 1e9),
            ready: e.ready,
            starting: e.starting,
            draining: e.draining,
            queue_length: e.queue_length,
            oldest_age_s: round6(e.oldest_age_ns as f64 / 1e9),
            desired: e.decision.desired,
            add: e.decision.add,
            drain: e.decision.drain,
            reason: e.decision.reason(),
            held_back: e.decision.limits.iter().find_map(scale_out_limit),
        })
        .collect();
    let f = &r.figures;
    let ms = |ns: f64| round6(ns / 1e6);
    ScalingSummary {
        cold_starts: r.cold_starts,
        max_ready_instances: r.max_ready,
        prewarmed_used: r.prewarmed_used,
        messages_returned: r.messages_returned,
        instance_seconds: round6(f.instance_seconds),
        mean_instances: if end_ns > 0 {
            round6(f.instance_seconds / (end_ns as f64 / 1e9))
        } else {
            0.0
        },
        scale_events: r
            .log
            .iter()
            .filter(|e| e.decision.add > 0 || e.decision.drain > 0)
            .count() as u64,
        rejected_429: rejected,
        max_queue_age_s: round6(f.max_queue_age_ns as f64 / 1e9),
        latency_split_ms: LatencySplit {
            placed: f.placed,
            queue_outside: ms(f.queue_outside_ns),
            cold_start_wait: ms(f.cold_start_wait_ns),
            service: ms(f.service_ns),
        },
        decisions,
    }
}

/// Runs `job` on each item in parallel (each job a whole run: rayon goes across runs, never
/// inside one); the results come back in input order, whatever the number of threads.
pub fn each_in_parallel<T: Send, R: Send>(
    items: Vec<T>,
    job: impl Fn(T) -> R + Sync + Send,
) -> Vec<R> {
    items.into_par_iter().map(job).collect()
}

/// How many runs [`each_in_parallel`] runs at once (rayon's threads: `RAYON_NUM_THREADS`, or
/// the machine's cores).
pub fn runs_at_once() -> usize {
    rayon::current_num_threads()
}

/// Simulates many experiments in parallel; the output order is the input order. The first
/// experiment that cannot be built (in input order) fails them all.
pub fn run_all(exps: &[Experiment]) -> Result<Vec<RunOutput>, BuildError> {
    exps.par_iter().map(run_experiment).collect()
}
