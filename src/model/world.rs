//! The world: its arenas, clock and event queue; the run loop and the dispatch of each event.

use super::event::Event;
use super::ids::{ClientId, FuncId, IdVec, InstanceId, InvId, ProcessId, TaskId, ThreadId};
use super::instance::Instance;
use super::program::Programs;
use super::results::{Progress, RunResult};
use super::sampling::SampleMarks;
use super::slab::Slab;
use super::state::{Activity, FunctionRt, Inv, Task, Thread};
use super::worker::{Job, Process};
use crate::config::DispatchCosts;
use crate::kernel::{EventQueue, RngStreams, SimRng};
use crate::metrics::{Gauge, Recorder, RowSink};
use std::ops::ControlFlow;

/// Kernel steps between two progress reports (and row flushes): rare enough to cost nothing,
/// often enough that a report comes many times a second.
pub const CHECK_EVERY: u64 = 1 << 14;

/// The simulated fleet: its host instances, the worker processes and threads running on them,
/// the invocations in flight, and the clock and event queue that drive them.
pub struct World {
    pub(super) streams: RngStreams,
    /// Handed to invocations whose durations are all constant: never drawn from.
    pub(super) constant_rng: SimRng,
    /// Each live invocation's recorded duration, ns, by its id's slot (trace functions only;
    /// empty otherwise): a column beside the invocations, so their record does not grow.
    pub(super) recorded_ns: Vec<u64>,
    pub(super) now: u64,
    pub(super) queue: EventQueue<Event>,
    pub(super) instances: IdVec<InstanceId, Instance>,
    pub(super) threads: IdVec<ThreadId, Thread>,
    pub(super) processes: IdVec<ProcessId, Process>,
    pub(super) tasks: Slab<TaskId, Task>,
    pub(super) invs: Slab<InvId, Inv>,
    pub(super) programs: Programs,
    pub(super) functions: IdVec<FuncId, FunctionRt>,
    pub(super) costs: DispatchCosts,
    pub(super) free_threaded: bool,
    pub(super) switch_interval_ns: u64,
    pub(super) recorder: Recorder,
    pub(super) wake_list: Vec<ThreadId>,
    pub(super) scratch: Vec<ThreadId>,
    pub(super) next_inv_id: u64,
    /// When the sleeping load generator last sent a request (see `generator_send_time`).
    pub(super) generator_sent_at: u64,
    pub(super) in_flight: Gauge,
    pub(super) horizon: Option<u64>,
    pub(super) sample_interval: u64,
    pub(super) last_sample: SampleMarks,
    pub(super) processed_events: u64,
    /// Arrivals and closed-loop requests in the queue (see `run_end`).
    pub(super) requests_pending: usize,
    /// Periodic events in the queue (see `run_end`).
    pub(super) periodic_pending: usize,
    /// Instances whose cores changed during the current event (see `arm_cpu`).
    pub(super) cpu_touched: Vec<InstanceId>,
    /// The scaled fleet's state, when the experiment has a `scale` block (see `fleet`).
    pub(super) scale: Option<Box<super::fleet::ScaleRt>>,
    /// The function timeout, when the experiment sets one (see `timeout`).
    pub(super) timeouts: Option<Box<super::timeout::Timeouts>>,
    /// How killed worker processes come back, and how many did (see `restart`).
    pub(super) restarts: super::restart::Restarts,
    /// The memory rules, when the run models memory (see `memory`).
    pub(super) memory: Option<Box<super::memory::MemoryModel>>,
    /// The instances by state, kept as they change (see `World::set_state`).
    pub(super) fleet: super::scale::Fleet,
    /// The threads' open stretches, when the run records them (see `thread_log`).
    pub(super) thread_log: Option<Box<super::thread_log::ThreadLog>>,
}

impl World {
    pub(super) fn push(&mut self, at: u64, ev: Event) {
        self.queue.push(crate::kernel::SimTime(at), ev);
    }

    /// Runs to the end (every invocation answered, or the horizon) and returns the results.
    /// Rows go to `sink` as they finish; every [`CHECK_EVERY`] kernel steps `watch` sees the
    /// progress and may stop the run (the result then says why).
    pub fn run(
        mut self,
        sink: &mut dyn RowSink,
        watch: &mut dyn FnMut(&Progress) -> ControlFlow<String>,
    ) -> RunResult {
        // The run ends at its last model event (or the horizon): periodic events observe the
        // model, they neither extend the run nor count as its events (see `run_end`).
        let mut end = 0;
        let mut steps = 0u64;
        let mut stopped = None;
        while let Some((t, ev)) = self.queue.pop() {
            if let Some(h) = self.horizon.filter(|h| t.0 > *h) {
                end = h;
                break;
            }
            self.now = t.0;
            steps += 1;
            if steps.is_multiple_of(CHECK_EVERY) {
                if let ControlFlow::Break(why) = self.check_in(sink, watch) {
                    end = self.now;
                    stopped = Some(why);
                    break;
                }
            }
            if ev == Event::Sample {
                self.periodic_pending -= 1;
                self.sample();
                continue;
            }
            if ev.is_fleet_periodic() {
                self.periodic_pending -= 1;
                if self.run_is_over() {
                    // Observes a finished run: dropped, so it neither re-arms nor moves the end.
                    continue;
                }
            }
            end = t.0;
            self.processed_events += 1;
            self.handle(ev);
            self.drain_wakes();
            self.arm_cpu();
        }
        self.now = end;
        let mut result = self.finish();
        result.recorder.flush(sink);
        result.stopped = stopped.or_else(|| sink.failure());
        result
    }

