//! The output folder: sim replaces only files it can prove it wrote.
//!
//! Proof is the manifest: every manifest.json sim writes carries [`SIGNATURE`] and the list of
//! files the run wrote. A folder is used as `--out` only if it does not exist, is empty, or
//! holds such a manifest; then sim replaces exactly the files that manifest lists and leaves
//! every other file (a user's notes, their own plots, sub-folders) as it is. A folder with
//! any other content is refused before time starts.
//!
//! Files are written into a hidden staging folder inside the target and moved into place one
//! by one (each move atomic) only when all of them are complete, the manifest last: a failed
//! or interrupted run leaves the previous outputs as they were. A staging folder left by a
//! killed run is removed at the next run's start.

use crate::error::{Result, SimError};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Marks a manifest written by sim; a folder whose manifest lacks it is not sim's.
pub const SIGNATURE: &str = "sim output folder v1";

/// Name of the manifest in every output folder.
pub const MANIFEST: &str = "manifest.json";

/// Prefix of the hidden staging folders (`.sim-staging-<pid>`).
const STAGING_PREFIX: &str = ".sim-staging-";
/// The file inside every staging folder that proves sim made it: a folder of that name
/// without it is the user's, and never removed.
const STAGING_MARKER: &str = ".sim-staging";

/// Files sim wrote before manifests carried a signature; accepted only when the folder holds
/// nothing else and the manifest has that version's fields.
const LEGACY_FILES: [&str; 4] = [
    "summary.json",
    "invocations.csv",
    "timeseries.csv",
    MANIFEST,
];

/// The output section of manifest.json: the proof that sim wrote the folder's files.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct OutputRecord {
    /// Always [`SIGNATURE`].
    pub signature: String,
    /// The files this run wrote into the folder (manifest.json included).
    pub files: Vec<String>,
}

/// What an existing `--out` folder holds.
#[derive(Debug, PartialEq)]
enum Existing {
    /// Nothing there yet.
    Absent,
    /// A folder sim may write into: its earlier files (to replace) and the others (to keep).
    Usable {
        ours: BTreeSet<String>,
        kept: Vec<String>,
    },
}

/// A folder being filled, to be moved into place by [`Staging::commit`].
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    ours_before: BTreeSet<String>,
    kept: Vec<String>,
    written: Vec<String>,
    created_target: bool,
    committed: bool,
}

impl Staging {
    /// Checks `target` and creates its staging folder, before the simulation starts, so an
    /// unusable path fails in the first second.
    pub fn prepare(target: &Path) -> Result<Staging> {
        refuse_file_in_path(target)?;
        let existing = inspect(target)?;
        let created_target = existing == Existing::Absent;
        let (ours_before, kept) = match existing {
            Existing::Absent => Default::default(),
            Existing::Usable { ours, kept } => (ours, kept),
        };
        std::fs::create_dir_all(target).map_err(|source| SimError::Write {
            path: target.to_path_buf(),
            source,
        })?;
        let dir = target.join(format!("{STAGING_PREFIX}{}", std::process::id()));
        let staged = std::fs::create_dir(&dir).map_err(|source| SimError::Write {
            path: dir.clone(),
            source,
        });
        let staged = staged.and_then(|()| {
            std::fs::write(dir.join(STAGING_MARKER), "a sim run's staging folder\n").map_err(
                |source| SimError::Write {
                    path: dir.clone(),
                    source,
                },
            )
        });
        if let Err(e) = staged {
            if created_target {
                let _ = std::fs::remove_dir(target);
            }
            return Err(e);
        }
        Ok(Staging {
            target: target.to_path_buf(),
            dir,
            ours_before,
            kept,
            written: Vec::new(),
            created_target,
            committed: false,
        })
    }

    /// The folder the files go to.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Files in the target that sim did not write and will leave alone.
    pub fn kept_files(&self) -> &[String] {
        &self.kept
    }

    /// The output record for the manifest: the files written so far, and the manifest.
    pub fn record(&self) -> OutputRecord {
        let mut files = self.written.clone();
        files.push(MANIFEST.to_string());
        OutputRecord {
            signature: SIGNATURE.to_string(),
            files,
        }
    }

