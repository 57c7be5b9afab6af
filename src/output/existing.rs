//! What an output folder already holds, and whether sim may write into it: nothing there, an
//! empty folder, or a folder whose manifest sim signed (then the files and sub-folders that
//! manifest lists are sim's, to replace, and everything else is the user's, to keep). Any
//! other folder is refused. A `plots/` folder with its own signed manifest (`sim plot`'s) is
//! sim's too. Staging folders of runs that no longer exist are removed here.

use super::folder::{OutputRecord, MANIFEST, PLOTS_FOLDER, SIGNATURE};
use crate::error::{Result, SimError};
use std::collections::BTreeSet;
use std::path::Path;

/// Prefix of the hidden staging folders (`.sim-staging-<pid>`).
pub(super) const STAGING_PREFIX: &str = ".sim-staging-";
/// The file inside every staging folder that proves sim made it: a folder of that name
/// without it is the user's, and never removed.
pub(super) const STAGING_MARKER: &str = ".sim-staging";

/// Files sim wrote before manifests carried a signature; accepted only when the folder holds
/// nothing else and the manifest has that version's fields.
const LEGACY_FILES: [&str; 4] = [
    "summary.json",
    "invocations.csv",
    "timeseries.csv",
    MANIFEST,
];

/// What an existing output folder holds.
#[derive(Debug, PartialEq)]
pub(super) enum Existing {
    /// Nothing there yet.
    Absent,
    /// A folder sim may write into.
    Usable(Listed),
}

/// The entries of a usable folder, by owner.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Listed {
    /// Files an earlier sim run wrote (its manifest lists them), to replace.
    pub(super) files: BTreeSet<String>,
    /// Sub-folders an earlier sim run wrote (a compare run's variants), each an output folder
    /// with a manifest of its own.
    pub(super) folders: BTreeSet<String>,
    /// Everything else, to leave alone.
    pub(super) kept: Vec<String>,
}

/// A clear error when a component of `target` is a file (`--out notes.txt/sub`) or the
/// target itself is a file.
pub(super) fn refuse_file_in_path(target: &Path) -> Result<()> {
    for p in target.ancestors().filter(|p| !p.as_os_str().is_empty()) {
        if p.exists() && !p.is_dir() {
            let message = if p == target {
                "it is a file, not a folder; choose a folder (new, empty, or an earlier sim output)"
                    .to_string()
            } else {
                format!(
                    "{} is a file, so no folder can be made inside it; choose another path",
                    p.display()
                )
            };
            return Err(SimError::OutputFolder {
                path: target.to_path_buf(),
                message,
            });
        }
    }
    Ok(())
}

/// Classifies an existing target; refuses a folder with content sim cannot prove it wrote.
pub(super) fn inspect(target: &Path) -> Result<Existing> {
    if !target.exists() {
        return Ok(Existing::Absent);
    }
    let entries = entry_names(target)?;
    if entries.is_empty() {
        remove_stale_staging(target)?;
        return Ok(Existing::Usable(Listed::default()));
    }
    let Some(record) = files_sim_wrote(target, &entries) else {
        return Err(SimError::OutputFolder {
            path: target.to_path_buf(),
            message: foreign_message(&entries),
        });
    };
    if let Some(dir) = record.files.iter().find(|f| target.join(f).is_dir()) {
        return Err(in_the_way(target, dir));
    }
    let mut record = record;
    if signed_plots(target, &entries) {
        record.folders.insert(PLOTS_FOLDER.to_string());
    }
    remove_stale_staging(target)?;
    let ours = |e: &String| record.files.contains(e) || record.folders.contains(e);
    let kept = entries.iter().filter(|e| !ours(e)).cloned().collect();
    Ok(Existing::Usable(Listed { kept, ..record }))
}

/// Whether the folder holds a `plots/` that `sim plot` wrote (its own signed manifest): drawn
/// from the folder's files, it is sim's like them, and retired when a run replaces them.
fn signed_plots(target: &Path, entries: &[String]) -> bool {
    let dir = target.join(PLOTS_FOLDER);
    entries.iter().any(|e| e == PLOTS_FOLDER)
        && dir.is_dir()
        && entry_names(&dir).is_ok_and(|names| files_sim_wrote(&dir, &names).is_some())
}

fn foreign_message(entries: &[String]) -> String {
    let shown: Vec<&str> = entries.iter().take(3).map(String::as_str).collect();
    let more = entries.len().saturating_sub(shown.len());
    format!(
        "it is not an earlier sim output (no manifest.json signed by sim) and holds {}{}; sim never writes into a folder of other files: choose a new or empty folder",
        shown.join(", "),
        if more > 0 { format!(" and {more} more") } else { String::new() }
    )
}

