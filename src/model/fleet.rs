//! The fleet under a scale controller: instances that come and go, and how requests find one.
//!
//! Without a `scale` block the world has its one instance from t = 0 and none of this runs.
//! With one, the instances the controller asks for at t = 0 (always-ready, min_instances)
//! are ready at once; every later one goes through its cold start, phase by phase (see
//! [`InstanceState`]): allocation, host start, then its worker processes one after another,
//! each paying its own start and imports. It takes work from the moment its first process is
//! up. A drained instance takes no new work, finishes what it has, and is removed.
//!
//! Requests of a function without a queue trigger go round robin to the ready instances
//! (blind to their load, like the host's own dispatcher); while none is ready they wait, in
//! arrival order, for the first one: the cold start a user sees. HTTP-, storage-queue-,
//! Service Bus- and Event Hubs-triggered functions have their own front ends (`http_trigger`,
//! `queue_trigger`, `servicebus_trigger`, `eventhubs_trigger`).

use super::event::Event;
use super::eventhubs_trigger::EventHubsTriggers;
use super::http_trigger::HttpTriggers;
use super::ids::{FuncId, Id, IdVec, InstanceId, InvId};
use super::instance::InstanceState;
use super::program::Sampler;
use super::queue_trigger::QueueTriggers;
use super::scale::{Fleet, ScaleController};
use super::servicebus_trigger::ServiceBusTriggers;
use super::world::World;
use crate::config::scale::ColdStart;
use crate::config::{Experiment, HostConfig};
use crate::kernel::{RngStreams, SimRng};
use std::collections::VecDeque;

/// What the world keeps for a scaled app.
pub(super) struct ScaleRt {
    /// The decisions' state machine.
    pub(super) controller: ScaleController,
    /// The host every new instance runs.
    host: HostConfig,
    /// Cold-start phase durations.
    phases: ColdStartSamplers,
    /// Draws of the phase durations.
    rng: SimRng,
    /// Round-robin counter over ready instances.
    turn: u64,
    /// Direct requests waiting for a ready instance, oldest first.
    pub(super) waiting: VecDeque<InvId>,
    /// The storage-queue triggers.
    pub(super) queues: QueueTriggers,
    /// The HTTP triggers.
    pub(super) http: HttpTriggers,
    /// The Service Bus triggers.
    pub(super) servicebus: ServiceBusTriggers,
    /// The Event Hubs triggers.
    pub(super) eventhubs: EventHubsTriggers,
    /// Per function: invocations placed on an instance and not yet answered.
    pub(super) func_in_flight: IdVec<FuncId, u64>,
    /// Every decision taken, in order (the decision log).
    pub(super) log: Vec<super::scaling::ScaleLogEntry>,
    /// Instances that went through a cold start.
    pub(super) cold_starts: u64,
    /// Most instances ready at once.
    pub(super) max_ready: u32,
    /// The functions' names, for the controller.
    pub(super) names: IdVec<FuncId, String>,
    /// Instance-seconds, the latency split and the other totals of the outputs.
    pub(super) totals: super::fleet_totals::FleetTotals,
    /// The pre-warmed buffer.
    pub(super) prewarm: super::prewarm::PrewarmBuffer,
    /// Queue and Service Bus messages sent back to their queue by a cut (see `drain`).
    pub(super) messages_returned: u64,
}

/// Samplers of the three cold-start phases.
struct ColdStartSamplers {
    allocate: Sampler,
    host_start: Sampler,
    worker_start: Sampler,
}

impl ColdStartSamplers {
    fn new(c: &ColdStart) -> ColdStartSamplers {
        ColdStartSamplers {
            allocate: Sampler::new(&c.allocate),
            host_start: Sampler::new(&c.host_start),
            worker_start: Sampler::new(&c.worker_start),
        }
    }
}

impl ScaleRt {
    /// The scaled app of `exp`, if it has a `scale` block.
    pub(super) fn of(exp: &Experiment, streams: &RngStreams) -> Option<ScaleRt> {
        let config = exp.scale.clone()?;
        let processes = exp.host.processes;
        Some(ScaleRt {
            prewarm: super::prewarm::PrewarmBuffer::new(
                &config,
                processes,
                streams.stream("prewarm"),
            ),
            phases: ColdStartSamplers::new(&config.cold_start),
            controller: ScaleController::new(config),
            host: exp.host.clone(),
            rng: streams.stream("cold-start"),
            turn: 0,
            waiting: VecDeque::new(),
            queues: QueueTriggers::of(exp, streams),
            http: HttpTriggers::of(exp),
            servicebus: ServiceBusTriggers::of(exp),
            eventhubs: EventHubsTriggers::of(exp),
            func_in_flight: IdVec::from(vec![0; exp.functions.len()]),
            log: Vec::new(),
            cold_starts: 0,
            max_ready: 0,
            names: exp.functions.iter().map(|f| f.name.clone()).collect(),
            totals: super::fleet_totals::FleetTotals::new(),
            messages_returned: 0,
        })
    }
}

