//! The legacy incremental monitor: every decision samples each function's length and oldest
//! age; over the last `samples` samples (10 s apart by default) each function votes out, in
//! or none, and the app moves one instance: one "out" wins, "in" needs every function.
//!
//! Queue rules, in the code's order [code QueueScaleMonitor.cs]: fewer samples than the
//! window -> none; latest length > 1000 x instances -> out; every sample empty -> in; length
//! rising in every sample (the first non-empty) -> out; oldest age rising throughout (first
//! above 0, last above first) -> out; length falling in every sample -> in; age falling -> in.
//! Event Hubs [code EventHubsScaleMonitor.cs]: more instances than partitions -> in; then the
//! same rules on the event count, without age. HTTP functions use their concurrency as the
//! length.

use super::snapshot::{FunctionLoad, Snapshot};
use super::Wanted;
use crate::config::scale::{IncrementalRules, TriggerKind};
use std::collections::VecDeque;

/// One function's vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vote {
    /// Add an instance.
    Out,
    /// Remove an instance.
    In,
    /// Keep the count.
    None,
}

/// One sample of a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// Length (queue length, event count, or HTTP concurrency).
    pub length: u64,
    /// Oldest message's age, ns.
    pub age_ns: u64,
}

/// The sample windows of every function, by name.
#[derive(Debug, Clone, Default)]
pub(super) struct Monitor {
    windows: Vec<(String, VecDeque<Sample>)>,
}

impl Monitor {
    /// Records this decision's samples and returns the app's +-1 want.
    pub(super) fn wanted(&mut self, snapshot: &Snapshot, rules: &IncrementalRules) -> Wanted {
        let active = snapshot.fleet.active();
        let mut votes = Vec::new();
        for f in &snapshot.functions {
            let window = self.record(f, rules.samples as usize);
            let (vote, why) = vote(f.trigger, window, active, rules);
            votes.push((f, vote, why));
        }
        let any_out = votes.iter().any(|(_, v, _)| *v == Vote::Out);
        let all_in = !votes.is_empty() && votes.iter().all(|(_, v, _)| *v == Vote::In);
        let count = match (any_out, all_in) {
            (true, _) => active.saturating_add(1),
            (false, true) => active.saturating_sub(1),
            _ => active,
        };
        let http = votes
            .iter()
            .any(|(f, v, _)| *v == Vote::Out && f.trigger.is_http());
        let parts: Vec<String> = votes
            .iter()
            .map(|(f, v, why)| format!("{} votes {v:?} ({why})", f.name))
            .collect();
        Wanted {
            count,
            rule: parts.join(", "),
            http,
        }
    }

    /// Adds `f`'s sample to its window (keeping the last `keep`) and returns the window.
    fn record(&mut self, f: &FunctionLoad, keep: usize) -> &VecDeque<Sample> {
        let i = match self.windows.iter().position(|(name, _)| *name == f.name) {
            Some(i) => i,
            None => {
                self.windows.push((f.name.clone(), VecDeque::new()));
                self.windows.len() - 1
            }
        };
        let length = match f.trigger {
            TriggerKind::Http => f.concurrency(),
            _ => f.queue_length,
        };
        let window = &mut self.windows[i].1;
        window.push_back(Sample {
            length,
            age_ns: f.oldest_age_ns,
        });
        while window.len() > keep {
            window.pop_front();
        }
        window
    }
}

/// A function's vote from its window, and the rule that gave it.
pub fn vote(
    trigger: TriggerKind,
    window: &VecDeque<Sample>,
    active: u32,
    rules: &IncrementalRules,
) -> (Vote, String) {
    if let TriggerKind::EventHubs { partitions } = trigger {
        if active > partitions {
            return (
                Vote::In,
                format!("{active} instances > {partitions} partitions"),
            );
        }
    }
    if window.len() < rules.samples as usize {
        return (
            Vote::None,
            format!("{} of {} samples", window.len(), rules.samples),
        );
    }
    let lengths: Vec<u64> = window.iter().map(|s| s.length).collect();
    let latest = lengths[lengths.len() - 1];
    let limit = u64::from(active).saturating_mul(rules.length_per_instance);
    if latest > limit {
        let per = rules.length_per_instance;
        return (
            Vote::Out,
            format!("length {latest} > {per} x {active} instances"),
        );
    }
    if lengths.iter().all(|&n| n == 0) {
        return (Vote::In, "empty in every sample".into());
    }
    if lengths[0] > 0 && every_pair(&lengths, |a, b| a < b) {
        return (Vote::Out, format!("length rising {lengths:?}"));
    }
    let uses_age = !matches!(trigger, TriggerKind::EventHubs { .. });
    let ages: Vec<u64> = window.iter().map(|s| s.age_ns).collect();
    if uses_age && age_rising(&ages) {
        return (Vote::Out, format!("oldest age rising {}", seconds(&ages)));
    }
    if every_pair(&lengths, |a, b| a > b) {
        return (Vote::In, format!("length falling {lengths:?}"));
    }
    if uses_age && every_pair(&ages, |a, b| a > b) {
        return (Vote::In, format!("oldest age falling {}", seconds(&ages)));
    }
    (Vote::None, format!("steady {lengths:?}"))
}

