//! The timeline plots' data: timeseries.csv (and scaling.csv's decisions when the run scales).

use super::input::Csv;
use super::panels::{Marks, Panel, Panels, Series};
use super::Drawable;
use crate::error::Result;
use crate::output::csv_export::{header_columns, TIMESERIES_HEADER};
use std::path::Path;

/// Points per series at most; longer runs are averaged over buckets of rows.
const MAX_POINTS: usize = 1500;

/// Scale decisions marked at most (the first ones).
const MAX_DECISIONS: usize = 2000;

/// timeseries.csv's columns, each read as a series (time in ms first).
struct Table {
    t_ms: Vec<f64>,
    columns: Vec<(String, Vec<f64>)>,
}

impl Table {
    /// Reads `names` from `path` (each must be in its header).
    fn read(path: &Path, names: &[&str]) -> Result<Table> {
        let mut csv = Csv::open(path)?;
        let t = csv.column("t_ms")?;
        let cols = names
            .iter()
            .map(|n| csv.column(n))
            .collect::<Result<Vec<_>>>()?;
        let mut table = Table {
            t_ms: Vec::new(),
            columns: names.iter().map(|n| (n.to_string(), Vec::new())).collect(),
        };
        csv.rows(|row| {
            table.t_ms.push(row.num(t, "t_ms")?);
            for ((name, values), c) in table.columns.iter_mut().zip(&cols) {
                values.push(row.num(*c, name)?);
            }
            Ok(())
        })?;
        Ok(table)
    }

    fn get(&self, name: &str) -> &[f64] {
        let found = self.columns.iter().find(|(n, _)| n == name);
        found.map_or(&[], |(_, v)| v.as_slice())
    }
}

/// The time unit that keeps the axis' numbers short: (divisor from ms, name).
fn time_unit(end_ms: f64) -> (f64, &'static str) {
    if end_ms > 3.0 * 3_600_000.0 {
        (3_600_000.0, "h")
    } else if end_ms > 600_000.0 {
        (60_000.0, "min")
    } else {
        (1000.0, "s")
    }
}

/// How a bucket of rows becomes one point.
#[derive(Clone, Copy)]
enum Agg {
    /// The mean (time averages).
    Mean,
    /// The sum (counts per interval).
    Sum,
    /// The last value (running totals).
    Last,
}

/// (time, value) points of a column, rows merged over buckets so there are at most
/// [`MAX_POINTS`].
fn points(t_ms: &[f64], values: &[f64], unit: f64, agg: Agg) -> Vec<(f64, f64)> {
    let per = t_ms.len().div_ceil(MAX_POINTS).max(1);
    t_ms.chunks(per)
        .zip(values.chunks(per))
        .map(|(t, v)| {
            let total: f64 = v.iter().sum();
            let value = match agg {
                Agg::Mean => total / v.len() as f64,
                Agg::Sum => total,
                Agg::Last => v[v.len() - 1],
            };
            (t[t.len() - 1] / unit, value)
        })
        .collect()
}

/// Builds panels from a table in one time unit.
struct Builder<'a> {
    table: &'a Table,
    unit: f64,
}

impl Builder<'_> {
    fn series(&self, column: &str, name: &str, agg: Agg) -> Series {
        Series {
            name: name.to_string(),
            points: points(&self.table.t_ms, self.table.get(column), self.unit, agg),
        }
    }

    fn panel(&self, y_desc: &str, series: Vec<Series>, percent: bool) -> Panel {
        Panel {
            y_desc: y_desc.to_string(),
            series,
            stacked: false,
            percent,
            marks: Vec::new(),
        }
    }
}

/// A panel as data: its y axis, its lines (column, legend), whether it shows a share.
type PanelSpec = (&'static str, &'static [(&'static str, &'static str)], bool);

/// The host timeline's panels.
const HOST_PANELS: [PanelSpec; 4] = [
    (
        "Invocations",
        &[
            ("in_flight", "in flight"),
            ("queued", "queued for a thread"),
        ],
        false,
    ),
    ("Threads", &[("busy_threads", "busy threads")], false),
    (
        "Share of time",
        &[
            ("gil_held", "GIL held"),
            ("loop_blocked", "event loop blocked"),
        ],
        true,
    ),
    ("CPU", &[("cpu_utilisation", "cores busy")], true),
];

/// The run in `dir` over time: requests, threads, the GIL and the loop, the cores.
pub fn host(dir: &Path) -> Result<Drawable<Panels>> {
    let path = dir.join("timeseries.csv");
    if !path.is_file() {
        return Ok(Drawable::Skip("no timeseries.csv".into()));
    }
    let columns = header_columns(TIMESERIES_HEADER);
    let table = Table::read(&path, &columns[1..])?;
    let Some(&end) = table.t_ms.last() else {
        return Ok(Drawable::Skip("timeseries.csv has no rows".into()));
    };
    let (unit, unit_name) = time_unit(end);
    let b = Builder {
        table: &table,
        unit,
    };
    let panels = HOST_PANELS
        .iter()
        .map(|(y_desc, lines, percent)| {
            let series = lines.iter().map(|(c, name)| b.series(c, name, Agg::Mean));
            b.panel(y_desc, series.collect(), *percent)
        })
        .collect();
    Ok(Drawable::Draw(Panels {
        title: format!("{}: the run over time", experiment_name(dir)),
        subtitle: interval_note(&table, "timeseries.csv"),
        x_desc: format!("Simulated time ({unit_name})"),
        x_end: end / unit,
        panels,
        height: 900,
    }))
}

