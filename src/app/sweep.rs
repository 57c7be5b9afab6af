//! `sim sweep` (and `sim run` of a file with a sweep block): every run of the sweep
//! (configuration x replication) goes in parallel on `--jobs` threads, each with no
//! per-invocation rows; a finished run's row goes to the journal at once, and at the end
//! sweep.csv (sorted by run), the per-configuration summary and the manifest are moved into
//! place together. `--shard I/N` runs only the runs whose index modulo N is I and writes
//! sweep.csv and the manifest, for `sim merge` (`super::merge`) to combine.

use super::{memory_budget, overrides, write_results, Given, Guards, RunRecord};
use crate::analysis::objective::{rank, Candidate, Ranking};
use crate::analysis::sweep::{labels, ConfigSummary};
use crate::analysis::sweep::{summarise, RunId, SweepRow};
use crate::cli::{Shard, SweepArgs};
use crate::config::limits::{SWEEP_RUNS, SWEEP_WALL_S};
use crate::config::objective::Objective;
use crate::config::sweep::SweepConfig;
use crate::config::{load_experiment, load_sweep, Experiment, Sweep};
use crate::error::{Result, SimError};
use crate::kernel::rng::{replication_seed, stable_hash};
use crate::metrics::summary::RunSummary;
use crate::metrics::NoRows;
use crate::output::folder::MANIFEST;
use crate::output::objective::{self, RankingFile};
use crate::output::progress::SweepProgress;
use crate::output::sweep::{summary_csv, sweep_csv, Journal, SummaryFile, INTERVAL_NOTE};
use crate::output::{pretty_json, Staging};
use crate::preflight::{self, Estimate, Limits, MemoryBudget};
use crate::runner::{run_streaming, RunFailure};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What a sweep's manifest records about it: enough for `sim merge` to check that shards
/// belong together and to write the summary.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(super) struct SweepRecord {
    /// The experiment's name.
    pub(super) experiment: String,
    /// The seed replications derive theirs from.
    pub(super) seed: u64,
    /// Hash of the expanded sweep (the experiment as given, `--set` applied): shards of one
    /// sweep share it.
    pub(super) hash: String,
    /// Every run of the sweep.
    pub(super) runs: usize,
    /// Configurations.
    pub(super) configurations: usize,
    /// Runs per configuration.
    pub(super) replications: u32,
    /// The axes' paths, in column order.
    pub(super) axes: Vec<String>,
    /// The share this folder holds: index and count (absent: the whole sweep).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) shard: Option<[usize; 2]>,
    /// What the configurations must achieve and how they are ranked (absent: no ranking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) objective: Option<Objective>,
    /// The costs' currency ("" when no configuration has a plan).
    #[serde(default)]
    pub(super) currency: String,
}

impl SweepRecord {
    /// The journal's identity line for this record.
    fn identity(&self) -> String {
        let [i, n] = self.shard.unwrap_or([0, 1]);
        format!(
            "experiment {}, sweep {}, {} runs, shard {i}/{n}",
            self.experiment, self.hash, self.runs
        )
    }
}

/// A sweep folder's manifest.json.
#[derive(Serialize)]
struct SweepManifest<'a> {
    #[serde(flatten)]
    run: RunRecord<'a>,
    sweep: &'a SweepRecord,
    /// The experiment as written, with `--set` overrides applied, its sweep block included.
    #[serde(skip_serializing_if = "Option::is_none")]
    experiment: Option<&'a crate::config::raw::RawExperiment>,
}

