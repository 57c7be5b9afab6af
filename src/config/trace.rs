//! The `trace` block: a recorded trace replayed as functions of the run.
//!
//! Each trace function kept (all of them, the `top` busiest in the window, or a list) becomes
//! a [`FunctionSpec`] whose arrivals stream from the file ([`Workload::Trace`]) and whose
//! body spends each invocation's recorded duration (or `body.duration_ms` when the trace has
//! none) as `cpu_share` Python code, then the rest as I/O (blocking for `Sync`, awaited for
//! `Async`); a 2019 function's durations are drawn from its percentiles in the `durations`
//! file, one per invocation. The first pass over the file (streaming) checks every row and counts each
//! function's invocations in the window; the run's second pass streams the arrivals.
//!
//! Limits: at most [`limits::MAX_TRACE_FUNCTIONS`] functions kept by name, since each keeps
//! its own statistics and a 2019 function reads its own row (a function id holds 65,535, far
//! more); a row file's functions share one reader (`crate::model`'s `trace_share`); a trace
//! with more (a 2019 day has ~46,000) chooses with `top` or `functions`, and `rest: Grouped`
//! replays all the others as one more function from one shared stream
//! ([`super::trace_rest`]). `scale: k` divides the window's times by k: arrivals
//! k times as dense, durations as recorded.

use super::checker::Checker;
use super::limits;
use super::raw::{Num, RawFunctionRef, RawKind};
use super::trace_rest::rest_function;
use super::validate::FunctionDef;
use super::{Dist, FunctionKind, FunctionSpec, Step, Workload};
use crate::error::Result;
use crate::workload::azure2019::{read_percentiles, Spread};
use crate::workload::trace_rows::TraceFormat;
use crate::workload::trace_scan::{app_sampled, scan, Scan};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A recorded trace replayed as functions of the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Trace")]
pub struct RawTrace {
    /// The trace file (CSV), relative to the experiment file.
    pub path: String,
    /// Its layout: `Azure2021` (app,func,end_timestamp,duration) or `Csv`
    /// (timestamp_s|timestamp_ms, function, optional duration_s|duration_ms).
    pub format: TraceFormat,
    /// Azure2019 only: the `function_durations_percentiles` file of the same day, relative to
    /// the experiment file (omit: every invocation lasts `body.duration_ms`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub durations: Option<String>,
    /// Azure2019 only: the `app_memory_percentiles` file of the same day, relative to the
    /// experiment file: the one app kept sets what each worker process holds at rest (see
    /// [`super::trace_memory`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_memory: Option<String>,
    /// Azure2019 only: how each minute's invocations are spread in it: `Uniform` (default),
    /// `Poisson` or `Equidistant`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread: Option<Spread>,
    /// Only arrivals in [from, to) seconds of the trace, replayed from 0 (omit: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_s: Option<(Num, Num)>,
    /// Arrivals come k times as densely, 0 < k <= 1000 (omit: 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Num>,
    /// Keep each app of the trace (and all its functions) with this chance, 0 < share <= 1,
    /// drawn from the experiment's seed and the app's name (omit: every app). `top` and
    /// `functions` then choose among the apps kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_apps: Option<Num>,
    /// Keep the N busiest functions in the window, 1..=500.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top: Option<Num>,
    /// Or keep these functions (their keys in the trace: `app/func` for Azure 2021).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functions: Option<Vec<String>>,
    /// The functions not kept by `top` or `functions`: `Dropped` (the default) or `Grouped`,
    /// replayed together as one function, "(other functions)", each invocation with its own
    /// function's duration. With `Grouped` and neither `top` nor `functions`, every function
    /// is in the group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rest: Option<Rest>,
    /// Azure2019 only: `FromTrace` gives each function the trigger its `Trigger` column names
    /// (see [`super::trace_triggers`]; needs a `scale` block), `Direct` (the default) delivers
    /// every arrival straight to the instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triggers: Option<TraceTriggers>,
    /// What each invocation's body does with its duration (omit: 30% Python, a `def`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<RawTraceBody>,
    /// Programs for some trace functions instead of `body`: the first entry naming a function
    /// gives its kind and body (its durations then come from the program, not the trace).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub map: Vec<RawTraceMap>,
}

/// Trace functions that run a program of their own.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "TraceMap")]
pub struct RawTraceMap {
    /// Their keys in the trace (`app/func`), or prefixes ending in `*` (`app/*`: every
    /// function of the app).
    pub functions: Vec<String>,
    /// The program: `Profile("../models/x.ron")` or `Inline(Function(..))` (its name is not
    /// used: the function keeps its trace name).
    pub function: RawFunctionRef,
}

/// How a trace's functions are triggered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum TraceTriggers {
    /// Arrivals go straight to the instance, with no trigger in front.
    #[default]
    Direct,
    /// Each 2019 function gets the trigger its `Trigger` column names.
    FromTrace,
}

