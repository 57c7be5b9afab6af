//! One command's orchestration: load -> prepare output -> run -> export -> report. An
//! experiment with a compare block runs its variants instead (`compare`).

mod advise;
mod compare;
mod merge;
mod plots;
mod sweep;
mod trace_events;
mod trace_gen;

use crate::cli::{CheckArgs, Cli, Command, RunArgs};
use crate::config::{load_experiment, Experiment};
use crate::error::{Result, SimError};
use crate::metrics::summary::RunSummary;
use crate::model::Progress;
use crate::output::csv_export::{self, CsvRows, ExtraColumns};
use crate::output::folder::{OutputRecord, MANIFEST};
use crate::output::progress::RunProgress;
use crate::output::{pretty_json, report, Staging};
use crate::preflight::{self, Limits, MemoryBudget};
use crate::runner::{run_streaming, RunFailure};
use serde::Serialize;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::Instant;

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(args) => run_command(args),
        Command::Sweep(args) => sweep::sweep_command(&args),
        Command::Merge(args) => merge::merge_command(&args),
        Command::Check(args) => check_command(args),
        Command::Plot(args) => plots::plot_command(&args),
        Command::Validate(args) => crate::validate::validate_command(args),
        Command::Trace(cmd) => trace_command(cmd),
        Command::TraceEvents(args) => trace_events::trace_events_command(&args),
        Command::Bench(args) => crate::bench::bench_command(args),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "sim", &mut std::io::stdout());
            Ok(())
        }
    }
}

/// With `--json`, prints `file` of the finished output folder as it was written.
fn print_json(json: bool, file: &std::path::Path) -> Result<()> {
    if json {
        let text = std::fs::read_to_string(file).map_err(|source| SimError::Read {
            path: file.to_path_buf(),
            source,
        })?;
        print!("{text}");
    }
    Ok(())
}

/// `sim trace ...`.
fn trace_command(cmd: crate::cli::TraceCommand) -> Result<()> {
    match cmd {
        crate::cli::TraceCommand::Stats(args) => {
            let stats = crate::workload::trace_stats::trace_stats(&args.file, args.format)?;
            crate::say!("{}", stats.report(&args.file));
            Ok(())
        }
        crate::cli::TraceCommand::Gen(args) => trace_gen::trace_gen(&args),
    }
}

fn overrides(sets: &[String], seed: Option<u64>, no_invocations: bool) -> Vec<String> {
    let mut all = sets.to_vec();
    if let Some(seed) = seed {
        all.push(format!("seed={seed}"));
    }
    if no_invocations {
        all.push("output.invocations=false".into());
    }
    all
}

fn check_command(args: CheckArgs) -> Result<()> {
    let exp = load_experiment(&args.experiment, &args.sets)?;
    let cmp = match exp.compare {
        Some(_) => crate::config::load_comparison(&args.experiment, &args.sets)?,
        None => None,
    };
    crate::say!(
        "{}: ok ({} function(s), {} process(es) x {} thread(s))",
        args.experiment.display(),
        exp.functions.len(),
        exp.host.processes,
        exp.host.threads
    );
    if let Some(block) = &exp.sweep {
        return check_sweep(&args, block);
    }
    let Some(cmp) = cmp else {
        print_estimate(&exp, "  ");
        return Ok(());
    };
    for v in &cmp.variants {
        let e = &v.experiment;
        let plan = e.plan.as_ref().map_or("no plan", |p| p.name.as_str());
        crate::say!(
            "  variant {}: ok ({plan}, {} process(es) x {} thread(s))",
            v.name,
            e.host.processes,
            e.host.threads
        );
        print_estimate(e, "    ");
    }
    Ok(())
}

/// `sim check` of a sweep: its size, then every configuration checked, each with its estimate.
fn check_sweep(args: &CheckArgs, block: &crate::config::sweep::SweepConfig) -> Result<()> {
    let runs = block.configurations() * block.replications as usize;
    crate::say!(
        "  sweep: {} configurations x {} replications = {runs} runs",
        block.configurations(),
        block.replications
    );
    if runs > crate::config::limits::SWEEP_RUNS {
        crate::say!(
            "  over the limit (sim sweep needs --yes): more than {} runs",
            crate::config::limits::SWEEP_RUNS
        );
    }
    let sweep = crate::config::load_sweep(&args.experiment, &args.sets)?.expect("a sweep block");
    for (c, e) in sweep.configs.iter().enumerate() {
        crate::say!("  configuration {c}: ok ({})", block.sets(c).join(", "));
        print_estimate(e, "    ");
    }
    Ok(())
}

