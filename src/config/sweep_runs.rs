//! A sweep experiment's configurations as experiments of their own: the experiment as written
//! (with the command line's `--set` applied), without its sweep block, with the
//! configuration's axis values applied as overrides, checked like any experiment.
//!
//! Each axis is first tried alone with its first value, so a path that names no field is
//! reported once, with the fields valid where it went wrong, instead of once per
//! configuration. A value that makes a configuration invalid is blamed on its axis.

use super::overrides::{self, Origin};
use super::source::{read_text, without_bom};
use super::sweep::SweepConfig;
use super::validate::{parse_experiment, validate};
use super::Experiment;
use crate::error::{Result, SimError};
use std::path::Path;

/// An experiment with a sweep block, ready to run: the experiment itself, its block, and one
/// checked experiment per configuration.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The experiment as written (with `--set` applied), its sweep block included.
    pub base: Experiment,
    /// The axes and the replications.
    pub block: SweepConfig,
    /// Configuration c's experiment (seed: the base's; each replication changes it).
    pub configs: Vec<Experiment>,
}

impl Sweep {
    /// Every run: configurations x replications.
    pub fn runs(&self) -> usize {
        self.configs.len() * self.block.replications as usize
    }

    /// Run `i`'s configuration and replication (replications of a configuration are
    /// consecutive).
    pub fn run(&self, i: usize) -> (usize, u32) {
        let reps = self.block.replications as usize;
        (i / reps, (i % reps) as u32)
    }
}

/// Loads `path` with the command line's `overrides`; `None` when it has no sweep block.
pub fn load_sweep(path: &Path, overrides: &[String]) -> Result<Option<Sweep>> {
    let text = read_text(path)?;
    parse_sweep(&text, path, overrides)
}

/// [`load_sweep`] of `text` as if read from `path` (for tests and notebooks).
pub fn parse_sweep(text: &str, path: &Path, overrides: &[String]) -> Result<Option<Sweep>> {
    let base = parse_experiment(text, path, overrides)?;
    let Some(block) = base.sweep.clone() else {
        return Ok(None);
    };
    let text = without_bom(text);
    check_paths(&base, &block)?;
    let mut configs = Vec::new();
    let mut refused = Vec::new();
    for c in 0..block.configurations() {
        match config_experiment(&base, &block, c, text, overrides) {
            Ok(exp) => configs.push(exp),
            Err(e) => refused.push((
                format!("configuration {c} ({})", block.sets(c).join(", ")),
                e,
            )),
        }
    }
    if !refused.is_empty() {
        return Err(SimError::Configurations(refused));
    }
    Ok(Some(Sweep {
        base,
        block,
        configs,
    }))
}

/// Each axis's first value alone on the base: an unknown path is reported once per axis.
fn check_paths(base: &Experiment, block: &SweepConfig) -> Result<()> {
    let lists = [("grid", &block.grid), ("zip", &block.zip)];
    let mut refused = Vec::new();
    for (list, axes) in lists {
        for (i, axis) in axes.iter().enumerate() {
            let field = format!("sweep.{list}[{i}]");
            let set = [format!("{}={}", axis.path, axis.values[0])];
            if let Err(e) = overrides::apply_from(raw_of(base), &set, Origin::Axis(&field)) {
                refused.push((format!("axis {field}"), e));
            }
        }
    }
    if refused.is_empty() {
        Ok(())
    } else {
        Err(SimError::Configurations(refused))
    }
}

/// The base as written, without its sweep block.
fn raw_of(base: &Experiment) -> super::raw::RawExperiment {
    let mut raw = base
        .as_given
        .clone()
        .expect("a checked experiment keeps the form it was given in");
    raw.sweep = None;
    raw
}

/// Configuration `c`'s experiment, on top of `base`, which came from `text` with the
/// command line's `cli` overrides.
fn config_experiment(
    base: &Experiment,
    block: &SweepConfig,
    c: usize,
    text: &str,
    cli: &[String],
) -> Result<Experiment> {
    let mut raw = raw_of(base);
    let mut blame = overrides::blame(cli, Origin::CommandLine);
    let sets = block.sets(c);
    let fields = axis_fields(block);
    for (set, field) in sets.iter().zip(&fields) {
        let one = std::slice::from_ref(set);
        raw = overrides::apply_from(raw, one, Origin::Axis(field))?;
        blame.extend(overrides::blame(one, Origin::Axis(field)));
    }
    validate(raw, &base.source, text, &blame)
}

/// `sweep.grid[i]` / `sweep.zip[i]` of each axis, in column order.
fn axis_fields(block: &SweepConfig) -> Vec<String> {
    let grid = (0..block.grid.len()).map(|i| format!("sweep.grid[{i}]"));
    let zip = (0..block.zip.len()).map(|i| format!("sweep.zip[{i}]"));
    grid.chain(zip).collect()
}
