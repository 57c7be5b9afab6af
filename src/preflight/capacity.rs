//! How many invocations per second an instance can serve at most: a bottleneck analysis
//! (the utilisation law, U = X x D, of operational queueing analysis) over the resources every
//! invocation holds for a known mean time.
//!
//! Each resource has a capacity (how many can hold it at once) and each function a mean demand
//! on it per invocation (how long one invocation holds it, contention excluded):
//! * the cores: Python and native CPU of the body plus the dispatch path's CPU;
//! * each process's GIL (absent when free-threaded): Python CPU of the body plus the dispatch
//!   path, which runs Python;
//! * the thread pools (sync bodies): the whole body, which holds a pool thread from start to end;
//! * the event loops (async bodies): the coroutine's own code (Python, native, blocking calls)
//!   and the loop's share of the dispatch path; awaits hold nothing;
//! * the default executors: the bodies of `run_in_executor` calls.
//!
//! Demands leave out waiting (for the GIL, a core, a thread), so the capacity is an upper
//! bound: offered load above it cannot be served, whatever the queueing does.

use crate::config::{Experiment, FunctionKind, FunctionSpec, HostConfig, Step, Workload};

/// Mean time per invocation on each resource, ns.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Demand {
    /// CPU on any core (Python or native).
    pub cpu_ns: f64,
    /// Python code: holds the process's GIL.
    pub gil_ns: f64,
    /// A thread-pool thread, start to end of a sync body.
    pub pool_ns: f64,
    /// The event loop thread, blocked by a coroutine's own code.
    pub loop_ns: f64,
    /// A default-executor thread (run_in_executor).
    pub executor_ns: f64,
}

/// One resource's share of the offered load.
#[derive(Debug, Clone, PartialEq)]
pub struct Bottleneck {
    /// What it is, for the reader ("the GIL of 2 processes").
    pub resource: String,
    /// Offered work / capacity: 1 means saturated.
    pub utilisation: f64,
}

/// The instance's capacity at the experiment's mix of functions.
#[derive(Debug, Clone, PartialEq)]
pub struct Capacity {
    /// Open-loop arrivals per second offered on average (0 when there is no open-loop load).
    pub offered_per_s: f64,
    /// The most invocations per second the instance can serve at this mix.
    pub max_per_s: f64,
    /// The resource that limits it.
    pub limit: Bottleneck,
}

impl Capacity {
    /// Whether the offered load reaches the capacity: queues then grow for as long as it lasts.
    pub fn overloaded(&self) -> bool {
        self.offered_per_s > 0.0 && self.limit.utilisation >= 1.0
    }
}

/// The capacity of the experiment's host for its open-loop load; `None` when the load has no
/// long-run rate (bursts and closed loops only).
pub fn capacity(exp: &Experiment) -> Option<Capacity> {
    let rates: Vec<f64> = exp
        .functions
        .iter()
        .map(|f| offered_rate(&f.workload))
        .collect();
    let offered: f64 = rates.iter().sum();
    if offered <= 0.0 {
        return None;
    }
    let mut total = Demand::default();
    for (f, rate) in exp.functions.iter().zip(&rates) {
        total.add(&demand(f, &exp.host), rate / offered);
    }
    let limit = bottleneck(&total, &exp.host, offered);
    Some(Capacity {
        offered_per_s: offered,
        max_per_s: offered / limit.utilisation,
        limit,
    })
}

/// The most-utilised resource when `per_s` invocations per second with mean demand `d` arrive.
pub fn bottleneck(d: &Demand, h: &HostConfig, per_s: f64) -> Bottleneck {
    let p = h.processes as f64;
    let mut candidates = vec![
        (format!("{} core(s)", h.cores), d.cpu_ns, h.cores),
        (
            format!("{} x {} pool threads", h.processes, h.threads),
            d.pool_ns,
            p * h.threads as f64,
        ),
        (
            format!("the event loop of {} process(es)", h.processes),
            d.loop_ns,
            p,
        ),
        (
            format!(
                "{} x {} default-executor threads",
                h.processes, h.default_executor_threads
            ),
            d.executor_ns,
            p * h.default_executor_threads as f64,
        ),
    ];
    if !h.free_threaded {
        candidates.push((
            format!("the GIL of {} process(es)", h.processes),
            d.gil_ns,
            p,
        ));
    }
    candidates
        .into_iter()
        .map(|(resource, ns, servers)| Bottleneck {
            resource,
            utilisation: per_s * ns / 1e9 / servers,
        })
        .max_by(|a, b| a.utilisation.total_cmp(&b.utilisation))
        .expect("at least four resources")
}

/// Long-run open-loop arrivals per second of one workload.
pub fn offered_rate(w: &Workload) -> f64 {
    match w {
        Workload::Poisson { rate_per_s, .. } => *rate_per_s,
        Workload::Replay { arrivals_ns, .. } => {
            let span = arrivals_ns.last().copied().unwrap_or(0) as f64 / 1e9;
            if arrivals_ns.len() > 1 && span > 0.0 {
                arrivals_ns.len() as f64 / span
            } else {
                0.0
            }
        }
        Workload::Burst { .. } | Workload::ClosedLoop { .. } => 0.0,
    }
}

