//! What the scale controller sees at a decision: the load of each function and the fleet.
//! The World fills a [`Snapshot`] from its front ends and instances; the controller reads
//! nothing else.

use crate::config::scale::TriggerKind;
use crate::kernel::SimTime;

/// The load of one function at a decision.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionLoad {
    /// The function's name (for the decision log).
    pub name: String,
    /// What triggers it.
    pub trigger: TriggerKind,
    /// Target executions per instance (from the scale settings or the trigger's default).
    pub target_per_instance: u32,
    /// Messages or requests waiting, not yet handed to an instance.
    pub queue_length: u64,
    /// Age of the oldest waiting message, ns (0 when none waits).
    pub oldest_age_ns: u64,
    /// Invocations running on instances (ready or draining).
    pub in_flight: u64,
}

impl FunctionLoad {
    /// Concurrent requests: running plus waiting (what HTTP scaling divides by its target).
    pub fn concurrency(&self) -> u64 {
        self.in_flight.saturating_add(self.queue_length)
    }

    /// Whether the function has anything waiting or running.
    pub fn is_busy(&self) -> bool {
        self.queue_length > 0 || self.in_flight > 0
    }
}

/// The app's instances by lifecycle state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fleet {
    /// Requested, allocating or starting: not yet taking work.
    pub starting: u32,
    /// Taking work.
    pub ready: u32,
    /// Finishing their invocations, taking no new work; they no longer count.
    pub draining: u32,
}

impl Fleet {
    /// Instances that count towards the desired number: starting and ready.
    pub fn active(&self) -> u32 {
        self.starting + self.ready
    }
}

/// Everything one decision reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// When the decision is taken.
    pub now: SimTime,
    /// Each function's load, in a fixed order (the incremental monitor keeps its samples by
    /// function name).
    pub functions: Vec<FunctionLoad>,
    /// The fleet.
    pub fleet: Fleet,
}

impl Snapshot {
    /// Whether any function has work waiting or running.
    pub fn has_work(&self) -> bool {
        self.functions.iter().any(FunctionLoad::is_busy)
    }

    /// Whether any function has work waiting (not yet on an instance).
    pub fn has_waiting(&self) -> bool {
        self.functions.iter().any(|f| f.queue_length > 0)
    }
}

/// Whether the World should schedule another decision after this one: only while arrivals
/// remain or some work waits or runs. Periodic decisions must never keep a finished run
/// alive, so once the last arrival is in and every invocation has ended, the World stops
/// scheduling them (and the run ends even if idle instances remain; their scale-in after
/// `idle_to_zero` is not simulated).
pub fn wants_next_decision(arrivals_remain: bool, snapshot: &Snapshot) -> bool {
    arrivals_remain || snapshot.has_work()
}
