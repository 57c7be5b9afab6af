//! Building the world from an experiment, running it, and what comes out.

use super::cpu::Cores;
use super::event::{Event, InvId, TaskId, ThreadId};
use super::gil::{Gil, HandoverPolicy};
use super::program::{ProgId, Programs};
use super::slab::Slab;
use super::worker::{Job, Pool, Process};
use crate::config::{DispatchCosts, Experiment, FunctionKind, Workload};
use crate::kernel::{EventQueue, RngStreams, SimRng};
use crate::metrics::{Gauge, InvocationRecord, Outcome, Recorder, ThreadLabel, TimeseriesRow};
use crate::model::program::Sampler;
use crate::workload::ArrivalSource;

/// What a thread is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// gRPC reader.
    Receiver,
    /// Main thread with the asyncio loop.
    Loop,
    /// Response writer.
    Sender,
    /// Function thread pool, thread n.
    Pool(u32),
    /// Default executor, thread n.
    Executor(u32),
}

/// What a thread is doing right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// No work; not holding the GIL.
    Idle,
    /// Told to look for work at the end of the current event.
    Woken,
    /// Waiting for the GIL.
    WaitGil,
    /// Handed the GIL, waking up.
    Waking,
    /// On a core; `gil` says whether it runs Python (holding the GIL) or native code.
    OnCpu {
        /// Holding the GIL.
        gil: bool,
    },
    /// In a blocking call.
    Blocked,
}

/// One OS thread of a worker process.
#[derive(Debug)]
pub struct Thread {
    /// Owning process.
    pub process: u16,
    /// What it is for.
    pub role: Role,
    /// What it does now.
    pub activity: Activity,
    /// It is the GIL holder.
    pub holds_gil: bool,
    /// CPU work left of the current op, ns (kept across preemption).
    pub pending_ns: u64,
    /// Current work.
    pub job: Job,
    /// Progress through a dispatch-path job.
    pub stage: u8,
    /// A pool thread with work (counted in the busy-threads gauge).
    pub busy: bool,
}

/// A running program: an invocation's body, a gather branch, or an executor call.
#[derive(Debug, Clone, Copy)]
pub struct Task {
    /// The invocation it belongs to.
    pub inv: InvId,
    /// The program.
    pub prog: ProgId,
    /// Next step.
    pub pc: u32,
    /// The task awaiting this one (gather / run_in_executor), if any.
    pub parent: Option<TaskId>,
    /// Children still running.
    pub pending: u32,
    /// The body of the invocation (not a branch).
    pub root: bool,
    /// Its first step has begun.
    pub started: bool,
    /// A coroutine task whose creation cost the loop has paid.
    pub launched: bool,
    /// A blocking call just returned: the thread must take the GIL back before going on.
    pub reacquire: bool,
}

/// An invocation in flight.
#[derive(Debug, Clone, Copy)]
pub struct Inv {
    /// Arrival order.
    pub id: u64,
    /// Function index.
    pub func: u16,
    /// Arrival at the host.
    pub arrival: u64,
    /// Body start.
    pub start: Option<u64>,
    /// Body end.
    pub end: Option<u64>,
    /// Worker process.
    pub process: u16,
    /// Thread that ran the body.
    pub thread: Option<ThreadLabel>,
    /// Closed-loop client that sent it.
    pub client: Option<u32>,
}

/// Runtime state of one function.
pub struct FunctionRt {
    /// def / async def.
    pub kind: FunctionKind,
    /// Body program.
    pub root: ProgId,
    /// Open-loop arrivals.
    pub source: ArrivalSource,
    /// Durations of its steps.
    pub rng: SimRng,
    /// Closed-loop clients, if any.
    pub clients: Option<Clients>,
}

/// Closed-loop clients of one function.
pub struct Clients {
    think: Sampler,
    rng: SimRng,
    stop_at: Option<u64>,
    per_client_limit: Option<u64>,
    sent: Vec<u64>,
}

/// The whole simulated host instance.
pub struct World {
    pub(super) now: u64,
    pub(super) queue: EventQueue<Event>,
    pub(super) cores: Cores,
    cores_capacity: f64,
    pub(super) threads: Vec<Thread>,
    pub(super) processes: Vec<Process>,
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
    pub(super) cpu_armed: Option<u64>,
    rr_counter: u64,
    ready_processes: Vec<u16>,
    next_inv_id: u64,
    pub(super) in_flight: Gauge,
    pub(super) queued: Gauge,
    pub(super) busy_threads: Gauge,
    horizon: Option<u64>,
    sample_interval: u64,
    last_sample: SampleMarks,
    processed_events: u64,
}

