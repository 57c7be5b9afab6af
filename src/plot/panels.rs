//! Small multiples: panels stacked one above another, sharing the time axis; the timeline
//! plots are built from them.

use super::render::{DrawResult, Figure};
use super::style::{color, font, header, note, AXIS, LEGEND, TICKS};
use plotters::coord::Shift;
use plotters::prelude::*;

/// One line (or stacked band) of a panel.
pub struct Series {
    /// Legend text.
    pub name: String,
    /// (time, value) points, time in the figure's unit.
    pub points: Vec<(f64, f64)>,
}

/// Markers on a panel: (time, value) of each, with the legend text and their shape.
pub struct Marks {
    /// Legend text.
    pub name: String,
    /// Where.
    pub at: Vec<(f64, f64)>,
    /// A green triangle (adding) rather than a red dot (removing).
    pub up: bool,
}

/// One panel: a y axis with its unit and the series drawn on it.
pub struct Panel {
    /// The y axis description, with its unit.
    pub y_desc: String,
    /// The series, in legend order.
    pub series: Vec<Series>,
    /// Stack the series as filled bands (counts that add up) instead of lines.
    pub stacked: bool,
    /// Show values as percentages (shares of 1).
    pub percent: bool,
    /// Markers drawn over the series.
    pub marks: Vec<Marks>,
}

/// Panels sharing a time axis, under a title.
pub struct Panels {
    /// The title.
    pub title: String,
    /// What it is drawn from.
    pub subtitle: String,
    /// The time axis description, e.g. "Simulated time (s)".
    pub x_desc: String,
    /// The time axis' end, in its unit.
    pub x_end: f64,
    /// The panels, top to bottom.
    pub panels: Vec<Panel>,
    /// Height of the whole figure, pixels.
    pub height: u32,
}

impl Figure for Panels {
    fn size(&self) -> (u32, u32) {
        (super::render::SIZE.0, self.height)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let body = header(root, &self.title, &self.subtitle)?;
        let (_, h) = body.dim_in_pixel();
        let n = self.panels.len() as u32;
        let axis = 60;
        let each = (h - axis) / n;
        let mut rest = body;
        for (i, p) in self.panels.iter().enumerate() {
            let last = i + 1 == self.panels.len();
            let (area, below) = rest.split_vertically(if last { each + axis } else { each });
            self.draw_panel(&area, p, last)?;
            rest = below;
        }
        Ok(())
    }
}

impl Panels {
    fn draw_panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        p: &Panel,
        last: bool,
    ) -> DrawResult {
        let top = y_top(p);
        let (w, _) = area.dim_in_pixel();
        let (plot_area, legend_area) = area.split_horizontally(w - LEGEND_WIDTH);
        let mut chart = ChartBuilder::on(&plot_area)
            .margin_left(20)
            .margin_right(20)
            .margin_top(12)
            .margin_bottom(if last { 0 } else { 6 })
            .x_label_area_size(if last { 60 } else { 0 })
            .y_label_area_size(85)
            .build_cartesian_2d(0f64..self.x_end, 0f64..top)?;
        let percent = p.percent;
        let y_fmt = |v: &f64| match percent {
            true => format!("{:.0}%", v * 100.0),
            false => super::style::tick(*v),
        };
        let no_x = |_: &f64| String::new();
        let x_fmt = |v: &f64| super::style::tick(*v);
        let mut mesh = chart.configure_mesh();
        mesh.y_desc(p.y_desc.as_str())
            .axis_desc_style(font(AXIS - 3))
            .label_style(font(TICKS))
            .y_labels(4)
            .light_line_style(RGBColor(244, 244, 244))
            .y_label_formatter(&y_fmt);
        if last {
            mesh.x_desc(self.x_desc.as_str()).x_label_formatter(&x_fmt);
        } else {
            mesh.x_label_formatter(&no_x);
        }
        mesh.draw()?;
        if p.series
            .iter()
            .all(|s| s.points.iter().all(|pt| pt.1 == 0.0))
        {
            let style = note(LEGEND);
            let at = (self.x_end * 0.5, top * 0.5);
            chart.draw_series(std::iter::once(Text::new("all zero", at, style)))?;
        }
        match p.stacked {
            true => draw_stacked(&mut chart, &p.series)?,
            false => draw_lines(&mut chart, &p.series)?,
        }
        draw_marks(&mut chart, &p.marks)?;
        draw_legend(&legend_area, p)
    }
}