/// The run's estimate and every limit it passes, indented by `indent`.
fn print_estimate(exp: &Experiment, indent: &str) {
    let estimate = preflight::estimate(exp);
    crate::say!("{indent}estimate: {}", estimate.line());
    for over in estimate.over(&Limits::DEFAULT) {
        crate::say!("{indent}over the limit (sim run needs --yes): {over}");
    }
}

/// What every manifest.json starts with: which sim wrote it, the proof of the files it wrote,
/// and how it was run.
#[derive(Serialize)]
struct RunRecord<'a> {
    sim_version: &'static str,
    /// The signature and the files this run wrote (see [`crate::output::folder`]).
    output_folder: OutputRecord,
    command: Vec<String>,
    experiment_file: String,
    seed: u64,
    wall_time_s: f64,
    /// The `--set` overrides given, in order.
    overrides: &'a [String],
}

impl<'a> RunRecord<'a> {
    /// The record of `exp` run into `staging` with `sets` in `wall` seconds.
    fn new(staging: &Staging, exp: &Experiment, sets: &'a [String], wall: f64) -> Self {
        RunRecord {
            sim_version: env!("CARGO_PKG_VERSION"),
            output_folder: staging.record(),
            command: std::env::args().collect(),
            experiment_file: exp.source.display().to_string(),
            seed: exp.seed,
            wall_time_s: wall,
            overrides: sets,
        }
    }
}

/// What manifest.json records about a run: enough to run it again, to know what ran, and to
/// prove which files of the folder sim wrote.
#[derive(Serialize)]
struct Manifest<'a> {
    #[serde(flatten)]
    run: RunRecord<'a>,
    /// The compare variant this run is (absent for a plain run): its name and overrides,
    /// applied after `overrides`.
    #[serde(skip_serializing_if = "Option::is_none")]
    variant: Option<VariantRecord<'a>>,
    /// The experiment as written, with `--set` overrides applied.
    experiment: Option<&'a crate::config::raw::RawExperiment>,
    /// The host with every default resolved (thread-pool size, executor size, costs).
    resolved_host: &'a crate::config::HostConfig,
    /// Each function's kind and body as run (loops expanded, durations in ns).
    resolved_functions: Vec<ResolvedFunction<'a>>,
    /// The scale controller's settings with every default resolved (absent without a
    /// `scale` block).
    #[serde(skip_serializing_if = "Option::is_none")]
    resolved_scale: Option<&'a crate::config::ScaleConfig>,
    /// The plan with every field resolved, overrides applied (absent without `plan`).
    #[serde(skip_serializing_if = "Option::is_none")]
    resolved_plan: Option<&'a crate::config::PlanConfig>,
}

/// A compare variant, as its manifest records it.
#[derive(Serialize)]
struct VariantRecord<'a> {
    name: &'a str,
    set: &'a [String],
}

/// A function as the model runs it; huge expanded bodies are summarised.
#[derive(Serialize)]
struct ResolvedFunction<'a> {
    name: &'a str,
    kind: crate::config::FunctionKind,
    steps: usize,
    body: Option<&'a [crate::config::Step]>,
    /// The trigger with every default resolved; absent for direct delivery.
    #[serde(skip_serializing_if = "Option::is_none")]
    trigger: Option<&'a crate::config::TriggerConfig>,
}

