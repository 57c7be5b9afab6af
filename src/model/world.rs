//! Building the world from an experiment, running it, and what comes out.

use super::event::{Event, InvId, ThreadId};
use super::gil::{Gil, HandoverPolicy};
use super::ids::{IdVec, InstanceId, ProcessId};
use super::instance::Instance;
use super::program::Programs;
use super::results::{Progress, RunResult};
use super::sampling::SampleMarks;
use std::ops::ControlFlow;

/// Kernel steps between two progress reports (and row flushes): rare enough to cost nothing,
/// often enough that a report comes many times a second.
pub const CHECK_EVERY: u64 = 1 << 14;
use super::slab::Slab;
use super::state::{Activity, Clients, FunctionRt, Inv, Role, Task, Thread};
use super::worker::{Job, Pool, Process};
use crate::config::{DispatchCosts, Experiment, Workload};
use crate::kernel::{EventQueue, RngStreams, SimRng};
use crate::metrics::{Gauge, Outcome, Recorder, RowSink, Slot};
use crate::model::program::Sampler;
use crate::workload::ArrivalSource;

/// The simulated fleet: its host instances, the worker processes and threads running on them,
/// the invocations in flight, and the clock and event queue that drive them.
pub struct World {
    pub(super) streams: RngStreams,
    /// Handed to invocations whose durations are all constant: never drawn from.
    pub(super) constant_rng: SimRng,
    pub(super) now: u64,
    pub(super) queue: EventQueue<Event>,
    pub(super) instances: IdVec<InstanceId, Instance>,
    pub(super) threads: Vec<Thread>,
    pub(super) processes: IdVec<ProcessId, Process>,
    pub(super) tasks: Slab<Task>,
    pub(super) invs: Slab<Inv>,
    pub(super) programs: Programs,
    pub(super) functions: Vec<FunctionRt>,
    pub(super) costs: DispatchCosts,
    pub(super) free_threaded: bool,
    pub(super) switch_interval_ns: u64,
    pub(super) recorder: Recorder,
    pub(super) wake_list: Vec<ThreadId>,
    scratch: Vec<ThreadId>,
    pub(super) next_inv_id: u64,
    pub(super) in_flight: Gauge,
    horizon: Option<u64>,
    pub(super) sample_interval: u64,
    pub(super) last_sample: SampleMarks,
    pub(super) processed_events: u64,
}

