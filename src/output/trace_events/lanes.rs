//! The worker processes' thread lanes: a track per thread with its states as slices, from
//! thread_states.csv.

use super::read::{open, Row};
use super::write::{Arg, At, Trace};
use super::{Sources, Window};
use crate::error::Result;
use crate::output::csv_export::header_columns;
use crate::output::states_csv::STATES_HEADER;
use std::io::Write;

/// A thread state's slice name, category and reserved colour.
fn state_look(state: &str) -> Option<(&'static str, &'static str, &'static str)> {
    Some(match state {
        "python" => ("Python (GIL held)", "python", "thread_state_running"),
        "gil_wait" => ("GIL wait", "gil_wait", "thread_state_runnable"),
        "io" => ("I/O", "io", "thread_state_iowait"),
        "native" => ("native", "native", "olive"),
        _ => return None,
    })
}

/// The slices of thread_states.csv that overlap the window, clipped to it; how many, or
/// `None` when the folder has no thread_states.csv.
pub(super) fn thread_states<W: Write>(
    trace: &mut Trace<W>,
    src: &Sources,
    window: Window,
) -> Result<Option<u64>> {
    each_row(
        src,
        "thread_states.csv",
        &header_columns(STATES_HEADER),
        |row| {
            let (start, end) = row.span(4, 5)?;
            let (name, cat, cname) = state_look(row.text(3)).ok_or_else(|| {
                row.error(&format!(
                    "`state` = {:?} is not one of python, gil_wait, io, native",
                    row.text(3)
                ))
            })?;
            let blocks_loop = match row.text(9) {
                "0" => false,
                "1" => true,
                other => return Err(row.error(&format!("`blocks_loop` = {other:?} is not 0 or 1"))),
            };
            let thread = row.text(2);
            if thread.is_empty() {
                return Err(row.error("`thread` is empty"));
            }
            let Some((from, to)) = window.clip(start, end) else {
                return Ok(false);
            };
            let function = row.text(6);
            let pid = trace
                .worker(row.whole(0)?, row.whole(1)?)
                .map_err(|e| src.failed(e))?;
            let tid = trace.thread(pid, thread).map_err(|e| src.failed(e))?;
            let blocked = blocks_loop.then(|| {
                let by = if function.is_empty() {
                    "the worker's own code"
                } else {
                    function
                };
                format!("loop BLOCKED by {by}")
            });
            let (name, cat, cname) = match &blocked {
                Some(b) => (b.as_str(), "loop_blocked", "terrible"),
                None => (name, cat, cname),
            };
            let args = ids(row, 6, 7, 8, row.text(3))?;
            let at = At {
                pid,
                tid,
                name,
                cat,
                ms: from,
            };
            trace
                .complete(&at, to, cname, &args)
                .map_err(|e| src.failed(e))?;
            Ok(true)
        },
    )
}

/// Calls `show` on each row of `dir/name` (columns `columns`, in order); how many rows it
/// showed, or `None` when the file is absent.
pub(super) fn each_row(
    src: &Sources,
    name: &str,
    columns: &[&str],
    mut show: impl FnMut(&Row) -> Result<bool>,
) -> Result<Option<u64>> {
    let Some(mut file) = open(src.dir, name, false, columns, &[])? else {
        return Ok(None);
    };
    let mut shown = 0;
    while let Some(row) = file.next_row()? {
        shown += u64::from(show(&row)?);
    }
    Ok(Some(shown))
}

/// A slice's args: its state or kind, and the function, invocation and task it is for (each
/// left out when empty).
fn ids<'r>(
    row: &'r Row,
    function: usize,
    invocation: usize,
    task: usize,
    what: &'r str,
) -> Result<Vec<(&'static str, Arg<'r>)>> {
    let mut args = vec![("state", Arg::Text(what))];
    if !row.text(function).is_empty() {
        args.push(("function", Arg::Text(row.text(function))));
    }
    if let Some(i) = row.maybe_whole(invocation)? {
        args.push(("invocation", Arg::Int(i)));
    }
    if let Some(t) = row.maybe_whole(task)? {
        args.push(("task", Arg::Int(t)));
    }
    Ok(args)
}