/// What becomes of a trace's functions that the block does not keep by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Rest {
    /// They are left out.
    #[default]
    Dropped,
    /// They are replayed together as one function of the run, from one shared stream.
    Grouped,
}

/// The body each trace function runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "TraceBody")]
pub struct RawTraceBody {
    /// Share of each duration spent in Python code (holding the GIL), 0..=1 (default 0.3);
    /// the rest is I/O.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_share: Option<Num>,
    /// `Sync` (a `def`, blocking I/O) or `Async` (an `async def`, awaited I/O); default Sync.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<RawKind>,
    /// The duration of invocations the trace records none for, ms (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<Num>,
}

/// Where one trace function's arrivals come from, resolved.
#[derive(Debug, Clone, Serialize)]
pub struct TraceSource {
    /// The file.
    pub path: PathBuf,
    /// Its layout.
    pub format: TraceFormat,
    /// The function's key in the trace.
    pub key: String,
    /// How far rows run out of arrival order (the reorder's window), ns.
    pub lateness_ns: u64,
    /// The window of the trace replayed, ns: [from, to).
    pub window_ns: (u64, u64),
    /// Times in the window are divided by this.
    pub scale: f64,
    /// The duration of an invocation the trace records none for, ns.
    pub default_duration_ns: u64,
    /// The function's invocations in the window.
    pub count: u64,
    /// The replayed span, ns (the window's length after scaling, or to the last arrival).
    pub span_ns: u64,
    /// Azure2019: how a minute's invocations are spread in it.
    pub spread: Spread,
    /// Azure2019: the function's duration percentiles, (probability, ns), if the durations
    /// file has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percentiles: Option<Vec<(f64, f64)>>,
    /// Set for the function that replays the trace's grouped rest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rest: Option<RestSource>,
}

/// The grouped rest of a trace: every function not kept by name, among the sampled apps.
#[derive(Debug, Clone, Serialize)]
pub struct RestSource {
    /// The functions replayed on their own, left out of the group.
    pub kept: Vec<String>,
    /// Apps are kept with this chance, drawn from this seed (as the block's `sample_apps`).
    pub sample: Option<(f64, u64)>,
    /// Azure2019: the durations file the group's percentiles come from.
    pub durations: Option<PathBuf>,
    /// The functions in the group with an invocation in the window.
    pub functions: u64,
}

/// The block's options, checked.
pub(super) struct Options {
    pub(super) window_ns: (u64, u64),
    pub(super) sample_apps: Option<f64>,
    pub(super) scale: f64,
    pub(super) cpu_share: f64,
    pub(super) kind: FunctionKind,
    pub(super) default_duration_ns: u64,
}

impl Checker {
    /// The functions a `trace` block contributes; `Err` only for an unreadable file or a row
    /// that does not parse.
    pub(super) fn trace_functions(
        &mut self,
        t: &RawTrace,
        base: &Path,
        seed: u64,
        cores: f64,
    ) -> Result<Vec<FunctionSpec>> {
        let path = base.join(&t.path);
        if !path.is_file() {
            self.bad(
                "trace.path",
                format!("{:?}", t.path),
                &format!(
                    "a trace file that exists ({}; paths are relative to the experiment file's folder)",
                    path.display()
                ),
            );
            return Ok(Vec::new());
        }
        let before = self.problems.len();
        let o = self.trace_options(t);
        if self.problems.len() > before {
            return Ok(Vec::new());
        }
        let mut s = scan(&path, t.format, o.window_ns)?;
        if let Some(share) = o.sample_apps {
            s.functions.retain(|key, _| app_sampled(key, share, seed));
        }
        let keys = self.trace_keys(t, &s);
        let durations = self.durations_file(t, base);
        let mut percentiles = match &durations {
            Some(file) => read_percentiles(file, &keys.iter().cloned().collect())?,
            None => HashMap::new(),
        };
        let rest = match t.rest.unwrap_or_default() {
            Rest::Grouped => {
                let sample = o.sample_apps.map(|share| (share, seed));
                rest_function(&path, t, &s, &keys, &o, sample, durations)?
            }
            Rest::Dropped => None,
        };
        if keys.is_empty() && rest.is_none() && self.problems.is_empty() {
            self.bad(
                "trace",
                format!("{:?}", t.path),
                "at least one invocation in the window",
            );
        }
        let maps = self.trace_maps(t, base, &keys)?;
        let mut specs: Vec<FunctionSpec> = keys
            .into_iter()
            .map(|key| {
                let p = percentiles.remove(&key);
                let program = maps
                    .iter()
                    .find(|(patterns, _)| patterns.iter().any(|q| matches(q, &key)))
                    .map(|(_, def)| def);
                trace_function(&path, t, &s, key, &o, p, program)
            })
            .collect();
        specs.extend(rest);
        if t.triggers == Some(TraceTriggers::FromTrace) {
            self.trace_triggers(t, &s, &mut specs, cores);
        }
        Ok(specs)
    }

