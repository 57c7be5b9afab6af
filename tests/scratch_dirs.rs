//! The tests' scratch folders (`src/test_support.rs`): copies left by ended test runs are
//! removed, those of running processes and of other names kept.

mod common;

use std::path::Path;

#[test]
fn a_folder_left_by_an_ended_process_is_removed_and_a_live_one_kept() {
    let temp = std::env::temp_dir();
    // No process has pid 4,000,000,000 (Linux's limit is 4,194,304); pid 1 always runs.
    let ended = temp.join("sim-support-4000000000-leftover");
    let live = temp.join("sim-support-1-leftover");
    let other_name = temp.join("sim-support-4000000000-other");
    for d in [&ended, &live, &other_name] {
        std::fs::create_dir_all(d).unwrap();
        std::fs::write(d.join("x"), "1").unwrap();
    }
    let mine = common::scratch_dir("sim-support", "leftover");
    assert!(mine.is_dir());
    assert_eq!(std::fs::read_dir(&mine).unwrap().count(), 0, "made empty");
    if Path::new("/proc/self").exists() {
        assert!(!ended.exists(), "an ended process's copy is removed");
    }
    assert!(live.exists(), "a running process's copy is kept");
    assert!(other_name.exists(), "another name's folder is kept");
    for d in [&live, &other_name, &mine] {
        let _ = std::fs::remove_dir_all(d);
    }
}
