//! `sim trace gen`: writes the arrivals of an experiment's open-loop functions (each with its
//! own pattern), or of a pattern given on the command line, as a trace file, streamed.
//!
//! Each function's arrivals come from the same stream a run draws them from
//! (`arrivals/<name>`), so replaying the file gives the run's own arrivals; the functions are
//! merged in time order with a heap of one pending arrival each (the 2019 layout, a row per
//! function, is written one function at a time instead: memory is one row's 1440 counts). An
//! invocation's duration is its body's ideal latency (each step at its mean; see
//! `model::program::critical_path_ns`). A pattern's functions f0, f1, ... share one parsed
//! function and differ only in their streams, so 100,000 of them cost little.

use crate::cli::{GenPattern, TraceGenArgs};
use crate::config::{load_experiment, parse_experiment, Workload};
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

/// The functions a trace is generated for: each one's name and the workload and invocation
/// duration it shares with others of its kind (a pattern's copies share one), and the seed of
/// their streams.
pub struct GenFunctions {
    /// The seed the arrival streams come from.
    pub seed: u64,
    /// The distinct (workload, duration ns) pairs.
    pub kinds: Vec<(Workload, f64)>,
    /// (name, index in `kinds`), in the order the 2019 layout writes them.
    pub functions: Vec<(String, usize)>,
}

impl GenFunctions {
    /// The functions of `args`: an experiment's (`--from`), or `--functions` copies of the
    /// pattern, named f0, f1, ...
    fn of(args: &TraceGenArgs) -> Result<GenFunctions> {
        let exp = match &args.from {
            Some(path) => load_experiment(path, &[])?,
            None => parse_experiment(&pattern_experiment(args), Path::new("gen.ron"), &[])?,
        };
        let kinds: Vec<(Workload, f64)> = exp
            .functions
            .iter()
            .map(|f| (f.workload.clone(), critical_path_ns(&f.body)))
            .collect();
        let functions = match &args.from {
            Some(_) => exp
                .functions
                .iter()
                .enumerate()
                .map(|(i, f)| (f.name.clone(), i))
                .collect(),
            None => (0..args.functions).map(|i| (format!("f{i}"), 0)).collect(),
        };
        Ok(GenFunctions {
            seed: exp.seed,
            kinds,
            functions,
        })
    }

    /// Function `i`'s name and invocation duration, ns.
    fn function(&self, i: usize) -> (&str, f64) {
        let (name, kind) = &self.functions[i];
        (name, self.kinds[*kind].1)
    }

    /// Function `i`'s arrivals, from the stream a run of it draws them from.
    fn source(&self, streams: &RngStreams, i: usize) -> ArrivalSource {
        let (name, kind) = &self.functions[i];
        ArrivalSource::new(
            &self.kinds[*kind].0,
            streams.stream(&format!("arrivals/{name}")),
        )
    }
}

/// Runs `sim trace gen`.
pub fn trace_gen(args: &TraceGenArgs) -> Result<()> {
    let exp = GenFunctions::of(args)?;
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
    fn new(exp: &GenFunctions) -> Merged {
        let streams = RngStreams::new(exp.seed);
        let mut sources: Vec<ArrivalSource> = (0..exp.functions.len())
            .map(|i| exp.source(&streams, i))
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
    exp: &GenFunctions,
    format: TraceFormat,
    out: &mut impl Write,
) -> std::io::Result<u64> {
    match format {
        TraceFormat::Azure2021 => writeln!(out, "app,func,end_timestamp,duration")?,
        _ => writeln!(out, "timestamp_ms,function,duration_ms")?,
    }
    let mut n = 0;
    for (t, i) in Merged::new(exp) {
        let (name, d) = exp.function(i);
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
/// written. One function at a time: memory is one row's 1440 counts.
pub fn write_day(
    exp: &GenFunctions,
    out: &mut impl Write,
    durations: &mut impl Write,
) -> std::io::Result<u64> {
    let streams = RngStreams::new(exp.seed);
    write!(out, "HashOwner,HashApp,HashFunction,Trigger")?;
    for m in 1..=MINUTES {
        write!(out, ",{m}")?;
    }
    writeln!(out)?;
    writeln!(durations, "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,percentile_Average_100")?;
    let mut counts = [0u32; MINUTES];
    let mut n = 0;
    for i in 0..exp.functions.len() {
        let (name, ns) = exp.function(i);
        counts.fill(0);
        for t in exp.source(&streams, i) {
            let m = (t / MINUTE_NS) as usize;
            if m >= MINUTES {
                break;
            }
            counts[m] += 1;
        }
        write!(out, "owner,app,{name},http")?;
        for c in &counts {
            write!(out, ",{c}")?;
        }
        writeln!(out)?;
        let total: u64 = counts.iter().map(|&x| u64::from(x)).sum();
        n += total;
        let ms = ns / 1e6;
        writeln!(
            durations,
            "owner,app,{name},{ms},{total},{ms},{ms},{ms},{ms},{ms},{ms},{ms},{ms},{ms}"
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

/// An experiment with one function, f0, with the pattern of the command line (its copies
/// f1, f2, ... differ only in their streams).
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
    format!(
        "Experiment(name: \"gen\", seed: {}, host: Host(), functions: [FunctionUse(function: Inline(Function(name: \"f0\", kind: Sync, body: [BlockingIo(Constant({}))])), workload: {workload})])",
        a.seed, a.duration_ms
    )
}
