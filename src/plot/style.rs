//! What every plot shares: colours, font sizes, the title block.

use super::font::FAMILY;
use super::render::DrawError;
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
