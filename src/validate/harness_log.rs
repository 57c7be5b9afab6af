//! What the measurement harness recorded about each repetition's machine.
//!
//! `measure.py` writes `harness_log.json` beside the measurements. Three of its figures per
//! repetition (from the attempt it kept) are read:
//!
//! - **The host's CPU per invocation** (`host_cpu_us_per_invocation`, user + system). The
//!   harness plays the Functions host in a process of its own on the same cores as the
//!   workers, and that figure moves with the machine: the same cases measured twice on the
//!   same idle VM a few hours apart gave a median of 216 us and then 158 us
//!   (`notebooks/measurements/cpu-load-2026-12-04b`, `fit/` and `fit-again/`). So a recorded
//!   case is simulated with the host CPU its own repetition measured
//!   (`host.dispatch.host_response_us`) instead of the calibrated default.
//! - **The idle dispatch path's latency** (`speed.dispatch_probe.idle_dispatch_us`): the
//!   median time from the host's send to an empty body's start, over 25 probes sent one at a
//!   time to an idle worker before the load began. The same VM ran that path twice as fast in
//!   some sittings as in others while its Python ran only about 15% faster, so the Python
//!   probe cannot stand in for it (`dispatch_probe` matches sim's idle exits to it).
//! - **The same probe's CPU** (`speed.dispatch_probe.idle_dispatch_cpu_us`): the workers' CPU
//!   per probe, which `dispatch_probe` matches with the CPU of sim's wake-ups onto idle CPUs.
//!
//! A Poisson repetition takes its own host CPU and a burst the median over its repetitions.
//! Folders without the figure (older harness versions, `../shared/ground-truth`) keep the
//! calibrated default.

use super::cases::{median, read_json};
use crate::error::{Result, SimError};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The largest figure a recorded repetition may claim, us (a sanity bound: the harness's host
/// uses 100-500 us per invocation and its idle dispatch path takes 200-1,100 us).
const MAX_FIGURE_US: f64 = 100_000.0;

/// A per-repetition figure of the harness log: its name (for errors) and where it lies in a
/// repetition's kept attempt.
#[derive(Debug, Clone, Copy)]
pub(super) struct Figure {
    name: &'static str,
    path: &'static [&'static str],
}

/// The host process's CPU per invocation, us.
pub(super) const HOST_CPU: Figure = Figure {
    name: "host_cpu_us_per_invocation",
    path: &["host_cpu_us_per_invocation"],
};

/// The idle dispatch path's median latency from send to an empty body's start, us.
pub(super) const IDLE_DISPATCH: Figure = Figure {
    name: "speed.dispatch_probe.idle_dispatch_us",
    path: &["speed", "dispatch_probe", "idle_dispatch_us"],
};

/// The workers' CPU (user and system) per empty invocation of the same probe, us.
pub(super) const IDLE_DISPATCH_CPU: Figure = Figure {
    name: "speed.dispatch_probe.idle_dispatch_cpu_us",
    path: &["speed", "dispatch_probe", "idle_dispatch_cpu_us"],
};

/// Per case, per repetition: one figure the harness recorded, ns.
#[derive(Debug, Default)]
pub(super) struct RecordedFigure {
    per_case: BTreeMap<String, Vec<Option<u64>>>,
}

impl RecordedFigure {
    /// Reads `figure` from `dir/harness_log.json` if there is one; without it no case has it.
    pub(super) fn read(dir: &Path, figure: Figure) -> Result<RecordedFigure> {
        let path = dir.join("harness_log.json");
        if !path.is_file() {
            return Ok(RecordedFigure::default());
        }
        let log = read_json(&path)?;
        let mut per_case = BTreeMap::new();
        if let Some(cases) = log["cases"].as_object() {
            for (name, case) in cases {
                per_case.insert(name.clone(), reps_of(case, name, &path, figure)?);
            }
        }
        Ok(RecordedFigure { per_case })
    }

    /// The figure (ns) of `case`'s repetition `rep`, if recorded.
    pub(super) fn of_rep(&self, case: &str, rep: u64) -> Option<u64> {
        let reps = self.per_case.get(case)?;
        reps.get(usize::try_from(rep).ok()?).copied().flatten()
    }

    /// Every figure `case`'s repetitions recorded (ns), in repetition order.
    pub(super) fn recorded(&self, case: &str) -> Vec<u64> {
        self.per_case
            .get(case)
            .map_or_else(Vec::new, |reps| reps.iter().flatten().copied().collect())
    }

    /// The median over `case`'s recorded repetitions (ns), if any was recorded: for a case
    /// compared by its median.
    pub(super) fn of_case(&self, case: &str) -> Option<u64> {
        let recorded: Vec<f64> = self.recorded(case).iter().map(|&ns| ns as f64).collect();
        (!recorded.is_empty()).then(|| median(recorded).round() as u64)
    }
}

