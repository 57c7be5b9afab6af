//! `--set path.to.field=value`: quick what-ifs on top of an experiment file.
//!
//! The parsed experiment is turned into a JSON tree, the field is replaced, and the tree is
//! parsed back, so an override goes through exactly the same schema and validation as the
//! file. Paths use field names, list indices and skip enum variant names:
//! `host.processes=4`, `functions.0.workload.rate_per_s=50`, `seed=7`,
//! `functions.0.function.body.1.0=20` (the median of a `BlockingIo(Lognormal(..))` step, or
//! the mean of a `BlockingIo(Exponential(..))` one: index 0 of a one-value variant is its
//! value; `functions.0.function.0=../models/other.ron` names another file for a
//! `Profile(..)` function, whose own fields are set in its file).

use super::raw::RawExperiment;
use crate::error::{Result, SimError};
use serde_json::Value;

/// Where overrides come from, for messages: the command line's `--set`, or the `set` list
/// of a compare block's variant.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    /// `--set path=value` on the command line.
    CommandLine,
    /// `set: ["path=value", ..]` of the compare variant of this name.
    Variant(&'a str),
    /// A value of the sweep axis at this field (`sweep.grid[0]`).
    Axis(&'a str),
}

impl Origin<'_> {
    /// How a message names override `spec`: `--set host.threads=4`, or
    /// `compare variant "EP2", set "host.threads=4"`.
    pub fn label(self, spec: &str) -> String {
        match self {
            Origin::CommandLine => format!("--set {spec}"),
            Origin::Variant(name) => format!("compare variant {name:?}, set {spec:?}"),
            Origin::Axis(field) => format!("{field}, value {spec:?}"),
        }
    }
}

/// (dotted path, label) of each override in `sets`, for validation to blame the values they
/// set on them (see [`Origin::label`]).
pub fn blame(sets: &[String], origin: Origin) -> Vec<(String, String)> {
    sets.iter()
        .filter_map(|spec| {
            let (path, _) = spec.split_once('=')?;
            Some((path.trim().to_string(), origin.label(spec)))
        })
        .collect()
}

/// Applies each `path=value` of the command line in order.
pub fn apply(raw: RawExperiment, sets: &[String]) -> Result<RawExperiment> {
    apply_from(raw, sets, Origin::CommandLine)
}

/// Applies each `path=value` in order; errors name them as `origin` gave them.
pub fn apply_from(raw: RawExperiment, sets: &[String], origin: Origin) -> Result<RawExperiment> {
    if sets.is_empty() {
        return Ok(raw);
    }
    let mut tree = serde_json::to_value(&raw).expect("the raw experiment always serializes");
    for spec in sets {
        let err = |message: String| SimError::Override {
            spec: origin.label(spec),
            message,
        };
        let (path, value) = spec
            .split_once('=')
            .ok_or_else(|| err("expected path=value, e.g. host.processes=4".into()))?;
        let (path, value) = (path.trim(), value.trim());
        let (slot, missing) = find_slot(&mut tree, path).map_err(err)?;
        let old = slot.clone();
        // As the field's type reads it, else as text (`plan=EP2` is a name, not a variant).
        let text = Value::String(value.trim_matches('"').to_string());
        let mut first_error = None;
        for candidate in [parse_value(value, &old), text] {
            *find_slot(&mut tree, path).map_err(err)?.0 = candidate;
            match serde_json::from_value::<RawExperiment>(tree.clone()) {
                Ok(_) => {
                    first_error = None;
                    break;
                }
                Err(e) => {
                    first_error.get_or_insert(e.to_string());
                }
            }
        }
        if let Some(e) = first_error {
            // A field the file left out is set only if the schema has it.
            let message = match missing {
                Some(m) => schema_fields(&e).map_or(m.clone(), |all| {
                    format!(
                        "{}; valid fields: {all}",
                        m.split("; valid fields").next().unwrap_or(&m)
                    )
                }),
                None => format!("{} (value {:?})", plain_types(&e), value),
            };
            return Err(err(message));
        }
    }
    Ok(serde_json::from_value(tree).expect("checked after each override"))
}

/// The fields the schema has, from serde's "unknown field `x`, expected one of `a`, `b`"
/// (the file's tree lacks the fields it left out).
fn schema_fields(message: &str) -> Option<String> {
    let (_, list) = message.split_once("expected one of ")?;
    Some(list.replace('`', ""))
}

/// serde's type names in words a user knows (numbers are checked later, with their ranges).
fn plain_types(message: &str) -> String {
    message.replace("a boolean", "true or false")
}

