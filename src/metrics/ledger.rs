//! The two ledgers a run keeps. Arrivals (requests, queue and Service Bus messages, Event
//! Hubs events) are each counted once, by how they finally ended; executions of the function
//! (the rows of invocations.csv) are each counted by their own outcome. The two differ only
//! when a message is tried again after a failure (several executions settle one arrival) or
//! an Event Hubs batch settles several events with one execution.

use super::Outcome;
use serde::Serialize;
use std::fmt;

/// Why an invocation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FailReason {
    /// The function raised an exception (the experiment's `fails` chance, at the end of its
    /// body).
    Raised,
    /// It was still running on a draining instance at the end of the grace period
    /// (`scale.drain_grace_s`), and the instance was shut down with it.
    DrainCut,
    /// It was still unanswered when the function timeout (host.json's functionTimeout)
    /// ran out, counted from its arrival at its worker process; the host restarts that
    /// process.
    Timeout,
    /// Its worker process was restarted (after another invocation's timeout) while it was
    /// there, queued or running.
    WorkerRestart,
    /// Its worker process was killed at the instance's memory limit (OOM, exit 137) while it
    /// was there, queued or running; the host restarts the process.
    OutOfMemory,
}

impl fmt::Display for FailReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FailReason::Raised => "raised",
            FailReason::DrainCut => "drain_cut",
            FailReason::Timeout => "timeout",
            FailReason::WorkerRestart => "worker_restart",
            FailReason::OutOfMemory => "oom",
        })
    }
}

/// Failures by reason; summary.json leaves out each reason while it is 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FailedCounts {
    /// The function raised.
    #[serde(skip_serializing_if = "is_zero")]
    pub raised: u64,
    /// Cut at the end of a drain grace period.
    #[serde(skip_serializing_if = "is_zero")]
    pub drain_cut: u64,
    /// Timed out (the function timeout ran out).
    #[serde(skip_serializing_if = "is_zero")]
    pub timeout: u64,
    /// Lost with a worker process that restarted.
    #[serde(skip_serializing_if = "is_zero")]
    pub worker_restart: u64,
    /// Lost with a worker process killed at the memory limit.
    #[serde(skip_serializing_if = "is_zero")]
    pub oom: u64,
}

impl FailedCounts {
    /// Adds `n` failures for `reason`.
    pub fn add(&mut self, reason: FailReason, n: u64) {
        match reason {
            FailReason::Raised => self.raised += n,
            FailReason::DrainCut => self.drain_cut += n,
            FailReason::Timeout => self.timeout += n,
            FailReason::WorkerRestart => self.worker_restart += n,
            FailReason::OutOfMemory => self.oom += n,
        }
    }

    /// Failures of every reason.
    pub fn total(&self) -> u64 {
        self.raised + self.drain_cut + self.timeout + self.worker_restart + self.oom
    }

    /// Whether nothing failed (then summary.json leaves the counts out).
    pub fn is_none(&self) -> bool {
        self.total() == 0
    }

    /// " (12 raised)": the reasons that are not 0, for the printed count line.
    pub fn reasons(&self) -> String {
        let parts: Vec<String> = [
            (self.raised, FailReason::Raised),
            (self.drain_cut, FailReason::DrainCut),
            (self.timeout, FailReason::Timeout),
            (self.worker_restart, FailReason::WorkerRestart),
            (self.oom, FailReason::OutOfMemory),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, r)| format!("{n} {r}"))
        .collect();
        parts.join(", ")
    }
}

/// Counts by outcome of one ledger.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Succeeded.
    pub succeeded: u64,
    /// Failed, by reason.
    pub failed: FailedCounts,
    /// Refused with 429.
    pub rejected: u64,
    /// The client gave up at the HTTP response cap.
    pub timed_out: u64,
    /// Still going when the run stopped.
    pub pending: u64,
}

impl Tally {
    /// Counts `n` more that ended with `outcome`.
    pub fn add(&mut self, outcome: Outcome, n: u64) {
        match outcome {
            Outcome::Succeeded => self.succeeded += n,
            Outcome::Failed(reason) => self.failed.add(reason, n),
            Outcome::Rejected => self.rejected += n,
            Outcome::TimedOut => self.timed_out += n,
            Outcome::Pending => self.pending += n,
        }
    }

    /// Everything counted.
    pub fn total(&self) -> u64 {
        self.succeeded + self.failed.total() + self.rejected + self.timed_out + self.pending
    }
}

/// Whether a count is 0 (then summary.json leaves it out).
pub(crate) fn is_zero(n: &u64) -> bool {
    *n == 0
}