/// Runs the sweep of the experiment `args` names.
pub(super) fn sweep_command(sweep_args: &SweepArgs) -> Result<()> {
    let args = &sweep_args.run;
    if args.trace_events.is_some() {
        return Err(SimError::Override {
            spec: "--trace-events".into(),
            message: "traces one run, not a sweep; run one configuration with sim run and --set"
                .into(),
        });
    }
    let sets = overrides(&args.sets, args.seed, false);
    let exp = load_experiment(&args.experiment, &sets)?;
    let Some(block) = &exp.sweep else {
        return Err(SimError::Sweep {
            path: args.experiment.clone(),
            message:
                "has no sweep block; add one (see experiments/sweep_threads.ron), or use sim run"
                    .into(),
        });
    };
    check_count(block, &args.experiment, args.yes)?;
    let sweep = load_sweep(&args.experiment, &sets)?.expect("it has a sweep block");
    let estimates = check_sizes(&sweep, &args.experiment, args.yes)?;
    check_wall(&estimates, jobs_of(sweep_args), &args.experiment, args.yes)?;
    let shard = sweep_args.shard.unwrap_or(Shard::ALL);
    let record = record(&sweep, shard);
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("outputs").join(&sweep.base.name));
    let mut top = Staging::prepare(&target)?;
    let in_target = |message| SimError::Sweep {
        path: target.clone(),
        message,
    };
    let (journal, done) =
        Journal::open(&target, &record.identity(), &record.axes, sweep_args.resume)
            .map_err(in_target)?;
    let started = Instant::now();
    let done = owned_once(done, shard, sweep.runs());
    let finished_runs: BTreeSet<usize> = done.iter().map(|r| r.run).collect();
    let todo: Vec<usize> = (0..sweep.runs())
        .filter(|&i| shard.owns(i) && !finished_runs.contains(&i))
        .collect();
    let ctx = RunContext {
        sweep: &sweep,
        sets: &args.sets,
        no_invocations: args.no_invocations,
        estimates: &estimates,
        budget: shared_budget(memory_budget(args), jobs_of(sweep_args)),
        unbounded: args.yes,
    };
    let folders = run_folders(&mut top, &todo, sweep_args.keep_runs)?;
    let done_now = run_all(
        &ctx,
        &todo,
        folders,
        jobs_of(sweep_args),
        args.quiet || args.json,
        |row| journal.append(row).map_err(&in_target),
    );
    let (results, folders): (Vec<_>, Vec<_>) = done_now.into_iter().unzip();
    let mut rows = finished(results, &todo, &sweep)?;
    let kept = done.len();
    rows.extend(done);
    rows.sort_by_key(|r| r.run);
    let wall = started.elapsed().as_secs_f64();
    write_sweep(&mut top, &rows, &record)?;
    let manifest = SweepManifest {
        run: RunRecord::new(&top, &sweep.base, &args.sets, wall),
        sweep: &record,
        experiment: sweep.base.as_given.as_ref(),
    };
    top.write(MANIFEST, pretty_json(&manifest).as_bytes())?;
    let dir = top.commit_with(folders.into_iter().flatten().collect())?;
    journal.remove();
    super::print_json(
        args.json && record.shard.is_none(),
        &dir.join("sweep_summary.json"),
    )?;
    if !args.quiet && !args.json {
        crate::say!(
            "{}",
            report(&sweep, &record, &rows, kept, &dir, wall).trim_end()
        );
    }
    let whole = record.shard.is_none();
    super::plots::after_run(args.plots && whole, &dir, args.quiet || args.json)
}

/// With `--keep-runs`, a staged folder `run-<index>` per run of `todo`; otherwise none.
fn run_folders(top: &mut Staging, todo: &[usize], keep: bool) -> Result<Vec<Option<Staging>>> {
    todo.iter()
        .map(|i| match keep {
            true => top.sub(&format!("run-{i:06}")).map(Some),
            false => Ok(None),
        })
        .collect()
}

/// Runs `todo` (each into its folder of `folders`, if any) on `jobs` threads with a progress
/// bar; `keep` saves each finished row as it comes. The results and folders come back in
/// `todo`'s order.
fn run_all(
    ctx: &RunContext,
    todo: &[usize],
    folders: Vec<Option<Staging>>,
    jobs: usize,
    quiet: bool,
    keep: impl Fn(&SweepRow) -> Result<()> + Sync,
) -> Vec<(Result<SweepRow>, Option<Staging>)> {
    let bar = SweepProgress::new(todo.len(), quiet);
    let results = in_pool(jobs, || {
        todo.par_iter()
            .zip(folders)
            .map(|(&i, mut folder)| {
                let row = ctx.run(i, folder.as_mut()).and_then(|row| {
                    keep(&row)?;
                    Ok(row)
                });
                bar.inc();
                (row, folder)
            })
            .collect()
    });
    bar.finish();
    results
}

