//! What a run used, as a bill counts it: each instance's life (from its request to its
//! removal), its busy stretches (at least one invocation placed on it and not yet answered),
//! the pre-warmed buffer over time, the executions that ran a body, and the memory its worker
//! processes held while it was busy. The model reports these as they happen;
//! `crate::billing` prices the [`Usage`] record at the end. The record is one entry per
//! instance, whatever the run's length.
//!
//! A busy stretch is also summed as a plan may bill it: rounded up to a step, and at least a
//! minimum (Flex Consumption: 1 s, then 100 ms steps); the rounding is the plan's, given when
//! the recorder is made ([`UsageMeter::with_busy_rounding`]). So is the workers' memory while
//! busy, rounded up at each instant to the plan's step (Consumption: 128 MB), as Consumption
//! bills it ([`UsageMeter::with_memory_step`]).

use super::Gauge;
use serde::Serialize;

/// Collects the usage during a run.
#[derive(Debug, Default)]
pub struct UsageMeter {
    /// (shortest billed stretch, step) in ns; `None`: stretches as they are.
    rounding: Option<(u64, u64)>,
    /// The step billed memory is rounded up to, KiB (`None`: as it is).
    memory_step_kib: Option<i64>,
    instances: Vec<InstanceUsage>,
    /// Instances in the pre-warmed buffer (warm or being filled).
    buffer: Gauge,
    executions: u64,
}

/// One instance's use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct InstanceUsage {
    /// Kept from the start and never drained (always-ready).
    pub always_ready: bool,
    /// Requested, ns.
    pub created_ns: u64,
    /// Removed, ns (`None`: it lived to the end of the run).
    pub removed_ns: Option<u64>,
    /// Total length of its busy stretches, ns.
    pub busy_ns: u64,
    /// The same with each stretch rounded as the plan bills it, ns.
    pub billed_busy_ns: u64,
    /// Busy stretches.
    pub busy_stretches: u64,
    /// Its worker processes' memory over its busy stretches, each instant's figure rounded
    /// up to the plan's step, KiB x ns.
    pub busy_memory_kib_ns: u128,
    /// Start of the busy stretch under way.
    #[serde(skip)]
    busy_since: Option<u64>,
    /// Its worker processes' memory now, KiB.
    #[serde(skip)]
    worker_kib: i64,
    /// Up to when `busy_memory_kib_ns` is counted.
    #[serde(skip)]
    memory_counted_to: u64,
}

/// The usage of a finished run: what billing prices.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Usage {
    /// Every instance that existed, by index.
    pub instances: Vec<InstanceUsage>,
    /// Instance-ns spent in the pre-warmed buffer.
    pub buffer_ns: u128,
    /// Executions that started a body (a retried message's every try; an Event Hubs batch once).
    pub executions: u64,
    /// The run's length, ns (t = 0 to its end).
    pub span_ns: u64,
}

impl UsageMeter {
    /// A meter whose busy stretches are also billed at least `min_ns`, then in `step_ns` steps.
    pub fn with_busy_rounding(rounding: Option<(u64, u64)>) -> UsageMeter {
        UsageMeter {
            rounding,
            ..UsageMeter::default()
        }
    }

    /// The same meter, also rounding billed memory up to `step_kib` at each instant.
    pub fn with_memory_step(self, step_kib: Option<i64>) -> UsageMeter {
        UsageMeter {
            memory_step_kib: step_kib,
            ..self
        }
    }

    /// Instance `i`'s worker processes hold `kib` from `now`.
    pub fn worker_memory(&mut self, i: usize, now: u64, kib: i64) {
        let step = self.memory_step_kib;
        if let Some(u) = self.instances.get_mut(i) {
            u.count_memory(now, step);
            u.worker_kib = kib;
        }
    }

    /// Instance `i` was requested at `now`.
    pub fn created(&mut self, i: usize, now: u64) {
        if self.instances.len() <= i {
            self.instances.resize(i + 1, InstanceUsage::default());
        }
        self.instances[i] = InstanceUsage {
            created_ns: now,
            ..InstanceUsage::default()
        };
    }

    /// Instance `i` is always-ready.
    pub fn always_ready(&mut self, i: usize) {
        if let Some(u) = self.instances.get_mut(i) {
            u.always_ready = true;
        }
    }

