//! The grouping rules of the three grouped reports, in one place for the server (queries,
//! summarized sign-ins, downloads) and the WASM client (regrouping rows it has loaded).
//!
//! Rows that are identical but for their time form one group:
//! - non-interactive: application, user, IP address, status, resource ID;
//! - service principal: service principal name or ID, status, IP address, resource name or ID;
//! - managed identity: managed identity name or ID, status, IP address, resource name or ID.
//!
//! "Status" is the error code (so two failures for different reasons are two groups, as Graph's
//! summarized sign-ins carry one `status` per item). Key fields compare case-insensitively and
//! ignore surrounding spaces (GUIDs and UPNs are case-insensitive; sources differ in case);
//! a missing, `null` or empty field is one and the same "empty" value. "Name or ID" means the
//! ID when there is one, else the name.

use crate::model::{EventType, SignIn};
use serde::{Deserialize, Serialize};

/// How groups are split in time: the blade's Time aggregate, Graph's `aggregationWindow`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TimeAggregate {
    /// One group over the whole date range.
    #[default]
    Whole,
    /// 24-hour buckets (`d1`).
    Day,
    /// 6-hour buckets (`h6`).
    SixHours,
    /// 1-hour buckets (`h1`).
    Hour,
}

const HOUR_MICROS: i64 = 3_600_000_000;

impl TimeAggregate {
    /// All four, in the order the control lists them.
    pub const ALL: [TimeAggregate; 4] = [
        TimeAggregate::Whole,
        TimeAggregate::Day,
        TimeAggregate::SixHours,
        TimeAggregate::Hour,
    ];

    /// The bucket length in microseconds, or `None` for the whole range.
    pub fn bucket_micros(self) -> Option<i64> {
        match self {
            TimeAggregate::Whole => None,
            TimeAggregate::Day => Some(24 * HOUR_MICROS),
            TimeAggregate::SixHours => Some(6 * HOUR_MICROS),
            TimeAggregate::Hour => Some(HOUR_MICROS),
        }
    }

    /// The start of the bucket holding `micros` (buckets are aligned to UTC midnight), or
    /// `None` for the whole range.
    pub fn bucket_start(self, micros: i64) -> Option<i64> {
        self.bucket_micros()
            .map(|size| micros.div_euclid(size) * size)
    }

    /// Graph's `aggregationWindow` value (`h1`, `h6`, `d1`); none for the whole range.
    pub fn graph_window(self) -> Option<&'static str> {
        match self {
            TimeAggregate::Whole => None,
            TimeAggregate::Day => Some("d1"),
            TimeAggregate::SixHours => Some("h6"),
            TimeAggregate::Hour => Some("h1"),
        }
    }

    /// Reads an `aggregationWindow` value.
    pub fn from_graph_window(text: &str) -> Option<TimeAggregate> {
        TimeAggregate::ALL
            .into_iter()
            .find(|t| t.graph_window() == Some(text))
    }

    /// The label in the blade.
    pub fn label(self) -> &'static str {
        match self {
            TimeAggregate::Whole => "Whole range",
            TimeAggregate::Day => "24 hours",
            TimeAggregate::SixHours => "6 hours",
            TimeAggregate::Hour => "1 hour",
        }
    }

    /// The short form used in URLs.
    pub fn url_value(self) -> &'static str {
        match self {
            TimeAggregate::Whole => "all",
            TimeAggregate::Day => "24h",
            TimeAggregate::SixHours => "6h",
            TimeAggregate::Hour => "1h",
        }
    }

    /// Reads the URL form.
    pub fn from_url_value(text: &str) -> Option<TimeAggregate> {
        TimeAggregate::ALL
            .into_iter()
            .find(|t| t.url_value() == text)
    }
}

