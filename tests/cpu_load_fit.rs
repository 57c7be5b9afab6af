//! Real CPython under sustained CPU load: the fitting half of
//! notebooks/measurements/cpu-load-2026-12-02 (the half used to find mechanisms; the hold-out
//! half is reported in the README, not tested here, so it stays a hold-out).
//!
//! Not every check of this half passes yet (see the README's fidelity section): this guards
//! today's score and the size of the mean-latency errors against regressions.

mod common;
use sim::validate::{table_text, validate_dir};

/// Checks of the fitting half that pass today (of 246).
const PASSING_TODAY: usize = 193;
/// The largest mean-latency error today, per repetition of a Poisson case, is below this.
const WORST_MEAN_LATENCY_ERROR: f64 = 0.40;

#[test]
fn the_fitting_half_keeps_its_score() {
    let dir = common::root().join("notebooks/measurements/cpu-load-2026-12-02/fit");
    let table = validate_dir(&dir, None, 3).expect("the fitting half loads");
    assert_eq!(table.len(), 246, "every case was compared");
    let passed = table.iter().filter(|c| c.pass).count();
    assert!(
        passed >= PASSING_TODAY,
        "{passed} of {} checks pass, fewer than {PASSING_TODAY}:\n{}",
        table.len(),
        table_text(&table)
    );
    let worst = table
        .iter()
        .filter(|c| c.metric == "lat_mean_ms")
        .map(|c| c.error.abs())
        .fold(0.0, f64::max);
    assert!(
        worst < WORST_MEAN_LATENCY_ERROR,
        "a mean latency is {:.0}% off:\n{}",
        worst * 100.0,
        table_text(&table)
    );
}
