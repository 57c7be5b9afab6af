//! The limits every mode's want passes through, in this order: the floor (min_instances,
//! always-ready) and the ceiling (max_instances, functionAppScaleLimit), the first instance
//! when work waits on none; then, scaling out, the mode's step and the new-instance rate;
//! scaling in, the hold after a scale-out, the idle time before zero and the drain step.

use super::decision::Limit;
use super::snapshot::Snapshot;
use crate::config::scale::{RateCounts, ScaleConfig};
use crate::kernel::SimTime;

/// What the limits remember between decisions.
#[derive(Debug, Clone, Default)]
pub(super) struct History {
    /// When instances were last added (the rate limit and the scale-in hold count from here).
    pub(super) last_scale_out: Option<SimTime>,
    /// Since when the app has had no work (`None` while it has some).
    pub(super) idle_since: Option<SimTime>,
}

/// Per-mode inputs of the limits.
pub(super) struct ModeLimits {
    /// New instances per decision at most (target-based and HTTP modes).
    pub(super) step: Option<u32>,
    /// No scale-in this long after a scale-out, ns.
    pub(super) hold_ns: u64,
    /// An HTTP function asks for the new instances (the faster rate applies).
    pub(super) http: bool,
}

/// The instance count after every limit, each one that changed it pushed onto `limits`.
pub(super) fn bound(
    cfg: &ScaleConfig,
    history: &mut History,
    snapshot: &Snapshot,
    wanted: u32,
    mode: &ModeLimits,
    limits: &mut Vec<Limit>,
) -> u32 {
    let now = snapshot.now;
    history.idle_since = match (snapshot.has_work(), history.idle_since) {
        (true, _) => None,
        (false, since) => Some(since.unwrap_or(now)),
    };
    let active = snapshot.fleet.active();
    let mut n = fleet_bounds(cfg, wanted, limits);
    if n == 0 && snapshot.has_waiting() {
        n = 1;
        limits.push(Limit::Activation);
    }
    if n > active {
        n = out_limits(cfg, history, now, active, n, mode, limits);
        if n > active {
            history.last_scale_out = Some(now);
        }
    } else if n < active {
        n = in_limits(cfg, history, now, active, n, mode.hold_ns, limits);
    }
    n
}

/// `wanted` between the floor and the ceiling.
fn fleet_bounds(cfg: &ScaleConfig, wanted: u32, limits: &mut Vec<Limit>) -> u32 {
    let ceiling = cfg.ceiling();
    if wanted > ceiling {
        let setting = if cfg.app_scale_limit == Some(ceiling) && ceiling < cfg.max_instances {
            "app_scale_limit"
        } else {
            "max_instances"
        };
        limits.push(Limit::Ceiling {
            setting,
            value: ceiling,
        });
        return ceiling;
    }
    let floor = cfg.floor();
    if wanted < floor {
        let setting = if cfg.always_ready >= cfg.min_instances {
            "always_ready"
        } else {
            "min_instances"
        };
        limits.push(Limit::Floor {
            setting,
            value: floor,
        });
        return floor;
    }
    wanted
}

/// Scaling out from `active` towards `n`: the mode's step, then the rate.
fn out_limits(
    cfg: &ScaleConfig,
    history: &History,
    now: SimTime,
    active: u32,
    n: u32,
    mode: &ModeLimits,
    limits: &mut Vec<Limit>,
) -> u32 {
    let mut add = n - active;
    if let Some(step) = mode.step.filter(|&s| add > s) {
        limits.push(Limit::Step { max: step });
        add = step;
    }
    let interval_ns = if mode.http {
        cfg.http_rate_ns
    } else {
        cfg.other_rate_ns
    };
    let allowed = rate_allows(cfg, history.last_scale_out, now, interval_ns);
    if add > allowed {
        let next = history.last_scale_out.map_or(now, |t| t.after(interval_ns));
        limits.push(Limit::Rate {
            interval_ns,
            allowed,
            next,
        });
        add = allowed;
    }
    active + add
}

/// New instances the rate allows now: one scale-out per interval (`ScaleOuts`), or one
/// instance per interval, as many as fit in a decision interval (`Instances`).
pub(super) fn rate_allows(
    cfg: &ScaleConfig,
    last: Option<SimTime>,
    now: SimTime,
    interval_ns: u64,
) -> u32 {
    let interval_ns = interval_ns.max(1);
    let per_decision = (cfg.decision_interval_ns / interval_ns).max(1);
    let earned = last.map_or(u64::MAX, |t| now.since(t) / interval_ns);
    let allowed = match cfg.rate_counts {
        RateCounts::ScaleOuts if earned >= 1 => u64::MAX,
        RateCounts::ScaleOuts => 0,
        RateCounts::Instances => earned.min(per_decision),
    };
    u32::try_from(allowed).unwrap_or(u32::MAX)
}

/// Scaling in from `active` towards `n`: the hold, the idle time before zero, the drain step.
fn in_limits(
    cfg: &ScaleConfig,
    history: &History,
    now: SimTime,
    active: u32,
    n: u32,
    hold_ns: u64,
    limits: &mut Vec<Limit>,
) -> u32 {
    if let Some(until) = history
        .last_scale_out
        .map(|t| t.after(hold_ns))
        .filter(|&until| hold_ns > 0 && now < until)
    {
        limits.push(Limit::Hold { until });
        return active;
    }
    let mut n = n;
    let idle_ns = history.idle_since.map_or(0, |t| now.since(t));
    if n == 0 && (history.idle_since.is_none() || idle_ns < cfg.idle_to_zero_ns) {
        limits.push(Limit::NotIdleLongEnough {
            idle_ns,
            needed_ns: cfg.idle_to_zero_ns,
        });
        n = 1;
    }
    if let Some(max) = cfg.max_drain_per_decision.filter(|&m| active - n > m) {
        limits.push(Limit::DrainStep { max });
        n = active - max;
    }
    n
}