    /// Hands buffered rows to the sink and reports progress.
    fn check_in(
        &mut self,
        sink: &mut dyn RowSink,
        watch: &mut dyn FnMut(&Progress) -> ControlFlow<String>,
    ) -> ControlFlow<String> {
        self.recorder.flush(sink);
        if let Some(why) = sink.failure() {
            return ControlFlow::Break(why);
        }
        watch(&Progress {
            now_ns: self.now,
            events: self.processed_events,
            arrived: self.recorder.arrived,
            in_flight: self.invs.len() as u64,
            tasks: self.tasks.len() as u64,
        })
    }

    fn handle(&mut self, ev: Event) {
        match ev {
            Event::Arrival { func } => {
                self.requests_pending -= 1;
                let target = self.arrival_target(func);
                self.arrive(target, None);
                self.pull_arrival(func);
            }
            Event::ClientRequest { func, client } => {
                self.requests_pending -= 1;
                let c = self.functions[func]
                    .clients
                    .as_mut()
                    .expect("closed-loop function");
                let open = c.stop_at.is_none_or(|s| self.now < s)
                    && c.per_client_limit.is_none_or(|l| c.sent[client] < l);
                if open {
                    c.sent[client] += 1;
                    self.arrive(func, Some(client));
                }
            }
            Event::Deliver { inv } => self.deliver(inv),
            Event::CpuTick { instance } => self.cpu_tick(instance),
            Event::SleepDone { thread } => self.advance(thread),
            Event::AwakeAfterSleep { thread } => self.awake_after_sleep(thread),
            Event::GilGranted { thread } => self.gil_granted(thread),
            Event::GilSwitch { process, gen } => self.gil_switch(process, gen),
            Event::AwaitDone { task } => {
                let p = self.process_of(self.tasks[task].inv);
                self.post_to_loop(p, Job::Step(task));
            }
            Event::ProcessReady { process } => self.process_ready(process),
            Event::InstancePhase { instance } => self.instance_phase_done(instance),
            Event::QueuePoll {
                func,
                instance,
                ticket,
            } => self.queue_poll(func, instance, ticket),
            Event::ScaleDecision => self.scale_decision(),
            Event::ServiceBusWake { func } => self.servicebus_wake(func),
            Event::PrewarmFilled => self.prewarm_filled(),
            Event::DrainDeadline { instance } => self.drain_deadline(instance),
            Event::FunctionTimeout => self.function_timeout(),
            Event::OutOfMemory { instance } => self.out_of_memory(instance),
            Event::Sample => unreachable!("ticks are handled by run"),
        }
    }

    /// Schedules the next open-loop arrival of `func`, if its source has one.
    pub(super) fn pull_arrival(&mut self, func: FuncId) {
        if let Some(t) = self.functions[func].source.next() {
            self.schedule_request(t.max(self.now), Event::Arrival { func });
        }
    }

    /// Closed-loop `client` of `func` got its answer at `at`: its next request goes after its
    /// think time (never before now).
    pub(super) fn client_answered(&mut self, func: FuncId, client: ClientId, at: u64) {
        let c = self.functions[func].clients.as_mut().expect("closed loop");
        let think = c
            .think
            .sample(&mut c.rng)
            .saturating_add(self.costs.timer_slack_ns);
        let next = at.saturating_add(think).max(self.now);
        self.schedule_request(next, Event::ClientRequest { func, client });
    }

    /// Runs the threads woken during the current event, in wake order (threads they wake are
    /// appended and run in turn).
    fn drain_wakes(&mut self) {
        let mut i = 0;
        while i < self.wake_list.len() {
            let th = self.wake_list[i];
            i += 1;
            if self.threads[th].activity == Activity::Woken {
                self.threads[th].activity = Activity::Idle;
                self.advance(th);
            }
        }
        self.wake_list.clear();
    }

    /// The earliest burst on `instance`'s cores may have ended: the threads whose bursts have
    /// go on.
    fn cpu_tick(&mut self, instance: InstanceId) {
        let now = self.now;
        self.note_cpu_touched(instance);
        let inst = &mut self.instances[instance];
        if inst.cpu_armed == Some(now) {
            inst.cpu_armed = None;
        }
        let mut done = std::mem::take(&mut self.scratch);
        inst.cores.finish_due(now, &mut done);
        for th in done.drain(..) {
            if self.threads[th].activity == Activity::Rejoining {
                self.rejoined(th);
                continue;
            }
            self.threads[th].pending_ns = 0;
            self.advance(th);
        }
        self.scratch = done;
    }

    /// Makes sure an event is pending for the earliest CPU burst end of every instance.
    fn arm_cpu(&mut self) {
        // Only cores that changed during the event can have a new earliest finish; the others
        // keep the tick they have (their virtual time catches up when next touched).
        let mut touched = std::mem::take(&mut self.cpu_touched);
        for instance in touched.drain(..) {
            let inst = &mut self.instances[instance];
            inst.cpu_touched = false;
            let Some(t) = inst.cores.next_finish(self.now) else {
                continue;
            };
            if inst.cpu_armed.is_none_or(|armed| t < armed) {
                inst.cpu_armed = Some(t);
                self.queue
                    .push(crate::kernel::SimTime(t), Event::CpuTick { instance });
            }
        }
        self.cpu_touched = touched;
    }
}
