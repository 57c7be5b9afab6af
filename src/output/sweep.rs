//! What a sweep writes: sweep.csv (one row per run, by run index), sweep_summary.csv and
//! sweep_summary.json (per configuration, the mean and 95% interval of each figure), and the
//! journal sweep.partial.csv that keeps finished rows while the sweep goes on.
//!
//! The journal is appended one complete line per finished run, flushed each time, in the
//! order runs finish; its first line names the sweep (its hash, its runs, the shard). An
//! interrupted sweep leaves it in the output folder, and `--resume` reads it back and skips
//! the runs it holds. At the end sweep.csv holds the same lines sorted by run index, so its
//! bytes do not depend on the order runs finished in, nor on `--jobs`. The journal is the only
//! file sim writes outside the staging folder; `super::existing` knows it by its first line.

use crate::analysis::sweep::{ConfigSummary, SweepRow, METRICS, SUMMARISED};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The journal's file name.
pub const JOURNAL: &str = "sweep.partial.csv";
/// How the journal's first line starts.
pub const JOURNAL_MARKER: &str = "# sim sweep journal";

/// sweep.csv's header line (with its newline) for axes `paths`.
pub fn header(paths: &[String]) -> String {
    let mut cols = vec!["run", "config", "replication", "seed"];
    cols.extend(paths.iter().map(String::as_str));
    cols.extend(METRICS);
    line(&cols)
}

/// One run's line (with its newline): numbers as Rust prints them, which read back exactly.
pub fn row_line(row: &SweepRow) -> String {
    let mut cols = vec![
        row.run.to_string(),
        row.config.to_string(),
        row.replication.to_string(),
        row.seed.to_string(),
    ];
    cols.extend(row.values.iter().cloned());
    cols.extend(
        row.metrics
            .iter()
            .map(|m| m.map_or(String::new(), |v| v.to_string())),
    );
    line(&cols)
}

/// A CSV line of `cols`, quoted where needed.
fn line<S: AsRef<[u8]>>(cols: &[S]) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(cols).expect("writing to memory");
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("UTF-8 fields")
}

/// The rows of a sweep.csv or journal text with `axes` axis columns; a last line without its
/// newline (a write cut short) is left out. An error names the line.
pub fn parse_rows(text: &str, axes: usize) -> Result<Vec<SweepRow>, String> {
    let complete = &text[..text.rfind('\n').map_or(0, |i| i + 1)];
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .comment(Some(b'#'))
        .from_reader(complete.as_bytes());
    let mut rows = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| e.to_string())?;
        if record.get(0) == Some("run") {
            continue;
        }
        let row = parse_row(&record, axes).map_err(|e| format!("row {}: {e}", n + 1))?;
        rows.push(row);
    }
    Ok(rows)
}

fn parse_row(r: &csv::StringRecord, axes: usize) -> Result<SweepRow, String> {
    let want = 4 + axes + METRICS.len();
    if r.len() != want {
        return Err(format!("{} columns, expected {want}", r.len()));
    }
    let num = |i: usize| {
        r[i].parse::<u64>()
            .map_err(|_| format!("column {} is not a whole number: {:?}", i + 1, &r[i]))
    };
    let metric = |s: &str| match s {
        "" => Ok(None),
        s => s
            .parse::<f64>()
            .map(Some)
            .map_err(|_| format!("{s:?} is not a number")),
    };
    Ok(SweepRow {
        run: num(0)? as usize,
        config: num(1)? as usize,
        replication: num(2)? as u32,
        seed: num(3)?,
        values: (4..4 + axes).map(|i| r[i].to_string()).collect(),
        metrics: (4 + axes..want)
            .map(|i| metric(&r[i]))
            .collect::<Result<_, _>>()?,
    })
}

/// sweep.csv: the header and `rows` (sorted by run index).
pub fn sweep_csv(paths: &[String], rows: &[SweepRow]) -> String {
    let mut s = header(paths);
    for r in rows {
        s.push_str(&row_line(r));
    }
    s
}

/// sweep_summary.csv: per configuration its axis values, replications, and for each
/// summarised figure `<figure>_mean,<figure>_ci95` (the interval's half width; empty with one
/// replication or without the figure).
pub fn summary_csv(paths: &[String], configs: &[ConfigSummary]) -> String {
    let mut cols: Vec<String> = vec!["config".into()];
    cols.extend(paths.iter().cloned());
    cols.push("replications".into());
    for m in SUMMARISED {
        cols.push(format!("{m}_mean"));
        cols.push(format!("{m}_ci95"));
    }
    let mut s = line(&cols);
    for c in configs {
        let mut cols = vec![c.config.to_string()];
        cols.extend(paths.iter().map(|p| c.values[p].clone()));
        cols.push(c.replications.to_string());
        for m in SUMMARISED {
            let ci = c.metrics[m];
            cols.push(ci.map_or(String::new(), |ci| round(ci.mean)));
            cols.push(ci.and_then(|ci| ci.ci95).map_or(String::new(), round));
        }
        s.push_str(&line(&cols));
    }
    s
}

