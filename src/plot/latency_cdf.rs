//! The latency distribution: an empirical CDF per function (or per configuration), with
//! p50/p90/p99 marked and each function's ideal latency as a dashed vertical line.

use super::render::{DrawResult, Figure};
use super::style::{self, color, font, header, AXIS, LEGEND, TICKS};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One distribution: a curve of measured points.
pub struct Curve {
    /// Legend text.
    pub label: String,
    /// (latency ms, fraction of requests at or below it), ascending.
    pub points: Vec<(f64, f64)>,
    /// (latency ms, fraction, name) of p50, p90, p99.
    pub marks: Vec<(f64, f64, &'static str)>,
    /// The function's ideal latency, ms.
    pub ideal: Option<f64>,
}

/// The latency CDF plot.
pub struct LatencyCdf {
    /// The title.
    pub title: String,
    /// What it is drawn from.
    pub subtitle: String,
    /// The distributions, in legend order.
    pub curves: Vec<Curve>,
}

impl LatencyCdf {
    /// The smallest and largest latency shown, ms.
    fn x_range(&self) -> (f64, f64) {
        style::positive_range(self.curves.iter().flat_map(|c| {
            let pts = c.points.iter().map(|p| p.0);
            pts.chain(c.marks.iter().map(|m| m.0)).chain(c.ideal)
        }))
    }
}

impl style::OnLatencyAxis for LatencyCdf {
    fn draw_on<DB: DrawingBackend, X>(&self, area: &DrawingArea<DB, Shift>, x: X) -> DrawResult
    where
        X: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>,
    {
        let log = style::wide(self.x_range().0, self.x_range().1);
        let mut chart = style::single_chart(area, 80).build_cartesian_2d(x, 0f64..1.02f64)?;
        chart
            .configure_mesh()
            .x_desc("Response latency (ms)")
            .y_desc("Fraction of requests answered within")
            .axis_desc_style(font(AXIS))
            .label_style(font(TICKS))
            .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
            .x_labels(20)
            .x_label_formatter(&|v| style::latency_tick(*v, log))
            .light_line_style(RGBColor(244, 244, 244))
            .draw()?;
        let labelled = self.curves.len() <= 3;
        for (i, c) in self.curves.iter().enumerate() {
            draw_curve(&mut chart, c, color(i), labelled)?;
        }
        style::series_legend(&mut chart, SeriesLabelPosition::LowerRight)
    }
}

fn draw_curve<DB: DrawingBackend, X: Ranged<ValueType = f64>>(
    chart: &mut style::LinearY<DB, X>,
    c: &Curve,
    col: RGBColor,
    labelled: bool,
) -> DrawResult {
    let line = col.stroke_width(3);
    chart
        .draw_series(LineSeries::new(c.points.iter().copied(), line))?
        .label(c.label.clone())
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], line));
    chart.draw_series(
        c.marks
            .iter()
            .map(|m| Circle::new((m.0, m.1), 6, col.filled())),
    )?;
    let text = font(LEGEND).color(&col);
    if labelled {
        chart.draw_series(c.marks.iter().map(|m| {
            let label = format!("{} {} ms", m.2, style::short(m.0));
            EmptyElement::at((m.0, m.1)) + Text::new(label, (10, 4), text.clone())
        }))?;
    }
    if let Some(ideal) = c.ideal {
        let dashed = plotters::element::DashedPathElement::new(
            vec![(ideal, 0.0), (ideal, 1.0)],
            8,
            6,
            col.stroke_width(2),
        );
        chart.draw_series(std::iter::once(dashed))?;
        let label = format!("ideal {} ms", style::short(ideal));
        let at = EmptyElement::at((ideal, 1.0)) + Text::new(label, (6, -4), text.clone());
        chart.draw_series(std::iter::once(at))?;
    }
    Ok(())
}

impl Figure for LatencyCdf {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let body = header(root, &self.title, &self.subtitle)?;
        style::on_latency_axis(self, &body, self.x_range())
    }
}
