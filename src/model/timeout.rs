//! The function timeout (host.json's functionTimeout): an invocation still unanswered
//! `function_timeout_ns` after it reached its worker process fails (`failed:timeout`) and the
//! host restarts that whole process (see `restart`).
//!
//! The clock starts when the host sends the invocation to a process, so time queued inside
//! the worker (its receiver, its loop, its thread pool's queue) counts: the host does not
//! wait for one invocation's reply before sending the next, so all queueing happens inside
//! the worker, and queued time counts toward the function timeout [reference sheet section 1:
//! code GrpcWorkerChannel.cs; doc functions-scale.md; 3rd issue python-worker#1574]. Time an
//! invocation spends waiting at its instance for a ready process (while every process starts
//! or restarts) does not count: it has not reached a worker. That split is UNVERIFIED.
//!
//! Every placement adds one deadline; the timeout is the same for every function, so
//! deadlines come in the order of their placements and a FIFO holds them. One
//! `FunctionTimeout` event at a time is pending, for the earliest deadline; an invocation
//! answered before its deadline leaves its entry behind, dropped when it reaches the front.
//! The event is periodic in `run_end`'s sense: a live deadline always has its invocation's
//! work pending, so a timer that outlives the run's work is stale and never keeps a finished
//! run alive or moves its end.

use super::event::Event;
use super::ids::InvId;
use super::restart::Kill;
use super::slab::Slab;
use super::state::Inv;
use super::world::World;
use crate::config::Experiment;
use std::collections::VecDeque;

/// The timeouts of a run whose experiment sets one.
pub(super) struct Timeouts {
    /// functionTimeout, ns.
    limit_ns: u64,
    /// Deadlines of placed invocations, earliest first.
    deadlines: VecDeque<Deadline>,
    /// A `FunctionTimeout` event is pending.
    armed: bool,
}

/// When an invocation times out; `id` tells it from a later one in the same slot.
#[derive(Debug, Clone, Copy)]
struct Deadline {
    at: u64,
    id: u64,
    inv: InvId,
}

impl Timeouts {
    /// The timeouts of `exp`, if it sets one (`function_timeout_s` or its plan's default).
    pub(super) fn of(exp: &Experiment) -> Option<Box<Timeouts>> {
        let limit_ns = exp.function_timeout_ns?;
        Some(Box::new(Timeouts {
            limit_ns,
            deadlines: VecDeque::new(),
            armed: false,
        }))
    }
}

impl World {
    /// `inv` has just been sent to a worker process: its function timeout runs from now.
    #[inline]
    pub(super) fn start_timeout(&mut self, inv: InvId) {
        let Some(t) = self.timeouts.as_mut() else {
            return;
        };
        let at = self.now.saturating_add(t.limit_ns);
        let id = self.invs[inv].id;
        t.deadlines.push_back(Deadline { at, id, inv });
        self.arm_timeout();
    }

    /// The earliest deadline has come: every invocation whose deadline is now and that is
    /// still unanswered times out, its process restarting.
    pub(super) fn function_timeout(&mut self) {
        if let Some(t) = self.timeouts.as_mut() {
            t.armed = false;
        }
        while let Some(inv) = self.next_due() {
            let p = self.process_of(inv);
            self.restart_process(p, Kill::Timeout(inv));
        }
        self.arm_timeout();
    }

    /// Takes the next deadline that is due, skipping those of answered invocations.
    fn next_due(&mut self) -> Option<InvId> {
        let World {
            timeouts: Some(t),
            invs,
            now,
            ..
        } = self
        else {
            return None;
        };
        while let Some(d) = t.deadlines.front().copied().filter(|d| d.at <= *now) {
            t.deadlines.pop_front();
            if live(invs, d) {
                return Some(d.inv);
            }
        }
        None
    }

    /// Drops the deadlines of answered invocations at the front, then makes sure a timer is
    /// pending for the earliest one left.
    fn arm_timeout(&mut self) {
        let World {
            timeouts: Some(t),
            invs,
            ..
        } = self
        else {
            return;
        };
        while t.deadlines.front().is_some_and(|&d| !live(invs, d)) {
            t.deadlines.pop_front();
        }
        let Some(at) = t.deadlines.front().map(|d| d.at).filter(|_| !t.armed) else {
            return;
        };
        t.armed = true;
        self.schedule_periodic(at, Event::FunctionTimeout);
    }
}

/// Whether `d`'s invocation is still in flight.
fn live(invs: &Slab<InvId, Inv>, d: Deadline) -> bool {
    invs.contains(d.inv) && invs[d.inv].id == d.id
}
