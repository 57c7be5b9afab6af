//! Function bodies compiled into flat programs, and duration sampling.
//!
//! A body with `gather` and `run_in_executor` is a fork-join DAG of steps. For execution it is
//! stored as programs (step lists) that refer to sub-programs by id; [`critical_path_ns`] builds
//! the same DAG with petgraph to compute the body's latency with no contention at all, the
//! floor every report compares against.

use super::ids::{IdVec, ProgId};
use crate::config::{Dist, Step};
use crate::kernel::rng::inverse_cdf;
use crate::kernel::SimRng;
use petgraph::graph::{DiGraph, NodeIndex};
use rand::Rng;
use rand_distr::{Distribution, Exp, LogNormal};

/// Longest duration a draw may return: one day, the longest duration an experiment may give
/// ([`crate::config::limits::MAX_DURATION_NS`]). Draws from the unbounded Exponential and
/// Lognormal are truncated here (a draw beyond a day becomes a day), so a heavy tail never
/// stalls a run or overflows time. The truncated share is negligible except for a Lognormal
/// with both a large median and a large sigma, whose mean it then lowers.
pub const MAX_SAMPLE_NS: u64 = crate::config::limits::MAX_DURATION_NS;

/// One compiled step of a program.
#[derive(Debug, Clone)]
pub enum Instr {
    /// Python CPU (GIL).
    Cpu(Sampler),
    /// Native CPU without the GIL.
    Native(Sampler),
    /// Blocking call.
    Blocking(Sampler),
    /// Awaited non-blocking I/O.
    Await(Sampler),
    /// gather of these programs.
    Gather(Vec<ProgId>),
    /// run_in_executor of this program.
    Executor(ProgId),
}

/// Every program of every function.
#[derive(Debug, Default)]
pub struct Programs {
    programs: IdVec<ProgId, Vec<Instr>>,
}

impl Programs {
    /// Compiles `steps` (and their sub-programs) and returns the root's id.
    pub fn compile(&mut self, steps: &[Step]) -> ProgId {
        let ops = steps
            .iter()
            .map(|s| match s {
                Step::Cpu(d) => Instr::Cpu(Sampler::new(d)),
                Step::NativeCpu(d) => Instr::Native(Sampler::new(d)),
                Step::BlockingIo(d) => Instr::Blocking(Sampler::new(d)),
                Step::AwaitIo(d) => Instr::Await(Sampler::new(d)),
                Step::Gather(branches) => {
                    Instr::Gather(branches.iter().map(|b| self.compile(b)).collect())
                }
                Step::RunInExecutor(sub) => Instr::Executor(self.compile(sub)),
            })
            .collect();
        self.programs.push(ops)
    }

    /// True if program `id` (or a sub-program) draws any random duration.
    pub fn draws(&self, id: ProgId) -> bool {
        self.instrs(id).iter().any(|i| match i {
            Instr::Cpu(d) | Instr::Native(d) | Instr::Blocking(d) | Instr::Await(d) => {
                !matches!(d, Sampler::Constant(_) | Sampler::Recorded(_))
            }
            Instr::Gather(subs) => subs.iter().any(|s| self.draws(*s)),
            Instr::Executor(sub) => self.draws(*sub),
        })
    }

    /// The instructions of program `id`.
    pub fn instrs(&self, id: ProgId) -> &[Instr] {
        &self.programs[id]
    }
}

/// Draws durations (ns) from one distribution.
#[derive(Debug, Clone)]
pub enum Sampler {
    /// Always this.
    Constant(u64),
    /// Exponential.
    Exponential(Exp<f64>),
    /// Log-normal.
    Lognormal(LogNormal<f64>),
    /// Uniform on [lo, hi].
    Uniform(f64, f64),
    /// Piecewise-linear inverse CDF.
    Empirical(Vec<(f64, f64)>),
    /// This share of the invocation's recorded duration (draws nothing).
    Recorded(f64),
}

impl Sampler {
    /// The sampler for a validated distribution.
    pub fn new(d: &Dist) -> Sampler {
        match d {
            Dist::Constant(ns) => Sampler::Constant(*ns),
            Dist::Exponential(mean) => {
                Sampler::Exponential(Exp::new(1.0 / mean).expect("validated mean > 0"))
            }
            Dist::Lognormal { mu, sigma } => {
                Sampler::Lognormal(LogNormal::new(*mu, *sigma).expect("validated sigma"))
            }
            Dist::Uniform(lo, hi) => Sampler::Uniform(*lo, *hi),
            Dist::Empirical(points) => Sampler::Empirical(points.clone()),
            Dist::Recorded { share, .. } => Sampler::Recorded(*share),
        }
    }

