//! Timestamps as Kubernetes writes them: [`Time`] (RFC 3339, whole seconds,
//! UTC) and [`MicroTime`] (RFC 3339 with microseconds).

use std::borrow::Cow;
use std::fmt;

use jiff::Timestamp;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A point in time with whole-second precision, written as
/// `2024-05-01T12:00:00Z`.
///
/// Any RFC 3339 timestamp is accepted on input; output is always UTC.
///
/// ```
/// use keelson_core_types::time::Time;
/// let t: Time = "2024-05-01T14:00:00+02:00".parse().unwrap();
/// assert_eq!(t.to_string(), "2024-05-01T12:00:00Z");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub Timestamp);

/// A point in time with microsecond precision, written as
/// `2024-05-01T12:00:00.000000Z` (used by Lease and events.k8s.io Event).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MicroTime(pub Timestamp);

/// A timestamp that could not be parsed.
#[derive(Debug, thiserror::Error)]
#[error("invalid RFC 3339 timestamp {input:?}")]
pub struct ParseTimeError {
    input: String,
}

fn parse(s: &str) -> Result<Timestamp, ParseTimeError> {
    s.parse::<Timestamp>().map_err(|_| ParseTimeError { input: s.to_owned() })
}

impl Time {
    /// The current time, truncated to whole seconds.
    pub fn now() -> Self {
        Time::from(Timestamp::now())
    }

    /// Seconds since the Unix epoch.
    pub fn as_second(&self) -> i64 {
        self.0.as_second()
    }
}

impl MicroTime {
    /// The current time, truncated to microseconds.
    pub fn now() -> Self {
        MicroTime::from(Timestamp::now())
    }
}

impl From<Timestamp> for Time {
    fn from(t: Timestamp) -> Self {
        // Whole seconds: what Kubernetes stores and what comparisons see.
        Time(Timestamp::from_second(t.as_second()).unwrap_or(t))
    }
}

impl From<Timestamp> for MicroTime {
    fn from(t: Timestamp) -> Self {
        MicroTime(Timestamp::from_microsecond(t.as_microsecond()).unwrap_or(t))
    }
}

impl std::str::FromStr for Time {
    type Err = ParseTimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s).map(Time::from)
    }
}

impl std::str::FromStr for MicroTime {
    type Err = ParseTimeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s).map(MicroTime::from)
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.0}", self.0)
    }
}

impl fmt::Display for MicroTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6}", self.0)
    }
}

macro_rules! time_serde {
    ($ty:ident, $format:literal) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <Cow<'de, str>>::deserialize(deserializer)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        impl JsonSchema for $ty {
            fn schema_name() -> Cow<'static, str> {
                stringify!($ty).into()
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({ "type": "string", "format": $format })
            }
        }
    };
}

time_serde!(Time, "date-time");
time_serde!(MicroTime, "date-time");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_round_trips_in_utc_whole_seconds() {
        let t: Time = "2024-02-29T23:59:59.987Z".parse().unwrap();
        assert_eq!(t.to_string(), "2024-02-29T23:59:59Z");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"2024-02-29T23:59:59Z\"");
        assert_eq!(serde_json::from_str::<Time>(&json).unwrap(), t);
    }

    #[test]
    fn micro_time_keeps_microseconds() {
        let t: MicroTime = "2024-01-02T03:04:05.123456789Z".parse().unwrap();
        assert_eq!(t.to_string(), "2024-01-02T03:04:05.123456Z");
        let zero: MicroTime = "2024-01-02T03:04:05Z".parse().unwrap();
        assert_eq!(zero.to_string(), "2024-01-02T03:04:05.000000Z");
    }

    #[test]
    fn invalid_time_is_an_error() {
        for bad in ["", "yesterday", "2024-13-01T00:00:00Z", "2024-01-01"] {
            assert!(bad.parse::<Time>().is_err(), "{bad:?} accepted");
            assert!(serde_json::from_str::<Time>(&format!("{bad:?}")).is_err());
        }
    }
}
