//! ron's parse errors in a user's words: the field the bad value belongs to, the schema's
//! names instead of sim's internal type names, the end-of-file hint.

use crate::error::Location;
use ron::Error;

/// The message for ron error `code` at `at` in `text`.
pub fn message(code: &Error, text: &str, at: Location) -> String {
    let mut m = plain_names(&code.to_string());
    if *code == Error::Eof {
        m.push_str(
            "; the file ends too early: check that every `(` and `[` has its closing `)` and `]`",
        );
    }
    match field_before(text, at) {
        Some(field) if names_a_value(code) => format!("in `{field}`: {m}"),
        _ => m,
    }
}

/// Errors about a value of the wrong shape, as opposed to broken syntax between values.
fn names_a_value(code: &Error) -> bool {
    matches!(
        code,
        Error::InvalidValueForType { .. }
            | Error::ExpectedDifferentLength { .. }
            | Error::NoSuchEnumVariant { .. }
            | Error::ExpectedBoolean
            | Error::ExpectedString
            | Error::ExpectedInteger
            | Error::ExpectedFloat
            | Error::IntegerOutOfBounds
            | Error::InvalidIntegerDigit { .. }
            | Error::ExpectedArray
            | Error::ExpectedStructLike
            | Error::ExpectedNamedStructLike(_)
            | Error::ExpectedUnit
    )
}

/// serde names a variant by its Rust type (`RawDist::Lognormal`); the file says `Lognormal`.
fn plain_names(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find("Raw") {
        let boundary = !rest[..i].ends_with(|c: char| c.is_alphanumeric());
        let after = &rest[i + 3..];
        out.push_str(&rest[..i]);
        match after.find("::") {
            Some(j) if boundary && is_type_name(&after[..j]) => {
                rest = &after[j + 2..];
            }
            _ => {
                out.push_str("Raw");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_type_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(char::is_alphanumeric)
}

/// The name of the last `name:` before `at` (line:column in characters), skipping comments.
fn field_before(text: &str, at: Location) -> Option<&str> {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(at.line.saturating_sub(1))
        .map(str::len)
        .sum();
    let line = text.get(line_start..)?;
    let col = line
        .char_indices()
        .nth(at.col.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    let before = &text[..line_start + col];
    before
        .match_indices(':')
        .rev()
        .filter_map(|(i, _)| {
            let name_end = before[..i].trim_end();
            let start = name_end
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(0, |k| k + 1);
            let name = &name_end[start..];
            let in_comment = before[..start]
                .rsplit('\n')
                .next()
                .is_some_and(|l| l.contains("//"));
            let is_name = name.starts_with(|c: char| c.is_alphabetic() || c == '_');
            (is_name && !in_comment).then_some(name)
        })
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_field_before_the_error() {
        let text = "E(\n  // x: 1\n  host: H(flag: 1,";
        let at = Location { line: 3, col: 18 };
        assert_eq!(field_before(text, at), Some("flag"));
        let m = message(&Error::ExpectedBoolean, text, at);
        assert_eq!(m, "in `flag`: Expected boolean");
        let comma = message(&Error::ExpectedComma, text, at);
        assert_eq!(comma, "Expected comma");
    }

    #[test]
    fn drops_internal_type_names() {
        assert_eq!(
            plain_names("Expected tuple variant RawDist::Lognormal with 2 elements"),
            "Expected tuple variant Lognormal with 2 elements"
        );
        assert_eq!(plain_names("a RawHost or Raw::x"), "a RawHost or Raw::x");
    }
}