    /// The `map` entries, each with its checked program; a pattern that names no kept function
    /// is a problem (a typo would otherwise leave the function on `body` silently).
    fn trace_maps(
        &mut self,
        t: &RawTrace,
        base: &Path,
        keys: &[String],
    ) -> Result<Vec<(Vec<String>, FunctionDef)>> {
        let mut out = Vec::new();
        for (i, m) in t.map.iter().enumerate() {
            for (j, q) in m.functions.iter().enumerate() {
                if !keys.iter().any(|k| matches(q, k)) {
                    let example = keys
                        .first()
                        .map_or("none is kept".into(), |k| format!("e.g. {k:?}"));
                    self.bad(
                        &format!("trace.map[{i}].functions[{j}]"),
                        format!("{q:?}"),
                        &format!("the key of a function kept from the trace ({example}), or a prefix ending in * (\"app/*\")"),
                    );
                }
            }
            let field = format!("trace.map[{i}].function");
            if let Some(def) = self.function_def(&m.function, &field, base)? {
                out.push((m.functions.clone(), def));
            }
        }
        Ok(out)
    }

    /// The 2019 durations file, when given and the format is Azure2019 (a problem otherwise).
    fn durations_file(&mut self, t: &RawTrace, base: &Path) -> Option<PathBuf> {
        let rel = t.durations.as_ref()?;
        if t.format != TraceFormat::Azure2019 {
            self.bad(
                "trace.durations",
                format!("{rel:?}"),
                "only with format: Azure2019 (the other formats record each duration)",
            );
            return None;
        }
        let file = base.join(rel);
        if !file.is_file() {
            self.bad(
                "trace.durations",
                format!("{rel:?}"),
                &format!("a durations file that exists ({} is not a file; paths are relative to the experiment file's folder)", file.display()),
            );
            return None;
        }
        Some(file)
    }

    fn trace_options(&mut self, t: &RawTrace) -> Options {
        let window_ns = match &t.window_s {
            None => (0, u64::MAX),
            Some((from, to)) => {
                let from = self.real("trace.window_s.0", from, &limits::TRACE_WINDOW_S);
                let to = self.real("trace.window_s.1", to, &limits::TRACE_WINDOW_S);
                if let (Some(a), Some(b)) = (from, to) {
                    if a >= b {
                        self.bad("trace.window_s", format!("({a}, {b})"), "from < to");
                    }
                }
                let ns = |s: Option<f64>| (s.unwrap_or(0.0) * 1e9).round() as u64;
                (ns(from), ns(to))
            }
        };
        let scale = t
            .scale
            .as_ref()
            .and_then(|k| self.real("trace.scale", k, &limits::TRACE_SCALE))
            .unwrap_or(1.0);
        let body = t.body.as_ref();
        let cpu_share = body
            .and_then(|b| b.cpu_share.as_ref())
            .and_then(|n| self.real("trace.body.cpu_share", n, &limits::CPU_SHARE))
            .unwrap_or(0.3);
        let duration_ms = body
            .and_then(|b| b.duration_ms.as_ref())
            .and_then(|n| self.real("trace.body.duration_ms", n, &limits::STEP_MS))
            .unwrap_or(100.0);
        let kind = match body.and_then(|b| b.kind) {
            Some(RawKind::Async) => FunctionKind::Async,
            _ => FunctionKind::Sync,
        };
        let sample_apps = t
            .sample_apps
            .as_ref()
            .and_then(|n| self.real("trace.sample_apps", n, &limits::SAMPLE_APPS));
        Options {
            window_ns,
            sample_apps,
            scale,
            cpu_share,
            kind,
            default_duration_ns: (duration_ms * 1e6).round() as u64,
        }
    }

