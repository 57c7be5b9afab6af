//! One command's orchestration: load -> prepare output -> run -> export -> report.

use crate::cli::{CheckArgs, Cli, Command, RunArgs};
use crate::config::{load_experiment, Experiment};
use crate::error::Result;
use crate::output::{csv_export, report, Staging};
use crate::runner::{run_experiment, RunOutput};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(args) => run_command(args),
        Command::Check(args) => check_command(args),
        Command::Validate(args) => crate::validate::validate_command(args),
        Command::Bench(args) => crate::bench::bench_command(args),
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
    crate::say!(
        "{}: ok ({} function(s), {} process(es) x {} thread(s))",
        args.experiment.display(),
        exp.functions.len(),
        exp.host.processes,
        exp.host.threads
    );
    Ok(())
}

/// What manifest.json records about a run: enough to run it again and to know what ran.
#[derive(Serialize)]
struct Manifest<'a> {
    sim_version: &'static str,
    command: Vec<String>,
    experiment_file: String,
    seed: u64,
    wall_time_s: f64,
    /// The experiment as written, with `--set` overrides applied.
    experiment: Option<&'a crate::config::raw::RawExperiment>,
    /// The host with every default resolved (thread-pool size, executor size, costs).
    resolved_host: &'a crate::config::HostConfig,
    /// Each function's kind and body as run (loops expanded, durations in ns).
    resolved_functions: Vec<ResolvedFunction<'a>>,
}

/// A function as the model runs it; huge expanded bodies are summarised.
#[derive(Serialize)]
struct ResolvedFunction<'a> {
    name: &'a str,
    kind: crate::config::FunctionKind,
    steps: usize,
    body: Option<&'a [crate::config::Step]>,
}

fn run_command(args: RunArgs) -> Result<()> {
    let sets = overrides(&args.sets, args.seed, args.no_invocations);
    let exp = load_experiment(&args.experiment, &sets)?;
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("outputs").join(&exp.name));
    let staging = Staging::prepare(&target)?;
    let started = Instant::now();
    let out = run_experiment(&exp);
    let wall = started.elapsed().as_secs_f64();
    write_outputs(&staging, &exp, &out, wall)?;
    let dir = staging.commit()?;
    if !args.quiet {
        crate::say!(
            "{}",
            report::summary_text(&out.summary, &exp.description, &host_line(&exp)).trim_end()
        );
        crate::say!(
            "wrote {}/ (summary.json, {}timeseries.csv, manifest.json) in {:.2} s",
            dir.display(),
            if exp.output.invocations {
                "invocations.csv, "
            } else {
                ""
            },
            wall
        );
    }
    Ok(())
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

fn write_outputs(staging: &Staging, exp: &Experiment, out: &RunOutput, wall: f64) -> Result<()> {
    staging.write("summary.json", pretty_json(&out.summary).as_bytes())?;
    if exp.output.invocations {
        staging.stream("invocations.csv", |w| {
            csv_export::write_invocations(w, &out.rows, &out.function_names)
        })?;
    }
    staging.stream("timeseries.csv", |w| {
        csv_export::write_timeseries(w, &out.timeseries)
    })?;
    let manifest = Manifest {
        sim_version: env!("CARGO_PKG_VERSION"),
        command: std::env::args().collect(),
        experiment_file: exp.source.display().to_string(),
        seed: exp.seed,
        wall_time_s: wall,
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
            })
            .collect(),
    };
    staging.write("manifest.json", pretty_json(&manifest).as_bytes())
}

/// Pretty JSON with a trailing newline.
pub fn pretty_json<T: Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("plain data serializes");
    s.push('\n');
    s
}
