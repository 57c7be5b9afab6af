//! One figure drawn twice: into a PNG (pixels, encoded here so the bytes are the same on every
//! machine) and into an SVG (text as `<text>` elements).

use plotters::coord::Shift;
use plotters::prelude::*;
use std::fmt;

/// Width and height of every plot, pixels.
pub const SIZE: (u32, u32) = (1200, 700);

/// Why a figure could not be drawn.
#[derive(Debug)]
pub struct DrawError(pub String);

impl fmt::Display for DrawError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for DrawError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        DrawError(e.to_string())
    }
}

/// The result of drawing.
pub type DrawResult = std::result::Result<(), DrawError>;

/// A picture that can be drawn on any plotters backend.
pub trait Figure {
    /// Width and height, pixels.
    fn size(&self) -> (u32, u32) {
        SIZE
    }

    /// Draws the whole picture on `root` (white background included).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult;
}

/// The figure as PNG bytes.
pub fn png(fig: &impl Figure) -> std::result::Result<Vec<u8>, DrawError> {
    super::font::register();
    let (w, h) = fig.size();
    let mut pixels = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        fig.draw(&root)?;
        root.present()?;
    }
    encode_png(&pixels, w, h).map_err(|e| DrawError(e.to_string()))
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> std::result::Result<Vec<u8>, png::EncodingError> {
    let mut bytes = Vec::new();
    let mut enc = png::Encoder::new(&mut bytes, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(bytes)
}

/// The figure as SVG text.
pub fn svg(fig: &impl Figure) -> std::result::Result<String, DrawError> {
    super::font::register();
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, fig.size()).into_drawing_area();
        fig.draw(&root)?;
        root.present()?;
    }
    Ok(text)
}
