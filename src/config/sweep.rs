//! The `sweep` block: one experiment run over a grid of settings, each configuration
//! replicated with its own seed.
//!
//! ```ron
//! sweep: Sweep(
//!     grid: [
//!         Axis(path: "host.processes", values: [1, 2]),
//!         Axis(path: "host.threads", values: [1, 4, 16]),
//!     ],
//!     // zip: [Axis(path: "plan", values: ["EP1", "EP2"]), Axis(path: "host.processes", values: [1, 2])],
//!     replications: 3,
//! ),
//! ```
//! Every `grid` axis multiplies the configurations; the `zip` axes advance together (all of
//! the same length) and count as one more grid axis. An axis's `path` is any field, as `--set`
//! names it, and each value is applied as `--set path=value` would be. Each configuration runs
//! `replications` times; replication r runs with a seed derived from the experiment's seed and
//! r, the same in every configuration (common random numbers across configurations).
//!
//! This module parses and checks the block's shape; `sweep_runs` turns it into one checked
//! experiment per configuration.

use super::checker::Checker;
use super::limits;
use super::number::Num;
use serde::{Deserialize, Serialize};

/// The `sweep` block as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Sweep")]
pub struct RawSweep {
    /// Axes whose values multiply: every combination is a configuration.
    #[serde(default)]
    pub grid: Vec<RawAxis>,
    /// Axes whose values advance together (equal lengths): one more grid axis.
    #[serde(default)]
    pub zip: Vec<RawAxis>,
    /// Runs per configuration, 1..=1000, each with its own derived seed (default 1).
    #[serde(default = "one")]
    pub replications: Num,
}

fn one() -> Num {
    Num::Int(1)
}

/// One axis as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Axis")]
pub struct RawAxis {
    /// The field, as `--set` names it: `host.threads`, `functions.0.workload.rate_per_s`.
    pub path: String,
    /// Its values, 1..=1000 of them: numbers, `true`/`false`, or text (`"EP2"`,
    /// `"Incremental"`), each as `--set path=value` takes it.
    pub values: Vec<Num>,
}

/// A checked sweep block.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SweepConfig {
    /// The grid axes, in file order.
    pub grid: Vec<Axis>,
    /// The zipped axes (equal lengths), in file order.
    pub zip: Vec<Axis>,
    /// Runs per configuration.
    pub replications: u32,
}

/// A checked axis: its path and its values as `--set` text.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Axis {
    /// The field's dotted path.
    pub path: String,
    /// The values, as override text.
    pub values: Vec<String>,
}

impl SweepConfig {
    /// The axes' paths in column order: the grid's, then the zip's.
    pub fn paths(&self) -> Vec<String> {
        self.grid
            .iter()
            .chain(&self.zip)
            .map(|a| a.path.clone())
            .collect()
    }

    /// How many configurations: the product of the grid's lengths and the zip's length.
    pub fn configurations(&self) -> usize {
        let zip = self.zip.first().map_or(1, |a| a.values.len());
        let grid = self.grid.iter().map(|a| a.values.len());
        grid.fold(zip, usize::saturating_mul)
    }

    /// Configuration `c`'s value of every axis, in [`SweepConfig::paths`] order. The last
    /// grid axis varies fastest, then the zip (the slowest of all is the first grid axis).
    pub fn values(&self, c: usize) -> Vec<String> {
        let zip_len = self.zip.first().map_or(1, |a| a.values.len());
        let mut rest = c;
        let z = rest % zip_len;
        rest /= zip_len;
        let mut grid = vec![String::new(); self.grid.len()];
        for (slot, axis) in grid.iter_mut().zip(&self.grid).rev() {
            let n = axis.values.len();
            *slot = axis.values[rest % n].clone();
            rest /= n;
        }
        grid.extend(self.zip.iter().map(|a| a.values[z].clone()));
        grid
    }

    /// Configuration `c` as `path=value` overrides.
    pub fn sets(&self, c: usize) -> Vec<String> {
        self.paths()
            .iter()
            .zip(self.values(c))
            .map(|(p, v)| format!("{p}={v}"))
            .collect()
    }
}

/// A value as `--set` text.
fn as_text(n: &Num) -> String {
    match n {
        Num::Int(i) => i.to_string(),
        Num::Float(x) => x.to_string(),
        Num::Text(t) => t.clone(),
        Num::Bool(b) => b.to_string(),
    }
}