    /// One duration in ns, truncated at [`MAX_SAMPLE_NS`] (one day). Constants draw nothing,
    /// so they never shift other draws.
    pub fn sample(&self, rng: &mut SimRng) -> u64 {
        let x = match self {
            Sampler::Constant(ns) => return *ns,
            Sampler::Exponential(e) => e.sample(rng),
            Sampler::Lognormal(l) => l.sample(rng),
            Sampler::Uniform(lo, hi) => lo + (hi - lo) * rng.random::<f64>(),
            Sampler::Empirical(points) => inverse_cdf(points, rng.random::<f64>()),
            Sampler::Recorded(_) => 0.0,
        };
        x.round().clamp(0.0, MAX_SAMPLE_NS as f64) as u64
    }

    /// One duration in ns for an invocation whose recorded duration is `recorded_ns`: its
    /// share of it for [`Sampler::Recorded`] (at least 1 ns), else [`Sampler::sample`].
    pub fn sample_for(&self, rng: &mut SimRng, recorded_ns: u64) -> u64 {
        match self {
            Sampler::Recorded(share) => {
                ((recorded_ns as f64 * share).round() as u64).clamp(1, MAX_SAMPLE_NS)
            }
            _ => self.sample(rng),
        }
    }
}

/// Latency of a body with unlimited threads, cores and no GIL contention: the longest path
/// through its fork-join DAG, each step at its mean duration (ns).
pub fn critical_path_ns(steps: &[Step]) -> f64 {
    let mut g: DiGraph<f64, ()> = DiGraph::new();
    let start = g.add_node(0.0);
    let end = add_chain(&mut g, start, steps);
    longest_path(&g, start, end)
}

fn mean_of(d: &Dist) -> f64 {
    d.mean_ns()
}

/// Appends `steps` after `from`; returns the last node.
fn add_chain(g: &mut DiGraph<f64, ()>, from: NodeIndex, steps: &[Step]) -> NodeIndex {
    let mut last = from;
    for s in steps {
        last = match s {
            Step::Cpu(d) | Step::NativeCpu(d) | Step::BlockingIo(d) | Step::AwaitIo(d) => {
                let n = g.add_node(mean_of(d));
                g.add_edge(last, n, ());
                n
            }
            Step::Gather(branches) => {
                let join = g.add_node(0.0);
                for b in branches {
                    let tail = add_chain(g, last, b);
                    g.add_edge(tail, join, ());
                }
                join
            }
            Step::RunInExecutor(sub) => add_chain(g, last, sub),
        };
    }
    last
}

fn longest_path(g: &DiGraph<f64, ()>, start: NodeIndex, end: NodeIndex) -> f64 {
    let order = petgraph::algo::toposort(g, None).expect("a body is a DAG by construction");
    let mut best = vec![f64::NEG_INFINITY; g.node_count()];
    best[start.index()] = g[start];
    for n in order {
        if best[n.index()] == f64::NEG_INFINITY {
            continue;
        }
        for m in g.neighbors(n) {
            let cand = best[n.index()] + g[m];
            if cand > best[m.index()] {
                best[m.index()] = cand;
            }
        }
    }
    best[end.index()].max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn critical_path_of_a_gather_is_its_longest_branch() {
        let ms = |x: u64| Dist::Constant(x * 1_000_000);
        let body = vec![
            Step::Cpu(ms(1)),
            Step::Gather(vec![
                vec![Step::AwaitIo(ms(10))],
                vec![Step::AwaitIo(ms(30)), Step::Cpu(ms(2))],
            ]),
            Step::RunInExecutor(vec![Step::BlockingIo(ms(5))]),
        ];
        assert_eq!(critical_path_ns(&body), 38e6);
    }

    #[test]
    fn heavy_tails_are_truncated_at_one_day() {
        let day_ms = MAX_SAMPLE_NS as f64 / 1e6;
        let mut rng = crate::kernel::RngStreams::new(1).stream("tail");
        let huge = Sampler::new(&Dist::Lognormal {
            mu: (day_ms * 1e6).ln(),
            sigma: 5.0,
        });
        let draws: Vec<u64> = (0..1000).map(|_| huge.sample(&mut rng)).collect();
        assert!(draws.iter().all(|&d| d <= MAX_SAMPLE_NS));
        assert!(
            draws.contains(&MAX_SAMPLE_NS),
            "half the draws lie beyond a day"
        );
        let exp = Sampler::new(&Dist::Exponential(day_ms * 1e6));
        assert!((0..1000).all(|_| exp.sample(&mut rng) <= MAX_SAMPLE_NS));
    }

    #[test]
    fn empirical_sampling_interpolates_percentiles() {
        assert_eq!(
            inverse_cdf(&[(0.0, 0.0), (0.5, 10.0), (1.0, 30.0)], 0.75),
            20.0
        );
    }
}
