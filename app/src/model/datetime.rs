//! `GraphDateTime`: a Graph `DateTimeOffset` that keeps the text it was read from.
//!
//! Sources write the same instant in several ways (`2021-06-30T16:34:32Z`, seven fraction
//! digits, `+00:00`); a record must read back exactly as it came, so the original text is kept
//! beside the parsed instant and is what gets serialised.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An instant with the exact text it was read from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GraphDateTime {
    raw: String,
    instant: DateTime<Utc>,
}

/// Why a date-time text was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an ISO 8601 date-time such as 2024-01-13T14:13:32Z")]
pub struct DateTimeError(pub String);

impl GraphDateTime {
    /// Parses RFC 3339 / ISO 8601 text. Text without an offset is taken as UTC, as Graph and
    /// the portal CSVs always mean UTC.
    pub fn parse(text: &str) -> Result<Self, DateTimeError> {
        let trimmed = text.trim();
        let instant = DateTime::parse_from_rfc3339(trimmed)
            .map(|t| t.with_timezone(&Utc))
            .or_else(|_| {
                NaiveDateTime::parse_from_str(trimmed, "%Y-%m-%dT%H:%M:%S%.f").map(|t| t.and_utc())
            })
            .or_else(|_| {
                NaiveDateTime::parse_from_str(trimmed, "%Y-%m-%d %H:%M:%S%.f").map(|t| t.and_utc())
            })
            .map_err(|_| DateTimeError(text.to_owned()))?;
        Ok(Self {
            raw: text.to_owned(),
            instant,
        })
    }

    /// Graph's own rendering of an instant (`Z`, as many fraction digits as needed).
    pub fn from_instant(instant: DateTime<Utc>) -> Self {
        Self {
            raw: instant.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            instant,
        }
    }

    /// The instant in UTC.
    pub fn instant(&self) -> DateTime<Utc> {
        self.instant
    }

    /// The text as it came.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Microseconds since the Unix epoch: the sort key stored beside each record.
    pub fn micros(&self) -> i64 {
        self.instant.timestamp_micros()
    }
}

impl Default for GraphDateTime {
    /// The Unix epoch; only a placeholder for building records field by field.
    fn default() -> Self {
        GraphDateTime::from_instant(DateTime::<Utc>::UNIX_EPOCH)
    }
}

impl fmt::Display for GraphDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for GraphDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for GraphDateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        GraphDateTime::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_graph_rendering_keeps_its_text_and_means_the_same_instant() {
        let a = GraphDateTime::parse("2019-03-12T16:02:15.5522137Z").expect("Z form");
        let b = GraphDateTime::parse("2019-03-12T16:02:15.5522137+00:00").expect("offset form");
        assert_eq!(a.instant(), b.instant());
        assert_eq!(b.as_str(), "2019-03-12T16:02:15.5522137+00:00");
        assert_eq!(
            GraphDateTime::parse("2021-06-30T16:34:32")
                .expect("naive")
                .micros(),
            1_625_070_872_000_000
        );
    }

    #[test]
    fn text_that_is_no_date_is_refused() {
        assert!(GraphDateTime::parse("yesterday").is_err());
        assert!(GraphDateTime::parse("").is_err());
    }

    #[test]
    fn an_instant_renders_as_graph_does() {
        let t = GraphDateTime::parse("2021-06-30T16:34:32Z").expect("valid");
        assert_eq!(
            GraphDateTime::from_instant(t.instant()).as_str(),
            "2021-06-30T16:34:32Z"
        );
    }
}
