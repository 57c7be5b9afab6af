//! HTTP admission: requests spread round robin over the ready instances, each instance holding
//! them to its limits (executing up to maxConcurrentRequests or the Flex per-instance
//! concurrency, the rest waiting on the instance, 429 once maxOutstandingRequests are held),
//! and a waiting list for requests that arrive while no instance is ready: they go to the
//! first instance that becomes ready, so the user sees its cold start.
//!
//! How Azure's front end picks an instance is not documented: round robin over ready
//! instances, blind to their load, is sim's assumption (UNVERIFIED), as the host's own
//! dispatcher does over processes.
//!
//! The response cap: a request still waiting (for an instance, or on one) when its cap passes
//! is given up with [`HttpAction::TimedOut`] stamped at arrival + cap, reported when the
//! front end next looks at that queue; a request already executing is the World's to time out
//! (the function keeps running, the client has gone), at [`HttpAction::Start`]'s `respond_by_ns`.

use super::{InstanceSlot, PerInstance, RequestId};
use crate::config::HttpConfig;
use std::collections::VecDeque;

/// What the World must do after a call to the HTTP front end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpAction {
    /// Start the invocation for `request` on `instance`; call `complete` when it ends.
    Start {
        /// Which request.
        request: RequestId,
        /// Where it runs.
        instance: InstanceSlot,
        /// The client gives up at this time (arrival + the response cap).
        respond_by_ns: u64,
    },
    /// `request` waits on `instance` behind its executing requests.
    Queued {
        /// Which request.
        request: RequestId,
        /// Where it waits.
        instance: InstanceSlot,
    },
    /// `request` is refused with 429: `instance` already holds maxOutstandingRequests.
    Rejected {
        /// Which request.
        request: RequestId,
        /// The instance that refused it.
        instance: InstanceSlot,
    },
    /// No instance is ready: `request` waits for the first one.
    WaitForInstance {
        /// Which request.
        request: RequestId,
    },
    /// `request` waited past the response cap without starting: the client got a timeout.
    TimedOut {
        /// Which request.
        request: RequestId,
        /// When the client gave up (arrival + cap).
        at_ns: u64,
    },
}

/// A request not yet started, and when it arrived.
#[derive(Debug, Clone, Copy)]
struct Pending {
    request: RequestId,
    arrived_ns: u64,
}

/// One instance's admission state.
#[derive(Debug, Clone, Default)]
struct Admission {
    executing: u32,
    queued: VecDeque<Pending>,
}

impl Admission {
    fn outstanding(&self) -> usize {
        self.executing as usize + self.queued.len()
    }
}

/// Admission over all instances of an HTTP-triggered app.
#[derive(Debug)]
pub struct HttpFront {
    cfg: HttpConfig,
    instances: PerInstance<Admission>,
    /// Ready instances in the order they became ready.
    ready: Vec<InstanceSlot>,
    next: usize,
    waiting: VecDeque<Pending>,
    rejected: u64,
}

impl HttpFront {
    /// No instances yet, with these limits.
    pub fn new(cfg: HttpConfig) -> HttpFront {
        HttpFront {
            cfg,
            instances: PerInstance::default(),
            ready: Vec::new(),
            next: 0,
            waiting: VecDeque::new(),
            rejected: 0,
        }
    }

    /// The limits.
    pub fn config(&self) -> &HttpConfig {
        &self.cfg
    }

    /// `request` arrives at `now`.
    pub fn arrive(&mut self, now: u64, request: RequestId, out: &mut Vec<HttpAction>) {
        let pending = Pending {
            request,
            arrived_ns: now,
        };
        match self.pick() {
            Some(instance) => self.admit(now, instance, pending, out),
            None => {
                self.waiting.push_back(pending);
                out.push(HttpAction::WaitForInstance { request });
            }
        }
    }

    /// The next ready instance, round robin.
    fn pick(&mut self) -> Option<InstanceSlot> {
        if self.ready.is_empty() {
            return None;
        }
        let instance = self.ready[self.next % self.ready.len()];
        self.next = (self.next + 1) % self.ready.len();
        Some(instance)
    }

