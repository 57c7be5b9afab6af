//! invocations.csv and timeseries.csv, with fixed decimals so the bytes are reproducible.

use crate::metrics::{InvocationRecord, TimeseriesRow};
use std::fmt::Write;

fn ms(ns: Option<u64>) -> String {
    ns.map_or(String::new(), |v| format!("{:.6}", v as f64 / 1e6))
}

/// One row per invocation: arrival, body start and end, response (ms), process, thread, outcome.
pub fn invocations_csv(rows: &[InvocationRecord], function_names: &[String]) -> String {
    let mut s = String::with_capacity(64 * (rows.len() + 1));
    s.push_str(
        "invocation,function,arrival_ms,start_ms,end_ms,response_ms,process,thread,outcome\n",
    );
    for r in rows {
        let thread = r.thread.map_or(String::new(), |t| t.to_string());
        let _ = writeln!(
            s,
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
        );
    }
    s
}

/// One row per sampling interval.
pub fn timeseries_csv(rows: &[TimeseriesRow]) -> String {
    let mut s =
        String::from("t_ms,in_flight,queued,busy_threads,gil_held,loop_blocked,cpu_utilisation\n");
    for r in rows {
        let _ = writeln!(
            s,
            "{:.6},{:.6},{:.6},{:.6},{:.6},{:.6},{:.6}",
            r.t_ns as f64 / 1e6,
            r.in_flight,
            r.queued,
            r.busy_threads,
            r.gil_held,
            r.loop_blocked,
            r.cpu_utilisation
        );
    }
    s
}
