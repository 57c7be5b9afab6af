//! Building the world from a validated experiment: the topology is checked first, so a world
//! that cannot run is refused with a [`BuildError`] before time starts; then the functions
//! (programs, arrival sources, clients), the instance and its worker processes, and the first
//! events.

use super::event::Event;
use super::fleet::{count_state, ScaleRt};
use super::gil::{Gil, HandoverPolicy};
use super::ids::{ClientId, FuncId, Id, IdVec, InstanceId, ProcessId, ProcessRank, ThreadId};
use super::instance::{Instance, InstanceState};
use super::memory::{MemoryDraws, MemoryModel};
use super::program::{Programs, Sampler};
use super::restart::Restarts;
use super::sampling::SampleMarks;
use super::scale::Fleet;
use super::slab::Slab;
use super::state::{Activity, Clients, Failures, FunctionRt, Role, Thread};
use super::timeout::Timeouts;
use super::worker::{Job, Pool, Process};
use super::world::World;
use crate::config::{Experiment, FunctionSpec, HostConfig, Placement, TriggerConfig, Workload};
use crate::kernel::{EventQueue, RngStreams};
use crate::metrics::thread_states::StateLog;
use crate::metrics::{Gauge, Recorder, Slot, UsageMeter};
use crate::workload::ArrivalSource;

/// A topology the model cannot run. The checked config path never produces one; experiments
/// built in code (benchmarks, tests, `sim validate`'s cases) can.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BuildError {
    /// No worker process: nothing could receive a request.
    #[error("host.processes = 0: an instance needs at least one worker process; set host.processes to 1 or more")]
    NoProcesses,
    /// More processes than a process id can number.
    #[error("host.processes = {0}: the model numbers at most {max} processes; use fewer", max = ProcessId::LIMIT + 1)]
    TooManyProcesses(u32),
    /// No thread in the function pool: a `def` body would never run.
    #[error("host.threads = 0: the thread pool needs at least one thread; set host.threads to 1 or more")]
    NoThreads,
    /// Cores that cannot run anything.
    #[error("host.cores = {0}: an instance needs a positive, finite number of cores (0.25 or more on Azure's smallest plan)")]
    NoCores(f64),
    /// A zero switch interval with a GIL: hand-overs would fall due forever at one instant.
    #[error("host.switch_interval_ms = 0: the GIL's switch interval must be positive (CPython's default is 5 ms)")]
    NoSwitchInterval,
    /// A zero sampling interval: time-series rows would be written forever at one instant.
    #[error("output.timeseries_interval_ms = 0: the time series needs a positive interval (1 ms is the default)")]
    NoSampleInterval,
    /// A function's arrivals could not be prepared (a trace's grouped rest).
    #[error("the arrivals of function {0:?}: {1}")]
    Arrivals(String, String),
    /// More functions than a function id can number.
    #[error("{0} functions: the model numbers at most {max} functions; split the app", max = FuncId::LIMIT + 1)]
    TooManyFunctions(usize),
    /// An HTTP trigger with no fleet for its front end to spread requests over.
    #[error("functions[{0}].trigger = Http needs a `scale` block (the instances its requests are spread over): add `scale: Scale(min_instances: 1, max_instances: 1)` for one fixed instance, or `scale: Scale()` to scale from zero; or remove the trigger to deliver requests directly to the one instance")]
    HttpWithoutScale(usize),
    /// A queue trigger with nothing to scale its listeners' instances.
    #[error("functions[{0}].trigger = StorageQueue needs a `scale` block (the instances that listen to the queue): add `scale: Scale()` for the defaults, or `scale: Scale(min_instances: 1, max_instances: 1)` for one fixed instance")]
    QueueWithoutScale(usize),
    /// A Service Bus trigger with no instances for its receivers.
    #[error("functions[{0}].trigger = ServiceBus needs a `scale` block (the instances that receive its messages): add `scale: Scale()` for the defaults, or `scale: Scale(min_instances: 1, max_instances: 1)` for one fixed instance")]
    ServiceBusWithoutScale(usize),
    /// An Event Hubs trigger with no instances to own its partitions.
    #[error("functions[{0}].trigger = EventHubs needs a `scale` block (the instances that own its partitions): add `scale: Scale()` for the defaults, or `scale: Scale(min_instances: 1, max_instances: 1)` for one fixed instance")]
    EventHubsWithoutScale(usize),
}

/// The first function whose trigger a run cannot honour, if any: every trigger needs a
/// fleet (a `scale` block) for its front end to hand work to.
fn check_triggers(exp: &Experiment) -> Result<(), BuildError> {
    if exp.scale.is_some() {
        return Ok(());
    }
    for (index, f) in exp.functions.iter().enumerate() {
        let refusal = match &f.trigger {
            None => continue,
            Some(TriggerConfig::StorageQueue(_)) => BuildError::QueueWithoutScale(index),
            Some(TriggerConfig::Http(_)) => BuildError::HttpWithoutScale(index),
            Some(TriggerConfig::ServiceBus(_)) => BuildError::ServiceBusWithoutScale(index),
            Some(TriggerConfig::EventHubs(_)) => BuildError::EventHubsWithoutScale(index),
        };
        return Err(refusal);
    }
    Ok(())
}