/// Walks `path` through objects (by key), arrays (by index) and enum variants (transparently).
/// A field the file left out (an omitted optional field or block) is added, as null or as an
/// empty block on the way; the message that it does not exist comes back with it, for when
/// the schema has no such field (`--set plan_overrides.memory_mb=4096` adds the block).
fn find_slot<'a>(
    mut node: &'a mut Value,
    path: &str,
) -> std::result::Result<(&'a mut Value, Option<String>), String> {
    let mut walked = String::new();
    let mut missing = None;
    let last = path.split('.').count() - 1;
    for (n, segment) in path.split('.').enumerate() {
        let here = if walked.is_empty() {
            "the experiment".to_string()
        } else {
            format!("`{walked}`")
        };
        // The profile's file itself may be replaced (`functions.0.function.0=other.ron`).
        let names_the_file = n == last && (segment == "0" || segment == "Profile");
        if let Some(file) = profile_of(node).filter(|_| !names_the_file) {
            return Err(format!("{here} is Profile({file}): its fields are set in that file; to change them with --set, define the function Inline(Function(..)) in the experiment, or name another file with `{}.0=path`", if walked.is_empty() { "function" } else { &walked }));
        }
        node = descend_variant(node, segment);
        node = match node {
            Value::Object(map) => {
                let valid: Vec<String> = map.keys().cloned().collect();
                let message = format!(
                    "{here} has no field `{segment}`; valid fields: {}",
                    valid.join(", ")
                );
                if !map.contains_key(segment) {
                    missing.get_or_insert(message);
                    let empty = if n == last {
                        Value::Null
                    } else {
                        Value::Object(Default::default())
                    };
                    map.insert(segment.to_string(), empty);
                }
                map.get_mut(segment).expect("present or just added")
            }
            Value::Array(items) => {
                let indices = match items.len() {
                    0 => "it is empty, so no index is".to_string(),
                    1 => "it has 1 entry: use the index 0".to_string(),
                    n => format!("it has {n} entries: use an index 0..={}", n - 1),
                };
                let index = segment.parse::<usize>().ok();
                index
                    .and_then(|i| items.get_mut(i))
                    .ok_or_else(|| format!("{here} is a list; {indices}, not `{segment}`"))?
            }
            // A one-value variant (`Exponential(100.0)`): index 0 is its value.
            single if segment == "0" => single,
            _ => {
                return Err(format!(
                    "{here} is a single value; it has no field `{segment}`"
                ))
            }
        };
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(segment);
    }
    Ok((node, missing))
}

/// Externally tagged enums (`{"Poisson": {...}}`, `{"Cpu": {"Lognormal": [..]}}`) are entered
/// without naming their variants (naming them works too).
fn descend_variant<'a>(node: &'a mut Value, segment: &str) -> &'a mut Value {
    let is_variant = matches!(&*node, Value::Object(map) if map.len() == 1
        && !map.contains_key(segment)
        && map.keys().next().is_some_and(|k| k.starts_with(|c: char| c.is_ascii_uppercase())));
    if !is_variant {
        return node;
    }
    let inner = match node {
        Value::Object(map) => map.values_mut().next().expect("one entry"),
        _ => unreachable!("checked above"),
    };
    descend_variant(inner, segment)
}

/// The file of a `Profile("..")` function reference, quoted.
fn profile_of(node: &Value) -> Option<String> {
    let map = node.as_object()?;
    let file = map.get("Profile").filter(|_| map.len() == 1)?;
    Some(file.to_string())
}

/// A string field takes the text as it is (`host.python=3.8`); otherwise numbers, booleans
/// and `null` are read as JSON, and anything else is a string (the schema check then says
/// what was expected).
fn parse_value(text: &str, old: &Value) -> Value {
    // A unit variant (`Cost`) becomes one with a value (`Balanced(0.5)`).
    let unit_variant = old
        .as_str()
        .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_uppercase()) && !v.contains(' '));
    if unit_variant && text.ends_with(')') {
        if let Some(variant) = variant_value(text) {
            return variant;
        }
    }
    if old.is_string() {
        return Value::String(text.trim_matches('"').to_string());
    }
    if let Some(variant) = variant_value(text) {
        return variant;
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v @ (Value::Number(_) | Value::Bool(_) | Value::Null)) => v,
        _ => Value::String(text.to_string()),
    }
}

/// An enum variant written as in the file, with flat fields: `Incremental`, `Incremental()`,
/// `TargetBased(max_step: 8, scale_in_hold_s: 60)` (numbers, true/false, or text), or one
/// number (`Balanced(0.5)`); `None` for anything else. A bare name is a struct variant with every field at its default.
fn variant_value(text: &str) -> Option<Value> {
    let (name, rest) = match text.find('(') {
        Some(i) => (&text[..i], Some(text[i + 1..].strip_suffix(')')?)),
        None => (text, None),
    };
    let is_name = name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !is_name {
        return None;
    }
    // A one-number variant: `Balanced(0.5)`.
    if let Some(n) = rest.and_then(|r| serde_json::from_str::<serde_json::Number>(r.trim()).ok()) {
        let mut variant = serde_json::Map::new();
        variant.insert(name.to_string(), Value::Number(n));
        return Some(Value::Object(variant));
    }
    let mut fields = serde_json::Map::new();
    for pair in rest
        .unwrap_or("")
        .split(',')
        .filter(|p| !p.trim().is_empty())
    {
        let (key, value) = pair.split_once(':')?;
        let value = value.trim();
        let parsed = match serde_json::from_str::<Value>(value) {
            Ok(v @ (Value::Number(_) | Value::Bool(_))) => v,
            _ => Value::String(value.trim_matches('"').to_string()),
        };
        fields.insert(key.trim().to_string(), parsed);
    }
    let mut variant = serde_json::Map::new();
    variant.insert(name.to_string(), Value::Object(fields));
    Some(Value::Object(variant))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variant_is_written_as_in_the_file() {
        let v = variant_value("TargetBased(max_step: 8, combine: Max)").unwrap();
        assert_eq!(
            v,
            serde_json::json!({"TargetBased": {"max_step": 8, "combine": "Max"}})
        );
        assert_eq!(
            variant_value("Incremental()").unwrap(),
            serde_json::json!({"Incremental": {}})
        );
        assert_eq!(
            variant_value("Incremental").unwrap(),
            serde_json::json!({"Incremental": {}})
        );
        assert_eq!(variant_value("4"), None);
        assert_eq!(variant_value("fast"), None);
        assert_eq!(variant_value("Broken(max_step 8)"), None);
    }
}
