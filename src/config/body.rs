//! Checking function bodies: steps (where each may appear, loops and gathers expanded within a
//! budget) and duration distributions (bounds, units).

use super::checker::Checker;
use super::limits::{self, Fault, Real, Whole};
use super::number::Num;
use super::raw::{RawDist, RawKind, RawStep};
use super::{expanded_size, Dist, Step};

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
                    let n = self.count(&at, "GatherN", n, &limits::GATHER_COUNT);
                    let mut sub = Vec::new();
                    self.steps(branch, RawKind::Async, &at, &mut sub, budget);
                    let n = n.unwrap_or(1) as usize;
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
                    let Some(n) = self.count(&at, "Repeat", n, &limits::REPEAT_COUNT) else {
                        continue;
                    };
                    let mut sub = Vec::new();
                    self.steps(sub_steps, k, &at, &mut sub, budget);
                    let copies = expanded_size(&sub).saturating_mul(n as usize - 1);
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
                    for _ in 0..n {
                        out.extend(sub.iter().cloned());
                    }
                }
            }
        }
    }

    /// The count of a `GatherN` or `Repeat` step at `field`, or `None` after recording why it
    /// is not allowed.
    fn count(&mut self, field: &str, step: &str, n: &Num, allowed: &Whole) -> Option<u64> {
        allowed
            .check(n)
            .map_err(|fault| {
                self.problem(
                    field,
                    format!("{step}({n}, ..)"),
                    fault.what_of("count"),
                    &format!("allowed {step}(count, [..]) with count {allowed}"),
                )
            })
            .ok()
    }

    /// Checks a distribution in ms and converts it to ns. `zero_ok` allows a zero duration
    /// (think times); body steps must take at least 1 ns. One problem per distribution: the
    /// first parameter not allowed, and the rules for all of them.
    pub(super) fn dist(&mut self, d: &RawDist, field: &str, zero_ok: bool) -> Dist {
        let units = if zero_ok {
            DistUnits::THINK
        } else {
            DistUnits::STEP
        };
        self.dist_in(d, field, &units)
    }

    /// Checks a distribution written in `units` and converts it to the model's unit.
    pub(super) fn dist_in(&mut self, d: &RawDist, field: &str, units: &DistUnits) -> Dist {
        let (len, mean, scale) = (units.value, units.mean, units.scale);
        let mut p = Params::default();
        let (dist, form) = match d {
            RawDist::Constant(ms) => {
                let v = p.real(units.noun, ms, len);
                (Dist::Constant(to_units(v, scale)), units.constant_form)
            }
            RawDist::Exponential(m) => {
                let m = p.real("mean", m, mean);
                (Dist::Exponential(m * scale), "Exponential(mean)")
            }
            RawDist::Lognormal(median, sigma) => {
                let (median, sigma) = (
                    p.real("median", median, mean),
                    p.real("sigma", sigma, &limits::SIGMA),
                );
                let mu = (median.max(1e-9) * scale).ln();
                (Dist::Lognormal { mu, sigma }, "Lognormal(median, sigma)")
            }
            RawDist::Uniform(lo, hi) => {
                let (lo, hi) = (p.real("min", lo, units.floor), p.real("max", hi, len));
                p.rules.push("min <= max".into());
                if lo > hi {
                    p.fail("min", Fault::OutOfRange);
                }
                (Dist::Uniform(lo * scale, hi * scale), "Uniform(min, max)")
            }
            RawDist::Empirical(points) => {
                (self.empirical(points, units, &mut p), units.empirical_form)
            }
        };
        if let Some((param, fault)) = p.first {
            let allowed = p.rules.join("; ");
            self.problem(
                field,
                written(d),
                fault.what_of(param),
                &format!("allowed {form} with {allowed}"),
            );
        }
        dist
    }

    /// An `Empirical` distribution's points, checked into `p`.
    fn empirical(&mut self, points: &[(Num, Num)], units: &DistUnits, p: &mut Params) -> Dist {
        let checked: Vec<(f64, f64)> = points
            .iter()
            .map(|(pc, ms)| {
                (
                    p.real("percentile", pc, &limits::PERCENTILE),
                    p.real(units.noun, ms, units.floor),
                )
            })
            .collect();
        p.rules.push(format!(
            "percentiles from 0 to 100, strictly increasing, {}s non-decreasing, not all 0",
            units.noun
        ));
        let increasing = checked
            .windows(2)
            .all(|w| w[1].0 > w[0].0 && w[1].1 >= w[0].1);
        let spans =
            checked.first().map(|p| p.0) == Some(0.0) && checked.last().map(|p| p.0) == Some(100.0);
        let positive = units.zero_ok || checked.last().is_some_and(|p| p.1 >= 1e-6);
        if checked.len() < 2 || !increasing || !spans {
            p.fail("list of points", Fault::OutOfRange);
        } else if !positive {
            p.fail("last value", Fault::OutOfRange);
        }
        let scale = units.scale;
        Dist::Empirical(
            checked
                .iter()
                .map(|(pc, v)| (pc / 100.0, v * scale))
                .collect(),
        )
    }
}

