//! Checking function bodies: steps (where each may appear, loops and gathers expanded within a
//! budget) and duration distributions (bounds, units).

use super::checker::{ms_to_ns, Checker};
use super::raw::{RawDist, RawKind, RawStep};
use super::validate::MAX_MS;
use super::{Dist, Step};

impl Checker {
    pub(super) fn body(&mut self, steps: &[RawStep], k: RawKind, field: &str) -> Option<Vec<Step>> {
        let before = self.problems.len();
        let mut out = Vec::new();
        let mut budget = 1_000_000usize;
        self.steps(steps, k, field, &mut out, &mut budget);
        (self.problems.len() == before).then_some(out)
    }

    fn steps(
        &mut self,
        steps: &[RawStep],
        k: RawKind,
        field: &str,
        out: &mut Vec<Step>,
        budget: &mut usize,
    ) {
        for (j, s) in steps.iter().enumerate() {
            if *budget == 0 {
                self.bad(
                    field,
                    "too many steps",
                    "at most 1,000,000 steps once Repeat/GatherN are expanded",
                );
                return;
            }
            *budget -= 1;
            let at = format!("{field}[{j}]");
            let async_only = |c: &mut Checker, what: &str| {
                if k == RawKind::Sync {
                    c.misplaced(
                        &at,
                        what,
                        "only in `async def` functions (kind: Async); in a `def` use BlockingIo",
                    );
                }
            };
            match s {
                RawStep::Cpu(d) => out.push(Step::Cpu(self.dist(d, &at, false))),
                RawStep::NativeCpu(d) => out.push(Step::NativeCpu(self.dist(d, &at, false))),
                RawStep::BlockingIo(d) => out.push(Step::BlockingIo(self.dist(d, &at, false))),
                RawStep::AwaitIo(d) => {
                    async_only(self, "AwaitIo");
                    out.push(Step::AwaitIo(self.dist(d, &at, false)));
                }
                RawStep::Gather(branches) => {
                    async_only(self, "Gather");
                    if branches.is_empty() {
                        self.bad(&at, "Gather([])", "at least one branch");
                    }
                    let mut subs = Vec::new();
                    for (b, branch) in branches.iter().enumerate() {
                        let mut sub = Vec::new();
                        self.steps(
                            branch,
                            RawKind::Async,
                            &format!("{at}.{b}"),
                            &mut sub,
                            budget,
                        );
                        subs.push(sub);
                    }
                    out.push(Step::Gather(subs));
                }
                RawStep::GatherN(n, branch) => {
                    async_only(self, "GatherN");
                    if *n == 0 || *n > 100_000 {
                        self.bad(&at, format!("GatherN({n}, ..)"), "a count of 1..=100000");
                    }
                    let mut sub = Vec::new();
                    self.steps(branch, RawKind::Async, &at, &mut sub, budget);
                    let n = (*n).clamp(1, 100_000) as usize;
                    let copies = expanded_size(&sub).saturating_mul(n - 1);
                    if copies > *budget {
                        self.bad(
                            &at,
                            format!("GatherN({n}, ..)"),
                            "at most 1,000,000 steps once GatherN and Repeat are expanded",
                        );
                        *budget = 0;
                        continue;
                    }
                    *budget -= copies;
                    out.push(Step::Gather(vec![sub; n]));
                }
                RawStep::RunInExecutor(sub_steps) => {
                    async_only(self, "RunInExecutor");
                    let mut sub = Vec::new();
                    self.steps(sub_steps, RawKind::Sync, &at, &mut sub, budget);
                    out.push(Step::RunInExecutor(sub));
                }
                RawStep::Repeat(n, sub_steps) => {
                    if *n == 0 || *n > 1_000_000 {
                        self.bad(&at, format!("Repeat({n}, ..)"), "a count of 1..=1000000");
                        continue;
                    }
                    let mut sub = Vec::new();
                    self.steps(sub_steps, k, &at, &mut sub, budget);
                    let copies = expanded_size(&sub).saturating_mul(*n as usize - 1);
                    if copies > *budget {
                        self.bad(
                            &at,
                            format!("Repeat({n}, ..)"),
                            "at most 1,000,000 steps once GatherN and Repeat are expanded",
                        );
                        *budget = 0;
                        continue;
                    }
                    *budget -= copies;
                    for _ in 0..*n {
                        out.extend(sub.iter().cloned());
                    }
                }
            }
        }
    }

