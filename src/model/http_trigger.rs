//! HTTP-triggered functions under scaling: each arrival is a request handed to its function's
//! [`HttpFront`], which spreads requests round robin over the ready instances and holds each
//! instance to its limits; the world carries out what the front end says:
//! - `Start`: the invocation is routed to that instance (and counts as in flight there);
//! - `Queued`: the request waits on the instance (in the front end) behind its executing ones;
//! - `Rejected`: a 429, recorded at once with [`Outcome::Rejected`];
//! - `WaitForInstance`: no instance is ready; the request waits for the first one, so its
//!   latency holds the cold start the user sees;
//! - `TimedOut`: a request that waited past the response cap (230 s) without starting is
//!   recorded with [`Outcome::TimedOut`], its response time being arrival + cap.
//!
//! A request that started but whose response comes after the cap is also recorded as
//! timed out at arrival + cap, but only when its body ends: the function keeps running on its
//! instance after the client has gone (as Azure's does) and holds its concurrency slot until
//! then, so nothing is scheduled for the cap itself. A run stopped by its horizon before that
//! body ends records it as pending.
//!
//! The limits are per function: each HTTP function has its own front end (host.json's limits
//! are per host; the two agree for an app with one HTTP function, the usual case).

use super::event::{FuncId, InvId};
use super::fleet::{instance_of_slot, slot_of};
use super::front::{HttpAction, HttpFront, RequestId};
use super::ids::InstanceId;
use super::world::World;
use crate::config::{Experiment, TriggerConfig};
use crate::metrics::Outcome;
use std::collections::HashMap;

/// Every HTTP front end of the app, with what the world must remember about its requests.
pub(super) struct HttpTriggers {
    /// Per function: its front end, if it is HTTP-triggered.
    fronts: Vec<Option<HttpFront>>,
    /// Per started request: when its client gives up (arrival + the response cap).
    respond_by: HashMap<InvId, u64>,
    /// Actions returned by the last call (reused).
    actions: Vec<HttpAction>,
}

impl HttpTriggers {
    /// The front ends of `exp`'s HTTP-triggered functions.
    pub(super) fn of(exp: &Experiment) -> HttpTriggers {
        let fronts = exp
            .functions
            .iter()
            .map(|f| match &f.trigger {
                Some(TriggerConfig::Http(cfg)) => Some(HttpFront::new(cfg.clone())),
                _ => None,
            })
            .collect();
        HttpTriggers {
            fronts,
            respond_by: HashMap::new(),
            actions: Vec::new(),
        }
    }

    /// Whether `func` is HTTP-triggered.
    pub(super) fn has(&self, func: FuncId) -> bool {
        self.fronts[func as usize].is_some()
    }

    /// Requests of `func` not executing yet (waiting for an instance or on one), if it is
    /// HTTP-triggered: what the scale controller counts as waiting.
    pub(super) fn waiting(&self, func: FuncId) -> Option<u64> {
        self.fronts[func as usize]
            .as_ref()
            .map(|h| (h.waiting_for_instance() + h.queued_on_instances()) as u64)
    }

    /// The Flex per-instance concurrency of `func`, if it is HTTP-triggered and sets one.
    pub(super) fn per_instance_concurrency(&self, func: FuncId) -> Option<u32> {
        self.fronts[func as usize]
            .as_ref()
            .and_then(|h| h.config().per_instance_concurrency)
    }

    /// Whether no request waits in any front end.
    pub(super) fn all_idle(&self) -> bool {
        self.fronts
            .iter()
            .flatten()
            .all(|h| h.waiting_for_instance() + h.queued_on_instances() == 0)
    }

    /// The HTTP-triggered functions.
    fn functions(&self) -> Vec<FuncId> {
        (0..self.fronts.len() as FuncId)
            .filter(|&f| self.has(f))
            .collect()
    }
}

/// The slot a front end knows a request by: the invocation's own id (it stays live, and so
/// unique, while the front end holds it).
fn request_of(inv: InvId) -> RequestId {
    RequestId(u64::from(inv))
}

/// The invocation a front end's request names.
fn inv_of(request: RequestId) -> InvId {
    request.0 as InvId
}

impl World {
    /// Whether `func`'s arrivals go through an HTTP front end.
    pub(super) fn is_http_triggered(&self, func: FuncId) -> bool {
        self.scale.as_ref().is_some_and(|rt| rt.http.has(func))
    }

