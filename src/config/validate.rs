//! Raw -> typed: every value checked (all problems reported at once), defaults resolved,
//! profiles and arrival files loaded. Nothing is written before this succeeds.

use super::raw::*;
use super::source::{locate, parse_ron, read_text};
use super::*;
use crate::error::{Problem, Result, SimError};
use crate::workload::trace::read_arrivals;
use std::path::{Path, PathBuf};

/// Azure's limit on FUNCTIONS_WORKER_PROCESS_COUNT (the host refuses more).
pub const MAX_PROCESSES: u32 = 10;
/// Largest thread pool sim accepts (Python itself has no bound on 3.8+).
pub const MAX_THREADS: u32 = 4096;
/// Longest duration sim accepts for any step, think time or instant, in ms (about 11.6 days):
/// far beyond any function timeout, and safe from overflow in nanoseconds.
pub const MAX_MS: f64 = 1e9;
/// Longest arrival window or horizon, in seconds (about 11.6 days).
pub const MAX_S: f64 = 1e6;

/// Loads, overrides and validates an experiment file.
pub fn load_experiment(path: &Path, overrides: &[String]) -> Result<Experiment> {
    let text = read_text(path)?;
    parse_experiment(&text, path, overrides)
}

/// Parses, overrides and validates experiment `text` as if read from `path` (relative
/// profile and trace paths resolve against `path`'s folder). For notebooks and tests.
pub fn parse_experiment(text: &str, path: &Path, overrides: &[String]) -> Result<Experiment> {
    let mut raw: RawExperiment = parse_ron(path, text, "experiments/io_bound.ron")?;
    raw = overrides::apply(raw, overrides)?;
    validate(raw, path, text, overrides)
}

/// Checks a parsed experiment; `text` is the file's source, used to point at bad values, and
/// `overrides` the `--set` specs applied to it, which are blamed for the values they set.
pub fn validate(
    raw: RawExperiment,
    path: &Path,
    text: &str,
    overrides: &[String],
) -> Result<Experiment> {
    let mut c = Checker {
        file: path.to_path_buf(),
        text: text.to_string(),
        problems: Vec::new(),
        overrides: overrides
            .iter()
            .filter_map(|spec| {
                spec.split_once('=')
                    .map(|(p, _)| (p.trim().to_string(), spec.clone()))
            })
            .collect(),
    };
    let base = path.parent().unwrap_or(Path::new("."));
    if raw.name.is_empty()
        || !raw
            .name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
        || raw.name.starts_with('.')
    {
        c.bad(
            "name",
            format!("{:?}", raw.name),
            "letters, digits, '-', '_' and '.', not starting with '.' (it names the output folder)",
        );
    }
    let host = c.host(&raw.host);
    if raw.functions.is_empty() {
        c.bad("functions", "[]", "at least one function");
    }
    let mut functions = Vec::new();
    for (i, f) in raw.functions.iter().enumerate() {
        if let Some(spec) = c.function_use(i, f, base)? {
            if functions.iter().any(|g: &FunctionSpec| g.name == spec.name) {
                c.bad(
                    &format!("functions[{i}].function.name"),
                    format!("{:?}", spec.name),
                    "a name no other function of the experiment has",
                );
            }
            functions.push(spec);
        }
    }
    let horizon_ns = raw.horizon_s.map(|h| {
        c.positive_at_most(
            "horizon_s",
            h,
            MAX_S,
            "seconds (omit to run until every invocation ends)",
        );
        (h.clamp(0.0, MAX_S) * 1e9) as u64
    });
    c.positive_at_most(
        "output.timeseries_interval_ms",
        raw.output.timeseries_interval_ms,
        MAX_MS,
        "milliseconds",
    );
    if !c.problems.is_empty() {
        return Err(SimError::Invalid(c.problems));
    }
    Ok(Experiment {
        name: raw.name,
        description: raw.description,
        seed: raw.seed,
        host,
        functions,
        horizon_ns,
        output: OutputConfig {
            invocations: raw.output.invocations,
            timeseries_interval_ns: ms_to_ns(raw.output.timeseries_interval_ms).max(1),
        },
        source: path.to_path_buf(),
    })
}

fn ms_to_ns(ms: f64) -> u64 {
    if ms.is_finite() && ms > 0.0 {
        (ms * 1e6).round() as u64
    } else {
        0
    }
}

/// Collects problems instead of stopping at the first.
struct Checker {
    file: PathBuf,
    text: String,
    problems: Vec<Problem>,
    /// (dotted path, full spec) of each `--set`.
    overrides: Vec<(String, String)>,
}

impl Checker {
    /// A value outside its range.
    fn bad(&mut self, field: &str, value: impl ToString, allowed: &str) {
        self.problem(field, value, "is out of range", allowed);
    }

