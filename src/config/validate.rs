//! Raw -> typed: every value checked (all problems reported at once), defaults resolved,
//! profiles and arrival files loaded. Nothing is written before this succeeds.

use super::body::DistUnits;
use super::checker::{ms_to_ns, Checker};
use super::limits;
use super::overrides::Origin;
use super::plan::overlay;
use super::raw::*;
use super::source::{parse_ron, read_text, without_bom};
use super::*;
use crate::error::{Result, SimError};
use crate::workload::trace::read_arrivals;
use std::path::Path;

/// Loads, overrides and validates an experiment file.
pub fn load_experiment(path: &Path, overrides: &[String]) -> Result<Experiment> {
    let text = read_text(path)?;
    parse_experiment(&text, path, overrides)
}

/// Parses, overrides and validates experiment `text` as if read from `path` (relative
/// profile and trace paths resolve against `path`'s folder). For notebooks and tests. A
/// leading byte-order mark is ignored; locations are counted without it, as editors do.
pub fn parse_experiment(text: &str, path: &Path, overrides: &[String]) -> Result<Experiment> {
    let text = without_bom(text);
    let mut raw: RawExperiment = parse_ron(path, text, "experiments/io_bound.ron")?;
    raw = overrides::apply(raw, overrides)?;
    validate(
        raw,
        path,
        text,
        &overrides::blame(overrides, Origin::CommandLine),
    )
}

/// Checks a parsed experiment; `text` is the file's source, used to point at bad values, and
/// `blame` the overrides applied to it ([`overrides::blame`]), which are blamed for the
/// values they set.
pub fn validate(
    raw: RawExperiment,
    path: &Path,
    text: &str,
    blame: &[(String, String)],
) -> Result<Experiment> {
    let as_given = raw.clone();
    let mut c = Checker {
        file: path.to_path_buf(),
        text: text.to_string(),
        problems: Vec::new(),
        overrides: blame.to_vec(),
    };
    let base = path.parent().unwrap_or(Path::new("."));
    c.experiment_name(&raw.name);
    let seed = c.whole("seed", &raw.seed, &limits::SEED).unwrap_or(1);
    let timeout_s = raw
        .function_timeout_s
        .as_ref()
        .and_then(|n| c.real("function_timeout_s", n, &limits::FUNCTION_TIMEOUT_S));
    let plan = c.plan(&raw, timeout_s)?;
    let host = c.host(&raw.host, plan.as_ref().map(|p| p.config.cores));
    if raw.functions.is_empty() && raw.trace.is_none() {
        c.bad(
            "functions",
            "[]",
            "at least one function (or a `trace` block)",
        );
    }
    let mut functions = Vec::new();
    for (i, f) in raw.functions.iter().enumerate() {
        let spec = c.function_use(i, f, base)?;
        let trigger = f
            .trigger
            .as_ref()
            .and_then(|t| c.trigger(t, &format!("functions[{i}].trigger"), host.cores));
        let fails = f
            .fails
            .as_ref()
            .and_then(|n| c.real(&format!("functions[{i}].fails"), n, &limits::FAILS));
        let memory_kib = f
            .memory_mb
            .as_ref()
            .map(|d| c.dist_in(d, &format!("functions[{i}].memory_mb"), &DistUnits::MEMORY));
        if let Some(mut spec) = spec {
            spec.trigger = trigger;
            spec.fails = fails.unwrap_or(0.0);
            spec.memory_kib = memory_kib;
            if let Some(j) = functions
                .iter()
                .position(|g: &FunctionSpec| g.name == spec.name)
            {
                // A profile's name is written in the profile: point at the reference.
                let field = match &f.function {
                    RawFunctionRef::Inline(_) => format!("functions[{i}].function.name"),
                    RawFunctionRef::Profile(_) => format!("functions[{i}].function"),
                };
                c.problem(
                    &field,
                    format!("{:?}", spec.name),
                    format!("is also the name of functions[{j}]"),
                    "allowed a name no other function of the experiment has (the reports are per function name)",
                );
            }
            functions.push(spec);
        }
    }
    if functions.len() == raw.functions.len() {
        c.http_limits_agree(&functions);
    }
    let mut declared = raw.functions.len();
    let mut app_memory_mb = None;
    if let Some(t) = &raw.trace {
        let specs = c.trace_functions(t, base, seed, host.cores)?;
        app_memory_mb = c.trace_app_memory(t, base, &specs)?;
        for spec in specs {
            c.trace_function_fits(&spec, &functions);
            functions.push(spec);
            declared += 1;
        }
    }
    let horizon_ns = raw.horizon_s.as_ref().map(|h| {
        let s = c.real("horizon_s", h, &limits::HORIZON_S).unwrap_or(0.0);
        (s * 1e9) as u64
    });
    let names: Vec<String> = functions.iter().map(|f| f.name.clone()).collect();
    let hub_partitions = event_hub_partitions(&functions, declared);
    let scale = raw.scale.as_ref().map(|s| {
        let defaults = plan.as_ref().and_then(|p| p.scale.as_ref());
        c.scale(
            &defaults.map_or_else(|| s.clone(), |d| overlay(d, s)),
            &names,
            hub_partitions,
        )
    });
    if let Some(p) = &plan {
        c.plan_fits(&p.config, scale.as_ref());
    }
    let plan = plan.map(|p| p.config);
    let timeout_s = plan.as_ref().map(|p| p.function_timeout_s).or(timeout_s);
    let restart_delay_s = raw
        .worker_restart_delay_s
        .as_ref()
        .and_then(|n| c.real("worker_restart_delay_s", n, &limits::RESTART_DELAY_S))
        .unwrap_or(WORKER_RESTART_DELAY_S);
    let memory = c.memory(&raw, plan.as_ref(), &functions, &host, app_memory_mb);
    let compare = raw.compare.as_ref().and_then(|b| c.compare(b));
    let sweep = raw
        .sweep
        .as_ref()
        .and_then(|b| c.sweep(b, raw.compare.is_some()));
    let objective = c.objective_of(&raw, compare.as_ref());
    let interval_ms = c.real(
        "output.timeseries_interval_ms",
        &raw.output.timeseries_interval_ms,
        &limits::TIMESERIES_INTERVAL_MS,
    );
    let thread_states = raw.output.thread_states.as_ref().and_then(|w| c.window(w));
    if !c.problems.is_empty() {
        return Err(SimError::Invalid(c.problems));
    }
    Ok(Experiment {
        name: raw.name,
        description: raw.description,
        seed,
        host,
        functions,
        horizon_ns,
        output: OutputConfig {
            invocations: raw.output.invocations,
            timeseries_interval_ns: ms_to_ns(interval_ms.unwrap_or(1.0)).max(1),
            thread_states,
        },
        scale,
        plan,
        function_timeout_ns: timeout_s.map(|s| (s * 1e9).round() as u64),
        worker_restart_delay_ns: (restart_delay_s * 1e9).round() as u64,
        memory,
        compare,
        sweep,
        objective,
        source: path.to_path_buf(),
        as_given: Some(as_given),
    })
}

