//! The GIL lanes' data: thread_states.csv, one lane per thread, stretches merged below a pixel.

use super::gil_lanes::{GilLanes, Lane, State, Stretch};
use super::input::Csv;
use super::Drawable;
use crate::error::Result;
use std::collections::BTreeMap;
use std::path::Path;

/// Lanes drawn at most; the rest are left out, saying so.
pub const MAX_LANES: usize = 64;

/// Stretches drawn at most; past that only the start of the window is shown, saying so.
const MAX_STRETCHES: usize = 60_000;

/// A lane's key: instance, process, thread kind order, thread number, thread name.
type Key = (u64, u64, u8, u64, String);

fn key(instance: u64, process: u64, thread: &str) -> Key {
    let (rank, n) = match thread.split_once('-') {
        Some((kind, n)) => (if kind == "pool" { 3 } else { 4 }, n.parse().unwrap_or(0)),
        None => (
            ["loop", "receiver", "sender"]
                .iter()
                .position(|k| *k == thread)
                .unwrap_or(5) as u8,
            0,
        ),
    };
    (instance, process, rank, n, thread.to_string())
}

/// The per-thread lanes of the run in `dir`, or why they are skipped.
pub fn lanes(dir: &Path) -> Result<Drawable<GilLanes>> {
    let path = dir.join("thread_states.csv");
    if !path.is_file() {
        return Ok(Drawable::Skip(
            "no thread_states.csv (run with --thread-states 0..2 to record two seconds of it)"
                .into(),
        ));
    }
    let mut by_lane = read(&path)?;
    if by_lane.is_empty() {
        return Ok(Drawable::Skip("thread_states.csv has no rows".into()));
    }
    let total_lanes = by_lane.len();
    let mut notes = Vec::new();
    if total_lanes > MAX_LANES {
        notes.push(format!("first {MAX_LANES} of {total_lanes} threads"));
        let keep: Vec<Key> = by_lane.keys().take(MAX_LANES).cloned().collect();
        by_lane.retain(|k, _| keep.contains(k));
    }
    let recorded = recorded_window(dir);
    let (mut from, mut to) = window(&by_lane);
    if let Some(w) = &recorded {
        from = w.from_ms.unwrap_or(from).min(from);
        to = w.to_ms.unwrap_or(to).max(to);
        if let Some(cut) = w.cut_at_ms {
            notes.push(format!(
                "recording stopped at {} ms by its row cap",
                super::style::short(cut)
            ));
            to = to.min(cut.max(from + 1.0));
        }
    }
    if let Some(cut) = cut_for_size(&by_lane) {
        notes.push(format!(
            "the first {} ms only (the drawing's size cap)",
            super::style::short(cut - from)
        ));
        to = cut;
    }
    let instances = by_lane.keys().map(|k| k.0).max().unwrap_or(0) > 0;
    let lanes = by_lane
        .into_iter()
        .map(|(k, mut stretches)| {
            stretches.retain(|s| s.start < to);
            stretches.sort_by(|a, b| a.start.total_cmp(&b.start));
            Lane {
                name: lane_name(&k, instances),
                group: (k.0, k.1),
                stretches: merge(stretches, (to - from) / 4000.0),
            }
        })
        .collect();
    Ok(Drawable::Draw(GilLanes {
        title: format!("{}: what each thread does", experiment(dir)),
        subtitle: subtitle(&notes),
        from,
        to,
        lanes,
    }))
}

fn subtitle(notes: &[String]) -> String {
    let mut s = "From thread_states.csv: one lane per thread; blank = idle".to_string();
    if !notes.is_empty() {
        s.push_str(&format!(" ({})", notes.join("; ")));
    }
    s
}

/// The window summary.json says thread_states.csv covers, when it says.
fn recorded_window(dir: &Path) -> Option<super::files::ThreadStatesWindow> {
    let summary = super::input::json::<super::files::Summary>(&dir.join("summary.json"));
    summary.ok().and_then(|s| s.thread_states)
}

fn experiment(dir: &Path) -> String {
    super::input::json::<super::files::Summary>(&dir.join("summary.json"))
        .map(|s| s.experiment)
        .unwrap_or_else(|_| "run".into())
}

fn lane_name(k: &Key, instances: bool) -> String {
    match instances {
        true => format!("i{} p{} {}", k.0, k.1, k.4),
        false => format!("p{} {}", k.1, k.4),
    }
}

/// Every row of thread_states.csv, by lane.
fn read(path: &Path) -> Result<BTreeMap<Key, Vec<Stretch>>> {
    let mut csv = Csv::open(path)?;
    let cols = [
        "instance",
        "process",
        "thread",
        "state",
        "start_ms",
        "end_ms",
        "blocks_loop",
    ];
    let c = cols
        .iter()
        .map(|n| csv.column(n))
        .collect::<Result<Vec<_>>>()?;
    let mut lanes: BTreeMap<Key, Vec<Stretch>> = BTreeMap::new();
    csv.rows(|row| {
        let state = State::parse(row.text(c[3])).ok_or_else(|| {
            row.error(format!(
                "`state` = {:?} is not python, gil_wait, io or native",
                row.text(c[3])
            ))
        })?;
        let whole = |i: usize| -> Result<u64> {
            let v = row.num(c[i], cols[i])?;
            match v >= 0.0 && v.fract() == 0.0 {
                true => Ok(v as u64),
                false => Err(row.error(format!("`{}` = {v} is not a whole number", cols[i]))),
            }
        };
        let (start, end) = (row.num(c[4], "start_ms")?, row.num(c[5], "end_ms")?);
        if end < start {
            return Err(row.error(format!("end_ms {end} is before start_ms {start}")));
        }
        let stretch = Stretch {
            start,
            end,
            state,
            blocks_loop: whole(6)? == 1,
        };
        let k = key(whole(0)?, whole(1)?, row.text(c[2]));
        lanes.entry(k).or_default().push(stretch);
        Ok(())
    })?;
    Ok(lanes)
}

/// The earliest start and latest end.
fn window(lanes: &BTreeMap<Key, Vec<Stretch>>) -> (f64, f64) {
    let all = lanes.values().flatten();
    let from = all.clone().map(|s| s.start).fold(f64::MAX, f64::min);
    let to = all.map(|s| s.end).fold(f64::MIN, f64::max);
    (from, if to > from { to } else { from + 1.0 })
}

/// Where to end the window so that at most [`MAX_STRETCHES`] are drawn; `None` if all fit.
fn cut_for_size(lanes: &BTreeMap<Key, Vec<Stretch>>) -> Option<f64> {
    let mut starts: Vec<f64> = lanes.values().flatten().map(|s| s.start).collect();
    if starts.len() <= MAX_STRETCHES {
        return None;
    }
    starts.sort_by(f64::total_cmp);
    Some(starts[MAX_STRETCHES])
}

/// Joins neighbouring stretches of the same state closer than `gap` ms (below a pixel).
fn merge(stretches: Vec<Stretch>, gap: f64) -> Vec<Stretch> {
    let mut out: Vec<Stretch> = Vec::with_capacity(stretches.len());
    for s in stretches {
        match out.last_mut() {
            Some(last)
                if last.state == s.state
                    && last.blocks_loop == s.blocks_loop
                    && s.start - last.end <= gap =>
            {
                last.end = last.end.max(s.end);
            }
            _ => out.push(s),
        }
    }
    out
}