/// Each repetition's figure (ns) from the attempt the harness kept, in repetition order.
fn reps_of(case: &Value, name: &str, path: &Path, figure: Figure) -> Result<Vec<Option<u64>>> {
    let Some(reps) = case["reps"].as_array() else {
        return Ok(Vec::new());
    };
    let mut out = vec![None; reps.len()];
    for (i, rep) in reps.iter().enumerate() {
        let at = rep["rep"].as_u64().map_or(i, |r| r as usize);
        let kept = rep["kept_attempt"].as_u64().unwrap_or(0) as usize;
        let value = figure
            .path
            .iter()
            .fold(&rep["attempts"][kept], |v, key| &v[*key]);
        if at < out.len() {
            out[at] = figure_ns(value, name, at, path, figure)?;
        }
    }
    Ok(out)
}

/// A recorded figure (us) in ns; none when not recorded; an error when it is no number in
/// range.
fn figure_ns(
    value: &Value,
    name: &str,
    rep: usize,
    path: &Path,
    figure: Figure,
) -> Result<Option<u64>> {
    if value.is_null() {
        return Ok(None);
    }
    match value.as_f64() {
        Some(us) if us > 0.0 && us <= MAX_FIGURE_US => Ok(Some((us * 1000.0).round() as u64)),
        _ => Err(SimError::GroundTruth {
            path: PathBuf::from(path),
            message: format!(
                "case {name}, repetition {rep}: {} is {value}; allowed: a number of us in \
                 (0, {MAX_FIGURE_US}], or null when not recorded",
                figure.name
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh scratch folder holding `log` as its harness_log.json (none when `log` is None).
    fn folder_with(name: &str, log: Option<&str>) -> PathBuf {
        let dir = crate::test_support::scratch_dir("sim-harness-log", name);
        if let Some(log) = log {
            std::fs::write(dir.join("harness_log.json"), log).unwrap();
        }
        dir
    }

    const LOG: &str = r#"{"cases": {"c": {"reps": [
        {"rep": 0, "kept_attempt": 1, "attempts": [
            {"host_cpu_us_per_invocation": 999.0}, {"host_cpu_us_per_invocation": 150.5}]},
        {"rep": 1, "kept_attempt": 0, "attempts": [{"disturbed": false}]},
        {"rep": 2, "kept_attempt": 0, "attempts": [{"host_cpu_us_per_invocation": 210.0}]}
    ]}}}"#;

    #[test]
    fn each_repetition_keeps_the_figure_of_its_kept_attempt() {
        let host = RecordedFigure::read(&folder_with("kept", Some(LOG)), HOST_CPU).unwrap();
        assert_eq!(host.of_rep("c", 0), Some(150_500));
        assert_eq!(host.of_rep("c", 1), None, "not recorded");
        assert_eq!(host.of_rep("c", 2), Some(210_000));
        assert_eq!(host.of_rep("c", 3), None);
        assert_eq!(host.of_rep("other", 0), None);
        assert_eq!(
            host.of_case("c"),
            Some(180_250),
            "median of the recorded two"
        );
    }

    #[test]
    fn a_folder_without_a_log_has_no_figures() {
        let host = RecordedFigure::read(&folder_with("none", None), HOST_CPU).unwrap();
        assert_eq!(host.of_case("c"), None);
    }

    #[test]
    fn an_impossible_figure_is_refused_with_its_case_and_range() {
        let log =
            r#"{"cases": {"c": {"reps": [{"attempts": [{"host_cpu_us_per_invocation": -3}]}]}}}"#;
        let err = RecordedFigure::read(&folder_with("bad", Some(log)), HOST_CPU)
            .unwrap_err()
            .to_string();
        assert!(err.contains("harness_log.json"), "{err}");
        assert!(err.contains("case c, repetition 0"), "{err}");
        assert!(err.contains("(0, 100000]"), "{err}");
    }

    #[test]
    fn the_dispatch_probe_is_read_from_the_speed_record() {
        let log = r#"{"cases": {"c": {"reps": [
            {"attempts": [{"speed": {"dispatch_probe": {"idle_dispatch_us": 412.5}}}]},
            {"attempts": [{"speed": {"python_probe_us": 800}}]}]}}}"#;
        let probe = RecordedFigure::read(&folder_with("probe", Some(log)), IDLE_DISPATCH).unwrap();
        assert_eq!(probe.of_rep("c", 0), Some(412_500));
        assert_eq!(probe.of_rep("c", 1), None, "an older harness: no probe");
        let bad = log.replace("412.5", "0");
        let err = RecordedFigure::read(&folder_with("probe0", Some(&bad)), IDLE_DISPATCH)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("speed.dispatch_probe.idle_dispatch_us is 0"),
            "{err}"
        );
    }
}