    /// Instance `i` took its first invocation of a busy stretch at `now`.
    pub fn busy(&mut self, i: usize, now: u64) {
        let step = self.memory_step_kib;
        if let Some(u) = self.instances.get_mut(i) {
            u.count_memory(now, step);
            u.busy_since.get_or_insert(now);
        }
    }

    /// Instance `i` answered its last invocation at `now`.
    pub fn idle(&mut self, i: usize, now: u64) {
        let (rounding, step) = (self.rounding, self.memory_step_kib);
        if let Some(u) = self.instances.get_mut(i) {
            u.count_memory(now, step);
            u.close_stretch(now, rounding);
        }
    }

    /// Instance `i` was removed at `now` (what it still ran was cut).
    pub fn removed(&mut self, i: usize, now: u64) {
        self.idle(i, now);
        if let Some(u) = self.instances.get_mut(i) {
            u.removed_ns.get_or_insert(now);
        }
    }

    /// The pre-warmed buffer changed by `delta` instances at `now`.
    pub fn buffer(&mut self, now: u64, delta: i64) {
        self.buffer.add(now, delta);
    }

    /// An execution started a body.
    pub fn executed(&mut self) {
        self.executions += 1;
    }

    /// The record at the end of a run at `end`: busy stretches under way end there.
    pub fn usage(&self, end: u64) -> Usage {
        let mut instances = self.instances.clone();
        for u in &mut instances {
            u.count_memory(end, self.memory_step_kib);
            u.close_stretch(end, self.rounding);
        }
        Usage {
            instances,
            buffer_ns: self.buffer.area(end).max(0) as u128,
            executions: self.executions,
            span_ns: end,
        }
    }
}

impl InstanceUsage {
    /// Adds the workers' memory since it was last counted, while busy.
    fn count_memory(&mut self, now: u64, step_kib: Option<i64>) {
        if self.busy_since.is_some() {
            let kib = match step_kib {
                Some(step) if step > 0 => {
                    (self.worker_kib.max(0) as u64).div_ceil(step as u64) as i64 * step
                }
                _ => self.worker_kib.max(0),
            };
            let ns = now.saturating_sub(self.memory_counted_to);
            self.busy_memory_kib_ns += kib as u128 * u128::from(ns);
        }
        self.memory_counted_to = self.memory_counted_to.max(now);
    }

    fn close_stretch(&mut self, now: u64, rounding: Option<(u64, u64)>) {
        let Some(since) = self.busy_since.take() else {
            return;
        };
        let d = now.saturating_sub(since);
        self.busy_ns += d;
        self.billed_busy_ns += billed(d, rounding);
        self.busy_stretches += 1;
    }

    /// How long it existed in a run that ended at `end`, ns.
    pub fn life_ns(&self, end: u64) -> u64 {
        self.removed_ns
            .unwrap_or(end)
            .saturating_sub(self.created_ns)
    }
}

/// A stretch of `d` ns as billed: at least `min`, rounded up to a multiple of `step`.
pub fn billed(d: u64, rounding: Option<(u64, u64)>) -> u64 {
    match rounding {
        None => d,
        Some((min, step)) => d.div_ceil(step.max(1)).saturating_mul(step.max(1)).max(min),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stretches_are_rounded_up_to_steps_and_the_minimum() {
        let flex = Some((1_000, 100));
        assert_eq!(billed(1, flex), 1_000);
        assert_eq!(billed(1_000, flex), 1_000);
        assert_eq!(billed(1_001, flex), 1_100);
        assert_eq!(billed(2_350, flex), 2_400);
        assert_eq!(billed(2_350, None), 2_350);
    }

    #[test]
    fn an_instance_counts_its_life_and_busy_stretches() {
        let mut m = UsageMeter::with_busy_rounding(Some((1_000, 100)));
        m.created(0, 0);
        m.busy(0, 100);
        m.busy(0, 150); // a second invocation joins the stretch
        m.idle(0, 400);
        m.busy(0, 5_000);
        let u = m.usage(6_050);
        let i = u.instances[0];
        assert_eq!(
            (i.busy_ns, i.billed_busy_ns, i.busy_stretches),
            (300 + 1_050, 1_000 + 1_100, 2)
        );
        assert_eq!(i.life_ns(u.span_ns), 6_050);
    }
}
