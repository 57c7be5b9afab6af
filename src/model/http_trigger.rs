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
//! The limits are per host instance, as host.json's `extensions.http` is: the app has one
//! front end, shared by all its HTTP functions, so two HTTP functions on one instance share its
//! maxConcurrentRequests, maxOutstandingRequests and Flex per-instance concurrency (the
//! config check makes every HTTP trigger of an experiment set the same limits). The scale
//! controller still sees each function's own waiting requests, counted here per function.

use super::fleet::{instance_of_slot, slot_of};
use super::front::{HttpAction, HttpFront, RequestId};
use super::ids::{FuncId, Id, IdVec, InstanceId, InvId};
use super::slab::SideTable;
use super::world::World;
use crate::config::{Experiment, TriggerConfig};
use crate::metrics::Outcome;

/// The app's HTTP front end, with what the world must remember about its requests.
pub(super) struct HttpTriggers {
    /// The front end of all HTTP-triggered functions (`None`: the app has none).
    front: Option<HttpFront>,
    /// Per function: whether it is HTTP-triggered.
    is_http: IdVec<FuncId, bool>,
    /// Per function: its requests in the front end not executing yet (waiting for an
    /// instance or on one).
    waiting: IdVec<FuncId, u64>,
    /// Per started request: when its client gives up (arrival + the response cap).
    respond_by: SideTable<InvId, u64>,
    /// Actions returned by the last call (reused).
    actions: Vec<HttpAction>,
}

impl HttpTriggers {
    /// The front end of `exp`'s HTTP-triggered functions, with the limits of the first (the
    /// config check makes them all equal).
    pub(super) fn of(exp: &Experiment) -> HttpTriggers {
        let config = |f: &crate::config::FunctionSpec| match &f.trigger {
            Some(TriggerConfig::Http(cfg)) => Some(cfg.clone()),
            _ => None,
        };
        let is_http: IdVec<FuncId, bool> =
            exp.functions.iter().map(|f| config(f).is_some()).collect();
        HttpTriggers {
            front: exp.functions.iter().find_map(config).map(HttpFront::new),
            waiting: IdVec::from(vec![0; is_http.len()]),
            is_http,
            respond_by: SideTable::default(),
            actions: Vec::new(),
        }
    }

    /// Whether `func` is HTTP-triggered.
    pub(super) fn has(&self, func: FuncId) -> bool {
        self.is_http[func]
    }

    /// Requests of `func` not executing yet (waiting for an instance or on one), if it is
    /// HTTP-triggered: what the scale controller counts as waiting.
    pub(super) fn waiting(&self, func: FuncId) -> Option<u64> {
        self.has(func).then(|| self.waiting[func])
    }

    /// The Flex per-instance concurrency of `func`, if it is HTTP-triggered and sets one.
    pub(super) fn per_instance_concurrency(&self, func: FuncId) -> Option<u32> {
        let front = self.front.as_ref().filter(|_| self.has(func))?;
        front.config().per_instance_concurrency
    }

    /// Forgets the response cap of `inv` (it was cut; its slot went with its instance).
    pub(super) fn forget(&mut self, inv: InvId) {
        self.respond_by.remove(inv);
    }

    /// Whether no request waits in the front end.
    pub(super) fn all_idle(&self) -> bool {
        self.front
            .as_ref()
            .is_none_or(|h| h.waiting_for_instance() + h.queued_on_instances() == 0)
    }
}

/// The slot a front end knows a request by: the invocation's own id (it stays live, and so
/// unique, while the front end holds it).
fn request_of(inv: InvId) -> RequestId {
    RequestId(inv.index() as u64)
}

/// The invocation a front end's request names.
fn inv_of(request: RequestId) -> InvId {
    InvId::from_index(request.0 as usize)
}

impl World {
    /// Whether `func`'s arrivals go through an HTTP front end.
    pub(super) fn is_http_triggered(&self, func: FuncId) -> bool {
        self.scale.as_ref().is_some_and(|rt| rt.http.has(func))
    }

    /// A request of HTTP-triggered `func` arrives as invocation `inv`.
    pub(super) fn http_arrive(&mut self, func: FuncId, inv: InvId) {
        self.scale_rt().http.waiting[func] += 1;
        self.with_http_front(|h, now, out| h.arrive(now, request_of(inv), out));
    }

    /// `instance` is ready: the HTTP front end sends it requests, first the waiting ones.
    pub(super) fn http_instance_ready(&mut self, id: InstanceId) {
        self.with_http_front(|h, now, out| h.instance_ready(now, slot_of(id), out));
    }

    /// `instance` drains: it takes no new requests, the ones waiting on it go elsewhere.
    pub(super) fn http_instance_gone(&mut self, id: InstanceId) {
        if self.scale.is_none() {
            return;
        }
        self.with_http_front(|h, now, out| h.instance_gone(now, slot_of(id), out));
    }

    /// Calls `f` on the HTTP front end, if the app has one, and carries out what it asked.
    fn with_http_front(&mut self, f: impl FnOnce(&mut HttpFront, u64, &mut Vec<HttpAction>)) {
        let now = self.now;
        let http = &mut self.scale_rt().http;
        let mut actions = std::mem::take(&mut http.actions);
        if let Some(h) = http.front.as_mut() {
            f(h, now, &mut actions);
        }
        self.carry_out_http(actions);
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
        let Some(respond_by) = http.respond_by.remove(inv) else {
            return (Outcome::Succeeded, response);
        };
        let mut actions = std::mem::take(&mut http.actions);
        if let Some(h) = http.front.as_mut().filter(|_| http.is_http[func]) {
            h.complete(now, slot_of(id), &mut actions);
        }
        self.carry_out_http(actions);
        if response > respond_by {
            (Outcome::TimedOut, respond_by)
        } else {
            (Outcome::Succeeded, response)
        }
    }

    /// Does what the HTTP front end asked, then hands the action buffer back.
    fn carry_out_http(&mut self, mut actions: Vec<HttpAction>) {
        for action in actions.drain(..) {
            self.count_http_waiting(&action);
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

    /// A request that starts, is refused or times out no longer waits in the front end.
    fn count_http_waiting(&mut self, action: &HttpAction) {
        let request = match action {
            HttpAction::Start { request, .. }
            | HttpAction::Rejected { request, .. }
            | HttpAction::TimedOut { request, .. } => *request,
            HttpAction::Queued { .. } | HttpAction::WaitForInstance { .. } => return,
        };
        let func = self.invs[inv_of(request)].func;
        let waiting = &mut self.scale_rt().http.waiting[func];
        *waiting = waiting.saturating_sub(1);
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