/// Integrals at the previous sample, to turn running areas into interval averages.
#[derive(Default)]
struct SampleMarks {
    t: u64,
    in_flight: i128,
    queued: i128,
    busy: i128,
    gil: i128,
    blocked: i128,
    cpu: f64,
}

/// Per-process results.
#[derive(Debug, Clone)]
pub struct ProcessStats {
    /// Invocations routed to it.
    pub invocations: u64,
    /// Core-seconds it used / elapsed seconds.
    pub cpu_utilisation: f64,
    /// Share of time its GIL had a holder.
    pub gil_held: f64,
    /// Of the thread-time spent wanting to run Python, the share spent waiting for the GIL.
    pub gil_wait_share: f64,
    /// Mean number of threads waiting for the GIL.
    pub mean_gil_waiters: f64,
    /// Share of time the loop thread had work.
    pub loop_busy: f64,
    /// Share of time the loop thread was inside a blocking call or native code.
    pub loop_blocked: f64,
    /// Thread-pool threads created.
    pub pool_threads: u32,
    /// Default-executor threads created.
    pub executor_threads: u32,
}

/// Everything a run produced.
pub struct RunResult {
    /// Measurements.
    pub recorder: Recorder,
    /// Per-process statistics.
    pub processes: Vec<ProcessStats>,
    /// Simulated time at the end (ns).
    pub end_ns: u64,
    /// Events processed.
    pub events: u64,
    /// Share of the instance's cores used over the run.
    pub cpu_utilisation: f64,
}

impl World {
    /// Builds the host instance, its worker processes and the functions' arrival sources.
    pub fn build(exp: &Experiment) -> World {
        let h = &exp.host;
        let streams = RngStreams::new(exp.seed);
        let mut programs = Programs::default();
        let mut functions = Vec::new();
        for (i, f) in exp.functions.iter().enumerate() {
            let root = programs.compile(&f.body);
            let clients = match &f.workload {
                Workload::ClosedLoop {
                    clients,
                    think,
                    duration_ns,
                    requests_per_client,
                } => Some(Clients {
                    think: Sampler::new(think),
                    rng: streams.indexed("think", i as u64),
                    stop_at: *duration_ns,
                    per_client_limit: *requests_per_client,
                    sent: vec![0; *clients as usize],
                }),
                _ => None,
            };
            functions.push(FunctionRt {
                kind: f.kind,
                root,
                source: ArrivalSource::new(&f.workload, streams.indexed("arrivals", i as u64)),
                rng: streams.indexed("durations", i as u64),
                clients,
            });
        }
        let mut world = World {
            now: 0,
            queue: EventQueue::with_capacity(1024),
            cores: Cores::new(h.cores, h.processes as usize),
            cores_capacity: h.cores,
            threads: Vec::new(),
            processes: Vec::new(),
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
            cpu_armed: None,
            rr_counter: 0,
            ready_processes: Vec::new(),
            next_inv_id: 0,
            in_flight: Gauge::default(),
            queued: Gauge::default(),
            busy_threads: Gauge::default(),
            horizon: exp.horizon_ns,
            sample_interval: exp.output.timeseries_interval_ns,
            last_sample: SampleMarks::default(),
            processed_events: 0,
        };
        for p in 0..h.processes as u16 {
            let mut thread = |role| world.new_thread(p, role);
            let (receiver, loop_thread, sender) = (
                thread(Role::Receiver),
                thread(Role::Loop),
                thread(Role::Sender),
            );
            world.processes.push(Process {
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
                    streams.indexed("gil", p as u64),
                    HandoverPolicy {
                        previous_holder: h.dispatch.handover_previous_holder,
                        longest_waiter: h.dispatch.handover_longest_waiter,
                    },
                ),
                jitter: streams.indexed("dispatch-jitter", p as u64),
                invocations: 0,
                gil_held: Gauge::default(),
                gil_waiters: Gauge::default(),
                loop_busy: Gauge::default(),
                loop_blocked: Gauge::default(),
            });
            if h.prewarm_pools {
                world.prewarm(p as usize, h.threads, h.default_executor_threads);
            }
            let ready_at = h.process_start_interval_ns.saturating_mul(p as u64);
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

    pub(super) fn new_thread(&mut self, process: u16, role: Role) -> ThreadId {
        self.threads.push(Thread {
            process,
            role,
            activity: Activity::Idle,
            holds_gil: false,
            pending_ns: 0,
            job: Job::None,
            stage: 0,
            busy: false,
        });
        (self.threads.len() - 1) as ThreadId
    }

    /// Starts every pool and default-executor thread of process `p` up front, idle.
    fn prewarm(&mut self, p: usize, pool: u32, executor: u32) {
        for n in 0..pool {
            let th = self.new_thread(p as u16, Role::Pool(n));
            self.processes[p].pool.threads.push(th);
            self.processes[p].pool.idle.push_back(th);
        }
        for n in 0..executor {
            let th = self.new_thread(p as u16, Role::Executor(n));
            self.processes[p].executor.threads.push(th);
            self.processes[p].executor.idle.push_back(th);
        }
    }

    pub(super) fn push(&mut self, at: u64, ev: Event) {
        self.queue.push(crate::kernel::SimTime(at), ev);
    }

    /// Runs to the end (every invocation answered, or the horizon) and returns the results.
    pub fn run(mut self) -> RunResult {
        while let Some((t, ev)) = self.queue.pop() {
            if self.horizon.is_some_and(|h| t.0 > h) {
                self.now = self.horizon.unwrap_or(t.0);
                break;
            }
            self.now = t.0;
            self.processed_events += 1;
            self.handle(ev);
            self.drain_wakes();
            self.arm_cpu();
        }
        self.finish()
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
            Event::CpuTick => self.cpu_tick(),
            Event::SleepDone { thread } => self.op_done(thread),
            Event::GilGranted { thread } => self.gil_granted(thread),
            Event::GilSwitch { process, gen } => self.gil_switch(process, gen),
            Event::AwaitDone { task } => {
                let p = self.invs[self.tasks[task].inv].process as usize;
                self.post_to_loop(p, Job::Step(task));
            }
            Event::ProcessReady { process } => {
                self.processes[process as usize].ready = true;
                self.ready_processes.push(process);
            }
            Event::Sample => self.sample(),
        }
    }

