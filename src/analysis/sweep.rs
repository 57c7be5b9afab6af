//! A sweep's results: one row of figures per run, and per configuration the mean and 95%
//! confidence interval of each figure over its replications (`super::stats`), in a form a
//! ranking can read (sweep_summary.csv and .json, see `crate::output::sweep`).
//!
//! The per-configuration summary is computed from the rows as sweep.csv holds them (parsed
//! back from their text), so a single machine, a resumed sweep and merged shards give the same
//! bytes.

use super::compare::CompareRow;
use super::objective::{Candidate, Estimate};
use super::stats::MeanCi;
use crate::config::Experiment;
use crate::metrics::summary::RunSummary;
use serde::Serialize;
use std::collections::BTreeMap;

/// The figures of a run, in sweep.csv's column order (after the run's identity and its axis
/// values). Counts are whole numbers; rates are shares of the arrivals.
pub const METRICS: [&str; 15] = [
    "arrived",
    "succeeded",
    "failed",
    "rejected_429",
    "failure_rate",
    "rate_429",
    "unanswered_share",
    "mean_ms",
    "p50_ms",
    "p99_ms",
    "max_queue_age_s",
    "mean_instances",
    "max_instances",
    "cold_starts",
    "cost_per_month",
];

/// The figures summarised per configuration (the ones an objective ranks by).
pub const SUMMARISED: [&str; 9] = [
    "p50_ms",
    "p99_ms",
    "mean_ms",
    "max_queue_age_s",
    "failure_rate",
    "rate_429",
    "unanswered_share",
    "cost_per_month",
    "mean_instances",
];

/// One run of a sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepRow {
    /// Its index in the sweep: configuration x replications + replication.
    pub run: usize,
    /// Its configuration's index.
    pub config: usize,
    /// Its replication, from 0.
    pub replication: u32,
    /// The seed it ran with.
    pub seed: u64,
    /// Its axis values, in the sweep's column order.
    pub values: Vec<String>,
    /// Its figures, in [`METRICS`] order (`None`: not measured, e.g. a cost without a plan).
    pub metrics: Vec<Option<f64>>,
}

/// Who a run is: its index, configuration, replication, seed and axis values.
#[derive(Debug, Clone)]
pub struct RunId {
    /// Index in the sweep.
    pub run: usize,
    /// Configuration index.
    pub config: usize,
    /// Replication, from 0.
    pub replication: u32,
    /// The seed it ran with.
    pub seed: u64,
    /// Axis values.
    pub values: Vec<String>,
}

impl SweepRow {
    /// The row of run `id`, which ran `exp` and gave `s`.
    pub fn new(id: RunId, exp: &Experiment, s: &RunSummary) -> SweepRow {
        let r = CompareRow::measure("", exp, s);
        let share = |n: u64| {
            if r.arrived == 0 {
                0.0
            } else {
                n as f64 / r.arrived as f64
            }
        };
        let c = &s.invocations;
        // Nothing answered: no latency to report.
        let latency = |v: f64| (c.succeeded > 0).then_some(v);
        let metrics = vec![
            Some(r.arrived as f64),
            Some(c.succeeded as f64),
            Some(r.failed as f64),
            Some(r.rejected_429 as f64),
            Some(share(r.failed)),
            Some(share(r.rejected_429)),
            Some(share(r.failed + r.rejected_429)),
            latency(s.latency_ms.mean),
            latency(r.p50_ms),
            latency(r.p99_ms),
            Some(r.max_queue_age_s),
            Some(r.mean_instances),
            Some(r.max_instances as f64),
            Some(r.cold_starts as f64),
            r.cost_per_month,
        ];
        SweepRow {
            run: id.run,
            config: id.config,
            replication: id.replication,
            seed: id.seed,
            values: id.values,
            metrics,
        }
    }

    /// Its figure `name` (one of [`METRICS`]).
    pub fn metric(&self, name: &str) -> Option<f64> {
        let i = METRICS.iter().position(|m| *m == name)?;
        self.metrics[i]
    }
}

/// A configuration's figures over its replications.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConfigSummary {
    /// The configuration's index.
    pub config: usize,
    /// Its axis values, by path.
    pub values: BTreeMap<String, String>,
    /// Replications that finished.
    pub replications: usize,
    /// Each figure of [`SUMMARISED`]: its mean and interval (`None`: never measured).
    pub metrics: BTreeMap<String, Option<MeanCi>>,
}

