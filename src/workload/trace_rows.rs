//! The rows of a recorded trace, read one at a time in file order (never the whole file).
//!
//! Two formats of one row per invocation (the 2019 format, a row per function and day, has
//! its own reader, [`super::azure2019`]), each a CSV file with a header row:
//! - **Azure 2021** (`app,func,end_timestamp,duration`, both times in seconds): one row per
//!   invocation; its arrival is `end_timestamp - duration` (0 if that is negative), so rows
//!   are not in arrival order ([`super::reorder`] puts them in order). A function is
//!   `app/func` (func is unique only within its app).
//! - **Plain CSV**: `timestamp_s` or `timestamp_ms`, `function`, and optionally
//!   `duration_s` or `duration_ms` (the suffix gives the unit; other columns are ignored).
//!
//! A row that does not parse is an error naming the file, its line, the column (name and
//! number) and the value, with the allowed range; a missing column is named with the header
//! the file has.

use crate::config::limits::{self, Real};
use crate::config::raw::Num;
use crate::error::{Result, SimError};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::path::{Path, PathBuf};

/// The layout of a trace file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum TraceFormat {
    /// Azure Functions 2021: `app,func,end_timestamp,duration` (seconds).
    Azure2021,
    /// `timestamp_s|timestamp_ms,function[,duration_s|duration_ms]`.
    Csv,
    /// Azure Functions 2019: a row per function and day, invocations per minute (see
    /// [`super::azure2019`]).
    Azure2019,
}

/// One invocation of a trace.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceRow {
    /// The function's key in the trace (`app/func` for Azure 2021).
    pub function: String,
    /// Its arrival, ns from the trace's zero.
    pub arrival_ns: u64,
    /// Its recorded duration, ns, if the trace gives one.
    pub duration_ns: Option<u64>,
    /// Its line in the file (the header is line 1).
    pub line: u64,
}

/// Where each field sits in a row, found from the header.
#[derive(Debug, Clone, Copy)]
enum Layout {
    /// Azure 2021 columns.
    Azure2021 {
        app: usize,
        func: usize,
        end: usize,
        duration: usize,
    },
    /// Plain CSV columns, with the units their names give.
    Csv {
        time: (usize, bool),
        function: usize,
        duration: Option<(usize, bool)>,
    },
}

/// A CSV file read one record at a time, knowing the record's line.
pub struct CsvCursor {
    /// The file.
    pub path: PathBuf,
    reader: csv::Reader<File>,
    /// The header's names.
    pub headers: Vec<String>,
    /// The current record.
    pub record: csv::StringRecord,
    /// Its line (the header is line 1).
    pub line: u64,
}

impl CsvCursor {
    /// Opens `path` and reads its header.
    pub fn open(path: &Path) -> Result<CsvCursor> {
        let (reader, headers) = open_csv(path)?;
        Ok(CsvCursor {
            path: path.to_path_buf(),
            reader,
            headers,
            record: csv::StringRecord::new(),
            line: 1,
        })
    }

    /// Reads the next record; `false` at the end of the file.
    pub fn advance(&mut self) -> Result<bool> {
        let more = self
            .reader
            .read_record(&mut self.record)
            .map_err(|e| bad(&self.path, self.line + 1, format!("unreadable row: {e}")))?;
        self.line = self.record.position().map_or(self.line + 1, |p| p.line());
        Ok(more)
    }
}

/// The rows of one trace file, in file order.
pub struct RowReader {
    csv: CsvCursor,
    layout: Layout,
}

impl RowReader {
    /// Opens `path` as a trace in `format` and checks its header.
    pub fn open(path: &Path, format: TraceFormat) -> Result<RowReader> {
        let csv = CsvCursor::open(path)?;
        let layout = layout(path, &csv.headers, format)?;
        Ok(RowReader { csv, layout })
    }