    fn pull_arrival(&mut self, func: u16) {
        if let Some(t) = self.functions[func as usize].source.next() {
            self.push(t.max(self.now), Event::Arrival { func });
        }
    }

    /// A request arrives at the host and is routed to a ready process: the host's dispatcher
    /// keeps one counter for all functions, increments it, then picks `counter % ready`
    /// (RpcFunctionInvocationDispatcherLoadBalancer): blind to load.
    fn arrive(&mut self, func: u16, client: Option<u32>) {
        self.recorder.arrived(self.now);
        self.in_flight.add(self.now, 1);
        self.queued.add(self.now, 1);
        self.rr_counter += 1;
        // Process 0 is ready at t = 0, before any arrival (its event was scheduled first).
        let ready = &self.ready_processes;
        let process = ready[(self.rr_counter % ready.len() as u64) as usize];
        self.processes[process as usize].invocations += 1;
        let inv = self.invs.insert(Inv {
            id: self.next_inv_id,
            func,
            arrival: self.now,
            start: None,
            end: None,
            process,
            thread: None,
            client,
        });
        self.next_inv_id += 1;
        if self.costs.transport_ns == 0 {
            self.deliver(inv);
        } else {
            self.push(self.now + self.costs.transport_ns, Event::Deliver { inv });
        }
    }

    /// The request reaches its worker's receiver thread.
    fn deliver(&mut self, inv: InvId) {
        let p = self.invs[inv].process as usize;
        self.processes[p].inbox.push_back(inv);
        let r = self.processes[p].receiver;
        self.wake(r);
    }

    /// The response of `inv` leaves the worker: it is recorded and, for a closed-loop client,
    /// the client's next request is scheduled after its think time.
    pub(super) fn respond(&mut self, inv: InvId) {
        let i = self.invs[inv];
        let response = self.now + self.costs.transport_ns;
        self.in_flight.add(self.now, -1);
        self.recorder.finished(InvocationRecord {
            id: i.id,
            function: i.func,
            arrival: i.arrival,
            start: i.start,
            end: i.end,
            response: Some(response),
            process: i.process,
            thread: i.thread,
            outcome: Outcome::Succeeded,
        });
        self.invs.remove(inv);
        if let Some(client) = i.client {
            let c = self.functions[i.func as usize]
                .clients
                .as_mut()
                .expect("closed loop");
            let think = c
                .think
                .sample(&mut c.rng)
                .saturating_add(self.costs.timer_slack_ns);
            self.push(
                response.saturating_add(think),
                Event::ClientRequest {
                    func: i.func,
                    client,
                },
            );
        }
    }

