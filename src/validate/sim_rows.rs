//! `sim validate --rows DIR`: the simulated invocations and summaries, written as files beside
//! the harness's measured ones so that scripts can read both the same way.
//!
//! A row carries, besides arrival, start and end, what the body's thread did in the body, from
//! the thread states sim records for the runs whose rows are written:
//! - `inner_start_ms` and `inner_end_ms`, where the body blocks: when its first blocking call
//!   began, and when its code ran again after it, holding the GIL. The harness writes the
//!   same two columns for the bodies that run CPU then sleep (`time.perf_counter()` around the
//!   sleep), so the CPU part and the wait for the GIL after the sleep can be set beside the
//!   machine's.
//! - `gil_wait_ms`: how long the body's thread waited for the GIL during the body. The
//!   machine cannot see that wait, but its `--schedstat` rows give a body's wall time, CPU
//!   time and run-queue wait; what is left is time off the CPUs, the GIL wait among it.
//! - `rx_ms`: when the receiver, holding the GIL, began to handle the request, as the
//!   harness's `rx_ms` path point (with `"schedstat": true`) marks it: the request's way
//!   splits there into its way to the receiver and from the receiver to the body.
//! - `dp_ms`: when the loop, holding the GIL, began to dispatch the request (the harness's
//!   `dp_ms`), which splits the way from the receiver to the body at the loop.

use crate::error::{Result, SimError};
use crate::metrics::thread_states::{StateRow, ThreadName, ThreadState};
use crate::metrics::{InvocationRecord, ThreadLabel};
use crate::runner::RunOutput;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// The header of a simulated invocations file.
const HEADER: &str = "rep,id,worker,thread,arrival_ms,start_ms,end_ms,response_ms,\
                      inner_start_ms,inner_end_ms,gil_wait_ms,rx_ms,dp_ms\n";

/// Writes the simulated invocations of every run, grouped by case, as the harness writes its
/// measured ones (times in ms; `rep` is the recorded repetition, or the simulated one).
pub(super) fn write_simulated_rows<'a>(
    dir: &Path,
    runs: impl Iterator<Item = (&'a Value, Option<u64>, &'a RunOutput)>,
) -> Result<()> {
    create_dir(dir)?;
    let mut files: BTreeMap<String, (String, u64)> = BTreeMap::new();
    for (case, rep, out) in runs {
        let name = case["name"].as_str().unwrap_or("case").to_string();
        let (text, next_rep) = files.entry(name).or_insert_with(|| (HEADER.to_string(), 0));
        let rep = rep.unwrap_or(*next_rep);
        *next_rep += 1;
        let states = states_by_invocation(&out.thread_states);
        for r in &out.rows {
            let body = BodyStates::of(r, states.get(&r.id).map_or(&[][..], Vec::as_slice));
            text.push_str(&row_line(rep, r, &body));
        }
    }
    for (name, (text, _)) in files {
        let path = dir.join(format!("{name}.csv"));
        std::fs::write(&path, text).map_err(|e| write_err(&path, e))?;
    }
    Ok(())
}

/// One line of a simulated invocations file.
fn row_line(rep: u64, r: &InvocationRecord, body: &BodyStates) -> String {
    let ms = |t: Option<u64>| t.map_or(String::new(), |t| format!("{:.4}", t as f64 / 1e6));
    let thread = r.thread.map_or(String::new(), |t| t.to_string());
    format!(
        "{rep},{},{},{thread},{},{},{},{},{},{},{},{},{}\n",
        r.id,
        r.process.map_or(String::new(), |p| p.to_string()),
        ms(Some(r.arrival)),
        ms(r.start),
        ms(r.end),
        ms(r.response),
        ms(body.inner_start),
        ms(body.inner_end),
        ms(r.end.map(|_| body.gil_wait_ns)),
        ms(body.received),
        ms(body.dispatched),
    )
}

/// A run's thread states, by the invocation they were for, in the order they ended.
fn states_by_invocation(states: &[StateRow]) -> HashMap<u64, Vec<&StateRow>> {
    let mut by: HashMap<u64, Vec<&StateRow>> = HashMap::new();
    for s in states {
        if let Some(inv) = s.work.invocation {
            by.entry(inv).or_default().push(s);
        }
    }
    by
}

