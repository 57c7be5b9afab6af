//! The scale controller in the run: every decision interval the world fills a snapshot of
//! each function's load and of the fleet, asks the controller, and carries out its answer
//! (new instances start their cold start; drained ones finish their work and go). A request
//! that finds no instance at all asks for a decision at once, which adds the first one
//! (activation), as the platform does for an app scaled to zero.
//!
//! Decisions are periodic: the next is scheduled only while arrivals remain or work waits or
//! runs ([`wants_next_decision`]), so they never keep a finished run alive.

use super::event::Event;
pub use super::fleet_totals::FleetFigures;
use super::ids::FuncId;
use super::scale::{wants_next_decision, Decision, FunctionLoad, Snapshot};
use super::world::World;
use crate::config::scale::TriggerKind;
use crate::kernel::SimTime;
use crate::metrics::FleetSample;

/// The HTTP scale target of HTTP-triggered function `f` (`name`): its own from the `scale`
/// block's triggers, else its trigger's Flex per-instance concurrency, else the default HTTP
/// target (1, Flex's per-instance concurrency for Python).
fn http_target(rt: &super::fleet::ScaleRt, f: FuncId, name: &str) -> u32 {
    let config = rt.controller.config();
    config
        .own_target(name)
        .or(rt.http.per_instance_concurrency(f))
        .unwrap_or_else(|| config.target_for(name, TriggerKind::Http))
}

/// One decision as the run recorded it, with the fleet and queues it saw.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleLogEntry {
    /// What the controller decided, and why.
    pub decision: Decision,
    /// Instances ready when it decided.
    pub ready: u32,
    /// Instances starting (requested, allocating or starting workers).
    pub starting: u32,
    /// Instances draining.
    pub draining: u32,
    /// Messages or requests waiting, summed over functions.
    pub queue_length: u64,
    /// Age of the oldest waiting message over all functions, ns.
    pub oldest_age_ns: u64,
}

/// What a scaled run reports about its fleet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScalingResult {
    /// Every decision, in order.
    pub log: Vec<ScaleLogEntry>,
    /// Instances that went through a cold start.
    pub cold_starts: u64,
    /// Most instances ready at once.
    pub max_ready: u32,
    /// New instances taken from the pre-warmed buffer (no cold start of their own).
    pub prewarmed_used: u64,
    /// Queue and Service Bus messages sent back to their queue because their try was cut at
    /// the end of a drain's grace period.
    pub messages_returned: u64,
    /// Instance-seconds, the latency split and the longest queue wait.
    pub figures: FleetFigures,
}

impl World {
    /// Schedules the first periodic decision, one interval after t = 0.
    pub(super) fn schedule_first_decision(&mut self) {
        // The instances asked for at t = 0 exist from then on.
        self.note_existing(self.instances.len() as i64);
        if let Some(rt) = self.scale.as_ref() {
            let at = rt.controller.interval_ns();
            self.schedule_periodic(at, Event::ScaleDecision);
        }
    }

    /// The periodic decision: decide, act, and schedule the next while the run needs it.
    pub(super) fn scale_decision(&mut self) {
        let snapshot = self.decide_and_act();
        let arrivals_remain = self.requests_pending > 0;
        if wants_next_decision(arrivals_remain, &snapshot) {
            let at = self.now + self.scale_rt().controller.interval_ns();
            self.schedule_periodic(at, Event::ScaleDecision);
        }
    }

    /// A request came while no instance is ready or starting: decide now (activation).
    pub(super) fn activate_if_no_instance(&mut self) {
        if self.scale.is_some() && self.fleet_counts().active() == 0 {
            self.decide_and_act();
        }
    }

    /// Takes one decision and carries it out; returns the snapshot it was taken on.
    fn decide_and_act(&mut self) -> Snapshot {
        let snapshot = self.snapshot();
        let decision = self.scale_rt().controller.decide(&snapshot);
        for _ in 0..decision.add {
            self.request_instance();
        }
        if decision.drain > 0 {
            self.drain_instances(decision.drain);
        }
        self.top_up_prewarmed(snapshot.has_work());
        let entry = ScaleLogEntry {
            ready: snapshot.fleet.ready,
            starting: snapshot.fleet.starting,
            draining: snapshot.fleet.draining,
            queue_length: snapshot.functions.iter().map(|f| f.queue_length).sum(),
            oldest_age_ns: snapshot
                .functions
                .iter()
                .map(|f| f.oldest_age_ns)
                .max()
                .unwrap_or(0),
            decision,
        };
        self.scale_rt().log.push(entry);
        snapshot
    }

