//! Real CPython: every case in shared/ground-truth reproduced within the tolerances its README
//! states (the same check as `sim validate ../shared/ground-truth`).

mod common;
use sim::validate::{table_text, validate_dir};

#[test]
fn every_ground_truth_case_is_reproduced_within_its_tolerance() {
    let dir = common::root().join("../shared/ground-truth");
    if !dir.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have ../shared/ground-truth beside the repository"
        );
        eprintln!("skipped: {} not found", dir.display());
        return;
    }
    let table = validate_dir(&dir, None, 3).expect("the ground truth loads");
    assert!(
        table.len() > 150,
        "all cases were compared: {}",
        table.len()
    );
    let misses: Vec<_> = table.iter().filter(|c| !c.pass).collect();
    assert!(misses.is_empty(), "{}", table_text(&table));
}
