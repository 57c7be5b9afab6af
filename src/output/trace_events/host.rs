//! The host's pseudo-process: counters from timeseries.csv, and instant events for arrivals,
//! 429s and cold starts (invocations.csv) and scale decisions (scaling.csv).

use super::read::open;
use super::write::{Arg, At, Trace, HOST_PID};
use super::{Sources, Window};
use crate::error::Result;
use crate::output::csv_export::{header_columns, TIMESERIES_HEADER};
use std::io::Write;

/// At most this many instant events of each kind (arrivals, 429s, cold starts); the rest are
/// counted in the trace's metadata.
pub const INSTANT_CAP: u64 = 10_000;

const FLEET: [&str; 5] = [
    "instances_ready",
    "instances_starting",
    "instances_draining",
    "queue_length",
    "rejected_429",
];
/// The counters of the columns 1..=6 of timeseries.csv ([`TIMESERIES_HEADER`]), each its
/// own track.
const ACTIVITY: [(&str, &str); 6] = [
    ("in flight", "invocations"),
    ("queued", "invocations"),
    ("busy threads", "threads"),
    ("GIL held", "share"),
    ("loop blocked", "share"),
    ("CPU utilisation", "share"),
];

/// The sampling interval of timeseries.csv, ms: the smallest step between rows (the first
/// row ends the first interval; idle stretches are skipped, so steps are multiples of it).
fn interval_ms(src: &Sources) -> Result<Option<f64>> {
    let mut file = open(src.dir, "timeseries.csv", true, &["t_ms"], &[])?.expect("required");
    let (mut prev, mut step) = (0.0, f64::INFINITY);
    while let Some(row) = file.next_row()? {
        let t = row.number(0)?;
        if t <= prev && prev > 0.0 {
            return Err(row.error(&format!("`t_ms` = {t} does not follow {prev}")));
        }
        step = step.min(t - prev);
        prev = t;
    }
    Ok((step.is_finite() && step > 0.0).then_some(step))
}

/// Counters from timeseries.csv: each row's time averages, from the start of its interval,
/// clipped to the window; the activity counters drop to 0 over skipped idle stretches.
pub(super) fn counters<W: Write>(
    trace: &mut Trace<W>,
    src: &Sources,
    window: Window,
) -> Result<()> {
    let Some(step) = interval_ms(src)? else {
        return Ok(());
    };
    let mut file = open(
        src.dir,
        "timeseries.csv",
        true,
        &header_columns(TIMESERIES_HEADER),
        &FLEET,
    )?
    .expect("required");
    let mut ended: Option<f64> = None;
    let idle = |trace: &mut Trace<W>, ms: f64| -> Result<()> {
        for (name, key) in ACTIVITY {
            counter(trace, src, name, ms, &[(key, 0.0)])?;
        }
        Ok(())
    };
    while let Some(row) = file.next_row()? {
        let t = row.number(0)?;
        let begin = t - step;
        if let Some(prev) = ended.filter(|&p| begin - p > step * 1e-6 && window.holds(p)) {
            idle(trace, prev)?;
        }
        ended = Some(t);
        if t <= window.start_ms() || begin >= window.end_ms() {
            continue;
        }
        let ms = begin.max(window.start_ms());
        for (i, (name, key)) in ACTIVITY.iter().enumerate() {
            counter(trace, src, name, ms, &[(key, row.number(i + 1)?)])?;
        }
        if row.text(7).is_empty() {
            continue;
        }
        let instances = [
            ("ready", row.number(7)?),
            ("starting", row.number(8)?),
            ("draining", row.number(9)?),
        ];
        counter(trace, src, "instances", ms, &instances)?;
        let fleet = [
            ("queue length", "messages", 10),
            ("429s", "per interval", 11),
        ];
        for (name, key, i) in fleet {
            if !row.text(i).is_empty() {
                counter(trace, src, name, ms, &[(key, row.number(i)?)])?;
            }
        }
    }
    if let Some(last) = ended.filter(|&t| window.holds(t)) {
        idle(trace, last)?;
    }
    Ok(())
}

/// One sample of the host's counter `name` at `ms`.
fn counter<W: Write>(
    trace: &mut Trace<W>,
    src: &Sources,
    name: &str,
    ms: f64,
    values: &[(&str, f64)],
) -> Result<()> {
    let at = At {
        pid: HOST_PID,
        tid: 0,
        name,
        cat: "host",
        ms,
    };
    trace.counter(&at, values).map_err(|e| src.failed(e))
}

/// The instant events left out past [`INSTANT_CAP`], by kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LeftOut {
    /// Arrivals.
    pub arrivals: u64,
    /// 429s (outcome `rejected`).
    pub rejected_429: u64,
    /// Cold starts.
    pub cold_starts: u64,
}

