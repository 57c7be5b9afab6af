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
    let window = window(args.window, "--window")?;
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
        return Err(SimError::Override {
            spec: "--trace-events".into(),
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
        window: window(args.trace_window, "--trace-window")?,
    }))
}

/// The window given as `option` (seconds), or the first 10 s.
fn window(given: Option<(f64, f64)>, option: &str) -> Result<Window> {
    let Some((from, to)) = given else {
        return Ok(Window::FIRST_10_S);
    };
    Window::new(from, to).map_err(|message| SimError::Override {
        spec: format!("{option} {from}..{to}"),
        message,
    })
}

/// THE place where `--trace-events` asks the run for what the trace needs: thread_states.csv
/// and tasks.csv over the trace's window (unless `--thread-states` chose another).
pub(super) fn ask_for_thread_states(exp: &mut Experiment, window: Window) {
    let (from, to) = window.seconds();
    exp.output.thread_states = Some(((from * 1e9).round() as u64, (to * 1e9).round() as u64));
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
    let refuse = |what: &str| SimError::Override {
        spec: format!("the trace file {}", file.display()),
        message: what.to_string(),
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
