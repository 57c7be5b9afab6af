//! invocations.csv and timeseries.csv, streamed, with fixed decimals so the bytes are
//! reproducible.

use crate::metrics::{InvocationRecord, TimeseriesRow};
use std::io::{self, Write};

fn ms(ns: Option<u64>) -> String {
    ns.map_or(String::new(), |v| format!("{:.6}", v as f64 / 1e6))
}

/// One row per invocation: arrival, body start and end, response (ms), process, thread,
/// outcome.
pub fn write_invocations(
    out: &mut impl Write,
    rows: &[InvocationRecord],
    function_names: &[String],
) -> io::Result<()> {
    writeln!(
        out,
        "invocation,function,arrival_ms,start_ms,end_ms,response_ms,process,thread,outcome"
    )?;
    for r in rows {
        let thread = r.thread.map_or(String::new(), |t| t.to_string());
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            r.id,
            function_names[r.function as usize],
            ms(Some(r.arrival)),
            ms(r.start),
            ms(r.end),
            ms(r.response),
            r.process,
            thread,
            r.outcome
        )?;
    }
    Ok(())
}

/// One row per sampling interval.
pub fn write_timeseries(out: &mut impl Write, rows: &[TimeseriesRow]) -> io::Result<()> {
    writeln!(
        out,
        "t_ms,in_flight,queued,busy_threads,gil_held,loop_blocked,cpu_utilisation"
    )?;
    for r in rows {
        writeln!(
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
    }
    Ok(())
}
