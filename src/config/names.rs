//! Names that end up in paths and files: the experiment's names its output folder
//! (`outputs/<name>/`), a function's is a field of every row of invocations.csv and a key of
//! summary.json. Both are checked here so that a run never fails, after the work, on a name.

use super::checker::Checker;

/// Longest experiment or function name, in characters: well under every file system's
/// 255-byte limit on one path component, with room for sim's staging suffixes.
pub const MAX_NAME_CHARS: usize = 100;

/// Device names Windows reserves in every folder, with or without an extension.
const WINDOWS_DEVICES: [&str; 4] = ["CON", "PRN", "AUX", "NUL"];

/// The rule an experiment name must follow, as the message states it.
pub const FOLDER_RULE: &str = "1..=100 characters: letters, digits, '_', '-' and '.', not starting or ending with '.', and no Windows device name (CON, PRN, AUX, NUL, COM1..9, LPT1..9); it names the output folder, so it must be a safe folder name on Linux, macOS and Windows";

/// The rule a function name must follow, as the message states it.
pub const FUNCTION_RULE: &str = "1..=100 characters without commas, quotes, control characters (newlines, tabs) or spaces at either end (it is a field of invocations.csv)";

/// True if `name` is a folder name every supported system accepts as is.
pub fn is_folder_name(name: &str) -> bool {
    let chars_ok = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    let stem = name.split('.').next().unwrap_or("").to_ascii_uppercase();
    let device = WINDOWS_DEVICES.contains(&stem.as_str())
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.ends_with(|c: char| c.is_ascii_digit()));
    (1..=MAX_NAME_CHARS).contains(&name.chars().count())
        && chars_ok
        && !name.starts_with('.')
        && !name.ends_with('.')
        && !device
}

/// True if `name` can be written unquoted as a field of invocations.csv.
pub fn is_function_name(name: &str) -> bool {
    (1..=MAX_NAME_CHARS).contains(&name.chars().count())
        && !name.contains([',', '"'])
        && !name.chars().any(char::is_control)
        && name.trim() == name
}

/// A name as a message shows it: quoted, and cut short when long.
fn shown(name: &str) -> String {
    let n = name.chars().count();
    if n <= 40 {
        format!("{name:?}")
    } else {
        let head: String = name.chars().take(20).collect();
        format!("{:?} ({n} characters)", format!("{head}..."))
    }
}

impl Checker {
    /// Checks the experiment's name, which names the output folder.
    pub(super) fn experiment_name(&mut self, name: &str) {
        if !is_folder_name(name) {
            let allowed = format!("allowed {FOLDER_RULE}");
            self.problem("name", shown(name), "cannot name a folder", &allowed);
        }
    }

    /// Checks a function's name at `field`; true if it is allowed.
    pub(super) fn function_name(&mut self, name: &str, field: &str) -> bool {
        let ok = is_function_name(name);
        if !ok {
            let allowed = format!("allowed {FUNCTION_RULE}");
            self.problem(field, shown(name), "cannot name a function", &allowed);
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_are_portable() {
        for ok in [
            "io_bound",
            "a",
            "v1.2-final",
            &"a".repeat(100),
            "console",
            "com10",
        ] {
            assert!(is_folder_name(ok), "{ok}");
        }
        let long = "a".repeat(101);
        for bad in ["", ".hidden", "trailing.", "a b", "a/b", "a\\b", "ü", &long] {
            assert!(!is_folder_name(bad), "{bad:?}");
        }
        for device in ["CON", "nul", "Aux.txt", "com1", "LPT9.log"] {
            assert!(!is_folder_name(device), "{device}");
        }
    }

    #[test]
    fn function_names_fit_unquoted_in_a_csv_field() {
        for ok in ["api", "my function", "ünï", "f(x)"] {
            assert!(is_function_name(ok), "{ok}");
        }
        for bad in [
            "",
            "a,b",
            "say \"hi\"",
            "a\nb",
            "a\rb",
            "tab\t",
            " padded",
            &"f".repeat(101),
        ] {
            assert!(!is_function_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn long_names_are_cut_short_in_messages() {
        assert_eq!(shown("api"), "\"api\"");
        assert_eq!(
            shown(&"a".repeat(300)),
            format!("\"{}...\" (300 characters)", "a".repeat(20))
        );
    }
}
