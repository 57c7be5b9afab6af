//! Byte-order marks and non-ASCII text.

use super::*;

#[test]
fn a_byte_order_mark_and_unicode_comments_are_accepted() {
    let fx = Fixture::new("bom");
    let out = fx.dir.join("out");
    let file = hostile("unicode_comment_bom.ron");
    let args = [
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    let run = sim(&fx.dir, &[&args[..], &["--quiet"]].concat());
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    assert!(out.join("summary.json").is_file());
}

#[test]
fn a_byte_order_mark_in_a_profile_is_accepted_and_columns_count_characters() {
    let fx = Fixture::new("bom-profile");
    let profile = profile(&fx, "p", "\u{feff}");
    // "é" is two bytes but one column; the BOM is no column at all.
    let text = format!(
        "\u{feff}{}",
        experiment(
            "bom",
            "cores: 1.0, /* é */ processes: 0",
            std::slice::from_ref(&profile)
        )
    );
    let file = fx.write("experiments/bom.ron", &text);
    let run = check(&fx, &file);
    let line = problem_line(input_error(&run), &file, "host.processes");
    let col = "    host: Host(cores: 1.0, /* é */ ".chars().count() + 1;
    assert!(line.contains(&format!(":3:{col}:")), "{line}");
    let fixed = text.replace("processes: 0", "processes: 1");
    let ok = check(&fx, &fx.write("experiments/bom.ron", &fixed));
    assert_eq!(ok.code, Some(0), "stderr:\n{}", ok.stderr);
}

#[test]
fn a_file_that_is_not_utf8_points_at_the_first_bad_byte() {
    let fx = Fixture::new("latin1");
    let path = fx.dir.join("latin1.ron");
    std::fs::write(&path, b"Experiment(\n    name: \"caf\xe9\",\n)\n").unwrap();
    let run = check(&fx, &path);
    let err = input_error(&run);
    assert!(
        err.contains(&format!(
            "{}:2:15: byte 0xe9 is not UTF-8 text",
            path.display()
        )) && err.contains("save the file as UTF-8"),
        "{err}"
    );
}
