//! Laying one raw block over another, field by field: how an experiment's `plan_overrides`
//! changes a plan, and how its `scale` block changes the plan's scale defaults.
//!
//! Both are turned into JSON trees (the same trees `--set` edits) and merged: a field the top
//! block leaves out (null) keeps the base's value; a nested struct (`price`, `cold_start`,
//! `targets`) is merged the same way; anything else the top sets replaces the base's, whole
//! (a number, a list, an enum variant such as `mode: Incremental(..)` or a duration).

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// `top` over `base`: every field `top` sets, else `base`'s. Two valid blocks always merge
/// into a valid one; should the result not fit the schema, `top` is returned as it is.
pub fn overlay<T: Serialize + DeserializeOwned + Clone>(base: &T, top: &T) -> T {
    let (Ok(mut tree), Ok(over)) = (serde_json::to_value(base), serde_json::to_value(top)) else {
        return top.clone();
    };
    merge(&mut tree, over);
    serde_json::from_value(tree).unwrap_or_else(|_| top.clone())
}

fn merge(base: &mut Value, top: Value) {
    match (base, top) {
        (_, Value::Null) => {}
        (Value::Object(b), Value::Object(t)) if !is_variant(b) && !is_variant(&t) => {
            for (key, value) in t {
                match b.get_mut(&key) {
                    Some(slot) => merge(slot, value),
                    None => {
                        b.insert(key, value);
                    }
                }
            }
        }
        (slot, value) => *slot = value,
    }
}

/// An externally tagged enum variant: one key, a capitalised name (`{"Lognormal": [..]}`).
fn is_variant(map: &serde_json::Map<String, Value>) -> bool {
    map.len() == 1
        && map
            .keys()
            .next()
            .is_some_and(|k| k.starts_with(|c: char| c.is_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_top_wins_field_by_field_and_variants_are_replaced_whole() {
        let mut base = json!({"a": 1, "nested": {"x": 1, "y": 2}, "mode": {"Http": {"s": 1}}});
        merge(
            &mut base,
            json!({"a": null, "nested": {"y": 5}, "mode": {"Incremental": {}}}),
        );
        assert_eq!(
            base,
            json!({"a": 1, "nested": {"x": 1, "y": 5}, "mode": {"Incremental": {}}})
        );
    }
}
