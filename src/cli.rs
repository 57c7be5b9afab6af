//! The command line: `sim run`, `sim sweep`, `sim merge`, `sim check`, `sim validate`,
//! `sim plot`, `sim trace`, `sim trace-events`, `sim bench`, `sim completions`.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Simulate an Azure Functions host running Python: worker processes, thread pools, the GIL
/// and the asyncio event loop.
#[derive(Debug, Parser)]
#[command(name = "sim", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run an experiment and write outputs/<name>/ (summary.json, invocations.csv,
    /// timeseries.csv, manifest.json).
    Run(RunArgs),
    /// Run an experiment's sweep block: every configuration x replication, in parallel;
    /// writes sweep.csv, sweep_summary.csv and sweep_summary.json.
    Sweep(SweepArgs),
    /// Combine the output folders of a sweep's shards (--shard I/N) into the files one
    /// machine writes.
    Merge(MergeArgs),
    /// Check an experiment file without running it.
    Check(CheckArgs),
    /// Draw the plots of an output folder into its plots/ (PNG and SVG), from its files only.
    Plot(PlotArgs),
    /// Replay real-CPython ground-truth cases and compare (exit 1 on a miss).
    Validate(ValidateArgs),
    /// Recorded and generated traces: `sim trace stats FILE`.
    #[command(subcommand)]
    Trace(TraceCommand),
    /// Write an output folder's run as a trace for ui.perfetto.dev (Chrome Trace Event JSON):
    /// thread states, asyncio tasks, counters, arrivals, 429s, cold starts, scale decisions.
    TraceEvents(TraceEventsArgs),
    /// Measure the simulator's speed (events/s, invocations/s, memory).
    Bench(BenchArgs),
    /// Print a shell completion script: `sim completions bash > ~/.local/share/bash-completion/completions/sim`.
    Completions {
        /// The shell: bash, zsh, fish, powershell or elvish.
        shell: clap_complete::Shell,
    },
}

/// `sim trace ...`.
#[derive(Debug, Subcommand)]
pub enum TraceCommand {
    /// Sum a trace up: invocations, rate per minute, durations, busiest functions.
    Stats(TraceStatsArgs),
    /// Write a synthetic trace: a pattern, or an experiment's functions each with its own.
    Gen(TraceGenArgs),
}

/// The patterns `sim trace gen --pattern` writes.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum GenPattern {
    /// Poisson at --rate.
    Poisson,
    /// On/off bursts (MMPP): --rate while on, --on-s and --off-s mean periods.
    Onoff,
    /// A daily cycle from --rate (trough) to --peak.
    Diurnal,
    /// From --rate to --peak in a straight line.
    Ramp,
    /// --rate, then --peak from half the duration.
    Step,
    /// --rate, with --peak for a tenth of the duration from its middle.
    Spike,
}