    /// Writes one file into the staging folder.
    pub fn write(&mut self, file: &str, bytes: &[u8]) -> Result<()> {
        self.stream(file, |w| std::io::Write::write_all(w, bytes))
    }

    /// Writes one file into the staging folder through a buffered writer.
    pub fn stream(
        &mut self,
        file: &str,
        fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
    ) -> Result<()> {
        let mut w = self.create(file)?;
        let path = self.dir.join(file);
        fill(&mut w)
            .and_then(|()| std::io::Write::flush(&mut w))
            .map_err(|source| SimError::Write { path, source })
    }

    /// Creates one file in the staging folder, for a writer that fills it over a run.
    pub fn create(&mut self, file: &str) -> Result<std::io::BufWriter<std::fs::File>> {
        if self.kept.iter().any(|k| k == file) {
            return Err(SimError::OutputFolder {
                path: self.target.clone(),
                message: format!("it holds a `{file}` that sim did not write (its manifest does not list it); move that file away, or choose another folder"),
            });
        }
        let path = self.dir.join(file);
        let f = std::fs::File::create(&path).map_err(|source| SimError::Write { path, source })?;
        if file != MANIFEST && !self.written.iter().any(|w| w == file) {
            self.written.push(file.to_string());
        }
        Ok(std::io::BufWriter::new(f))
    }

    /// Moves the staged files into the target: the data files, then the removal of earlier
    /// outputs this run did not write again, then the manifest. Files sim did not write stay.
    pub fn commit(mut self) -> Result<PathBuf> {
        let all = self.written.iter().map(String::as_str).chain([MANIFEST]);
        if let Some(dir) = all.into_iter().find(|f| self.target.join(f).is_dir()) {
            return Err(in_the_way(&self.target, dir));
        }
        for file in self.written.clone() {
            self.move_into_place(&file)?;
        }
        for old in &self.ours_before {
            if old != MANIFEST && !self.written.contains(old) {
                let _ = std::fs::remove_file(self.target.join(old));
            }
        }
        self.move_into_place(MANIFEST)?;
        self.committed = true;
        let _ = std::fs::remove_dir_all(&self.dir);
        Ok(self.target.clone())
    }

    fn move_into_place(&self, file: &str) -> Result<()> {
        let to = self.target.join(file);
        if to.is_dir() {
            return Err(SimError::OutputFolder {
                path: self.target.clone(),
                message: format!(
                    "`{file}` there is a folder, so sim cannot write its {file}; move it away"
                ),
            });
        }
        std::fs::rename(self.dir.join(file), &to)
            .map_err(|source| SimError::Write { path: to, source })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
            if self.created_target {
                let _ = std::fs::remove_dir(&self.target);
            }
        }
    }
}