    /// A request of HTTP-triggered `func` arrives as invocation `inv`.
    pub(super) fn http_arrive(&mut self, func: FuncId, inv: InvId) {
        let now = self.now;
        let http = &mut self.scale_rt().http;
        let mut actions = std::mem::take(&mut http.actions);
        if let Some(h) = http.fronts[func as usize].as_mut() {
            h.arrive(now, request_of(inv), &mut actions);
        }
        self.carry_out_http(actions);
    }

    /// `instance` is ready: every HTTP front end sends it requests, first the waiting ones.
    pub(super) fn http_instance_ready(&mut self, id: InstanceId) {
        self.for_each_http_front(|h, now, out| h.instance_ready(now, slot_of(id), out));
    }

    /// `instance` drains: it takes no new requests, the ones waiting on it go elsewhere.
    pub(super) fn http_instance_gone(&mut self, id: InstanceId) {
        if self.scale.is_none() {
            return;
        }
        self.for_each_http_front(|h, now, out| h.instance_gone(now, slot_of(id), out));
    }

    /// Calls `f` on every HTTP front end and carries out what each asked.
    fn for_each_http_front(&mut self, f: impl Fn(&mut HttpFront, u64, &mut Vec<HttpAction>)) {
        let now = self.now;
        for func in self.scale_rt().http.functions() {
            let http = &mut self.scale_rt().http;
            let mut actions = std::mem::take(&mut http.actions);
            if let Some(h) = http.fronts[func as usize].as_mut() {
                f(h, now, &mut actions);
            }
            self.carry_out_http(actions);
        }
    }

    /// `inv` (of `func`) on `instance` is answered, its response leaving at `response`: its
    /// slot on the instance is free (the next request waiting there starts), and it is
    /// recorded as succeeded, or as timed out at its cap if the response came too late.
    /// Anything not HTTP-triggered succeeds at `response`.
    pub(super) fn http_answered(
        &mut self,
        inv: InvId,
        func: FuncId,
        id: InstanceId,
        response: u64,
    ) -> (Outcome, u64) {
        let now = self.now;
        let Some(rt) = self.scale.as_mut() else {
            return (Outcome::Succeeded, response);
        };
        let http = &mut rt.http;
        let Some(respond_by) = http.respond_by.remove(&inv) else {
            return (Outcome::Succeeded, response);
        };
        let mut actions = std::mem::take(&mut http.actions);
        if let Some(h) = http.fronts[func as usize].as_mut() {
            h.complete(now, slot_of(id), &mut actions);
        }
        self.carry_out_http(actions);
        if response > respond_by {
            (Outcome::TimedOut, respond_by)
        } else {
            (Outcome::Succeeded, response)
        }
    }

    /// Does what an HTTP front end asked, then hands the action buffer back.
    fn carry_out_http(&mut self, mut actions: Vec<HttpAction>) {
        for action in actions.drain(..) {
            match action {
                HttpAction::Start {
                    request,
                    instance,
                    respond_by_ns,
                } => {
                    let inv = inv_of(request);
                    self.scale_rt().http.respond_by.insert(inv, respond_by_ns);
                    self.route_to(inv, instance_of_slot(instance));
                }
                HttpAction::Rejected { request, .. } => {
                    let now = self.now;
                    self.refuse(inv_of(request), Outcome::Rejected, now);
                }
                HttpAction::TimedOut { request, at_ns } => {
                    self.refuse(inv_of(request), Outcome::TimedOut, at_ns);
                }
                // The front end holds the request until it starts or times out.
                HttpAction::Queued { .. } | HttpAction::WaitForInstance { .. } => {}
            }
        }
        self.scale_rt().http.actions = actions;
    }

    /// `inv` never ran: its client got `outcome` at `at` (a 429 now, or a timeout at its cap).
    fn refuse(&mut self, inv: InvId, outcome: Outcome, at: u64) {
        self.in_flight.add(self.now, -1);
        let i = &self.invs[inv];
        let (func, client) = (i.func, i.client);
        let row = i.record(Some(at), outcome, None, 1);
        self.recorder.finished(row);
        self.invs.remove(inv);
        if let Some(client) = client {
            self.client_answered(func, client, at);
        }
    }
}
