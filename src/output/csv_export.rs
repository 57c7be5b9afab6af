//! invocations.csv and timeseries.csv, streamed to disk while the run goes on, with fixed
//! decimals so the bytes are reproducible.

use super::states_csv::{self, STATES_HEADER, TASKS_HEADER};
use crate::metrics::thread_states::{StateRow, TaskRow};
use crate::metrics::{InvocationRecord, RowSink, TimeseriesRow};
use std::io::{self, Write};

/// Header of invocations.csv.
pub const INVOCATIONS_HEADER: &str =
    "invocation,function,arrival_ms,start_ms,end_ms,response_ms,process,thread,outcome";
/// The column names of one of these headers, in order: how the readers of sim's own files
/// (plots, the trace for Perfetto) name the columns they need.
pub fn header_columns(header: &'static str) -> Vec<&'static str> {
    header.split(',').collect()
}

/// Header of timeseries.csv.
pub const TIMESERIES_HEADER: &str =
    "t_ms,in_flight,queued,busy_threads,gil_held,loop_blocked,cpu_utilisation";
/// The columns timeseries.csv adds when the app scales (a `scale` block); `rejected_429` is
/// the number of 429s in the interval.
pub const FLEET_COLUMNS: &str =
    "instances_ready,instances_starting,instances_draining,queue_length,oldest_age_ms,cold_starts,rejected_429";
/// The column timeseries.csv adds (last) when the run models memory: what every instance
/// held, summed, MB (time average over the interval).
pub const MEMORY_COLUMN: &str = "memory_mb";
/// The columns invocations.csv adds when the app scales: the instance the invocation ran on
/// (empty if it never reached a process) and whether its body met a cold process (`true`:
/// the process had run no body before).
pub const INSTANCE_COLUMNS: &str = "instance,cold";

fn ms(ns: Option<u64>) -> String {
    ns.map_or(String::new(), |v| format!("{:.6}", v as f64 / 1e6))
}

/// A value, or nothing for `None`: a CSV field left empty, written without allocating.
pub(super) struct OrBlank<T>(pub(super) Option<T>);

impl<T: std::fmt::Display> std::fmt::Display for OrBlank<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(v) => v.fmt(f),
            None => Ok(()),
        }
    }
}

/// One invocation: arrival, body start and end, response (ms), process, thread, outcome
/// (with its instance and whether it met a cold process, when the app scales).
fn write_invocation(
    out: &mut impl Write,
    r: &InvocationRecord,
    function_names: &[String],
    scaled: bool,
) -> io::Result<()> {
    let thread = r.thread.map_or(String::new(), |t| t.to_string());
    write!(
        out,
        "{},{},{},{},{},{},{},{},{}",
        r.id,
        function_names[r.function as usize],
        ms(Some(r.arrival)),
        ms(r.start),
        ms(r.end),
        ms(r.response),
        OrBlank(r.process),
        thread,
        r.outcome
    )?;
    if scaled {
        write!(out, ",{},{}", OrBlank(r.instance), r.cold)?;
    }
    writeln!(out)
}

/// One sampling interval (with the fleet's columns when the app scales).
fn write_sample(out: &mut impl Write, r: &TimeseriesRow) -> io::Result<()> {
    write!(
        out,
        "{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6}",
        r.t_ns as f64 / 1e6,
        r.in_flight,
        r.queued,
        r.busy_threads,
        r.gil_held,
        r.loop_blocked,
        r.cpu_utilisation
    )?;
    if let Some(f) = &r.fleet {
        write!(
            out,
            ",{},{},{},{},{:.6},{},{}",
            f.ready,
            f.starting,
            f.draining,
            f.queue_length,
            f.oldest_age_ns as f64 / 1e6,
            f.cold_starts,
            f.rejected_429
        )?;
    }
    if let Some(mb) = r.memory_mb {
        write!(out, ",{mb:.6}")?;
    }
    writeln!(out)
}

/// The optional columns of a run's CSV files.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExtraColumns {
    /// The app scales (a `scale` block): the fleet's and the instance's columns.
    pub fleet: bool,
    /// The run models memory: timeseries.csv's `memory_mb`.
    pub memory: bool,
}

impl ExtraColumns {
    /// The columns a run of `exp` writes.
    pub fn of(exp: &crate::config::Experiment) -> ExtraColumns {
        ExtraColumns {
            fleet: exp.scale.is_some(),
            memory: exp.memory.is_some(),
        }
    }
}

/// The CSV files of a run, filled as rows finish (invocations in the order they finish; sort
/// by `invocation` for arrival order). The first write error stops the run.
pub struct CsvRows<W: Write> {
    invocations: Option<Counted<W>>,
    timeseries: Counted<W>,
    function_names: Vec<String>,
    /// The app scales: the fleet's and the instance's columns are written.
    scaled: bool,
    error: Option<(&'static str, io::Error)>,
    /// thread_states.csv and tasks.csv, when the run records them.
    states: Option<(Counted<W>, Counted<W>)>,
    /// Stop when the files together pass this many bytes (`None`: no limit).
    byte_limit: Option<u64>,
    over_limit: bool,
}

/// A writer that counts the bytes through it.
struct Counted<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> CsvRows<W> {
    /// Writes the headers; `invocations` is `None` when invocations.csv is turned off;
    /// `extra.fleet` adds the fleet's columns to timeseries.csv and the instance's to
    /// invocations.csv, `extra.memory` the memory column to timeseries.csv.
    pub fn new(
        invocations: Option<W>,
        timeseries: W,
        function_names: Vec<String>,
        extra: ExtraColumns,
    ) -> io::Result<CsvRows<W>> {
        let scaled = extra.fleet;
        let count = |inner| Counted { inner, bytes: 0 };
        let mut invocations = invocations.map(count);
        let mut timeseries = count(timeseries);
        if let Some(w) = invocations.as_mut() {
            if scaled {
                writeln!(w, "{INVOCATIONS_HEADER},{INSTANCE_COLUMNS}")?;
            } else {
                writeln!(w, "{INVOCATIONS_HEADER}")?;
            }
        }
        write!(timeseries, "{TIMESERIES_HEADER}")?;
        if scaled {
            write!(timeseries, ",{FLEET_COLUMNS}")?;
        }
        if extra.memory {
            write!(timeseries, ",{MEMORY_COLUMN}")?;
        }
        writeln!(timeseries)?;
        Ok(CsvRows {
            invocations,
            timeseries,
            function_names,
            scaled,
            states: None,
            error: None,
            byte_limit: None,
            over_limit: false,
        })
    }

