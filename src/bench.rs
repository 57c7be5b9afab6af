//! `sim bench`: the simulator's speed and memory, measured on this machine.
//!
//! * kernel: the classic hold model on the bare event queue (pop the earliest event, push one
//!   later), 1,024 events pending: events per second on one core;
//! * full model: a Poisson load of a sync I/O function through the whole dispatch path
//!   (receiver, loop, thread pool, GIL, sender): events per second;
//! * plain sync function: the same with the dispatch-path costs set to zero (what a FaaS
//!   simulator models): invocations per second;
//! * memory: peak resident memory of 1e5- and 1e6-invocation Poisson runs without
//!   per-invocation rows (flat), and of the 1e6 run with rows, each measured in a child
//!   process (Linux VmHWM).
//!
//! Figures are printed, not asserted: speed is a property of the machine; the README quotes the
//! figures and the command.

use crate::cli::BenchArgs;
use crate::config::*;

/// Benchmarks start with cold pools, as a fresh worker does.
const PREWARM: bool = false;
use crate::error::Result;
use crate::kernel::{EventQueue, SimTime};
use crate::model::World;
use crate::output::csv_export::{CsvRows, ExtraColumns};
use std::ops::ControlFlow;
use std::time::Instant;

/// Runs the benchmarks and prints their figures.
pub fn bench_command(args: BenchArgs) -> Result<()> {
    if let Some(spec) = &args.child {
        return child_run(spec);
    }
    let scale = if args.quick { 10 } else { 1 };
    let reps = if args.quick { 3 } else { 5 };
    crate::say!(
        "sim bench ({} build, one core; median of {reps} repetitions [min..max])",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    let n = 50_000_000 / scale;
    let kernel = repeat(reps, || Ok(kernel_hold(n) / 1e6))?;
    crate::say!(
        "  kernel (hold model, 1024 pending)     {kernel} M events/s   ({n} events per repetition)"
    );
    let inv = 1_000_000 / scale as u64;
    let mut events = 0;
    let full = repeat(reps, || {
        let (e, wall) = model_run(inv, DispatchCosts::CALIBRATED, false)?;
        events = e;
        Ok(e as f64 / wall / 1e6)
    })?;
    crate::say!("  full model (sync I/O, dispatch path)  {full} M events/s   ({events} events, {inv} invocations)");
    let plain = repeat(reps, || {
        let (e, wall) = model_run(inv, DispatchCosts::ZERO, false)?;
        events = e;
        Ok(inv as f64 / wall / 1e6)
    })?;
    crate::say!(
        "  plain sync function (no dispatch)     {plain} M invocations/s ({events} events)"
    );
    let exe = std::env::current_exe().map_err(|source| crate::error::SimError::Read {
        path: "current executable".into(),
        source,
    })?;
    for (n, rows) in [
        (100_000 / scale as u64, "false"),
        (1_000_000 / scale as u64, "false"),
        (1_000_000 / scale as u64, "true"),
        (1_000_000 / scale as u64, "burst"),
        (1_000_000 / scale as u64, "scaled"),
    ] {
        let out = std::process::Command::new(&exe)
            .args(["bench", "--child", &format!("{n}:{rows}")])
            .output()
            .map_err(|source| crate::error::SimError::Read {
                path: exe.clone(),
                source,
            })?;
        crate::say!("{}", String::from_utf8_lossy(&out.stdout).trim_end());
    }
    Ok(())
}

/// Runs `f` `reps` times; formats the median and the range.
fn repeat(reps: usize, mut f: impl FnMut() -> Result<f64>) -> Result<String> {
    let mut v = (0..reps).map(|_| f()).collect::<Result<Vec<f64>>>()?;
    v.sort_by(f64::total_cmp);
    Ok(format!(
        "{:>6.2} [{:.2}..{:.2}]",
        v[v.len() / 2],
        v[0],
        v[v.len() - 1]
    ))
}

/// The hold model: `n` pop/push pairs with 1024 events pending; returns events per second.
fn kernel_hold(n: usize) -> f64 {
    let mut q: EventQueue<u32> = EventQueue::with_capacity(2048);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % 1_000_000
    };
    for i in 0..1024 {
        q.push(SimTime(next()), i);
    }
    let started = Instant::now();
    let mut sum = 0u64;
    for _ in 0..n {
        let (t, e) = q.pop().expect("never empty");
        sum = sum.wrapping_add(e as u64);
        q.push(SimTime(t.0 + next()), e);
    }
    let wall = started.elapsed().as_secs_f64();
    std::hint::black_box(sum);
    n as f64 / wall
}

/// A Poisson load of `n` invocations of a sync function sleeping 50 ms at 1,000/s on 2
/// processes x 32 threads; returns (events, wall seconds).
fn poisson_experiment(n: u64, costs: DispatchCosts, rows: bool) -> Experiment {
    Experiment {
        name: "bench".into(),
        description: String::new(),
        seed: 1,
        host: HostConfig {
            cores: 2.0,
            processes: 2,
            threads: 32,
            threads_source: "bench".into(),
            default_executor_threads: 6,
            cpu_count: 2,
            python: "3.11".into(),
            free_threaded: false,
            switch_interval_ns: 5_000_000,
            process_start_interval_ns: 0,
            context_switch_ns: DEFAULT_CONTEXT_SWITCH_NS,
            placement: Placement::default(),
            prewarm_pools: PREWARM,
            dispatch: costs,
        },
        functions: vec![FunctionSpec {
            name: "io".into(),
            kind: FunctionKind::Sync,
            body: vec![Step::BlockingIo(Dist::Constant(50_000_000))],
            workload: Workload::Poisson {
                rate_per_s: 1000.0,
                duration_ns: n * 1_000_000,
            },
            trigger: None,
            fails: 0.0,
            memory_kib: None,
        }],
        horizon_ns: None,
        output: OutputConfig {
            invocations: rows,
            timeseries_interval_ns: 1_000_000_000,
            thread_states: None,
        },
        scale: None,
        plan: None,
        function_timeout_ns: None,
        worker_restart_delay_ns: 10_000_000_000,
        memory: None,
        compare: None,
        sweep: None,
        objective: None,
        source: "bench".into(),
        as_given: None,
    }
}

