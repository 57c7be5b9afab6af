//! A scale decision: how many instances, how many to add or drain, and why, in words that
//! become the printed decision log and the rows of `scaling.csv`.

use crate::kernel::SimTime;
use std::fmt;

/// What one decision asks the World to do, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// When it was taken.
    pub at: SimTime,
    /// The mode that decided ("target-based", "http", "incremental", "thresholds").
    pub mode: &'static str,
    /// Starting and ready instances when it was taken.
    pub active: u32,
    /// What the mode's rule asked for, before any limit.
    pub wanted: u32,
    /// The instance count after every limit: what the World should move to.
    pub desired: u32,
    /// New instances to request now (`desired - active` when scaling out).
    pub add: u32,
    /// Instances to drain now (`active - desired` when scaling in). The World picks which:
    /// never an always-ready one, and starting ones before ready ones.
    pub drain: u32,
    /// The rule with its numbers, e.g. "orders: 1000 queued / 16 per instance = 63".
    pub rule: String,
    /// Every limit that changed the rule's answer, in the order they applied.
    pub limits: Vec<Limit>,
}

impl Decision {
    /// The reason as one line: the rule, then each limit that clipped it.
    pub fn reason(&self) -> String {
        let mut s = format!("{}: {}", self.mode, self.rule);
        for limit in &self.limits {
            s.push_str("; ");
            s.push_str(&limit.to_string());
        }
        s
    }

    /// Whether the decision changes the fleet.
    pub fn changes_fleet(&self) -> bool {
        self.add > 0 || self.drain > 0
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let change = match (self.add, self.drain) {
            (0, 0) => "no change".to_string(),
            (add, 0) => format!("+{add}"),
            (_, drain) => format!("-{drain}"),
        };
        write!(
            f,
            "t = {:.1} s: {} -> {} instances ({change}); {}",
            self.at.as_secs(),
            self.active,
            self.desired,
            self.reason()
        )
    }
}

/// A limit that changed what the rule asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Limit {
    /// Work waits and no instance exists: at least one (the first instance is always allowed).
    Activation,
    /// `max_instances` or functionAppScaleLimit capped the count.
    Ceiling {
        /// Which setting ("max_instances" or "app_scale_limit").
        setting: &'static str,
        /// Its value.
        value: u32,
    },
    /// `min_instances` or `always_ready` kept instances.
    Floor {
        /// Which setting ("min_instances" or "always_ready").
        setting: &'static str,
        /// Its value.
        value: u32,
    },
    /// At most this many new instances per decision.
    Step {
        /// The mode's step.
        max: u32,
    },
    /// The new-instance rate allowed only this many now.
    Rate {
        /// The rate's interval, ns.
        interval_ns: u64,
        /// New instances it allowed.
        allowed: u32,
        /// When the next scale-out may come.
        next: SimTime,
    },
    /// No scale-in so soon after a scale-out.
    Hold {
        /// When scale-in is allowed again.
        until: SimTime,
    },
    /// Not idle long enough to go to zero instances.
    NotIdleLongEnough {
        /// How long the app has been idle, ns (0 while work waits or runs).
        idle_ns: u64,
        /// `idle_to_zero`, ns.
        needed_ns: u64,
    },
    /// At most this many instances drained per decision.
    DrainStep {
        /// `max_drain_per_decision`.
        max: u32,
    },
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Activation => write!(f, "at least 1: work waits and no instance exists"),
            Limit::Ceiling { setting, value } => write!(f, "capped at {setting} = {value}"),
            Limit::Floor { setting, value } => write!(f, "kept {setting} = {value}"),
            Limit::Step { max } => write!(f, "at most +{max} per decision"),
            Limit::Rate {
                interval_ns,
                allowed,
                next,
            } => write!(
                f,
                "rate of one per {} s allows +{allowed} now (next at {:.1} s)",
                secs(*interval_ns),
                next.as_secs()
            ),
            Limit::Hold { until } => write!(
                f,
                "no scale-in until {:.1} s (hold after a scale-out)",
                until.as_secs()
            ),
            Limit::NotIdleLongEnough { idle_ns, needed_ns } => write!(
                f,
                "kept 1: idle {} s of the {} s before scaling to zero",
                secs(*idle_ns),
                secs(*needed_ns)
            ),
            Limit::DrainStep { max } => write!(f, "at most -{max} per decision"),
        }
    }
}

/// Nanoseconds as seconds, written briefly (30, 0.5, 1200).
fn secs(ns: u64) -> String {
    let s = ns as f64 / 1e9;
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    }
}