    /// A step or option used where it cannot be.
    fn misplaced(&mut self, field: &str, value: impl ToString, allowed: &str) {
        self.problem(field, value, "is not allowed here", allowed);
    }

    fn problem(&mut self, field: &str, value: impl ToString, what: &'static str, allowed: &str) {
        // `functions[0].workload.n` was set by `--set functions.0.workload.n=..`?
        let dotted = field.replace('[', ".").replace(']', "");
        let from_set = self
            .overrides
            .iter()
            .find(|(p, _)| *p == dotted)
            .map(|(_, spec)| spec.clone());
        let (file, location) = match from_set {
            Some(spec) => (PathBuf::from(format!("--set {spec}")), None),
            None => (self.file.clone(), locate(&self.text, field)),
        };
        self.problems.push(Problem {
            file,
            location,
            field: field.to_string(),
            value: value.to_string(),
            what,
            allowed: allowed.to_string(),
        });
    }

    fn positive_at_most(&mut self, field: &str, v: f64, max: f64, unit: &str) {
        if !(v.is_finite() && v > 0.0 && v <= max) {
            self.bad(field, v, &format!("0 < {unit} <= {max:e}"));
        }
    }

    fn non_negative(&mut self, field: &str, v: f64, max: f64, unit: &str) {
        if !(v.is_finite() && (0.0..=max).contains(&v)) {
            self.bad(field, v, &format!("0 <= {unit} <= {max:e}"));
        }
    }