impl World {
    /// Builds the host instance, its worker processes and the functions' arrival sources.
    pub fn build(exp: &Experiment) -> World {
        let h = &exp.host;
        let streams = RngStreams::new(exp.seed);
        let mut programs = Programs::default();
        let mut functions = Vec::new();
        for f in &exp.functions {
            let root = programs.compile(&f.body);
            // Streams are keyed by the function's name, so adding or reordering functions
            // leaves every other function's draws as they were.
            let clients = match &f.workload {
                Workload::ClosedLoop {
                    clients,
                    think,
                    duration_ns,
                    requests_per_client,
                } => Some(Clients {
                    think: Sampler::new(think),
                    rng: streams.stream(&format!("think/{}", f.name)),
                    stop_at: *duration_ns,
                    per_client_limit: *requests_per_client,
                    sent: vec![0; *clients as usize],
                }),
                _ => None,
            };
            functions.push(FunctionRt {
                kind: f.kind,
                root,
                source: ArrivalSource::new(
                    &f.workload,
                    streams.stream(&format!("arrivals/{}", f.name)),
                ),
                durations_family: programs
                    .draws(root)
                    .then(|| RngStreams::family(&format!("durations/{}", f.name))),
                invocations: 0,
                clients,
            });
        }
        let mut world = World {
            constant_rng: streams.stream("constant"),
            streams,
            now: 0,
            queue: EventQueue::with_capacity(1024),
            instances: IdVec::default(),
            threads: Vec::new(),
            processes: IdVec::default(),
            tasks: Slab::default(),
            invs: Slab::default(),
            programs,
            functions,
            costs: h.dispatch,
            free_threaded: h.free_threaded,
            switch_interval_ns: h.switch_interval_ns,
            recorder: Recorder::new(exp.functions.len(), exp.output.invocations),
            wake_list: Vec::new(),
            scratch: Vec::new(),
            next_inv_id: 0,
            in_flight: Gauge::default(),
            horizon: exp.horizon_ns,
            sample_interval: exp.output.timeseries_interval_ns,
            last_sample: SampleMarks::default(),
            processed_events: 0,
        };
        let instance = world.instances.push(Instance::new(
            h.cores,
            h.processes as usize,
            h.context_switch_ns,
        ));
        for n in 0..h.processes {
            let p = world.processes.next_id();
            let rank = world.instances[instance].add_process(p);
            let mut thread = |role| world.new_thread(p, role);
            let (receiver, loop_thread, sender) = (
                thread(Role::Receiver),
                thread(Role::Loop),
                thread(Role::Sender),
            );
            world.processes.push(Process {
                instance,
                rank,
                ready: false,
                receiver,
                loop_thread,
                sender,
                inbox: Default::default(),
                ready_queue: Default::default(),
                round_left: 0,
                outbox: Default::default(),
                pool: Pool {
                    max: h.threads,
                    ..Pool::default()
                },
                executor: Pool {
                    max: h.default_executor_threads,
                    ..Pool::default()
                },
                gil: Gil::new(
                    streams.indexed("gil", p.index() as u64),
                    HandoverPolicy {
                        previous_holder: h.dispatch.handover_previous_holder,
                        longest_waiter: h.dispatch.handover_longest_waiter,
                    },
                ),
                jitter: streams.indexed("dispatch-jitter", p.index() as u64),
                invocations: 0,
                gil_held: Gauge::default(),
                gil_waiters: Gauge::default(),
                loop_busy: Gauge::default(),
                loop_blocked: Gauge::default(),
                loop_in_user_code: false,
                active_threads: Gauge::default(),
            });
            if h.prewarm_pools {
                world.prewarm(p, h.threads, h.default_executor_threads);
            }
            let ready_at = h.process_start_interval_ns.saturating_mul(n as u64);
            world.queue.push(
                crate::kernel::SimTime(ready_at),
                Event::ProcessReady { process: p },
            );
        }
        for f in 0..world.functions.len() {
            world.pull_arrival(f as u16);
            let clients = world.functions[f]
                .clients
                .as_ref()
                .map_or(0, |c| c.sent.len());
            for client in 0..clients as u32 {
                world.push(
                    0,
                    Event::ClientRequest {
                        func: f as u16,
                        client,
                    },
                );
            }
        }
        world.push(world.sample_interval, Event::Sample);
        world
    }

    pub(super) fn new_thread(&mut self, process: ProcessId, role: Role) -> ThreadId {
        self.threads.push(Thread {
            process,
            role,
            activity: Activity::Idle,
            holds_gil: false,
            pending_ns: 0,
            job: Job::None,
            stage: 0,
            busy: false,
            code: None,
            code_known: true,
            slot: Slot::NONE,
            since: self.now,
        });
        (self.threads.len() - 1) as ThreadId
    }