/// A figure to 6 decimals.
fn round(v: f64) -> String {
    crate::metrics::summary::round6(v).to_string()
}

/// sweep_summary.json.
#[derive(Debug, Serialize)]
pub struct SummaryFile<'a> {
    /// The experiment's name.
    pub experiment: &'a str,
    /// The seed replications derive theirs from.
    pub seed: u64,
    /// The axes' paths, in column order.
    pub axes: &'a [String],
    /// Runs per configuration.
    pub replications: u32,
    /// How the intervals are computed.
    pub interval: &'static str,
    /// Per configuration, by index.
    pub configurations: &'a [ConfigSummary],
    /// The configurations against the experiment's objective (absent without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ranking: Option<super::objective::RankingFile<'a>>,
}

/// What [`SummaryFile::interval`] says.
pub const INTERVAL_NOTE: &str = "95% confidence interval of the mean over replications: Student t with n-1 degrees of freedom; with 1 replication there is none (ci95, low and high are null)";

/// The journal of a sweep in progress: one complete line per finished run, flushed.
pub struct Journal {
    path: PathBuf,
    file: Mutex<std::fs::File>,
}

impl Journal {
    /// The journal in `dir` for the sweep `identity` (its first line, without the marker),
    /// with axes `paths`, and the rows it already holds. Without `resume` a journal with rows
    /// is refused (they are finished runs); with it, a journal of another sweep is.
    pub fn open(
        dir: &Path,
        identity: &str,
        paths: &[String],
        resume: bool,
    ) -> Result<(Journal, Vec<SweepRow>), String> {
        let path = dir.join(JOURNAL);
        let first = format!("{JOURNAL_MARKER}: {identity}\n");
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        let done = if old.is_empty() {
            Vec::new()
        } else {
            Self::earlier(&old, &first, paths.len(), resume)?
        };
        let mut text = first + &header(paths);
        for r in &done {
            text.push_str(&row_line(r));
        }
        let write = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
        std::fs::write(&path, text).map_err(write)?;
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(write)?;
        let file = Mutex::new(file);
        Ok((Journal { path, file }, done))
    }

    /// The rows of an earlier journal `old`, if this sweep may keep them.
    fn earlier(old: &str, first: &str, axes: usize, resume: bool) -> Result<Vec<SweepRow>, String> {
        let rows = parse_rows(old, axes).unwrap_or_default();
        if !resume {
            if rows.is_empty() {
                return Ok(Vec::new());
            }
            return Err(format!("{JOURNAL} holds {} finished run(s) of an interrupted sweep; add --resume to keep them and run only the rest, or delete it to start again", rows.len()));
        }
        if !old.starts_with(first) {
            return Err(format!("{JOURNAL} is from another sweep (its first line is {:?}, this sweep's {:?}); run the sweep it came from with --resume, or delete it", old.lines().next().unwrap_or(""), first.trim_end()));
        }
        parse_rows(old, axes)
            .map_err(|e| format!("{JOURNAL} is damaged ({e}); delete it to start again"))
    }

    /// Appends one finished run's line and flushes it.
    pub fn append(&self, row: &SweepRow) -> Result<(), String> {
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        f.write_all(row_line(row).as_bytes())
            .and_then(|()| f.flush())
            .map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }

    /// Removes the journal once the sweep's files are in place.
    pub fn remove(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether the file `name` in `dir` is a sweep journal sim wrote.
pub fn is_journal(dir: &Path, name: &str) -> bool {
    if name != JOURNAL {
        return false;
    }
    let Ok(f) = std::fs::File::open(dir.join(name)) else {
        return false;
    };
    let mut start = [0u8; JOURNAL_MARKER.len()];
    std::io::Read::read_exact(&mut { f }, &mut start).is_ok() && start == JOURNAL_MARKER.as_bytes()
}

/// The terminal's table: per configuration its axis values, replications, and the mean p50,
/// p99, failed and 429 shares and monthly cost, each `mean ± half width` of its 95% interval.
pub fn summary_table(paths: &[String], configs: &[ConfigSummary]) -> String {
    let shown = [
        "p50_ms",
        "p99_ms",
        "failure_rate",
        "rate_429",
        "cost_per_month",
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut head: Vec<String> = paths.to_vec();
    head.push("reps".into());
    head.extend(shown.iter().map(|s| s.to_string()));
    rows.push(head);
    for c in configs {
        let mut cells: Vec<String> = paths.iter().map(|p| c.values[p].clone()).collect();
        cells.push(c.replications.to_string());
        for m in shown {
            cells.push(c.metrics[m].map_or("-".into(), |ci| match ci.ci95 {
                Some(h) => format!("{:.2} ± {:.2}", ci.mean, h),
                None => format!("{:.2}", ci.mean),
            }));
        }
        rows.push(cells);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut s = String::new();
    for r in &rows {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:>w$}"))
            .collect();
        s.push_str("  ");
        s.push_str(&cells.join("  "));
        s.push('\n');
    }
    s.push_str("  (mean ± half width of the 95% interval over replications, Student t; one replication: no interval)\n");
    s
}
