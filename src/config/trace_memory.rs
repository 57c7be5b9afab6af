//! A 2019 trace's `app_memory_percentiles` file joined to the memory model: the app's average
//! allocated memory (`AverageAllocatedMb`) is read as what one instance of it holds, host and
//! workers together, so each worker process holds at rest
//! (AverageAllocatedMb - host_mb) / processes, of which `worker_base_mb` is the bare worker and
//! the rest its imports (`memory.imports_mb`, unless the experiment sets it). That reading of
//! the column is sim's (UNVERIFIED): the trace says only "allocated memory" per app.
//!
//! sim models one function app per experiment, so the functions kept must all belong to one
//! app (choose them with `functions`, `top` or `sample_apps`); a grouped rest, which mixes
//! apps, cannot be joined.

use super::checker::Checker;
use super::trace::{RawTrace, Rest};
use super::{FunctionSpec, Workload};
use crate::error::Result;
use crate::workload::trace_rows::{bad, CsvCursor, TraceFormat};
use std::collections::BTreeSet;
use std::path::Path;

/// The columns the file must have.
const COLUMNS: [&str; 2] = ["HashApp", "AverageAllocatedMb"];

impl Checker {
    /// The kept app's average allocated memory, MB, when `app_memory` is given (`None` after
    /// recording why it cannot be joined). `Err` only for an unreadable file or a bad cell.
    pub(super) fn trace_app_memory(
        &mut self,
        t: &RawTrace,
        base: &Path,
        specs: &[FunctionSpec],
    ) -> Result<Option<f64>> {
        let Some(rel) = &t.app_memory else {
            return Ok(None);
        };
        let field = "trace.app_memory";
        let value = format!("{rel:?}");
        let file = base.join(rel);
        if t.format != TraceFormat::Azure2019 {
            self.bad(
                field,
                value,
                "only with format: Azure2019 (the 2019 trace's app_memory_percentiles file)",
            );
            return Ok(None);
        }
        if t.rest == Some(Rest::Grouped) {
            self.bad(field, value, "without rest: Grouped (the grouped rest mixes apps; sim models one app per experiment)");
            return Ok(None);
        }
        if !file.is_file() {
            let allowed = format!("a file that exists ({} is not a file; paths are relative to the experiment file's folder)", file.display());
            self.bad(field, value, &allowed);
            return Ok(None);
        }
        let apps = kept_apps(specs);
        if apps.len() != 1 {
            let allowed = format!("the functions kept from one app (these come from {}: narrow them with functions, top or sample_apps)", apps.len());
            self.bad(field, value, &allowed);
            return Ok(None);
        }
        let app = apps.into_iter().next().unwrap_or_default();
        let mb = read_app_memory(&file, &app)?;
        if mb.is_none() {
            let allowed = format!("a file with a row for the app kept ({app})");
            self.bad(field, value, &allowed);
        }
        Ok(mb)
    }
}

/// The apps of the trace functions in `specs` (`HashApp` of `HashApp/HashFunction`).
fn kept_apps(specs: &[FunctionSpec]) -> BTreeSet<String> {
    specs
        .iter()
        .filter_map(|f| match &f.workload {
            Workload::Trace(src) => src.key.split('/').next().map(str::to_string),
            _ => None,
        })
        .collect()
}

/// `AverageAllocatedMb` of `app` in `path` (`None`: no row for it); a bad cell is an error
/// naming the file, line, column and value.
fn read_app_memory(path: &Path, app: &str) -> Result<Option<f64>> {
    let mut csv = CsvCursor::open(path)?;
    let find = |n: &str| csv.headers.iter().position(|h| h == n);
    let (Some(app_col), Some(mb_col)) = (find(COLUMNS[0]), find(COLUMNS[1])) else {
        return Err(bad(
            path,
            1,
            format!(
                "missing column(s) for the 2019 app memory ({}); the header has: {}",
                COLUMNS.join(", "),
                csv.headers.join(",")
            ),
        ));
    };
    while csv.advance()? {
        if csv.record.get(app_col).map(str::trim) != Some(app) {
            continue;
        }
        let cell = csv.record.get(mb_col).unwrap_or("").trim();
        let mb = cell
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0);
        return match mb {
            Some(mb) => Ok(Some(mb)),
            None => Err(bad(
                path,
                csv.line,
                format!(
                    "`AverageAllocatedMb` (column {}) = {cell:?} is not a size: allowed MB >= 0",
                    mb_col + 1
                ),
            )),
        };
    }
    Ok(None)
}
