//! How a request reaches a worker: it arrives at the fleet, is routed to an instance (today
//! the only one), and the instance's round robin places it on a ready process, whose receiver
//! thread gets it after the transport delay.
//!
//! A request routed to an instance with no ready process waits there, in arrival order, and is
//! placed the moment a process becomes ready: no request is lost or turned away for that.
//! Under a scale controller (`fleet`) the instance is one of the ready ones, and
//! queue-triggered arrivals go to their queue first (`queue_trigger`), Service Bus and Event
//! Hubs arrivals to theirs (`servicebus_trigger`, `eventhubs_trigger`), HTTP-triggered ones
//! to their front end (`http_trigger`).

use super::event::Event;
use super::ids::{ClientId, FuncId, Id, InstanceId, InvId, ProcessId};
use super::state::Inv;
use super::world::World;

impl World {
    /// A request of `func` (from closed-loop `client`, if any) arrives: it becomes an
    /// invocation, routed to an instance and placed on one of its processes.
    pub(super) fn arrive(&mut self, func: FuncId, client: Option<ClientId>) {
        self.recorder.arrived(self.now);
        self.in_flight.add(self.now, 1);
        if self.is_queue_triggered(func) {
            self.enqueue_message(func);
        } else if self.is_servicebus_triggered(func) {
            self.enqueue_servicebus_message(func);
        } else if self.is_eventhubs_triggered(func) {
            self.enqueue_event(func);
        } else if self.is_http_triggered(func) {
            let inv = self.new_invocation_at(func, client, self.now);
            self.http_arrive(func, inv);
        } else {
            let inv = self.new_invocation_at(func, client, self.now);
            if self.scale.is_some() {
                self.route_scaled(inv);
            } else {
                self.route_to(inv, InstanceId::from_index(0));
            }
        }
        self.activate_if_no_instance();
    }

    /// Hands `inv` to `instance`: its round robin places it on a ready process, or it waits
    /// there for one.
    pub(super) fn route_to(&mut self, inv: InvId, instance: InstanceId) {
        self.instances[instance].queued.add(self.now, 1);
        self.count_placed(inv, instance);
        match self.instances[instance].pick_process() {
            Some(p) => self.place(inv, p),
            None => self.instances[instance].wait(inv),
        }
    }

    /// Records a new invocation of `func` that arrived at `arrival`, with its own stream of
    /// durations.
    pub(super) fn new_invocation_at(
        &mut self,
        func: FuncId,
        client: Option<ClientId>,
        arrival: u64,
    ) -> InvId {
        let fr = &mut self.functions[func];
        let rng = match fr.durations_family {
            Some(family) => self.streams.member(family, fr.invocations),
            None => self.constant_rng.clone(),
        };
        fr.invocations += 1;
        let recorded = fr.source.recorded_ns();
        let memory_kib = fr.memory.as_mut().map_or(0, |m| m.next_kib());
        let inv = self.invs.insert(Inv {
            id: self.next_inv_id,
            func,
            arrival,
            start: None,
            end: None,
            process: None,
            thread: None,
            client,
            cold: false,
            memory_kib,
            rng,
        });
        self.next_inv_id += 1;
        if let Some(ns) = recorded {
            self.set_recorded(inv, ns);
        }
        inv
    }

    /// Notes the recorded duration of trace invocation `inv` in the column beside the
    /// invocations (grown to the slot; a freed slot's value is overwritten when reused).
    fn set_recorded(&mut self, inv: InvId, ns: u64) {
        let i = inv.index();
        if self.recorded_ns.len() <= i {
            self.recorded_ns.resize(i + 1, 0);
        }
        self.recorded_ns[i] = ns;
    }

    /// Sends `inv` to process `p`: the host works on it on the instance's cores from now (beside
    /// the request, which is not held back by it), and it reaches the receiver after the
    /// transport delay (and, from a sleeping load generator, after the generator wakes).
    fn place(&mut self, inv: InvId, p: ProcessId) {
        self.processes[p].invocations += 1;
        self.invs[inv].process = Some(p);
        self.start_timeout(inv);
        let (now, host_ns) = (self.now, self.costs.host_request_ns);
        self.instance_of(p).cores.host_work(host_ns, now);
        let sent = self.generator_send_time();
        if sent == self.now && self.costs.transport_ns == 0 {
            self.deliver(inv);
        } else {
            self.push(sent + self.costs.transport_ns, Event::Deliver { inv });
        }
    }

    /// When the request placed now leaves the load generator: at once, or, for a generator
    /// that sleeps until each scheduled arrival (`DispatchCosts::generator_sleeps`), one timed
    /// wake-up after its sleep since the previous send (none when it is already late).
    fn generator_send_time(&mut self) -> u64 {
        if !self.costs.generator_sleeps {
            return self.now;
        }
        let sent = match self.now.checked_sub(self.generator_sent_at) {
            Some(sleep) if sleep > 0 => {
                self.now + self.costs.timer_slack_ns + self.costs.sleeper_wake_ns(sleep)
            }
            _ => self.generator_sent_at,
        };
        self.generator_sent_at = sent;
        sent
    }

    /// The request reaches its worker's receiver thread.
    pub(super) fn deliver(&mut self, inv: InvId) {
        let p = self.process_of(inv);
        self.processes[p].inbox.push_back(inv);
        let r = self.processes[p].receiver;
        self.wake_from(r, super::cpu::Waker::Host);
    }

    /// Worker process `p` has started: its instance's dispatcher includes it from now on, and
    /// requests waiting for a ready process are placed, oldest first.
    pub(super) fn process_ready(&mut self, p: ProcessId) {
        self.processes[p].ready = true;
        self.memory_process_up(p);
        let instance = self.processes[p].instance;
        self.instances[instance].process_ready(p);
        while let Some((inv, p)) = self.instances[instance].next_waiting() {
            self.place(inv, p);
        }
        self.instance_has_a_ready_process(instance);
    }

    /// The process `inv` was placed on. Only placed invocations are delivered and run, so
    /// every caller holds one.
    #[inline(always)]
    pub(super) fn process_of(&self, inv: InvId) -> ProcessId {
        self.invs[inv]
            .process
            .expect("an invocation with work to do has been placed on a process")
    }
}
