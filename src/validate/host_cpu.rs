//! The measuring host's own CPU per invocation, as the harness recorded it for each repetition.
//!
//! `measure.py` plays the Functions host in a process of its own on the same cores as the
//! workers, and records in `harness_log.json` the CPU it spent per invocation in each
//! repetition (`host_cpu_us_per_invocation`, user + system). That figure moves with the
//! machine: the same cases measured twice on the same idle VM a few hours apart gave a median of
//! 216 us and then 158 us (`notebooks/measurements/cpu-load-2026-12-04b`, `fit/` and
//! `fit-again/`), together with a fixed Python probe timed at each repetition (1019 us, then
//! 829 us). So a recorded case is simulated with the host CPU its own repetition measured
//! (`host.dispatch.host_response_us`), a Poisson repetition with its own figure and a burst with
//! the median of its repetitions, instead of the calibrated default. Folders without the
//! figure (older harness versions, `../shared/ground-truth`) keep the default.

use super::cases::{median, read_json};
use crate::error::{Result, SimError};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The most host CPU per invocation a recorded repetition may claim, us (a sanity bound: the
/// harness's host uses 100-500 us).
const MAX_HOST_CPU_US: f64 = 100_000.0;

/// Per case, per repetition: the host CPU per invocation the harness recorded, ns.
#[derive(Debug, Default)]
pub(super) struct HostCpu {
    per_case: BTreeMap<String, Vec<Option<u64>>>,
}

impl HostCpu {
    /// Reads `dir/harness_log.json` if there is one; without it no case has a figure.
    pub(super) fn read(dir: &Path) -> Result<HostCpu> {
        let path = dir.join("harness_log.json");
        if !path.is_file() {
            return Ok(HostCpu::default());
        }
        let log = read_json(&path)?;
        let mut per_case = BTreeMap::new();
        if let Some(cases) = log["cases"].as_object() {
            for (name, case) in cases {
                per_case.insert(name.clone(), reps_of(case, name, &path)?);
            }
        }
        Ok(HostCpu { per_case })
    }

    /// The host CPU per invocation (ns) of `case`'s repetition `rep`, if recorded.
    pub(super) fn of_rep(&self, case: &str, rep: u64) -> Option<u64> {
        let reps = self.per_case.get(case)?;
        reps.get(usize::try_from(rep).ok()?).copied().flatten()
    }

    /// The median over `case`'s recorded repetitions (ns), if any was recorded: for a case
    /// compared by its median.
    pub(super) fn of_case(&self, case: &str) -> Option<u64> {
        let recorded: Vec<f64> = self
            .per_case
            .get(case)?
            .iter()
            .flatten()
            .map(|&ns| ns as f64)
            .collect();
        (!recorded.is_empty()).then(|| median(recorded).round() as u64)
    }
}

/// Each repetition's figure (ns) from the attempt the harness kept, in repetition order.
fn reps_of(case: &Value, name: &str, path: &Path) -> Result<Vec<Option<u64>>> {
    let Some(reps) = case["reps"].as_array() else {
        return Ok(Vec::new());
    };
    let mut out = vec![None; reps.len()];
    for (i, rep) in reps.iter().enumerate() {
        let at = rep["rep"].as_u64().map_or(i, |r| r as usize);
        let kept = rep["kept_attempt"].as_u64().unwrap_or(0) as usize;
        let figure = &rep["attempts"][kept]["host_cpu_us_per_invocation"];
        if at < out.len() {
            out[at] = host_ns(figure, name, at, path)?;
        }
    }
    Ok(out)
}

/// A recorded figure (us) in ns; none when not recorded; an error when it is no number in
/// range.
fn host_ns(figure: &Value, name: &str, rep: usize, path: &Path) -> Result<Option<u64>> {
    if figure.is_null() {
        return Ok(None);
    }
    match figure.as_f64() {
        Some(us) if us > 0.0 && us <= MAX_HOST_CPU_US => Ok(Some((us * 1000.0).round() as u64)),
        _ => Err(bad(
            path,
            format!(
                "case {name}, repetition {rep}: host_cpu_us_per_invocation is {figure}; allowed: \
                 a number of us in (0, {MAX_HOST_CPU_US}], or null when not recorded"
            ),
        )),
    }
}

fn bad(path: &Path, message: String) -> SimError {
    SimError::GroundTruth {
        path: PathBuf::from(path),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh scratch folder holding `log` as its harness_log.json (none when `log` is None).
    fn folder_with(name: &str, log: Option<&str>) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sim-host-cpu-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
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
        let host = HostCpu::read(&folder_with("kept", Some(LOG))).unwrap();
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
        let host = HostCpu::read(&folder_with("none", None)).unwrap();
        assert_eq!(host.of_case("c"), None);
    }

    #[test]
    fn an_impossible_figure_is_refused_with_its_case_and_range() {
        let log =
            r#"{"cases": {"c": {"reps": [{"attempts": [{"host_cpu_us_per_invocation": -3}]}]}}}"#;
        let err = HostCpu::read(&folder_with("bad", Some(log)))
            .unwrap_err()
            .to_string();
        assert!(err.contains("harness_log.json"), "{err}");
        assert!(err.contains("case c, repetition 0"), "{err}");
        assert!(err.contains("(0, 100000]"), "{err}");
    }
}