/// What the thread states of the body's own thread say of one invocation's body.
struct BodyStates {
    /// When its first blocking call began.
    inner_start: Option<u64>,
    /// When its code ran again after that call, holding the GIL: its thread's next Python
    /// stretch, or the body's end if that came first (a body that ends on taking the GIL back
    /// runs no Python stretch after the call).
    inner_end: Option<u64>,
    /// Time its thread waited for the GIL (or, handed it, to wake up) between start and end.
    gil_wait_ns: u64,
    /// When the receiver, holding the GIL, began to handle the request: its first Python
    /// stretch for it (the harness's `rx_ms` path point, taken once `recv` has returned).
    received: Option<u64>,
    /// When the loop, holding the GIL, began to dispatch the request: its first Python
    /// stretch for it (the harness's `dp_ms` path point, at the dispatch coroutine's start).
    dispatched: Option<u64>,
}

impl BodyStates {
    /// `r`'s body, from the states of its invocation (`states`).
    fn of(r: &InvocationRecord, states: &[&StateRow]) -> BodyStates {
        let received = first_python_of(ThreadName::Receiver, states);
        let dispatched = first_python_of(ThreadName::Loop, states);
        let (Some(start), Some(end), Some(label)) = (r.start, r.end, r.thread) else {
            return BodyStates {
                inner_start: None,
                inner_end: None,
                gil_wait_ns: 0,
                received,
                dispatched,
            };
        };
        let mine: Vec<&StateRow> = states
            .iter()
            .copied()
            .filter(|s| is_body_thread(s, r.process, label) && s.end > start && s.start < end)
            .collect();
        let io = mine
            .iter()
            .filter(|s| s.work.state == ThreadState::Io)
            .min_by_key(|s| s.start);
        let resumed = io.and_then(|io| {
            mine.iter()
                .filter(|s| s.work.state == ThreadState::Python && s.start >= io.end)
                .map(|s| s.start)
                .min()
        });
        let gil_wait_ns = mine
            .iter()
            .filter(|s| s.work.state == ThreadState::GilWait)
            .map(|s| s.end.min(end) - s.start.max(start))
            .sum();
        BodyStates {
            inner_start: io.map(|io| io.start),
            inner_end: io.map(|_| resumed.map_or(end, |t| t.min(end))),
            gil_wait_ns,
            received,
            dispatched,
        }
    }
}

/// The start of `thread`'s first Python stretch among an invocation's `states`.
fn first_python_of(thread: ThreadName, states: &[&StateRow]) -> Option<u64> {
    states
        .iter()
        .filter(|s| s.place.thread == thread && s.work.state == ThreadState::Python)
        .map(|s| s.start)
        .min()
}

/// Whether `s` is a stretch of the thread that ran the body (`label`, in `process`).
fn is_body_thread(s: &StateRow, process: Option<u16>, label: ThreadLabel) -> bool {
    let same_thread = match (s.place.thread, label) {
        (ThreadName::Loop, ThreadLabel::Loop) => true,
        (ThreadName::Pool(n), ThreadLabel::Pool(m)) => n == u32::from(m),
        _ => false,
    };
    same_thread && process.is_some_and(|p| s.place.process == u32::from(p))
}

/// Writes every simulated run's summary.json, grouped by case, to `<case>.summaries.json`: a
/// list of `{"rep": recorded repetition or null, "seed_index": i, "summary": {...}}`, for the
/// figures the table does not show (core use, the cores' idle time while threads waited).
/// `runs` gives each run's case name, recorded repetition, seed index and output.
pub(super) fn write_simulated_summaries<'a>(
    dir: &Path,
    runs: impl Iterator<Item = (String, Option<u64>, u32, &'a RunOutput)>,
) -> Result<()> {
    create_dir(dir)?;
    let mut files: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (name, rep, seed_index, out) in runs {
        files.entry(name).or_default().push(serde_json::json!({
            "rep": rep,
            "seed_index": seed_index,
            "summary": &out.summary,
        }));
    }
    for (name, list) in files {
        let path = dir.join(format!("{name}.summaries.json"));
        let text = serde_json::to_string_pretty(&list).map_err(std::io::Error::other);
        text.and_then(|t| std::fs::write(&path, t + "\n"))
            .map_err(|e| write_err(&path, e))?;
    }
    Ok(())
}

fn create_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))
}