impl World {
    /// The scaled app's state; only called where a `scale` block exists.
    pub(super) fn scale_rt(&mut self) -> &mut ScaleRt {
        self.scale.as_mut().expect("a scaled app")
    }

    /// Requests a new instance: from the pre-warmed buffer if one is warm (its workers start
    /// now, or it is ready at once with `prewarmed_workers`), else it starts allocating now.
    pub(super) fn request_instance(&mut self) -> InstanceId {
        let host = self.scale_rt().host.clone();
        let id = self.add_instance_processes(&host);
        self.set_state(id, InstanceState::Allocating);
        self.instances[id].always_ready = false;
        self.note_existing(1);
        if self.take_prewarmed() {
            self.start_prewarmed(id);
            return id;
        }
        let rt = self.scale_rt();
        rt.cold_starts += 1;
        let d = rt.phases.allocate.sample(&mut rt.rng);
        self.push(self.now + d, Event::InstancePhase { instance: id });
        id
    }

    /// An instance taken from the pre-warmed buffer: allocated, its host started.
    fn start_prewarmed(&mut self, id: InstanceId) {
        if !self.scale_rt().controller.config().prewarmed_workers {
            self.start_workers(id);
            return;
        }
        self.set_state(id, InstanceState::WorkersStarting);
        for rank in self.instances[id].processes.ids() {
            let process = self.instances[id].processes[rank];
            self.push(self.now, Event::ProcessReady { process });
        }
    }

    /// The current phase of `instance`'s start is over: on to the next.
    pub(super) fn instance_phase_done(&mut self, id: InstanceId) {
        match self.instances[id].state {
            InstanceState::Allocating => {
                self.set_state(id, InstanceState::HostStarting);
                let rt = self.scale_rt();
                let d = rt.phases.host_start.sample(&mut rt.rng);
                self.push(self.now + d, Event::InstancePhase { instance: id });
            }
            InstanceState::HostStarting => self.start_workers(id),
            _ => {}
        }
    }

    /// The host starts the instance's worker processes one after another.
    fn start_workers(&mut self, id: InstanceId) {
        self.set_state(id, InstanceState::WorkersStarting);
        let mut at = self.now;
        for rank in self.instances[id].processes.ids() {
            let rt = self.scale_rt();
            at += rt.phases.worker_start.sample(&mut rt.rng);
            let process = self.instances[id].processes[rank];
            self.push(at, Event::ProcessReady { process });
        }
    }

    /// `instance` has a ready process: if it was starting, it takes work from now on.
    pub(super) fn instance_has_a_ready_process(&mut self, id: InstanceId) {
        if self.scale.is_none() || self.instances[id].state != InstanceState::WorkersStarting {
            return;
        }
        self.set_state(id, InstanceState::Ready);
        self.note_ready(1);
        let ready = self.fleet_counts().ready;
        let rt = self.scale_rt();
        rt.max_ready = rt.max_ready.max(ready);
        self.instance_ready(id);
    }

    /// `instance` takes work: queue listeners start, Service Bus receivers open, it gets its
    /// share of the event hubs' partitions, waiting requests are placed, and the HTTP front
    /// ends send it their waiting requests.
    pub(super) fn instance_ready(&mut self, id: InstanceId) {
        self.start_queue_listeners(id);
        self.servicebus_instance_ready(id);
        self.eventhubs_instance_ready(id);
        while let Some(inv) = self.scale_rt().waiting.pop_front() {
            self.route_to(inv, id);
        }
        self.http_instance_ready(id);
    }

    /// The ready instance the next direct request goes to (round robin), if any.
    pub(super) fn next_ready_instance(&mut self) -> Option<InstanceId> {
        let ready: Vec<InstanceId> = self.ready_instances().collect();
        if ready.is_empty() {
            return None;
        }
        let rt = self.scale_rt();
        rt.turn += 1;
        Some(ready[(rt.turn % ready.len() as u64) as usize])
    }

