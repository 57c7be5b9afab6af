//! Runs experiments: each run builds its own world, so runs are independent and can go in
//! parallel (rayon, across runs, never inside one); results come back in input order.

use crate::config::{Experiment, FunctionKind};
use crate::metrics::summary::{ProcessSummary, RunSummary, RunTotals};
use crate::metrics::{InvocationRecord, TimeseriesRow};
use crate::model::program::critical_path_ns;
use crate::model::World;
use rayon::prelude::*;

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
}

/// Simulates one experiment.
pub fn run_experiment(exp: &Experiment) -> RunOutput {
    let mut result = World::build(exp).run();
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
    let summary = RunSummary::new(
        &exp.name,
        exp.seed,
        &result.recorder,
        &functions,
        processes,
        RunTotals {
            sim_end_ns: result.end_ns,
            cpu_utilisation: result.cpu_utilisation,
            events: result.events,
        },
    );
    let rows = result.recorder.take_rows();
    RunOutput {
        summary,
        rows,
        timeseries: std::mem::take(&mut result.recorder.timeseries),
        function_names: exp.functions.iter().map(|f| f.name.clone()).collect(),
    }
}

/// Simulates many experiments in parallel; the output order is the input order.
pub fn run_all(exps: &[Experiment]) -> Vec<RunOutput> {
    exps.par_iter().map(run_experiment).collect()
}
