//! Before time starts: how big a run will be, and whether to start it.
//!
//! [`estimate`] predicts a run's arrivals, kernel events, simulated length, wall time, peak
//! memory and output size from the experiment alone (the capacity analysis of [`capacity`]
//! tells how long a backlog takes to drain). Above [`Limits::DEFAULT`] `sim run` refuses, with
//! the estimate and the flag that allows it (`--yes`), instead of starting something that
//! would run for hours or fill the disk. While a run goes on, [`MemoryBudget`] stops it when the
//! invocations in the system would need more memory than the budget, whatever the estimate
//! said, so no accepted input can exhaust the machine.

pub mod capacity;

use crate::config::limits::MAX_DURATION_NS;
use crate::config::{
    expanded_size, Experiment, FunctionSpec, HostConfig, Step, TriggerConfig, Workload,
};
use crate::units::{bytes, count, duration};
use capacity::{bottleneck, demand, Demand};

/// Memory one invocation in the system costs the model, bytes (its record, its task, its queue
/// entries and events), measured with `sim bench` on a burst (about 140); rounded up.
pub const BYTES_PER_LIVE_INVOCATION: f64 = 200.0;
/// Memory one live task costs (a gather branch, an executor call), bytes, measured on a
/// gather of 100,000 branches (about 45); rounded up.
pub const BYTES_PER_LIVE_TASK: f64 = 64.0;
/// Memory of a run before any invocation: the binary, buffers, the threads' records.
const BASE_BYTES: f64 = 16e6;
/// Kernel events per invocation besides its steps (arrival, delivery, dispatch, response).
const EVENTS_PER_INVOCATION: f64 = 10.0;
/// Kernel events per body step (its start and end).
const EVENTS_PER_STEP: f64 = 2.0;
/// Events per second assumed for the wall-time estimate: a third of the full model's measured
/// speed, since heavily contended GIL and CPU models cost more per event.
const EVENTS_PER_SECOND: f64 = 3e6;
/// Time-series rows per second (formatting a row costs more than an event).
const SAMPLES_PER_SECOND: f64 = 5e5;
/// A run passing this multiple of its estimated events stops unless `--yes`...
const RUNAWAY_FACTOR: f64 = 100.0;
/// ... and this many events (about ten seconds), so small runs are never stopped.
const RUNAWAY_MIN_EVENTS: f64 = 1e8;
/// Bytes of one invocations.csv row, about.
const INVOCATION_ROW_BYTES: f64 = 90.0;
/// Bytes of one timeseries.csv row, about.
const TIMESERIES_ROW_BYTES: f64 = 70.0;
/// Bytes of one scale decision kept in memory for summary.json (its row and its reason).
const DECISION_BYTES: f64 = 250.0;
/// Bytes of one scale decision in the files: ~330 in summary.json's decision list (pretty
/// JSON) and ~160 in scaling.csv, measured on experiments/http_spike.ron, rounded up.
const DECISION_FILE_BYTES: f64 = 600.0;

/// What a run will cost, before it starts. Figures are estimates, good to a small factor.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Invocations that will arrive.
    pub arrivals: f64,
    /// Kernel events.
    pub events: f64,
    /// Simulated length, seconds.
    pub sim_s: f64,
    /// Wall time on one core, seconds.
    pub wall_s: f64,
    /// Most invocations in the system at once.
    pub peak_in_flight: f64,
    /// Scale decisions (0 without a scale block).
    pub decisions: f64,
    /// Peak memory, bytes.
    pub memory_bytes: f64,
    /// Bytes of invocations.csv, timeseries.csv and scaling.csv together.
    pub output_bytes: f64,
}

/// The sizes above which `sim run` asks for `--yes`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Estimated wall time, seconds.
    pub wall_s: f64,
    /// Estimated peak memory, bytes.
    pub memory_bytes: f64,
    /// Estimated output files, bytes.
    pub output_bytes: f64,
}

impl Limits {
    /// 10 minutes, 4 GiB of memory, 2 GiB of files.
    pub const DEFAULT: Limits = Limits {
        wall_s: 600.0,
        memory_bytes: 4.0 * GIB,
        output_bytes: 2.0 * GIB,
    };
}

/// Bytes in a GiB.
pub const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

