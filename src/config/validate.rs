//! Raw -> typed: every value checked (all problems reported at once), defaults resolved,
//! profiles and arrival files loaded. Nothing is written before this succeeds.

use super::checker::{ms_to_ns, Checker};
use super::raw::*;
use super::source::{parse_ron, read_text, without_bom};
use super::*;
use crate::error::{Result, SimError};
use crate::workload::trace::read_arrivals;
use std::path::Path;

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
/// profile and trace paths resolve against `path`'s folder). For notebooks and tests. A
/// leading byte-order mark is ignored; locations are counted without it, as editors do.
pub fn parse_experiment(text: &str, path: &Path, overrides: &[String]) -> Result<Experiment> {
    let text = without_bom(text);
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
    let as_given = raw.clone();
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
        as_given: Some(as_given),
    })
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
                    // The workload is still checked, so every problem is reported at once.
                    self.workload(&f.workload, &format!("functions[{i}].workload"), base)?;
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
                if !full.is_file() {
                    self.bad(
                        &format!("{field}.path"),
                        format!("{path:?}"),
                        &format!("a CSV file that exists ({} does not; paths are relative to the experiment file's folder)", full.display()),
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

fn kind(k: RawKind) -> FunctionKind {
    match k {
        RawKind::Sync => FunctionKind::Sync,
        RawKind::Async => FunctionKind::Async,
    }
}
