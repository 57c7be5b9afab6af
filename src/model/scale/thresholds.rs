//! A user's own thresholds (a what-if, no Azure mode): out by `step` when any function's
//! length per instance exceeds X or its oldest message is older than Y; in by one once no out
//! rule has held for the quiet time Z (which then starts again, so scale-in is gradual).

use super::snapshot::{FunctionLoad, Snapshot};
use super::Wanted;
use crate::config::scale::ThresholdRules;
use crate::kernel::SimTime;

/// When an out rule last held (or the quiet time last restarted).
#[derive(Debug, Clone, Default)]
pub(super) struct Quiet {
    since: SimTime,
}

impl Quiet {
    /// This decision's want; restarts the quiet time on pressure and after a scale-in.
    pub(super) fn wanted(&mut self, snapshot: &Snapshot, rules: &ThresholdRules) -> Wanted {
        let active = snapshot.fleet.active();
        let pressure: Vec<&FunctionLoad> = snapshot
            .functions
            .iter()
            .filter(|f| too_much(f, active, rules))
            .collect();
        if let Some(first) = pressure.first() {
            self.since = snapshot.now;
            return Wanted {
                count: active.saturating_add(rules.step),
                rule: format!(
                    "{} over a threshold: +{}",
                    describe(first, active),
                    rules.step
                ),
                http: pressure.iter().any(|f| f.trigger.is_http()),
            };
        }
        let quiet_ns = snapshot.now.since(self.since);
        if quiet_ns >= rules.quiet_ns && active > 0 {
            self.since = snapshot.now;
            return Wanted {
                count: active - 1,
                rule: format!("quiet for {} s: -1", quiet_ns / 1_000_000_000),
                http: false,
            };
        }
        Wanted {
            count: active,
            rule: format!(
                "below every threshold, quiet {} of {} s",
                quiet_ns / 1_000_000_000,
                rules.quiet_ns / 1_000_000_000
            ),
            http: false,
        }
    }
}

/// Whether `f` passes an out threshold with `active` instances.
fn too_much(f: &FunctionLoad, active: u32, rules: &ThresholdRules) -> bool {
    let per_instance = f.queue_length / u64::from(active.max(1));
    let long = rules
        .length_per_instance
        .is_some_and(|x| per_instance > x || (active == 0 && f.queue_length > 0));
    let old = rules.oldest_age_ns.is_some_and(|y| f.oldest_age_ns > y);
    long || old
}

/// "orders 300 queued (150 per instance), oldest 42 s".
fn describe(f: &FunctionLoad, active: u32) -> String {
    format!(
        "{} {} queued ({} per instance), oldest {} s",
        f.name,
        f.queue_length,
        f.queue_length / u64::from(active.max(1)),
        f.oldest_age_ns / 1_000_000_000
    )
}