type Chart<'a, DB> = super::style::LinearY<'a, DB, plotters::coord::types::RangedCoordf64>;

/// The panel's y axis top: the largest value (of the stack, if stacked) plus headroom; at
/// least 1 (a share's axis reaches past 100%, so its top label clears the panel above).
fn y_top(p: &Panel) -> f64 {
    let max = if p.stacked {
        let n = p.series.first().map_or(0, |s| s.points.len());
        (0..n)
            .map(|i| {
                p.series
                    .iter()
                    .filter_map(|s| s.points.get(i))
                    .map(|pt| pt.1)
                    .sum::<f64>()
            })
            .fold(0.0, f64::max)
    } else {
        p.series
            .iter()
            .flat_map(|s| s.points.iter().map(|pt| pt.1))
            .fold(0.0, f64::max)
    };
    let least = if p.percent { 1.08 } else { 1.0 };
    (max * 1.12).max(least)
}

fn draw_lines<DB: DrawingBackend>(chart: &mut Chart<DB>, series: &[Series]) -> DrawResult {
    for (i, s) in series.iter().enumerate() {
        let style = color(i).stroke_width(2);
        chart.draw_series(LineSeries::new(s.points.iter().copied(), style))?;
    }
    Ok(())
}

/// Filled bands, each on top of the ones before it.
fn draw_stacked<DB: DrawingBackend>(chart: &mut Chart<DB>, series: &[Series]) -> DrawResult {
    let mut base: Vec<f64> = vec![0.0; series.first().map_or(0, |s| s.points.len())];
    for (i, s) in series.iter().enumerate() {
        let lower: Vec<(f64, f64)> = s.points.iter().zip(&base).map(|(p, b)| (p.0, *b)).collect();
        let upper: Vec<(f64, f64)> = s
            .points
            .iter()
            .zip(&base)
            .map(|(p, b)| (p.0, b + p.1))
            .collect();
        let mut outline = upper.clone();
        outline.extend(lower.iter().rev());
        let fill = color(i).mix(0.55).filled();
        chart.draw_series(std::iter::once(Polygon::new(outline, fill)))?;
        chart.draw_series(LineSeries::new(
            upper.iter().copied(),
            color(i).stroke_width(1),
        ))?;
        for (b, p) in base.iter_mut().zip(&s.points) {
            *b += p.1;
        }
    }
    Ok(())
}

fn draw_marks<DB: DrawingBackend>(chart: &mut Chart<DB>, marks: &[Marks]) -> DrawResult {
    for m in marks {
        if m.up {
            chart.draw_series(
                m.at.iter()
                    .map(|c| TriangleMarker::new(*c, 7, ADD.filled())),
            )?;
        } else {
            chart.draw_series(m.at.iter().map(|c| Circle::new(*c, 5, DRAIN.filled())))?;
        }
    }
    Ok(())
}

/// Width of the legend column right of each panel, pixels.
const LEGEND_WIDTH: u32 = 230;
/// The colour of a scale-out mark.
const ADD: RGBColor = RGBColor(0, 130, 60);
/// The colour of a drain mark.
const DRAIN: RGBColor = RGBColor(200, 30, 30);

/// The panel's legend, one entry a line, in the column right of it.
fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &Panel) -> DrawResult {
    let text = font(LEGEND - 1);
    let mut y = 22;
    for (i, s) in p.series.iter().enumerate() {
        if p.stacked {
            let fill = color(i).mix(0.55).filled();
            area.draw(&Rectangle::new([(4, y - 6), (26, y + 6)], fill))?;
        } else {
            area.draw(&PathElement::new(
                vec![(4, y), (26, y)],
                color(i).stroke_width(3),
            ))?;
        }
        area.draw(&Text::new(s.name.as_str(), (34, y - 9), text.clone()))?;
        y += 22;
    }
    for m in &p.marks {
        if m.up {
            area.draw(&TriangleMarker::new((15, y), 7, ADD.filled()))?;
        } else {
            area.draw(&Circle::new((15, y), 5, DRAIN.filled()))?;
        }
        area.draw(&Text::new(m.name.as_str(), (34, y - 9), text.clone()))?;
        y += 22;
    }
    Ok(())
}
