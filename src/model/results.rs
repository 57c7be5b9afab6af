//! What a run produces: per-process statistics and the recorder, collected when the clock
//! stops (invocations still in flight are recorded as pending).

use super::world::World;
use crate::metrics::summary::ProcessSummary;
use crate::metrics::{HandoverPlacement, Outcome, Recorder, StallTally};

/// Everything a run produced.
pub struct RunResult {
    /// Measurements.
    pub recorder: Recorder,
    /// Per-process statistics (unrounded).
    pub processes: Vec<ProcessSummary>,
    /// Simulated time at the end (ns).
    pub end_ns: u64,
    /// Events processed.
    pub events: u64,
    /// Share of the fleet's cores used over the run.
    pub cpu_utilisation: f64,
    /// Share of the fleet's cores idle while a runnable thread waited for a CPU, when the
    /// cores place threads on CPUs (`placement: HomeCpu`).
    pub cpu_idle_while_waiting: Option<f64>,
    /// The stretches behind `cpu_idle_while_waiting`, one by one (`placement: HomeCpu`).
    pub cpu_stalls: Option<StallTally>,
    /// Where the GIL hand-overs between body threads ran, when the cores place threads on
    /// CPUs.
    pub gil_handovers: Option<HandoverPlacement>,
    /// Why the run was stopped before its end, if it was (a budget or a failed write).
    pub stopped: Option<String>,
    /// The fleet's record, when the app scaled (a `scale` block).
    pub scaling: Option<super::scaling::ScalingResult>,
    /// Each instance's memory, when the run models memory.
    pub memory: Option<super::memory::MemoryResult>,
    /// Worker process restarts, by cause.
    pub restarts: super::restart::RestartCounts,
}

/// How far a run has got: what a progress bar or a budget check needs.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Simulated time, ns.
    pub now_ns: u64,
    /// Model events processed.
    pub events: u64,
    /// Invocations arrived.
    pub arrived: u64,
    /// Invocations in the system (arrived, not answered): what the model's memory grows with.
    pub in_flight: u64,
    /// Live tasks (bodies, gather branches, executor calls): memory grows with them too.
    pub tasks: u64,
}

impl World {
    /// Messages and events still waiting outside every instance when the run stops: pending
    /// arrivals without a row.
    fn record_waiting_messages(&mut self) {
        let Some(rt) = self.scale.as_ref() else {
            return;
        };
        for f in self.functions.ids() {
            for (n, oldest) in [
                rt.queues.waiting_at_end(f),
                rt.servicebus.waiting_at_end(f),
                rt.eventhubs.waiting_at_end(f),
            ] {
                self.recorder.waiting_at_end(n, oldest.unwrap_or(self.now));
            }
        }
    }

    pub(super) fn finish(mut self) -> RunResult {
        let now = self.now;
        self.attribute_open_stretches();
        self.close_thread_log();
        for inv in self.invs.live_ids() {
            let i = &self.invs[inv];
            let instance = i.process.map(|p| self.processes[p].instance);
            let row = i.record(None, Outcome::Pending, instance, self.arrivals_held(inv));
            self.recorder
                .code
                .add_in_flight(i.func.number(), now - i.arrival);
            self.recorder.finished(row);
        }
        self.record_waiting_messages();
        let elapsed = now.max(1) as f64;
        let mut stats = Vec::new();
        for p in self.processes.ids() {
            let rank = self.processes[p].rank;
            let cpu = self.instance_of(p).cores.process_cpu_ns(rank, now);
            let pr = &self.processes[p];
            let held = pr.gil_held.area(now) as f64;
            let wait = pr.gil_waiters.area(now) as f64;
            let active = pr.active_threads.area(now) as f64;
            stats.push(ProcessSummary {
                process: p.index(),
                invocations: pr.invocations,
                cpu_cores: cpu / elapsed,
                gil_held: held / elapsed,
                gil_wait_share: if active > 0.0 { wait / active } else { 0.0 },
                mean_gil_waiters: wait / elapsed,
                loop_busy: pr.loop_busy.area(now) as f64 / elapsed,
                loop_blocked: pr.loop_blocked.area(now) as f64 / elapsed,
                pool_size: pr.pool.max,
                pool_threads_started: pr.pool.threads.len() as u32,
                executor_size: pr.executor.max,
                executor_threads_started: pr.executor.threads.len() as u32,
            });
        }
        let cpu_utilisation = self.fleet_busy_core_ns(now) / elapsed / self.fleet_cores();
        let cpu_idle_while_waiting = self
            .fleet_idle_while_waiting_ns(now)
            .map(|ns| ns / elapsed / self.fleet_cores());
        let cpu_stalls = self.fleet_stalls(now);
        let gil_handovers = self.fleet_handover_placement();
        let scaling = self.scaling_result();
        let memory = self.memory_result();
        RunResult {
            memory,
            restarts: self.restarts.counts,
            recorder: self.recorder,
            processes: stats,
            end_ns: now,
            events: self.processed_events,
            cpu_utilisation,
            cpu_idle_while_waiting,
            cpu_stalls,
            gil_handovers,
            stopped: None,
            scaling,
        }
    }
}
