//! Every experiment in experiments/ conserves its arrivals and its executions: each arrival
//! (request, message, event) ends in exactly one outcome, arrived = succeeded + failed (by
//! reason) + rejected + timed_out + pending; the executions (invocations.csv's rows) add up
//! by their own outcomes; and the rows are exactly those executions. An experiment with a
//! compare block is checked variant by variant.

mod common;
use common::*;
use sim::config::load_comparison;
use sim::metrics::{FailReason, Outcome};
use sim::runner::{run_experiment, RunOutput};

/// The stems of experiments/*.ron, sorted.
fn experiment_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("experiments"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "ron").then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    names
}

/// The runs experiment `name` stands for: itself, or every variant of its compare block over
/// the first hour with its rows kept (a variant of a compare file may run a whole day; an hour,
/// cut by the horizon, exercises the same accounts, pending invocations included).
fn runs_of(name: &str) -> Vec<(String, RunOutput)> {
    let path = root().join("experiments").join(format!("{name}.ron"));
    let sets = [
        "horizon_s=3600".to_string(),
        "output.invocations=true".to_string(),
    ];
    match load_comparison(&path, &sets).unwrap_or_else(|e| panic!("{name}: {e}")) {
        None => vec![(name.to_string(), run(name, &["output.invocations=true"]))],
        Some(cmp) => cmp
            .variants
            .iter()
            .map(|v| {
                let out = run_experiment(&v.experiment).expect("the variant builds");
                (format!("{name}/{}", v.name), out)
            })
            .collect(),
    }
}

#[test]
fn every_experiment_conserves_its_arrivals_and_executions() {
    let names = experiment_names();
    assert!(names.len() >= 8, "{names:?}");
    for (name, out) in names.iter().flat_map(|n| runs_of(n)) {
        let c = &out.summary.invocations;
        let failed = c.failed.total();
        assert_eq!(
            c.arrived,
            c.succeeded + failed + c.rejected + c.timed_out + c.pending,
            "{name}: {c:?}"
        );
        assert!(c.poisoned + c.dead_lettered <= failed, "{name}: {c:?}");
        let rows = &out.rows;
        let with = |o: Outcome| rows.iter().filter(|r| r.outcome == o).count() as u64;
        let (executions, succeeded, fails, pending) = match &out.summary.executions {
            Some(e) => {
                assert_eq!(
                    e.executions,
                    e.succeeded + e.failed.total() + e.rejected + e.timed_out + e.pending,
                    "{name}: {e:?}"
                );
                (e.executions, e.succeeded, e.failed, e.pending)
            }
            None => (c.arrived, c.succeeded, c.failed, c.pending),
        };
        assert_eq!(rows.len() as u64, executions, "{name}: rows");
        assert_eq!(
            with(Outcome::Succeeded),
            succeeded,
            "{name}: succeeded rows"
        );
        assert_eq!(with(Outcome::Pending), pending, "{name}: pending rows");
        for (reason, n) in [
            (FailReason::Raised, fails.raised),
            (FailReason::DrainCut, fails.drain_cut),
            (FailReason::Timeout, fails.timeout),
            (FailReason::WorkerRestart, fails.worker_restart),
        ] {
            assert_eq!(with(Outcome::Failed(reason)), n, "{name}: {reason} rows");
        }
    }
}
