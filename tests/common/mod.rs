//! Helpers shared by the integration tests.
#![allow(dead_code)]

use sim::config::{load_experiment, parse_experiment, Experiment};
use sim::runner::{run_experiment, RunOutput};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What one run of the binary did.
pub struct Run {
    /// Exit code (None if killed by a signal).
    pub code: Option<i32>,
    /// Everything it printed on stdout.
    pub stdout: String,
    /// Everything it printed on stderr.
    pub stderr: String,
}

/// Runs `sim ARGS` in `cwd`.
pub fn sim_in(cwd: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_sim"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the sim binary starts");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Loads `experiments/<name>.ron` with `--set` overrides.
pub fn experiment(name: &str, sets: &[&str]) -> Experiment {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    load_experiment(
        &root().join("experiments").join(format!("{name}.ron")),
        &sets,
    )
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Runs `experiments/<name>.ron` with overrides.
pub fn run(name: &str, sets: &[&str]) -> RunOutput {
    run_experiment(&experiment(name, sets)).expect("the experiment builds")
}

/// Runs an experiment written inline (paths relative to experiments/).
pub fn run_text(text: &str, sets: &[&str]) -> RunOutput {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let exp = parse_experiment(text, &root().join("experiments/inline.ron"), &sets)
        .unwrap_or_else(|e| panic!("{e}"));
    run_experiment(&exp).expect("the experiment builds")
}

/// Latencies (response - arrival) in ms, in invocation order.
pub fn latencies_ms(out: &RunOutput) -> Vec<f64> {
    out.rows
        .iter()
        .map(|r| (r.response.expect("answered") - r.arrival) as f64 / 1e6)
        .collect()
}

/// Body end of the last invocation, ms.
pub fn makespan_ms(out: &RunOutput) -> f64 {
    out.summary.makespan_ms
}

/// Median of a slice.
pub fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[path = "../../src/test_support.rs"]
mod test_support;
pub use test_support::scratch_dir;

/// An empty temp folder for this test process and `name` (copies left by ended test runs are
/// removed: see `src/test_support.rs`).
pub fn temp_dir(name: &str) -> PathBuf {
    scratch_dir("sim-test", name)
}

/// Reads a file to bytes.
pub fn bytes(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Runs `sim trace gen ARGS` and returns how many invocations it says it wrote.
pub fn trace_gen(args: &[&str]) -> u64 {
    let mut all = vec!["trace", "gen"];
    all.extend_from_slice(args);
    let run = sim_in(&root(), &all);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let last = run.stdout.lines().last().unwrap_or("");
    let count = last.split('(').nth(1).and_then(|s| s.split(' ').next());
    count
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {last:?}"))
}
