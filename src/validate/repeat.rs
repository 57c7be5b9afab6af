//! A second measurement of the same cases, judged against the first by sim's own rules.
//!
//! Near saturation the real system does not repeat itself: the same arrivals measured again
//! on the same idle VM hours later move by more than sim's tolerances (a 1% longer service
//! time at rho 0.9 moves the mean latency by about 10%). `sim validate DIR --repeat AGAIN`
//! judges AGAIN's figures exactly as it judges sim's (each Poisson repetition against the
//! same repetition, a burst's median against DIR's median or inside DIR's range), so sim's
//! score can be read beside the score of the machine against itself.

use super::cases::{read_json, CaseMetrics};
use super::{
    case_name, check_measured, compare_medians, compare_per_rep, is_poisson, load,
    replays_recorded_arrivals, Check, SimulatedRun,
};
use crate::error::{Result, SimError};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Judges `again`'s measurements of `dir`'s cases (those containing `only`, if given)
/// against `dir`'s, check by check as `sim validate` judges its simulations. Cases `again`
/// did not measure are left out; none in common is an error.
pub fn judge(dir: &Path, again: &Path, only: Option<&str>) -> Result<Vec<Check>> {
    let truth = load(dir, only)?;
    let again_file = again.join("measured.json");
    let repeat = read_json(&again_file)?;
    let mut table = Vec::new();
    for case in &truth.cases {
        let name = case_name(case);
        let other = &repeat["measured"][&name];
        if only.is_some_and(|o| !name.contains(o)) || other.is_null() {
            continue;
        }
        let m = &truth.measured["measured"][&name];
        check_measured(&name, m, &truth.measured_file)?;
        check_measured(&name, other, &again_file)?;
        let per_rep = replays_recorded_arrivals(dir, case);
        let runs = runs_of(&name, other, per_rep, &again_file)?;
        if per_rep {
            compare_per_rep(&name, m, &runs, &mut table);
        } else {
            let fresh = is_poisson(&truth.cases, &name);
            compare_medians(&name, m, &runs, !fresh, &mut table);
        }
    }
    if table.is_empty() {
        return Err(SimError::GroundTruth {
            path: again_file,
            message: format!(
                "measures none of the cases of {}: --repeat needs the same cases measured again",
                dir.display()
            ),
        });
    }
    Ok(table)
}

/// Each measured repetition of `name` in `m` as a run to compare, labelled with its
/// repetition when the comparison is per repetition.
fn runs_of(name: &str, m: &Value, per_rep: bool, file: &Path) -> Result<Vec<SimulatedRun>> {
    let reps = m["lat_mean_ms"]["reps"].as_array().map_or(0, Vec::len);
    if reps == 0 {
        return Err(bad(
            file,
            format!("case {name}: `lat_mean_ms` has no `reps`"),
        ));
    }
    (0..reps)
        .map(|rep| {
            let metrics = metrics_of_rep(name, m, rep, file)?;
            Ok((per_rep.then_some(rep as u64), metrics))
        })
        .collect()
}

/// Repetition `rep` of a measured case as the metrics a simulated run yields.
fn metrics_of_rep(name: &str, m: &Value, rep: usize, file: &Path) -> Result<CaseMetrics> {
    let value = |metric: &str| {
        m[metric]["reps"][rep].as_f64().ok_or_else(|| {
            bad(
                file,
                format!("case {name}: `{metric}` has no number for repetition {rep}"),
            )
        })
    };
    Ok(CaseMetrics {
        n: m["n"]["reps"][rep].as_f64().unwrap_or(f64::NAN),
        makespan_ms: value("makespan_ms")?,
        lat_mean_ms: value("lat_mean_ms")?,
        lat_p50_ms: value("lat_p50_ms")?,
        lat_p99_ms: value("lat_p99_ms")?,
        max_concurrency: value("max_concurrency")?,
        per_process: counts_of(&m["per_process_counts"]["reps"][rep]),
    })
}