/// Per configuration (in index order), the summary of `rows` (each run once, any order);
/// `paths` names the axis values.
pub fn summarise(rows: &[SweepRow], paths: &[String]) -> Vec<ConfigSummary> {
    let mut by_config: BTreeMap<usize, Vec<&SweepRow>> = BTreeMap::new();
    for r in rows {
        by_config.entry(r.config).or_default().push(r);
    }
    by_config
        .into_iter()
        .map(|(config, mut runs)| {
            runs.sort_by_key(|r| r.run);
            let metrics = SUMMARISED
                .iter()
                .map(|m| {
                    let values: Vec<f64> = runs.iter().filter_map(|r| r.metric(m)).collect();
                    (m.to_string(), MeanCi::of(&values))
                })
                .collect();
            ConfigSummary {
                config,
                values: paths.iter().cloned().zip(runs[0].values.clone()).collect(),
                replications: runs.len(),
                metrics,
            }
        })
        .collect()
}

impl ConfigSummary {
    /// Figure `name`'s estimate (`None`: never measured).
    fn estimate(&self, name: &str) -> Option<Estimate> {
        let m = self.metrics.get(name).copied().flatten()?;
        Some(Estimate {
            mean: m.mean,
            half_width: m.ci95,
        })
    }

    /// The configuration as the ranking reads it, named `name`. A configuration that answered
    /// nothing has an unbounded p99.
    pub fn candidate(&self, name: String) -> Candidate {
        let zero = Estimate::exact(0.0);
        Candidate {
            name,
            p99_ms: self
                .estimate("p99_ms")
                .unwrap_or(Estimate::exact(f64::INFINITY)),
            max_queue_age_s: self.estimate("max_queue_age_s").unwrap_or(zero),
            unanswered_share: self.estimate("unanswered_share").unwrap_or(zero),
            cost_per_month: self.estimate("cost_per_month"),
        }
    }
}

/// Each configuration's label, its axis values as `name=value` joined by spaces, naming a
/// field by the last part of its path that is not an index ("threads") unless two axes share
/// it, and a file by its stem (`function=http_api_async`); an axis set to `null` (unset) is
/// left out.
pub fn labels(configs: &[ConfigSummary], paths: &[String]) -> Vec<String> {
    let last = |p: &str| {
        let name = p.rsplit('.').find(|s| s.parse::<usize>().is_err());
        name.unwrap_or(p).to_string()
    };
    let short: Vec<String> = paths.iter().map(|p| last(p)).collect();
    let names: Vec<&str> = paths
        .iter()
        .zip(&short)
        .map(|(p, s)| {
            if short.iter().filter(|o| *o == s).count() > 1 {
                p.as_str()
            } else {
                s.as_str()
            }
        })
        .collect();
    configs
        .iter()
        .map(|c| {
            names
                .iter()
                .zip(paths)
                .filter(|(_, p)| c.values.get(*p).is_none_or(|v| v != "null"))
                .map(|(n, p)| format!("{n}={}", value_label(c.values.get(p))))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// An axis value as a label shows it: a `.ron` file by its stem, anything else as it is.
fn value_label(value: Option<&String>) -> &str {
    let Some(v) = value else { return "" };
    match v.strip_suffix(".ron") {
        Some(path) => path.rsplit(['/', '\\']).next().unwrap_or(path),
        None => v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(values: &[(&str, &str)]) -> ConfigSummary {
        ConfigSummary {
            config: 0,
            values: values
                .iter()
                .map(|(p, v)| (p.to_string(), v.to_string()))
                .collect(),
            replications: 1,
            metrics: BTreeMap::new(),
        }
    }

    #[test]
    fn a_label_names_fields_by_their_last_word_and_files_by_their_stem() {
        let paths = ["host.threads", "functions.0.function.0"].map(String::from);
        let c = config(&[
            ("host.threads", "8"),
            ("functions.0.function.0", "../models/http_api_async.ron"),
        ]);
        assert_eq!(labels(&[c], &paths), ["threads=8 function=http_api_async"]);
    }

    #[test]
    fn an_axis_left_unset_is_left_out_of_the_label() {
        let paths = ["plan", "functions.0.trigger.per_instance_concurrency"].map(String::from);
        let c = config(&[("plan", "EP1"), (&paths[1], "null")]);
        assert_eq!(labels(&[c], &paths), ["plan=EP1"]);
    }

    #[test]
    fn axes_sharing_a_last_word_keep_their_whole_paths() {
        let paths = [
            "functions.0.workload.rate_per_s",
            "functions.1.workload.rate_per_s",
        ]
        .map(String::from);
        let c = config(&[(&paths[0], "5"), (&paths[1], "7")]);
        assert_eq!(
            labels(&[c], &paths),
            ["functions.0.workload.rate_per_s=5 functions.1.workload.rate_per_s=7"]
        );
    }

    #[test]
    fn a_configuration_that_answered_nothing_has_an_unbounded_p99() {
        let c = config(&[]);
        assert!(c.candidate("x".into()).p99_ms.mean.is_infinite());
    }
}