/// `sim trace gen`.
#[derive(Debug, clap::Args)]
pub struct TraceGenArgs {
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Its layout.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: crate::workload::trace_rows::TraceFormat,
    /// Write the arrivals of this experiment's open-loop functions instead of a pattern.
    #[arg(long, conflicts_with = "pattern")]
    pub from: Option<PathBuf>,
    /// The pattern.
    #[arg(long, value_enum, default_value = "poisson")]
    pub pattern: GenPattern,
    /// Arrivals per second (the trough, start or base of a shaped pattern).
    #[arg(long, default_value_t = 10.0)]
    pub rate: f64,
    /// The peak (or end) rate of a shaped pattern (default: 10 x --rate).
    #[arg(long)]
    pub peak: Option<f64>,
    /// Seconds of arrivals (diurnal: rounded to whole days).
    #[arg(long, default_value_t = 3600.0)]
    pub duration_s: f64,
    /// Mean on period of --pattern onoff, seconds.
    #[arg(long, default_value_t = 10.0)]
    pub on_s: f64,
    /// Mean off period of --pattern onoff, seconds.
    #[arg(long, default_value_t = 30.0)]
    pub off_s: f64,
    /// Functions, each with the pattern and its own random stream (f0, f1, ...), up to 100,000
    /// (a 2019 day has about 46,000).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub functions: u32,
    /// Each invocation's duration, ms.
    #[arg(long, default_value_t = 100.0)]
    pub duration_ms: f64,
    /// Seed of the arrivals.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// `sim trace stats`.
#[derive(Debug, clap::Args)]
pub struct TraceStatsArgs {
    /// The trace file (CSV).
    pub file: PathBuf,
    /// Its layout.
    #[arg(long, value_enum, default_value = "azure2021")]
    pub format: crate::workload::trace_rows::TraceFormat,
}

/// `sim run`.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// The experiment file (RON), e.g. experiments/io_bound.ron.
    pub experiment: PathBuf,
    /// Write into this folder instead of outputs/<experiment name>/.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Override the experiment's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override a field: --set host.processes=4 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Do not write invocations.csv (memory stays flat on huge runs).
    #[arg(long)]
    pub no_invocations: bool,
    /// Print nothing but errors (and no progress bar).
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the results as JSON on standard output instead of the report, for scripts: the
    /// bytes of summary.json (compare.json for a compare block, sweep_summary.json for a
    /// sweep; a shard prints nothing).
    #[arg(long)]
    pub json: bool,
    /// Also write thread_states.csv (what every thread did: Python holding the GIL, waiting
    /// for it, native code, I/O) and tasks.csv over this window of simulated time, seconds:
    /// `--thread-states 0..2` (same as the experiment's `output.thread_states`).
    #[arg(long, value_name = "FROM..TO", value_parser = parse_window)]
    pub thread_states: Option<(f64, f64)>,
    /// Also run the first setting the advice suggests, on the same arrivals, and show its
    /// figures beside the run's (the advised run writes no files).
    #[arg(long)]
    pub advise: bool,
    /// Also draw the plots (PNG and SVG) into the output folder's plots/, as `sim plot` does.
    #[arg(long)]
    pub plots: bool,
    /// Start the run even when its estimate passes the limits on wall time, memory or output
    /// size (the estimate is printed either way).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Stop the run when the invocations in the system would need more memory than this, in
    /// GiB (default: 8, or three quarters of the machine's memory if less).
    #[arg(long, value_name = "GIB", value_parser = parse_gib)]
    pub max_memory_gib: Option<f64>,
    /// Also write the run as a trace for ui.perfetto.dev (Chrome Trace Event JSON) to this
    /// file, over --trace-window; the run records thread states over that window.
    #[arg(long, value_name = "FILE")]
    pub trace_events: Option<PathBuf>,
    /// The window of --trace-events, seconds of simulated time: A..B (default 0..10).
    #[arg(long, value_name = "A..B", requires = "trace_events", value_parser = parse_window)]
    pub trace_window: Option<(f64, f64)>,
}

/// `sim trace-events`.
#[derive(Debug, clap::Args)]
pub struct TraceEventsArgs {
    /// A run's output folder (summary.json, timeseries.csv, and thread_states.csv, tasks.csv,
    /// invocations.csv, scaling.csv when the run wrote them).
    pub dir: PathBuf,
    /// The trace file to write, e.g. trace.json (replaced only once complete).
    pub file: PathBuf,
    /// Seconds of simulated time: A..B (default 0..10).
    #[arg(long, value_name = "A..B", value_parser = parse_window)]
    pub window: Option<(f64, f64)>,
}

/// `A..B` seconds of simulated time, 0 <= A < B.
pub fn parse_window(text: &str) -> Result<(f64, f64), String> {
    let bad = || {
        format!("`{text}` is not a window of simulated time: write FROM..TO in seconds, 0 <= FROM < TO <= 1000000, e.g. 0..2")
    };
    let (a, b) = text.split_once("..").ok_or_else(bad)?;
    let (a, b): (f64, f64) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if !(a >= 0.0 && b > a && b <= 1e6) {
        return Err(bad());
    }
    Ok((a, b))
}

fn parse_gib(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(g) if (0.01..=65536.0).contains(&g) => Ok(g),
        _ => Err(format!(
            "`{text}` is not a size in GiB between 0.01 and 65536"
        )),
    }
}