/// One kind of instant event on its own track of the host, capped at [`INSTANT_CAP`].
struct Instants {
    track: &'static str,
    shown: u64,
    left_out: u64,
}

impl Instants {
    fn new(track: &'static str) -> Instants {
        Instants {
            track,
            shown: 0,
            left_out: 0,
        }
    }

    fn add<W: Write>(
        &mut self,
        trace: &mut Trace<W>,
        src: &Sources,
        name: &str,
        ms: f64,
        args: &[(&str, Arg)],
    ) -> Result<()> {
        if self.shown >= INSTANT_CAP {
            self.left_out += 1;
            return Ok(());
        }
        self.shown += 1;
        let tid = trace
            .thread(HOST_PID, self.track)
            .map_err(|e| src.failed(e))?;
        let at = At {
            pid: HOST_PID,
            tid,
            name,
            cat: self.track,
            ms,
        };
        trace.instant(&at, args).map_err(|e| src.failed(e))
    }
}

/// Arrivals, 429s and cold starts in the window, from invocations.csv (nothing when the run
/// wrote none).
pub(super) fn invocations<W: Write>(
    trace: &mut Trace<W>,
    src: &Sources,
    window: Window,
) -> Result<LeftOut> {
    let required = ["invocation", "function", "arrival_ms", "outcome"];
    let optional = ["start_ms", "response_ms", "process", "instance", "cold"];
    let Some(mut file) = open(src.dir, "invocations.csv", false, &required, &optional)? else {
        return Ok(LeftOut::default());
    };
    let mut arrivals = Instants::new("arrivals");
    let mut rejected = Instants::new("429 rejected");
    let mut cold = Instants::new("cold starts");
    while let Some(row) = file.next_row()? {
        let function = row.text(1);
        let ids = [
            ("function", Arg::Text(function)),
            ("invocation", Arg::Int(row.whole(0)?)),
        ];
        let arrival = row.number(2)?;
        if window.holds(arrival) {
            let name = format!("arrival: {function}");
            arrivals.add(trace, src, &name, arrival, &ids)?;
        }
        if row.text(3) == "rejected" {
            let at = match row.text(5) {
                "" => arrival,
                _ => row.number(5)?,
            };
            if window.holds(at) {
                rejected.add(trace, src, &format!("429: {function}"), at, &ids)?;
            }
        }
        if row.text(8) == "true" && !row.text(4).is_empty() {
            let start = row.number(4)?;
            if window.holds(start) {
                let mut args = ids.to_vec();
                for (key, i) in [("instance", 7), ("process", 6)] {
                    if let Some(v) = row.maybe_whole(i)? {
                        args.push((key, Arg::Int(v)));
                    }
                }
                cold.add(trace, src, &format!("cold start: {function}"), start, &args)?;
            }
        }
    }
    Ok(LeftOut {
        arrivals: arrivals.left_out,
        rejected_429: rejected.left_out,
        cold_starts: cold.left_out,
    })
}

/// The scale decisions in the window that add or drain instances, from scaling.csv (nothing
/// when the app does not scale), with the controller's reason.
pub(super) fn scale_decisions<W: Write>(
    trace: &mut Trace<W>,
    src: &Sources,
    window: Window,
) -> Result<()> {
    let required = ["t_s", "add", "drain", "reason"];
    let optional = ["desired", "ready", "starting", "draining", "queue_length"];
    let Some(mut file) = open(src.dir, "scaling.csv", false, &required, &optional)? else {
        return Ok(());
    };
    while let Some(row) = file.next_row()? {
        let ms = row.number(0)? * 1000.0;
        let (add, drain) = (row.signed(1)?, row.signed(2)?);
        if (add == 0.0 && drain == 0.0) || !window.holds(ms) {
            continue;
        }
        let name = match (add != 0.0, drain != 0.0) {
            (true, false) => format!("scale out +{add}"),
            (false, true) => format!("scale in -{drain}"),
            _ => format!("scale +{add} -{drain}"),
        };
        let mut args = vec![("reason", Arg::Text(row.text(3)))];
        for (i, key) in optional.iter().enumerate() {
            if !row.text(4 + i).is_empty() {
                args.push((key, Arg::Num(row.number(4 + i)?)));
            }
        }
        let tid = trace
            .thread(HOST_PID, "scale decisions")
            .map_err(|e| src.failed(e))?;
        let at = At {
            pid: HOST_PID,
            tid,
            name: &name,
            cat: "scale",
            ms,
        };
        trace.instant(&at, &args).map_err(|e| src.failed(e))?;
    }
    Ok(())
}
