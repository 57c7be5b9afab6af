//! Arrival times from a CSV file (a recorded trace, or the ground truth's sample paths).
//!
//! The file needs a header row; one column holds arrival times, in milliseconds or, when the
//! column's name ends in `_s`, in seconds. Rows may be filtered on another column's value
//! (the ground truth stores three repetitions in one file, told apart by `rep`). A broken row is
//! an error naming the file, the line, the column and the value; an arrival must lie within a
//! year of the start ([`limits::REPLAY_MS`]).

use crate::config::limits::{self, Real};
use crate::config::raw::Num;
use crate::error::{Result, SimError};
use std::path::Path;

/// Reads, filters and sorts the arrival instants (ns) of `column` in `path`.
pub fn read_arrivals(
    path: &Path,
    column: &str,
    filter: Option<&(String, String)>,
) -> Result<Vec<u64>> {
    let fail = |line: usize, message: String| SimError::Trace {
        file: path.to_path_buf(),
        line,
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| match e.into_kind() {
            csv::ErrorKind::Io(source) => SimError::Read {
                path: path.to_path_buf(),
                source,
            },
            other => fail(1, format!("{other:?}")),
        })?;
    let headers = reader
        .headers()
        .map_err(|e| fail(1, e.to_string()))?
        .clone();
    let find = |name: &str| {
        headers.iter().position(|h| h == name).ok_or_else(|| {
            let have: Vec<&str> = headers.iter().collect();
            fail(
                1,
                format!("no column `{name}`; the header has: {}", have.join(", ")),
            )
        })
    };
    let time_col = find(column)?;
    let filter_col = match filter {
        Some((name, value)) => Some((find(name)?, value.as_str())),
        None => None,
    };
    let unit = ArrivalUnit::of(column);
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| fail(line, format!("unreadable row: {e}")))?;
        if let Some((col, wanted)) = filter_col {
            if record.get(col) != Some(wanted) {
                continue;
            }
        }
        let cell = record.get(time_col).unwrap_or("");
        let ns = unit.ns(cell).map_err(|(value, what)| {
            let at = time_col + 1;
            fail(
                line,
                format!(
                    "`{column}` (column {at}) = {value} {what}: allowed {}",
                    unit.allowed
                ),
            )
        })?;
        out.push(ns);
    }
    out.sort_unstable();
    Ok(out)
}

/// The unit of an arrival column: seconds when its name ends in `_s`, else milliseconds.
pub struct ArrivalUnit {
    allowed: &'static Real,
    ns_per_unit: f64,
}

impl ArrivalUnit {
    /// The unit of column `column`.
    pub fn of(column: &str) -> ArrivalUnit {
        if column.ends_with("_s") {
            ArrivalUnit {
                allowed: &limits::REPLAY_S,
                ns_per_unit: 1e9,
            }
        } else {
            ArrivalUnit {
                allowed: &limits::REPLAY_MS,
                ns_per_unit: 1e6,
            }
        }
    }

    /// The arrival instant written in `cell`, in ns; or the value as shown and what is wrong.
    pub fn ns(&self, cell: &str) -> std::result::Result<u64, (String, &'static str)> {
        let n = Num::from_text(cell);
        match self.allowed.check(&n) {
            Ok(v) => Ok((v * self.ns_per_unit).round() as u64),
            Err(fault) => Err((n.to_string(), fault.what())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> std::path::PathBuf {
        let dir = crate::test_support::scratch_dir("sim-trace", name);
        let p = dir.join("a.csv");
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn reads_filters_and_sorts() {
        let p = write("ok", "rep,arrival_ms\n0,5.5\n1,1\n0,2\n");
        let rep = ("rep".to_string(), "0".to_string());
        assert_eq!(
            read_arrivals(&p, "arrival_ms", Some(&rep)).unwrap(),
            vec![2_000_000, 5_500_000]
        );
    }

    #[test]
    fn arrivals_must_be_numbers_within_a_year() {
        for (cell, shown, what) in [
            ("NaN", "NaN", "is out of range"),
            ("-1", "-1", "is out of range"),
            ("1e300", "1e300", "is out of range"),
            ("soon", "\"soon\"", "is not a number"),
        ] {
            let p = write(
                &format!("range-{shown}"),
                &format!("rep,arrival_ms\n0,1\n0,{cell}\n"),
            );
            let err = read_arrivals(&p, "arrival_ms", None)
                .unwrap_err()
                .to_string();
            let want = format!(
                "a.csv:3: `arrival_ms` (column 2) = {shown} {what}: allowed 0 <= ms <= 3.1536e10"
            );
            assert!(err.contains(&want), "{err}");
        }
        let p = write("seconds", "arrival_s\n31536000\n");
        assert_eq!(
            read_arrivals(&p, "arrival_s", None).unwrap(),
            vec![31_536_000_000_000_000]
        );
        let p = write("late", "arrival_s\n31536001\n");
        let err = read_arrivals(&p, "arrival_s", None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("allowed 0 <= seconds <= 31536000"), "{err}");
    }

    #[test]
    fn a_broken_row_names_its_line() {
        let p = write("bad", "arrival_ms\n1\nabc\n");
        let err = read_arrivals(&p, "arrival_ms", None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("a.csv:3"), "{err}");
        assert!(err.contains("\"abc\""), "{err}");
        let err = read_arrivals(&p, "t", None).unwrap_err().to_string();
        assert!(
            err.contains("no column `t`") && err.contains("arrival_ms"),
            "{err}"
        );
    }
}