fn run_command(args: RunArgs) -> Result<()> {
    let sets = overrides(&args.sets, args.seed, args.no_invocations);
    let mut exp = load_experiment(&args.experiment, &sets)?;
    if let Some((from, to)) = args.thread_states {
        let whole = exp.compare.is_some() || exp.sweep.is_some();
        if whole {
            return Err(SimError::Override {
                spec: format!("--thread-states {from}..{to}"),
                message: format!("records one run, and {} runs several (a compare or sweep block): record one variant by running a copy of the file without that block, with the variant's --set lines", args.experiment.display()),
            });
        }
        exp.output.thread_states = Some(((from * 1e9).round() as u64, (to * 1e9).round() as u64));
    }
    let trace = trace_events::requested(&args, &exp)?;
    if exp.compare.is_some() {
        return compare::run_variants(&args, &sets);
    }
    if exp.sweep.is_some() {
        return sweep::sweep_command(&sweep_args(&args));
    }
    if let (Some(trace), None) = (&trace, args.thread_states) {
        trace_events::ask_for_thread_states(&mut exp, trace.window);
    }
    let estimate = preflight::estimate(&exp);
    let over = estimate.over(&Limits::DEFAULT);
    if !over.is_empty() && !args.yes {
        return Err(SimError::TooBig {
            file: args.experiment.clone(),
            estimate: estimate.line(),
            over,
        });
    }
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("outputs").join(&exp.name));
    let mut staging = Staging::prepare(&target)?;
    let budget = memory_budget(&args);
    let started = Instant::now();
    let guards = Guards {
        budget,
        estimate: &estimate,
        unbounded: args.yes,
    };
    let summary = simulate(&mut staging, &exp, &guards, args.quiet || args.json)?;
    let wall = started.elapsed().as_secs_f64();
    let given = Given {
        sets: &args.sets,
        variant: None,
    };
    write_results(&mut staging, &exp, &summary, &given, wall)?;
    let kept = staging.kept_files().to_vec();
    let dir = staging.commit()?;
    let traced = trace.map(|t| t.write(&dir)).transpose()?;
    print_json(args.json, &dir.join("summary.json"))?;
    if !args.quiet && !args.json {
        let changed = if args.sets.is_empty() {
            None
        } else {
            Some(args.sets.join(" "))
        };
        let header = report::Header {
            description: &exp.description,
            changed_by: changed.as_deref(),
            host_line: &host_line(&exp),
        };
        crate::say!("{}", report::summary_text(&summary, &header).trim_end());
        let advice = crate::analysis::advice::advise(&exp, &summary);
        crate::say!("{}", report::advice_text(&advice).trim_end());
        if args.advise {
            let text = advise::advised_run(&args, &sets, &advice, &summary, &guards)?;
            crate::say!("{}", text.trim_end());
        }
        crate::say!("{}", wrote_line(&dir, &exp, &kept, wall));
        if let Some(line) = traced {
            crate::say!("{line}");
        }
    }
    plots::after_run(args.plots, &dir, args.quiet || args.json)
}

/// `sim run` of a file with a sweep block, as `sim sweep` with its defaults.
fn sweep_args(args: &RunArgs) -> crate::cli::SweepArgs {
    crate::cli::SweepArgs {
        run: args.clone(),
        jobs: None,
        shard: None,
        resume: false,
        keep_runs: false,
    }
}

/// The memory budget of `sim run`: `--max-memory-gib`, or the machine's default.
fn memory_budget(args: &RunArgs) -> MemoryBudget {
    args.max_memory_gib
        .map_or_else(MemoryBudget::default_for_machine, |g| MemoryBudget {
            bytes: g * preflight::GIB,
        })
}

/// summary.json, scaling.csv (scaled runs) and manifest.json of a finished run.
fn write_results(
    staging: &mut Staging,
    exp: &Experiment,
    summary: &RunSummary,
    given: &Given,
    wall: f64,
) -> Result<()> {
    // Streamed, not built as one string: a scaled run's decisions can be millions.
    staging.stream("summary.json", |w| {
        serde_json::to_writer_pretty(&mut *w, summary)?;
        std::io::Write::write_all(w, b"\n")
    })?;
    if let Some(scaling) = &summary.scaling {
        staging.stream("scaling.csv", |w| csv_export::write_scaling_csv(w, scaling))?;
    }
    write_manifest(staging, exp, given, wall)
}

/// What a run was given besides its file: the command line's `--set` overrides and, for a
/// compare variant, its name and overrides.
struct Given<'a> {
    sets: &'a [String],
    variant: Option<&'a crate::config::Variant>,
}

/// What may stop a run: the memory budget always, and far more events than estimated unless
/// `--yes` was given.
#[derive(Clone, Copy)]
struct Guards<'a> {
    budget: MemoryBudget,
    estimate: &'a preflight::Estimate,
    unbounded: bool,
}

impl Guards<'_> {
    fn check(&self, p: &Progress) -> ControlFlow<String> {
        let runaway = || {
            (!self.unbounded)
                .then(|| self.estimate.runaway(p.events))
                .flatten()
        };
        match self.budget.check(p.in_flight, p.tasks).or_else(runaway) {
            Some(why) => ControlFlow::Break(why),
            None => ControlFlow::Continue(()),
        }
    }
}

