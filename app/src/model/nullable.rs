//! `Nullable<T>`: a JSON property that may be absent, `null`, or a value.
//!
//! Graph records distinguish a missing property from one that is `null` (the v1.0 sample has
//! `"displayName": null` where another record has no `displayName` at all). A plain `Option`
//! would turn one into the other and break the lossless round trip, so every optional property
//! of the model is a `Nullable` serialised with `skip_serializing_if = "Nullable::is_absent"`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A property that is absent, explicitly `null`, or holds a value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Nullable<T> {
    /// The property is not in the JSON object.
    #[default]
    Absent,
    /// The property is present with the value `null`.
    Null,
    /// The property holds a value.
    Value(T),
}

impl<T> Nullable<T> {
    /// True when the property is not in the JSON at all (used to skip it on output).
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// The value, if there is one.
    pub fn get(&self) -> Option<&T> {
        match self {
            Nullable::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The value, if there is one, by value.
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Value(v) => Some(v),
            _ => None,
        }
    }

    /// `Absent` for `None`; used when building records from formats that have no `null`.
    pub fn from_option(value: Option<T>) -> Self {
        value.map_or(Nullable::Absent, Nullable::Value)
    }
}

impl Nullable<String> {
    /// The string, if present and not null (it may be empty).
    pub fn as_deref(&self) -> Option<&str> {
        self.get().map(String::as_str)
    }

    /// The string if present, not null and not blank.
    pub fn non_empty(&self) -> Option<&str> {
        self.as_deref().filter(|s| !s.trim().is_empty())
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

impl From<&str> for Nullable<String> {
    fn from(value: &str) -> Self {
        Nullable::Value(value.to_owned())
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(v) => v.serialize(serializer),
            Nullable::Absent | Nullable::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(v) => Nullable::Value(v),
            None => Nullable::Null,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Probe {
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        a: Nullable<String>,
    }

    #[test]
    fn absent_null_and_value_each_survive_a_round_trip() {
        for text in [r#"{}"#, r#"{"a":null}"#, r#"{"a":"x"}"#] {
            let probe: Probe = serde_json::from_str(text).expect("valid probe");
            assert_eq!(serde_json::to_string(&probe).expect("serialises"), text);
        }
    }
}
