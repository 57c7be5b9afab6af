//! Every experiment in experiments/ conserves its arrivals and its executions: each arrival
//! (request, message, event) ends in exactly one outcome, arrived = succeeded + failed (by
//! reason) + rejected + timed_out + pending; the executions (invocations.csv's rows) add up
//! by their own outcomes; and the rows are exactly those executions.

mod common;
use common::*;
use sim::metrics::{FailReason, Outcome};

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

#[test]
fn every_experiment_conserves_its_arrivals_and_executions() {
    let names = experiment_names();
    assert!(names.len() >= 7, "{names:?}");
    for name in names {
        let out = run(&name, &[]);
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
