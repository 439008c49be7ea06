//! [`IntOrString`]: a field that holds either an integer or a string, such as
//! a port (`8080` or `"http"`) or a surge (`1` or `"25%"`).

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An integer or a string; serialized as a bare JSON number or string.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum IntOrString {
    /// An integer value.
    Int(i32),
    /// A string value (a named port, or a percentage such as `25%`).
    String(String),
}

/// A percentage or integer that could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value {value:?}: must be an integer or a percentage")]
pub struct ScaleError {
    value: String,
}

impl IntOrString {
    /// Resolves an integer or a percentage of `total` (`"25%"` of 10 is 2.5),
    /// rounding up or down as asked, as Deployment surge and unavailability
    /// are computed.
    pub fn scaled_value(&self, total: i32, round_up: bool) -> Result<i32, ScaleError> {
        match self {
            IntOrString::Int(v) => Ok(*v),
            IntOrString::String(s) => {
                let err = || ScaleError { value: s.clone() };
                let pct: i64 = s.strip_suffix('%').ok_or_else(err)?.parse().map_err(|_| err())?;
                let num = pct * i64::from(total);
                let v = if round_up { (num + 99).div_euclid(100) } else { num.div_euclid(100) };
                i32::try_from(v).map_err(|_| err())
            }
        }
    }
}

impl Default for IntOrString {
    fn default() -> Self {
        IntOrString::Int(0)
    }
}

impl From<i32> for IntOrString {
    fn from(v: i32) -> Self {
        IntOrString::Int(v)
    }
}

impl From<&str> for IntOrString {
    fn from(v: &str) -> Self {
        IntOrString::String(v.to_owned())
    }
}

impl From<String> for IntOrString {
    fn from(v: String) -> Self {
        IntOrString::String(v)
    }
}

impl fmt::Display for IntOrString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntOrString::Int(v) => write!(f, "{v}"),
            IntOrString::String(s) => f.write_str(s),
        }
    }
}

impl Serialize for IntOrString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            IntOrString::Int(v) => serializer.serialize_i32(*v),
            IntOrString::String(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for IntOrString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = IntOrString;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer or a string")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IntOrString, E> {
                i32::try_from(v)
                    .map(IntOrString::Int)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &"a 32-bit integer"))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IntOrString, E> {
                i32::try_from(v)
                    .map(IntOrString::Int)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &"a 32-bit integer"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IntOrString, E> {
                Ok(IntOrString::String(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<IntOrString, E> {
                Ok(IntOrString::String(v))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl JsonSchema for IntOrString {
    fn schema_name() -> Cow<'static, str> {
        "IntOrString".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "x-kubernetes-int-or-string": true })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_bare_value() {
        assert_eq!(serde_json::to_string(&IntOrString::Int(80)).unwrap(), "80");
        assert_eq!(serde_json::to_string(&IntOrString::from("http")).unwrap(), "\"http\"");
        assert_eq!(serde_json::from_str::<IntOrString>("443").unwrap(), IntOrString::Int(443));
        assert_eq!(
            serde_json::from_str::<IntOrString>("\"25%\"").unwrap(),
            IntOrString::from("25%")
        );
        assert!(serde_json::from_str::<IntOrString>("1.5").is_err());
        assert!(serde_json::from_str::<IntOrString>("99999999999").is_err());
        assert!(serde_json::from_str::<IntOrString>("[1]").is_err());
    }

    #[test]
    fn scales_percentages_like_deployments() {
        let pct = IntOrString::from("25%");
        assert_eq!(pct.scaled_value(10, true), Ok(3));
        assert_eq!(pct.scaled_value(10, false), Ok(2));
        assert_eq!(IntOrString::Int(4).scaled_value(10, true), Ok(4));
        assert!(IntOrString::from("abc").scaled_value(10, true).is_err());
        assert!(IntOrString::from("x%").scaled_value(10, true).is_err());
    }
}
