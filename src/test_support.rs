//! Scratch folders for tests, shared by the unit tests and (through `#[path]`) the integration
//! tests' `common` module.
//!
//! Each test process gets its own folder per name, `<temp>/<prefix>-<pid>-<name>`, so parallel
//! runs never share one, and it is kept after the run for a look at what a failing test wrote.
//! Copies of the same name left by test processes that have ended are removed when the folder
//! is made, so repeated runs leave one copy each, not one per run.

use std::path::{Path, PathBuf};

/// An empty folder `<temp>/<prefix>-<pid>-<name>` for this test process, after removing the
/// ones of the same prefix and name left by ended processes.
pub fn scratch_dir(prefix: &str, name: &str) -> PathBuf {
    let temp = std::env::temp_dir();
    remove_ended(&temp, prefix, name);
    let dir = temp.join(format!("{prefix}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the temp folder is writable");
    dir
}

/// Removes `<temp>/<prefix>-<pid>-<name>` of every process `pid` that has ended.
fn remove_ended(temp: &Path, prefix: &str, name: &str) {
    let Ok(entries) = std::fs::read_dir(temp) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let pid = file
            .to_str()
            .and_then(|f| f.strip_prefix(prefix)?.strip_prefix('-'))
            .and_then(|rest| rest.split_once('-'))
            .filter(|&(_, rest)| rest == name)
            .and_then(|(pid, _)| pid.parse::<u32>().ok());
        if pid.is_some_and(|pid| pid != std::process::id() && has_ended(pid)) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether process `pid` has ended, as far as can be told: on Linux, its `/proc` entry is
/// gone; elsewhere it is taken to be running, and nothing is removed.
fn has_ended(pid: u32) -> bool {
    let proc = Path::new("/proc");
    proc.join("self").exists() && !proc.join(pid.to_string()).exists()
}