    /// Also writes thread_states.csv to `states` and tasks.csv to `tasks`.
    pub fn with_thread_states(mut self, states: W, tasks: W) -> io::Result<CsvRows<W>> {
        let count = |inner| Counted { inner, bytes: 0 };
        let (mut states, mut tasks) = (count(states), count(tasks));
        writeln!(states, "{STATES_HEADER}")?;
        writeln!(tasks, "{TASKS_HEADER}")?;
        self.states = Some((states, tasks));
        Ok(self)
    }

    /// Stops the run once the files pass `bytes` together.
    pub fn with_byte_limit(mut self, bytes: u64) -> CsvRows<W> {
        self.byte_limit = Some(bytes);
        self
    }

    fn written(&self) -> u64 {
        self.timeseries.bytes
            + self.invocations.as_ref().map_or(0, |w| w.bytes)
            + self.states.as_ref().map_or(0, |(s, t)| s.bytes + t.bytes)
    }

    fn check_limit(&mut self) {
        if self.byte_limit.is_some_and(|l| self.written() > l) {
            self.over_limit = true;
        }
    }

    /// Flushes both files; the first error of the run, with the file it happened in.
    pub fn finish(mut self) -> Result<(), (&'static str, io::Error)> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if let Some(w) = self.invocations.as_mut() {
            w.flush().map_err(|e| ("invocations.csv", e))?;
        }
        if let Some((states, tasks)) = self.states.as_mut() {
            states.flush().map_err(|e| ("thread_states.csv", e))?;
            tasks.flush().map_err(|e| ("tasks.csv", e))?;
        }
        self.timeseries.flush().map_err(|e| ("timeseries.csv", e))
    }

    fn note(&mut self, file: &'static str, result: io::Result<()>) {
        if let (None, Err(e)) = (&self.error, result) {
            self.error = Some((file, e));
        }
    }
}

impl<W: Write> RowSink for CsvRows<W> {
    fn invocations(&mut self, rows: &[InvocationRecord]) {
        let (Some(w), None) = (self.invocations.as_mut(), &self.error) else {
            return;
        };
        let (names, scaled) = (&self.function_names, self.scaled);
        let result = rows
            .iter()
            .try_for_each(|r| write_invocation(w, r, names, scaled));
        self.note("invocations.csv", result);
        self.check_limit();
    }

    fn timeseries(&mut self, rows: &[TimeseriesRow]) {
        if self.error.is_some() {
            return;
        }
        let w = &mut self.timeseries;
        let result = rows.iter().try_for_each(|r| write_sample(w, r));
        self.note("timeseries.csv", result);
        self.check_limit();
    }

    fn thread_states(&mut self, rows: &[StateRow]) {
        let (Some((w, _)), None) = (self.states.as_mut(), &self.error) else {
            return;
        };
        let names = &self.function_names;
        let result = rows
            .iter()
            .try_for_each(|r| states_csv::write_state(w, r, names));
        self.note("thread_states.csv", result);
        self.check_limit();
    }

    fn tasks(&mut self, rows: &[TaskRow]) {
        let (Some((_, w)), None) = (self.states.as_mut(), &self.error) else {
            return;
        };
        let names = &self.function_names;
        let result = rows
            .iter()
            .try_for_each(|r| states_csv::write_task(w, r, names));
        self.note("tasks.csv", result);
        self.check_limit();
    }

    fn failure(&self) -> Option<String> {
        if let Some((file, e)) = &self.error {
            return Some(format!("writing {file} failed: {e}"));
        }
        self.over_limit.then(|| {
            format!(
                "the output files passed {}, the limit on output files, although the estimate before the run was below it; add --yes to allow larger files, or raise output.timeseries_interval_ms, use --no-invocations or set a horizon_s",
                crate::units::bytes(self.byte_limit.unwrap_or(0) as f64)
            )
        })
    }
}

/// scaling.csv: one row per scale decision (`summary.json` holds the same rows).
pub fn scaling_csv(sc: &crate::metrics::summary::ScalingSummary) -> String {
    let mut out = Vec::new();
    write_scaling_csv(&mut out, sc).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("the rows are UTF-8")
}

/// scaling.csv written to `w` row by row (a run's decisions can be millions: never one string).
pub fn write_scaling_csv(
    w: &mut impl std::io::Write,
    sc: &crate::metrics::summary::ScalingSummary,
) -> std::io::Result<()> {
    w.write_all(
        b"t_s,ready,starting,draining,queue_length,oldest_age_s,desired,add,drain,reason\n",
    )?;
    for d in &sc.decisions {
        writeln!(
            w,
            "{},{},{},{},{},{},{},{},{},\"{}\"",
            d.t_s,
            d.ready,
            d.starting,
            d.draining,
            d.queue_length,
            d.oldest_age_s,
            d.desired,
            d.add,
            d.drain,
            d.reason.replace('"', "\"\"")
        )?;
    }
    Ok(())
}
