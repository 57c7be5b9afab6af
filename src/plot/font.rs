//! The font every plot's text is drawn in, shipped with sim (DejaVu Sans, see
//! `fonts/LICENSE-DejaVu.txt`) so that drawing needs no system font.

use std::sync::Once;

/// The family name plots ask for; the shipped font is registered under it, so an SVG viewer
/// without DejaVu Sans falls back to its own sans-serif font.
pub const FAMILY: &str = "sans-serif";

static FONT: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

/// Registers the shipped font with plotters, once per process; every plot calls it first.
pub fn register() {
    REGISTER.call_once(|| {
        // The bytes are a font known to parse; a failure would show as missing text.
        let _ = plotters::style::register_font(FAMILY, plotters::style::FontStyle::Normal, FONT);
    });
}