/// `--jobs`, or every core.
fn jobs_of(args: &SweepArgs) -> usize {
    args.jobs.map_or_else(num_cores, |j| j as usize)
}

/// The journal's rows that are this shard's runs of the sweep, each once.
fn owned_once(mut rows: Vec<SweepRow>, shard: Shard, runs: usize) -> Vec<SweepRow> {
    rows.retain(|r| r.run < runs && shard.owns(r.run));
    rows.sort_by_key(|r| r.run);
    rows.dedup_by_key(|r| r.run);
    rows
}

/// The manifest's record of `sweep` run as `shard`.
fn record(sweep: &Sweep, shard: Shard) -> SweepRecord {
    let given = serde_json::to_string(&sweep.base.as_given).expect("plain data serializes");
    SweepRecord {
        experiment: sweep.base.name.clone(),
        seed: sweep.base.seed,
        hash: format!("{:016x}", stable_hash(given.as_bytes())),
        runs: sweep.runs(),
        configurations: sweep.configs.len(),
        replications: sweep.block.replications,
        axes: sweep.block.paths(),
        shard: (shard != Shard::ALL).then_some([shard.index, shard.count]),
        objective: sweep.base.objective,
        currency: sweep
            .configs
            .iter()
            .find_map(|c| c.plan.as_ref().map(|p| p.price.currency.clone()))
            .unwrap_or_default(),
    }
}

/// The configurations, as the ranking reads them, and their ranking against the record's
/// objective (`None` without one).
fn ranked(record: &SweepRecord, configs: &[ConfigSummary]) -> Option<(Vec<Candidate>, Ranking)> {
    let objective = record.objective?;
    let candidates: Vec<Candidate> = configs
        .iter()
        .zip(labels(configs, &record.axes))
        .map(|(c, label)| c.candidate(label))
        .collect();
    let ranking = rank(&candidates, &objective.constraints, objective.strategy);
    Some((candidates, ranking))
}

/// sweep.csv, and for a whole sweep sweep_summary.csv and .json, into `top`.
pub(super) fn write_sweep(
    top: &mut Staging,
    rows: &[SweepRow],
    record: &SweepRecord,
) -> Result<()> {
    top.write("sweep.csv", sweep_csv(&record.axes, rows).as_bytes())?;
    if record.shard.is_some() {
        return Ok(());
    }
    let configs = summarise(rows, &record.axes);
    top.write(
        "sweep_summary.csv",
        summary_csv(&record.axes, &configs).as_bytes(),
    )?;
    let judged = ranked(record, &configs);
    if let Some((candidates, ranking)) = &judged {
        top.write(
            "ranking.csv",
            objective::csv(candidates, ranking).as_bytes(),
        )?;
    }
    let file = SummaryFile {
        experiment: &record.experiment,
        seed: record.seed,
        axes: &record.axes,
        replications: record.replications,
        interval: INTERVAL_NOTE,
        configurations: &configs,
        ranking: judged
            .as_ref()
            .zip(record.objective.as_ref())
            .map(|((c, r), o)| RankingFile::new(o, c, r)),
    };
    top.write("sweep_summary.json", pretty_json(&file).as_bytes())
}

/// A sweep of more than [`SWEEP_RUNS`] runs is refused without `--yes`, before its
/// configurations are made.
fn check_count(block: &SweepConfig, file: &Path, yes: bool) -> Result<()> {
    let configs = block.configurations();
    let runs = configs.saturating_mul(block.replications as usize);
    if runs <= SWEEP_RUNS || yes {
        return Ok(());
    }
    Err(SimError::Sweep {
        path: file.to_path_buf(),
        message: format!(
            "the sweep has {runs} runs ({configs} configurations x {} replications), more than the {SWEEP_RUNS} a sweep starts without --yes; add --yes to run them all (--shard I/N splits them over machines), or use fewer values or replications",
            block.replications
        ),
    })
}