/// How a distribution is written and what the model counts: durations in ms become ns,
/// memory in MB becomes KiB.
pub(super) struct DistUnits {
    /// A single value's name in messages ("duration", "memory").
    noun: &'static str,
    /// A constant, a max: its range.
    value: &'static Real,
    /// A mean or a median: its range.
    mean: &'static Real,
    /// A min or an empirical point: its range.
    floor: &'static Real,
    /// Whether the distribution may be 0 everywhere.
    zero_ok: bool,
    /// Model units per written unit.
    scale: f64,
    /// `Constant(..)` as the message shows it.
    constant_form: &'static str,
    /// `Empirical(..)` as the message shows it.
    empirical_form: &'static str,
}

impl DistUnits {
    /// A body step's duration: ms, at least 1 ns.
    const STEP: DistUnits = DistUnits {
        noun: "duration",
        value: &limits::STEP_MS,
        mean: &limits::STEP_MS,
        floor: &limits::THINK_MS,
        zero_ok: false,
        scale: 1e6,
        constant_form: "Constant(duration)",
        empirical_form: "Empirical([(percentile, duration), ..])",
    };
    /// A think time: ms, may be 0.
    const THINK: DistUnits = DistUnits {
        noun: "duration",
        value: &limits::THINK_MS,
        mean: &limits::THINK_MEAN_MS,
        floor: &limits::THINK_MS,
        zero_ok: true,
        scale: 1e6,
        constant_form: "Constant(duration)",
        empirical_form: "Empirical([(percentile, duration), ..])",
    };
    /// An invocation's memory: MB, may be 0, counted in KiB.
    pub(super) const MEMORY: DistUnits = DistUnits {
        noun: "memory",
        value: &limits::INVOCATION_MEMORY_MB,
        mean: &limits::INVOCATION_MEMORY_MEAN_MB,
        floor: &limits::INVOCATION_MEMORY_MB,
        zero_ok: true,
        scale: 1024.0,
        constant_form: "Constant(memory)",
        empirical_form: "Empirical([(percentile, memory), ..])",
    };
}

/// `v` written units in model units, rounded (0 for anything not finite and positive).
fn to_units(v: f64, scale: f64) -> u64 {
    if v.is_finite() && v > 0.0 {
        (v * scale).round() as u64
    } else {
        0
    }
}

/// The parameters of one distribution as they are checked: the first that is not allowed, and
/// the rule of each (deduplicated), for the message.
#[derive(Default)]
struct Params {
    first: Option<(&'static str, Fault)>,
    rules: Vec<String>,
}

impl Params {
    /// The parameter's value, or 1 when it is not allowed (so checking can go on).
    fn real(&mut self, name: &'static str, n: &Num, allowed: &Real) -> f64 {
        let rule = format!("{name}: {allowed}");
        if !self.rules.contains(&rule) {
            self.rules.push(rule);
        }
        allowed.check(n).unwrap_or_else(|fault| {
            self.fail(name, fault);
            1.0
        })
    }

    fn fail(&mut self, name: &'static str, fault: Fault) {
        self.first.get_or_insert((name, fault));
    }
}

/// A distribution as written: `Lognormal(1e9, 5)`, `Constant("two")`.
fn written(d: &RawDist) -> String {
    match d {
        RawDist::Constant(x) => format!("Constant({x})"),
        RawDist::Exponential(x) => format!("Exponential({x})"),
        RawDist::Lognormal(a, b) => format!("Lognormal({a}, {b})"),
        RawDist::Uniform(a, b) => format!("Uniform({a}, {b})"),
        RawDist::Empirical(points) => {
            let points: Vec<String> = points
                .iter()
                .map(|(p, ms)| format!("({p}, {ms})"))
                .collect();
            format!("Empirical([{}])", points.join(", "))
        }
    }
}
