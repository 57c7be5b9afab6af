//! `sim plot DIR`, and `--plots` after a run: draw, then say what was drawn and skipped.

use crate::cli::PlotArgs;
use crate::error::Result;
use crate::plot::{plot_folder, PlotReport};
use std::path::Path;

/// `sim plot`.
pub(super) fn plot_command(args: &PlotArgs) -> Result<()> {
    let report = plot_folder(&args.dir)?;
    if !args.quiet {
        crate::say!("{}", report_text(&report).trim_end());
    }
    Ok(())
}

/// With `--plots`, draws the plots of the output folder `dir` just written.
pub(super) fn after_run(wanted: bool, dir: &Path, quiet: bool) -> Result<()> {
    if !wanted {
        return Ok(());
    }
    let report = plot_folder(dir)?;
    if !quiet {
        crate::say!("{}", report_text(&report).trim_end());
    }
    Ok(())
}

/// One line per plots folder, then one per skipped plot with its reason.
fn report_text(report: &PlotReport) -> String {
    let mut text = String::new();
    for (folder, drawn) in &report.drawn {
        if !drawn.is_empty() {
            let names = drawn.join(", ");
            text.push_str(&format!(
                "drew {}/ ({names}; .png and .svg)\n",
                folder.display()
            ));
        }
    }
    for (folder, plot, why) in &report.skipped {
        text.push_str(&format!("skipped {}/{plot}: {why}\n", folder.display()));
    }
    text
}
