//! `sim trace gen`: writes the arrivals of an experiment's open-loop functions (each with its
//! own pattern), or of a pattern given on the command line, as a trace file, streamed.
//!
//! Each function's arrivals come from the same stream a run draws them from
//! (`arrivals/<name>`), so replaying the file gives the run's own arrivals; the functions are
//! merged in time order with a heap of one pending arrival each. An invocation's duration is
//! its body's ideal latency (each step at its mean; see `model::program::critical_path_ns`).

use crate::cli::{GenPattern, TraceGenArgs};
use crate::config::{load_experiment, parse_experiment, Experiment};
use crate::error::{Result, SimError};
use crate::kernel::RngStreams;
use crate::model::program::critical_path_ns;
use crate::workload::azure2019::{MINUTES, MINUTE_NS};
use crate::workload::trace_rows::TraceFormat;
use crate::workload::ArrivalSource;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Runs `sim trace gen`.
pub fn trace_gen(args: &TraceGenArgs) -> Result<()> {
    let exp = match &args.from {
        Some(path) => load_experiment(path, &[])?,
        None => parse_experiment(&pattern_experiment(args), Path::new("gen.ron"), &[])?,
    };
    let failed = |source| SimError::Write {
        path: args.out.clone(),
        source,
    };
    let file = std::fs::File::create(&args.out).map_err(failed)?;
    let mut out = BufWriter::new(file);
    let n = if args.format == TraceFormat::Azure2019 {
        let path = durations_path(&args.out);
        let to_durations = |source| SimError::Write {
            path: path.clone(),
            source,
        };
        let file = std::fs::File::create(&path).map_err(to_durations)?;
        let mut durations = BufWriter::new(file);
        let n = write_day(&exp, &mut out, &mut durations).map_err(failed)?;
        durations.flush().map_err(to_durations)?;
        crate::say!("wrote {} (durations)", path.display());
        n
    } else {
        write_trace(&exp, args.format, &mut out).map_err(failed)?
    };
    out.flush().map_err(failed)?;
    crate::say!(
        "wrote {} ({n} invocations, {:?})",
        args.out.display(),
        args.format
    );
    Ok(())
}

/// The arrivals of `exp`'s open-loop functions merged in time order, as (instant ns,
/// function index), with each function's invocation duration (its body's ideal latency, ns).
struct Merged {
    sources: Vec<ArrivalSource>,
    heap: BinaryHeap<Reverse<(u64, usize)>>,
}

impl Merged {
    fn new(exp: &Experiment) -> Merged {
        let streams = RngStreams::new(exp.seed);
        let mut sources: Vec<ArrivalSource> = exp
            .functions
            .iter()
            .map(|f| {
                ArrivalSource::new(&f.workload, streams.stream(&format!("arrivals/{}", f.name)))
            })
            .collect();
        let mut heap = BinaryHeap::new();
        for (i, s) in sources.iter_mut().enumerate() {
            if let Some(t) = s.next() {
                heap.push(Reverse((t, i)));
            }
        }
        Merged { sources, heap }
    }
}

impl Iterator for Merged {
    type Item = (u64, usize);

    fn next(&mut self) -> Option<(u64, usize)> {
        let Reverse((t, i)) = self.heap.pop()?;
        if let Some(next) = self.sources[i].next() {
            self.heap.push(Reverse((next, i)));
        }
        Some((t, i))
    }
}

/// Writes the arrivals of `exp`'s open-loop functions to `out` in `format` (not
/// Azure2019, see [`write_day`]), in arrival order; returns how many.
pub fn write_trace(
    exp: &Experiment,
    format: TraceFormat,
    out: &mut impl Write,
) -> std::io::Result<u64> {
    let ideal: Vec<f64> = exp
        .functions
        .iter()
        .map(|f| critical_path_ns(&f.body))
        .collect();
    match format {
        TraceFormat::Azure2021 => writeln!(out, "app,func,end_timestamp,duration")?,
        _ => writeln!(out, "timestamp_ms,function,duration_ms")?,
    }
    let mut n = 0;
    for (t, i) in Merged::new(exp) {
        let (name, d) = (&exp.functions[i].name, ideal[i]);
        match format {
            TraceFormat::Azure2021 => {
                writeln!(out, "app,{name},{:.9},{:.9}", (t as f64 + d) / 1e9, d / 1e9)?
            }
            _ => writeln!(out, "{:.6},{name},{:.6}", t as f64 / 1e6, d / 1e6)?,
        }
        n += 1;
    }
    Ok(n)
}

