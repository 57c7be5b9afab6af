//! The short terminal summary of a run.

use crate::metrics::summary::RunSummary;
use std::fmt::Write;

/// A few readable lines: counts, latency, throughput, and per-process CPU, GIL and loop use.
pub fn summary_text(s: &RunSummary, host_line: &str) -> String {
    let mut o = String::new();
    let l = &s.latency_ms;
    let _ = writeln!(o, "experiment {}  (seed {})", s.experiment, s.seed);
    let _ = writeln!(o, "  host       {host_line}");
    let _ = writeln!(
        o,
        "  invocations {} arrived, {} succeeded, {} pending; makespan {:.1} ms; throughput {:.1}/s",
        s.invocations.arrived, s.invocations.succeeded, s.invocations.pending, s.makespan_ms, s.throughput_per_s
    );
    let _ = writeln!(
        o,
        "  latency ms  mean {:.1}  p50 {:.1}  p90 {:.1}  p99 {:.1}  max {:.1}   (queued before start: mean {:.1})",
        l.mean, l.p50, l.p90, l.p99, l.max, s.queue_ms.mean
    );
    for f in &s.functions {
        if s.functions.len() > 1 {
            let _ = writeln!(
                o,
                "  {:<10} {} x {}: mean {:.1} ms, p99 {:.1} ms",
                f.name, f.succeeded, f.kind, f.latency_ms.mean, f.latency_ms.p99
            );
        }
        let _ = writeln!(o, "  ideal      {:.1} ms for {} with no contention at all", f.ideal_latency_ms, f.name);
    }
    let _ = writeln!(o, "  process  invocations   CPU   GIL held  GIL wait  loop busy  loop blocked  threads");
    for p in &s.processes {
        let _ = writeln!(
            o,
            "  {:>7}  {:>11}  {:>4.0}%  {:>8.0}%  {:>7.0}%  {:>8.0}%  {:>11.0}%  {:>7}",
            p.process,
            p.invocations,
            p.cpu_utilisation * 100.0,
            p.gil_held * 100.0,
            p.gil_wait_share * 100.0,
            p.loop_busy * 100.0,
            p.loop_blocked * 100.0,
            p.pool_threads + p.executor_threads
        );
    }
    let _ = writeln!(o, "  instance CPU {:.0}% of the cores", s.cpu_utilisation * 100.0);
    o
}
