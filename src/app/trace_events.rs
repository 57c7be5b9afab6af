//! `sim trace-events DIR FILE` and `sim run --trace-events FILE`: a run's output folder as a
//! trace for ui.perfetto.dev (see [`crate::output::trace_events`]).

use crate::cli::{RunArgs, TraceEventsArgs};
use crate::config::Experiment;
use crate::error::{Result, SimError};
use crate::output::trace_events::{convert, Window};
use std::path::{Path, PathBuf};

/// `sim trace-events DIR FILE [--window A..B]`.
pub(super) fn trace_events_command(args: &TraceEventsArgs) -> Result<()> {
    if !args.dir.is_dir() {
        return Err(SimError::Read {
            path: args.dir.clone(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not a folder; name a run's output folder, e.g. outputs/async_pitfalls",
            ),
        });
    }
    let window = args.window.unwrap_or(Window::FIRST_10_S);
    check_target(&args.file)?;
    let stats = convert(&args.dir, &args.file, window)?;
    crate::say!("{}", stats.line(&args.file, window));
    Ok(())
}

/// A trace `sim run --trace-events` was asked for.
pub(super) struct Requested {
    /// The trace file.
    file: PathBuf,
    /// Its window.
    pub(super) window: Window,
}

/// The trace `args` ask for, checked before the run: one run only (no compare or sweep
/// block), and a file that can be written.
pub(super) fn requested(args: &RunArgs, exp: &Experiment) -> Result<Option<Requested>> {
    let Some(file) = &args.trace_events else {
        return Ok(None);
    };
    if exp.compare.is_some() || exp.sweep.is_some() {
        return Err(SimError::NotHere {
            option: "--trace-events",
            message: format!(
                "traces one run, and {} has a {} block; run one variant as a plain experiment, or convert a variant's folder with sim trace-events DIR FILE",
                args.experiment.display(),
                if exp.compare.is_some() { "compare" } else { "sweep" }
            ),
        });
    }
    check_target(file)?;
    Ok(Some(Requested {
        file: file.clone(),
        window: args.trace_window.unwrap_or(Window::FIRST_10_S),
    }))
}

/// THE place where `--trace-events` asks the run for what the trace needs: thread_states.csv
/// and tasks.csv over the trace's window.
pub(super) fn ask_for_thread_states(exp: &mut Experiment, window: Window) {
    exp.output.thread_states = Some(window.seconds());
}

impl Requested {
    /// Writes the trace of the finished output folder `dir`; the line to print.
    pub(super) fn write(self, dir: &Path) -> Result<String> {
        let stats = convert(dir, &self.file, self.window)?;
        Ok(stats.line(&self.file, self.window))
    }
}

/// Fails before any work when `file` cannot be a trace file: a folder, or in a folder that
/// does not exist.
fn check_target(file: &Path) -> Result<()> {
    let refuse = |what: &str| SimError::NotHere {
        option: "the trace file",
        message: format!("{}: {what}", file.display()),
    };
    if file.is_dir() {
        return Err(refuse("it is a folder; name a file, e.g. trace.json"));
    }
    let parent = file.parent().filter(|p| !p.as_os_str().is_empty());
    if parent.is_some_and(|p| !p.is_dir()) {
        return Err(refuse("its folder does not exist; make it first"));
    }
    Ok(())
}
