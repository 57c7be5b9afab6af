//! Output folders, files and the terminal report. Never touches the model or the kernel.
//!
//! `folder` decides what sim may replace and moves complete files into place (a failed or
//! interrupted run leaves the previous outputs as they were); `csv_export` streams the CSV
//! rows; `report` is the terminal summary; `trace_events` turns a folder into a trace for
//! Perfetto.

pub mod compare;
pub mod csv_export;
mod existing;
pub mod folder;
pub mod objective;
pub mod progress;
pub mod read_back;
pub mod report;
pub mod states_csv;
pub mod sweep;
pub mod trace_events;

pub use folder::Staging;

/// Prints to standard output; a closed pipe (`sim ... | head`) ends the output quietly instead
/// of panicking, as a command-line tool should.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Pretty JSON with a trailing newline (summary.json, manifest.json, `validate --json`).
pub fn pretty_json<T: serde::Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("plain data serializes");
    s.push('\n');
    s
}
