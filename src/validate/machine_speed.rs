//! How fast the measured machine ran each repetition, read from the harness's own record.
//!
//! A cloud VM does not run code at one speed: two measurements of the same cases with the same
//! arrivals, a few hours apart on the same idle VM, differ by up to 46% in mean latency
//! (`notebooks/measurements/cpu-load-2026-12-04/fit-again`). The CPU bodies cannot show it
//! (they run until their thread has used d ms of CPU); everything else the machine executes
//! can: the dispatch path, the host, the kernel's wake-ups. The harness records, for every
//! repetition, the CPU its host process used per invocation (`host_cpu_us_per_invocation` in
//! `harness_log.json`): the same Python and system calls for every invocation, so its ratio to
//! the calibrated host cost is how much slower than the calibration the machine ran then. A
//! Poisson repetition is simulated with every dispatch cost slowed by that ratio.
//!
//! Only Poisson cases: the calibrated host cost is the open-loop driver's (a timed wake-up and
//! a send per request); a burst sends back to back and costs the host less per invocation, so
//! its figure is no measure of speed. Rounds without the record (the ground truth, rounds
//! before 2026-12-04) run at the calibrated speed.

use crate::config::{DispatchCosts, Experiment};
use crate::error::{Result, SimError};
use serde_json::Value;
use std::path::Path;

/// Host CPU per invocation the calibrated costs correspond to, us: the calibrated host cost
/// (measured as the median over six Poisson cases on the idle VM, see
/// [`DispatchCosts::host_response_ns`]).
fn calibrated_host_cpu_us() -> f64 {
    DispatchCosts::CALIBRATED.host_response_ns as f64 / 1e3
}

/// Slowdowns recorded in a round's `harness_log.json`, if it has one.
pub(super) struct RecordedSpeeds {
    log: Value,
}

impl RecordedSpeeds {
    /// Reads `dir/harness_log.json`; a round without one has no record (every run at the
    /// calibrated speed). A log that exists but is not JSON is an error naming it.
    pub(super) fn read(dir: &Path) -> Result<RecordedSpeeds> {
        let path = dir.join("harness_log.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Ok(RecordedSpeeds { log: Value::Null });
        };
        let log = serde_json::from_str(&text).map_err(|e| SimError::GroundTruth {
            path: path.clone(),
            message: format!(
                "line {}, column {}: {e} (the harness writes this file; measure again or \
                 remove it to run at the calibrated speed)",
                e.line(),
                e.column()
            ),
        })?;
        Ok(RecordedSpeeds { log })
    }

    /// How many times slower than the calibration the machine ran repetition `rep` of `case`:
    /// its host CPU per invocation over the calibrated one. None without a usable record.
    pub(super) fn slowdown(&self, case: &str, rep: u64) -> Option<f64> {
        let record = &self.log["cases"][case]["reps"][rep as usize];
        let kept = record["kept_attempt"].as_u64()? as usize;
        let host_us = record["attempts"][kept]["host_cpu_us_per_invocation"].as_f64()?;
        (host_us.is_finite() && host_us > 0.0).then(|| host_us / calibrated_host_cpu_us())
    }
}

/// Runs `exp` on a machine `slowdown` times slower than the calibration: its dispatch costs
/// and its context switches (kernel code too) scale.
pub(super) fn slow_down(exp: &mut Experiment, slowdown: f64) {
    exp.host.dispatch = exp.host.dispatch.slowed_by(slowdown);
    exp.host.context_switch_ns = (exp.host.context_switch_ns as f64 * slowdown).round() as u64;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn speeds(log: &str) -> RecordedSpeeds {
        RecordedSpeeds {
            log: serde_json::from_str(log).unwrap(),
        }
    }

    #[test]
    fn the_kept_attempts_host_cost_over_the_calibrated_one() {
        let s = speeds(
            r#"{"cases": {"c": {"reps": [
                {"kept_attempt": 1, "attempts": [
                    {"host_cpu_us_per_invocation": 999.0},
                    {"host_cpu_us_per_invocation": 390.0}]}]}}}"#,
        );
        assert_eq!(s.slowdown("c", 0), Some(1.5));
        assert_eq!(s.slowdown("c", 1), None);
        assert_eq!(s.slowdown("other", 0), None);
    }

    #[test]
    fn no_record_or_a_useless_one_means_the_calibrated_speed() {
        let s = speeds(
            r#"{"cases": {"c": {"reps": [
                {"kept_attempt": 0, "attempts": [{"host_cpu_us_per_invocation": 0.0}]},
                {"kept_attempt": 0, "attempts": [{"foreign_cores_idle": 0.0}]}]}}}"#,
        );
        assert_eq!(s.slowdown("c", 0), None);
        assert_eq!(s.slowdown("c", 1), None);
        let dir = std::env::temp_dir().join("sim-speed-no-log");
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(RecordedSpeeds::read(&dir).unwrap().slowdown("c", 0), None);
    }

    #[test]
    fn a_broken_log_is_an_error_naming_it() {
        let dir = std::env::temp_dir().join("sim-speed-broken-log");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("harness_log.json"), "{\"cases\": [").unwrap();
        let err = RecordedSpeeds::read(&dir).err().unwrap().to_string();
        assert!(err.contains("harness_log.json"), "{err}");
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn slowing_down_scales_executed_costs_and_not_the_rest() {
        let case: Value = serde_json::from_str(
            r#"{"name": "c", "P": 2, "T": 1, "arrival": {"type": "burst", "n": 4},
                "body": {"kind": "sync_cpu", "d_ms": 10}}"#,
        )
        .unwrap();
        let machine: Value = serde_json::from_str(r#"{"cpu_count": 2}"#).unwrap();
        let mut exp =
            super::super::cases::experiment_for(&case, &machine, 1, None, Path::new("c.json"))
                .unwrap();
        let before = exp.host.clone();
        slow_down(&mut exp, 2.0);
        assert_eq!(exp.host.dispatch.receive_ns, 2 * before.dispatch.receive_ns);
        assert_eq!(
            exp.host.dispatch.gil_handover_ns,
            2 * before.dispatch.gil_handover_ns
        );
        assert_eq!(exp.host.context_switch_ns, 2 * before.context_switch_ns);
        assert_eq!(exp.host.switch_interval_ns, before.switch_interval_ns);
        assert_eq!(exp.host.dispatch.jitter_sigma, before.dispatch.jitter_sigma);
    }
}
