//! `--set path.to.field=value`: quick what-ifs on top of an experiment file.
//!
//! The parsed experiment is turned into a JSON tree, the field is replaced, and the tree is
//! parsed back, so an override goes through exactly the same schema and validation as the
//! file. Paths use field names, list indices and skip enum variant names:
//! `host.processes=4`, `functions.0.workload.rate_per_s=50`, `seed=7`,
//! `functions.0.function.body.1.0=20` (the median of a `BlockingIo(Lognormal(..))` step).

use super::raw::RawExperiment;
use crate::error::{Result, SimError};
use serde_json::Value;

/// Applies each `path=value` in order.
pub fn apply(raw: RawExperiment, sets: &[String]) -> Result<RawExperiment> {
    if sets.is_empty() {
        return Ok(raw);
    }
    let mut tree = serde_json::to_value(&raw).expect("the raw experiment always serializes");
    for spec in sets {
        let err = |message: String| SimError::Override {
            spec: spec.clone(),
            message,
        };
        let (path, value) = spec
            .split_once('=')
            .ok_or_else(|| err("expected path=value, e.g. host.processes=4".into()))?;
        let slot = find_slot(&mut tree, path.trim()).map_err(err)?;
        *slot = parse_value(value.trim(), slot);
        serde_json::from_value::<RawExperiment>(tree.clone()).map_err(|e| {
            err(format!(
                "{} (value {:?})",
                plain_types(&e.to_string()),
                value.trim()
            ))
        })?;
    }
    Ok(serde_json::from_value(tree).expect("checked after each override"))
}

/// serde's type names in words a user knows (numbers are checked later, with their ranges).
fn plain_types(message: &str) -> String {
    message.replace("a boolean", "true or false")
}

/// Walks `path` through objects (by key), arrays (by index) and enum variants (transparently).
fn find_slot<'a>(
    mut node: &'a mut Value,
    path: &str,
) -> std::result::Result<&'a mut Value, String> {
    let mut walked = String::new();
    for segment in path.split('.') {
        let here = if walked.is_empty() {
            "the experiment".to_string()
        } else {
            format!("`{walked}`")
        };
        if let Some(file) = profile_of(node) {
            return Err(format!("{here} is Profile({file}): its fields are set in that file; to change them with --set, define the function Inline(Function(..)) in the experiment"));
        }
        node = descend_variant(node, segment);
        node = match node {
            Value::Object(map) => {
                let valid: Vec<String> = map.keys().cloned().collect();
                map.get_mut(segment).ok_or_else(|| {
                    format!(
                        "{here} has no field `{segment}`; valid fields: {}",
                        valid.join(", ")
                    )
                })?
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
    Ok(node)
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
/// `TargetBased(max_step: 8, scale_in_hold_s: 60)` (numbers, true/false, or text); `None` for
/// anything else. A bare name is a struct variant with every field at its default.
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
