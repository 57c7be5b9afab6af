//! Reading back the files of an output folder sim wrote (for the plots and the trace for
//! Perfetto): JSON files, and CSV files a row at a time with their columns found by name;
//! every problem names the file, and the line of a CSV file.

use crate::error::{Result, SimError};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The error for `file` (at CSV `line`, when known).
pub fn bad(file: &Path, line: Option<usize>, message: impl Into<String>) -> SimError {
    SimError::OutputFile {
        file: file.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// A JSON file read into `T` (unknown fields ignored).
pub fn json<T: DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad(path, None, format!("cannot read it: {e}")))?;
    serde_json::from_str(&text).map_err(|e| {
        let line = (e.line() > 0).then_some(e.line());
        bad(path, line, format!("not the JSON sim writes: {e}"))
    })
}

/// A CSV file open for reading, its header read.
pub struct Csv {
    path: PathBuf,
    reader: csv::Reader<std::io::BufReader<std::fs::File>>,
    header: Vec<String>,
    columns: HashMap<String, usize>,
    record: csv::StringRecord,
    line: usize,
}

/// One data row of a [`Csv`], with its line number for errors.
pub struct Row<'a> {
    path: &'a Path,
    header: &'a [String],
    record: &'a csv::StringRecord,
    line: usize,
}

impl Csv {
    /// Opens `path` and reads its header.
    pub fn open(path: &Path) -> Result<Csv> {
        let file = std::fs::File::open(path)
            .map_err(|e| bad(path, None, format!("cannot read it: {e}")))?;
        let mut reader = csv::Reader::from_reader(std::io::BufReader::new(file));
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| bad(path, Some(1), format!("unreadable header: {e}")))?
            .iter()
            .map(str::to_string)
            .collect();
        let columns = header
            .iter()
            .enumerate()
            .map(|(i, name)| (name.clone(), i))
            .collect();
        Ok(Csv {
            path: path.to_path_buf(),
            reader,
            header,
            columns,
            record: csv::StringRecord::new(),
            line: 1,
        })
    }

    /// An error about the header (line 1).
    pub fn header_error(&self, message: String) -> SimError {
        bad(&self.path, Some(1), message)
    }

    /// Whether the header has column `name`.
    pub fn has(&self, name: &str) -> bool {
        self.columns.contains_key(name)
    }

    /// The index of column `name`, or an error naming the file.
    pub fn column(&self, name: &str) -> Result<usize> {
        self.columns.get(name).copied().ok_or_else(|| {
            bad(
                &self.path,
                Some(1),
                format!("no column `{name}` in the header"),
            )
        })
    }

    /// The next data row, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                self.line = self
                    .record
                    .position()
                    .map_or(self.line + 1, |p| p.line() as usize);
                Ok(Some(Row {
                    path: &self.path,
                    header: &self.header,
                    record: &self.record,
                    line: self.line,
                }))
            }
            Err(e) => {
                let at = e.position().map_or(self.line + 1, |p| p.line() as usize);
                Err(bad(&self.path, Some(at), format!("unreadable row: {e}")))
            }
        }
    }

    /// Calls `each` on every data row in order; stops at the first error.
    pub fn rows(&mut self, mut each: impl FnMut(&Row) -> Result<()>) -> Result<()> {
        while let Some(row) = self.next_row()? {
            each(&row)?;
        }
        Ok(())
    }
}

impl Row<'_> {
    /// The text of column `col`.
    pub fn text(&self, col: usize) -> &str {
        self.record.get(col).unwrap_or("")
    }

    /// The header's name of column `col`, for messages.
    pub fn name(&self, col: usize) -> &str {
        self.header.get(col).map_or("?", String::as_str)
    }

    /// Column `col` as a finite number; `name` is the column's name, for the error.
    pub fn num(&self, col: usize, name: &str) -> Result<f64> {
        let text = self.text(col);
        match text.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.error(format!("`{name}` = {text:?} is not a number"))),
        }
    }

    /// Column `col` as a number, or `None` when empty.
    pub fn opt_num(&self, col: usize, name: &str) -> Result<Option<f64>> {
        if self.text(col).trim().is_empty() {
            Ok(None)
        } else {
            self.num(col, name).map(Some)
        }
    }

    /// An error at this row.
    pub fn error(&self, message: String) -> SimError {
        bad(self.path, Some(self.line), message)
    }
}
