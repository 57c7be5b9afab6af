//! Reading RON files and pointing at places in them.

use crate::error::{Location, Result, SimError};
use ron::extensions::Extensions;
use serde::de::DeserializeOwned;
use std::path::Path;

/// Reads `path` as text.
pub fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| SimError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Parses RON text into `T`; `Option` fields may be written without `Some(..)`.
pub fn parse_ron<T: DeserializeOwned>(path: &Path, text: &str, example: &str) -> Result<T> {
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME)
        .from_str(text)
        .map_err(|e| SimError::Syntax {
            file: path.to_path_buf(),
            location: Location {
                line: e.position.line,
                col: e.position.col,
            },
            message: format!("{}\n  hint: compare with {example}", e.code),
        })
}

/// Best-effort position of a dotted field path (`functions[1].workload.rate_per_s`) in RON
/// text: each named segment is searched for as `name:` after the previous one. `None` when a
/// segment cannot be found (the value came from a default or a `--set`).
pub fn locate(text: &str, field_path: &str) -> Option<Location> {
    let mut from = 0usize;
    let mut found = None;
    for segment in field_path.split('.') {
        let name = segment.split('[').next().unwrap_or(segment);
        if name.is_empty() {
            continue;
        }
        let at = find_field(&text[from..], name)? + from;
        found = Some(at);
        from = at + name.len();
    }
    found.map(|offset| offset_to_location(text, offset))
}

/// Offset of `name` used as a field (`name:` with an identifier boundary before it).
fn find_field(text: &str, name: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut start = 0;
    while let Some(rel) = text[start..].find(name) {
        let at = start + rel;
        let before_ok = at == 0 || !is_ident(bytes[at - 1]);
        let rest = text[at + name.len()..].trim_start();
        if before_ok && rest.starts_with(':') && !in_comment(text, at) {
            return Some(at);
        }
        start = at + name.len();
    }
    None
}

fn in_comment(text: &str, at: usize) -> bool {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..at].contains("//")
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn offset_to_location(text: &str, offset: usize) -> Location {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    Location { line, col }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_fields_and_skips_comments() {
        let text = "Experiment(\n  // processes: 3\n  host: (\n    processes: 12,\n  ),\n)";
        assert_eq!(
            locate(text, "host.processes"),
            Some(Location { line: 4, col: 5 })
        );
        assert_eq!(locate(text, "host.threads"), None);
    }
}