    /// Starts, queues or refuses `p` on `instance`; a request past its cap times out.
    fn admit(&mut self, now: u64, instance: InstanceSlot, p: Pending, out: &mut Vec<HttpAction>) {
        if self.expired(now, p, out) {
            return;
        }
        let (cap, most) = (self.cfg.executing_cap(), self.cfg.max_outstanding_requests);
        let respond_by_ns = p.arrived_ns + self.cfg.response_cap_ns;
        let Some(a) = self.instances.get_mut(instance) else {
            return;
        };
        let request = p.request;
        if most.is_some_and(|m| a.outstanding() >= m as usize) {
            self.rejected += 1;
            out.push(HttpAction::Rejected { request, instance });
        } else if cap.is_some_and(|c| a.executing >= c) {
            a.queued.push_back(p);
            out.push(HttpAction::Queued { request, instance });
        } else {
            a.executing += 1;
            out.push(HttpAction::Start {
                request,
                instance,
                respond_by_ns,
            });
        }
    }

    /// Whether `p` is past its response cap at `now` (then reported as timed out).
    fn expired(&self, now: u64, p: Pending, out: &mut Vec<HttpAction>) -> bool {
        let at_ns = p.arrived_ns + self.cfg.response_cap_ns;
        let gone = now >= at_ns;
        if gone {
            out.push(HttpAction::TimedOut {
                request: p.request,
                at_ns,
            });
        }
        gone
    }

    /// `instance` is ready: it takes new requests, first the ones waiting for an instance.
    pub fn instance_ready(&mut self, now: u64, instance: InstanceSlot, out: &mut Vec<HttpAction>) {
        if self.instances.get(instance).is_none() {
            self.instances.insert(instance, Admission::default());
        }
        if !self.ready.contains(&instance) {
            self.ready.push(instance);
        }
        while let Some(p) = self.waiting.pop_front() {
            self.admit(now, instance, p, out);
        }
    }

    /// `instance` takes no new requests (draining, or lost): the ones waiting on it go to
    /// another ready instance, or back to the waiting list. The executing ones are the World's.
    pub fn instance_gone(&mut self, now: u64, instance: InstanceSlot, out: &mut Vec<HttpAction>) {
        self.ready.retain(|i| *i != instance);
        self.next = 0;
        let queued = self
            .instances
            .get_mut(instance)
            .map(|a| std::mem::take(&mut a.queued))
            .unwrap_or_default();
        for p in queued {
            match self.pick() {
                Some(other) => self.admit(now, other, p, out),
                None => {
                    self.waiting.push_back(p);
                    out.push(HttpAction::WaitForInstance { request: p.request });
                }
            }
        }
    }

    /// A request executing on `instance` ended: the next one waiting there starts.
    pub fn complete(&mut self, now: u64, instance: InstanceSlot, out: &mut Vec<HttpAction>) {
        let Some(a) = self.instances.get_mut(instance) else {
            return;
        };
        a.executing = a.executing.saturating_sub(1);
        while let Some(p) = self
            .instances
            .get_mut(instance)
            .and_then(|a| a.queued.pop_front())
        {
            if self.expired(now, p, out) {
                continue;
            }
            if let Some(a) = self.instances.get_mut(instance) {
                a.executing += 1;
            }
            out.push(HttpAction::Start {
                request: p.request,
                instance,
                respond_by_ns: p.arrived_ns + self.cfg.response_cap_ns,
            });
            break;
        }
    }

    /// Requests executing on `instance`.
    pub fn executing(&self, instance: InstanceSlot) -> usize {
        self.instances
            .get(instance)
            .map_or(0, |a| a.executing as usize)
    }

    /// Requests `instance` holds, executing or waiting (what maxOutstandingRequests bounds).
    pub fn outstanding(&self, instance: InstanceSlot) -> usize {
        self.instances
            .get(instance)
            .map_or(0, Admission::outstanding)
    }

    /// Requests waiting for a first ready instance (some may be past their cap, reported
    /// when an instance takes them).
    pub fn waiting_for_instance(&self) -> usize {
        self.waiting.len()
    }

    /// Requests waiting on an instance behind its executing ones, over all instances.
    pub fn queued_on_instances(&self) -> usize {
        self.instances.iter().map(|(_, a)| a.queued.len()).sum()
    }

    /// 429s so far.
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// Instances taking new requests.
    pub fn ready_instances(&self) -> usize {
        self.ready.len()
    }
}
