//! An invocation's response leaves its worker: whether it raised is drawn, its front end
//! learns the outcome (a message is deleted, tried again or poisoned; a batch checkpointed;
//! an HTTP request answered), the arrivals it settles are counted, its row is recorded, and
//! a closed-loop client thinks before its next request.
//!
//! Failures: a function with `fails` above 0 raises at the end of its body with that chance,
//! one draw per invocation from its own stream, so runs without `fails` draw exactly what they
//! drew before. The worker still sends the response (the exception), so a failed invocation
//! costs what a successful one does. What happens next is the trigger's: a direct or HTTP
//! invocation simply fails (the client gets its error; nothing retries it); a storage-queue
//! message is tried again after the visibility timeout, up to maxDequeueCount tries, then
//! poisoned; a Service Bus message is abandoned, up to maxDeliveryCount deliveries, then
//! dead-lettered; an Event Hubs batch is not retried. Each try is a row of invocations.csv
//! (`failed:raised` for one that raised); an arrival is settled once, by its last try.

use super::front;
use super::ids::{FuncId, InstanceId, InvId};
use super::world::World;
use crate::metrics::{FailReason, Outcome};
use rand::Rng;

impl World {
    /// The response of `inv` leaves the worker: it is recorded and, for a closed-loop client,
    /// the client's next request is scheduled after its think time.
    pub(super) fn respond(&mut self, inv: InvId) {
        let response = self.now + self.costs.transport_ns;
        let p = self.process_of(inv);
        let (now, host_ns) = (self.now, self.costs.host_response_ns);
        self.instance_of(p).cores.host_work(host_ns, now);
        let instance = self.processes[p].instance;
        let failed = self.draw_failure(self.invs[inv].func);
        self.settle(inv, instance, failed, response);
    }

    /// `inv`, on `instance`, ends now, having failed for `failed` (if it did), its answer
    /// reaching the host at `response`: its front end learns the outcome (a message is
    /// deleted, tried again or poisoned; a batch checkpointed; an HTTP request answered), the
    /// arrivals it settles are counted, its row is recorded, and a closed-loop client thinks
    /// before its next request.
    pub(super) fn settle(
        &mut self,
        inv: InvId,
        instance: InstanceId,
        failed: Option<FailReason>,
        response: u64,
    ) {
        let i = &self.invs[inv];
        let (func, client) = (i.func, i.client);
        let for_front = match failed {
            Some(_) => front::Outcome::Failed,
            None => front::Outcome::Succeeded,
        };
        self.memory_released(inv);
        let held = self.arrivals_held(inv);
        self.count_answered(func, instance, held);
        let settles = self
            .queue_invocation_done(inv, func, instance, for_front)
            .or_else(|| self.servicebus_invocation_done(inv, func, instance, for_front))
            .or_else(|| self.eventhubs_invocation_done(inv))
            .unwrap_or(1);
        self.in_flight.add(self.now, -i64::from(settles));
        let (mut outcome, answered_at) = self.http_answered(inv, func, instance, response);
        if let (Some(reason), Outcome::Succeeded) = (failed, outcome) {
            outcome = Outcome::Failed(reason);
        }
        let i = &self.invs[inv];
        let row = i.record(Some(answered_at), outcome, Some(instance), settles);
        self.recorder
            .code
            .add_in_flight(func.number(), response - i.arrival);
        self.recorder.finished(row);
        self.invs.remove(inv);
        if let Some(client) = client {
            self.client_answered(func, client, answered_at);
        }
    }

    /// Whether an invocation of `func` raises: a draw from its own stream, only when it can.
    fn draw_failure(&mut self, func: FuncId) -> Option<FailReason> {
        let f = self.functions[func].failures.as_mut()?;
        let u: f64 = f.rng.random();
        (u < f.chance).then_some(FailReason::Raised)
    }
}
