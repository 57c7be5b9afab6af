//! `sim run --advise`: the first piece of advice that names a setting is run too, on the same
//! arrivals and durations (the same seed: common random numbers), and its figures are shown
//! beside the run's. The advised run writes no files.

use super::sweep::simulate;
use super::Guards;
use crate::analysis::advice::Advice;
use crate::cli::RunArgs;
use crate::config::load_experiment;
use crate::error::Result;
use crate::metrics::summary::RunSummary;
use crate::preflight::{self, Limits};
use std::fmt::Write;

/// The advised run's comparison with `original`, as printed.
pub(super) fn advised_run(
    args: &RunArgs,
    sets: &[String],
    advice: &[Advice],
    original: &RunSummary,
    guards: &Guards,
) -> Result<String> {
    let Some(first) = advice.iter().find(|a| !a.try_sets.is_empty()) else {
        return Ok("--advise: no setting to try (see the advice above)\n".into());
    };
    let mut all = sets.to_vec();
    all.extend(first.try_sets.iter().cloned());
    let exp = load_experiment(&args.experiment, &all)?;
    let estimate = preflight::estimate(&exp);
    if !estimate.over(&Limits::DEFAULT).is_empty() && !args.yes {
        return Ok(format!(
            "--advise: the advised run is over the limits ({}); add --yes to run it\n",
            estimate.line()
        ));
    }
    let advised_guards = Guards {
        estimate: &estimate,
        ..*guards
    };
    let advised = simulate(&exp, &advised_guards)?;
    Ok(side_by_side(first, original, &advised))
}

/// The two runs' figures, one line each.
fn side_by_side(first: &Advice, original: &RunSummary, advised: &RunSummary) -> String {
    let sets: Vec<String> = first
        .try_sets
        .iter()
        .map(|s| format!("--set {s}"))
        .collect();
    let label = sets.join(" ");
    let width = label.len().max(6);
    let mut o = format!(
        "advised ({}): the same arrivals and durations with {label}\n",
        first.limit
    );
    let _ = writeln!(
        o,
        "  {:<width$}  {:>9}  {:>9}  {:>9}  {:>12}  {:>6}  {:>10}",
        "", "mean ms", "p50 ms", "p99 ms", "throughput/s", "cores", "per month"
    );
    for (name, s) in [("as run", original), (label.as_str(), advised)] {
        let cost = s
            .cost
            .as_ref()
            .map_or("-".to_string(), |c| format!("{:.2}", c.per_month));
        let _ = writeln!(
            o,
            "  {name:<width$}  {:>9.1}  {:>9.1}  {:>9.1}  {:>12.1}  {:>5.0}%  {cost:>10}",
            s.latency_ms.mean,
            s.latency_ms.p50,
            s.latency_ms.p99,
            s.throughput_per_s,
            s.cpu_utilisation * 100.0
        );
    }
    o
}