/// The experiment's name from summary.json, or the folder's name.
fn experiment_name(dir: &Path) -> String {
    super::input::json::<super::files::Summary>(&dir.join("summary.json"))
        .map(|s| s.experiment)
        .unwrap_or_else(|_| {
            dir.file_name()
                .map_or("run".into(), |n| n.to_string_lossy().into_owned())
        })
}

/// "From timeseries.csv: means over each 1 s interval".
fn interval_note(table: &Table, file: &str) -> String {
    let step = match table.t_ms.as_slice() {
        [a, b, ..] => b - a,
        [a] => *a,
        [] => 0.0,
    };
    let per = table.t_ms.len().div_ceil(MAX_POINTS).max(1);
    let bucket = if per > 1 {
        format!(", averaged over {per} intervals per point")
    } else {
        String::new()
    };
    format!(
        "From {file}: each point is the mean over its {} interval{bucket}",
        crate::units::duration(step / 1000.0)
    )
}

const FLEET_COLUMNS: [&str; 7] = [
    "instances_ready",
    "instances_starting",
    "instances_draining",
    "queue_length",
    "oldest_age_ms",
    "cold_starts",
    "rejected_429",
];

/// The scale controller's view of the run in `dir`: instances by state with its decisions,
/// the queue, the oldest message's age, 429s and cold starts.
pub fn fleet(dir: &Path) -> Result<Drawable<Panels>> {
    let path = dir.join("timeseries.csv");
    let scales = path.is_file() && Csv::open(&path)?.has("instances_ready");
    if !scales {
        return Ok(Drawable::Skip(
            "the run does not scale (no instance columns in timeseries.csv)".into(),
        ));
    }
    let mut table = Table::read(&path, &FLEET_COLUMNS)?;
    let Some(&end) = table.t_ms.last() else {
        return Ok(Drawable::Skip("timeseries.csv has no rows".into()));
    };
    for v in table
        .columns
        .iter_mut()
        .filter(|(n, _)| n == "oldest_age_ms")
    {
        v.1.iter_mut().for_each(|ms| *ms /= 1000.0);
    }
    let (unit, unit_name) = time_unit(end);
    let b = Builder {
        table: &table,
        unit,
    };
    let mut instances = b.panel(
        "Instances",
        vec![
            b.series("instances_ready", "ready", Agg::Mean),
            b.series("instances_starting", "starting", Agg::Mean),
            b.series("instances_draining", "draining", Agg::Mean),
        ],
        false,
    );
    instances.stacked = true;
    instances.marks = decisions(&dir.join("scaling.csv"), unit)?;
    let panels = vec![
        instances,
        b.panel(
            "Queue (messages)",
            vec![b.series("queue_length", "queue length", Agg::Mean)],
            false,
        ),
        b.panel(
            "Oldest message (s)",
            vec![b.series("oldest_age_ms", "oldest message age", Agg::Mean)],
            false,
        ),
        b.panel(
            "Count",
            vec![
                b.series("rejected_429", "429s in the interval", Agg::Sum),
                b.series("cold_starts", "cold starts so far", Agg::Last),
            ],
            false,
        ),
    ];
    Ok(Drawable::Draw(Panels {
        title: format!("{}: scaling over time", experiment_name(dir)),
        subtitle: interval_note(&table, "timeseries.csv") + "; decisions from scaling.csv",
        x_desc: format!("Simulated time ({unit_name})"),
        x_end: end / unit,
        panels,
        height: 900,
    }))
}

/// The scale decisions of scaling.csv that add or drain instances, at the fleet size they
/// aim for; none when the file is absent.
fn decisions(path: &Path, unit: f64) -> Result<Vec<Marks>> {
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let mut csv = Csv::open(path)?;
    let (t, desired, add, drain) = (
        csv.column("t_s")?,
        csv.column("desired")?,
        csv.column("add")?,
        csv.column("drain")?,
    );
    let (mut up, mut down) = (Vec::new(), Vec::new());
    csv.rows(|row| {
        let at = (
            row.num(t, "t_s")? * 1000.0 / unit,
            row.num(desired, "desired")?,
        );
        if row.num(add, "add")? > 0.0 && up.len() < MAX_DECISIONS {
            up.push(at);
        }
        if row.num(drain, "drain")? > 0.0 && down.len() < MAX_DECISIONS {
            down.push(at);
        }
        Ok(())
    })?;
    Ok(vec![
        Marks {
            name: "scale out (desired)".into(),
            at: up,
            up: true,
        },
        Marks {
            name: "drain (desired)".into(),
            at: down,
            up: false,
        },
    ])
}