/// Each configuration's estimate; a configuration above a limit is refused without `--yes`.
fn check_sizes(sweep: &Sweep, file: &Path, yes: bool) -> Result<Vec<Estimate>> {
    let mut estimates = Vec::new();
    for (c, exp) in sweep.configs.iter().enumerate() {
        let estimate = preflight::estimate(exp);
        let over = estimate.over(&Limits::DEFAULT);
        if !over.is_empty() && !yes {
            return Err(SimError::TooBig {
                file: file.to_path_buf(),
                estimate: format!(
                    "configuration {c} ({}): {}",
                    sweep.block.sets(c).join(", "),
                    estimate.line()
                ),
                over,
            });
        }
        estimates.push(estimate);
    }
    Ok(estimates)
}

/// A sweep estimated to take longer than [`SWEEP_WALL_S`] on `jobs` cores is refused without
/// `--yes`.
fn check_wall(estimates: &[Estimate], jobs: usize, file: &Path, yes: bool) -> Result<()> {
    let wall_s = estimates.iter().map(|e| e.wall_s).sum::<f64>() / jobs.max(1) as f64;
    if wall_s <= SWEEP_WALL_S || yes {
        return Ok(());
    }
    Err(SimError::Sweep {
        path: file.to_path_buf(),
        message: format!(
            "the sweep would take about {:.0} minutes on {jobs} cores, more than the {:.0} a sweep starts without --yes; add --yes to run it, split it over machines with --shard I/N, or use fewer values, replications or a shorter load",
            wall_s / 60.0,
            SWEEP_WALL_S / 60.0
        ),
    })
}

/// What every run of a sweep shares.
struct RunContext<'a> {
    sweep: &'a Sweep,
    /// The command line's `--set` overrides, for a kept run's manifest.
    sets: &'a [String],
    /// `--no-invocations`: a kept run's folder has no invocations.csv.
    no_invocations: bool,
    estimates: &'a [Estimate],
    budget: MemoryBudget,
    unbounded: bool,
}

impl RunContext<'_> {
    /// Run `i`: its configuration with its replication's seed, no per-invocation rows.
    /// With a `folder`, the run writes a plain run's files there.
    fn run(&self, i: usize, folder: Option<&mut Staging>) -> Result<SweepRow> {
        let (c, r) = self.sweep.run(i);
        let mut exp: Experiment = self.sweep.configs[c].clone();
        exp.seed = replication_seed(self.sweep.base.seed, r);
        let guards = Guards {
            budget: self.budget,
            estimate: &self.estimates[c],
            unbounded: self.unbounded,
        };
        exp.output.invocations &= folder.is_some() && !self.no_invocations;
        let summary = match folder {
            Some(staging) => self.run_into(staging, &exp, &guards)?,
            None => simulate(&exp, &guards)?,
        };
        let id = RunId {
            run: i,
            config: c,
            replication: r,
            seed: exp.seed,
            values: self.sweep.block.values(c),
        };
        Ok(SweepRow::new(id, &exp, &summary))
    }
}

impl RunContext<'_> {
    /// A run with its files written into `staging`, as `sim run` writes them.
    fn run_into(
        &self,
        staging: &mut Staging,
        exp: &Experiment,
        guards: &Guards,
    ) -> Result<RunSummary> {
        let started = Instant::now();
        let summary = super::simulate(staging, exp, guards, true)?;
        let given = Given {
            sets: self.sets,
            variant: None,
        };
        let wall = started.elapsed().as_secs_f64();
        write_results(staging, exp, &summary, &given, wall)?;
        Ok(summary)
    }
}

/// One run with no rows kept, stopped by the guards.
pub(super) fn simulate(exp: &Experiment, guards: &Guards) -> Result<RunSummary> {
    match run_streaming(exp, &mut NoRows, &mut |p| guards.check(p)) {
        Ok(summary) => Ok(summary),
        Err(RunFailure::Build(e)) => Err(e.into()),
        Err(RunFailure::Stopped(reason)) => Err(SimError::Stopped {
            at: "a sweep run".into(),
            reason,
        }),
    }
}

