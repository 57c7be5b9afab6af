//! The trace's view of an output folder's CSV files: the columns it needs, asked for by name
//! and then read by their place in the request, with the checks its values need (times not
//! negative, stretches in order), on the shared reader of [`crate::output::read_back`].

use crate::error::{Result, SimError};
use crate::output::read_back::{self, Csv};
use std::path::Path;
#[cfg(test)]
use std::path::PathBuf;

/// One CSV file of an output folder, read a row at a time.
pub(super) struct CsvFile {
    csv: Csv,
    /// The index of each column asked for, in the order asked (`None`: optional and absent).
    columns: Vec<Option<usize>>,
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
    if !must_exist && !path.exists() {
        return Ok(None);
    }
    let csv = Csv::open(&path)?;
    let mut columns = Vec::new();
    for c in required {
        if !csv.has(c) {
            return Err(csv.header_error(format!(
                "no column `{c}` in the header (needed: {}); is this a sim output folder?",
                required.join(",")
            )));
        }
        columns.push(csv.column(c).ok());
    }
    columns.extend(optional.iter().map(|c| csv.column(c).ok()));
    Ok(Some(CsvFile { csv, columns }))
}

impl CsvFile {
    /// The next row, or `None` at the end of the file.
    pub(super) fn next_row(&mut self) -> Result<Option<Row<'_>>> {
        let columns = &self.columns;
        Ok(self.csv.next_row()?.map(|row| Row { row, columns }))
    }
}

/// One row of a [`CsvFile`], its fields by the column's place in the `open` call.
pub(super) struct Row<'a> {
    row: read_back::Row<'a>,
    columns: &'a [Option<usize>],
}

impl Row<'_> {
    /// An error at this row's line.
    pub(super) fn error(&self, message: &str) -> SimError {
        self.row.error(message.to_string())
    }

    /// The text of column `i` (empty for an optional column that is absent).
    pub(super) fn text(&self, i: usize) -> &str {
        self.columns[i].map_or("", |c| self.row.text(c))
    }

    /// Column `i`'s header name, for messages.
    fn name(&self, i: usize) -> &str {
        self.columns[i].map_or("?", |c| self.row.name(c))
    }

    /// Column `i` as a finite number >= 0 (a time in ms or s, a count, a share).
    pub(super) fn number(&self, i: usize) -> Result<f64> {
        match self.signed(i) {
            Ok(v) if v >= 0.0 => Ok(v),
            _ => Err(self.error(&format!(
                "`{}` = {:?} is not a number >= 0",
                self.name(i),
                self.text(i)
            ))),
        }
    }

    /// Column `i` as a signed finite number (a scale decision's add or drain).
    pub(super) fn signed(&self, i: usize) -> Result<f64> {
        match self.columns[i] {
            Some(c) => self.row.num(c, self.name(i)),
            None => Err(self.error("a column it needs is not in the file")),
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
        let d = crate::test_support::scratch_dir("sim-te-read", name);
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
