//! The what-if answer: which configurations meet an objective's constraints, ranked by its
//! strategy, and how far the others miss.
//!
//! Constraints are upper bounds on a configuration's p99 latency, its longest queue wait and
//! its unanswered share (requests refused with 429 or failed). A figure measured over
//! replications comes with a 95% confidence interval; a configuration whose interval for some
//! constraint straddles the bound is *uncertain*: it is listed apart, never ranked as meeting
//! nor as missing, since more replications could move it either way.
//!
//! The strategies are AWS Lambda Power Tuning's, on sim's figures: `Cost` (the cheapest; a tie
//! goes to the lower p99), `Speed` (the lowest p99; a tie goes to the cheaper) and
//! `Balanced(w)`: the lowest w x cost / the most expensive + (1 - w) x p99 / the slowest, over
//! the configurations that meet the constraints (Power Tuning's normalised weighted sum). A
//! configuration without a cost (no plan) sorts after every priced one on cost. Remaining
//! ties keep the input order. The misses are sorted nearest first: by the largest relative
//! excess over any bound they break.

pub use crate::config::objective::{Constraints, Objective, Strategy};
use serde::Serialize;
use std::cmp::Ordering;

/// A figure: its mean over replications and, with two or more, the half-width of its 95%
/// confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The mean.
    pub mean: f64,
    /// Half-width of the 95% interval (`None`: one replication, no interval).
    pub half_width: Option<f64>,
}

impl Estimate {
    /// A single measurement.
    pub fn exact(mean: f64) -> Estimate {
        Estimate {
            mean,
            half_width: None,
        }
    }
}

/// One configuration's figures, as the ranking needs them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// Its name (a variant, or a sweep configuration's label).
    pub name: String,
    /// p99 latency, ms.
    pub p99_ms: Estimate,
    /// Longest wait before a body started, s.
    pub max_queue_age_s: Estimate,
    /// Share of the arrivals refused (429) or failed.
    pub unanswered_share: Estimate,
    /// Cost of a month of such runs (`None`: no plan).
    pub cost_per_month: Option<Estimate>,
}

/// A bound a configuration breaks or may break.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breach {
    /// The constraint's name ("p99_ms", "max_queue_age_s", "unanswered_share").
    pub constraint: &'static str,
    /// The configuration's figure (its mean).
    pub value: f64,
    /// The bound.
    pub limit: f64,
}

impl Breach {
    /// How far above the bound, relative to it (0.1: 10% over).
    pub fn excess(&self) -> f64 {
        if self.limit > 0.0 {
            (self.value - self.limit) / self.limit
        } else {
            f64::INFINITY
        }
    }
}

/// The ranking of a set of candidates, by index into them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ranking {
    /// Those that meet every constraint, best first.
    pub ranked: Vec<usize>,
    /// Those whose interval straddles some bound, with the bounds it straddles.
    pub uncertain: Vec<(usize, Vec<Breach>)>,
    /// Those that break some bound, nearest first, with the bounds they break.
    pub misses: Vec<(usize, Vec<Breach>)>,
}

/// Ranks `candidates` against `constraints` by `strategy` (see the module docs).
pub fn rank(candidates: &[Candidate], constraints: &Constraints, strategy: Strategy) -> Ranking {
    let mut out = Ranking::default();
    for (i, c) in candidates.iter().enumerate() {
        let (broken, straddled) = standing(c, constraints);
        if !broken.is_empty() {
            out.misses.push((i, broken));
        } else if !straddled.is_empty() {
            out.uncertain.push((i, straddled));
        } else {
            out.ranked.push(i);
        }
    }
    let scores = balanced_scores(candidates, &out.ranked, strategy);
    out.ranked.sort_by(|&a, &b| {
        order(
            &candidates[a],
            &candidates[b],
            strategy,
            scores[a],
            scores[b],
        )
    });
    out.misses
        .sort_by(|a, b| worst_excess(&a.1).total_cmp(&worst_excess(&b.1)));
    out
}

/// The bounds `c` surely breaks, and those its interval straddles.
fn standing(c: &Candidate, k: &Constraints) -> (Vec<Breach>, Vec<Breach>) {
    let (mut broken, mut straddled) = (Vec::new(), Vec::new());
    let checks = [
        ("p99_ms", c.p99_ms, k.p99_ms),
        ("max_queue_age_s", c.max_queue_age_s, k.max_queue_age_s),
        ("unanswered_share", c.unanswered_share, k.unanswered_share),
    ];
    for (constraint, e, limit) in checks {
        let Some(limit) = limit else { continue };
        let hw = e.half_width.unwrap_or(0.0);
        let breach = Breach {
            constraint,
            value: e.mean,
            limit,
        };
        if e.mean - hw > limit {
            broken.push(breach);
        } else if e.mean + hw > limit {
            straddled.push(breach);
        }
    }
    (broken, straddled)
}

/// The largest relative excess among `breaches`.
fn worst_excess(breaches: &[Breach]) -> f64 {
    breaches
        .iter()
        .map(Breach::excess)
        .fold(f64::NEG_INFINITY, f64::max)
}

/// Cost, or +infinity without a plan.
fn cost(c: &Candidate) -> f64 {
    c.cost_per_month.map_or(f64::INFINITY, |e| e.mean)
}

