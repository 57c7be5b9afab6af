//! The output folder: sim replaces only files it can prove it wrote.
//!
//! Proof is the manifest: every manifest.json sim writes carries [`SIGNATURE`] and the list of
//! files (and, for a compare run, the variants' sub-folders) the run wrote. A folder is used as
//! `--out` only if it does not exist, is empty, or holds such a manifest (see
//! [`super::existing`]); then sim replaces exactly the files that manifest lists and leaves
//! every other file (a user's notes, their own plots, sub-folders) as it is. A folder with
//! any other content is refused before time starts.
//!
//! Files are written into a hidden staging folder inside the target and moved into place one
//! by one (each move atomic) only when all of them are complete, the manifest last: a failed
//! or interrupted run leaves the previous outputs as they were. A staging folder left by a
//! killed run is removed at the next run's start.
//!
//! A compare run writes a folder per variant inside its own ([`Staging::sub`]): each is staged
//! inside the compare folder's staging folder and follows the same rules in its own target
//! (its own manifest, its user's files kept); all of them are moved into place only once every
//! variant is complete, the variants first and the compare folder's manifest last.

use super::existing::{
    in_the_way, inspect, refuse_file_in_path, retire, Existing, Listed, STAGING_MARKER,
    STAGING_PREFIX,
};
use crate::error::{Result, SimError};
use std::path::{Path, PathBuf};

/// Marks a manifest written by sim; a folder whose manifest lacks it is not sim's.
pub const SIGNATURE: &str = "sim output folder v1";

/// Name of the manifest in every output folder.
pub const MANIFEST: &str = "manifest.json";

/// The folder `sim plot` draws into inside an output folder; with its own signed manifest it
/// is sim's, so a run that replaces the folder's files retires the plots drawn from them.
pub const PLOTS_FOLDER: &str = "plots";

/// The output section of manifest.json: the proof that sim wrote the folder's files.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct OutputRecord {
    /// Always [`SIGNATURE`].
    pub signature: String,
    /// The files this run wrote into the folder (manifest.json included).
    pub files: Vec<String>,
    /// The sub-folders this run wrote (a compare run's variants), each with its own manifest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub folders: Vec<String>,
}