    /// Starts every pool and default-executor thread of process `p` up front, idle.
    fn prewarm(&mut self, p: ProcessId, pool: u32, executor: u32) {
        for n in 0..pool {
            let th = self.new_thread(p, Role::Pool(n));
            self.processes[p].pool.threads.push(th);
            self.processes[p].pool.idle.push_back(th);
        }
        for n in 0..executor {
            let th = self.new_thread(p, Role::Executor(n));
            self.processes[p].executor.threads.push(th);
            self.processes[p].executor.idle.push_back(th);
        }
    }

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
        // The run ends at its last model event (or the horizon): time-series ticks observe the
        // model, they neither extend the run nor count as its events.
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
                self.sample();
                continue;
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
                self.arrive(func, None);
                self.pull_arrival(func);
            }
            Event::ClientRequest { func, client } => {
                let c = self.functions[func as usize]
                    .clients
                    .as_mut()
                    .expect("closed-loop function");
                let open = c.stop_at.is_none_or(|s| self.now < s)
                    && c.per_client_limit
                        .is_none_or(|l| c.sent[client as usize] < l);
                if open {
                    c.sent[client as usize] += 1;
                    self.arrive(func, Some(client));
                }
            }
            Event::Deliver { inv } => self.deliver(inv),
            Event::CpuTick { instance } => self.cpu_tick(instance),
            Event::SleepDone { thread } => self.advance(thread),
            Event::GilGranted { thread } => self.gil_granted(thread),
            Event::GilSwitch { process, gen } => self.gil_switch(process, gen),
            Event::AwaitDone { task } => {
                let p = self.process_of(self.tasks[task].inv);
                self.post_to_loop(p, Job::Step(task));
            }
            Event::ProcessReady { process } => self.process_ready(process),
            Event::Sample => unreachable!("ticks are handled by run"),
        }
    }

    fn pull_arrival(&mut self, func: u16) {
        if let Some(t) = self.functions[func as usize].source.next() {
            self.push(t.max(self.now), Event::Arrival { func });
        }
    }

    /// The response of `inv` leaves the worker: it is recorded and, for a closed-loop client,
    /// the client's next request is scheduled after its think time.
    pub(super) fn respond(&mut self, inv: InvId) {
        let response = self.now + self.costs.transport_ns;
        self.in_flight.add(self.now, -1);
        let i = &self.invs[inv];
        let (func, client) = (i.func, i.client);
        let row = i.record(Some(response), Outcome::Succeeded);
        self.recorder.code.add_in_flight(func, response - i.arrival);
        self.recorder.finished(row);
        self.invs.remove(inv);
        if let Some(client) = client {
            let c = self.functions[func as usize]
                .clients
                .as_mut()
                .expect("closed loop");
            let think = c
                .think
                .sample(&mut c.rng)
                .saturating_add(self.costs.timer_slack_ns);
            self.push(
                response.saturating_add(think),
                Event::ClientRequest { func, client },
            );
        }
    }

    /// Runs the threads woken during the current event, in wake order (threads they wake are
    /// appended and run in turn).
    fn drain_wakes(&mut self) {
        let mut i = 0;
        while i < self.wake_list.len() {
            let th = self.wake_list[i];
            i += 1;
            if self.threads[th as usize].activity == Activity::Woken {
                self.threads[th as usize].activity = Activity::Idle;
                self.advance(th);
            }
        }
        self.wake_list.clear();
    }

    /// The earliest burst on `instance`'s cores may have ended: the threads whose bursts have
    /// go on.
    fn cpu_tick(&mut self, instance: InstanceId) {
        let now = self.now;
        let inst = &mut self.instances[instance];
        if inst.cpu_armed == Some(now) {
            inst.cpu_armed = None;
        }
        let mut done = std::mem::take(&mut self.scratch);
        let (threads, processes) = (&self.threads, &self.processes);
        inst.cores.finish_due(
            now,
            |t| processes[threads[t as usize].process].rank,
            &mut done,
        );
        for th in done.drain(..) {
            self.threads[th as usize].pending_ns = 0;
            self.advance(th);
        }
        self.scratch = done;
    }

    /// Makes sure an event is pending for the earliest CPU burst end of every instance.
    fn arm_cpu(&mut self) {
        let World {
            instances,
            queue,
            now,
            ..
        } = self;
        for (instance, inst) in instances.ids().zip(instances.iter_mut()) {
            let Some(t) = inst.cores.next_finish(*now) else {
                continue;
            };
            if inst.cpu_armed.is_none_or(|armed| t < armed) {
                inst.cpu_armed = Some(t);
                queue.push(crate::kernel::SimTime(t), Event::CpuTick { instance });
            }
        }
    }
}
