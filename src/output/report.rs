//! The short terminal summary of a run.

use crate::metrics::summary::{RunSummary, Stats};
use std::fmt::Write;

fn stats_row(o: &mut String, label: &str, s: &Stats, ideal: Option<f64>) {
    let _ = write!(
        o,
        "  {label:<28} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
        s.mean, s.p50, s.p90, s.p99, s.max
    );
    match ideal {
        Some(i) => {
            let _ = writeln!(o, " {i:>9.1}");
        }
        None => o.push('\n'),
    }
}

/// What the report says about the run before its figures.
pub struct Header<'a> {
    /// The experiment's description, as written in its file.
    pub description: &'a str,
    /// The `--set` overrides given, which may make the description out of date.
    pub changed_by: Option<&'a str>,
    /// The configuration as run.
    pub host_line: &'a str,
}

/// A few readable lines: counts, latency per function, throughput, and per-process CPU, GIL
/// and event-loop use, then warnings (offered load above the capacity).
pub fn summary_text(s: &RunSummary, header: &Header) -> String {
    let mut o = String::new();
    match (header.description.is_empty(), header.changed_by) {
        (true, _) => {
            let _ = writeln!(o, "{}  (seed {})", s.experiment, s.seed);
        }
        (false, None) => {
            let _ = writeln!(
                o,
                "{}: {}  (seed {})",
                s.experiment, header.description, s.seed
            );
        }
        (false, Some(sets)) => {
            let _ = writeln!(
                o,
                "{}: {}  (seed {})\n  (the description is the file's; this run changed it with --set {sets})",
                s.experiment, header.description, s.seed
            );
        }
    }
    let _ = writeln!(o, "host: {}", header.host_line);
    let _ = writeln!(
        o,
        "invocations: {} arrived = {} succeeded + {} pending; makespan {:.1} ms; throughput {:.1}/s",
        s.invocations.arrived, s.invocations.succeeded, s.invocations.pending, s.makespan_ms, s.throughput_per_s
    );
    let _ = writeln!(
        o,
        "  {:<28} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "latency ms (arrival->response)", "mean", "p50", "p90", "p99", "max", "ideal"
    );
    if s.functions.len() > 1 {
        stats_row(&mut o, "all functions", &s.latency_ms, None);
    }
    for f in &s.functions {
        stats_row(
            &mut o,
            &format!("{} ({})", f.name, f.kind),
            &f.latency_ms,
            Some(f.ideal_latency_ms),
        );
    }
    stats_row(&mut o, "queued before body start", &s.queue_ms, None);
    let _ = writeln!(
        o,
        "  {:<7} {:>11} {:>6} {:>9} {:>9} {:>10} {:>13} {:>8}",
        "process",
        "invocations",
        "cores",
        "GIL held",
        "GIL wait",
        "loop busy",
        "loop blocked",
        "threads"
    );
    for p in &s.processes {
        let _ = writeln!(
            o,
            "  {:<7} {:>11} {:>6.2} {:>8.0}% {:>8.0}% {:>9.0}% {:>12.0}% {:>8}",
            p.process,
            p.invocations,
            p.cpu_cores,
            p.gil_held * 100.0,
            p.gil_wait_share * 100.0,
            p.loop_busy * 100.0,
            p.loop_blocked * 100.0,
            p.pool_threads + p.executor_threads
        );
    }
    let _ = writeln!(
        o,
        "  (cores: cores used on average; GIL wait: share of its threads' busy time spent waiting for the GIL;\n   loop blocked: share of time the event loop ran a coroutine's own code; ideal: no contention at all)"
    );
    let _ = writeln!(
        o,
        "instance: {:.0}% of its cores busy",
        s.cpu_utilisation * 100.0
    );
    if let Some(c) = s.capacity.as_ref().filter(|c| c.overloaded) {
        let _ = writeln!(
            o,
            "warning: the offered load, {:.1}/s, exceeds what this host can serve, at most {:.1}/s (limited by {}):\n  queues grow for as long as the load lasts, so these latencies depend on the run's length, not just the settings",
            c.offered_per_s, c.max_per_s, c.limited_by
        );
    }
    o
}