impl Demand {
    /// Adds `weight` times `other` (a mix of functions, weighted by their share of arrivals).
    pub fn add(&mut self, other: &Demand, weight: f64) {
        self.cpu_ns += other.cpu_ns * weight;
        self.gil_ns += other.gil_ns * weight;
        self.pool_ns += other.pool_ns * weight;
        self.loop_ns += other.loop_ns * weight;
        self.executor_ns += other.executor_ns * weight;
    }
}

/// Mean demand of one invocation of `f` on each resource, the dispatch path included.
pub fn demand(f: &FunctionSpec, h: &HostConfig) -> Demand {
    let mut body = BodyTime::default();
    body.add_steps(&f.body, false);
    let c = &h.dispatch;
    let loop_dispatch = (c.dispatch_ns + c.complete_ns) as f64;
    let io_threads = (c.receive_ns + c.respond_ns) as f64;
    let (start, pool_ns, loop_ns) = match f.kind {
        FunctionKind::Sync => (c.executor_handoff_ns as f64, body.own_ns(), loop_dispatch),
        FunctionKind::Async => {
            let start = c.task_start_ns as f64;
            (start, 0.0, body.own_ns() + loop_dispatch + start)
        }
    };
    let dispatch = loop_dispatch + io_threads + start;
    Demand {
        cpu_ns: body.python_ns
            + body.native_ns
            + body.exec_python_ns
            + body.exec_native_ns
            + dispatch,
        gil_ns: body.python_ns + body.exec_python_ns + dispatch,
        pool_ns,
        loop_ns,
        executor_ns: body.exec_python_ns + body.exec_native_ns + body.exec_blocking_ns,
    }
}

/// Mean times of a body by kind, ns: on the thread running the body, and inside
/// run_in_executor calls (on a default-executor thread).
#[derive(Debug, Default)]
struct BodyTime {
    python_ns: f64,
    native_ns: f64,
    blocking_ns: f64,
    exec_python_ns: f64,
    exec_native_ns: f64,
    exec_blocking_ns: f64,
}

impl BodyTime {
    /// Time the thread running the body is busy with it (awaits excluded).
    fn own_ns(&self) -> f64 {
        self.python_ns + self.native_ns + self.blocking_ns
    }

    /// Adds every step; gather branches all run (on the loop), so all of them count.
    fn add_steps(&mut self, steps: &[Step], in_executor: bool) {
        for step in steps {
            match step {
                Step::Cpu(d) => *self.slot(in_executor, 0) += d.mean_ns(),
                Step::NativeCpu(d) => *self.slot(in_executor, 1) += d.mean_ns(),
                Step::BlockingIo(d) => *self.slot(in_executor, 2) += d.mean_ns(),
                Step::AwaitIo(_) => {}
                Step::Gather(branches) => {
                    branches.iter().for_each(|b| self.add_steps(b, in_executor))
                }
                Step::RunInExecutor(sub) => self.add_steps(sub, true),
            }
        }
    }

    fn slot(&mut self, in_executor: bool, kind: usize) -> &mut f64 {
        match (in_executor, kind) {
            (false, 0) => &mut self.python_ns,
            (false, 1) => &mut self.native_ns,
            (false, _) => &mut self.blocking_ns,
            (true, 0) => &mut self.exec_python_ns,
            (true, 1) => &mut self.exec_native_ns,
            (true, _) => &mut self.exec_blocking_ns,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{DispatchCosts, Dist};

    fn host(processes: u32, threads: u32, cores: f64) -> HostConfig {
        HostConfig {
            cores,
            processes,
            threads,
            threads_source: "set".into(),
            default_executor_threads: 6,
            cpu_count: 2,
            python: "3.11".into(),
            free_threaded: false,
            switch_interval_ns: 5_000_000,
            process_start_interval_ns: 0,
            context_switch_ns: 0,
            prewarm_pools: false,
            dispatch: DispatchCosts::ZERO,
        }
    }

    fn sync_fn(body: Vec<Step>) -> FunctionSpec {
        FunctionSpec {
            name: "f".into(),
            kind: FunctionKind::Sync,
            body,
            workload: Workload::Poisson {
                rate_per_s: 1.0,
                duration_ns: 1,
            },
        }
    }

    #[test]
    fn cpu_bound_work_is_limited_by_the_gil_of_each_process() {
        // 10 ms of Python per invocation: one GIL serves at most 100/s, two processes 200/s
        // when two cores let them run at once.
        let f = sync_fn(vec![Step::Cpu(Dist::Constant(10_000_000))]);
        let h = host(2, 8, 2.0);
        let b = bottleneck(&demand(&f, &h), &h, 100.0);
        assert!((b.utilisation - 0.5).abs() < 1e-9, "{b:?}");
        let h = host(4, 8, 2.0);
        let b = bottleneck(&demand(&f, &h), &h, 100.0);
        assert_eq!(b.resource, "2 core(s)");
        assert!((b.utilisation - 0.5).abs() < 1e-9);
    }

    #[test]
    fn blocking_io_is_limited_by_the_pool_threads() {
        // 1 s of blocking I/O on 1 x 32 threads: at most 32/s.
        let f = sync_fn(vec![Step::BlockingIo(Dist::Constant(1_000_000_000))]);
        let h = host(1, 32, 2.0);
        let b = bottleneck(&demand(&f, &h), &h, 64.0);
        assert_eq!(b.resource, "1 x 32 pool threads");
        assert!((b.utilisation - 2.0).abs() < 1e-9);
    }
}
