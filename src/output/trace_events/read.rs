//! Reading an output folder's CSV files row by row, columns found by name in the header, every
//! bad value an error naming the file and its line.

use crate::error::{Result, SimError};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// One CSV file of an output folder, read a row at a time.
pub(super) struct CsvFile {
    path: PathBuf,
    reader: csv::Reader<BufReader<File>>,
    record: csv::StringRecord,
    header: csv::StringRecord,
    /// The index of each column asked for, in the order asked (`None`: optional and absent).
    columns: Vec<Option<usize>>,
    line: usize,
}

/// Opens `dir/name` and finds the `required` and `optional` columns in its header, in that
/// order. A missing file is `Ok(None)` unless `must_exist`.
pub(super) fn open(
    dir: &Path,
    name: &str,
    must_exist: bool,
    required: &[&str],
    optional: &[&str],
) -> Result<Option<CsvFile>> {
    let path = dir.join(name);
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => return Ok(None),
        Err(source) => return Err(SimError::Read { path, source }),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(BufReader::new(file));
    let header = reader
        .headers()
        .map_err(|e| broken(&path, 1, &format!("unreadable header: {e}")))?
        .clone();
    let find = |c: &&str| header.iter().position(|h| h == *c);
    let mut columns = Vec::new();
    for c in required {
        let Some(i) = find(c) else {
            let message = format!(
                "no column `{c}` in the header (needed: {}); is this a sim output folder?",
                required.join(",")
            );
            return Err(broken(&path, 1, &message));
        };
        columns.push(Some(i));
    }
    columns.extend(optional.iter().map(find));
    Ok(Some(CsvFile {
        path,
        reader,
        record: csv::StringRecord::new(),
        header,
        columns,
        line: 1,
    }))
}

fn broken(path: &Path, line: usize, message: &str) -> SimError {
    SimError::Trace {
        file: path.to_path_buf(),
        line,
        message: message.to_string(),
    }
}

impl CsvFile {
    /// The next row, or `None` at the end of the file.
    pub(super) fn next_row(&mut self) -> Result<Option<Row<'_>>> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                self.line = self
                    .record
                    .position()
                    .map_or(self.line + 1, |p| p.line() as usize);
                Ok(Some(Row { file: self }))
            }
            Err(e) => {
                let line = e.position().map_or(self.line + 1, |p| p.line() as usize);
                Err(broken(&self.path, line, &format!("not a CSV row: {e}")))
            }
        }
    }
}

/// One row of a [`CsvFile`], its fields by the column's place in the `open` call.
pub(super) struct Row<'a> {
    file: &'a CsvFile,
}

impl Row<'_> {
    /// An error at this row's line.
    pub(super) fn error(&self, message: &str) -> SimError {
        broken(&self.file.path, self.file.line, message)
    }

    /// The text of column `i` (empty for an optional column that is absent).
    pub(super) fn text(&self, i: usize) -> &str {
        self.file.columns[i]
            .and_then(|c| self.file.record.get(c))
            .unwrap_or("")
    }

    /// Column `i`'s header name, for messages.
    fn name(&self, i: usize) -> String {
        self.file.columns[i]
            .and_then(|c| self.file.header.get(c))
            .unwrap_or("?")
            .to_string()
    }

    /// Column `i` as a finite number >= 0 (a time in ms or s, a count, a share).
    pub(super) fn number(&self, i: usize) -> Result<f64> {
        let text = self.text(i);
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(self.error(&format!(
                "`{}` = {text:?} is not a number >= 0",
                self.name(i)
            ))),
        }
    }

    /// Column `i` as a signed finite number (a scale decision's add or drain).
    pub(super) fn signed(&self, i: usize) -> Result<f64> {
        let text = self.text(i);
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.error(&format!("`{}` = {text:?} is not a number", self.name(i)))),
        }
    }

    /// Column `i` as a whole number >= 0.
    pub(super) fn whole(&self, i: usize) -> Result<u64> {
        let text = self.text(i);
        text.parse::<u64>().map_err(|_| {
            self.error(&format!(
                "`{}` = {text:?} is not a whole number >= 0",
                self.name(i)
            ))
        })
    }

    /// Column `i` as a whole number, or `None` when empty.
    pub(super) fn maybe_whole(&self, i: usize) -> Result<Option<u64>> {
        if self.text(i).is_empty() {
            Ok(None)
        } else {
            self.whole(i).map(Some)
        }
    }

    /// Columns `start` and `end` as a stretch of time, end not before start.
    pub(super) fn span(&self, start: usize, end: usize) -> Result<(f64, f64)> {
        let (a, b) = (self.number(start)?, self.number(end)?);
        if b < a {
            return Err(self.error(&format!(
                "`{}` = {b} is before `{}` = {a}",
                self.name(end),
                self.name(start)
            )));
        }
        Ok((a, b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str, file: &str, text: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("sim-te-read-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join(file), text).unwrap();
        d
    }

    #[test]
    fn columns_are_found_by_name_and_bad_values_name_their_line() {
        let d = folder("bad", "x.csv", "b,a\n1,2\n3,oops\n");
        let mut f = open(&d, "x.csv", true, &["a", "b"], &["c"])
            .unwrap()
            .unwrap();
        let row = f.next_row().unwrap().unwrap();
        assert_eq!((row.number(0).unwrap(), row.number(1).unwrap()), (2.0, 1.0));
        assert_eq!(row.text(2), "");
        let row = f.next_row().unwrap().unwrap();
        let err = row.number(0).unwrap_err().to_string();
        assert!(err.contains("x.csv:3:") && err.contains("`a`"), "{err}");
    }

    #[test]
    fn a_missing_column_or_file_is_named() {
        let d = folder("missing", "x.csv", "b\n1\n");
        let err = open(&d, "x.csv", true, &["a"], &[])
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("x.csv:1:") && err.contains("`a`"), "{err}");
        assert!(open(&d, "y.csv", false, &["a"], &[]).unwrap().is_none());
        let err = open(&d, "y.csv", true, &["a"], &[]).err().unwrap();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("y.csv"));
    }

    #[test]
    fn a_stretch_that_ends_before_it_starts_is_refused() {
        let d = folder("span", "x.csv", "s,e\n2,1\n");
        let mut f = open(&d, "x.csv", true, &["s", "e"], &[]).unwrap().unwrap();
        let row = f.next_row().unwrap().unwrap();
        assert!(row.span(0, 1).is_err());
    }
}
