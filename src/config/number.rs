//! Numbers as written. Every numeric field of the raw schema is a [`Num`], which takes whatever
//! stands in its place (any RON number, a string, a boolean) and keeps it. A wrong type
//! (`processes: "two"`, `seed: 1.5`, `threads: -1`) is then not a parse error without a field
//! name: validation reports it with the field, its place in the file and the allowed range
//! from [`super::limits`], together with every other problem of the file.
//!
//! Why not `u32`/`f64` fields with serde_path_to_error: ron stops at the first wrong type,
//! reports `1.5` for a `u64` as "Expected comma" (it reads `1` and chokes on `.5`), and the
//! allowed range would have to be repeated in the parse errors; here it lives in one table.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The value of a numeric field as written in an experiment or profile file (or by `--set`).
#[derive(Debug, Clone, PartialEq)]
pub enum Num {
    /// A whole number: a RON integer, or a string holding one.
    Int(i128),
    /// A number with a fraction or an exponent, NaN or an infinity (or a string holding one).
    Float(f64),
    /// A string that holds no number, kept for the message.
    Text(String),
    /// `true` or `false` where a number belongs.
    Bool(bool),
}

/// Zero, as the float fields that default to it (`at_ms`) write it in the manifest.
impl Default for Num {
    fn default() -> Self {
        Num::Float(0.0)
    }
}

impl From<u64> for Num {
    fn from(v: u64) -> Self {
        Num::Int(v.into())
    }
}

impl From<f64> for Num {
    fn from(v: f64) -> Self {
        Num::Float(v)
    }
}

impl Num {
    /// A string's number (`"3"`, `"2.5"`, `"NaN"`), or the string itself when it holds none.
    /// Azure's app settings are strings, so `processes: "3"` means 3.
    pub fn from_text(s: &str) -> Num {
        if let Ok(i) = s.parse::<i128>() {
            Num::Int(i)
        } else if let Ok(f) = s.parse::<f64>() {
            Num::Float(f)
        } else {
            Num::Text(s.to_string())
        }
    }
}

/// Shows `x` as a user would write it: `0`, `1.5`, `86400000`, `1e300`, `NaN`, `inf`.
pub fn show(x: f64) -> String {
    let a = x.abs();
    if x.is_finite() && a != 0.0 && !(1e-6..1e10).contains(&a) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Num::Int(i) => write!(f, "{i}"),
            Num::Float(x) => f.write_str(&show(*x)),
            Num::Text(s) => write!(f, "{s:?}"),
            Num::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// Numbers stay numbers; NaN and the infinities, which JSON (the `--set` tree) cannot hold,
/// become the strings `"NaN"`, `"inf"` and `"-inf"`, which [`Num::from_text`] reads back.
impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Num::Int(i) => match (i64::try_from(*i), u64::try_from(*i)) {
                (Ok(v), _) => s.serialize_i64(v),
                (_, Ok(v)) => s.serialize_u64(v),
                _ => s.serialize_f64(*i as f64),
            },
            Num::Float(x) if x.is_finite() => s.serialize_f64(*x),
            Num::Float(x) => s.serialize_str(&x.to_string()),
            Num::Text(t) => s.serialize_str(t),
            Num::Bool(b) => s.serialize_bool(*b),
        }
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumVisitor)
    }
}

struct NumVisitor;

impl Visitor<'_> for NumVisitor {
    type Value = Num;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Num, E> {
        Ok(Num::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
        Ok(Num::Int(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
        Ok(Num::Int(v.into()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Num, E> {
        Ok(Num::Int(v))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Num, E> {
        Ok(i128::try_from(v).map_or(Num::Float(v as f64), Num::Int))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
        Ok(Num::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Num, E> {
        Ok(Num::from_text(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ron(text: &str) -> Num {
        ron::from_str(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn keeps_what_was_written() {
        assert_eq!(ron("3"), Num::Int(3));
        assert_eq!(ron("-1"), Num::Int(-1));
        assert_eq!(ron("4294967296"), Num::Int(4_294_967_296));
        // Beyond u64, ron reads an integer as a float; still no whole number in range.
        assert_eq!(ron("18446744073709551616"), Num::Float(2f64.powi(64)));
        assert_eq!(ron("1.5"), Num::Float(1.5));
        assert_eq!(ron("0.1"), Num::Float(0.1), "no detour through f32");
        assert_eq!(ron("1e300"), Num::Float(1e300));
        assert_eq!(ron("\"two\""), Num::Text("two".into()));
        assert_eq!(ron("\"3\""), Num::Int(3));
        assert_eq!(ron("true"), Num::Bool(true));
        assert!(matches!(ron("NaN"), Num::Float(x) if x.is_nan()));
        assert_eq!(ron("inf"), Num::Float(f64::INFINITY));
        assert_eq!(ron("-inf"), Num::Float(f64::NEG_INFINITY));
    }

    #[test]
    fn survives_a_json_round_trip_including_nan() {
        for n in [
            Num::Int(-1),
            Num::Int(u64::MAX.into()),
            Num::Float(2.5),
            Num::Float(f64::INFINITY),
            Num::Text("two".into()),
            Num::Bool(false),
        ] {
            let back: Num = serde_json::from_value(serde_json::to_value(&n).unwrap()).unwrap();
            assert_eq!(back, n);
        }
        let nan = serde_json::to_value(Num::Float(f64::NAN)).unwrap();
        assert!(matches!(serde_json::from_value(nan).unwrap(), Num::Float(x) if x.is_nan()));
    }

    #[test]
    fn shows_numbers_briefly() {
        assert_eq!(Num::Float(0.0).to_string(), "0");
        assert_eq!(Num::Float(-5.0).to_string(), "-5");
        assert_eq!(Num::Float(1e300).to_string(), "1e300");
        assert_eq!(Num::Float(86_400_000.0).to_string(), "86400000");
        assert_eq!(Num::Text("two".into()).to_string(), "\"two\"");
    }
}