    /// The keys of the functions kept, in the trace's key order.
    fn trace_keys(&mut self, t: &RawTrace, s: &Scan) -> Vec<String> {
        let busy = |k: &String| s.functions.get(k).is_some_and(|f| f.count > 0);
        let mut keys: Vec<String> = match (&t.top, &t.functions) {
            (Some(_), Some(_)) => {
                self.bad(
                    "trace",
                    "top and functions",
                    "at most one of top or functions",
                );
                return Vec::new();
            }
            (Some(n), None) => {
                let Some(n) = self.whole("trace.top", n, &limits::TRACE_TOP) else {
                    return Vec::new();
                };
                let mut all: Vec<(&String, u64)> =
                    s.functions.iter().map(|(k, f)| (k, f.count)).collect();
                all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
                all.into_iter()
                    .take(n as usize)
                    .map(|(k, _)| k.clone())
                    .collect()
            }
            (None, Some(list)) => {
                for (i, k) in list.iter().enumerate() {
                    if !s.functions.contains_key(k) {
                        self.bad(
                            &format!("trace.functions[{i}]"),
                            format!("{k:?}"),
                            "a function of the trace (`sim trace stats FILE` lists the busiest)",
                        );
                    }
                }
                list.clone()
            }
            (None, None) if t.rest == Some(Rest::Grouped) => Vec::new(),
            (None, None) => s.functions.keys().cloned().collect(),
        };
        keys.retain(busy);
        keys.sort();
        keys.dedup();
        if keys.len() as u64 > limits::MAX_TRACE_FUNCTIONS {
            self.bad(
                "trace",
                format!("{} functions", keys.len()),
                &format!(
                    "at most {} functions: keep the busiest with `top: N` or list them in `functions`, and replay the others as one function with `rest: Grouped`",
                    limits::MAX_TRACE_FUNCTIONS
                ),
            );
            return Vec::new();
        }
        keys
    }
}

impl Checker {
    /// Checks that trace function `spec` has a name reports can use that no function in
    /// `before` has.
    pub(super) fn trace_function_fits(&mut self, spec: &FunctionSpec, before: &[FunctionSpec]) {
        let Workload::Trace(src) = &spec.workload else {
            return;
        };
        if !self.function_name(&spec.name, "trace.functions") {
            return;
        }
        if let Some(j) = before.iter().position(|g| g.name == spec.name) {
            self.problem(
                "trace",
                format!("{:?}", src.key),
                format!("is named {:?} in reports, as functions[{j}] is", spec.name),
                "allowed a function name no other function of the experiment has (rename the other function, or leave this one out with `functions`)",
            );
        }
    }
}

/// The function spec of trace function `key`.
fn trace_function(
    path: &Path,
    t: &RawTrace,
    s: &Scan,
    key: String,
    o: &Options,
    percentiles: Option<Vec<(f64, f64)>>,
    program: Option<&FunctionDef>,
) -> FunctionSpec {
    let f = &s.functions[&key];
    let mean_ns = match &percentiles {
        Some(p) => Dist::Empirical(p.clone()).mean_ns(),
        None => f.mean_duration_ns().unwrap_or(o.default_duration_ns as f64),
    };
    let (kind, body) = match program {
        Some(def) => (def.kind, def.body.clone()),
        None => (o.kind, trace_body(o, mean_ns)),
    };
    FunctionSpec {
        name: display_name(&key),
        kind,
        body,
        workload: Workload::Trace(TraceSource {
            path: path.to_path_buf(),
            format: t.format,
            key,
            lateness_ns: s.lateness_ns,
            window_ns: o.window_ns,
            scale: o.scale,
            default_duration_ns: o.default_duration_ns,
            count: f.count,
            span_ns: span_ns(s, o),
            spread: t.spread.unwrap_or_default(),
            percentiles,
            rest: None,
        }),
        trigger: None,
        fails: 0.0,
        memory_kib: None,
    }
}

/// The replayed span, ns: the window's length after scaling, or to the trace's last arrival.
pub(super) fn span_ns(s: &Scan, o: &Options) -> u64 {
    let (from, to) = o.window_ns;
    let end = to.min(s.last_ns.saturating_add(1)).max(from);
    ((end - from) as f64 / o.scale) as u64
}

/// The body of a trace function whose recorded durations average `mean_ns`: `cpu_share` of
/// each as Python code, the rest as I/O.
pub(super) fn trace_body(o: &Options, mean_ns: f64) -> Vec<Step> {
    let share = |x: f64| Dist::Recorded { share: x, mean_ns };
    let io = match o.kind {
        FunctionKind::Sync => Step::BlockingIo(share(1.0 - o.cpu_share)),
        FunctionKind::Async => Step::AwaitIo(share(1.0 - o.cpu_share)),
    };
    let mut body = Vec::new();
    if o.cpu_share > 0.0 {
        body.push(Step::Cpu(share(o.cpu_share)));
    }
    if o.cpu_share < 1.0 {
        body.push(io);
    }
    body
}

/// Whether map pattern `pattern` (a key, or a prefix ending in `*`) names `key`.
fn matches(pattern: &str, key: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => key.starts_with(prefix),
        None => pattern == key,
    }
}

/// The name reports use for trace function `key`: the key, or for long keys (Azure's 64-digit
/// hashes) the first 12 characters of each `/`-separated part.
pub fn display_name(key: &str) -> String {
    if key.len() <= 40 {
        return key.to_string();
    }
    key.split('/')
        .map(|p| p.chars().take(12).collect::<String>())
        .collect::<Vec<_>>()
        .join("/")
}