    fn sample(&mut self) {
        let now = self.now;
        let dt = now.saturating_sub(self.last_sample.t).max(1) as f64;
        let n = self.processes.len() as f64;
        let gil: i128 = self.processes.iter().map(|p| p.gil_held.area(now)).sum();
        let blocked: i128 = self
            .processes
            .iter()
            .map(|p| p.loop_blocked.area(now))
            .sum();
        let cpu = self.cores.busy_core_ns(now);
        let (in_flight, queued, busy) = (
            self.in_flight.area(now),
            self.queued.area(now),
            self.busy_threads.area(now),
        );
        let m = &self.last_sample;
        self.recorder.timeseries.push(TimeseriesRow {
            t_ns: now,
            in_flight: (in_flight - m.in_flight) as f64 / dt,
            queued: (queued - m.queued) as f64 / dt,
            busy_threads: (busy - m.busy) as f64 / dt,
            gil_held: (gil - m.gil) as f64 / dt / n,
            loop_blocked: (blocked - m.blocked) as f64 / dt / n,
            cpu_utilisation: (cpu - m.cpu) / dt / self.cores_capacity,
        });
        self.last_sample = SampleMarks {
            t: now,
            in_flight,
            queued,
            busy,
            gil,
            blocked,
            cpu,
        };
        let Some(next_event) = self.queue.peek_time().map(|t| t.0) else {
            return; // nothing can happen any more
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
        self.push(next, Event::Sample);
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

    fn cpu_tick(&mut self) {
        if self.cpu_armed == Some(self.now) {
            self.cpu_armed = None;
        }
        let mut done = std::mem::take(&mut self.scratch);
        let threads = &self.threads;
        self.cores.finish_due(
            self.now,
            |t| threads[t as usize].process as usize,
            &mut done,
        );
        for th in done.drain(..) {
            self.threads[th as usize].pending_ns = 0;
            self.op_done(th);
        }
        self.scratch = done;
    }

    /// Makes sure an event is pending for the earliest CPU burst end.
    fn arm_cpu(&mut self) {
        if let Some(t) = self.cores.next_finish(self.now) {
            if self.cpu_armed.is_none_or(|armed| t < armed) {
                self.cpu_armed = Some(t);
                self.push(t, Event::CpuTick);
            }
        }
    }

    fn finish(mut self) -> RunResult {
        let now = self.now;
        for inv in self.invs.live_ids() {
            let i = self.invs[inv];
            self.recorder.finished(InvocationRecord {
                id: i.id,
                function: i.func,
                arrival: i.arrival,
                start: i.start,
                end: i.end,
                response: None,
                process: i.process,
                thread: i.thread,
                outcome: Outcome::Pending,
            });
        }
        let elapsed = now.max(1) as f64;
        let mut stats = Vec::new();
        for p in 0..self.processes.len() {
            let cpu = self.cores.process_cpu_ns(p, now);
            let pr = &self.processes[p];
            let held = pr.gil_held.area(now) as f64;
            let wait = pr.gil_waiters.area(now) as f64;
            stats.push(ProcessStats {
                invocations: pr.invocations,
                cpu_utilisation: cpu / elapsed,
                gil_held: held / elapsed,
                gil_wait_share: if held + wait > 0.0 {
                    wait / (held + wait)
                } else {
                    0.0
                },
                mean_gil_waiters: wait / elapsed,
                loop_busy: pr.loop_busy.area(now) as f64 / elapsed,
                loop_blocked: pr.loop_blocked.area(now) as f64 / elapsed,
                pool_threads: pr.pool.threads.len() as u32,
                executor_threads: pr.executor.threads.len() as u32,
            });
        }
        let cpu_utilisation = self.cores.busy_core_ns(now) / elapsed / self.cores_capacity;
        RunResult {
            recorder: self.recorder,
            processes: stats,
            end_ns: now,
            events: self.processed_events,
            cpu_utilisation,
        }
    }
}