impl Estimate {
    /// Each limit the estimate passes, in words, with what would bring it down.
    pub fn over(&self, limits: &Limits) -> Vec<String> {
        let mut over = Vec::new();
        if self.wall_s > limits.wall_s {
            over.push(format!(
                "wall time about {} (limit {}): fewer invocations, a shorter workload or a horizon_s",
                duration(self.wall_s),
                duration(limits.wall_s)
            ));
        }
        if self.memory_bytes > limits.memory_bytes {
            over.push(format!(
                "memory about {} (limit {}) for {}: {}",
                bytes(self.memory_bytes),
                bytes(limits.memory_bytes),
                self.what_fills_memory(),
                self.memory_fix()
            ));
        }
        if self.output_bytes > limits.output_bytes {
            over.push(format!(
                "output files about {} (limit {}): {}",
                bytes(self.output_bytes),
                bytes(limits.output_bytes),
                self.output_fix()
            ));
        }
        over
    }

    /// Whether the scale decisions, rather than the invocations, make up most of the memory.
    fn decisions_dominate(&self) -> bool {
        self.decisions * DECISION_BYTES > self.memory_bytes / 2.0
    }

    /// What the memory estimate is mostly for, in words.
    fn what_fills_memory(&self) -> String {
        if self.decisions_dominate() {
            format!(
                "{} scale decisions kept for summary.json",
                count(self.decisions)
            )
        } else {
            format!(
                "{} invocations in the system at once",
                count(self.peak_in_flight)
            )
        }
    }

    /// What would bring the output estimate down.
    fn output_fix(&self) -> &'static str {
        if self.decisions * DECISION_FILE_BYTES > self.output_bytes / 2.0 {
            "a larger scale.decision_interval_s (each decision is a row of scaling.csv and of summary.json; Azure decides seconds apart) or a horizon_s"
        } else {
            "--no-invocations, a larger output.timeseries_interval_ms, or a horizon_s"
        }
    }

    /// What would bring the memory estimate down.
    fn memory_fix(&self) -> &'static str {
        if self.decisions_dominate() {
            "a larger scale.decision_interval_s (Azure decides seconds apart) or a horizon_s"
        } else {
            "a smaller burst or rate, or more capacity (processes, threads, cores)"
        }
    }

    /// Why a run that has processed `events` must stop without `--yes`, if it must: far more
    /// events than estimated means the estimate missed something (a heavier GIL or CPU model
    /// than it assumes), and a run that was meant to be short must not run for hours unasked.
    pub fn runaway(&self, events: u64) -> Option<String> {
        let allowed = (RUNAWAY_FACTOR * self.events).max(RUNAWAY_MIN_EVENTS);
        (events as f64 > allowed).then(|| {
            format!(
                "it has processed {} events, {RUNAWAY_FACTOR:.0} times the {} estimated before it started; if a run this long is what you want, add --yes",
                count(events as f64),
                count(self.events)
            )
        })
    }

    /// Why a run that has taken `elapsed_s` of wall time must stop without `--yes`, if it
    /// must: past ten times its estimate and past the wall-time limit.
    pub fn overtime(&self, elapsed_s: f64, limits: &Limits) -> Option<String> {
        let allowed = (10.0 * self.wall_s).max(limits.wall_s);
        (elapsed_s > allowed).then(|| {
            format!(
                "it has run for {}, past the {} allowed for a run estimated at {}; if a run this long is what you want, add --yes",
                duration(elapsed_s),
                duration(allowed),
                duration(self.wall_s)
            )
        })
    }

    /// One line: the figures a user weighs before a long run.
    pub fn line(&self) -> String {
        format!(
            "{} invocations, {} events, {} simulated, about {} of wall time, {} of memory, {} of files",
            count(self.arrivals),
            count(self.events),
            duration(self.sim_s),
            duration(self.wall_s),
            bytes(self.memory_bytes),
            bytes(self.output_bytes)
        )
    }
}

/// Per-function load: how many arrive, over how long, how many at once.
struct Load {
    arrivals: f64,
    last_arrival_s: f64,
    /// Arrive all at once or are held by clients: in the system together.
    simultaneous: f64,
    /// When the simultaneous ones arrive (a burst's instant; a closed loop's first round at 0).
    first_round_s: f64,
    open_rate: f64,
}

/// `l` counted in invocations: an Event Hubs function runs one invocation per batch of up to
/// max_event_batch_size events, so at most that many fewer than its events (at full batches;
/// a slow stream makes smaller batches, which only makes the run smaller than this).
fn in_batches(mut l: Load, f: &FunctionSpec) -> Load {
    let Some(TriggerConfig::EventHubs(hub)) = &f.trigger else {
        return l;
    };
    let per_batch = f64::from(hub.max_event_batch_size.max(1));
    l.arrivals /= per_batch;
    l.simultaneous /= per_batch;
    l.open_rate /= per_batch;
    l
}