/// `sim sweep` (and `sim run` of a file with a sweep block): `sim run`'s options (the seed
/// and `--set` apply before the axes; `--yes` also allows more than 5000 runs, or
/// more than an estimated 30 minutes on the cores given; rows of
/// invocations are never written) and the sweep's own.
#[derive(Debug, Clone, clap::Args)]
pub struct SweepArgs {
    /// As for `sim run`.
    #[command(flatten)]
    pub run: RunArgs,
    /// Runs at once (default: all cores). The files are the same bytes whatever it is.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub jobs: Option<u32>,
    /// Run only this machine's share: runs whose index modulo N is I (0-based), e.g. 0/4.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// Keep the finished runs of an interrupted sweep (its sweep.partial.csv) and run the rest.
    #[arg(long)]
    pub resume: bool,
    /// Also write each run's own folder, run-<index>/, with a plain run's files (rows of
    /// invocations unless --no-invocations); runs kept by --resume have none.
    #[arg(long)]
    pub keep_runs: bool,
}

/// One machine's share of a sweep: the runs whose index modulo `count` is `index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This share, 0..count.
    pub index: usize,
    /// How many shares.
    pub count: usize,
}

impl Shard {
    /// The whole sweep: one share.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Whether run `run` is this share's.
    pub fn owns(&self, run: usize) -> bool {
        run % self.count == self.index
    }
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    let bad = || {
        format!("`{text}` is not a shard: write I/N with 0 <= I < N <= 100000, e.g. 0/4 (Slurm: $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT)")
    };
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let index = i.trim().parse::<usize>().map_err(|_| bad())?;
    let count = n.trim().parse::<usize>().map_err(|_| bad())?;
    if count == 0 || count > 100_000 || index >= count {
        return Err(bad());
    }
    Ok(Shard { index, count })
}

/// `sim merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The folder to write (as a sweep's output folder: new, empty, or an earlier sim output).
    pub out: PathBuf,
    /// The shards' output folders, each written by `sim sweep --shard I/N`.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
}

/// `sim plot`.
#[derive(Debug, clap::Args)]
pub struct PlotArgs {
    /// The output folder of a run, a compare or a sweep (e.g. outputs/mixed).
    pub dir: PathBuf,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `sim check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The experiment file (RON).
    pub experiment: PathBuf,
    /// Overrides, as for `sim run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
}

/// `sim validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// A ground-truth folder: cases.json, measured.json, invocations/<case>.csv.
    pub dir: PathBuf,
    /// Only cases whose name contains this (an error if none does).
    #[arg(long)]
    pub only: Option<String>,
    /// Simulated repetitions per burst case, 1..=100 (median taken, as for the measurements);
    /// default: --seeds-per-rep runs per measured repetition (3 x N for the harness's 3), as a
    /// Poisson case gets, at most 300.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub reps: Option<u32>,
    /// Simulated runs per recorded repetition of a Poisson case, 1..=100, all replaying that
    /// repetition's arrivals with different seeds; their median is compared (1: one run, whose
    /// own scheduling noise adds to the machine's; an odd N keeps each median one run's value).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub seeds_per_rep: u32,
    /// Also write the table and its score as JSON here: {"checks": [...], "score": {...}};
    /// `-` prints that JSON instead of the table.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Also write each case's simulated invocations to this folder (<case>.csv: the harness's
    /// columns, with what the body's thread did: its GIL wait, the stretch around its first
    /// blocking call, the receiver's and the loop's start), to compare invocation by invocation.
    #[arg(long)]
    pub rows: Option<PathBuf>,
    /// Where woken threads run in every case, instead of the default (`host.placement`):
    /// home-cpu (per-CPU run queues, the default) or spread (an idle core takes any).
    #[arg(long, value_enum)]
    pub placement: Option<crate::config::Placement>,
    /// A second measurement of the same cases (the same arrivals measured again): also judged
    /// against DIR by the same rules, its score printed beside sim's on the same checks, to
    /// show how far the real system misses these tolerances against itself.
    #[arg(long, value_name = "AGAIN_DIR")]
    pub repeat: Option<PathBuf>,
}

/// `sim bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Smaller sizes, for a smoke run.
    #[arg(long)]
    pub quick: bool,
    /// Internal: one memory measurement in a child process ("N:rows").
    #[arg(long, hide = true)]
    pub child: Option<String>,
}