/// The rows of the runs `todo`, or every run that failed (the journal keeps the others).
fn finished(
    results: Vec<Result<SweepRow>>,
    todo: &[usize],
    sweep: &Sweep,
) -> Result<Vec<SweepRow>> {
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    for (result, &i) in results.into_iter().zip(todo) {
        match result {
            Ok(row) => rows.push(row),
            Err(e) => {
                let (c, r) = sweep.run(i);
                let name = format!(
                    "run {i} (configuration {c}: {}; replication {r})",
                    sweep.block.sets(c).join(", ")
                );
                failed.push((name, e));
            }
        }
    }
    if failed.is_empty() {
        Ok(rows)
    } else {
        Err(SimError::Configurations(failed))
    }
}

/// Runs `f` on a pool of `jobs` threads.
fn in_pool<R: Send>(jobs: usize, f: impl FnOnce() -> R + Send) -> R {
    match rayon::ThreadPoolBuilder::new().num_threads(jobs).build() {
        Ok(pool) => pool.install(f),
        Err(_) => f(),
    }
}

/// The machine's cores (rayon's default threads).
fn num_cores() -> usize {
    crate::runner::runs_at_once()
}

/// Each run's share of the memory budget, `jobs` at once.
fn shared_budget(budget: MemoryBudget, jobs: usize) -> MemoryBudget {
    MemoryBudget {
        bytes: budget.bytes / jobs.max(1) as f64,
    }
}

/// The ranking's table and the answer line ("" without an objective).
fn ranking_text(record: &SweepRecord, configs: &[ConfigSummary]) -> String {
    let (Some((c, r)), Some(o)) = (ranked(record, configs), record.objective) else {
        return String::new();
    };
    let currency = &record.currency;
    let mut text = objective::table(&o, &c, &r, currency);
    text.push_str(&objective::answer_line(
        &o,
        &c,
        &r,
        "configuration",
        currency,
    ));
    text.push('\n');
    text
}

/// What the terminal shows: the sweep, per configuration the mean p50 and p99 with their
/// intervals, and where the files went.
fn report(
    sweep: &Sweep,
    record: &SweepRecord,
    rows: &[SweepRow],
    kept: usize,
    dir: &Path,
    wall: f64,
) -> String {
    let mut o = format!(
        "{}: sweep of {} configurations x {} replications ({} runs",
        sweep.base.name, record.configurations, record.replications, record.runs
    );
    if let Some([i, n]) = record.shard {
        o.push_str(&format!("; shard {i}/{n}: {} of them", rows.len()));
    }
    o.push_str(&format!("), seed {}\n", sweep.base.seed));
    if kept > 0 {
        o.push_str(&format!(
            "resumed: {kept} finished runs kept from the journal, {} run now\n",
            rows.len() - kept
        ));
    }
    if record.shard.is_none() {
        let configs = summarise(rows, &record.axes);
        o.push_str(&crate::output::sweep::summary_table(&record.axes, &configs));
        o.push_str(&ranking_text(record, &configs));
    }
    let files = match (record.shard, record.objective) {
        (Some(_), _) => "sweep.csv, manifest.json; combine the shards with sim merge",
        (None, Some(_)) => {
            "sweep.csv, sweep_summary.csv, sweep_summary.json, ranking.csv, manifest.json"
        }
        (None, None) => "sweep.csv, sweep_summary.csv, sweep_summary.json, manifest.json",
    };
    o.push_str(&format!(
        "wrote {}/ ({files}) in {wall:.2} s\n",
        dir.display()
    ));
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lasting(wall_s: f64) -> Estimate {
        Estimate {
            arrivals: 0.0,
            events: 0.0,
            sim_s: 0.0,
            wall_s,
            peak_in_flight: 0.0,
            decisions: 0.0,
            memory_bytes: 0.0,
            output_bytes: 0.0,
        }
    }

    #[test]
    fn a_sweep_estimated_past_half_an_hour_on_its_cores_asks_for_yes() {
        let runs = vec![lasting(100.0); 40];
        let file = Path::new("big.ron");
        let err = check_wall(&runs, 2, file, false).unwrap_err().to_string();
        assert!(
            err.contains("about 33 minutes on 2 cores") && err.contains("--yes"),
            "{err}"
        );
        assert!(check_wall(&runs, 2, file, true).is_ok(), "--yes runs it");
        assert!(
            check_wall(&runs, 4, file, false).is_ok(),
            "17 minutes on 4 cores"
        );
    }
}
