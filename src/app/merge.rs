//! `sim merge OUT SHARD_DIRS...`: the output folders of a sweep's shards (`sim sweep --shard
//! I/N`) combined into the files one machine writes: sweep.csv, sweep_summary.csv,
//! sweep_summary.json and, with an objective, ranking.csv, byte for byte. The shards must come from the same sweep (the same hash
//! of the expanded experiment in each manifest) and together hold every run exactly once.

use super::sweep::{write_sweep, SweepRecord};
use super::RunRecord;
use crate::analysis::sweep::SweepRow;
use crate::cli::MergeArgs;
use crate::error::{Result, SimError};
use crate::output::folder::MANIFEST;
use crate::output::sweep::parse_rows;
use crate::output::{pretty_json, Staging};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The merged folder's manifest.json.
#[derive(Serialize)]
struct MergeManifest<'a> {
    #[serde(flatten)]
    run: RunRecord<'a>,
    sweep: &'a SweepRecord,
    /// The shards' folders, as given.
    merged_from: Vec<String>,
}

/// Merges the shards `args` names into its output folder.
pub(super) fn merge_command(args: &MergeArgs) -> Result<()> {
    let started = Instant::now();
    let shards = args
        .shards
        .iter()
        .map(|d| read_shard(d))
        .collect::<Result<Vec<_>>>()?;
    let record = common_record(&shards)?;
    let rows = all_runs(&shards, &record)?;
    let mut top = Staging::prepare(&args.out)?;
    write_sweep(&mut top, &rows, &record)?;
    let manifest = MergeManifest {
        run: RunRecord {
            sim_version: env!("CARGO_PKG_VERSION"),
            output_folder: top.record(),
            command: std::env::args().collect(),
            experiment_file: String::new(),
            seed: record.seed,
            wall_time_s: started.elapsed().as_secs_f64(),
            overrides: &[],
        },
        sweep: &record,
        merged_from: args
            .shards
            .iter()
            .map(|d| d.display().to_string())
            .collect(),
    };
    top.write(MANIFEST, pretty_json(&manifest).as_bytes())?;
    let dir = top.commit()?;
    let ranking = if record.objective.is_some() {
        "ranking.csv, "
    } else {
        ""
    };
    crate::say!(
        "merged {} shards ({} runs of {}) into {}/ (sweep.csv, sweep_summary.csv, sweep_summary.json, {ranking}manifest.json)",
        shards.len(),
        rows.len(),
        record.experiment,
        dir.display()
    );
    Ok(())
}

/// A shard's folder: its record and its rows.
struct ShardDir {
    dir: PathBuf,
    record: SweepRecord,
    rows: Vec<SweepRow>,
}

fn read_shard(dir: &Path) -> Result<ShardDir> {
    let bad = |message: String| SimError::Sweep {
        path: dir.to_path_buf(),
        message,
    };
    let read = |file: &str| {
        std::fs::read_to_string(dir.join(file)).map_err(|e| {
            bad(format!(
                "cannot read its {file} ({e}); give the output folders of sim sweep --shard I/N"
            ))
        })
    };
    let manifest: serde_json::Value = serde_json::from_str(&read(MANIFEST)?)
        .map_err(|e| bad(format!("its {MANIFEST} is not JSON ({e})")))?;
    let record: SweepRecord = manifest
        .get("sweep")
        .cloned()
        .and_then(|v| serde_json::from_value(v).ok())
        .ok_or_else(|| {
            bad(format!(
                "its {MANIFEST} records no sweep: it is not the output of sim sweep"
            ))
        })?;
    let rows = parse_rows(&read("sweep.csv")?, record.axes.len())
        .map_err(|e| bad(format!("its sweep.csv is damaged: {e}")))?;
    Ok(ShardDir {
        dir: dir.to_path_buf(),
        record,
        rows,
    })
}

/// The sweep every shard belongs to, with no shard; an error names a shard of another sweep,
/// a whole sweep given as a shard, and shards missing or given twice.
fn common_record(shards: &[ShardDir]) -> Result<SweepRecord> {
    let first = &shards[0];
    let whole = |s: &ShardDir| SweepRecord {
        shard: None,
        ..s.record.clone()
    };
    let mut seen = Vec::new();
    for s in shards {
        let Some([i, n]) = s.record.shard else {
            return Err(sweep_error(
                &s.dir,
                "holds a whole sweep, not a shard: it needs no merge".into(),
            ));
        };
        if whole(s) != whole(first) || n != first.record.shard.map_or(0, |[_, n]| n) {
            return Err(sweep_error(&s.dir, format!("is from another sweep or split ({}, shard {i}/{n}) than {} ({}); merge only shards of one sweep run with the same file, --set overrides and N", s.record.hash, first.dir.display(), first.record.hash)));
        }
        if seen.contains(&i) {
            return Err(sweep_error(
                &s.dir,
                format!("is shard {i}/{n}, given twice"),
            ));
        }
        seen.push(i);
    }
    let n = first.record.shard.map_or(1, |[_, n]| n);
    let missing: Vec<String> = (0..n)
        .filter(|i| !seen.contains(i))
        .map(|i| format!("{i}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(sweep_error(&first.dir, format!("its sweep has {n} shards; missing: {} (run sim sweep --shard for each and give every folder)", missing.join(", "))));
    }
    Ok(whole(first))
}

/// Every run once, sorted; an error names a shard with a run that is not its own or missing.
fn all_runs(shards: &[ShardDir], record: &SweepRecord) -> Result<Vec<SweepRow>> {
    let mut rows = Vec::with_capacity(record.runs);
    for s in shards {
        let [i, n] = s.record.shard.expect("checked: every folder is a shard");
        let expected = (0..record.runs).filter(|r| r % n == i).count();
        let stray = s
            .rows
            .iter()
            .find(|r| r.run % n != i || r.run >= record.runs);
        if let Some(r) = stray {
            return Err(sweep_error(
                &s.dir,
                format!("holds run {}, which is not shard {i}/{n}'s", r.run),
            ));
        }
        let mut runs: Vec<usize> = s.rows.iter().map(|r| r.run).collect();
        runs.sort_unstable();
        runs.dedup();
        if runs.len() != expected || s.rows.len() != expected {
            return Err(sweep_error(&s.dir, format!("holds {} distinct runs of {} rows, shard {i}/{n} has {expected}: finish it (sim sweep --shard {i}/{n} --resume)", runs.len(), s.rows.len())));
        }
        rows.extend(s.rows.iter().cloned());
    }
    rows.sort_by_key(|r| r.run);
    Ok(rows)
}

fn sweep_error(dir: &Path, message: String) -> SimError {
    SimError::Sweep {
        path: dir.to_path_buf(),
        message,
    }
}