/// The normalised values a group is keyed on, in rule order.
pub fn key_fields(event_type: EventType, record: &SignIn) -> Option<Vec<String>> {
    let norm = |value: Option<&str>| value.map(|v| v.trim().to_lowercase()).unwrap_or_default();
    let id_or_name = |id: Option<&str>, name: Option<&str>| norm(id.or(name));
    let status = record.error_code().to_string();
    let ip = norm(record.ip_address.non_empty());
    let resource = id_or_name(
        record.resource_id.non_empty(),
        record.resource_display_name.non_empty(),
    );
    let principal = id_or_name(
        record.service_principal_id.non_empty(),
        record.service_principal_name.non_empty(),
    );
    match event_type {
        EventType::Interactive => None,
        EventType::NonInteractive => Some(vec![
            id_or_name(
                record.app_id.non_empty(),
                record.app_display_name.non_empty(),
            ),
            id_or_name(
                record.user_id.non_empty(),
                record.user_principal_name.non_empty(),
            ),
            ip,
            status,
            norm(record.resource_id.non_empty()),
        ]),
        EventType::ServicePrincipal | EventType::ManagedIdentity => {
            Some(vec![principal, status, ip, resource])
        }
    }
}

/// A stable 63-bit hash of a record's group key (FNV-1a, the same on server and client; never
/// change it without rewriting stored keys). `None` for interactive sign-ins, never grouped.
pub fn group_hash(event_type: EventType, record: &SignIn) -> Option<i64> {
    key_fields(event_type, record).map(|fields| hash_fields(&fields))
}

fn hash_fields(fields: &[String]) -> i64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for field in fields {
        for byte in field.bytes().chain(std::iter::once(0x1f)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    // Keep it positive so it fits a signed column on every backend and sorts the same.
    (hash >> 1) as i64
}

/// One group of loaded records (client-side regrouping and tests).
#[derive(Clone, Debug, PartialEq)]
pub struct Group<'a> {
    /// The group hash.
    pub key: i64,
    /// The bucket start in microseconds, when split in time.
    pub bucket: Option<i64>,
    /// The members, newest first.
    pub members: Vec<&'a SignIn>,
}

impl Group<'_> {
    /// The newest member (whose values the group row shows).
    pub fn latest(&self) -> &SignIn {
        self.members[0]
    }

    /// The oldest member's time in microseconds.
    pub fn first_micros(&self) -> i64 {
        self.members
            .last()
            .map_or(0, |m| m.created_date_time.micros())
    }
}

