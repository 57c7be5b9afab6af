//! `sim run` of an experiment with a compare block: every variant runs in parallel into a
//! folder of its own inside the experiment's (`outputs/<experiment>/<variant>/`, the files of
//! a plain run), then compare.csv, compare.json and the manifest go beside them, and the table
//! and the verdict are printed. Nothing is moved into place until every variant is complete,
//! so a refused, failed or interrupted comparison leaves the previous outputs as they were.

use super::{memory_budget, simulate, write_results, Given, Guards, RunRecord};
use crate::analysis::compare::{judge, CompareRow};
use crate::analysis::objective::{Candidate, Ranking};
use crate::cli::RunArgs;
use crate::config::{load_comparison, Comparison, Variant};
use crate::error::{Result, SimError};
use crate::metrics::summary::RunSummary;
use crate::output::compare::{csv, table, CompareFile};
use crate::output::folder::MANIFEST;
use crate::output::objective::{self, RankingFile};
use crate::output::{pretty_json, Staging};
use crate::preflight::{self, Estimate, Limits, MemoryBudget};
use crate::runner::{each_in_parallel, runs_at_once};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The compare folder's manifest.json.
#[derive(Serialize)]
struct CompareManifest<'a> {
    /// How it ran (the seed every variant ran with; the `--set` overrides, applied before each
    /// variant's own), the files written and a folder per variant.
    #[serde(flatten)]
    run: RunRecord<'a>,
    /// The experiment as written, with `--set` overrides applied, its compare block included.
    experiment: Option<&'a crate::config::raw::RawExperiment>,
}

/// Runs the variants of the experiment `args` names, with the command line's `sets`.
pub(super) fn run_variants(args: &RunArgs, sets: &[String]) -> Result<()> {
    let cmp = load_comparison(&args.experiment, sets)?
        .expect("called for an experiment with a compare block");
    let estimates = check_sizes(&cmp, &args.experiment, args.yes)?;
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("outputs").join(&cmp.base.name));
    let mut top = Staging::prepare(&target)?;
    let subs = cmp
        .variants
        .iter()
        .map(|v| top.sub(&v.name))
        .collect::<Result<Vec<_>>>()?;
    let started = Instant::now();
    let budget = shared_budget(memory_budget(args), cmp.variants.len());
    let jobs: Vec<_> = subs
        .into_iter()
        .zip(&cmp.variants)
        .zip(&estimates)
        .collect();
    let done = each_in_parallel(jobs, |((mut staging, v), estimate)| {
        let guards = Guards {
            budget,
            estimate,
            unbounded: args.yes,
        };
        let summary = simulate(&mut staging, &v.experiment, &guards, true);
        (staging, summary)
    });
    let wall = started.elapsed().as_secs_f64();
    let (mut subs, summaries) = finished(done, &cmp.variants)?;
    for ((staging, v), summary) in subs.iter_mut().zip(&cmp.variants).zip(&summaries) {
        let given = Given {
            sets: &args.sets,
            variant: Some(v),
        };
        write_results(staging, &v.experiment, summary, &given, wall)?;
    }
    let mut rows: Vec<CompareRow> = cmp
        .variants
        .iter()
        .zip(&summaries)
        .map(|(v, s)| CompareRow::measure(&v.name, &v.experiment, s))
        .collect();
    let judged = judge(&mut rows, &cmp.objective);
    let result = Judged {
        rows: &rows,
        candidates: &judged.0,
        ranking: &judged.1,
    };
    write_compare(&mut top, &cmp, &result, &args.sets, wall)?;
    let dir = top.commit_with(subs)?;
    super::print_json(args.json, &dir.join("compare.json"))?;
    if !args.quiet && !args.json {
        crate::say!(
            "{}",
            report(&cmp, &result, &args.sets, &dir, wall).trim_end()
        );
    }
    super::plots::after_run(args.plots, &dir, args.quiet || args.json)
}