/// A repetition's invocations per process (`{"0": 5, "1": 3}`); unreadable entries are
/// left out, which the count check then reports as misplaced.
fn counts_of(v: &Value) -> BTreeMap<u16, u64> {
    v.as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, n)| Some((k.parse().ok()?, n.as_u64()?)))
        .collect()
}

fn bad(path: &Path, message: String) -> SimError {
    SimError::GroundTruth {
        path: path.to_path_buf(),
        message,
    }
}

/// The checks of `sim_table` that `repeat_table` also holds (same case and metric), so the
/// two scores count the same checks.
pub fn shared_checks(sim_table: &[Check], repeat_table: &[Check]) -> Vec<Check> {
    let judged: std::collections::BTreeSet<(&str, &str)> = repeat_table
        .iter()
        .map(|c| (c.case.as_str(), c.metric.as_str()))
        .collect();
    sim_table
        .iter()
        .filter(|c| judged.contains(&(c.case.as_str(), c.metric.as_str())))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn measured(means: [f64; 2]) -> Value {
        let metric = |reps: [f64; 2]| {
            let (lo, hi) = (reps[0].min(reps[1]), reps[0].max(reps[1]));
            json!({"median": reps[0], "min": lo, "max": hi, "reps": reps})
        };
        json!({
            "n": metric([2.0, 2.0]),
            "makespan_ms": metric([100.0, 100.0]),
            "lat_mean_ms": metric(means),
            "lat_p50_ms": metric(means),
            "lat_p99_ms": metric(means),
            "max_concurrency": metric([1.0, 1.0]),
            "per_process_counts": {"reps": [{"0": 2}, {"0": 1, "1": 1}]},
        })
    }

    #[test]
    fn each_repetition_of_the_repeat_is_judged_against_the_same_repetition() {
        let first = measured([10.0, 30.0]);
        let again = measured([10.5, 40.0]);
        let runs = runs_of("c", &again, true, Path::new("again/measured.json")).unwrap();
        let mut table = Vec::new();
        compare_per_rep("c", &first, &runs, &mut table);
        let mean = |label: &str| {
            let c = table
                .iter()
                .find(|c| c.case == label && c.metric == "lat_mean_ms")
                .expect("a mean-latency check per repetition");
            (c.simulated, c.pass)
        };
        assert_eq!(mean("c#0"), (10.5, true), "+5% is inside 10%");
        assert_eq!(mean("c#1"), (40.0, false), "+33% is not");
        let counts: Vec<bool> = table
            .iter()
            .filter(|c| c.metric == "per_process_counts")
            .map(|c| c.pass)
            .collect();
        assert_eq!(counts, [true, true], "each repetition's own counts");
    }

    #[test]
    fn a_repetition_without_a_figure_is_bad_input_naming_the_metric() {
        let mut again = measured([10.0, 30.0]);
        again["lat_p99_ms"]["reps"] = json!([10.0]);
        let err = runs_of("c", &again, true, Path::new("again/measured.json"))
            .expect_err("repetition 1 has no p99");
        let text = err.to_string();
        assert!(
            text.contains("again/measured.json") && text.contains("lat_p99_ms"),
            "{text}"
        );
    }

    #[test]
    fn only_checks_both_tables_hold_are_shared() {
        let row = |case: &str, metric: &str| Check {
            case: case.into(),
            metric: metric.into(),
            measured: 1.0,
            range: (1.0, 1.0),
            simulated: 1.0,
            error: 0.0,
            pass: true,
        };
        let sim = [row("a", "lat_mean_ms"), row("b", "lat_mean_ms")];
        let shared = shared_checks(&sim, &[row("b", "lat_mean_ms"), row("c", "lat_mean_ms")]);
        assert_eq!(shared.len(), 1);
        assert_eq!(shared[0].case, "b");
    }
}
