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
    let n = write_trace(&exp, args.format, &mut out).map_err(failed)?;
    out.flush().map_err(failed)?;
    crate::say!(
        "wrote {} ({n} invocations, {:?})",
        args.out.display(),
        args.format
    );
    Ok(())
}

/// Writes the arrivals of `exp`'s open-loop functions to `out` in `format`, in arrival order;
/// returns how many.
pub fn write_trace(
    exp: &Experiment,
    format: TraceFormat,
    out: &mut impl Write,
) -> std::io::Result<u64> {
    let streams = RngStreams::new(exp.seed);
    let mut sources: Vec<ArrivalSource> = exp
        .functions
        .iter()
        .map(|f| ArrivalSource::new(&f.workload, streams.stream(&format!("arrivals/{}", f.name))))
        .collect();
    let ideal: Vec<f64> = exp
        .functions
        .iter()
        .map(|f| critical_path_ns(&f.body))
        .collect();
    let mut heap = BinaryHeap::new();
    for (i, s) in sources.iter_mut().enumerate() {
        if let Some(t) = s.next() {
            heap.push(Reverse((t, i)));
        }
    }
    match format {
        TraceFormat::Csv => writeln!(out, "timestamp_ms,function,duration_ms")?,
        TraceFormat::Azure2021 => writeln!(out, "app,func,end_timestamp,duration")?,
    }
    let mut n = 0;
    while let Some(Reverse((t, i))) = heap.pop() {
        let (name, d) = (&exp.functions[i].name, ideal[i]);
        match format {
            TraceFormat::Csv => writeln!(out, "{:.6},{name},{:.6}", t as f64 / 1e6, d / 1e6)?,
            TraceFormat::Azure2021 => {
                writeln!(out, "app,{name},{:.9},{:.9}", (t as f64 + d) / 1e9, d / 1e9)?
            }
        }
        n += 1;
        if let Some(next) = sources[i].next() {
            heap.push(Reverse((next, i)));
        }
    }
    Ok(n)
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
