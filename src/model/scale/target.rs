//! Target-based and HTTP scaling: each function wants ceil(load / target per instance)
//! instances; the functions' wants combine by the documented sum rule or the SDK's maximum.
//!
//! The load is the event source's length for queue, Service Bus and Event Hubs functions in
//! target-based mode ("uses queue length only"), and concurrent requests (running plus
//! waiting) for HTTP functions, and for every function in HTTP mode. Event Hubs wants are
//! rounded up to a valid worker count, so never more instances than partitions.

use super::event_hubs::round_up_to_valid;
use super::snapshot::{FunctionLoad, Snapshot};
use super::Wanted;
use crate::config::scale::{Combine, TriggerKind};

/// Which load a function is scaled by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Load {
    /// Queue length for event sources, concurrency for HTTP functions.
    EventSource,
    /// Concurrency (running plus waiting) for every function.
    Concurrency,
}

/// The combined want of every function, with the rule and its numbers.
pub(super) fn wanted(snapshot: &Snapshot, combine: Combine, load: Load) -> Wanted {
    let active = snapshot.fleet.active();
    let wants: Vec<(u32, String)> = snapshot
        .functions
        .iter()
        .map(|f| function_want(f, load))
        .collect();
    let counts: Vec<u32> = wants.iter().map(|(n, _)| *n).collect();
    let count = match combine {
        Combine::Sum => sum_rule(active, &counts),
        Combine::Max => counts.iter().copied().max().unwrap_or(0),
    };
    let http = snapshot
        .functions
        .iter()
        .zip(&counts)
        .any(|(f, &n)| f.trigger.is_http() && n > active);
    let parts: Vec<String> = wants.into_iter().map(|(_, why)| why).collect();
    let how = match combine {
        Combine::Sum => "sum rule",
        Combine::Max => "max rule",
    };
    Wanted {
        count,
        rule: format!(
            "{} -> {how} over {} wants {count}",
            parts.join(", "),
            active
        ),
        http,
    }
}

/// The docs' rule relative to the `active` instances: functions asking for more add their
/// increases; scale-out beats scale-in; with only scale-in requests, the largest scale-in.
pub(super) fn sum_rule(active: u32, wants: &[u32]) -> u32 {
    let increases: u32 = wants.iter().map(|&n| n.saturating_sub(active)).sum();
    if increases > 0 {
        return active.saturating_add(increases);
    }
    wants
        .iter()
        .copied()
        .min()
        .map_or(active, |n| n.min(active))
}

/// One function's want and its explanation.
fn function_want(f: &FunctionLoad, load: Load) -> (u32, String) {
    let (amount, what) = match (load, f.trigger) {
        (Load::Concurrency, _) | (_, TriggerKind::Http) => (f.concurrency(), "concurrent"),
        _ => (f.queue_length, "queued"),
    };
    let target = u64::from(f.target_per_instance.max(1));
    let raw = u32::try_from(amount.div_ceil(target)).unwrap_or(u32::MAX);
    let base = format!("{} {amount} {what} / {target} per instance = {raw}", f.name);
    match f.trigger {
        TriggerKind::EventHubs { partitions } => {
            let valid = round_up_to_valid(raw, partitions);
            let note = if valid == raw {
                String::new()
            } else {
                format!(" -> {valid} (valid worker count for {partitions} partitions)")
            };
            (valid, base + &note)
        }
        _ => (raw, base),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sum_adds_the_increases_of_every_function_asking_for_more() {
        // 5 active: one wants 8 (+3), one wants 7 (+2), one wants 1: 5 + 3 + 2 = 10.
        assert_eq!(sum_rule(5, &[8, 7, 1]), 10);
    }

    #[test]
    fn with_only_scale_in_requests_the_largest_scale_in_is_used() {
        // 5 active: wants 4 (-1) and 2 (-3): the largest scale-in gives 2.
        assert_eq!(sum_rule(5, &[4, 2]), 2);
        assert_eq!(sum_rule(5, &[5, 5]), 5);
        assert_eq!(sum_rule(0, &[]), 0);
    }

    #[test]
    fn one_function_asks_for_exactly_its_target_count() {
        assert_eq!(sum_rule(0, &[63]), 63);
        assert_eq!(sum_rule(63, &[10]), 10);
    }
}