    /// Checks a distribution in ms and converts it to ns. `zero_ok` allows a zero duration
    /// (think times); body steps must take at least 1 ns.
    pub(super) fn dist(&mut self, d: &RawDist, field: &str, zero_ok: bool) -> Dist {
        let need = if zero_ok {
            format!("0 <= ms <= {MAX_MS:e}")
        } else {
            format!(
                "0.000001 <= ms <= {MAX_MS:e} (a step that takes no time is no step; remove it)"
            )
        };
        let ok = |v: f64| v.is_finite() && v <= MAX_MS && (v >= 1e-6 || (zero_ok && v == 0.0));
        match d {
            RawDist::Constant(ms) => {
                if !ok(*ms) {
                    self.bad(field, format!("Constant({ms})"), &need);
                }
                Dist::Constant(ms_to_ns(*ms))
            }
            RawDist::Exponential(mean) => {
                if !(ok(*mean) && *mean > 0.0) {
                    self.bad(
                        field,
                        format!("Exponential({mean})"),
                        &format!("a mean of 0.000001 <= ms <= {MAX_MS:e}"),
                    );
                }
                Dist::Exponential(mean * 1e6)
            }
            RawDist::Lognormal(median, sigma) => {
                if !(ok(*median)
                    && *median > 0.0
                    && sigma.is_finite()
                    && (0.0..=5.0).contains(sigma))
                {
                    self.bad(
                        field,
                        format!("Lognormal({median}, {sigma})"),
                        &format!("a median of 0.000001 <= ms <= {MAX_MS:e} and 0 <= sigma <= 5"),
                    );
                }
                Dist::Lognormal {
                    mu: (median.max(1e-9) * 1e6).ln(),
                    sigma: *sigma,
                }
            }
            RawDist::Uniform(lo, hi) => {
                if !(lo.is_finite() && *lo >= 0.0 && lo <= hi && ok(*hi)) {
                    self.bad(
                        field,
                        format!("Uniform({lo}, {hi})"),
                        &format!("0 <= min <= max, max within {need}"),
                    );
                }
                Dist::Uniform(lo * 1e6, hi * 1e6)
            }
            RawDist::Empirical(points) => {
                let increasing = points
                    .windows(2)
                    .all(|w| w[1].0 > w[0].0 && w[1].1 >= w[0].1);
                let in_range = points.iter().all(|(p, ms)| {
                    (0.0..=100.0).contains(p) && ms.is_finite() && (0.0..=MAX_MS).contains(ms)
                });
                let spans = points.first().map(|p| p.0) == Some(0.0)
                    && points.last().map(|p| p.0) == Some(100.0);
                let positive = points.last().is_some_and(|p| p.1 >= 1e-6) || zero_ok;
                if points.len() < 2 || !increasing || !in_range || !spans || !positive {
                    self.bad(field, format!("Empirical({points:?})"), "(percentile, ms) points from percentile 0 to 100, percentiles strictly increasing, ms non-decreasing, 0 <= ms <= 1e9, not all 0");
                }
                Dist::Empirical(points.iter().map(|(p, ms)| (p / 100.0, ms * 1e6)).collect())
            }
        }
    }
}

/// Steps a body runs once every gather branch is counted.
fn expanded_size(steps: &[Step]) -> usize {
    steps
        .iter()
        .map(|s| match s {
            Step::Gather(branches) => 1 + branches.iter().map(|b| expanded_size(b)).sum::<usize>(),
            Step::RunInExecutor(sub) => 1 + expanded_size(sub),
            _ => 1,
        })
        .sum()
}
