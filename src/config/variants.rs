//! A compare experiment's variants as experiments of their own: the experiment as written
//! (with the command line's `--set` applied), without its compare block, with the variant's
//! `set` entries applied in order, checked like any experiment. A problem a variant's own
//! override causes is blamed on it (`compare variant "EP2", set "host.threads=0"`), and every
//! variant that cannot run is reported, each under its name.

use super::objective::Objective;
use super::overrides::{self, Origin};
use super::source::{read_text, without_bom};
use super::validate::{parse_experiment, validate};
use super::Experiment;
use crate::error::{Result, SimError};
use std::path::Path;

/// An experiment with a compare block, ready to run: the experiment itself and its variants.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The experiment as written (with `--set` applied), its compare block included.
    pub base: Experiment,
    /// The variants, in file order.
    pub variants: Vec<Variant>,
    /// What they must achieve and how they are ranked (the experiment's objective, or the
    /// compare block's `slo`).
    pub objective: Objective,
}

/// One variant, checked.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Its name, which names its output folder.
    pub name: String,
    /// Its overrides, as written in its `set` list.
    pub set: Vec<String>,
    /// The experiment it runs: the base with its overrides, the base's seed.
    pub experiment: Experiment,
}

/// Loads `path` with the command line's `overrides`; `None` when it has no compare block.
pub fn load_comparison(path: &Path, overrides: &[String]) -> Result<Option<Comparison>> {
    let text = read_text(path)?;
    parse_comparison(&text, path, overrides)
}

/// [`load_comparison`] of `text` as if read from `path` (for tests and notebooks).
pub fn parse_comparison(
    text: &str,
    path: &Path,
    overrides: &[String],
) -> Result<Option<Comparison>> {
    let base = parse_experiment(text, path, overrides)?;
    let Some(block) = base.compare.clone() else {
        return Ok(None);
    };
    let mut variants = Vec::new();
    let mut refused = Vec::new();
    for v in &block.variants {
        match variant_experiment(&base, &v.set, &v.name, without_bom(text), overrides) {
            Ok(experiment) => variants.push(Variant {
                name: v.name.clone(),
                set: v.set.clone(),
                experiment,
            }),
            Err(e) => refused.push((v.name.clone(), e)),
        }
    }
    if !refused.is_empty() {
        return Err(SimError::Variants(refused));
    }
    Ok(Some(Comparison {
        objective: base.objective.unwrap_or_default(),
        base,
        variants,
    }))
}

/// The experiment of variant `name` with overrides `set`, on top of `base`, which came from
/// `text` with the command line's `cli` overrides.
fn variant_experiment(
    base: &Experiment,
    set: &[String],
    name: &str,
    text: &str,
    cli: &[String],
) -> Result<Experiment> {
    let mut raw = base
        .as_given
        .clone()
        .expect("a checked experiment keeps the form it was given in");
    raw.compare = None;
    let origin = Origin::Variant(name);
    let raw = overrides::apply_from(raw, set, origin)?;
    let mut blame = overrides::blame(cli, Origin::CommandLine);
    blame.extend(overrides::blame(set, origin));
    validate(raw, &base.source, text, &blame)
}