/// Estimates the size of a run of `exp`.
pub fn estimate(exp: &Experiment) -> Estimate {
    let horizon_s = exp.horizon_ns.map(|h| h as f64 / 1e9);
    let loads: Vec<Load> = exp
        .functions
        .iter()
        .map(|f| within_horizon(in_batches(load(f, &exp.host), f), horizon_s))
        .collect();
    let arrivals: f64 = loads.iter().map(|l| l.arrivals).sum();
    let arrivals_end = loads.iter().map(|l| l.last_arrival_s).fold(0.0, f64::max);
    let longest = exp.functions.iter().map(ideal_s).fold(0.0, f64::max);
    let max_per_s = mix_capacity(exp, &loads);
    let work_s = if arrivals > 0.0 {
        arrivals / max_per_s
    } else {
        0.0
    };
    let mut sim_s = arrivals_end.max(work_s) + longest;
    if let Some(h) = exp.horizon_ns {
        sim_s = sim_s.min(h as f64 / 1e9);
    }
    let events: f64 = exp
        .functions
        .iter()
        .zip(&loads)
        .map(|(f, l)| l.arrivals * events_per_invocation(f, &exp.host))
        .sum();
    let samples = sim_s * 1e9 / exp.output.timeseries_interval_ns as f64;
    // A scaled run decides every interval while it lasts; each decision is an event, a row of
    // scaling.csv and an entry of summary.json's decision list.
    let decisions = exp
        .scale
        .as_ref()
        .map_or(0.0, |s| sim_s * 1e9 / s.decision_interval_ns as f64);
    let peak = peak_in_flight(&loads, max_per_s, longest);
    let tasks_per_invocation = exp
        .functions
        .iter()
        .map(|f| 1.0 + count_tasks(&f.body))
        .fold(1.0, f64::max);
    let replay_rows: f64 = exp.functions.iter().map(|f| replay_len(&f.workload)).sum();
    let invocation_rows = if exp.output.invocations {
        arrivals
    } else {
        0.0
    };
    Estimate {
        arrivals,
        events: events + decisions,
        sim_s,
        wall_s: (events + decisions) / EVENTS_PER_SECOND + samples / SAMPLES_PER_SECOND,
        peak_in_flight: peak,
        decisions,
        memory_bytes: BASE_BYTES
            + peak * (BYTES_PER_LIVE_INVOCATION + tasks_per_invocation * BYTES_PER_LIVE_TASK)
            + replay_rows * 16.0
            + decisions * DECISION_BYTES,
        output_bytes: invocation_rows * INVOCATION_ROW_BYTES
            + samples * TIMESERIES_ROW_BYTES
            + decisions * DECISION_FILE_BYTES,
    }
}

/// The part of a load that arrives before the horizon: a burst after it is gone; a closed
/// loop keeps its first round (sent at t = 0); the rest is spread evenly over the arrival
/// window (Poisson, replays, later closed-loop rounds).
fn within_horizon(mut l: Load, horizon_s: Option<f64>) -> Load {
    let Some(h) = horizon_s.filter(|h| *h < l.last_arrival_s) else {
        return l;
    };
    let first = if l.first_round_s <= h {
        l.simultaneous
    } else {
        0.0
    };
    let rest = (l.arrivals - l.simultaneous).max(0.0) * (h / l.last_arrival_s);
    l.arrivals = first + rest;
    l.simultaneous = first;
    l.last_arrival_s = h;
    l
}

