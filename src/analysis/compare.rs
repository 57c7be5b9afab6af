//! One row per variant of a compare run, and the verdict: the cheapest variant that meets the
//! service-level objective.
//!
//! A variant meets the objective when its p99 latency (over the answered requests) is within
//! the target and at most 1% of its requests went unanswered (refused with 429, failed, or
//! timed out at the HTTP cap): those never got a good answer, so with more of them the 99th
//! percentile of what callers saw is a failure, whatever the answered ones' p99 says.
//!
//! The verdict ranks the variants that meet it by monthly cost (a variant without a plan has
//! no cost and comes last), then by p99 (the faster wins a tie), then by file order. When none
//! meets it, the closest is the one with the lowest p99, and the verdict says by how much it
//! misses.

use crate::config::compare::Slo;
use crate::config::Experiment;
use crate::metrics::summary::{round6, RunSummary};
use serde::Serialize;
use std::cmp::Ordering;

/// The most requests a variant may leave unanswered and still meet the objective: 1%.
pub const MAX_UNANSWERED_SHARE: f64 = 0.01;

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
    /// Whether it meets the objective (see the module's docs).
    pub meets_slo: bool,
}

impl CompareRow {
    /// The row of variant `name`, which ran `exp` and gave `s`, judged against `slo`.
    pub fn new(name: &str, exp: &Experiment, s: &RunSummary, slo: &Slo) -> CompareRow {
        let mut row = Self::measure(name, exp, s);
        row.meets_slo = row.p99_ms <= slo.p99_ms
            && s.invocations.succeeded > 0
            && row.unanswered_share() <= MAX_UNANSWERED_SHARE;
        row
    }

    /// The figures of variant `name`, which ran `exp` and gave `s`, not yet judged
    /// (`meets_slo` false).
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
            meets_slo: false,
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

/// What a compare run concludes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict<'a> {
    /// The cheapest variant that meets the objective.
    Cheapest(&'a CompareRow),
    /// None meets it; the one with the lowest p99, and how far above the target that is, ms.
    NoneMeets {
        /// The closest variant.
        closest: &'a CompareRow,
        /// Its p99 minus the target, ms (0 or less when only its unanswered share misses).
        over_ms: f64,
    },
}

/// The verdict over `rows` against `slo` (`None` without rows).
pub fn verdict<'a>(rows: &'a [CompareRow], slo: &Slo) -> Option<Verdict<'a>> {
    let cheapest = rows
        .iter()
        .filter(|r| r.meets_slo)
        .min_by(|a, b| cost_order(a, b).then(a.p99_ms.total_cmp(&b.p99_ms)));
    if let Some(row) = cheapest {
        return Some(Verdict::Cheapest(row));
    }
    let closest = rows.iter().min_by(|a, b| a.p99_ms.total_cmp(&b.p99_ms))?;
    Some(Verdict::NoneMeets {
        closest,
        over_ms: round6(closest.p99_ms - slo.p99_ms),
    })
}

/// Cheaper first; a variant without a cost after every one with a cost.
fn cost_order(a: &CompareRow, b: &CompareRow) -> Ordering {
    let key = |r: &CompareRow| r.cost_per_month.unwrap_or(f64::INFINITY);
    key(a).total_cmp(&key(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(variant: &str, p99_ms: f64, cost: Option<f64>, meets_slo: bool) -> CompareRow {
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
            meets_slo,
        }
    }

    const SLO: Slo = Slo { p99_ms: 1000.0 };

    #[test]
    fn the_cheapest_variant_that_meets_the_slo_wins() {
        let rows = [
            row("Consumption", 4000.0, Some(50.0), false),
            row("EP2", 300.0, Some(600.0), true),
            row("EP1", 900.0, Some(320.0), true),
            row("EP3", 200.0, Some(1300.0), true),
        ];
        assert_eq!(verdict(&rows, &SLO), Some(Verdict::Cheapest(&rows[2])));
    }

    #[test]
    fn a_tie_on_cost_goes_to_the_faster_then_to_the_first() {
        let rows = [
            row("a", 900.0, Some(100.0), true),
            row("b", 500.0, Some(100.0), true),
            row("c", 500.0, Some(100.0), true),
        ];
        assert_eq!(verdict(&rows, &SLO), Some(Verdict::Cheapest(&rows[1])));
    }

    #[test]
    fn a_variant_without_a_cost_comes_after_every_priced_one() {
        let rows = [
            row("no plan", 100.0, None, true),
            row("priced", 900.0, Some(10_000.0), true),
        ];
        assert_eq!(verdict(&rows, &SLO), Some(Verdict::Cheapest(&rows[1])));
    }

    #[test]
    fn when_none_meets_it_the_lowest_p99_is_the_closest_with_its_excess() {
        let rows = [
            row("a", 2500.0, Some(10.0), false),
            row("b", 1200.5, Some(900.0), false),
        ];
        let v = verdict(&rows, &SLO);
        assert_eq!(
            v,
            Some(Verdict::NoneMeets {
                closest: &rows[1],
                over_ms: 200.5
            })
        );
        assert_eq!(verdict(&[], &SLO), None);
    }

    #[test]
    fn more_than_one_percent_unanswered_misses_the_slo_whatever_the_p99() {
        let mut r = row("a", 100.0, Some(1.0), true);
        r.rejected_429 = 8;
        r.failed = 2;
        assert_eq!(r.unanswered_share(), 0.01, "1% still meets it");
        r.failed = 3;
        assert!(r.unanswered_share() > MAX_UNANSWERED_SHARE);
    }
}
