//! `sim plot DIR`: which plots a folder's files allow, drawn in memory, then written into
//! `DIR/plots/` (and each compare variant's `plots/`) through staging folders.

use super::render::{self, Figure};
use super::{gil_lanes_data, latency_data, timeline_data, whatif_data, Drawable};
use crate::error::{Result, SimError};
use crate::output::folder::{MANIFEST, PLOTS_FOLDER};
use crate::output::{pretty_json, Staging};
use std::path::{Path, PathBuf};

/// What `sim plot` drew and skipped, per folder.
#[derive(Debug, Default)]
pub struct PlotReport {
    /// Each plots folder written, with the plots in it (names without extension).
    pub drawn: Vec<(PathBuf, Vec<String>)>,
    /// (folder, plot, why) of each plot not drawn.
    pub skipped: Vec<(PathBuf, String, String)>,
}

/// The drawn files of one plots folder, in memory.
struct Sheet {
    folder: PathBuf,
    files: Vec<(String, Vec<u8>)>,
    drawn: Vec<String>,
    skipped: Vec<(String, String)>,
}

impl Sheet {
    fn new(dir: &Path) -> Sheet {
        Sheet {
            folder: dir.join(PLOTS_FOLDER),
            files: Vec::new(),
            drawn: Vec::new(),
            skipped: Vec::new(),
        }
    }

    /// Draws `plot` as `name`.png and `name`.svg, or records why it is skipped.
    fn add<F: Figure>(&mut self, name: &str, plot: Result<Drawable<F>>) -> Result<()> {
        let fig = match plot? {
            Drawable::Draw(fig) => fig,
            Drawable::Skip(why) => {
                self.skipped.push((name.to_string(), why));
                return Ok(());
            }
        };
        let failed = |e: render::DrawError| SimError::Draw {
            name: format!("{}/{name}", self.folder.display()),
            message: e.0,
        };
        let png = render::png(&fig).map_err(failed)?;
        let svg = render::svg(&fig).map_err(failed)?;
        self.files.push((format!("{name}.png"), png));
        self.files.push((format!("{name}.svg"), svg.into_bytes()));
        self.drawn.push(name.to_string());
        Ok(())
    }
}

/// Draws every plot the files of `dir` allow into `dir/plots/` (a compare: also each variant's
/// `plots/`). Nothing is written unless every plot drew.
pub fn plot_folder(dir: &Path) -> Result<PlotReport> {
    let sheets = if dir.join("compare.json").is_file() {
        compare_sheets(dir)?
    } else if dir.join("sweep_summary.json").is_file() {
        vec![sweep_sheet(dir)?]
    } else if dir.join("summary.json").is_file() {
        vec![run_sheet(dir)?]
    } else {
        return Err(super::input::bad(
            dir,
            None,
            "not a sim output folder: it has no summary.json, compare.json or sweep_summary.json",
        ));
    };
    write_sheets(sheets)
}

/// The plots of one run's folder.
fn run_sheet(dir: &Path) -> Result<Sheet> {
    let mut sheet = Sheet::new(dir);
    sheet.add("latency_cdf", latency_data::run(dir))?;
    sheet.add("timeline", timeline_data::host(dir))?;
    sheet.add("timeline_scaling", timeline_data::fleet(dir))?;
    sheet.add("gil_lanes", gil_lanes_data::lanes(dir))?;
    Ok(sheet)
}

/// The plots of a compare folder, then each variant's own.
fn compare_sheets(dir: &Path) -> Result<Vec<Sheet>> {
    let mut top = Sheet::new(dir);
    top.add("latency_cdf", latency_data::compare(dir))?;
    top.add("whatif", whatif_data::compare(dir))?;
    let cmp: super::files::Compare = super::input::json(&dir.join("compare.json"))?;
    let mut sheets = vec![top];
    for v in &cmp.variants {
        sheets.push(run_sheet(&dir.join(&v.variant))?);
    }
    Ok(sheets)
}

/// The plots of a sweep folder.
fn sweep_sheet(dir: &Path) -> Result<Sheet> {
    let mut sheet = Sheet::new(dir);
    sheet.add("latency_cdf", latency_data::sweep(dir))?;
    sheet.add("whatif", whatif_data::sweep(dir))?;
    Ok(sheet)
}

/// Stages every sheet, then moves them all into place.
fn write_sheets(sheets: Vec<Sheet>) -> Result<PlotReport> {
    let mut staged = Vec::new();
    let mut report = PlotReport::default();
    for sheet in sheets {
        if sheet.files.is_empty() {
            let folder = sheet.folder.clone();
            report.skipped.extend(
                sheet
                    .skipped
                    .into_iter()
                    .map(|(p, why)| (folder.clone(), p, why)),
            );
            continue;
        }
        let mut staging = Staging::prepare(&sheet.folder)?;
        for (file, bytes) in &sheet.files {
            staging.write(file, bytes)?;
        }
        let manifest = serde_json::json!({
            "sim_version": env!("CARGO_PKG_VERSION"),
            "output_folder": staging.record(),
            "drawn_from": "..",
            "skipped": sheet.skipped.iter().map(|(p, why)| serde_json::json!({"plot": p, "why": why})).collect::<Vec<_>>(),
        });
        staging.write(MANIFEST, pretty_json(&manifest).as_bytes())?;
        staged.push(staging);
        let folder = sheet.folder.clone();
        report.drawn.push((folder.clone(), sheet.drawn));
        let skipped = sheet
            .skipped
            .into_iter()
            .map(|(p, why)| (folder.clone(), p, why));
        report.skipped.extend(skipped);
    }
    for staging in staged {
        staging.commit()?;
    }
    Ok(report)
}
