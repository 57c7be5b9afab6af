//! The `compare` block: the same experiment run as several variants, side by side.
//!
//! ```ron
//! compare: Compare(
//!     variants: [
//!         Variant(name: "EP1", set: ["plan=EP1", "host.processes=1", "host.threads=8"]),
//!         Variant(name: "EP2", set: ["plan=EP2", "host.processes=2", "host.threads=8"]),
//!     ],
//!     slo: Slo(p99_ms: 1500.0),
//! ),
//! ```
//! Each variant is the experiment with its `set` entries applied as `--set` overrides would
//! be (after the command line's own), so a variant changes any field. Every variant keeps the
//! experiment's seed: the runs share their arrivals and their durations (common random
//! numbers), and their differences come from what the variants change, not from the draw.
//! A variant's name names its output folder (`outputs/<experiment>/<variant>/`).
//!
//! This module parses and checks the block; `variants` turns it into one experiment per
//! variant, and `crate::analysis::objective` ranks the finished runs against the `slo` or the
//! experiment's `objective`.

use super::checker::Checker;
use super::limits;
use super::names::{is_folder_name, FOLDER_RULE};
use super::number::Num;
use serde::{Deserialize, Serialize};

/// Files a compare folder holds beside its variants' folders; no variant may be named so.
pub const COMPARE_FILES: [&str; 3] = ["compare.csv", "compare.json", "manifest.json"];

/// The `compare` block as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Compare")]
pub struct RawCompare {
    /// The variants, 2..=100, each a name and the overrides that make it.
    pub variants: Vec<RawVariant>,
    /// The target each variant is judged against: a p99 bound (with at most 1% unanswered,
    /// cheapest first); omit it for the experiment's `objective` block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slo: Option<RawSlo>,
}

/// One variant as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Variant")]
pub struct RawVariant {
    /// Names the variant and its output folder: letters, digits, `_`, `-`, `.`.
    pub name: String,
    /// Overrides as `--set` takes them (`"plan=EP2"`, `"host.threads=8"`), applied in order;
    /// not `seed` (every variant runs with the experiment's) nor `compare`.
    #[serde(default)]
    pub set: Vec<String>,
}

/// The service-level objective a variant must meet.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Slo")]
pub struct RawSlo {
    /// The 99th-percentile latency to stay within, 0 < ms <= 86400000.
    pub p99_ms: Num,
}

/// A checked compare block.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CompareConfig {
    /// The variants, in file order.
    pub variants: Vec<VariantConfig>,
    /// The p99 target as written in the block (`None`: the experiment's `objective` judges).
    pub slo: Option<Slo>,
}

/// A checked variant: its name and its overrides.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VariantConfig {
    /// The variant's name (a safe folder name, unique in the block).
    pub name: String,
    /// Its overrides, `path=value`, in order.
    pub set: Vec<String>,
}

/// The service-level objective: a variant meets it when its p99 latency is within `p99_ms`
/// and at most 1% of the requests went unanswered (`super::objective::Objective::from_slo`).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Slo {
    /// The 99th-percentile latency to stay within, ms.
    pub p99_ms: f64,
}

impl Checker {
    /// Checks the compare block; `None` after recording every problem.
    pub(super) fn compare(&mut self, raw: &RawCompare) -> Option<CompareConfig> {
        let before = self.problems.len();
        let count = Num::Int(raw.variants.len() as i128);
        self.whole("compare.variants", &count, &limits::VARIANTS);
        for (i, v) in raw.variants.iter().enumerate() {
            self.variant_name(raw, i, &v.name);
            for (j, spec) in v.set.iter().enumerate() {
                self.variant_set(&format!("compare.variants[{i}].set[{j}]"), spec);
            }
        }
        let slo = raw.slo.as_ref().map(|slo| {
            self.real("compare.slo.p99_ms", &slo.p99_ms, &limits::SLO_MS)
                .map(|p99_ms| Slo { p99_ms })
        });
        if self.problems.len() > before {
            return None;
        }
        let variants = raw
            .variants
            .iter()
            .map(|v| VariantConfig {
                name: v.name.clone(),
                set: v.set.clone(),
            })
            .collect();
        Some(CompareConfig {
            variants,
            slo: slo.flatten(),
        })
    }

    /// Variant `i`'s name: a folder name, none of the compare folder's files, not another's.
    fn variant_name(&mut self, raw: &RawCompare, i: usize, name: &str) {
        let field = format!("compare.variants[{i}].name");
        let same = |other: &str| other.eq_ignore_ascii_case(name);
        if !is_folder_name(name) {
            let allowed = format!("allowed {FOLDER_RULE}");
            self.problem(
                &field,
                format!("{name:?}"),
                "cannot name a folder",
                &allowed,
            );
        } else if COMPARE_FILES.iter().any(|f| same(f)) {
            let allowed = format!(
                "a name other than {}: the compare folder holds those files",
                COMPARE_FILES.join(", ")
            );
            self.problem(&field, format!("{name:?}"), "is taken", &allowed);
        } else if let Some(j) = raw.variants[..i].iter().position(|v| same(&v.name)) {
            self.problem(
                &field,
                format!("{name:?}"),
                format!("is also the name of compare.variants[{j}]"),
                "a name no other variant has (letter case aside: it names a folder)",
            );
        }
    }

    /// One `set` entry: `path=value`, and not a field every variant must share.
    fn variant_set(&mut self, field: &str, spec: &str) {
        let Some((path, _)) = spec.split_once('=').filter(|(p, _)| !p.trim().is_empty()) else {
            self.problem(
                field,
                format!("{spec:?}"),
                "is not an override",
                "path=value, as --set takes it, e.g. \"host.threads=8\"",
            );
            return;
        };
        let root = path.trim().split('.').next().unwrap_or("");
        let why = match root {
            "seed" => "every variant runs with the experiment's seed, so that the runs share their arrivals and durations (common random numbers); set the seed in the file or with --seed",
            "compare" => "a variant cannot change the compare block",
            _ => return,
        };
        self.problem(field, format!("{spec:?}"), "is not allowed here", why);
    }
}
