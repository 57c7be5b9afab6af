//! The what-if chart: p99 latency against monthly cost, one measured point per configuration
//! (no curve between them), the objective's p99 bound as a line, the chosen one labelled.

use super::render::{DrawResult, Figure};
use super::style::{self, font, header, note, AXIS, LEGEND, TICKS};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;

/// How a configuration stands against the objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// It meets the objective.
    Meets,
    /// Its interval straddles a bound.
    Uncertain,
    /// It misses the objective.
    Misses,
    /// There is no objective.
    Unjudged,
}

impl Standing {
    fn color(self) -> RGBColor {
        match self {
            Standing::Meets => RGBColor(44, 160, 44),
            Standing::Uncertain => RGBColor(255, 160, 40),
            Standing::Misses => RGBColor(214, 39, 40),
            Standing::Unjudged => RGBColor(31, 119, 180),
        }
    }

    fn legend(self) -> &'static str {
        match self {
            Standing::Meets => "meets the objective",
            Standing::Uncertain => "uncertain (interval crosses a bound)",
            Standing::Misses => "misses the objective",
            Standing::Unjudged => "configuration",
        }
    }
}

/// One configuration as measured.
pub struct Point {
    /// Its name.
    pub label: String,
    /// Monthly cost.
    pub cost: f64,
    /// p99 latency, ms.
    pub p99: f64,
    /// Against the objective.
    pub standing: Standing,
}

/// The plot.
pub struct WhatIf {
    /// The title.
    pub title: String,
    /// What it is drawn from.
    pub subtitle: String,
    /// The cost axis' currency, e.g. USD.
    pub currency: String,
    /// The configurations.
    pub points: Vec<Point>,
    /// The objective's p99 bound, ms.
    pub bound: Option<f64>,
    /// The index of the chosen configuration.
    pub chosen: Option<usize>,
}

/// Name every point when there are at most this many.
const LABEL_ALL: usize = 12;

impl WhatIf {
    fn range(&self, f: impl Fn(&Point) -> f64) -> (f64, f64) {
        style::positive_range(self.points.iter().map(f))
    }

    fn draw_on<DB: DrawingBackend, X, Y>(
        &self,
        area: &DrawingArea<DB, Shift>,
        x: X,
        y: Y,
    ) -> DrawResult
    where
        X: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>,
        Y: AsRangedCoord<Value = f64>,
        Y::CoordDescType: ValueFormatter<f64>,
    {
        let mut chart = style::single_chart(area, 85).build_cartesian_2d(x, y)?;
        chart
            .configure_mesh()
            .x_desc(format!("Cost per month ({})", self.currency))
            .y_desc("p99 response latency (ms)")
            .axis_desc_style(font(AXIS))
            .label_style(font(TICKS))
            .x_label_formatter(&|v| style::tick(*v))
            .y_label_formatter(&|v| style::tick(*v))
            .y_labels(8)
            .light_line_style(RGBColor(244, 244, 244))
            .draw()?;
        let (x_lo, x_hi) = (chart.x_range().start, chart.x_range().end);
        if let Some(b) = self.bound {
            let line = plotters::element::DashedPathElement::new(
                vec![(x_lo, b), (x_hi, b)],
                10,
                6,
                BLACK.stroke_width(2),
            );
            chart.draw_series(std::iter::once(line))?;
            let label = format!("objective: p99 <= {} ms", style::short(b));
            let text = EmptyElement::at((x_lo, b)) + Text::new(label, (8, -22), font(LEGEND));
            chart.draw_series(std::iter::once(text))?;
        }
        for s in [
            Standing::Meets,
            Standing::Uncertain,
            Standing::Misses,
            Standing::Unjudged,
        ] {
            let col = s.color();
            let pts: Vec<&Point> = self.points.iter().filter(|p| p.standing == s).collect();
            if pts.is_empty() {
                continue;
            }
            chart
                .draw_series(
                    pts.iter()
                        .map(|p| Circle::new((p.cost, p.p99), 6, col.mix(0.8).filled())),
                )?
                .label(s.legend())
                .legend(move |(x, y)| Circle::new((x + 10, y), 6, col.filled()));
        }
        self.draw_labels(&mut chart)?;
        style::series_legend(&mut chart, SeriesLabelPosition::UpperRight)
    }

    fn draw_labels<DB: DrawingBackend, X: Ranged<ValueType = f64>, Y: Ranged<ValueType = f64>>(
        &self,
        chart: &mut ChartContext<DB, Cartesian2d<X, Y>>,
    ) -> DrawResult {
        if self.points.len() <= LABEL_ALL {
            let labels = self
                .points
                .iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != self.chosen)
                .map(|(_, p)| {
                    EmptyElement::at((p.cost, p.p99))
                        + Text::new(p.label.clone(), (9, 2), note(LEGEND))
                });
            chart.draw_series(labels)?;
        }
        if let Some(p) = self.chosen.and_then(|i| self.points.get(i)) {
            let ring = Circle::new((p.cost, p.p99), 12, BLACK.stroke_width(3));
            let text = EmptyElement::at((p.cost, p.p99))
                + Text::new("chosen", (-30, 16), font(LEGEND + 2));
            chart.draw_series(std::iter::once(ring))?;
            chart.draw_series(std::iter::once(text))?;
            let figures = format!(
                "{} {}/month, p99 {} ms",
                style::short(p.cost),
                self.currency,
                style::short(p.p99)
            );
            let corner = (chart.x_range().start, chart.y_range().end);
            let text = EmptyElement::at(corner)
                + Text::new(format!("chosen: {}", p.label), (12, 10), font(LEGEND + 1))
                + Text::new(figures, (12, 32), font(LEGEND + 1));
            chart.draw_series(std::iter::once(text))?;
        }
        Ok(())
    }
}

impl Figure for WhatIf {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let body = header(root, &self.title, &self.subtitle)?;
        let (x_lo, x_hi) = self.range(|p| p.cost);
        let (y_lo, mut y_hi) = self.range(|p| p.p99);
        y_hi = y_hi.max(self.bound.unwrap_or(0.0));
        let y_lo = y_lo.min(self.bound.unwrap_or(f64::MAX));
        let log_x = style::wide(x_lo, x_hi);
        let log_y = style::wide(y_lo, y_hi);
        let xs = (x_lo * 0.8, x_hi * 1.3);
        let ys = (y_lo * 0.8, y_hi * 1.25);
        match (log_x, log_y) {
            (true, true) => self.draw_on(&body, (xs.0..xs.1).log_scale(), (ys.0..ys.1).log_scale()),
            (true, false) => self.draw_on(&body, (xs.0..xs.1).log_scale(), 0.0..ys.1),
            (false, true) => self.draw_on(&body, 0.0..xs.1, (ys.0..ys.1).log_scale()),
            (false, false) => self.draw_on(&body, 0.0..xs.1, 0.0..ys.1),
        }
    }
}