/// The first topology problem of `exp`, if any.
fn check(exp: &Experiment) -> Result<(), BuildError> {
    let h = &exp.host;
    if h.processes == 0 {
        return Err(BuildError::NoProcesses);
    }
    if h.processes as usize > ProcessId::LIMIT + 1 {
        return Err(BuildError::TooManyProcesses(h.processes));
    }
    if h.threads == 0 {
        return Err(BuildError::NoThreads);
    }
    if !(h.cores.is_finite() && h.cores > 0.0) {
        return Err(BuildError::NoCores(h.cores));
    }
    if h.switch_interval_ns == 0 && !h.free_threaded {
        return Err(BuildError::NoSwitchInterval);
    }
    if exp.output.timeseries_interval_ns == 0 {
        return Err(BuildError::NoSampleInterval);
    }
    if exp.functions.len() > FuncId::LIMIT + 1 {
        return Err(BuildError::TooManyFunctions(exp.functions.len()));
    }
    check_triggers(exp)
}

impl World {
    /// Builds the world of `exp`: its host instance, the instance's worker processes and the
    /// functions' arrival sources, with the first events scheduled. Refuses a topology the
    /// model cannot run (see [`BuildError`]).
    pub fn build(exp: &Experiment) -> Result<World, BuildError> {
        check(exp)?;
        let h = &exp.host;
        let streams = RngStreams::new(exp.seed);
        let mut programs = Programs::default();
        let mut functions: Vec<FunctionRt> = exp
            .functions
            .iter()
            .map(|f| function_rt(f, &mut programs, &streams))
            .collect::<Result<_, _>>()?;
        super::trace_share::share_readers(&exp.functions, &mut functions, &streams);
        let functions = functions.into();
        let restarts = Restarts::of(exp, &streams);
        let mut world = World {
            constant_rng: streams.stream("constant"),
            recorded_ns: Vec::new(),
            streams,
            now: 0,
            queue: EventQueue::with_capacity(1024),
            instances: IdVec::default(),
            threads: IdVec::default(),
            processes: IdVec::default(),
            tasks: Slab::default(),
            invs: Slab::default(),
            programs,
            functions,
            costs: h.dispatch,
            free_threaded: h.free_threaded,
            switch_interval_ns: h.switch_interval_ns,
            recorder: Recorder::new(exp.functions.len(), exp.output.invocations).with_usage(
                UsageMeter::with_busy_rounding(
                    exp.plan.as_ref().and_then(|p| p.busy_rounding_ns()),
                )
                .with_memory_step(exp.plan.as_ref().and_then(|p| p.memory_step_kib())),
            ),
            wake_list: Vec::new(),
            scratch: Vec::new(),
            next_inv_id: 0,
            generator_sent_at: 0,
            in_flight: Gauge::default(),
            horizon: exp.horizon_ns,
            sample_interval: exp.output.timeseries_interval_ns,
            last_sample: SampleMarks::default(),
            processed_events: 0,
            requests_pending: 0,
            periodic_pending: 0,
            scale: None,
            timeouts: None,
            restarts,
            memory: MemoryModel::of(exp),
            cpu_touched: Vec::new(),
            fleet: Fleet::default(),
            thread_log: exp.output.thread_states.map(|_| Box::default()),
        };
        world.timeouts = Timeouts::of(exp);
        world.recorder.states = exp
            .output
            .thread_states
            .map(|(from, to)| StateLog::new(from, to));
        match ScaleRt::of(exp, &world.streams) {
            None => {
                world.add_instance(h);
            }
            Some(rt) => {
                let initial = rt.controller.initial_instances();
                let always_ready = rt.controller.config().always_ready;
                world.scale = Some(Box::new(rt));
                for n in 0..initial {
                    let id = world.add_instance(h);
                    world.set_state(id, InstanceState::WorkersStarting);
                    world.instances[id].always_ready = n < always_ready;
                    if n < always_ready {
                        world.recorder.usage.always_ready(id.index());
                    }
                }
                world.schedule_first_decision();
            }
        }
        world.schedule_first_requests();
        world.schedule_periodic(world.sample_interval, Event::Sample);
        Ok(world)
    }

    /// Adds an instance of host `h` with its worker processes, the n-th process becoming ready
    /// n start intervals from now.
    fn add_instance(&mut self, h: &HostConfig) -> InstanceId {
        let instance = self.add_instance_processes(h);
        for rank in self.instances[instance].processes.ids() {
            let p = self.instances[instance].processes[rank];
            let ready_at = h
                .process_start_interval_ns
                .saturating_mul(rank.index() as u64);
            self.push(self.now + ready_at, Event::ProcessReady { process: p });
        }
        instance
    }