/// The balanced score of every candidate (lower is better), normalised over the ranked ones;
/// all 0 for the other strategies.
fn balanced_scores(candidates: &[Candidate], ranked: &[usize], strategy: Strategy) -> Vec<f64> {
    let Strategy::Balanced(w) = strategy else {
        return vec![0.0; candidates.len()];
    };
    let max_of = |f: &dyn Fn(&Candidate) -> f64| {
        ranked
            .iter()
            .map(|&i| f(&candidates[i]))
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
    };
    let (max_cost, max_p99) = (max_of(&cost), max_of(&|c| c.p99_ms.mean));
    let norm = |v: f64, max: f64| if max > 0.0 { v / max } else { 0.0 };
    candidates
        .iter()
        .map(|c| {
            // Without a plan, as dear as the dearest.
            let cost_part = if cost(c).is_finite() {
                norm(cost(c), max_cost)
            } else {
                1.0
            };
            w * cost_part + (1.0 - w) * norm(c.p99_ms.mean, max_p99)
        })
        .collect()
}

/// The order of two candidates that meet the constraints, for `strategy`.
fn order(a: &Candidate, b: &Candidate, strategy: Strategy, sa: f64, sb: f64) -> Ordering {
    let by_cost = cost(a).total_cmp(&cost(b));
    let by_p99 = a.p99_ms.mean.total_cmp(&b.p99_ms.mean);
    match strategy {
        Strategy::Cost => by_cost.then(by_p99),
        Strategy::Speed => by_p99.then(by_cost),
        Strategy::Balanced(_) => sa.total_cmp(&sb).then(by_cost).then(by_p99),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(name: &str, p99: f64, cost: f64) -> Candidate {
        Candidate {
            name: name.into(),
            p99_ms: Estimate::exact(p99),
            max_queue_age_s: Estimate::exact(1.0),
            unanswered_share: Estimate::exact(0.0),
            cost_per_month: Some(Estimate::exact(cost)),
        }
    }

    const P99_1000: Constraints = Constraints {
        p99_ms: Some(1000.0),
        max_queue_age_s: None,
        unanswered_share: Some(0.01),
    };

    fn names(c: &[Candidate], idx: &[usize]) -> Vec<String> {
        idx.iter().map(|&i| c[i].name.clone()).collect()
    }

    #[test]
    fn cost_ranks_the_cheapest_first_and_speed_the_fastest() {
        let c = [
            cand("EP3", 200.0, 1300.0),
            cand("EP1", 900.0, 320.0),
            cand("Consumption", 4000.0, 50.0),
            cand("EP2", 300.0, 600.0),
        ];
        let cost = rank(&c, &P99_1000, Strategy::Cost);
        assert_eq!(names(&c, &cost.ranked), ["EP1", "EP2", "EP3"]);
        let speed = rank(&c, &P99_1000, Strategy::Speed);
        assert_eq!(names(&c, &speed.ranked), ["EP3", "EP2", "EP1"]);
        assert_eq!(cost.misses.len(), 1);
        let (i, breaches) = &cost.misses[0];
        assert_eq!(c[*i].name, "Consumption");
        assert_eq!(breaches[0].constraint, "p99_ms");
        assert_eq!(breaches[0].excess(), 3.0, "300% over the bound");
    }

    #[test]
    fn balanced_weighs_normalised_cost_against_normalised_p99() {
        // Normalised by the most expensive (1300) and the slowest (900) that meet the bound:
        // EP1 0.5 x 320/1300 + 0.5 x 900/900 = 0.623; EP2 0.5 x 600/1300 + 0.5 x 300/900 =
        // 0.397; EP3 0.5 x 1 + 0.5 x 200/900 = 0.611.
        let c = [
            cand("EP1", 900.0, 320.0),
            cand("EP2", 300.0, 600.0),
            cand("EP3", 200.0, 1300.0),
        ];
        let r = rank(&c, &P99_1000, Strategy::Balanced(0.5));
        assert_eq!(names(&c, &r.ranked), ["EP2", "EP3", "EP1"]);
        let all_cost = rank(&c, &P99_1000, Strategy::Balanced(1.0));
        assert_eq!(names(&c, &all_cost.ranked), ["EP1", "EP2", "EP3"]);
    }

    #[test]
    fn an_interval_straddling_a_bound_is_uncertain_not_ranked() {
        let mut near = cand("near", 980.0, 100.0);
        near.p99_ms.half_width = Some(40.0);
        let mut clear = cand("clear", 800.0, 200.0);
        clear.p99_ms.half_width = Some(40.0);
        let mut over = cand("over", 1100.0, 50.0);
        over.p99_ms.half_width = Some(40.0);
        let c = [near, clear, over];
        let r = rank(&c, &P99_1000, Strategy::Cost);
        assert_eq!(names(&c, &r.ranked), ["clear"]);
        assert_eq!(r.uncertain.len(), 1);
        assert_eq!(c[r.uncertain[0].0].name, "near");
        assert_eq!(c[r.misses[0].0].name, "over");
    }

    #[test]
    fn misses_come_nearest_first_by_their_worst_bound() {
        let mut failing = cand("failing", 500.0, 10.0);
        failing.unanswered_share = Estimate::exact(0.05);
        let c = [
            cand("slow", 1500.0, 10.0),
            failing,
            cand("close", 1050.0, 10.0),
        ];
        let r = rank(&c, &P99_1000, Strategy::Cost);
        assert!(r.ranked.is_empty());
        let order: Vec<&str> = r.misses.iter().map(|(i, _)| c[*i].name.as_str()).collect();
        assert_eq!(order, ["close", "slow", "failing"], "5%, 50% and 400% over");
    }

    #[test]
    fn a_configuration_without_a_plan_sorts_after_every_priced_one_on_cost() {
        let mut free = cand("no plan", 100.0, 0.0);
        free.cost_per_month = None;
        let c = [free, cand("priced", 900.0, 9999.0)];
        let r = rank(&c, &P99_1000, Strategy::Cost);
        assert_eq!(names(&c, &r.ranked), ["priced", "no plan"]);
    }
}