/// Each variant's estimate; a variant above a limit is refused without `--yes`.
fn check_sizes(cmp: &Comparison, file: &Path, yes: bool) -> Result<Vec<Estimate>> {
    let mut estimates = Vec::new();
    for v in &cmp.variants {
        let estimate = preflight::estimate(&v.experiment);
        let over = estimate.over(&Limits::DEFAULT);
        if !over.is_empty() && !yes {
            return Err(SimError::TooBig {
                file: file.to_path_buf(),
                estimate: format!("variant {:?}: {}", v.name, estimate.line()),
                over,
            });
        }
        estimates.push(estimate);
    }
    Ok(estimates)
}

/// Each variant's share of the memory budget: the runs go on at once, so they split it.
fn shared_budget(budget: MemoryBudget, variants: usize) -> MemoryBudget {
    let at_once = variants.clamp(1, runs_at_once().max(1));
    MemoryBudget {
        bytes: budget.bytes / at_once as f64,
    }
}

/// The stagings and summaries of the finished runs, or every variant that failed, each
/// under its name.
fn finished(
    done: Vec<(Staging, Result<RunSummary>)>,
    variants: &[Variant],
) -> Result<(Vec<Staging>, Vec<RunSummary>)> {
    let mut subs = Vec::new();
    let mut summaries = Vec::new();
    let mut failed = Vec::new();
    for ((staging, result), v) in done.into_iter().zip(variants) {
        match result {
            Ok(summary) => summaries.push(summary),
            Err(e) => failed.push((v.name.clone(), e)),
        }
        subs.push(staging);
    }
    if failed.is_empty() {
        Ok((subs, summaries))
    } else {
        Err(SimError::Variants(failed))
    }
}

/// The variants' rows judged against the objective.
struct Judged<'a> {
    rows: &'a [CompareRow],
    candidates: &'a [Candidate],
    ranking: &'a Ranking,
}

impl Judged<'_> {
    /// The costs' currency ("USD"; "" without a plan).
    fn currency(&self) -> &str {
        self.rows.first().map_or("", |r| r.currency.as_str())
    }
}

/// compare.csv, compare.json and the compare folder's manifest.
fn write_compare(
    top: &mut Staging,
    cmp: &Comparison,
    judged: &Judged,
    sets: &[String],
    wall: f64,
) -> Result<()> {
    top.write("compare.csv", csv(judged.rows).as_bytes())?;
    let file = CompareFile {
        experiment: &cmp.base.name,
        seed: cmp.base.seed,
        variants: judged.rows,
        ranking: RankingFile::new(&cmp.objective, judged.candidates, judged.ranking),
    };
    top.write("compare.json", pretty_json(&file).as_bytes())?;
    let manifest = CompareManifest {
        run: RunRecord::new(top, &cmp.base, sets, wall),
        experiment: cmp.base.as_given.as_ref(),
    };
    top.write(MANIFEST, pretty_json(&manifest).as_bytes())
}

/// What the terminal shows: the experiment (and the `--set` overrides given), the table, the
/// verdict, where the files went.
fn report(cmp: &Comparison, judged: &Judged, sets: &[String], dir: &Path, wall: f64) -> String {
    let base = &cmp.base;
    let mut o = if base.description.is_empty() {
        format!("{}  (seed {})\n", base.name, base.seed)
    } else {
        format!(
            "{}: {}  (seed {})\n",
            base.name, base.description, base.seed
        )
    };
    if !sets.is_empty() {
        o.push_str(&format!(
            "  (the description is the file's; this run changed it with --set {})\n",
            sets.join(" ")
        ));
    }
    o.push_str(&format!(
        "compare: {} variants of the same arrivals and durations (one seed: common random numbers)\n",
        judged.rows.len()
    ));
    o.push_str(&table(judged.rows));
    let (c, r) = (judged.candidates, judged.ranking);
    o.push_str(&objective::table(&cmp.objective, c, r, judged.currency()));
    o.push_str(&objective::answer_line(
        &cmp.objective,
        c,
        r,
        "variant",
        judged.currency(),
    ));
    o.push('\n');
    let names: Vec<String> = cmp
        .variants
        .iter()
        .map(|v| format!("{}/", v.name))
        .collect();
    o.push_str(&format!(
        "wrote {}/ (compare.csv, compare.json, manifest.json; a folder per variant: {}) in {wall:.2} s\n",
        dir.display(),
        names.join(", ")
    ));
    o
}
