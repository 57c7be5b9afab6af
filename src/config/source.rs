//! Reading RON files and pointing at places in them.

use crate::error::{Location, Result, SimError};
use ron::extensions::Extensions;
use serde::de::DeserializeOwned;
use std::path::Path;

/// Reads `path` as UTF-8 text, without the byte-order mark some Windows editors write. Text
/// in another encoding is an error pointing at the first byte that is not UTF-8.
pub fn read_text(path: &Path) -> Result<String> {
    if path.is_dir() {
        return Err(SimError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let bytes = std::fs::read(path).map_err(|source| SimError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(without_bom(&text).to_string()),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let before = String::from_utf8_lossy(&bytes[..valid]);
            Err(SimError::Syntax {
                file: path.to_path_buf(),
                location: offset_to_location(&before, before.len()),
                message: format!(
                    "byte 0x{:02x} is not UTF-8 text\n  hint: save the file as UTF-8 (Latin-1 and UTF-16 are not read)",
                    bytes[valid]
                ),
            })
        }
    }
}

/// `text` without a leading UTF-8 byte-order mark (U+FEFF), which RON does not allow.
pub fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Parses RON text into `T`; `Option` fields may be written without `Some(..)`.
pub fn parse_ron<T: DeserializeOwned>(path: &Path, text: &str, example: &str) -> Result<T> {
    ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME)
        .from_str(text)
        .map_err(|e| {
            let location = Location {
                line: e.position.line,
                col: e.position.col,
            };
            let message = super::syntax::message(&e.code, text, location);
            SimError::Syntax {
                file: path.to_path_buf(),
                location,
                message: format!("{message}\n  hint: compare with {example}"),
            }
        })
}

/// Best-effort position of a field path (`functions[1].workload.rate_per_s`,
/// `functions[0].function.body[2].1`) in RON text: each name is searched for as `name:` after
/// the previous one, and each index skips to that element of the next list. `None` when a
/// part cannot be found (the value came from a default).
pub fn locate(text: &str, field_path: &str) -> Option<Location> {
    let mut from = 0usize;
    let mut found = None;
    for segment in field_path.split('.') {
        let mut parts = segment.split('[');
        let name = parts.next().unwrap_or("");
        let indices = parts.filter_map(|p| p.trim_end_matches(']').parse::<usize>().ok());
        let (name, indices): (&str, Vec<usize>) = match name.parse::<usize>() {
            Ok(i) => ("", vec![i]),
            Err(_) => (name, indices.collect()),
        };
        if !name.is_empty() {
            let at = find_field(&text[from..], name)? + from;
            found = Some(at);
            from = at + name.len();
        }
        for i in indices {
            from = list_element(text, from, i)?;
            found = Some(from);
        }
    }
    found.map(|offset| offset_to_location(text, offset))
}

/// Offset of element `index` of the first list (`[`) at or after `from`.
fn list_element(text: &str, from: usize, index: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let open = from + text[from..].find('[')?;
    let (mut depth, mut seen, mut i) = (1i32, 0usize, open + 1);
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            i += text[i..].find('\n').unwrap_or(text.len() - i);
            continue;
        }
        let starts_element = depth == 1 && seen == index && !b.is_ascii_whitespace() && b != b',';
        if starts_element && !matches!(b, b']' | b')' | b'}') {
            return Some(i);
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'(' | b'{' => depth += 1,
            b']' | b')' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return None;
                }
            }
            b',' if depth == 1 => seen += 1,
            _ => {}
        }
        i += 1;
    }
    None
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

/// Line and column (in characters, as ron counts them) of a byte offset.
fn offset_to_location(text: &str, offset: usize) -> Location {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
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

    #[test]
    fn locates_list_elements_by_index() {
        let text = "E(\n functions: [\n  (w: P(rate: 1)),\n  (w: P(rate: 0)),\n ],\n)";
        assert_eq!(
            locate(text, "functions[1].w.rate"),
            Some(Location { line: 4, col: 9 })
        );
        let body = "F(body: [Cpu(C(1)), Gather([[A(1)], [A(0)]])])";
        let second_branch = body.find("[A(0)]").unwrap() + 1;
        assert_eq!(
            locate(body, "body[1].1").map(|l| l.col),
            Some(second_branch)
        );
    }
}