fn write_err(path: &Path, source: std::io::Error) -> SimError {
    SimError::Write {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::thread_states::{StretchWork, ThreadPlace};
    use crate::metrics::Outcome;

    const MS: u64 = 1_000_000;

    fn place(thread: ThreadName) -> ThreadPlace {
        ThreadPlace {
            instance: 0,
            process: 1,
            thread,
        }
    }

    fn stretch(thread: ThreadName, state: ThreadState, from_ms: u64, to_ms: u64) -> StateRow {
        StateRow {
            place: place(thread),
            work: StretchWork {
                state,
                function: Some(0),
                invocation: Some(7),
                task: None,
                blocks_loop: false,
            },
            start: from_ms * MS,
            end: to_ms * MS,
        }
    }

    fn record(start_ms: u64, end_ms: u64) -> InvocationRecord {
        InvocationRecord {
            id: 7,
            function: 0,
            arrival: 0,
            start: Some(start_ms * MS),
            end: Some(end_ms * MS),
            response: Some(end_ms * MS),
            process: Some(1),
            thread: Some(ThreadLabel::Pool(2)),
            outcome: Outcome::Succeeded,
            instance: Some(0),
            cold: false,
            settles: 1,
        }
    }

    /// A CPU-then-sleep body on pool thread 2: CPU with a GIL wait inside, the sleep, a wait
    /// for the GIL after it; the loop's GIL wait for the same invocation lies outside.
    fn cpu_then_sleep() -> Vec<StateRow> {
        use ThreadState::*;
        let pool = ThreadName::Pool(2);
        vec![
            stretch(ThreadName::Loop, GilWait, 0, 1),
            stretch(pool, Python, 1, 6),
            stretch(pool, GilWait, 6, 9),
            stretch(pool, Python, 9, 24),
            stretch(pool, Io, 24, 54),
            stretch(pool, GilWait, 54, 58),
            stretch(pool, Python, 58, 59),
            stretch(ThreadName::Loop, GilWait, 59, 62),
        ]
    }

    #[test]
    fn the_inner_stretch_is_the_sleep_and_the_wait_for_the_gil_after_it() {
        let states = cpu_then_sleep();
        let refs: Vec<&StateRow> = states.iter().collect();
        let body = BodyStates::of(&record(1, 59), &refs);
        assert_eq!(body.inner_start, Some(24 * MS));
        assert_eq!(body.inner_end, Some(58 * MS));
        assert_eq!(
            body.gil_wait_ns,
            7 * MS,
            "the pool thread's two waits, not the loop's"
        );
    }

    /// The receiver's and the loop's points: each thread's first Python stretch for the
    /// request, not its waits for the GIL nor its later stretches (the loop's completion).
    #[test]
    fn a_path_point_is_its_thread_s_first_python_for_the_request() {
        let mut states = cpu_then_sleep();
        let refs: Vec<&StateRow> = states.iter().collect();
        let before = BodyStates::of(&record(1, 59), &refs);
        assert_eq!((before.received, before.dispatched), (None, None));
        use ThreadState::*;
        states.push(stretch(ThreadName::Receiver, Python, 2, 3));
        states.push(stretch(ThreadName::Receiver, GilWait, 0, 2));
        states.push(stretch(ThreadName::Loop, Python, 62, 63));
        states.push(stretch(ThreadName::Loop, Python, 3, 4));
        let refs: Vec<&StateRow> = states.iter().collect();
        let after = BodyStates::of(&record(1, 59), &refs);
        assert_eq!(
            (after.received, after.dispatched),
            (Some(2 * MS), Some(3 * MS))
        );
    }

    #[test]
    fn a_body_that_ends_on_taking_the_gil_back_resumes_at_its_end() {
        let states = cpu_then_sleep();
        let refs: Vec<&StateRow> = states[..6].iter().collect();
        let body = BodyStates::of(&record(1, 58), &refs);
        assert_eq!(body.inner_end, Some(58 * MS));
    }

    #[test]
    fn a_body_without_a_blocking_call_has_no_inner_stretch() {
        let states = cpu_then_sleep();
        let refs: Vec<&StateRow> = states[..4].iter().collect();
        let body = BodyStates::of(&record(1, 24), &refs);
        assert_eq!((body.inner_start, body.inner_end), (None, None));
        assert_eq!(body.gil_wait_ns, 3 * MS);
        let line = row_line(0, &record(1, 24), &body);
        assert!(line.ends_with(",24.0000,24.0000,,,3.0000,,\n"), "{line}");
    }
}
