//! The short terminal summary of a run.

use crate::analysis::advice::Advice;
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

/// A few readable lines: counts, latency per function, throughput, each function's GIL and
/// event-loop use, per-process CPU, GIL, event-loop use and threads, a legend, then warnings
/// (offered load above the capacity).
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
        "invocations: {} arrived = {} succeeded{} + {} pending; makespan {:.1} ms; throughput {:.1}/s",
        s.invocations.arrived, s.invocations.succeeded, refused(&s.invocations), s.invocations.pending, s.makespan_ms, s.throughput_per_s
    );
    if let Some(e) = &s.executions {
        let _ = writeln!(
            o,
            "executions: {} (the rows of invocations.csv: each try of a message, each Event Hubs batch) = {} succeeded{}{} + {} pending",
            e.executions,
            e.succeeded,
            failed(&e.failed, ""),
            http_refusals(e.rejected, e.timed_out),
            e.pending
        );
    }
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
    function_table(&mut o, s);
    process_table(&mut o, s);
    legend(&mut o, s);
    let _ = writeln!(
        o,
        "instance: {:.0}% of its cores busy",
        s.cpu_utilisation * 100.0
    );
    if let Some(sc) = &s.scaling {
        scaling_log(&mut o, sc);
    }
    if let Some(m) = &s.memory {
        memory_line(&mut o, m, &s.worker_restarts);
    }
    if let Some(c) = &s.cost {
        cost_lines(&mut o, c);
    }
    if let Some(c) = s
        .capacity
        .as_ref()
        .filter(|c| c.overloaded && s.scaling.is_none())
    {
        let _ = writeln!(
            o,
            "warning: the offered load, {:.1}/s, exceeds what this host can serve, at most {:.1}/s (limited by {}):\n  queues grow for as long as the load lasts, so these latencies depend on the run's length, not just the settings",
            c.offered_per_s, c.max_per_s, c.limited_by
        );
    }
    o
}

/// Memory against the limit, and the restarts.
fn memory_line(
    o: &mut String,
    m: &crate::metrics::memory::MemorySummary,
    r: &crate::metrics::memory::RestartSummary,
) {
    let limit = match (m.limit_mb, m.peak_share) {
        (Some(l), Some(share)) => format!(" of {l} MB ({:.0}%)", share * 100.0),
        _ => " (no limit)".to_string(),
    };
    let _ = writeln!(
        o,
        "memory: peak {:.0} MB{limit} on one instance, time-weighted mean {:.0} MB (host {:.0} MB + {:.0} MB per worker process at rest); {} OOM kills, {} restarts after a timeout",
        m.peak_mb, m.mean_mb, m.host_mb, m.process_mb, r.out_of_memory, r.timeout
    );
}

/// The run's cost and the month's, then each billed item.
fn cost_lines(o: &mut String, c: &crate::metrics::Cost) {
    let _ = writeln!(
        o,
        "cost on {}: {} {:.6} this run, {} {:.2} a month (the run repeated for {} h{}); {} list prices, {}",
        c.plan,
        c.currency,
        c.run,
        c.currency,
        c.per_month,
        c.month_hours,
        if c.free_grant_applied { ", less the free grant" } else { "" },
        c.region,
        c.price_date
    );
    for i in &c.items {
        let _ =
            writeln!(
            o,
            "  {:<24} {:>14.6} {:<18} x {:<9} = {:>10.6} this run; a month {:>14.2}{} = {:>9.2}",
            i.what,
            i.quantity,
            i.unit,
            i.rate,
            i.run,
            i.month_quantity,
            if i.month_free > 0.0 { format!(" - {:.2} free", i.month_free) } else { String::new() },
            i.per_month
        );
    }
}

/// " + N failed (N raised; P poisoned) + N rejected (429) + M timed out", for the parts
/// that are not 0.
fn refused(c: &crate::metrics::summary::Counts) -> String {
    let mut of_them = Vec::new();
    if c.poisoned > 0 {
        of_them.push(format!("{} poisoned", c.poisoned));
    }
    if c.dead_lettered > 0 {
        of_them.push(format!("{} dead-lettered", c.dead_lettered));
    }
    failed(&c.failed, &of_them.join(", ")) + &http_refusals(c.rejected, c.timed_out)
}

/// " + N failed (N raised; extra)", or nothing when none failed.
fn failed(f: &crate::metrics::FailedCounts, extra: &str) -> String {
    if f.is_none() {
        return String::new();
    }
    let detail = if extra.is_empty() {
        f.reasons()
    } else {
        format!("{}; {extra}", f.reasons())
    };
    format!(" + {} failed ({detail})", f.total())
}

/// " + N rejected (429) + M timed out", for the parts that are not 0 (HTTP runs only).
fn http_refusals(rejected: u64, timed_out: u64) -> String {
    let mut out = String::new();
    if rejected > 0 {
        out += &format!(" + {rejected} rejected (429)");
    }
    if timed_out > 0 {
        out += &format!(" + {timed_out} timed out");
    }
    out
}

