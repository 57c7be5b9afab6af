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
        Workload::RateCurve(curve) => curve.mean_rate(),
        Workload::Replay { arrivals_ns, .. } => {
            let span = arrivals_ns.last().copied().unwrap_or(0) as f64 / 1e9;
            if arrivals_ns.len() > 1 && span > 0.0 {
                arrivals_ns.len() as f64 / span
            } else {
                0.0
            }
        }
        Workload::OnOff {
            rate_per_s,
            on_ns,
            off_ns,
            ..
        } => rate_per_s * on_ns / (on_ns + off_ns),
        Workload::Trace(t) if t.span_ns > 0 => t.count as f64 / (t.span_ns as f64 / 1e9),
        Workload::Burst { .. } | Workload::ClosedLoop { .. } | Workload::Trace(_) => 0.0,
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
    // Each gather branch is a task the loop starts (Python); each executor call is handed
    // to an executor thread (Python on that thread).
    let branches = body.branches * c.task_start_ns as f64;
    let handoffs = body.executor_calls * c.executor_handoff_ns as f64;
    let dispatch = loop_dispatch + io_threads + start + branches + handoffs;
    let exec_cpu = body.exec_python_ns + body.exec_native_ns;
    Demand {
        cpu_ns: body.python_ns + body.native_ns + exec_cpu + dispatch,
        gil_ns: body.python_ns + body.exec_python_ns + dispatch,
        pool_ns,
        loop_ns: loop_ns + branches,
        executor_ns: exec_cpu + body.exec_blocking_ns + handoffs,
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
    /// Gather branches started.
    branches: f64,
    /// run_in_executor calls.
    executor_calls: f64,
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
                    self.branches += branches.len() as f64;
                    branches.iter().for_each(|b| self.add_steps(b, in_executor))
                }
                Step::RunInExecutor(sub) => {
                    self.executor_calls += 1.0;
                    self.add_steps(sub, true)
                }
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

    /// One sync function with `body` on `host`, through the checked config path.
    fn experiment(host: &str, body: &str) -> Experiment {
        let text = format!(
            "Experiment(name: \"t\", host: Host({host}), functions: [FunctionUse(
                function: Inline(Function(name: \"f\", kind: Sync, body: [{body}])),
                workload: Poisson(rate_per_s: 100.0, duration_s: 1.0))])"
        );
        crate::config::parse_experiment(&text, std::path::Path::new("t.ron"), &[]).unwrap()
    }

    fn at(exp: &Experiment, per_s: f64) -> Bottleneck {
        bottleneck(&demand(&exp.functions[0], &exp.host), &exp.host, per_s)
    }

    #[test]
    fn cpu_bound_work_is_limited_by_the_gil_of_each_process() {
        // 10 ms of Python per invocation (plus about 0.25 ms of dispatch path, also Python):
        // one GIL serves at most ~98/s, two processes ~195/s when two cores let them run.
        let two = experiment(
            "cores: 2.0, processes: 2, threads: 8",
            "Cpu(Constant(10.0))",
        );
        let b = at(&two, 100.0);
        assert_eq!(b.resource, "the GIL of 2 process(es)");
        assert!((0.5..0.52).contains(&b.utilisation), "{b:?}");
        let four = experiment(
            "cores: 2.0, processes: 4, threads: 8",
            "Cpu(Constant(10.0))",
        );
        let b = at(&four, 100.0);
        assert_eq!(
            b.resource, "2 core(s)",
            "more processes than cores: the cores limit"
        );
        assert!((0.5..0.52).contains(&b.utilisation), "{b:?}");
    }

    #[test]
    fn blocking_io_is_limited_by_the_pool_threads() {
        // 1 s of blocking I/O on 1 x 32 threads: at most 32/s.
        let exp = experiment(
            "cores: 2.0, processes: 1, threads: 32",
            "BlockingIo(Constant(1000.0))",
        );
        let b = at(&exp, 64.0);
        assert_eq!(b.resource, "1 x 32 pool threads");
        assert!((2.0..2.01).contains(&b.utilisation), "{b:?}");
        let c = capacity(&exp).unwrap();
        assert!(c.overloaded(), "100/s of 1 s calls on 32 threads: {c:?}");
        assert!((c.max_per_s - 32.0).abs() < 1e-9, "{c:?}");
    }
}
