//! One row per variant of a compare run, and its standing against the experiment's objective
//! (`super::objective`): ranked, or missing a bound and by how much. A compare block's `slo`
//! is the objective "p99 within the target, at most 1% unanswered, cheapest first".
//!
//! A variant that answered no request has no latency: its p99 counts as unbounded, so it never
//! meets a p99 bound.

use super::objective::{rank, Candidate, Estimate, Objective, Ranking};
use crate::config::Experiment;
use crate::metrics::summary::{round6, RunSummary};
use serde::Serialize;

/// One variant's results, as compare.csv and compare.json show them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CompareRow {
    /// The variant's name.
    pub variant: String,
    /// Its plan ("-" without one).
    pub plan: String,
    /// FUNCTIONS_WORKER_PROCESS_COUNT.
    pub processes: u32,
    /// PYTHON_THREADPOOL_THREAD_COUNT as resolved.
    pub threads: u32,
    /// Median latency, arrival to response, over the answered requests, ms.
    pub p50_ms: f64,
    /// 99th-percentile latency, the same way, ms.
    pub p99_ms: f64,
    /// The longest any invocation waited from its arrival (a message's enqueue) to the start
    /// of its body, s: queueing outside the instances, for a cold start, and on an instance.
    pub max_queue_age_s: f64,
    /// Requests refused with 429.
    pub rejected_429: u64,
    /// Arrivals that failed for good (raised, function timeout, cut by a drain, lost with a
    /// restarted worker) or timed out at the HTTP response cap.
    pub failed: u64,
    /// Time-weighted mean of the allocated instances over the run (1 without scaling).
    pub mean_instances: f64,
    /// Most instances ready at once (1 without scaling).
    pub max_instances: u32,
    /// Instances that went through a cold start.
    pub cold_starts: u64,
    /// A month of such runs on the plan (`None` without a plan).
    pub cost_per_month: Option<f64>,
    /// The cost's currency ("" without a plan).
    pub currency: String,
    /// Arrivals (the same for every variant of an open-loop load: common random numbers).
    pub arrived: u64,
    /// Requests answered with success.
    pub succeeded: u64,
    /// Whether it meets every bound of the objective (set by [`judge`]).
    pub meets_objective: bool,
}

impl CompareRow {
    /// The figures of variant `name`, which ran `exp` and gave `s`, not yet judged
    /// (`meets_objective` false).
    pub fn measure(name: &str, exp: &Experiment, s: &RunSummary) -> CompareRow {
        let c = &s.invocations;
        let failed = c.failed.total() + c.timed_out;
        let sc = s.scaling.as_ref();
        let queue_s = (s.queue_ms.max / 1e3).max(sc.map_or(0.0, |sc| sc.max_queue_age_s));
        CompareRow {
            variant: name.to_string(),
            plan: exp.plan.as_ref().map_or("-".into(), |p| p.name.clone()),
            processes: exp.host.processes,
            threads: exp.host.threads,
            p50_ms: s.latency_ms.p50,
            p99_ms: s.latency_ms.p99,
            max_queue_age_s: round6(queue_s),
            rejected_429: c.rejected,
            failed,
            mean_instances: sc.map_or(1.0, |sc| sc.mean_instances),
            max_instances: sc.map_or(1, |sc| sc.max_ready_instances),
            cold_starts: sc.map_or(0, |sc| sc.cold_starts),
            cost_per_month: s.cost.as_ref().map(|c| c.per_month),
            currency: s
                .cost
                .as_ref()
                .map_or(String::new(), |c| c.currency.clone()),
            arrived: c.arrived,
            succeeded: c.succeeded,
            meets_objective: false,
        }
    }

    /// Share of the arrivals refused or failed.
    pub fn unanswered_share(&self) -> f64 {
        if self.arrived == 0 {
            0.0
        } else {
            (self.rejected_429 + self.failed) as f64 / self.arrived as f64
        }
    }
}

impl CompareRow {
    /// The row as the ranking reads it: single measurements, no intervals.
    pub fn candidate(&self) -> Candidate {
        let p99 = if self.succeeded == 0 {
            f64::INFINITY
        } else {
            self.p99_ms
        };
        Candidate {
            name: self.variant.clone(),
            p99_ms: Estimate::exact(p99),
            max_queue_age_s: Estimate::exact(self.max_queue_age_s),
            unanswered_share: Estimate::exact(self.unanswered_share()),
            cost_per_month: self.cost_per_month.map(Estimate::exact),
        }
    }
}

/// Ranks `rows` against `objective` and marks those that meet it; returns the rows as
/// candidates and their ranking.
pub fn judge(rows: &mut [CompareRow], objective: &Objective) -> (Vec<Candidate>, Ranking) {
    let candidates: Vec<Candidate> = rows.iter().map(CompareRow::candidate).collect();
    let ranking = rank(&candidates, &objective.constraints, objective.strategy);
    for &i in &ranking.ranked {
        rows[i].meets_objective = true;
    }
    (candidates, ranking)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(variant: &str, p99_ms: f64, cost: Option<f64>) -> CompareRow {
        CompareRow {
            variant: variant.into(),
            plan: variant.into(),
            processes: 1,
            threads: 8,
            p50_ms: p99_ms / 4.0,
            p99_ms,
            max_queue_age_s: 0.0,
            rejected_429: 0,
            failed: 0,
            mean_instances: 1.0,
            max_instances: 1,
            cold_starts: 0,
            cost_per_month: cost,
            currency: "USD".into(),
            arrived: 1000,
            succeeded: 1000,
            meets_objective: false,
        }
    }

    fn ranked_names(rows: &mut [CompareRow]) -> Vec<String> {
        let (_, r) = judge(rows, &Objective::from_slo(1000.0));
        r.ranked.iter().map(|&i| rows[i].variant.clone()).collect()
    }

    #[test]
    fn the_cheapest_variant_that_meets_the_slo_comes_first_and_is_marked() {
        let mut rows = [
            row("Consumption", 4000.0, Some(50.0)),
            row("EP2", 300.0, Some(600.0)),
            row("EP1", 900.0, Some(320.0)),
            row("EP3", 200.0, Some(1300.0)),
        ];
        assert_eq!(ranked_names(&mut rows), ["EP1", "EP2", "EP3"]);
        assert!(!rows[0].meets_objective && rows[2].meets_objective);
    }

    #[test]
    fn a_tie_on_cost_goes_to_the_faster_then_to_the_first() {
        let mut rows = [
            row("a", 900.0, Some(100.0)),
            row("b", 500.0, Some(100.0)),
            row("c", 500.0, Some(100.0)),
        ];
        assert_eq!(ranked_names(&mut rows), ["b", "c", "a"]);
    }

    #[test]
    fn more_than_one_percent_unanswered_misses_the_slo_whatever_the_p99() {
        let mut ok = row("ok", 100.0, Some(1.0));
        ok.rejected_429 = 8;
        ok.failed = 2;
        let mut over = ok.clone();
        over.variant = "over".into();
        over.failed = 3;
        let mut rows = [ok, over];
        assert_eq!(ranked_names(&mut rows), ["ok"], "1% still meets it");
    }

    #[test]
    fn a_variant_that_answered_nothing_never_meets_a_p99_bound() {
        let mut none = row("none", 0.0, Some(1.0));
        none.succeeded = 0;
        let mut rows = [none];
        let (_, r) = judge(&mut rows, &Objective::from_slo(1000.0));
        assert!(r.ranked.is_empty());
        assert_eq!(r.misses[0].1[0].constraint, "p99_ms");
    }
}