/// The scale controller's decisions that changed the fleet, one line each, and its totals.
fn scaling_log(o: &mut String, sc: &crate::metrics::summary::ScalingSummary) {
    let prewarmed = match sc.prewarmed_used {
        0 => String::new(),
        n => format!(", {n} from the pre-warmed buffer"),
    };
    let _ = writeln!(
        o,
        "scaling: {} decisions, {} cold starts{prewarmed}, at most {} instances ready (every decision in scaling.csv)",
        sc.decisions.len(),
        sc.cold_starts,
        sc.max_ready_instances
    );
    let returned = match sc.messages_returned {
        0 => String::new(),
        n => format!(", {n} messages back to their queue (cut at the drain grace)"),
    };
    let _ = writeln!(
        o,
        "  {:.1} instance-seconds ({:.2} instances on average), {} scale events, {} rejected (429), longest queue wait {:.1} s{returned}",
        sc.instance_seconds, sc.mean_instances, sc.scale_events, sc.rejected_429, sc.max_queue_age_s
    );
    let l = &sc.latency_split_ms;
    let _ = writeln!(
        o,
        "  latency split, means over {} placed: {:.1} ms queueing outside an instance (of it {:.1} ms waiting for a cold start), {:.1} ms service",
        l.placed, l.queue_outside, l.cold_start_wait, l.service
    );
    for d in sc.decisions.iter().filter(|d| d.add > 0 || d.drain > 0) {
        let change = if d.add > 0 {
            format!("+{}", d.add)
        } else {
            format!("-{}", d.drain)
        };
        let _ = writeln!(
            o,
            "  t = {:>8.1} s  {:>3} ready {:>3} starting  queue {:>7} (oldest {:.1} s)  {:>4} -> {}: {}",
            d.t_s, d.ready, d.starting, d.queue_length, d.oldest_age_s, change, d.desired, d.reason
        );
    }
}

/// What each function's invocations took of the GIL and the event loop.
fn function_table(o: &mut String, s: &RunSummary) {
    let _ = writeln!(
        o,
        "  {:<28} {:>9} {:>9} {:>13}",
        "function (its invocations)", "GIL held", "GIL wait", "loop blocked"
    );
    for f in &s.functions {
        let _ = writeln!(
            o,
            "  {:<28} {:>8.0}% {:>8.0}% {:>12.0}%",
            format!("{} ({})", f.name, f.kind),
            f.gil_held * 100.0,
            f.gil_wait_share * 100.0,
            f.loop_blocked * 100.0
        );
    }
}

/// Process rows printed at most; a scaled run can have hundreds (summary.json has them all).
const MAX_PROCESS_ROWS: usize = 12;

/// Per-process CPU, GIL, event-loop use and threads: the first [`MAX_PROCESS_ROWS`], then a
/// line saying how many more summary.json holds.
fn process_table(o: &mut String, s: &RunSummary) {
    let _ = writeln!(
        o,
        "  {:<7} {:>11} {:>6} {:>9} {:>9} {:>10} {:>13} {:>5} {:>8} {:>9}",
        "process",
        "invocations",
        "cores",
        "GIL held",
        "GIL wait",
        "loop busy",
        "loop blocked",
        "pool",
        "started",
        "executor"
    );
    for p in s.processes.iter().take(MAX_PROCESS_ROWS) {
        let _ = writeln!(
            o,
            "  {:<7} {:>11} {:>6.2} {:>8.0}% {:>8.0}% {:>9.0}% {:>12.0}% {:>5} {:>8} {:>9}",
            p.process,
            p.invocations,
            p.cpu_cores,
            p.gil_held * 100.0,
            p.gil_wait_share * 100.0,
            p.loop_busy * 100.0,
            p.loop_blocked * 100.0,
            p.pool_size,
            p.pool_threads_started,
            p.executor_threads_started
        );
    }
    let more = s.processes.len().saturating_sub(MAX_PROCESS_ROWS);
    if more > 0 {
        let _ = writeln!(
            o,
            "  ... and {more} more processes (every one in summary.json's processes)"
        );
    }
}

/// How to read the tables.
const LEGEND: [&str; 6] = [
    "cores: cores used on average; ideal: latency with no contention at all",
    "GIL held: share of time the GIL was held; GIL wait: share of busy thread time spent waiting for it",
    "loop blocked: share of time the event loop ran a coroutine's own code, so nothing else on it could run",
    "per function: GIL held and loop blocked count the threads working for its invocations only",
    "a function's GIL wait: share of its invocations' time (arrival to response) spent waiting for it",
    "pool: thread-pool size (PYTHON_THREADPOOL_THREAD_COUNT); started: pool threads started (on demand)",
];

/// The legend under the tables, with this run's executor size and percentile resolution.
fn legend(o: &mut String, s: &RunSummary) {
    let executor = s.processes.first().map_or(0, |p| p.executor_size);
    let mut lines: Vec<String> = LEGEND.iter().map(|l| l.to_string()).collect();
    lines.push(format!(
        "executor: run_in_executor(None, ...) threads started (of {executor})"
    ));
    lines.push(format!(
        "percentiles: from a log histogram, within {:.2}% of the exact value",
        s.percentile_resolution * 100.0
    ));
    for (i, line) in lines.iter().enumerate() {
        let open = if i == 0 { "(" } else { " " };
        let close = if i + 1 == lines.len() { ")" } else { ";" };
        let _ = writeln!(o, "  {open}{line}{close}");
    }
}

/// The "what limits this app" section: each limit with its evidence, the remedy and the
/// `--set` line to try.
pub fn advice_text(advice: &[Advice]) -> String {
    if advice.is_empty() {
        return "what limits this app: nothing stands out (no core, GIL, pool, loop, memory or scaling limit near saturation)\n".into();
    }
    let mut o = String::from("what limits this app:\n");
    for a in advice {
        let _ = writeln!(o, "  {}: {}", a.limit, a.evidence);
        let _ = write!(o, "    helps: {}", a.remedy);
        if a.try_sets.is_empty() {
            o.push('\n');
        } else {
            let sets: Vec<String> = a.try_sets.iter().map(|s| format!("--set {s}")).collect();
            let _ = writeln!(o, "; try {}", sets.join(" "));
        }
    }
    o
}
