//! The pre-warmed buffer (Premium): instances kept allocated, their host started, beyond the
//! instances in use. A new instance the controller asks for is taken from the buffer when one
//! is warm, and so skips allocation and host start (and its workers' start too with
//! `prewarmed_workers`); a replacement then starts in the background, paying its own start,
//! which no request waits for. Settings and sources: `config::scale::ScaleConfig::prewarmed`.
//!
//! The buffer is a count, not instances of the fleet: a buffered instance takes no work and the
//! controller does not see it. It fills from the first decision that sees work and never holds
//! more than the room under the ceiling (`active + buffer <= ceiling`: none is pre-warmed
//! beyond the maximum). A refill's end is a periodic event (`PrewarmFilled`): it observes no
//! request, so it never keeps a finished run alive.

use super::event::Event;
use super::program::Sampler;
use super::world::World;
use crate::config::scale::ScaleConfig;
use crate::kernel::SimRng;

/// The buffer and how long a refill takes.
pub(super) struct PrewarmBuffer {
    /// Instances wanted in the buffer (`prewarmed`).
    size: u32,
    /// Warm and waiting to be used.
    warm: u32,
    /// Refills under way.
    filling: u32,
    /// A decision has seen work: the buffer fills from then on.
    started: bool,
    /// Instances taken from the buffer so far.
    pub(super) used: u64,
    /// A refill's allocation.
    allocate: Sampler,
    /// A refill's host start.
    host_start: Sampler,
    /// One worker process's start, paid by a refill only with `prewarmed_workers`.
    worker_start: Option<Sampler>,
    /// Worker processes per instance.
    processes: u32,
    /// Draws of refill durations (a stream of their own: cold starts draw the same with or
    /// without a buffer).
    rng: SimRng,
}

impl PrewarmBuffer {
    /// An empty buffer for `config`'s `prewarmed` instances of `processes` worker processes.
    pub(super) fn new(config: &ScaleConfig, processes: u32, rng: SimRng) -> PrewarmBuffer {
        let c = &config.cold_start;
        PrewarmBuffer {
            size: config.prewarmed,
            warm: 0,
            filling: 0,
            started: false,
            used: 0,
            allocate: Sampler::new(&c.allocate),
            host_start: Sampler::new(&c.host_start),
            worker_start: config
                .prewarmed_workers
                .then(|| Sampler::new(&c.worker_start)),
            processes,
            rng,
        }
    }

    /// How long one refill takes, ns.
    fn refill_ns(&mut self) -> u64 {
        let mut d = self.allocate.sample(&mut self.rng);
        d = d.saturating_add(self.host_start.sample(&mut self.rng));
        if let Some(w) = self.worker_start.as_ref() {
            for _ in 0..self.processes {
                d = d.saturating_add(w.sample(&mut self.rng));
            }
        }
        d
    }
}

impl World {
    /// Takes an instance from the buffer, if one is warm.
    pub(super) fn take_prewarmed(&mut self) -> bool {
        let b = &mut self.scale_rt().prewarm;
        if b.warm == 0 {
            return false;
        }
        b.warm -= 1;
        b.used += 1;
        let now = self.now;
        self.recorder.usage.buffer(now, -1);
        true
    }

    /// After a decision: once the app has seen work, start refills until the buffer (warm and
    /// filling) holds `prewarmed`, or the room left under the ceiling.
    pub(super) fn top_up_prewarmed(&mut self, saw_work: bool) {
        let active = self.fleet_counts().active();
        let rt = self.scale_rt();
        let ceiling = rt.controller.config().ceiling();
        let b = &mut rt.prewarm;
        b.started |= saw_work;
        if !b.started {
            return;
        }
        let wanted = b.size.min(ceiling.saturating_sub(active));
        let mut refills = Vec::new();
        while b.warm + b.filling < wanted {
            b.filling += 1;
            refills.push(b.refill_ns());
        }
        let now = self.now;
        self.recorder.usage.buffer(now, refills.len() as i64);
        for d in refills {
            self.schedule_periodic(self.now.saturating_add(d), Event::PrewarmFilled);
        }
    }

    /// A refill is done: one more instance is warm.
    pub(super) fn prewarm_filled(&mut self) {
        let b = &mut self.scale_rt().prewarm;
        b.filling = b.filling.saturating_sub(1);
        b.warm += 1;
    }
}