/// A clear error when a component of `target` is a file (`--out notes.txt/sub`) or the
/// target itself is a file.
fn refuse_file_in_path(target: &Path) -> Result<()> {
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
fn inspect(target: &Path) -> Result<Existing> {
    if !target.exists() {
        return Ok(Existing::Absent);
    }
    let entries = entry_names(target)?;
    if entries.is_empty() {
        remove_stale_staging(target)?;
        return Ok(Existing::Usable {
            ours: BTreeSet::new(),
            kept: Vec::new(),
        });
    }
    let Some(ours) = files_sim_wrote(target, &entries) else {
        return Err(SimError::OutputFolder {
            path: target.to_path_buf(),
            message: foreign_message(&entries),
        });
    };
    if let Some(dir) = ours.iter().find(|f| target.join(f).is_dir()) {
        return Err(in_the_way(target, dir));
    }
    remove_stale_staging(target)?;
    let kept = entries.into_iter().filter(|e| !ours.contains(e)).collect();
    Ok(Existing::Usable { ours, kept })
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

/// The files listed by the folder's sim manifest, or `None` when it has none.
fn files_sim_wrote(dir: &Path, entries: &[String]) -> Option<BTreeSet<String>> {
    let text = std::fs::read_to_string(dir.join(MANIFEST)).ok()?;
    let manifest: serde_json::Value = serde_json::from_str(&text).ok()?;
    if let Some(record) = manifest.get("output_folder") {
        let record: OutputRecord = serde_json::from_value(record.clone()).ok()?;
        let plain = |f: &String| !f.is_empty() && !f.contains(['/', '\\']) && f != "." && f != "..";
        return (record.signature == SIGNATURE && record.files.iter().all(plain))
            .then(|| record.files.into_iter().collect());
    }
    legacy_files(&manifest, entries)
}

/// Outputs of sim before signed manifests: the known four files and nothing else.
fn legacy_files(manifest: &serde_json::Value, entries: &[String]) -> Option<BTreeSet<String>> {
    let looks_like_sim = ["sim_version", "resolved_host", "resolved_functions"]
        .iter()
        .all(|k| manifest.get(k).is_some());
    let only_known = entries.iter().all(|e| LEGACY_FILES.contains(&e.as_str()));
    (looks_like_sim && only_known).then(|| entries.iter().cloned().collect())
}

/// A folder where sim must write a file of that name.
fn in_the_way(target: &Path, file: &str) -> SimError {
    SimError::OutputFolder {
        path: target.to_path_buf(),
        message: format!(
            "`{file}` there is a folder, so sim cannot write its {file}; move it away"
        ),
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

/// Names in `dir`, sim's staging folders excluded, sorted.
fn entry_names(dir: &Path) -> Result<Vec<String>> {
    let read = std::fs::read_dir(dir).map_err(|source| SimError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut names: Vec<String> = read
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| is_staging(dir, n).is_none())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("sim-folder-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn run_once(target: &Path, files: &[(&str, &str)]) {
        let mut s = Staging::prepare(target).unwrap();
        for (f, body) in files {
            s.write(f, body.as_bytes()).unwrap();
        }
        let record = serde_json::json!({ "output_folder": s.record() });
        s.write(MANIFEST, record.to_string().as_bytes()).unwrap();
        s.commit().unwrap();
    }

    #[test]
    fn replaces_its_own_files_and_keeps_the_users() {
        let d = temp("keep");
        let out = d.join("out");
        run_once(&out, &[("a.csv", "1"), ("b.csv", "1")]);
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        run_once(&out, &[("a.csv", "2")]);
        assert_eq!(std::fs::read_to_string(out.join("a.csv")).unwrap(), "2");
        assert!(
            !out.join("b.csv").exists(),
            "an output not written again is removed"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("notes.txt")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn refuses_an_unsigned_manifest() {
        let d = temp("unsigned");
        std::fs::write(d.join(MANIFEST), r#"{"manifest_version":3}"#).unwrap();
        std::fs::write(d.join("app.js"), "code").unwrap();
        let err = Staging::prepare(&d).err().unwrap().to_string();
        assert!(err.contains("not an earlier sim output"), "{err}");
        assert_eq!(std::fs::read_to_string(d.join("app.js")).unwrap(), "code");
    }

    #[test]
    fn a_failed_write_leaves_the_previous_outputs_and_no_staging() {
        let d = temp("fail");
        let out = d.join("out");
        run_once(&out, &[("a.csv", "1")]);
        let mut s = Staging::prepare(&out).unwrap();
        let full = std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full");
        let err = s.stream("a.csv", |w| {
            std::io::Write::write_all(w, b"half")?;
            Err(full)
        });
        assert!(err.is_err());
        drop(s);
        assert_eq!(std::fs::read_to_string(out.join("a.csv")).unwrap(), "1");
        assert_eq!(entry_names(&out).unwrap(), ["a.csv", MANIFEST]);
        assert_eq!(
            std::fs::read_dir(&out).unwrap().count(),
            2,
            "no staging left"
        );
    }

    #[test]
    fn a_stale_staging_folder_is_removed_at_the_next_start() {
        let d = temp("stale");
        let out = d.join("out");
        run_once(&out, &[("a.csv", "1")]);
        // No process has pid u32::MAX - 1: a killed run's leftover.
        let stale = out.join(format!("{STAGING_PREFIX}{}", u32::MAX - 1));
        std::fs::create_dir(&stale).unwrap();
        std::fs::write(stale.join(STAGING_MARKER), "").unwrap();
        run_once(&out, &[("a.csv", "2")]);
        assert!(!stale.exists());
    }
}