/// Writes the first day of `exp`'s arrivals in the Azure 2019 layout: the invocations per
/// function and minute to `out`, each function's durations (every percentile its body's ideal
/// latency) to `durations`; arrivals after the day are left out. Returns how many were
/// written. Memory: 1440 counts per function.
pub fn write_day(
    exp: &Experiment,
    out: &mut impl Write,
    durations: &mut impl Write,
) -> std::io::Result<u64> {
    let mut counts = vec![vec![0u32; MINUTES]; exp.functions.len()];
    let mut n = 0;
    for (t, i) in Merged::new(exp) {
        let m = (t / MINUTE_NS) as usize;
        if m >= MINUTES {
            break;
        }
        counts[i][m] += 1;
        n += 1;
    }
    let minutes: Vec<String> = (1..=MINUTES).map(|m| m.to_string()).collect();
    writeln!(
        out,
        "HashOwner,HashApp,HashFunction,Trigger,{}",
        minutes.join(",")
    )?;
    writeln!(durations, "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,percentile_Average_100")?;
    for (f, c) in exp.functions.iter().zip(&counts) {
        let row: Vec<String> = c.iter().map(u32::to_string).collect();
        writeln!(out, "owner,app,{},http,{}", f.name, row.join(","))?;
        let ms = critical_path_ns(&f.body) / 1e6;
        let total: u64 = c.iter().map(|&x| u64::from(x)).sum();
        writeln!(
            durations,
            "owner,app,{},{ms},{total},{ms},{ms},{ms},{ms},{ms},{ms},{ms},{ms},{ms}",
            f.name
        )?;
    }
    Ok(n)
}

/// Where `sim trace gen --format azure2019` writes the durations beside `out`:
/// `<stem>_durations.csv`.
pub fn durations_path(out: &Path) -> std::path::PathBuf {
    let stem = out
        .file_stem()
        .map_or("trace".into(), |s| s.to_string_lossy().into_owned());
    out.with_file_name(format!("{stem}_durations.csv"))
}

/// An experiment with `--functions` functions, each with the pattern of the command line.
fn pattern_experiment(a: &TraceGenArgs) -> String {
    let (r, p, d) = (a.rate, a.peak.unwrap_or(a.rate * 10.0), a.duration_s);
    let workload = match a.pattern {
        GenPattern::Poisson => format!("Poisson(rate_per_s: {r}, duration_s: {d})"),
        GenPattern::Onoff => format!(
            "OnOff(rate_per_s: {r}, on_s: {}, off_s: {}, duration_s: {d})",
            a.on_s, a.off_s
        ),
        GenPattern::Diurnal => format!(
            "Pattern(Diurnal(trough_per_s: {r}, peak_per_s: {p}, days: {}))",
            (d / 86_400.0).round().max(1.0)
        ),
        GenPattern::Ramp => format!("Pattern(Ramp(from_per_s: {r}, to_per_s: {p}, duration_s: {d}))"),
        GenPattern::Step => format!(
            "Pattern(Step(before_per_s: {r}, after_per_s: {p}, at_s: {}, duration_s: {d}))",
            d / 2.0
        ),
        GenPattern::Spike => format!(
            "Pattern(Spike(base_per_s: {r}, peak_per_s: {p}, at_s: {}, length_s: {}, duration_s: {d}))",
            d / 2.0,
            d / 10.0
        ),
    };
    let functions: Vec<String> = (0..a.functions)
        .map(|i| {
            format!(
                "FunctionUse(function: Inline(Function(name: \"f{i}\", kind: Sync, body: [BlockingIo(Constant({}))])), workload: {workload})",
                a.duration_ms
            )
        })
        .collect();
    format!(
        "Experiment(name: \"gen\", seed: {}, host: Host(), functions: [{}])",
        a.seed,
        functions.join(", ")
    )
}