fn load(f: &FunctionSpec, host: &HostConfig) -> Load {
    let s = |ns: u64| ns as f64 / 1e9;
    match &f.workload {
        Workload::Burst { n, at_ns } => Load {
            arrivals: *n as f64,
            last_arrival_s: s(*at_ns),
            simultaneous: *n as f64,
            first_round_s: s(*at_ns),
            open_rate: 0.0,
        },
        Workload::Poisson {
            rate_per_s,
            duration_ns,
        } => Load {
            arrivals: rate_per_s * s(*duration_ns),
            last_arrival_s: s(*duration_ns),
            simultaneous: 0.0,
            first_round_s: 0.0,
            open_rate: *rate_per_s,
        },
        Workload::RateCurve(curve) => Load {
            arrivals: curve.expected_arrivals(),
            last_arrival_s: curve.end_s(),
            simultaneous: 0.0,
            first_round_s: 0.0,
            open_rate: curve.mean_rate(),
        },
        Workload::Replay { arrivals_ns, .. } => Load {
            arrivals: arrivals_ns.len() as f64,
            last_arrival_s: s(arrivals_ns.last().copied().unwrap_or(0)),
            simultaneous: 0.0,
            first_round_s: 0.0,
            open_rate: capacity::offered_rate(&f.workload),
        },
        Workload::OnOff { duration_ns, .. } => {
            let rate = capacity::offered_rate(&f.workload);
            Load {
                arrivals: rate * s(*duration_ns),
                last_arrival_s: s(*duration_ns),
                simultaneous: 0.0,
                first_round_s: 0.0,
                open_rate: rate,
            }
        }
        Workload::Trace(t) => Load {
            arrivals: t.count as f64,
            last_arrival_s: s(t.span_ns),
            simultaneous: 0.0,
            first_round_s: 0.0,
            open_rate: capacity::offered_rate(&f.workload),
        },
        Workload::ClosedLoop {
            clients,
            think,
            duration_ns,
            requests_per_client,
        } => {
            let clients = *clients as f64;
            let cycle_s =
                (think.mean_ns().min(MAX_DURATION_NS as f64) / 1e9 + ideal_s(f)).max(1e-6);
            let demand = demand(f, host);
            let served = 1.0 / bottleneck(&demand, host, 1.0).utilisation;
            let rate = (clients / cycle_s).min(served);
            let (arrivals, end_s) = match (requests_per_client, duration_ns) {
                (Some(r), _) => {
                    let total = *r as f64 * clients;
                    (total, total / rate)
                }
                // Every client sends at t = 0, then one request per cycle until the end;
                // the first round alone takes clients / served to drain.
                (None, Some(d)) => (clients + rate * s(*d), s(*d).max(clients / served)),
                (None, None) => (f64::INFINITY, f64::INFINITY),
            };
            Load {
                arrivals,
                last_arrival_s: end_s,
                simultaneous: clients,
                first_round_s: 0.0,
                open_rate: 0.0,
            }
        }
    }
}

/// Invocations per second the host serves at the experiment's mix of functions.
fn mix_capacity(exp: &Experiment, loads: &[Load]) -> f64 {
    let total: f64 = loads.iter().map(|l| l.arrivals).sum();
    if !(total > 0.0 && total.is_finite()) {
        return 1.0;
    }
    let mut mix = Demand::default();
    for (f, l) in exp.functions.iter().zip(loads) {
        mix.add(&demand(f, &exp.host), l.arrivals / total);
    }
    let u = bottleneck(&mix, &exp.host, 1.0).utilisation;
    if u > 0.0 {
        1.0 / u
    } else {
        f64::INFINITY
    }
}

/// Bursts and clients at once, plus an open-loop backlog when arrivals outrun the capacity.
fn peak_in_flight(loads: &[Load], max_per_s: f64, longest_s: f64) -> f64 {
    let at_once: f64 = loads.iter().map(|l| l.simultaneous).sum();
    let rate: f64 = loads.iter().map(|l| l.open_rate).sum();
    let open_arrivals: f64 = loads
        .iter()
        .filter(|l| l.open_rate > 0.0)
        .map(|l| l.arrivals)
        .sum();
    let window = loads
        .iter()
        .filter(|l| l.open_rate > 0.0)
        .map(|l| l.last_arrival_s)
        .fold(0.0, f64::max);
    let backlog = (open_arrivals - max_per_s * window).max(0.0);
    at_once + (rate * longest_s).max(backlog).min(open_arrivals)
}

/// The body at mean durations with no contention, seconds.
fn ideal_s(f: &FunctionSpec) -> f64 {
    (crate::model::program::critical_path_ns(&f.body) / 1e9).min(MAX_DURATION_NS as f64 / 1e9)
}

fn events_per_invocation(f: &FunctionSpec, host: &HostConfig) -> f64 {
    // Every stretch of Python (the body's and the dispatch path's) may be cut into switch
    // intervals, each a GIL request and a hand-over.
    let switches = demand(f, host).gil_ns / host.switch_interval_ns.max(1) as f64;
    let steps = expanded_size(&f.body) as f64;
    EVENTS_PER_INVOCATION + EVENTS_PER_STEP * steps + 2.0 * switches
}