/// A folder being filled, to be moved into place by [`Staging::commit`].
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    before: Listed,
    written: Vec<String>,
    folders: Vec<String>,
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
        let before = match existing {
            Existing::Absent => Listed::default(),
            Existing::Usable(listed) => listed,
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
            before,
            written: Vec::new(),
            folders: Vec::new(),
            created_target,
            committed: false,
        })
    }

    /// A sub-folder `name` of the target, checked as a target of its own (new, empty, or an
    /// earlier sim output) and staged inside this folder's staging folder. Commit it with
    /// [`Staging::commit_with`]; this folder's manifest lists it.
    pub fn sub(&mut self, name: &str) -> Result<Staging> {
        let target = self.target.join(name);
        refuse_file_in_path(&target)?;
        let before = match inspect(&target)? {
            Existing::Absent => Listed::default(),
            Existing::Usable(listed) => listed,
        };
        let dir = self.dir.join(name);
        std::fs::create_dir(&dir).map_err(|source| SimError::Write {
            path: dir.clone(),
            source,
        })?;
        if !self.folders.iter().any(|f| f == name) {
            self.folders.push(name.to_string());
        }
        Ok(Staging {
            target,
            dir,
            before,
            written: Vec::new(),
            folders: Vec::new(),
            created_target: false,
            committed: false,
        })
    }

    /// The folder the files go to.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Files in the target that sim did not write and will leave alone.
    pub fn kept_files(&self) -> &[String] {
        &self.before.kept
    }

    /// The output record for the manifest: the files written so far, the manifest, and the
    /// sub-folders.
    pub fn record(&self) -> OutputRecord {
        let mut files = self.written.clone();
        files.push(MANIFEST.to_string());
        OutputRecord {
            signature: SIGNATURE.to_string(),
            files,
            folders: self.folders.clone(),
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
        if self.before.kept.iter().any(|k| k == file) {
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
    pub fn commit(self) -> Result<PathBuf> {
        self.commit_with(Vec::new())
    }

    /// [`Staging::commit`], after committing `subs` (this folder's sub-folders, from
    /// [`Staging::sub`]) in order: every variant's files are in place before the manifest
    /// that lists them.
    pub fn commit_with(mut self, subs: Vec<Staging>) -> Result<PathBuf> {
        let all = self.written.iter().map(String::as_str).chain([MANIFEST]);
        if let Some(dir) = all.into_iter().find(|f| self.target.join(f).is_dir()) {
            return Err(in_the_way(&self.target, dir));
        }
        for sub in subs {
            sub.move_in()?;
        }
        for file in self.written.clone() {
            self.move_into_place(&file)?;
        }
        for old in &self.before.files {
            if old != MANIFEST && !self.written.contains(old) {
                let _ = std::fs::remove_file(self.target.join(old));
            }
        }
        for old in &self.before.folders {
            if !self.folders.contains(old) {
                retire(&self.target.join(old));
            }
        }
        self.move_into_place(MANIFEST)?;
        self.committed = true;
        let _ = std::fs::remove_dir_all(&self.dir);
        Ok(self.target.clone())
    }

    /// Commits a sub-folder: its target is made if need be, then its files go in as
    /// [`Staging::commit`] moves them.
    fn move_in(self) -> Result<PathBuf> {
        std::fs::create_dir_all(&self.target).map_err(|source| SimError::Write {
            path: self.target.clone(),
            source,
        })?;
        self.commit()
    }

    fn move_into_place(&self, file: &str) -> Result<()> {
        let to = self.target.join(file);
        if to.is_dir() {
            return Err(in_the_way(&self.target, file));
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

/// Writes one file outside any output folder (e.g. `--trace-events FILE`) as the staging
/// folder writes its files: into a hidden sibling `.<name>.sim-staging-<pid>`, then renamed
/// over `path` only once `fill` succeeded and the bytes are flushed. A failure removes the
/// partial copy and leaves a previous `path` as it was.
pub fn replace_file(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<()> {
    let write_err = |source| SimError::Write {
        path: path.to_path_buf(),
        source,
    };
    if path.is_dir() {
        let what = std::io::Error::other("it is a folder; name a file, e.g. trace.json");
        return Err(write_err(what));
    }
    let name = path
        .file_name()
        .ok_or_else(|| write_err(std::io::Error::other("it names no file")))?;
    let partial = path.with_file_name(format!(
        ".{}{STAGING_PREFIX}{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = std::fs::File::create(&partial).and_then(|f| {
        let mut w = std::io::BufWriter::new(f);
        fill(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()
    });
    let moved = written.and_then(|()| std::fs::rename(&partial, path));
    if let Err(source) = moved {
        let _ = std::fs::remove_file(&partial);
        return Err(write_err(source));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::existing::entry_names;
    use super::*;

    fn temp(name: &str) -> PathBuf {
        crate::test_support::scratch_dir("sim-folder", name)
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
    fn a_replaced_file_is_whole_or_untouched() {
        let d = temp("replace");
        let f = d.join("trace.json");
        replace_file(&f, |w| std::io::Write::write_all(w, b"one")).unwrap();
        let failed = replace_file(&f, |w| {
            std::io::Write::write_all(w, b"half")?;
            Err(std::io::Error::other("stopped"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "one");
        assert_eq!(
            std::fs::read_dir(&d).unwrap().count(),
            1,
            "no partial file left"
        );
        assert!(
            replace_file(&d, |_| Ok(())).is_err(),
            "a folder is not replaced"
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
    /// A compare-like run: `compare.csv` at the top, a sub-folder per variant.
    fn compare_once(target: &Path, variants: &[(&str, &str)]) {
        let mut top = Staging::prepare(target).unwrap();
        let mut subs = Vec::new();
        for (name, body) in variants {
            let mut sub = top.sub(name).unwrap();
            sub.write("summary.json", body.as_bytes()).unwrap();
            let record = serde_json::json!({ "output_folder": sub.record() });
            sub.write(MANIFEST, record.to_string().as_bytes()).unwrap();
            subs.push(sub);
        }
        top.write("compare.csv", b"rows").unwrap();
        let record = serde_json::json!({ "output_folder": top.record() });
        top.write(MANIFEST, record.to_string().as_bytes()).unwrap();
        top.commit_with(subs).unwrap();
    }

    #[test]
    fn a_compare_folder_replaces_its_variants_and_keeps_the_users_files() {
        let d = temp("compare");
        let out = d.join("out");
        compare_once(&out, &[("a", "1"), ("b", "1")]);
        assert_eq!(
            entry_names(&out).unwrap(),
            ["a", "b", "compare.csv", MANIFEST]
        );
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        std::fs::write(out.join("a").join("plot.png"), "mine").unwrap();
        compare_once(&out, &[("a", "2"), ("c", "2")]);
        let a = out.join("a");
        assert_eq!(
            std::fs::read_to_string(a.join("summary.json")).unwrap(),
            "2"
        );
        assert_eq!(std::fs::read_to_string(a.join("plot.png")).unwrap(), "mine");
        assert!(
            !out.join("b").exists(),
            "a variant no longer run is removed"
        );
        assert!(out.join("c").join("summary.json").is_file());
        assert_eq!(
            std::fs::read_to_string(out.join("notes.txt")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn a_failed_compare_leaves_every_previous_variant_and_no_staging() {
        let d = temp("compare-fail");
        let out = d.join("out");
        compare_once(&out, &[("a", "1"), ("b", "1")]);
        let mut top = Staging::prepare(&out).unwrap();
        let mut a = top.sub("a").unwrap();
        a.write("summary.json", b"half").unwrap();
        let _b = top.sub("b").unwrap();
        // The run fails here: nothing is committed.
        drop(a);
        drop(top);
        for v in ["a", "b"] {
            let summary = out.join(v).join("summary.json");
            assert_eq!(std::fs::read_to_string(summary).unwrap(), "1");
        }
        assert_eq!(
            entry_names(&out).unwrap(),
            ["a", "b", "compare.csv", MANIFEST]
        );
        assert_eq!(
            std::fs::read_dir(&out).unwrap().count(),
            4,
            "no staging left"
        );
    }

    #[test]
    fn a_variant_folder_of_someone_elses_files_is_refused_before_the_run() {
        let d = temp("compare-foreign");
        let out = d.join("out");
        compare_once(&out, &[("b", "1")]);
        std::fs::create_dir_all(out.join("a")).unwrap();
        std::fs::write(out.join("a").join("app.py"), "code").unwrap();
        let mut top = Staging::prepare(&out).unwrap_or_else(|e| panic!("{e}"));
        let err = top.sub("a").err().unwrap().to_string();
        assert!(err.contains("not an earlier sim output"), "{err}");
        drop(top);
        assert_eq!(
            std::fs::read_to_string(out.join("a").join("app.py")).unwrap(),
            "code"
        );
    }
}