/// Groups records of one report; groups come newest first (by their latest member).
pub fn group_records<'a>(
    event_type: EventType,
    records: &'a [SignIn],
    aggregate: TimeAggregate,
) -> Vec<Group<'a>> {
    let mut sorted: Vec<&SignIn> = records
        .iter()
        .filter(|r| r.event_type() == event_type)
        .collect();
    sorted.sort_by(|a, b| {
        b.created_date_time
            .micros()
            .cmp(&a.created_date_time.micros())
            .then_with(|| b.id.cmp(&a.id))
    });
    let mut groups: Vec<Group<'a>> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for record in sorted {
        let Some(key) = group_hash(event_type, record) else {
            continue;
        };
        let bucket = aggregate.bucket_start(record.created_date_time.micros());
        let slot = *index.entry((key, bucket)).or_insert_with(|| {
            groups.push(Group {
                key,
                bucket,
                members: Vec::new(),
            });
            groups.len() - 1
        });
        groups[slot].members.push(record);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(id: &str, time: &str, fields: serde_json::Value) -> SignIn {
        let mut value = json!({"id": id, "createdDateTime": time, "signInEventTypes": ["nonInteractiveUser"],
            "appId": "app-1", "userId": "user-1", "ipAddress": "10.0.0.1", "status": {"errorCode": 0},
            "resourceId": "res-1"});
        if let (Some(v), Some(f)) = (value.as_object_mut(), fields.as_object()) {
            v.extend(f.clone());
        }
        serde_json::from_value(value).expect("valid record")
    }

    #[test]
    fn non_interactive_rows_that_differ_only_in_time_form_one_group() {
        let records = vec![
            record("a", "2024-01-01T10:00:00Z", json!({})),
            record("b", "2024-01-01T12:00:00Z", json!({})),
            record("c", "2024-01-02T09:00:00Z", json!({})),
        ];
        let groups = group_records(EventType::NonInteractive, &records, TimeAggregate::Whole);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].members.len(), 3);
        assert_eq!(groups[0].latest().id, "c");
    }

    #[test]
    fn each_key_field_splits_groups() {
        let base = record("a", "2024-01-01T10:00:00Z", json!({}));
        for change in [
            json!({"appId": "app-2"}),
            json!({"userId": "user-2"}),
            json!({"ipAddress": "10.0.0.2"}),
            json!({"status": {"errorCode": 50126}}),
            json!({"resourceId": "res-2"}),
        ] {
            let other = record("b", "2024-01-01T11:00:00Z", change.clone());
            assert_ne!(
                group_hash(EventType::NonInteractive, &base),
                group_hash(EventType::NonInteractive, &other),
                "{change}"
            );
        }
        // A field outside the key does not split.
        let same = record(
            "c",
            "2024-01-01T11:00:00Z",
            json!({"userAgent": "other", "correlationId": "x"}),
        );
        assert_eq!(
            group_hash(EventType::NonInteractive, &base),
            group_hash(EventType::NonInteractive, &same)
        );
    }

    #[test]
    fn key_fields_that_differ_only_in_case_or_spaces_are_one_group() {
        let a = record(
            "a",
            "2024-01-01T10:00:00Z",
            json!({"userId": "USER-1", "appId": " App-1 "}),
        );
        let b = record("b", "2024-01-01T11:00:00Z", json!({}));
        assert_eq!(
            group_hash(EventType::NonInteractive, &a),
            group_hash(EventType::NonInteractive, &b)
        );
    }

    #[test]
    fn missing_null_and_empty_key_fields_are_the_same_empty_value() {
        let missing = record("a", "2024-01-01T10:00:00Z", json!({}));
        let mut missing = missing;
        missing.ip_address = crate::model::Nullable::Absent;
        let null = record("b", "2024-01-01T10:00:00Z", json!({"ipAddress": null}));
        let empty = record("c", "2024-01-01T10:00:00Z", json!({"ipAddress": ""}));
        let h = |r: &SignIn| group_hash(EventType::NonInteractive, r);
        assert_eq!(h(&missing), h(&null));
        assert_eq!(h(&null), h(&empty));
    }

    #[test]
    fn name_or_id_prefers_the_id() {
        let sp = |fields: serde_json::Value| {
            let mut r = record("s", "2024-01-01T10:00:00Z", fields);
            r.sign_in_event_types = crate::model::Nullable::Value(vec![
                crate::model::SignInEventType::ServicePrincipal,
            ]);
            r
        };
        let by_id = sp(json!({"servicePrincipalId": "sp-1", "servicePrincipalName": "Backup job"}));
        let renamed =
            sp(json!({"servicePrincipalId": "sp-1", "servicePrincipalName": "Backup job v2"}));
        let by_name = sp(json!({"servicePrincipalName": "Backup job"}));
        let h = |r: &SignIn| group_hash(EventType::ServicePrincipal, r);
        assert_eq!(h(&by_id), h(&renamed));
        assert_ne!(h(&by_id), h(&by_name));
    }

    #[test]
    fn the_same_key_at_different_times_splits_only_with_a_time_aggregate() {
        let records = vec![
            record("a", "2024-01-01T00:10:00Z", json!({})),
            record("b", "2024-01-01T05:50:00Z", json!({})),
            record("c", "2024-01-01T06:10:00Z", json!({})),
            record("d", "2024-01-02T00:00:00Z", json!({})),
        ];
        let count = |agg| group_records(EventType::NonInteractive, &records, agg).len();
        assert_eq!(count(TimeAggregate::Whole), 1);
        assert_eq!(count(TimeAggregate::Day), 2);
        assert_eq!(count(TimeAggregate::SixHours), 3);
        assert_eq!(count(TimeAggregate::Hour), 4);
    }

    #[test]
    fn interactive_sign_ins_are_never_grouped() {
        let r = record(
            "a",
            "2024-01-01T00:10:00Z",
            json!({"signInEventTypes": ["interactiveUser"]}),
        );
        assert_eq!(group_hash(EventType::Interactive, &r), None);
    }

    #[test]
    fn buckets_align_to_utc_and_handle_times_before_1970() {
        let hour = TimeAggregate::Hour;
        assert_eq!(hour.bucket_start(3_600_000_000 + 5), Some(3_600_000_000));
        assert_eq!(hour.bucket_start(-1), Some(-3_600_000_000));
        assert_eq!(TimeAggregate::Whole.bucket_start(42), None);
        assert_eq!(
            TimeAggregate::from_graph_window("h6"),
            Some(TimeAggregate::SixHours)
        );
    }
}
