//! The collector of validation problems: every bad value is recorded with its field path, its
//! place in the file (or the `--set` that gave it) and what is allowed, so all of them can be
//! reported at once.

use super::limits::{Fault, Real, Whole};
use super::number::Num;
use super::source::locate;
use crate::error::Problem;
use std::path::PathBuf;

/// Problems placed in the file; later ones are counted and listed without a place, so a
/// file with thousands of bad values is checked in linear time.
const LOCATED: usize = crate::error::LISTED_PROBLEMS;

/// Collects problems instead of stopping at the first.
pub(super) struct Checker {
    pub(super) file: PathBuf,
    pub(super) text: String,
    pub(super) problems: Vec<Problem>,
    /// (dotted path, where it was set) of each override: `--set host.threads=4`, or a compare
    /// variant's `set` entry (see [`super::overrides::Origin`]).
    pub(super) overrides: Vec<(String, String)>,
}

impl Checker {
    /// A value outside its range.
    pub(super) fn bad(&mut self, field: &str, value: impl ToString, allowed: &str) {
        self.problem(
            field,
            value,
            "is out of range",
            &format!("allowed {allowed}"),
        );
    }

    /// A step or option used where it cannot be.
    pub(super) fn misplaced(&mut self, field: &str, value: impl ToString, allowed: &str) {
        self.problem(field, value, "is not allowed here", allowed);
    }

    /// A whole-number field: its value, or `None` after recording why it is not allowed.
    pub(super) fn whole(&mut self, field: &str, n: &Num, allowed: &Whole) -> Option<u64> {
        self.checked(field, n, allowed.check(n), allowed)
    }

    /// A real-number field: its value, or `None` after recording why it is not allowed.
    pub(super) fn real(&mut self, field: &str, n: &Num, allowed: &Real) -> Option<f64> {
        self.checked(field, n, allowed.check(n), allowed)
    }

    fn checked<T>(
        &mut self,
        field: &str,
        n: &Num,
        result: Result<T, Fault>,
        allowed: &dyn std::fmt::Display,
    ) -> Option<T> {
        result
            .map_err(|fault| self.problem(field, n, fault.what(), &format!("allowed {allowed}")))
            .ok()
    }

    pub(super) fn problem(
        &mut self,
        field: &str,
        value: impl ToString,
        what: impl Into<String>,
        allowed: &str,
    ) {
        // `functions[0].workload.n` was set by `--set functions.0.workload.n=..`, or a step
        // `functions[0].function.body[1]` by `--set functions.0.function.body.1.0=..`?
        let dotted = field.replace('[', ".").replace(']', "");
        let from_set = self
            .overrides
            .iter()
            .rev()
            .find(|(p, _)| *p == dotted || p.starts_with(&format!("{dotted}.")))
            .map(|(_, label)| label.clone());
        let (file, location) = match from_set {
            Some(label) => (PathBuf::from(label), None),
            None if self.problems.len() < LOCATED => (self.file.clone(), locate(&self.text, field)),
            None => (self.file.clone(), None),
        };
        self.problems.push(Problem {
            file,
            location,
            field: field.to_string(),
            value: value.to_string(),
            what: what.into(),
            allowed: allowed.to_string(),
        });
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