/// A checked function definition: its name, kind and body.
pub(super) struct FunctionDef {
    pub(super) name: String,
    pub(super) kind: FunctionKind,
    pub(super) body: Vec<Step>,
}

impl Checker {
    /// Resolves and checks one entry of `functions`; profile files are checked against their
    /// own text. `Err` only for unreadable or unparsable files.
    fn function_use(
        &mut self,
        i: usize,
        f: &RawFunctionUse,
        base: &Path,
    ) -> Result<Option<FunctionSpec>> {
        let def = self.function_def(&f.function, &format!("functions[{i}].function"), base)?;
        // The workload is checked even when the function is not, so every problem is
        // reported at once.
        let workload = self.workload(&f.workload, &format!("functions[{i}].workload"), base)?;
        Ok(match (def, workload) {
            (Some(def), Some(workload)) => Some(FunctionSpec {
                name: def.name,
                kind: def.kind,
                body: def.body,
                workload,
                trigger: None,
                fails: 0.0,
                memory_kib: None,
            }),
            _ => None,
        })
    }

    /// A function written in place or in a profile file (checked against its own text), at
    /// `field`; `None` after recording its problems. `Err` only for unreadable or unparsable
    /// files.
    pub(super) fn function_def(
        &mut self,
        r: &RawFunctionRef,
        field: &str,
        base: &Path,
    ) -> Result<Option<FunctionDef>> {
        let def = match r {
            RawFunctionRef::Inline(def) => def,
            RawFunctionRef::Profile(rel) => {
                let path = base.join(rel);
                if !path.is_file() {
                    self.bad(
                        field,
                        format!("Profile({rel:?})"),
                        &format!("a profile file that exists ({}; paths are relative to the experiment file's folder)", not_a_file(&path)),
                    );
                    return Ok(None);
                }
                let text = read_text(&path)?;
                let def: RawFunction = parse_ron(&path, &text, "models/sleep_1s_sync.ron")?;
                let mut sub = Checker {
                    file: path,
                    text,
                    problems: Vec::new(),
                    overrides: Vec::new(),
                };
                let checked = sub.checked_def(&def, "body", "name");
                self.problems.append(&mut sub.problems);
                return Ok(checked);
            }
        };
        Ok(self.checked_def(def, &format!("{field}.body"), &format!("{field}.name")))
    }

    /// `def` checked, its body at `body_field` and its name at `name_field`.
    fn checked_def(
        &mut self,
        def: &RawFunction,
        body_field: &str,
        name_field: &str,
    ) -> Option<FunctionDef> {
        let body = self.body(&def.body, def.kind, body_field);
        let name_ok = self.function_name(&def.name, name_field);
        Some(FunctionDef {
            name: def.name.clone(),
            kind: kind(def.kind),
            body: body.filter(|_| name_ok)?,
        })
    }

