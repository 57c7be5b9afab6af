//! The per-thread GIL timeline: one lane per thread of each process, coloured by what the
//! thread does; the event loop's blocked stretches marked by a red bar under its lane.

use super::render::{DrawResult, Figure};
use super::style::{font, header, AXIS, LEGEND, TICKS};
use plotters::coord::Shift;
use plotters::prelude::*;

/// What a thread does in a stretch (idle has no stretch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Running Python bytecode, holding the GIL.
    Python,
    /// Waiting for the GIL.
    GilWait,
    /// In a blocking call or sleeping, the GIL released.
    Io,
    /// Native code on a core, the GIL released.
    Native,
}

impl State {
    /// The state of thread_states.csv's `state` column.
    pub fn parse(text: &str) -> Option<State> {
        match text {
            "python" => Some(State::Python),
            "gil_wait" => Some(State::GilWait),
            "io" => Some(State::Io),
            "native" => Some(State::Native),
            _ => None,
        }
    }

    const ALL: [State; 4] = [State::Python, State::GilWait, State::Io, State::Native];

    fn color(self) -> RGBColor {
        match self {
            State::Python => RGBColor(31, 119, 180),
            State::GilWait => RGBColor(255, 127, 14),
            State::Io => RGBColor(170, 200, 170),
            State::Native => RGBColor(148, 103, 189),
        }
    }

    fn legend(self) -> &'static str {
        match self {
            State::Python => "running Python (GIL held)",
            State::GilWait => "waiting for the GIL",
            State::Io => "blocked on I/O",
            State::Native => "native code (no GIL)",
        }
    }
}

/// One stretch of a lane, ms.
#[derive(Debug, Clone, Copy)]
pub struct Stretch {
    /// Its start.
    pub start: f64,
    /// Its end.
    pub end: f64,
    /// What the thread does.
    pub state: State,
    /// The loop thread runs a coroutine's own code: no other callback can run.
    pub blocks_loop: bool,
}

/// One thread's lane.
pub struct Lane {
    /// Its label, e.g. `p1 pool-0`.
    pub name: String,
    /// Its (instance, process): lanes of one process are drawn together.
    pub group: (u64, u64),
    /// Its stretches by start.
    pub stretches: Vec<Stretch>,
}

/// The plot.
pub struct GilLanes {
    /// The title.
    pub title: String,
    /// What it is drawn from.
    pub subtitle: String,
    /// Window start, ms.
    pub from: f64,
    /// Window end, ms.
    pub to: f64,
    /// The lanes, top to bottom.
    pub lanes: Vec<Lane>,
}

const LANE_PX: u32 = 24;
const NAMES_PX: u32 = 150;
const BLOCKED: RGBColor = RGBColor(214, 39, 40);

impl Figure for GilLanes {
    fn size(&self) -> (u32, u32) {
        (1200, (self.lanes.len() as u32 * LANE_PX + 260).max(500))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let body = header(root, &self.title, &self.subtitle)?;
        let (_, h) = body.dim_in_pixel();
        let (main, legend) = body.split_vertically(h - 50);
        let (names, plot) = main.split_horizontally(NAMES_PX);
        let n = self.lanes.len() as f64;
        let (scale, unit) = if self.to - self.from > 5000.0 {
            (1000.0, "s")
        } else {
            (1.0, "ms")
        };
        let mut chart = ChartBuilder::on(&plot)
            .margin_right(30)
            .margin_top(10)
            .x_label_area_size(55)
            .y_label_area_size(0)
            .build_cartesian_2d(self.from / scale..self.to / scale, 0f64..n)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_desc(format!("Simulated time ({unit})"))
            .axis_desc_style(font(AXIS))
            .label_style(font(TICKS))
            .x_label_formatter(&|v| super::style::tick(*v))
            .light_line_style(RGBColor(244, 244, 244))
            .draw()?;
        for (i, lane) in self.lanes.iter().enumerate() {
            let base = n - 1.0 - i as f64;
            let rects = lane.stretches.iter().map(|s| {
                let (x0, x1) = (s.start / scale, s.end / scale);
                Rectangle::new(
                    [(x0, base + 0.2), (x1, base + 0.9)],
                    s.state.color().filled(),
                )
            });
            chart.draw_series(rects)?;
            let blocked = lane.stretches.iter().filter(|s| s.blocks_loop).map(|s| {
                Rectangle::new(
                    [(s.start / scale, base + 0.02), (s.end / scale, base + 0.17)],
                    BLOCKED.filled(),
                )
            });
            chart.draw_series(blocked)?;
            let (_, py) = chart.backend_coord(&(self.from / scale, base + 0.55));
            let (_, names_top) = names.get_base_pixel();
            names.draw(&Text::new(
                lane.name.as_str(),
                (8, py - names_top - 8),
                font(TICKS),
            ))?;
            if i > 0 && self.lanes[i - 1].group != lane.group {
                let line = vec![
                    (self.from / scale, base + 1.0),
                    (self.to / scale, base + 1.0),
                ];
                chart.draw_series(std::iter::once(PathElement::new(
                    line,
                    BLACK.stroke_width(1),
                )))?;
            }
        }
        draw_legend(&legend)
    }
}

/// The colours in one row under the plot.
fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>) -> DrawResult {
    let mut x = NAMES_PX as i32;
    let y = 22;
    let text = font(LEGEND);
    let mut entry = |fill: RGBColor, label: &str, tall: bool| -> DrawResult {
        let (y0, y1) = if tall { (y - 8, y + 8) } else { (y + 4, y + 8) };
        area.draw(&Rectangle::new([(x, y0), (x + 26, y1)], fill.filled()))?;
        area.draw(&Text::new(label.to_string(), (x + 32, y - 9), text.clone()))?;
        let (w, _) = area.estimate_text_size(label, &text)?;
        x += 32 + w as i32 + 26;
        Ok(())
    };
    for s in State::ALL {
        entry(s.color(), s.legend(), true)?;
    }
    entry(BLOCKED, "event loop blocked", false)
}