/// Tasks a body creates besides its own: gather branches and run_in_executor calls.
fn count_tasks(steps: &[Step]) -> f64 {
    steps
        .iter()
        .map(|s| match s {
            Step::Gather(branches) => branches.iter().map(|b| 1.0 + count_tasks(b)).sum(),
            Step::RunInExecutor(sub) => 1.0 + count_tasks(sub),
            _ => 0.0,
        })
        .sum()
}

fn replay_len(w: &Workload) -> f64 {
    match w {
        Workload::Replay { arrivals_ns, .. } => arrivals_ns.len() as f64,
        _ => 0.0,
    }
}

/// Stops a run whose invocations in the system would need more memory than the budget.
#[derive(Debug, Clone, Copy)]
pub struct MemoryBudget {
    /// Bytes the model may use for invocations in the system.
    pub bytes: f64,
}

impl MemoryBudget {
    /// The default budget: 8 GiB, or three quarters of the machine's memory if that is less.
    pub fn default_for_machine() -> MemoryBudget {
        let total = machine_memory_bytes().unwrap_or(16.0 * GIB);
        MemoryBudget {
            bytes: (8.0 * GIB).min(total * 0.75),
        }
    }

    /// Why the run must stop with `in_flight` invocations and `tasks` live tasks in the
    /// system, if it must.
    pub fn check(&self, in_flight: u64, tasks: u64) -> Option<String> {
        let need = BASE_BYTES
            + in_flight as f64 * BYTES_PER_LIVE_INVOCATION
            + tasks as f64 * BYTES_PER_LIVE_TASK;
        (need > self.bytes).then(|| {
            format!(
                "{in_flight} invocations with {tasks} tasks (gather branches, executor calls) are in the system at once, which would need more than the memory budget of {}; the host cannot keep up with the arrivals. Lower the load (a smaller burst or rate, narrower gathers), add capacity (processes, threads, cores), set a horizon_s, or raise the budget with --max-memory-gib",
                bytes(self.bytes)
            )
        })
    }
}

/// MemTotal from /proc/meminfo (Linux), bytes.
fn machine_memory_bytes() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate_of(events: f64) -> Estimate {
        Estimate {
            arrivals: 1.0,
            events,
            sim_s: 1.0,
            wall_s: 1.0,
            peak_in_flight: 1.0,
            decisions: 0.0,
            memory_bytes: BASE_BYTES,
            output_bytes: 0.0,
        }
    }

    fn load(arrivals: f64, last: f64, simultaneous: f64, first: f64, rate: f64) -> Load {
        Load {
            arrivals,
            last_arrival_s: last,
            simultaneous,
            first_round_s: first,
            open_rate: rate,
        }
    }

    #[test]
    fn the_horizon_keeps_what_arrives_before_it() {
        let burst_after = within_horizon(load(100.0, 10.0, 100.0, 10.0, 0.0), Some(5.0));
        assert_eq!((burst_after.arrivals, burst_after.simultaneous), (0.0, 0.0));
        let poisson = within_horizon(load(1000.0, 10.0, 0.0, 0.0, 100.0), Some(1.0));
        assert_eq!(poisson.arrivals, 100.0);
        // One request per client, all at t = 0, drained by t = 10: all arrive before t = 1.
        let closed = within_horizon(load(50.0, 10.0, 50.0, 0.0, 0.0), Some(1.0));
        assert_eq!(closed.arrivals, 50.0);
        let closed = within_horizon(load(1050.0, 10.0, 50.0, 0.0, 0.0), Some(1.0));
        assert_eq!(closed.arrivals, 150.0);
    }

    #[test]
    fn a_run_far_past_its_estimate_is_a_runaway() {
        let e = estimate_of(2e6);
        assert!(e.runaway(150_000_000).is_none(), "under 100 x 2e6");
        let why = e.runaway(200_000_001).expect("over 100 x 2e6");
        assert!(why.contains("add --yes"), "{why}");
        assert!(
            estimate_of(10.0).runaway(50_000_000).is_none(),
            "small runs keep a floor"
        );
    }

    #[test]
    fn the_memory_budget_counts_invocations_in_the_system() {
        let budget = MemoryBudget {
            bytes: BASE_BYTES + 1000.0 * BYTES_PER_LIVE_INVOCATION,
        };
        assert!(budget.check(1000, 0).is_none());
        assert!(budget.check(1001, 0).unwrap().contains("--max-memory-gib"));
        assert!(budget.check(990, 1000).is_some(), "tasks count too");
    }
}
