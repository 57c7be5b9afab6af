//! The asyncio tasks of tasks.csv as nestable async spans, one track per body: a gather
//! branch or executor call goes on the track of the task awaiting it, nested under it, when it
//! lies inside it and after every sibling already nested there (spans of one id must nest);
//! an overlapping sibling gets a track of its own (its own task number as id).
//!
//! tasks.csv is in the order tasks end, so a task's children come before it: they wait, in a
//! tree under their parent's number, until the parent's row comes (memory: the tasks alive at
//! once). Children whose parent never comes (it lies outside the window) are tracks of their
//! own at the end.

use super::lanes::each_row;
use super::read::Row;
use super::write::{Arg, At, Trace};
use super::{Sources, Window};
use crate::error::Result;
use std::collections::BTreeMap;
use std::io::Write;

const TASK_COLUMNS: [&str; 9] = [
    "task",
    "parent",
    "invocation",
    "function",
    "instance",
    "process",
    "kind",
    "start_ms",
    "end_ms",
];

/// One task in the window, clipped, with the tasks it awaited.
struct Span {
    task: u64,
    pid: u32,
    tid: u32,
    name: String,
    kind: String,
    function: String,
    invocation: Option<u64>,
    parent: Option<u64>,
    from: f64,
    to: f64,
    children: Vec<Span>,
}

/// The task spans of tasks.csv that overlap the window, clipped to it; how many, or `None`
/// when the folder has no tasks.csv.
pub(super) fn tasks<W: Write>(
    trace: &mut Trace<W>,
    src: &Sources,
    window: Window,
) -> Result<Option<u64>> {
    let mut waiting: BTreeMap<u64, Vec<Span>> = BTreeMap::new();
    let shown = each_row(src, "tasks.csv", &TASK_COLUMNS, |row| {
        let Some(mut span) = span(trace, src, row, window)? else {
            return Ok(false);
        };
        span.children = waiting.remove(&span.task).unwrap_or_default();
        match span.parent {
            Some(p) => waiting.entry(p).or_default().push(span),
            None => emit(trace, src, span, None)?,
        }
        Ok(true)
    })?;
    for orphan in waiting.into_values().flatten() {
        emit(trace, src, orphan, None)?;
    }
    Ok(shown)
}

/// The task of `row`, clipped to the window, or `None` outside it.
fn span<W: Write>(
    trace: &mut Trace<W>,
    src: &Sources,
    row: &Row,
    window: Window,
) -> Result<Option<Span>> {
    let (start, end) = row.span(7, 8)?;
    let task = row.whole(0)?;
    let kind = row.text(6);
    let function = row.text(3);
    let invocation = row.maybe_whole(2)?;
    let of = match invocation {
        Some(i) => format!("{function} #{i}"),
        None => function.to_string(),
    };
    let name = match kind {
        "body" => of,
        "branch" => format!("{of} gather branch"),
        "executor" => format!("{of} run_in_executor"),
        other => {
            return Err(row.error(&format!(
                "`kind` = {other:?} is not one of body, branch, executor"
            )))
        }
    };
    let parent = row.maybe_whole(1)?;
    let Some((from, to)) = window.clip(start, end) else {
        return Ok(None);
    };
    let pid = trace
        .worker(row.whole(4)?, row.whole(5)?)
        .map_err(|e| src.failed(e))?;
    let tid = trace.thread(pid, "loop").map_err(|e| src.failed(e))?;
    Ok(Some(Span {
        task,
        pid,
        tid,
        name,
        kind: kind.to_string(),
        function: function.to_string(),
        invocation,
        parent,
        from,
        to,
        children: Vec::new(),
    }))
}

/// Writes `span` on track `id` (its own task number when `None`) and its children: nested on
/// the same track when they fit, each on a track of its own otherwise.
fn emit<W: Write>(trace: &mut Trace<W>, src: &Sources, span: Span, id: Option<u64>) -> Result<()> {
    let id = id.unwrap_or(span.task);
    let mut args = vec![
        ("kind", Arg::Text(&span.kind)),
        ("task", Arg::Int(span.task)),
    ];
    if !span.function.is_empty() {
        args.push(("function", Arg::Text(&span.function)));
    }
    if let Some(i) = span.invocation {
        args.push(("invocation", Arg::Int(i)));
    }
    if let Some(p) = span.parent {
        args.push(("parent", Arg::Int(p)));
    }
    let at = |ms| At {
        pid: span.pid,
        tid: span.tid,
        name: &span.name,
        cat: "task",
        ms,
    };
    let failed = |e| src.failed(e);
    trace
        .async_begin(&at(span.from), id, &args)
        .map_err(failed)?;
    let mut children = span.children;
    children.sort_by(|a, b| a.from.total_cmp(&b.from).then(a.to.total_cmp(&b.to)));
    let mut apart = Vec::new();
    let mut free_from = span.from;
    for child in children {
        if child.from >= free_from && child.to <= span.to {
            free_from = child.to;
            emit(trace, src, child, Some(id))?;
        } else {
            apart.push(child);
        }
    }
    trace.async_end(&at(span.to), id).map_err(failed)?;
    for child in apart {
        emit(trace, src, child, None)?;
    }
    Ok(())
}