    /// Adds an instance of host `h` with its worker processes, none of them started yet.
    pub(super) fn add_instance_processes(&mut self, h: &HostConfig) -> InstanceId {
        let instance = self.instances.push(Instance::new(
            h.cores,
            h.processes as usize,
            h.context_switch_ns,
        ));
        if h.placement == Placement::HomeCpu {
            let rng = self
                .streams
                .indexed("cpu-placement", instance.index() as u64);
            self.instances[instance].cores.queue_on_home_cpus(rng);
        }
        count_state(&mut self.fleet, InstanceState::Ready, 1);
        for _ in 0..h.processes {
            self.add_process(instance, h);
        }
        self.recorder.usage.created(instance.index(), self.now);
        self.memory_instance_up(instance);
        instance
    }

    /// Adds a worker process of host `h` to `instance`: its receiver, loop and sender threads,
    /// its two executors (started up front if the host prewarms them) and its GIL.
    fn add_process(&mut self, instance: InstanceId, h: &HostConfig) -> ProcessId {
        let p = self.processes.next_id();
        let rank = self.instances[instance].add_process(p);
        let receiver = self.new_thread_on(instance, rank, p, Role::Receiver);
        let loop_thread = self.new_thread_on(instance, rank, p, Role::Loop);
        let sender = self.new_thread_on(instance, rank, p, Role::Sender);
        let policy = HandoverPolicy {
            previous_holder: h.dispatch.handover_previous_holder,
            longest_waiter: h.dispatch.handover_longest_waiter,
        };
        self.processes.push(Process {
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
            gil: Gil::new(self.streams.indexed("gil", p.index() as u64), policy),
            jitter: self.streams.indexed("dispatch-jitter", p.index() as u64),
            invocations: 0,
            ran_a_body: false,
            gil_held: Gauge::default(),
            gil_waiters: Gauge::default(),
            loop_busy: Gauge::default(),
            loop_blocked: Gauge::default(),
            loop_in_user_code: false,
            active_threads: Gauge::default(),
        });
        if h.prewarm_pools {
            self.prewarm(p, h.threads, h.default_executor_threads);
        }
        p
    }

    /// Schedules every function's first open-loop arrival and every closed-loop client's first
    /// request (at t = 0).
    fn schedule_first_requests(&mut self) {
        for f in self.functions.ids() {
            self.pull_arrival(f);
            let clients = self.functions[f]
                .clients
                .as_ref()
                .map_or(0, |c| c.sent.len());
            for client in (0..clients).map(ClientId::from_index) {
                self.schedule_request(0, Event::ClientRequest { func: f, client });
            }
        }
    }

    /// Adds an idle thread with `role` to process `process`.
    pub(super) fn new_thread(&mut self, process: ProcessId, role: Role) -> ThreadId {
        let (instance, rank) = (
            self.processes[process].instance,
            self.processes[process].rank,
        );
        self.new_thread_on(instance, rank, process, role)
    }

    /// Adds an idle thread with `role` to process `process`, of rank `rank` on `instance`
    /// (which may not be in the arena yet), and seats it on the instance's cores.
    fn new_thread_on(
        &mut self,
        instance: InstanceId,
        rank: ProcessRank,
        process: ProcessId,
        role: Role,
    ) -> ThreadId {
        let th = self.threads.next_id();
        let core = self.instances[instance].cores.add_thread(th, rank);
        self.threads.push(Thread {
            process,
            core,
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
            asleep_since: self.now,
            wake_cpu_owed_ns: 0,
        })
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
}

/// The runtime state of function `f`: its compiled body and its own random streams.
fn function_rt(
    f: &FunctionSpec,
    programs: &mut Programs,
    streams: &RngStreams,
) -> Result<FunctionRt, BuildError> {
    let root = programs.compile(&f.body);
    // Streams are keyed by the function's name, so adding or reordering functions leaves every
    // other function's draws as they were.
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
            sent: IdVec::from(vec![0; *clients as usize]),
        }),
        _ => None,
    };
    Ok(FunctionRt {
        kind: f.kind,
        root,
        source: ArrivalSource::open(&f.workload, streams.stream(&format!("arrivals/{}", f.name)))
            .map_err(|e| BuildError::Arrivals(f.name.clone(), e.to_string()))?,
        durations_family: programs
            .draws(root)
            .then(|| RngStreams::family(&format!("durations/{}", f.name))),
        invocations: 0,
        clients,
        memory: MemoryDraws::of(f, streams),
        failures: (f.fails > 0.0).then(|| Failures {
            chance: f.fails,
            rng: streams.stream(&format!("fails/{}", f.name)),
        }),
    })
}
