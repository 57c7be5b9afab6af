//! What every plot shares: colours, font sizes, the title block.

use super::font::FAMILY;
use super::render::{DrawError, DrawResult};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Title font size, pixels.
pub const TITLE: u32 = 30;
/// Subtitle (what the plot is drawn from) font size.
pub const SUBTITLE: u32 = 17;
/// Axis description font size.
pub const AXIS: u32 = 19;
/// Tick label font size.
pub const TICKS: u32 = 16;
/// Legend and annotation font size.
pub const LEGEND: u32 = 16;

/// Series colours, distinguishable in print and by most colour-blind readers (Tableau 10).
const PALETTE: [(u8, u8, u8); 10] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
];

/// The `i`th series colour (repeating after ten).
pub fn color(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

/// A text style of `size` pixels in the shipped font.
pub fn font(size: u32) -> TextStyle<'static> {
    (FAMILY, size as f64).into_font().color(&BLACK)
}

/// Grey text (subtitles, notes).
pub fn note(size: u32) -> TextStyle<'static> {
    (FAMILY, size as f64)
        .into_font()
        .color(&RGBColor(90, 90, 90))
}

/// Fills `root` white, draws the title and a subtitle line at the top, and returns the area
/// below them.
pub fn header<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> Result<DrawingArea<DB, Shift>, DrawError> {
    root.fill(&WHITE)?;
    let (top, body) = root.split_vertically(78);
    let (w, _) = top.dim_in_pixel();
    let centre = |s: TextStyle<'static>| s.pos(Pos::new(HPos::Center, VPos::Top));
    top.draw_text(title, &centre(font(TITLE)), (w as i32 / 2, 10))?;
    top.draw_text(subtitle, &centre(note(SUBTITLE)), (w as i32 / 2, 50))?;
    Ok(body)
}

/// Draws `message` in the middle of `area` (a panel with nothing to show).
pub fn empty_note<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    message: &str,
) -> Result<(), DrawError> {
    let (w, h) = area.dim_in_pixel();
    let style = note(AXIS).pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(message, &style, (w as i32 / 2, h as i32 / 2))?;
    Ok(())
}

/// A short number for labels: 3 significant digits, no exponent for everyday sizes.
pub fn short(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1e6 {
        format!("{:.3e}", v)
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// A tick label: whole numbers without decimals, others with as few as they need.
pub fn tick(v: f64) -> String {
    if v == v.round() && v.abs() < 1e9 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A chart whose y axis is linear over f64 and whose x axis is `X` (linear or logarithmic).
pub type LinearY<'a, DB, X> = ChartContext<'a, DB, Cartesian2d<X, RangedCoordf64>>;

/// Draws the legend of a chart's labelled series at `position`, boxed.
pub fn series_legend<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> Result<(), DrawError>
where
    DB: DrawingBackend + 'a,
    X: Ranged,
    Y: Ranged,
{
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(150, 150, 150))
        .label_font(font(LEGEND))
        .margin(12)
        .draw()?;
    Ok(())
}

/// The smallest and largest positive value (`(0.1, 1.0)` when there is none).
pub fn positive_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let positive = values.filter(|v| *v > 0.0);
    let (lo, hi) = positive.fold((f64::MAX, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if hi > 0.0 {
        (lo, hi)
    } else {
        (0.1, 1.0)
    }
}

/// Whether values from `lo` to `hi` want a logarithmic axis.
pub fn wide(lo: f64, hi: f64) -> bool {
    hi / lo > 20.0
}

/// A figure drawn over a latency x axis that is linear or logarithmic.
pub trait OnLatencyAxis {
    /// Draws the figure on `area` with the x axis `x`.
    fn draw_on<DB: DrawingBackend, X>(&self, area: &DrawingArea<DB, Shift>, x: X) -> DrawResult
    where
        X: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>;
}

/// Draws `fig` on `area` over latencies `lo..hi` (ms): a logarithmic axis when the range is
/// wide, else a linear one from 0 with a little room on the right.
pub fn on_latency_axis<DB: DrawingBackend>(
    fig: &impl OnLatencyAxis,
    area: &DrawingArea<DB, Shift>,
    (lo, hi): (f64, f64),
) -> DrawResult {
    if wide(lo, hi) {
        fig.draw_on(area, (lo * 0.8..hi * 1.25).log_scale())
    } else {
        fig.draw_on(area, 0.0..hi * 1.1)
    }
}

/// A chart builder on `area` with the margins of the single-chart plots and `y_labels`
/// pixels for the y axis' labels.
pub fn single_chart<'a, 'b, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    y_labels: u32,
) -> ChartBuilder<'a, 'b, DB> {
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(20)
        .margin_right(40)
        .x_label_area_size(55)
        .y_label_area_size(y_labels);
    builder
}

/// A tick label of a latency axis: on a logarithmic axis only 1, 2, 3 and 5 times a power of
/// ten are named, so the crowded ticks near each power do not run into each other.
pub fn latency_tick(v: f64, log: bool) -> String {
    if !log || v <= 0.0 {
        return tick(v);
    }
    let mantissa = v / 10f64.powf(v.log10().floor());
    let named = [1.0, 2.0, 3.0, 5.0, 10.0]
        .iter()
        .any(|m| (mantissa - m).abs() < 0.01);
    if named {
        tick(v)
    } else {
        String::new()
    }
}