    /// What the controller sees now.
    fn snapshot(&mut self) -> Snapshot {
        let functions = (self.functions.ids())
            .map(|f| self.function_load(f))
            .collect();
        Snapshot {
            now: SimTime(self.now),
            functions,
            fleet: self.fleet_counts(),
        }
    }

    /// The load of function `f`: its queue (storage queue, Service Bus active messages, or
    /// Event Hubs events not yet checkpointed, with its partitions), its HTTP requests not
    /// yet executing, or the requests waiting for an instance; and its invocations running on
    /// instances.
    fn function_load(&mut self, f: FuncId) -> FunctionLoad {
        let now = self.now;
        let waiting = self.waiting_requests_of(f);
        let rt = self.scale_rt();
        let name = rt.names[f].clone();
        let queue_kind = rt.queues.has(f);
        let http_waiting = rt.http.waiting(f);
        let mut load = rt.controller.load_of(&name);
        if queue_kind {
            load.trigger = TriggerKind::StorageQueue;
            load.target_per_instance = rt.controller.config().target_for(&name, load.trigger);
        }
        if let Some(hub) = rt.eventhubs.stats(f, now) {
            load.trigger = TriggerKind::EventHubs {
                partitions: hub.partitions,
            };
            load.target_per_instance = rt.controller.config().target_for(&name, load.trigger);
            load.in_flight = rt.func_in_flight[f];
            load.queue_length = hub.unprocessed;
            load.oldest_age_ns = hub.oldest_unread_age_ns;
            return load;
        }
        if let Some(sb) = rt.servicebus.stats(f, now) {
            load.trigger = TriggerKind::ServiceBus;
            load.target_per_instance = rt.controller.config().target_for(&name, load.trigger);
            load.in_flight = rt.func_in_flight[f];
            load.queue_length = sb.active as u64;
            load.oldest_age_ns = sb.oldest_active_age_ns;
            return load;
        }
        if http_waiting.is_some() {
            load.trigger = TriggerKind::Http;
            load.target_per_instance = http_target(rt, f, &name);
        }
        load.in_flight = rt.func_in_flight[f];
        match rt.queues.stats(f, now) {
            Some(q) => {
                load.queue_length = q.length as u64;
                load.oldest_age_ns = q.oldest_visible_age_ns;
            }
            None => load.queue_length = http_waiting.unwrap_or(waiting),
        }
        load
    }

    /// Direct requests of `f` waiting for an instance.
    fn waiting_requests_of(&self, f: FuncId) -> u64 {
        let rt = self.scale.as_ref().expect("a scaled app");
        rt.waiting
            .iter()
            .filter(|&&inv| self.invs[inv].func == f)
            .count() as u64
    }

    /// The fleet and its queues now, for the time series (`None` without scaling).
    pub(super) fn fleet_sample(&mut self) -> Option<FleetSample> {
        self.scale.as_ref()?;
        let fleet = self.fleet_counts();
        let loads: Vec<FunctionLoad> = (self.functions.ids())
            .map(|f| self.function_load(f))
            .collect();
        Some(FleetSample {
            ready: fleet.ready,
            starting: fleet.starting,
            draining: fleet.draining,
            queue_length: loads.iter().map(|l| l.queue_length).sum(),
            oldest_age_ns: loads.iter().map(|l| l.oldest_age_ns).max().unwrap_or(0),
            cold_starts: self.scale_rt().cold_starts,
            rejected_429: {
                let rejected = self.recorder.arrivals.rejected;
                let t = &mut self.scale_rt().totals;
                rejected - std::mem::replace(&mut t.rejected_at_sample, rejected)
            },
        })
    }

    /// The fleet's record of a scaled run, for the results.
    pub(super) fn scaling_result(&mut self) -> Option<ScalingResult> {
        self.scale.as_ref()?;
        let oldest = (self.functions.ids())
            .map(|f| self.function_load(f).oldest_age_ns)
            .max()
            .unwrap_or(0);
        let figures = self.fleet_figures(oldest);
        let rt = self.scale.as_mut()?;
        Some(ScalingResult {
            log: std::mem::take(&mut rt.log),
            cold_starts: rt.cold_starts,
            max_ready: rt.max_ready,
            prewarmed_used: rt.prewarm.used,
            messages_returned: rt.messages_returned,
            figures,
        })
    }
}
