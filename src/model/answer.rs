//! An invocation's response leaves its worker: its front end learns the outcome (a message
//! is deleted, a batch checkpointed, an HTTP request answered), the arrivals it settles are
//! counted, its row is recorded, and a closed-loop client thinks before its next request.

use super::event::InvId;
use super::world::World;

impl World {
    /// The response of `inv` leaves the worker: it is recorded and, for a closed-loop client,
    /// the client's next request is scheduled after its think time.
    pub(super) fn respond(&mut self, inv: InvId) {
        let response = self.now + self.costs.transport_ns;
        let instance = self.processes[self.process_of(inv)].instance;
        let i = &self.invs[inv];
        let (func, client) = (i.func, i.client);
        let held = self.arrivals_held(inv);
        self.count_answered(func, instance, held);
        self.queue_invocation_done(inv, func, instance);
        self.servicebus_invocation_done(inv, func, instance);
        let settles = self.eventhubs_invocation_done(inv).unwrap_or(1);
        self.in_flight.add(self.now, -i64::from(settles));
        let (outcome, answered_at) = self.http_answered(inv, func, instance, response);
        let i = &self.invs[inv];
        let row = i.record(Some(answered_at), outcome, Some(instance), settles);
        self.recorder.code.add_in_flight(func, response - i.arrival);
        self.recorder.finished(row);
        self.invs.remove(inv);
        if let Some(client) = client {
            self.client_answered(func, client, answered_at);
        }
    }
}
