//! Output folders, files and the terminal report. Never touches the model or the kernel.
//!
//! Files are written into a staging folder beside the target and swapped in only when all of
//! them are complete, so a failed or interrupted run leaves the previous `outputs/<name>/` as
//! it was. The staging folder is created before the simulation starts, so an unwritable path
//! fails in the first second.

pub mod csv_export;
pub mod report;

use crate::error::{Result, SimError};
use std::path::{Path, PathBuf};

/// Prints to standard output; a closed pipe (`sim ... | head`) ends the output quietly instead
/// of panicking, as a command-line tool should.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// A folder being filled, to be swapped into place by [`Staging::commit`].
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates the staging folder for `target` (and `target`'s parent if needed). An existing
    /// `target` is replaced at the end only if it is empty or an earlier sim output (it has a
    /// manifest.json): sim never deletes a folder of other files.
    pub fn prepare(target: &Path) -> Result<Staging> {
        if target.exists() && !replaceable(target) {
            return Err(SimError::OutputFolder {
                path: target.to_path_buf(),
                message: "it exists and is not an earlier sim output (no manifest.json), so sim will not replace it; choose a new or empty folder".into(),
            });
        }
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("output");
        let dir = parent.join(format!(".{name}.partial-{}", std::process::id()));
        let write_err = |source| SimError::Write {
            path: dir.clone(),
            source,
        };
        std::fs::create_dir_all(parent).map_err(write_err)?;
        remove_stale(parent, name);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(write_err)?;
        }
        std::fs::create_dir(&dir).map_err(write_err)?;
        Ok(Staging {
            target: target.to_path_buf(),
            dir,
            committed: false,
        })
    }

    /// Writes one file into the staging folder.
    pub fn write(&self, file: &str, bytes: &[u8]) -> Result<()> {
        self.stream(file, |w| std::io::Write::write_all(w, bytes))
    }

    /// Writes one file into the staging folder through a buffered writer.
    pub fn stream(
        &self,
        file: &str,
        fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
    ) -> Result<()> {
        use std::io::Write;
        let path = self.dir.join(file);
        let result = std::fs::File::create(&path).and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            fill(&mut w)?;
            w.flush()
        });
        result.map_err(|source| SimError::Write { path, source })
    }

    /// Replaces the target folder with the staged one.
    pub fn commit(mut self) -> Result<PathBuf> {
        let old = self.dir.with_file_name(format!(
            ".{}.old-{}",
            self.target
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("output"),
            std::process::id()
        ));
        let err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| SimError::Write { path, source }
        };
        if self.target.exists() {
            std::fs::rename(&self.target, &old).map_err(err(&self.target))?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.target) {
            let _ = std::fs::rename(&old, &self.target);
            return Err(err(&self.target)(e));
        }
        self.committed = true;
        let _ = std::fs::remove_dir_all(&old);
        Ok(self.target.clone())
    }
}

/// An empty folder, or one a previous run wrote.
fn replaceable(dir: &Path) -> bool {
    dir.is_dir()
        && (dir.join("manifest.json").is_file()
            || std::fs::read_dir(dir)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false))
}

/// Removes staging and backup folders of `name` left by runs that were killed (their process
/// no longer exists; Linux only, elsewhere nothing is removed).
fn remove_stale(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        let Some(rest) = file.strip_prefix(&format!(".{name}.")) else {
            continue;
        };
        let pid = rest
            .strip_prefix("partial-")
            .or_else(|| rest.strip_prefix("old-"));
        let dead = pid.and_then(|p| p.parse::<u32>().ok()).is_some_and(|p| {
            Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{p}")).exists()
        });
        if dead {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