/// The code's "queue time increasing": first above 0, last above first, never falling.
fn age_rising(ages: &[u64]) -> bool {
    let (first, last) = (ages[0], ages[ages.len() - 1]);
    first > 0 && first < last && every_pair(ages, |a, b| a <= b)
}

/// Whether `holds` is true of every consecutive pair.
fn every_pair(values: &[u64], holds: impl Fn(u64, u64) -> bool) -> bool {
    values.windows(2).all(|w| holds(w[0], w[1]))
}

/// Ages in seconds, for the log.
fn seconds(ages_ns: &[u64]) -> String {
    let s: Vec<String> = ages_ns
        .iter()
        .map(|&ns| format!("{:.0}", ns as f64 / 1e9))
        .collect();
    format!("[{}] s", s.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: IncrementalRules = IncrementalRules::DEFAULT;

    fn window(lengths: &[u64], ages_s: &[u64]) -> VecDeque<Sample> {
        lengths
            .iter()
            .zip(ages_s)
            .map(|(&length, &age)| Sample {
                length,
                age_ns: age * 1_000_000_000,
            })
            .collect()
    }

    fn queue_vote(lengths: &[u64], ages_s: &[u64], active: u32) -> Vote {
        vote(
            TriggerKind::StorageQueue,
            &window(lengths, ages_s),
            active,
            &RULES,
        )
        .0
    }

    #[test]
    fn fewer_than_five_samples_never_vote() {
        assert_eq!(
            queue_vote(&[5000, 6000, 7000, 8000], &[1, 2, 3, 4], 1),
            Vote::None
        );
    }

    #[test]
    fn more_than_a_thousand_per_instance_scales_out() {
        assert_eq!(queue_vote(&[10, 10, 10, 10, 2001], &[1; 5], 2), Vote::Out);
        assert_eq!(queue_vote(&[10, 10, 10, 10, 2000], &[1; 5], 2), Vote::None);
    }

    #[test]
    fn rising_length_or_age_scales_out() {
        assert_eq!(queue_vote(&[10, 20, 40, 80, 100], &[1; 5], 1), Vote::Out);
        // Not rising in every sample: steady.
        assert_eq!(queue_vote(&[10, 20, 20, 80, 100], &[1; 5], 1), Vote::None);
        // Age 1, 2, 3, 4, 5 s at a constant length of 100.
        assert_eq!(queue_vote(&[100; 5], &[1, 2, 3, 4, 5], 1), Vote::Out);
        // Age may stand still in between, but must end above where it started.
        assert_eq!(queue_vote(&[100; 5], &[1, 1, 2, 2, 3], 1), Vote::Out);
        assert_eq!(queue_vote(&[100; 5], &[2, 2, 2, 2, 2], 1), Vote::None);
    }

    #[test]
    fn empty_or_falling_scales_in() {
        assert_eq!(queue_vote(&[0; 5], &[0; 5], 3), Vote::In);
        assert_eq!(queue_vote(&[50, 40, 30, 20, 10], &[9; 5], 3), Vote::In);
        assert_eq!(queue_vote(&[100; 5], &[5, 4, 3, 2, 1], 3), Vote::In);
    }

    #[test]
    fn event_hubs_ignore_age_and_shed_workers_beyond_partitions() {
        let hub = TriggerKind::EventHubs { partitions: 4 };
        let w = window(&[100; 5], &[1, 2, 3, 4, 5]);
        assert_eq!(vote(hub, &w, 2, &RULES).0, Vote::None);
        assert_eq!(vote(hub, &w, 5, &RULES).0, Vote::In);
    }
}