impl Checker {
    /// Checks the sweep block's shape; `None` after recording every problem. Whether each
    /// path exists is checked when the configurations are made (`super::sweep_runs`).
    pub(super) fn sweep(&mut self, raw: &RawSweep, has_compare: bool) -> Option<SweepConfig> {
        let before = self.problems.len();
        if has_compare {
            self.misplaced(
                "sweep",
                "Sweep(..)",
                "an experiment has a compare block or a sweep block, not both: sweep the compare's settings as an axis (e.g. Axis(path: \"plan\", values: [\"EP1\", \"EP2\"]))",
            );
        }
        if raw.grid.is_empty() && raw.zip.is_empty() {
            self.problem(
                "sweep.grid",
                "[]",
                "is empty",
                "at least one axis in grid or zip, e.g. grid: [Axis(path: \"host.threads\", values: [1, 8])]",
            );
        }
        let replications = self.whole(
            "sweep.replications",
            &raw.replications,
            &limits::REPLICATIONS,
        );
        let grid = self.axes("grid", &raw.grid);
        let zip = self.axes("zip", &raw.zip);
        self.distinct_paths(&raw.grid, &raw.zip);
        self.zip_lengths(&raw.zip);
        if self.problems.len() > before {
            return None;
        }
        let block = SweepConfig {
            grid,
            zip,
            replications: replications? as u32,
        };
        let configs = block.configurations();
        if configs > limits::SWEEP_CONFIGURATIONS {
            let allowed = format!(
                "at most {} configurations (the product of the grid's lengths and the zip's), even with --yes: split the sweep into several files",
                limits::SWEEP_CONFIGURATIONS
            );
            self.problem(
                "sweep.grid",
                format!("{configs} configurations"),
                "is too many",
                &allowed,
            );
            return None;
        }
        Some(block)
    }

    /// The axes of `list` (`grid` or `zip`), each with a path and 1..=1000 values.
    fn axes(&mut self, list: &str, axes: &[RawAxis]) -> Vec<Axis> {
        for (i, a) in axes.iter().enumerate() {
            let field = format!("sweep.{list}[{i}]");
            if a.path.trim().is_empty() || a.path.contains('=') {
                self.problem(
                    &format!("{field}.path"),
                    format!("{:?}", a.path),
                    "is not a field path",
                    "a dotted path as --set takes it, e.g. \"host.threads\"",
                );
            }
            if matches!(a.path.split('.').next(), Some("sweep" | "compare" | "seed")) {
                self.misplaced(
                    &format!("{field}.path"),
                    format!("{:?}", a.path),
                    "a sweep cannot change its own block, the compare block or the seed (replications derive their seeds from it; use `replications`)",
                );
            }
            let count = Num::Int(a.values.len() as i128);
            self.whole(&format!("{field}.values"), &count, &limits::AXIS_VALUES);
        }
        axes.iter()
            .map(|a| Axis {
                path: a.path.trim().to_string(),
                values: a.values.iter().map(as_text).collect(),
            })
            .collect()
    }

    /// At most [`limits::SWEEP_AXES`] axes, each over a field of its own (an axis given twice
    /// would multiply the configurations by the same values).
    fn distinct_paths(&mut self, grid: &[RawAxis], zip: &[RawAxis]) {
        let all: Vec<(String, &str)> = (grid
            .iter()
            .enumerate()
            .map(|(i, a)| (format!("sweep.grid[{i}]"), a.path.trim())))
        .chain(
            zip.iter()
                .enumerate()
                .map(|(i, a)| (format!("sweep.zip[{i}]"), a.path.trim())),
        )
        .collect();
        if all.len() > limits::SWEEP_AXES {
            let count = format!("{} axes", all.len());
            let allowed = format!(
                "at most {} axes in grid and zip together",
                limits::SWEEP_AXES
            );
            self.problem("sweep.grid", count, "is too many", &allowed);
            return;
        }
        for (k, (field, path)) in all.iter().enumerate() {
            if let Some((first, _)) = all[..k].iter().find(|(_, p)| p == path) {
                self.problem(
                    &format!("{field}.path"),
                    format!("{path:?}"),
                    format!("is also the path of {first}"),
                    "a field no other axis sweeps: put all its values in one axis",
                );
            }
        }
    }

    /// Every zipped axis has as many values as the first.
    fn zip_lengths(&mut self, zip: &[RawAxis]) {
        let Some(first) = zip.first() else { return };
        for (i, a) in zip.iter().enumerate().skip(1) {
            if a.values.len() != first.values.len() {
                self.problem(
                    &format!("sweep.zip[{i}].values"),
                    format!("{} values", a.values.len()),
                    "does not match the zip's first axis",
                    &format!(
                        "as many values as sweep.zip[0] ({:?}) has, {}: zipped axes advance together; use grid for every combination",
                        first.path,
                        first.values.len()
                    ),
                );
            }
        }
    }
}
