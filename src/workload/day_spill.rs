//! The first pass of a grouped 2019 replay: the day's nonzero counts, spilled to disk by hour.
//!
//! A 2019 day of 40,000 functions holds 57.6 million counts per minute, most of them zero;
//! holding them is what makes a day too big. This pass reads the invocations file once, row by
//! row, and appends each nonzero count of a grouped function as an [`Entry`] (12 bytes) to the
//! file of its hour in a folder of its own under the system's temporary folder (`TMPDIR`).
//! The replay then loads one hour at a time ([`Spilled::load_hour`], which deletes the hour's
//! file), so memory is one hour's nonzero entries, never the day's. The folder is removed when
//! the [`Spilled`] is dropped: at the run's end, on an error, or on a panic.

use super::azure2019::{DayReader, MINUTES, MINUTE_NS};
use crate::error::{Result, SimError};
use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Minutes in an hour file.
pub const HOUR_MINUTES: usize = 60;
/// Bytes of one entry on disk.
const ENTRY_BYTES: usize = 12;

/// A function of a 2019 file: its data row's index (the first row after the header is 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DayFunction(pub u32);

impl DayFunction {
    /// Its index, for tables of the file's functions.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One nonzero count of the day: `count` invocations of `function` in `minute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    /// The minute of the day, 0-based.
    pub minute: u32,
    /// The function.
    pub function: DayFunction,
    /// Its invocations in the minute.
    pub count: u32,
}

impl Entry {
    fn to_bytes(self) -> [u8; ENTRY_BYTES] {
        let mut b = [0; ENTRY_BYTES];
        b[0..4].copy_from_slice(&self.minute.to_le_bytes());
        b[4..8].copy_from_slice(&self.function.0.to_le_bytes());
        b[8..12].copy_from_slice(&self.count.to_le_bytes());
        b
    }

    fn from_bytes(b: &[u8]) -> Entry {
        let word = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        Entry {
            minute: word(0),
            function: DayFunction(word(4)),
            count: word(8),
        }
    }
}

/// A folder of this process's own, removed with everything in it when dropped.
#[derive(Debug)]
pub struct SpillDir {
    path: PathBuf,
}

impl SpillDir {
    /// Creates a new empty folder under `parent` (the first free `sim-day-<pid>-<n>`).
    pub fn create_in(parent: &Path) -> std::io::Result<SpillDir> {
        let pid = std::process::id();
        for n in 0u32.. {
            let path = parent.join(format!("sim-day-{pid}-{n}"));
            match fs::create_dir(&path) {
                Ok(()) => return Ok(SpillDir { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        unreachable!("u32 folder names run out only after 4 billion folders")
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for SpillDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// A day spilled by hour: the folder of hour files, and how many hours it spans.
#[derive(Debug)]
pub struct Spilled {
    dir: SpillDir,
    /// Hours with a file (the last one may be partial).
    pub hours: usize,
    /// The functions of the file (data rows), grouped or not.
    pub functions: usize,
}

/// What the first pass keeps: which functions, and which minutes.
pub struct SpillPlan<'a> {
    /// Whether the function of key `HashApp/HashFunction` belongs to the group; it is also
    /// told the function's index, so it can note it.
    pub grouped: &'a mut dyn FnMut(&str, DayFunction) -> bool,
    /// Only minutes overlapping [from, to) ns are kept.
    pub window_ns: (u64, u64),
    /// The folder the hour files go under (the system's temporary folder by default).
    pub parent: PathBuf,
}

/// Reads invocations file `path` once and spills the nonzero counts of the functions
/// `plan.grouped` accepts, by hour. A row that does not parse stops it with the file, line,
/// column and value; a folder that cannot be written says how to choose another.
pub fn spill(path: &Path, plan: SpillPlan<'_>) -> Result<Spilled> {
    let dir = SpillDir::create_in(&plan.parent).map_err(|e| unwritable(&plan.parent, e))?;
    let mut rows = DayReader::open(path)?;
    let hours = MINUTES.div_ceil(HOUR_MINUTES);
    let mut files = Vec::with_capacity(hours);
    for h in 0..hours {
        let file = File::create(hour_path(dir.path(), h)).map_err(|e| unwritable(dir.path(), e))?;
        files.push(BufWriter::new(file));
    }
    let (from, to) = plan.window_ns;
    let mut functions = 0u32;
    while let Some(row) = rows.next_row_if(|key| (plan.grouped)(key, DayFunction(functions)))? {
        functions += 1;
        let Some(row) = row else {
            continue;
        };
        let f = DayFunction(functions - 1);
        for (m, &count) in row.counts.iter().enumerate().filter(|(_, &n)| n > 0) {
            let start = m as u64 * MINUTE_NS;
            if start >= to || start + MINUTE_NS <= from {
                continue;
            }
            let e = Entry {
                minute: m as u32,
                function: f,
                count,
            };
            files[m / HOUR_MINUTES]
                .write_all(&e.to_bytes())
                .map_err(|e| unwritable(dir.path(), e))?;
        }
    }
    for mut f in files {
        f.flush().map_err(|e| unwritable(dir.path(), e))?;
    }
    Ok(Spilled {
        dir,
        hours,
        functions: functions as usize,
    })
}

impl Spilled {
    /// Puts hour `h`'s entries into `entries` (cleared first, its allocation reused), ordered
    /// by minute, then function; the hour's file is deleted. An hour that cannot be read any
    /// more (its file removed by someone else) is an error.
    pub fn load_hour(&mut self, h: usize, entries: &mut Vec<Entry>) -> std::io::Result<()> {
        let path = hour_path(self.dir.path(), h);
        let file = File::open(&path)?;
        let n = file.metadata()?.len() as usize / ENTRY_BYTES;
        let mut reader = BufReader::new(file);
        entries.clear();
        entries.reserve(n);
        let mut b = [0; ENTRY_BYTES];
        for _ in 0..n {
            reader.read_exact(&mut b)?;
            entries.push(Entry::from_bytes(&b));
        }
        fs::remove_file(&path)?;
        entries.sort_unstable();
        Ok(())
    }

    /// The folder holding the hour files (gone once this is dropped).
    pub fn folder(&self) -> &Path {
        self.dir.path()
    }
}

/// The file of hour `h` in `dir`.
fn hour_path(dir: &Path, h: usize) -> PathBuf {
    dir.join(format!("hour-{h:02}.bin"))
}

/// The error for a spill folder that cannot be written.
fn unwritable(dir: &Path, e: std::io::Error) -> SimError {
    SimError::Spill {
        path: dir.to_path_buf(),
        source: e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_order_by_minute_then_function() {
        let a = Entry {
            minute: 1439,
            function: DayFunction(7),
            count: u32::MAX,
        };
        assert_eq!(Entry::from_bytes(&a.to_bytes()), a);
        let b = Entry {
            minute: 3,
            function: DayFunction(9),
            count: 1,
        };
        let c = Entry {
            function: DayFunction(2),
            ..b
        };
        let mut v = vec![a, b, c];
        v.sort_unstable();
        assert_eq!(v, vec![c, b, a]);
    }

    #[test]
    fn a_spill_folder_is_removed_when_dropped() {
        let parent = std::env::temp_dir();
        let dir = SpillDir::create_in(&parent).unwrap();
        let other = SpillDir::create_in(&parent).unwrap();
        assert_ne!(dir.path(), other.path());
        let path = dir.path().to_path_buf();
        fs::write(path.join("x"), b"1").unwrap();
        drop(dir);
        assert!(!path.exists());
    }
}
