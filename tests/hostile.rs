//! The hostile experiment files kept beside the repository (`../shared/reliability/hostile`):
//! each must end with exit 0 or 2, never a panic, an abort or a hang, and a refusal must say
//! which file and what to change. Run as the README of that folder says: from the folder, so
//! a replay finds its CSV beside it.

use std::path::PathBuf;
use std::process::Command;

fn hostile_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reliability/hostile")
}

#[test]
fn every_hostile_file_ends_with_exit_0_or_2_and_a_message_naming_the_file() {
    let dir = hostile_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    assert!(files.len() >= 12, "{} hostile files", files.len());
    let out = std::env::temp_dir().join(format!("sim-hostile-{}", std::process::id()));
    for file in files {
        let name = file.file_name().unwrap().to_str().unwrap().to_string();
        // `timeout` is only a watchdog: every file ends in well under a second.
        let run = Command::new("timeout")
            .arg("120")
            .arg(env!("CARGO_BIN_EXE_sim"))
            .args(["run", &name, "--quiet", "--out"])
            .arg(out.join(&name))
            .current_dir(&dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        let code = run.status.code();
        assert!(
            matches!(code, Some(0 | 2)),
            "{name}: exit {code:?}\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        if code == Some(2) {
            let names_input = stderr.contains(&name) || stderr.contains("huge.csv");
            assert!(names_input, "{name}: the message names the input\n{stderr}");
        }
    }
    let _ = std::fs::remove_dir_all(&out);
}
