//! The time series: a row per sampling interval of time-averaged gauges, written without
//! extending the run; stretches with nothing in flight are skipped.

use super::event::Event;
use super::world::World;
use crate::metrics::TimeseriesRow;

/// Integrals at the previous sample, to turn running areas into interval averages.
#[derive(Default)]
pub(super) struct SampleMarks {
    pub(super) t: u64,
    pub(super) in_flight: i128,
    pub(super) queued: i128,
    pub(super) busy: i128,
    pub(super) gil: i128,
    pub(super) blocked: i128,
    pub(super) cpu: f64,
    pub(super) memory: i128,
}

impl World {
    /// Writes the time-series row of the interval ending now and schedules the next tick
    /// (skipping idle stretches).
    pub(super) fn sample(&mut self) {
        let now = self.now;
        let dt = now.saturating_sub(self.last_sample.t).max(1) as f64;
        let n = self.processes.len() as f64;
        let gil: i128 = self.processes.iter().map(|p| p.gil_held.area(now)).sum();
        let blocked: i128 = self
            .processes
            .iter()
            .map(|p| p.loop_blocked.area(now))
            .sum();
        let cpu = self.fleet_busy_core_ns(now);
        let in_flight = self.in_flight.area(now);
        let queued: i128 = self.instances.iter().map(|i| i.queued.area(now)).sum();
        let busy: i128 = self
            .instances
            .iter()
            .map(|i| i.busy_threads.area(now))
            .sum();
        let fleet = self.fleet_sample();
        let memory = self.memory_area(now);
        let m = &self.last_sample;
        self.recorder.sampled(TimeseriesRow {
            t_ns: now,
            in_flight: (in_flight - m.in_flight) as f64 / dt,
            queued: (queued - m.queued) as f64 / dt,
            busy_threads: (busy - m.busy) as f64 / dt,
            gil_held: (gil - m.gil) as f64 / dt / n,
            loop_blocked: (blocked - m.blocked) as f64 / dt / n,
            cpu_utilisation: (cpu - m.cpu) / dt / self.fleet_cores(),
            fleet,
            memory_mb: memory.map(|kib_ns| (kib_ns - m.memory) as f64 / dt / 1024.0),
        });
        self.last_sample = SampleMarks {
            t: now,
            in_flight,
            queued,
            busy,
            gil,
            blocked,
            cpu,
            memory: memory.unwrap_or(0),
        };
        if self.run_is_over() {
            return;
        }
        let Some(next_event) = self.queue.peek_time().map(|t| t.0) else {
            return;
        };
        let mut next = now + self.sample_interval;
        if self.in_flight.value() == 0 && next_event > next {
            // Idle (nothing in flight, so no thread, GIL or core is busy): skip the empty
            // intervals up to the one holding the next event; rows resume on the same grid.
            let skipped = (next_event - now) / self.sample_interval;
            next = now + skipped * self.sample_interval;
            self.last_sample.t = next - self.sample_interval;
            if next == now {
                next += self.sample_interval;
            }
        }
        self.schedule_periodic(next, Event::Sample);
    }
}