/// The files and sub-folders listed by the folder's sim manifest, or `None` when it has none.
pub(super) fn files_sim_wrote(dir: &Path, entries: &[String]) -> Option<Listed> {
    let text = std::fs::read_to_string(dir.join(MANIFEST)).ok()?;
    let manifest: serde_json::Value = serde_json::from_str(&text).ok()?;
    if let Some(record) = manifest.get("output_folder") {
        let record: OutputRecord = serde_json::from_value(record.clone()).ok()?;
        let plain = |f: &String| !f.is_empty() && !f.contains(['/', '\\']) && f != "." && f != "..";
        let all_plain = record.files.iter().chain(&record.folders).all(plain);
        return (record.signature == SIGNATURE && all_plain).then(|| Listed {
            files: record.files.into_iter().collect(),
            folders: record.folders.into_iter().collect(),
            kept: Vec::new(),
        });
    }
    legacy_files(&manifest, entries)
}

/// Outputs of sim before signed manifests: the known four files and nothing else.
fn legacy_files(manifest: &serde_json::Value, entries: &[String]) -> Option<Listed> {
    let looks_like_sim = ["sim_version", "resolved_host", "resolved_functions"]
        .iter()
        .all(|k| manifest.get(k).is_some());
    let only_known = entries.iter().all(|e| LEGACY_FILES.contains(&e.as_str()));
    (looks_like_sim && only_known).then(|| Listed {
        files: entries.iter().cloned().collect(),
        ..Listed::default()
    })
}

/// A folder where sim must write a file of that name.
pub(super) fn in_the_way(target: &Path, file: &str) -> SimError {
    SimError::OutputFolder {
        path: target.to_path_buf(),
        message: format!(
            "`{file}` there is a folder, so sim cannot write its {file}; move it away"
        ),
    }
}

/// Removes an earlier run's sub-folder that this run does not write again: the files its
/// manifest lists, then the manifest and the folder if nothing else is left in it.
pub(super) fn retire(dir: &Path) {
    let Ok(entries) = entry_names(dir) else {
        return;
    };
    let Some(listed) = files_sim_wrote(dir, &entries) else {
        return;
    };
    for file in listed.files.iter().filter(|f| *f != MANIFEST) {
        let _ = std::fs::remove_file(dir.join(file));
    }
    // With files of the user's left in it, the manifest stays: the folder is still one sim may
    // write into again (`sim plot` after a run that retired its plots).
    if entry_names(dir).is_ok_and(|left| left == [MANIFEST]) {
        let _ = std::fs::remove_file(dir.join(MANIFEST));
        let _ = std::fs::remove_dir(dir);
    }
}

/// A staging folder sim made: a real folder (not a link) named `.sim-staging-<pid>` holding
/// the marker.
fn is_staging(dir: &Path, name: &str) -> Option<u32> {
    let pid = name.strip_prefix(STAGING_PREFIX)?.parse::<u32>().ok()?;
    let path = dir.join(name);
    let real_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
    (real_dir && path.join(STAGING_MARKER).is_file()).then_some(pid)
}

/// Names in `dir`, sim's staging folders and sweep journal excluded, sorted.
pub(super) fn entry_names(dir: &Path) -> Result<Vec<String>> {
    let read = std::fs::read_dir(dir).map_err(|source| SimError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut names: Vec<String> = read
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| is_staging(dir, n).is_none() && !super::sweep::is_journal(dir, n))
        .collect();
    names.sort();
    Ok(names)
}

/// Removes staging folders of runs that no longer exist; refuses while another live sim run
/// is writing into the same folder.
fn remove_stale_staging(target: &Path) -> Result<()> {
    let Ok(read) = std::fs::read_dir(target) else {
        return Ok(());
    };
    for entry in read.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = is_staging(target, &name) else {
            continue;
        };
        if pid != std::process::id() && process_alive(pid) {
            return Err(SimError::OutputFolder {
                path: target.to_path_buf(),
                message: format!("another sim run (process {pid}) is writing into it; wait for it or choose another folder"),
            });
        }
        let _ = std::fs::remove_dir_all(entry.path());
    }
    Ok(())
}

/// Whether process `pid` runs (Linux: /proc; elsewhere every staging folder counts as stale
/// only if it is our own).
fn process_alive(pid: u32) -> bool {
    if Path::new("/proc/self").exists() {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}
