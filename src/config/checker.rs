//! The collector of validation problems: every bad value is recorded with its field path, its
//! place in the file (or the `--set` that gave it) and what is allowed, so all of them can be
//! reported at once.

use super::source::locate;
use crate::error::Problem;
use std::path::PathBuf;

/// Collects problems instead of stopping at the first.
pub(super) struct Checker {
    pub(super) file: PathBuf,
    pub(super) text: String,
    pub(super) problems: Vec<Problem>,
    /// (dotted path, full spec) of each `--set`.
    pub(super) overrides: Vec<(String, String)>,
}

impl Checker {
    /// A value outside its range.
    pub(super) fn bad(&mut self, field: &str, value: impl ToString, allowed: &str) {
        self.problem(field, value, "is out of range", allowed);
    }

    /// A step or option used where it cannot be.
    pub(super) fn misplaced(&mut self, field: &str, value: impl ToString, allowed: &str) {
        self.problem(field, value, "is not allowed here", allowed);
    }

    pub(super) fn problem(
        &mut self,
        field: &str,
        value: impl ToString,
        what: &'static str,
        allowed: &str,
    ) {
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

    pub(super) fn positive_at_most(&mut self, field: &str, v: f64, max: f64, unit: &str) {
        if !(v.is_finite() && v > 0.0 && v <= max) {
            self.bad(field, v, &format!("0 < {unit} <= {max:e}"));
        }
    }

    pub(super) fn non_negative(&mut self, field: &str, v: f64, max: f64, unit: &str) {
        if !(v.is_finite() && (0.0..=max).contains(&v)) {
            self.bad(field, v, &format!("0 <= {unit} <= {max:e}"));
        }
    }
}

/// Milliseconds to whole nanoseconds (0 for anything not finite and positive).
pub(super) fn ms_to_ns(ms: f64) -> u64 {
    if ms.is_finite() && ms > 0.0 {
        (ms * 1e6).round() as u64
    } else {
        0
    }
}