    fn workload(&mut self, w: &RawWorkload, field: &str, base: &Path) -> Result<Option<Workload>> {
        let before = self.problems.len();
        let out = match w {
            RawWorkload::Burst { n, at_ms } => Workload::Burst {
                n: self
                    .whole(&format!("{field}.n"), n, &limits::BURST_N)
                    .unwrap_or(1),
                at_ns: ms_to_ns(
                    self.real(&format!("{field}.at_ms"), at_ms, &limits::AT_MS)
                        .unwrap_or(0.0),
                ),
            },
            RawWorkload::Poisson {
                rate_per_s,
                duration_s,
            } => Workload::Poisson {
                rate_per_s: self.rate_per_s(field, rate_per_s),
                duration_ns: self.seconds(&format!("{field}.duration_s"), duration_s),
            },
            RawWorkload::Pattern(p) => match self.pattern(p, field) {
                Some(w) => w,
                None => return Ok(None),
            },
            RawWorkload::OnOff {
                rate_per_s,
                on_s,
                off_s,
                duration_s,
            } => {
                let mut period = |name: &str, n: &Num| {
                    self.real(&format!("{field}.{name}"), n, &limits::ON_OFF_S)
                        .unwrap_or(1.0)
                        * 1e9
                };
                let (on_ns, off_ns) = (period("on_s", on_s), period("off_s", off_s));
                Workload::OnOff {
                    rate_per_s: self.rate_per_s(field, rate_per_s),
                    on_ns,
                    off_ns,
                    duration_ns: self.seconds(&format!("{field}.duration_s"), duration_s),
                }
            }
            RawWorkload::RateCurve { points } => match self.rate_curve(points, field) {
                Some(curve) => Workload::RateCurve(curve),
                None => return Ok(None),
            },
            RawWorkload::ClosedLoop {
                clients,
                think,
                duration_s,
                requests_per_client,
            } => {
                let clients = self.whole(&format!("{field}.clients"), clients, &limits::CLIENTS);
                let think = self.dist(think, &format!("{field}.think"), true);
                let (duration_ns, requests_per_client) = match (duration_s, requests_per_client) {
                    (Some(d), None) => {
                        (Some(self.seconds(&format!("{field}.duration_s"), d)), None)
                    }
                    (None, Some(r)) => (
                        None,
                        self.whole(
                            &format!("{field}.requests_per_client"),
                            r,
                            &limits::REQUESTS_PER_CLIENT,
                        ),
                    ),
                    _ => {
                        self.bad(
                            field,
                            "ClosedLoop",
                            "exactly one of duration_s or requests_per_client",
                        );
                        (None, None)
                    }
                };
                Workload::ClosedLoop {
                    clients: clients.unwrap_or(1) as u32,
                    think,
                    duration_ns,
                    requests_per_client,
                }
            }
            RawWorkload::Replay {
                path,
                column,
                filter,
            } => {
                let full = base.join(path);
                if !full.is_file() {
                    self.bad(
                        &format!("{field}.path"),
                        format!("{path:?}"),
                        &format!("a CSV file that exists ({}; paths are relative to the experiment file's folder)", not_a_file(&full)),
                    );
                    return Ok(None);
                }
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

impl Checker {
    /// The `rate_per_s` of workload `field` (1 when not allowed).
    fn rate_per_s(&mut self, field: &str, n: &Num) -> f64 {
        self.real(&format!("{field}.rate_per_s"), n, &limits::RATE_PER_S)
            .unwrap_or(1.0)
    }

    /// An arrival window in seconds, as nanoseconds (0 when not allowed).
    fn seconds(&mut self, field: &str, n: &Num) -> u64 {
        let s = self.real(field, n, &limits::DURATION_S).unwrap_or(0.0);
        (s * 1e9) as u64
    }
}

/// Why `path` is no file to read: "x does not exist" or "x is a folder".
fn not_a_file(path: &Path) -> String {
    let why = if path.is_dir() {
        "is a folder"
    } else {
        "does not exist"
    };
    format!("{} {why}", path.display())
}

fn kind(k: RawKind) -> FunctionKind {
    match k {
        RawKind::Sync => FunctionKind::Sync,
        RawKind::Async => FunctionKind::Async,
    }
}

/// The largest event hub's partitions when every one of the experiment's `declared`
/// functions checked out with an Event Hubs trigger of its own, else `None`.
fn event_hub_partitions(functions: &[FunctionSpec], declared: usize) -> Option<u32> {
    if functions.is_empty() || functions.len() != declared {
        return None;
    }
    functions
        .iter()
        .map(|f| match &f.trigger {
            Some(TriggerConfig::EventHubs(hub)) => Some(hub.partitions),
            _ => None,
        })
        .try_fold(0, |most, p| p.map(|p| most.max(p)))
}