/// One run; with `rows`, invocations.csv and timeseries.csv are formatted and streamed (to a
/// sink that discards the bytes, so the disk is not measured), as `sim run` does.
fn model_run(n: u64, costs: DispatchCosts, rows: bool) -> Result<(u64, f64)> {
    timed_run(&poisson_experiment(n, costs, rows))
}

fn timed_run(exp: &Experiment) -> Result<(u64, f64)> {
    let started = Instant::now();
    let names = exp.functions.iter().map(|f| f.name.clone()).collect();
    let rows = exp.output.invocations.then(std::io::sink);
    let mut sink = CsvRows::new(rows, std::io::sink(), names, ExtraColumns::default())
        .expect("a sink never fails");
    let result = World::build(exp)?.run(&mut sink, &mut |_| ControlFlow::Continue(()));
    Ok((result.events, started.elapsed().as_secs_f64()))
}

/// A burst of `n` 1 s sleeps on 1 process x 1 thread: all but one wait in the system at once.
fn burst_experiment(n: u64) -> Experiment {
    let mut exp = poisson_experiment(1, DispatchCosts::CALIBRATED, false);
    exp.host.processes = 1;
    exp.host.threads = 1;
    exp.functions[0].workload = Workload::Burst { n, at_ns: 0 };
    exp.horizon_ns = Some(1);
    exp
}

/// Child process: one run, then its peak resident memory.
fn child_run(spec: &str) -> Result<()> {
    let (n, rows) = spec.split_once(':').unwrap_or((spec, "false"));
    let n: u64 = n.parse().unwrap_or(1_000_000);
    if rows == "burst" {
        timed_run(&burst_experiment(n))?;
        let per = peak_kb().map_or("n/a".into(), |kb| format!("{:.0}", kb * 1024.0 / n as f64));
        crate::say!(
            "  burst of {n:>8} in the system at once      peak memory {}, {per} bytes per invocation in the system",
            peak_text()
        );
        return Ok(());
    }
    if rows == "scaled" {
        return scaled_child(n);
    }
    let rows = rows == "true";
    let (events, wall) = model_run(n, DispatchCosts::CALIBRATED, rows)?;
    let peak = peak_text();
    crate::say!(
        "  Poisson run, {n:>8} invocations, rows {:<3}  wall {:>6.2} s, peak memory {peak}  ({events} events)",
        if rows { "on" } else { "off" },
        wall
    );
    Ok(())
}

/// A storage-queue-triggered app under target-based scaling: Poisson at 2,000 messages/s of
/// a `def` waiting 100 ms, on 1-core instances of 1 x 4 (40/s each), from one instance.
/// About `n` messages in all; it needs 50 or more instances.
fn scaled_experiment(n: u64) -> Result<Experiment> {
    let text = format!(
        r#"Experiment(name: "bench_scaled_queue", seed: 1,
        host: Host(cores: 1.0, processes: 1, threads: 4, python: "3.11"),
        functions: [FunctionUse(function: Inline(Function(name: "io", kind: Sync,
            body: [BlockingIo(Constant(100.0))])),
            workload: Poisson(rate_per_s: 2000.0, duration_s: {}),
            trigger: StorageQueue(processor_count: 1))],
        scale: Scale(min_instances: 1, max_instances: 200),
        output: Output(invocations: false, timeseries_interval_ms: 1000.0))"#,
        n as f64 / 2000.0
    );
    parse_experiment(&text, std::path::Path::new("bench_scaled_queue.ron"), &[])
}

/// Child process: the scaled queue run, its speed, peak memory and fleet.
fn scaled_child(n: u64) -> Result<()> {
    let exp = scaled_experiment(n)?;
    let started = Instant::now();
    let names = exp.functions.iter().map(|f| f.name.clone()).collect();
    let mut sink = CsvRows::new(
        None,
        std::io::sink(),
        names,
        ExtraColumns {
            fleet: true,
            memory: false,
        },
    )
    .expect("a sink never fails");
    let result = World::build(&exp)?.run(&mut sink, &mut |_| ControlFlow::Continue(()));
    let wall = started.elapsed().as_secs_f64();
    let most = result.scaling.as_ref().map_or(0, |s| s.max_ready);
    crate::say!(
        "  queue run, scaled,  {n:>8} invocations, rows off  wall {wall:>6.2} s, peak memory {}  ({} events, {:.2} M events/s, up to {most} instances)",
        peak_text(),
        result.events,
        result.events as f64 / wall / 1e6
    );
    Ok(())
}

/// Peak resident memory of this process (Linux VmHWM), kB.
fn peak_kb() -> Option<f64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        })
        .and_then(|kb| kb.parse::<f64>().ok())
}

fn peak_text() -> String {
    peak_kb().map_or("n/a (no /proc)".to_string(), |kb| {
        format!("{:.1} MB", kb / 1024.0)
    })
}
