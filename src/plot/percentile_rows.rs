//! Latency percentiles side by side when the rows behind them are not in the folder: one row
//! per function or configuration, p50, p90 and p99 as markers on one latency axis.

use super::render::{DrawResult, Figure};
use super::style::{self, color, font, header, AXIS, LEGEND, TICKS};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One function or configuration.
pub struct Row {
    /// Its name.
    pub label: String,
    /// (latency ms, name) of each known percentile: p50, p90, p99.
    pub marks: Vec<(f64, &'static str)>,
    /// Its ideal latency, ms.
    pub ideal: Option<f64>,
}

/// The plot.
pub struct PercentileRows {
    /// The title.
    pub title: String,
    /// What it is drawn from.
    pub subtitle: String,
    /// The rows, top to bottom.
    pub rows: Vec<Row>,
}

const ROW_PX: u32 = 44;

impl PercentileRows {
    fn x_range(&self) -> (f64, f64) {
        let marks = |r: &Row| {
            r.marks
                .iter()
                .map(|m| m.0)
                .chain(r.ideal)
                .collect::<Vec<_>>()
        };
        style::positive_range(self.rows.iter().flat_map(marks))
    }

    fn names_width(&self) -> u32 {
        let longest = self
            .rows
            .iter()
            .map(|r| r.label.chars().count())
            .max()
            .unwrap_or(0) as u32;
        (longest * 9 + 20).clamp(120, 520)
    }
}

impl style::OnLatencyAxis for PercentileRows {
    fn draw_on<DB: DrawingBackend, X>(&self, area: &DrawingArea<DB, Shift>, x: X) -> DrawResult
    where
        X: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>,
    {
        let log = style::wide(self.x_range().0, self.x_range().1);
        let (_, h) = area.dim_in_pixel();
        let (main, legend) = area.split_vertically(h - 50);
        let (names, plot) = main.split_horizontally(self.names_width());
        let n = self.rows.len() as f64;
        let mut chart = ChartBuilder::on(&plot)
            .margin_right(40)
            .margin_top(10)
            .x_label_area_size(55)
            .y_label_area_size(0)
            .build_cartesian_2d(x, 0f64..n)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_desc("Response latency (ms)")
            .axis_desc_style(font(AXIS))
            .label_style(font(TICKS))
            .x_labels(20)
            .x_label_formatter(&|v| style::latency_tick(*v, log))
            .light_line_style(RGBColor(244, 244, 244))
            .draw()?;
        for (i, row) in self.rows.iter().enumerate() {
            let y = n - 0.5 - i as f64;
            draw_row(&mut chart, row, y, color(i))?;
            let (_, py) = chart.backend_coord(&(self.x_range().0, y));
            let (_, top) = names.get_base_pixel();
            names.draw(&Text::new(
                row.label.as_str(),
                (8, py - top - 3),
                font(TICKS).color(&color(i)),
            ))?;
        }
        draw_legend(&legend, self.names_width() as i32, &self.rows)
    }
}

fn draw_row<DB: DrawingBackend, X: Ranged<ValueType = f64>>(
    chart: &mut style::LinearY<DB, X>,
    row: &Row,
    y: f64,
    col: RGBColor,
) -> DrawResult {
    let xs = row.marks.iter().map(|m| m.0);
    let (lo, hi) = xs.fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)));
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(lo, y), (hi, y)],
        col.stroke_width(3),
    )))?;
    for &(x, name) in &row.marks {
        draw_marker(chart, name, (x, y), col)?;
        let label = EmptyElement::at((x, y))
            + Text::new(style::short(x), (-12, -26), font(TICKS - 2).color(&col));
        chart.draw_series(std::iter::once(label))?;
    }
    if let Some(ideal) = row.ideal {
        chart.draw_series(std::iter::once(Cross::new(
            (ideal, y),
            7,
            BLACK.stroke_width(2),
        )))?;
    }
    Ok(())
}

/// p50 a circle, p90 a square, p99 a triangle; the ideal latency a cross.
fn draw_marker<DB: DrawingBackend, X: Ranged<ValueType = f64>>(
    chart: &mut style::LinearY<DB, X>,
    name: &str,
    at: (f64, f64),
    col: RGBColor,
) -> DrawResult {
    let fill = col.filled();
    match name {
        "p50" => chart.draw_series(std::iter::once(Circle::new(at, 8, fill)))?,
        "p90" => {
            let sq = EmptyElement::at(at) + Rectangle::new([(-7, -7), (7, 7)], fill);
            chart.draw_series(std::iter::once(sq))?
        }
        _ => chart.draw_series(std::iter::once(TriangleMarker::new(at, 9, fill)))?,
    };
    Ok(())
}

/// The markers' meaning, in one row under the plot: the percentiles shown, and the ideal
/// latency when a row has one.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x0: i32,
    rows: &[Row],
) -> DrawResult {
    let grey = RGBColor(80, 80, 80);
    let text = font(LEGEND);
    let y = 22;
    let mut x = x0;
    for name in ["p50", "p90", "p99"] {
        if rows.iter().any(|r| r.marks.iter().any(|m| m.1 == name)) {
            legend_marker(area, name, (x + 10, y), grey)?;
            area.draw(&Text::new(name, (x + 24, y - 9), text.clone()))?;
            x += 80;
        }
    }
    if rows.iter().any(|r| r.ideal.is_some()) {
        area.draw(&Cross::new((x + 10, y), 7, BLACK.stroke_width(2)))?;
        let label = "ideal latency (alone on an idle host)";
        area.draw(&Text::new(label, (x + 24, y - 9), text))?;
    }
    Ok(())
}

/// A marker drawn in pixels, as [`draw_marker`] draws it on the chart.
fn legend_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    name: &str,
    (x, y): (i32, i32),
    col: RGBColor,
) -> DrawResult {
    let fill = col.filled();
    match name {
        "p50" => area.draw(&Circle::new((x, y), 8, fill))?,
        "p90" => area.draw(&Rectangle::new([(x - 7, y - 7), (x + 7, y + 7)], fill))?,
        _ => area.draw(&TriangleMarker::new((x, y), 9, fill))?,
    }
    Ok(())
}

impl Figure for PercentileRows {
    fn size(&self) -> (u32, u32) {
        (1200, (self.rows.len() as u32 * ROW_PX + 260).max(500))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let body = header(root, &self.title, &self.subtitle)?;
        style::on_latency_axis(self, &body, self.x_range())
    }
}