    /// The next row, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<TraceRow>> {
        if !self.csv.advance()? {
            return Ok(None);
        }
        let row = match self.layout {
            Layout::Azure2021 {
                app,
                func,
                end,
                duration,
            } => {
                let end_s = self.number(end, &limits::REPLAY_S)?;
                let dur_s = self.number(duration, &limits::TRACE_DURATION_S)?;
                let key = format!("{}/{}", self.text(app)?, self.text(func)?);
                TraceRow {
                    function: key,
                    arrival_ns: ((end_s - dur_s).max(0.0) * 1e9).round() as u64,
                    duration_ns: Some((dur_s * 1e9).round() as u64),
                    line: self.csv.line,
                }
            }
            Layout::Csv {
                time,
                function,
                duration,
            } => {
                let t = self.timed(time, &limits::REPLAY_S, &limits::REPLAY_MS)?;
                let d = match duration {
                    Some(col) => Some(self.timed(
                        col,
                        &limits::TRACE_DURATION_S,
                        &limits::TRACE_DURATION_MS,
                    )?),
                    None => None,
                };
                TraceRow {
                    function: self.text(function)?.to_string(),
                    arrival_ns: t,
                    duration_ns: d,
                    line: self.csv.line,
                }
            }
        };
        Ok(Some(row))
    }

    /// The cell of column `col`, or an error naming the column when the row is too short.
    fn cell(&self, col: usize) -> Result<&str> {
        self.csv.record.get(col).map(str::trim).ok_or_else(|| {
            bad(
                &self.csv.path,
                self.csv.line,
                format!(
                    "`{}` (column {}) is missing: the row has {} of the header's {} columns",
                    self.csv.headers[col],
                    col + 1,
                    self.csv.record.len(),
                    self.csv.headers.len()
                ),
            )
        })
    }

    /// A non-empty text cell.
    fn text(&self, col: usize) -> Result<&str> {
        let cell = self.cell(col)?;
        if cell.is_empty() || cell.contains('"') {
            return Err(self.fault(col, cell, "is not a name: allowed non-empty text"));
        }
        Ok(cell)
    }

    /// A number within `allowed`.
    fn number(&self, col: usize, allowed: &Real) -> Result<f64> {
        let cell = self.cell(col)?;
        // The common case, a plain number in range, without building a `Num`.
        if let Ok(v) = cell.parse::<f64>() {
            if allowed.contains(v) {
                return Ok(v);
            }
        }
        let n = Num::from_text(cell);
        allowed.check(&n).map_err(|fault| {
            self.fault(
                col,
                &n.to_string(),
                &format!("{}: allowed {allowed}", fault.what()),
            )
        })
    }

    /// A time in the unit its column's name gives (`seconds`: in s, else ms), in ns.
    fn timed(&self, (col, seconds): (usize, bool), s: &Real, ms: &Real) -> Result<u64> {
        let (allowed, per) = if seconds { (s, 1e9) } else { (ms, 1e6) };
        Ok((self.number(col, allowed)? * per).round() as u64)
    }

    /// The error for value `value` of column `col`: file:line, column name and number.
    fn fault(&self, col: usize, value: &str, what: &str) -> SimError {
        bad(
            &self.csv.path,
            self.csv.line,
            format!(
                "`{}` (column {}) = {value} {what}",
                self.csv.headers[col],
                col + 1
            ),
        )
    }
}

/// Finds the columns `format` needs in `headers`; every missing one is named.
fn layout(path: &Path, headers: &[String], format: TraceFormat) -> Result<Layout> {
    let find = |name: &str| headers.iter().position(|h| h == name);
    let either = |a: &str, b: &str| {
        find(a)
            .map(|i| (i, true))
            .or_else(|| find(b).map(|i| (i, false)))
    };
    let mut missing = Vec::new();
    let mut need = |name: &str, col: Option<usize>| {
        if col.is_none() {
            missing.push(name.to_string());
        }
        col.unwrap_or(0)
    };
    let layout = match format {
        TraceFormat::Azure2021 => Layout::Azure2021 {
            app: need("app", find("app")),
            func: need("func", find("func")),
            end: need("end_timestamp", find("end_timestamp")),
            duration: need("duration", find("duration")),
        },
        TraceFormat::Azure2019 => {
            return Err(bad(
                path,
                1,
                "an Azure2019 file holds counts per minute, not invocations: it is read by the 2019 reader".into(),
            ))
        }
        TraceFormat::Csv => {
            let time = either("timestamp_s", "timestamp_ms");
            need("timestamp_s or timestamp_ms", time.map(|t| t.0));
            Layout::Csv {
                time: time.unwrap_or((0, true)),
                function: need("function", find("function")),
                duration: either("duration_s", "duration_ms"),
            }
        }
    };
    if missing.is_empty() {
        return Ok(layout);
    }
    Err(bad(
        path,
        1,
        format!(
            "missing column(s) {} for the {format:?} format; the header has: {}",
            missing.join(", "),
            headers.join(", ")
        ),
    ))
}

/// A trace error at `line` of `path`.
pub fn bad(path: &Path, line: u64, message: String) -> SimError {
    SimError::Trace {
        file: path.to_path_buf(),
        line: line as usize,
        message,
    }
}

/// Opens a CSV file with a header row: the reader and the header's names.
pub fn open_csv(path: &Path) -> Result<(csv::Reader<File>, Vec<String>)> {
    // Cells are trimmed where they are read (`RowReader::cell`): the reader's own trimming
    // copies every record.
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::Headers)
        .flexible(true)
        .from_path(path)
        .map_err(|e| match e.into_kind() {
            csv::ErrorKind::Io(source) => SimError::Read {
                path: path.to_path_buf(),
                source,
            },
            other => bad(path, 1, format!("{other:?}")),
        })?;
    let headers = reader
        .headers()
        .map_err(|e| bad(path, 1, format!("unreadable header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    Ok((reader, headers))
}