    /// Instances taking work, oldest first.
    pub(super) fn ready_instances(&self) -> impl Iterator<Item = InstanceId> + '_ {
        self.instances
            .ids()
            .filter(|&i| self.instances[i].state == InstanceState::Ready)
    }

    /// The fleet by state, for the scale controller (kept by [`World::set_state`]: every
    /// arrival asks, and removed instances stay in the arena, so a scan would grow with the
    /// fleet's history).
    pub(super) fn fleet_counts(&self) -> Fleet {
        debug_assert_eq!(self.fleet, {
            let mut scan = Fleet::default();
            for inst in self.instances.iter() {
                count_state(&mut scan, inst.state, 1);
            }
            scan
        });
        self.fleet
    }

    /// Moves `id` to `state`, keeping the counts by state.
    pub(super) fn set_state(&mut self, id: InstanceId, state: InstanceState) {
        let before = std::mem::replace(&mut self.instances[id].state, state);
        count_state(&mut self.fleet, before, -1);
        count_state(&mut self.fleet, state, 1);
        if state == InstanceState::Removed {
            self.memory_instance_gone(id);
        }
    }

    /// Drains `count` instances: starting ones first (newest first), then ready ones
    /// (newest first), never an always-ready one.
    pub(super) fn drain_instances(&mut self, count: u32) {
        let mut left = count;
        for wanted_ready in [false, true] {
            for id in self.instances.ids().collect::<Vec<_>>().into_iter().rev() {
                let inst = &self.instances[id];
                let starting = matches!(
                    inst.state,
                    InstanceState::Allocating
                        | InstanceState::HostStarting
                        | InstanceState::WorkersStarting
                );
                let eligible = !inst.always_ready
                    && if wanted_ready {
                        inst.state == InstanceState::Ready
                    } else {
                        starting
                    };
                if left > 0 && eligible {
                    self.drain(id);
                    left -= 1;
                }
            }
        }
    }

    /// `instance` takes no new work; it is removed once its last invocation is answered, or
    /// shut down with what it still runs at the end of its grace period (see `drain`).
    fn drain(&mut self, id: InstanceId) {
        if self.is_ready(id) {
            self.note_ready(-1);
        }
        self.set_state(id, InstanceState::Draining);
        self.stop_queue_listeners(id);
        self.servicebus_instance_gone(id);
        self.eventhubs_instance_gone(id);
        self.http_instance_gone(id);
        self.remove_if_drained(id);
        self.start_drain_grace(id);
    }

    /// Removes a draining instance that has nothing left to answer.
    pub(super) fn remove_if_drained(&mut self, id: InstanceId) {
        let inst = &self.instances[id];
        if inst.state == InstanceState::Draining && inst.in_flight == 0 {
            self.set_state(id, InstanceState::Removed);
            self.note_existing(-1);
            self.recorder.usage.removed(id.index(), self.now);
        }
    }

    /// A direct request of `func` under scaling: to a ready instance, or to wait for one.
    pub(super) fn route_scaled(&mut self, inv: InvId) {
        match self.next_ready_instance() {
            Some(id) => self.route_to(inv, id),
            None => self.scale_rt().waiting.push_back(inv),
        }
    }

    /// Counts `inv` on `instance` until it is answered.
    pub(super) fn count_placed(&mut self, inv: InvId, id: InstanceId) {
        let func = self.invs[inv].func;
        self.instances[id].in_flight += 1;
        if self.instances[id].in_flight == 1 {
            self.recorder.usage.busy(id.index(), self.now);
        }
        if let Some(rt) = self.scale.as_mut() {
            rt.func_in_flight[func] += 1;
            let held = self.arrivals_held(inv);
            self.note_placed(inv, held);
        }
    }

    /// `inv` (of `func`) on `instance`, holding `held` arrivals, is answered.
    pub(super) fn count_answered(&mut self, func: FuncId, id: InstanceId, held: u32) {
        self.instances[id].in_flight -= 1;
        if self.instances[id].in_flight == 0 {
            self.recorder.usage.idle(id.index(), self.now);
        }
        if let Some(rt) = self.scale.as_mut() {
            rt.func_in_flight[func] -= 1;
            self.note_answered(self.now + self.costs.transport_ns, held);
            self.remove_if_drained(id);
        }
    }

    /// Arrivals invocation `inv` holds while it runs: its batch's fresh events for an Event
    /// Hubs batch, else 1 (a request, or a message).
    pub(super) fn arrivals_held(&self, inv: InvId) -> u32 {
        self.scale
            .as_ref()
            .and_then(|rt| rt.eventhubs.held_by(inv))
            .unwrap_or(1)
    }

    /// Whether no request waits for an instance (or in an HTTP front end), no queue or
    /// Service Bus entity holds a message and no event hub has an event left to read.
    pub(super) fn nothing_waits_outside_instances(&mut self) -> bool {
        let now = self.now;
        match self.scale.as_mut() {
            None => true,
            Some(rt) => {
                rt.waiting.is_empty()
                    && rt.queues.all_empty(now)
                    && rt.servicebus.all_empty(now)
                    && rt.eventhubs.all_idle()
                    && rt.http.all_idle()
            }
        }
    }
}

/// The slot a front end knows `instance` by.
pub(super) fn slot_of(id: InstanceId) -> super::front::InstanceSlot {
    super::front::InstanceSlot::from_index(id.index())
}

/// The instance a front end's slot names.
pub(super) fn instance_of_slot(slot: super::front::InstanceSlot) -> InstanceId {
    InstanceId::from_index(slot.index())
}

/// Counts `delta` instances in `state` into `fleet` (removed ones are not counted).
pub(super) fn count_state(fleet: &mut Fleet, state: InstanceState, delta: i32) {
    let n = match state {
        InstanceState::Ready => &mut fleet.ready,
        InstanceState::Draining => &mut fleet.draining,
        InstanceState::Removed => return,
        _ => &mut fleet.starting,
    };
    *n = n.wrapping_add_signed(delta);
}