    fn host(&mut self, h: &RawHost) -> HostConfig {
        if !(h.cores.is_finite() && (0.01..=1024.0).contains(&h.cores)) {
            self.bad(
                "host.cores",
                h.cores,
                "0.01 <= cores <= 1024 (fractions allowed: Flex 512 MB has 0.25)",
            );
        }
        if h.processes == 0 || h.processes > MAX_PROCESSES {
            self.bad(
                "host.processes",
                h.processes,
                "1..=10 (FUNCTIONS_WORKER_PROCESS_COUNT: Azure's host refuses more than 10 worker processes)",
            );
        }
        let (minor, version_free_threaded) = match parse_python(&h.python) {
            Some(v) => v,
            None => {
                self.bad(
                    "host.python",
                    format!("{:?}", h.python),
                    "\"3.6\" .. \"3.14\" (a \"t\" suffix, e.g. \"3.13t\", means free-threaded)",
                );
                (11, false)
            }
        };
        let free_threaded = h.free_threaded || version_free_threaded;
        if free_threaded && minor < 13 {
            self.bad(
                "host.free_threaded",
                "true",
                "false below Python 3.13 (free-threaded builds exist from 3.13t)",
            );
        }
        let cpu_count = match h.cpu_count {
            Some(0) => {
                self.bad("host.cpu_count", 0, ">= 1 (omit to use ceil(cores))");
                1
            }
            Some(n) => n,
            None => h.cores.max(1.0).ceil().min(1024.0) as u32,
        };
        let pool_default = (cpu_count + 4).min(32);
        let (threads, threads_source) = match h.threads {
            Some(0) => {
                self.bad("host.threads", 0, format!("1..={MAX_THREADS} (PYTHON_THREADPOOL_THREAD_COUNT; omit it for Python's default)").as_str());
                (1, String::new())
            }
            Some(t) if t > MAX_THREADS => {
                self.bad(
                    "host.threads",
                    t,
                    format!("1..={MAX_THREADS} (PYTHON_THREADPOOL_THREAD_COUNT)").as_str(),
                );
                (1, String::new())
            }
            Some(t) if minor <= 7 && t > 32 => (
                32,
                format!("set to {t}, capped at 32 by Python 3.{minor}'s worker"),
            ),
            Some(t) => (t, "set (PYTHON_THREADPOOL_THREAD_COUNT)".to_string()),
            None if minor <= 8 => (1, format!("default for Python 3.{minor}: 1")),
            None => (
                pool_default,
                format!("default for Python 3.{minor}: min(32, cpu_count + 4) = {pool_default}"),
            ),
        };
        if !(h.switch_interval_ms.is_finite()
            && h.switch_interval_ms > 0.0
            && h.switch_interval_ms <= 1000.0)
        {
            self.bad(
                "host.switch_interval_ms",
                h.switch_interval_ms,
                "0 < ms <= 1000 (CPython's default is 5)",
            );
        }
        self.non_negative(
            "host.process_start_interval_s",
            h.process_start_interval_s,
            3600.0,
            "seconds (Azure starts processes 10 s apart; 0 = all warm)",
        );
        let d = &h.dispatch;
        let cal = DispatchCosts::CALIBRATED;
        let mut us = |name: &str, v: Option<f64>, default: u64| -> u64 {
            match v {
                None => default,
                Some(x) if x.is_finite() && (0.0..=1e9).contains(&x) => (x * 1e3).round() as u64,
                Some(x) => {
                    self.bad(
                        &format!("host.dispatch.{name}"),
                        x,
                        "0 <= microseconds <= 1e9",
                    );
                    default
                }
            }
        };
        let dispatch = DispatchCosts {
            transport_ns: us("transport_us", d.transport_us, cal.transport_ns),
            receive_ns: us("receive_us", d.receive_us, cal.receive_ns),
            dispatch_ns: us("dispatch_us", d.dispatch_us, cal.dispatch_ns),
            executor_handoff_ns: us(
                "executor_handoff_us",
                d.executor_handoff_us,
                cal.executor_handoff_ns,
            ),
            task_start_ns: us("task_start_us", d.task_start_us, cal.task_start_ns),
            complete_ns: us("complete_us", d.complete_us, cal.complete_ns),
            respond_ns: us("respond_us", d.respond_us, cal.respond_ns),
            gil_handover_ns: us("gil_handover_us", d.gil_handover_us, cal.gil_handover_ns),
            timer_slack_ns: us("timer_slack_us", d.timer_slack_us, cal.timer_slack_ns),
            ..cal
        };
        let mut share = |name: &str, v: Option<f64>, default: f64| match v {
            None => default,
            Some(x) if (0.0..=1.0).contains(&x) => x,
            Some(x) => {
                self.bad(
                    &format!("host.dispatch.{name}"),
                    x,
                    "a probability, 0 ..= 1",
                );
                default
            }
        };
        let prev = share(
            "handover_previous_holder",
            d.handover_previous_holder,
            cal.handover_previous_holder,
        );
        let longest = share(
            "handover_longest_waiter",
            d.handover_longest_waiter,
            cal.handover_longest_waiter,
        );
        let syscall_loss = share("syscall_loss", d.syscall_loss, cal.syscall_loss);
        let syscall_loss_recent = share(
            "syscall_loss_recent",
            d.syscall_loss_recent,
            cal.syscall_loss_recent,
        );
        if prev + longest > 1.0 {
            self.bad(
                "host.dispatch.handover_longest_waiter",
                longest,
                "at most 1 - handover_previous_holder",
            );
        }
        let dispatch = DispatchCosts {
            handover_previous_holder: prev,
            handover_longest_waiter: longest,
            syscall_loss,
            syscall_loss_recent,
            ..dispatch
        };
        let dispatch = match d.jitter_sigma {
            None => dispatch,
            Some(s) if s.is_finite() && (0.0..=3.0).contains(&s) => DispatchCosts {
                jitter_sigma: s,
                ..dispatch
            },
            Some(s) => {
                self.bad(
                    "host.dispatch.jitter_sigma",
                    s,
                    "0 <= sigma <= 3 (0 = constant costs)",
                );
                dispatch
            }
        };
        HostConfig {
            cores: h.cores,
            processes: h.processes.clamp(1, MAX_PROCESSES),
            threads,
            threads_source,
            default_executor_threads: pool_default,
            cpu_count,
            python: h.python.clone(),
            free_threaded,
            switch_interval_ns: ms_to_ns(h.switch_interval_ms).max(1),
            process_start_interval_ns: (h.process_start_interval_s.max(0.0) * 1e9) as u64,
            prewarm_pools: h.prewarm_pools,
            dispatch,
        }
    }

    /// Resolves and checks one entry of `functions`; profile files are checked against their
    /// own text. `Err` only for unreadable or unparsable files.
    fn function_use(
        &mut self,
        i: usize,
        f: &RawFunctionUse,
        base: &Path,
    ) -> Result<Option<FunctionSpec>> {
        let (def, def_field) = match &f.function {
            RawFunctionRef::Inline(def) => (def.clone(), format!("functions[{i}].function")),
            RawFunctionRef::Profile(rel) => {
                let path = base.join(rel);
                if !path.is_file() {
                    self.bad(
                        &format!("functions[{i}].function"),
                        format!("Profile({rel:?})"),
                        &format!("a profile file that exists ({} does not; paths are relative to the experiment file's folder)", path.display()),
                    );
                    return Ok(None);
                }
                let text = read_text(&path)?;
                let def: RawFunction = parse_ron(&path, &text, "models/sleep_1s.ron")?;
                let mut sub = Checker {
                    file: path,
                    text,
                    problems: Vec::new(),
                    overrides: Vec::new(),
                };
                let body = sub.body(&def.body, def.kind, "body");
                let name_ok = sub.function_name(&def.name, "name");
                self.problems.append(&mut sub.problems);
                let workload =
                    self.workload(&f.workload, &format!("functions[{i}].workload"), base)?;
                return Ok(match (body, workload, name_ok) {
                    (Some(body), Some(workload), true) => Some(FunctionSpec {
                        name: def.name,
                        kind: kind(def.kind),
                        body,
                        workload,
                    }),
                    _ => None,
                });
            }
        };
        let body = self.body(&def.body, def.kind, &format!("{def_field}.body"));
        let name_ok = self.function_name(&def.name, &format!("{def_field}.name"));
        let workload = self.workload(&f.workload, &format!("functions[{i}].workload"), base)?;
        Ok(match (body, workload, name_ok) {
            (Some(body), Some(workload), true) => Some(FunctionSpec {
                name: def.name,
                kind: kind(def.kind),
                body,
                workload,
            }),
            _ => None,
        })
    }

