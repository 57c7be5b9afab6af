//! The `objective` block: what a configuration must achieve and how those that do are ranked.
//!
//! ```ron
//! objective: Objective(
//!     p99_ms: 800.0,            // the 99th-percentile latency to stay within
//!     max_queue_age_s: 5.0,     // the longest wait before a body starts
//!     unanswered_share: 0.01,   // the share refused (429) or failed
//!     strategy: Cost,           // Cost (the default), Speed, or Balanced(0.5)
//! ),
//! ```
//! Every bound is optional. A compare block's variants and a sweep's configurations are
//! ranked against it by `crate::analysis::objective`. A compare block's older
//! `slo: Slo(p99_ms: X)` is the objective `Objective(p99_ms: X, unanswered_share: 0.01)`.

use super::checker::Checker;
use super::compare::CompareConfig;
use super::limits;
use super::number::Num;
use super::raw::RawExperiment;
use serde::{Deserialize, Serialize};

/// The most requests a configuration may leave unanswered under a compare block's `slo`: 1%.
pub const SLO_UNANSWERED_SHARE: f64 = 0.01;

/// The `objective` block as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Objective")]
pub struct RawObjective {
    /// The p99 latency (over the answered requests) to stay within, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p99_ms: Option<Num>,
    /// The longest wait from arrival to the start of a body, s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_queue_age_s: Option<Num>,
    /// The share of the arrivals refused with 429 or failed, 0..=1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unanswered_share: Option<Num>,
    /// How the configurations that meet the bounds are ranked (default `Cost`).
    #[serde(default)]
    pub strategy: RawStrategy,
}

/// A strategy as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub enum RawStrategy {
    /// The cheapest first.
    #[default]
    Cost,
    /// The fastest first.
    Speed,
    /// A weighted sum: the weight of cost, 0..=1 (the rest goes to p99).
    Balanced(Num),
}

/// Upper bounds a configuration must stay within (`None`: no bound).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Constraints {
    /// p99 latency, ms.
    pub p99_ms: Option<f64>,
    /// Longest queue wait, s.
    pub max_queue_age_s: Option<f64>,
    /// Share refused or failed, 0..=1.
    pub unanswered_share: Option<f64>,
}

/// How the configurations that meet the constraints are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Strategy {
    /// Cheapest first, ties to the faster.
    Cost,
    /// Fastest (lowest p99) first, ties to the cheaper.
    Speed,
    /// A weighted sum of normalised cost (weight `w`, 0..=1) and p99 (1 - w).
    Balanced(f64),
}

/// A checked objective (the default: no bounds, cheapest first).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    /// The bounds.
    pub constraints: Constraints,
    /// The ranking of those within them.
    pub strategy: Strategy,
}

impl Default for Objective {
    fn default() -> Objective {
        Objective {
            constraints: Constraints::default(),
            strategy: Strategy::Cost,
        }
    }
}

impl Objective {
    /// A compare block's `slo`: p99 within `p99_ms`, at most 1% unanswered, cheapest first.
    pub fn from_slo(p99_ms: f64) -> Objective {
        Objective {
            constraints: Constraints {
                p99_ms: Some(p99_ms),
                max_queue_age_s: None,
                unanswered_share: Some(SLO_UNANSWERED_SHARE),
            },
            strategy: Strategy::Cost,
        }
    }

    /// The bounds and the strategy in one line: "p99 <= 800 ms, unanswered <= 1%; cost".
    pub fn describe(&self) -> String {
        let k = &self.constraints;
        let mut parts = Vec::new();
        if let Some(v) = k.p99_ms {
            parts.push(format!("p99 <= {v} ms"));
        }
        if let Some(v) = k.max_queue_age_s {
            parts.push(format!("queue age <= {v} s"));
        }
        if let Some(v) = k.unanswered_share {
            parts.push(format!("unanswered <= {}%", v * 100.0));
        }
        let bounds = if parts.is_empty() {
            "no bounds".to_string()
        } else {
            parts.join(", ")
        };
        let strategy = match self.strategy {
            Strategy::Cost => "ranked by cost".to_string(),
            Strategy::Speed => "ranked by p99".to_string(),
            Strategy::Balanced(w) => {
                format!("ranked by {w} x cost + {} x p99, normalised", 1.0 - w)
            }
        };
        format!("{bounds}; {strategy}")
    }
}

impl Checker {
    /// The experiment's objective: its `objective` block, or its compare block's `slo`; a
    /// compare block needs exactly one of them.
    pub(super) fn objective_of(
        &mut self,
        raw: &RawExperiment,
        compare: Option<&CompareConfig>,
    ) -> Option<Objective> {
        let block = raw.objective.as_ref().and_then(|o| self.objective(o));
        let slo = raw.compare.as_ref().and_then(|c| c.slo.as_ref());
        match (raw.objective.is_some(), slo.is_some(), raw.compare.is_some()) {
            (true, true, _) => self.misplaced(
                "compare.slo",
                "Slo(..)",
                "a compare block's slo or the experiment's objective block, not both: move the p99 bound into objective: Objective(p99_ms: ..)",
            ),
            (false, false, true) => self.problem(
                "compare.slo",
                "nothing",
                "is missing",
                "a target to judge the variants by: slo: Slo(p99_ms: 500.0) in the compare block, or an objective: Objective(p99_ms: 500.0, ..) block",
            ),
            _ => {}
        }
        block.or_else(|| {
            let p99_ms = compare?.slo?.p99_ms;
            Some(Objective::from_slo(p99_ms))
        })
    }

    /// Checks the objective block; `None` after recording every problem.
    pub(super) fn objective(&mut self, raw: &RawObjective) -> Option<Objective> {
        let before = self.problems.len();
        let bound = |c: &mut Checker, field: &str, n: &Option<Num>, allowed| {
            n.as_ref().and_then(|n| c.real(field, n, allowed))
        };
        let constraints = Constraints {
            p99_ms: bound(self, "objective.p99_ms", &raw.p99_ms, &limits::SLO_MS),
            max_queue_age_s: bound(
                self,
                "objective.max_queue_age_s",
                &raw.max_queue_age_s,
                &limits::QUEUE_AGE_BOUND_S,
            ),
            unanswered_share: bound(
                self,
                "objective.unanswered_share",
                &raw.unanswered_share,
                &limits::UNANSWERED_SHARE,
            ),
        };
        let strategy = match &raw.strategy {
            RawStrategy::Cost => Strategy::Cost,
            RawStrategy::Speed => Strategy::Speed,
            RawStrategy::Balanced(w) => {
                Strategy::Balanced(self.real("objective.strategy", w, &limits::COST_WEIGHT)?)
            }
        };
        (self.problems.len() == before).then_some(Objective {
            constraints,
            strategy,
        })
    }
}
