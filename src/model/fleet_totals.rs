//! What a scaled run adds up about its fleet for summary.json and the report: instance-seconds,
//! and each invocation's latency split into queueing outside an instance, cold-start wait and
//! service. Everything is a running sum or a time integral (nothing is kept per invocation),
//! so memory stays flat.
//!
//! Definitions (placement: an instance takes the invocation to run it, `route_to`):
//! - queueing outside: placement - arrival (for a message, arrival is its enqueue; for an
//!   Event Hubs batch, its oldest event's);
//! - service: placement -> the response leaving the worker (the end of the run for one still
//!   running then); for an HTTP request answered after the response cap the client saw the
//!   cap, but the service is still counted to the response;
//! - cold-start wait: invocation-time spent outside every instance while the app had no ready
//!   instance, so that it was waiting for a cold start (the first instance's host and worker
//!   processes starting). Under scaling an instance is ready only once a process is, so this
//!   is also the wait for a process to start. It is part of the queueing outside for every
//!   invocation that is eventually placed; a request that gives up (the HTTP cap) or is still
//!   waiting at the end also adds its wait.
//!
//! Each mean is over the invocations placed on an instance.

use super::ids::{InstanceId, InvId};
use super::instance::InstanceState;
use super::world::World;
use crate::metrics::Gauge;

/// The running sums of a scaled run's fleet.
#[derive(Debug, Default)]
pub(super) struct FleetTotals {
    /// Instances that exist (starting, ready or draining).
    existing: Gauge,
    /// Arrivals held by invocations placed on an instance and not yet answered (an Event
    /// Hubs batch holds its fresh events, any other invocation one arrival).
    placed_now: Gauge,
    /// Instances ready now.
    ready: u32,
    /// While no instance is ready: the outside area (invocation x ns) when that began.
    no_ready_since: Option<i128>,
    /// Invocation x ns spent outside every instance while none was ready.
    cold_wait: i128,
    /// Invocations placed on an instance.
    placed: u64,
    /// Sum over them of placement - arrival, ns.
    outside_wait: u128,
    /// Sum over them of the placement instant, ns.
    placed_at: u128,
    /// Sum over the answered ones of the response instant, ns.
    answered_at: u128,
    /// Placed invocations answered.
    answered: u64,
    /// 429s counted up to the last time-series sample.
    pub(super) rejected_at_sample: u64,
    /// Longest wait of a message (storage queue, Service Bus) or event before an instance
    /// received it, ns.
    max_queue_age_ns: u64,
}

/// The totals as the results carry them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FleetFigures {
    /// Integral of the instances that exist (starting, ready or draining) over the run, s.
    pub instance_seconds: f64,
    /// Invocations placed on an instance.
    pub placed: u64,
    /// Mean placement - arrival, ns.
    pub queue_outside_ns: f64,
    /// Mean cold-start wait, ns (see the module's definitions).
    pub cold_start_wait_ns: f64,
    /// Mean placement -> response, ns.
    pub service_ns: f64,
    /// Longest wait of a message (storage queue, Service Bus) or Event Hubs event before an
    /// instance received it (or of the oldest one still waiting at the end), ns.
    pub max_queue_age_ns: u64,
}

impl FleetTotals {
    /// A scaled run at t = 0: no instance is ready yet.
    pub(super) fn new() -> FleetTotals {
        FleetTotals {
            no_ready_since: Some(0),
            ..FleetTotals::default()
        }
    }
}

impl World {
    fn totals(&mut self) -> Option<&mut FleetTotals> {
        self.scale.as_mut().map(|rt| &mut rt.totals)
    }

    /// Arrival x ns spent outside every instance (arrived, not placed, not settled) so far:
    /// a message waiting out its visibility timeout before a retry is outside again.
    fn outside_area(&self) -> i128 {
        let placed = self
            .scale
            .as_ref()
            .map_or(0, |rt| rt.totals.placed_now.area(self.now));
        self.in_flight.area(self.now) - placed
    }

    /// The instances that exist changed by `delta`.
    pub(super) fn note_existing(&mut self, delta: i64) {
        let now = self.now;
        if let Some(t) = self.totals() {
            t.existing.add(now, delta);
        }
    }

    /// The instances ready changed by `delta`: a period without any starts or ends.
    pub(super) fn note_ready(&mut self, delta: i32) {
        let area = self.outside_area();
        let Some(t) = self.totals() else {
            return;
        };
        let before = t.ready;
        t.ready = (before as i64 + delta as i64) as u32;
        match (before, t.ready) {
            (0, n) if n > 0 => {
                if let Some(since) = t.no_ready_since.take() {
                    t.cold_wait += area - since;
                }
            }
            (b, 0) if b > 0 => t.no_ready_since = Some(area),
            _ => {}
        }
    }

    /// `inv`, holding `held` arrivals, is placed on an instance now.
    pub(super) fn note_placed(&mut self, inv: InvId, held: u32) {
        let (now, arrival) = (self.now, self.invs[inv].arrival);
        if let Some(t) = self.totals() {
            t.placed_now.add(now, i64::from(held));
            t.placed += 1;
            t.outside_wait += u128::from(now - arrival);
            t.placed_at += u128::from(now);
        }
    }

    /// An instance received a message or an Event Hubs batch enqueued at `enqueued` (its
    /// oldest event's): its wait counts towards the longest queue wait.
    pub(super) fn note_delivery_wait(&mut self, enqueued: u64) {
        let wait = self.now.saturating_sub(enqueued);
        if let Some(t) = self.totals() {
            t.max_queue_age_ns = t.max_queue_age_ns.max(wait);
        }
    }

    /// A placed invocation, holding `held` arrivals, sends its response at `response`.
    pub(super) fn note_answered(&mut self, response: u64, held: u32) {
        let now = self.now;
        if let Some(t) = self.totals() {
            t.placed_now.add(now, -i64::from(held));
            t.answered += 1;
            t.answered_at += u128::from(response);
        }
    }

    /// Whether `instance` is ready (for [`World::note_ready`] when it changes state).
    pub(super) fn is_ready(&self, id: InstanceId) -> bool {
        self.instances[id].state == InstanceState::Ready
    }

    /// The totals at the end of the run; `oldest_waiting_ns` is the age of the oldest queue
    /// message still waiting.
    pub(super) fn fleet_figures(&mut self, oldest_waiting_ns: u64) -> FleetFigures {
        let (now, area) = (self.now, self.outside_area());
        let Some(t) = self.totals() else {
            return FleetFigures::default();
        };
        let cold = t.cold_wait + t.no_ready_since.map_or(0, |since| area - since);
        let still_running = t.placed - t.answered;
        let ended = t.answered_at + u128::from(still_running) * u128::from(now);
        let per = |sum: f64| {
            if t.placed > 0 {
                sum / t.placed as f64
            } else {
                0.0
            }
        };
        FleetFigures {
            instance_seconds: t.existing.area(now) as f64 / 1e9,
            placed: t.placed,
            queue_outside_ns: per(t.outside_wait as f64),
            cold_start_wait_ns: per(cold as f64),
            service_ns: per(ended.saturating_sub(t.placed_at) as f64),
            max_queue_age_ns: t.max_queue_age_ns.max(oldest_waiting_ns),
        }
    }
}