    fn function_name(&mut self, name: &str, field: &str) -> bool {
        let ok = !name.is_empty() && !name.contains([',', '"', '\n']);
        if !ok {
            self.bad(
                field,
                format!("{name:?}"),
                "a non-empty name without commas, quotes or newlines",
            );
        }
        ok
    }

    fn body(&mut self, steps: &[RawStep], k: RawKind, field: &str) -> Option<Vec<Step>> {
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
    fn dist(&mut self, d: &RawDist, field: &str, zero_ok: bool) -> Dist {
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

    fn workload(&mut self, w: &RawWorkload, field: &str, base: &Path) -> Result<Option<Workload>> {
        let before = self.problems.len();
        let out = match w {
            RawWorkload::Burst { n, at_ms } => {
                if *n == 0 || *n > 1_000_000_000 {
                    self.bad(&format!("{field}.n"), n, "1..=1000000000 invocations");
                }
                self.non_negative(&format!("{field}.at_ms"), *at_ms, MAX_MS, "ms");
                Workload::Burst {
                    n: *n,
                    at_ns: ms_to_ns(*at_ms),
                }
            }
            RawWorkload::Poisson {
                rate_per_s,
                duration_s,
            } => {
                self.positive_at_most(
                    &format!("{field}.rate_per_s"),
                    *rate_per_s,
                    1e9,
                    "arrivals per second",
                );
                self.positive_at_most(
                    &format!("{field}.duration_s"),
                    *duration_s,
                    MAX_S,
                    "seconds",
                );
                Workload::Poisson {
                    rate_per_s: *rate_per_s,
                    duration_ns: (duration_s.clamp(0.0, MAX_S) * 1e9) as u64,
                }
            }
            RawWorkload::ClosedLoop {
                clients,
                think,
                duration_s,
                requests_per_client,
            } => {
                if *clients == 0 || *clients > 1_000_000 {
                    self.bad(&format!("{field}.clients"), clients, "1..=1000000 clients");
                }
                let think = self.dist(think, &format!("{field}.think"), true);
                match (duration_s, requests_per_client) {
                    (Some(d), None) => {
                        self.positive_at_most(&format!("{field}.duration_s"), *d, MAX_S, "seconds")
                    }
                    (None, Some(0)) => self.bad(&format!("{field}.requests_per_client"), 0, ">= 1"),
                    (None, Some(_)) => {}
                    _ => self.bad(
                        field,
                        "ClosedLoop",
                        "exactly one of duration_s or requests_per_client",
                    ),
                }
                Workload::ClosedLoop {
                    clients: *clients,
                    think,
                    duration_ns: duration_s.map(|d| (d.clamp(0.0, MAX_S) * 1e9) as u64),
                    requests_per_client: *requests_per_client,
                }
            }
            RawWorkload::Replay {
                path,
                column,
                filter,
            } => {
                let full = base.join(path);
                let arrivals_ns = read_arrivals(&full, column, filter.as_ref())?;
                if arrivals_ns.is_empty() {
                    self.bad(
                        &format!("{field}.path"),
                        format!("{path:?}"),
                        "a file with at least one arrival (after the filter)",
                    );
                }
                Workload::Replay {
                    path: full,
                    arrivals_ns,
                }
            }
        };
        Ok((self.problems.len() == before).then_some(out))
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

fn kind(k: RawKind) -> FunctionKind {
    match k {
        RawKind::Sync => FunctionKind::Sync,
        RawKind::Async => FunctionKind::Async,
    }
}

/// "3.11" -> (11, false); "3.13t" -> (13, true); anything outside 3.6..=3.14 -> None.
fn parse_python(v: &str) -> Option<(u32, bool)> {
    let (v, ft) = match v.strip_suffix('t') {
        Some(rest) => (rest, true),
        None => (v, false),
    };
    let minor: u32 = v.strip_prefix("3.")?.parse().ok()?;
    (6..=14).contains(&minor).then_some((minor, ft))
}