/// Runs the model with its rows streamed into the staging folder, a progress bar and the
/// guards; a failed write or a stop comes back as the error to report.
fn simulate(
    staging: &mut Staging,
    exp: &Experiment,
    guards: &Guards,
    quiet: bool,
) -> Result<RunSummary> {
    let estimate = guards.estimate;
    let invocations = if exp.output.invocations {
        Some(staging.create("invocations.csv")?)
    } else {
        None
    };
    let timeseries = staging.create("timeseries.csv")?;
    let names = exp.functions.iter().map(|f| f.name.clone()).collect();
    let target = staging.target().to_path_buf();
    let write_err = |file: &str, source| SimError::Write {
        path: target.join(file),
        source,
    };
    let mut sink = CsvRows::new(invocations, timeseries, names, ExtraColumns::of(exp))
        .map_err(|e| write_err("invocations.csv / timeseries.csv", e))?;
    if exp.output.thread_states.is_some() {
        let (states, tasks) = (
            staging.create("thread_states.csv")?,
            staging.create("tasks.csv")?,
        );
        sink = sink
            .with_thread_states(states, tasks)
            .map_err(|e| write_err("thread_states.csv / tasks.csv", e))?;
    }
    if !guards.unbounded {
        sink = sink.with_byte_limit(Limits::DEFAULT.output_bytes as u64);
    }
    let mut bar = RunProgress::new(estimate.sim_s, estimate.events, quiet);
    let mut last = None;
    let result = run_streaming(exp, &mut sink, &mut |p: &Progress| {
        last = Some(*p);
        bar.update(p.now_ns as f64 / 1e9, p.events, p.arrived);
        guards.check(p)
    });
    bar.finish();
    let flushed = sink.finish();
    let summary = match result {
        Ok(summary) => summary,
        Err(RunFailure::Build(e)) => return Err(e.into()),
        Err(RunFailure::Stopped(reason)) => {
            if let Err((file, source)) = flushed {
                return Err(write_err(file, source));
            }
            return Err(SimError::Stopped {
                at: last.map_or("the start".into(), stop_point),
                reason,
            });
        }
    };
    flushed.map_err(|(file, source)| write_err(file, source))?;
    Ok(summary)
}

fn stop_point(p: Progress) -> String {
    format!(
        "simulated time {} after {} events and {} arrivals",
        crate::units::duration(p.now_ns as f64 / 1e9),
        p.events,
        p.arrived
    )
}

fn wrote_line(dir: &std::path::Path, exp: &Experiment, kept: &[String], wall: f64) -> String {
    let mut line = format!(
        "wrote {}/ ({}) in {:.2} s",
        dir.display(),
        written_files(exp).join(", "),
        wall
    );
    if !kept.is_empty() {
        line.push_str(&format!(
            "; left alone {} file(s) sim did not write: {}",
            kept.len(),
            kept.join(", ")
        ));
    }
    line
}

/// The files a run writes into its folder, in the order the line names them.
fn written_files(exp: &Experiment) -> Vec<&'static str> {
    let mut files = vec!["summary.json"];
    if exp.output.invocations {
        files.push("invocations.csv");
    }
    files.push("timeseries.csv");
    if exp.scale.is_some() {
        files.push("scaling.csv");
    }
    if exp.output.thread_states.is_some() {
        files.extend(["thread_states.csv", "tasks.csv"]);
    }
    files.push("manifest.json");
    files
}

fn host_line(exp: &Experiment) -> String {
    let h = &exp.host;
    format!(
        "{} core(s); {} worker process(es) x {} thread(s) [{}]; Python {}, {}",
        h.cores,
        h.processes,
        h.threads,
        h.threads_source,
        h.python,
        if h.free_threaded {
            "free-threaded (no GIL)".to_string()
        } else {
            format!(
                "GIL switch interval {} ms",
                h.switch_interval_ns as f64 / 1e6
            )
        }
    )
}

fn write_manifest(staging: &mut Staging, exp: &Experiment, given: &Given, wall: f64) -> Result<()> {
    let manifest = Manifest {
        run: RunRecord::new(staging, exp, given.sets, wall),
        variant: given.variant.map(|v| VariantRecord {
            name: &v.name,
            set: &v.set,
        }),
        experiment: exp.as_given.as_ref(),
        resolved_host: &exp.host,
        resolved_functions: exp
            .functions
            .iter()
            .map(|f| ResolvedFunction {
                name: &f.name,
                kind: f.kind,
                steps: f.body.len(),
                body: (f.body.len() <= 1000).then_some(f.body.as_slice()),
                trigger: f.trigger.as_ref(),
            })
            .collect(),
        resolved_scale: exp.scale.as_ref(),
        resolved_plan: exp.plan.as_ref(),
    };
    staging.write(MANIFEST, pretty_json(&manifest).as_bytes())
}
