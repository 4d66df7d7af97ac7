//! The CSV files of a download bundle, written the way the portal writes them
//! (`../shared/reference/downloads.md`): its header lines with their quirks, Status derived
//! from the error code, "City, State, CC", "Success / Failure / Not Applied", the
//! requirement in words, `True`/`False`. Each column's Graph property and form come from the
//! importer's own table ([`crate::import::csv::PORTAL_COLUMNS`]), so `signbook import` reads
//! a bundle back into the same records.
//!
//! A text cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first)
//! is written with a leading `'`, which the importer takes off again.

use crate::import::csv::{norm_header, Conv, PORTAL_COLUMNS};
use app::model::{EventType, Status};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The interactive and non-interactive header (the portal's 57 columns of about 2026-01:
/// `Application ID ` and `Resource ID ` end in a space, `Autonomous system  number` has two,
/// and `Incoming token type` comes twice).
pub const USER_HEADER: &[&str] = &[
    "Date (UTC)",
    "Request ID",
    "User agent",
    "Correlation ID",
    "User ID",
    "User",
    "Username",
    "User type",
    "Cross tenant access type",
    "Incoming token type",
    "Authentication Protocol",
    "Unique token identifier",
    "Original transfer method",
    "Client credential type",
    "Token Protection - Sign In Session",
    "Token Protection - Sign In Session StatusCode",
    "Application",
    "Application ID ",
    "App owner tenant ID",
    "Resource",
    "Resource ID ",
    "Resource tenant ID",
    "Resource owner tenant ID",
    "Home tenant ID",
    "Home tenant name",
    "IP address",
    "Location",
    "Status",
    "Sign-in error code",
    "Failure reason",
    "Client app",
    "Device ID",
    "Browser",
    "Operating System",
    "Compliant",
    "Managed",
    "Join Type",
    "Multifactor authentication result",
    "Multifactor authentication auth method",
    "Multifactor authentication auth detail",
    "Authentication requirement",
    "Sign-in identifier",
    "Session ID",
    "IP address (seen by resource)",
    "Through Global Secure Access",
    "Global Secure Access IP address",
    "Autonomous system  number",
    "Flagged for review",
    "Token issuer type",
    "Incoming token type",
    "Token issuer name",
    "Latency",
    "Conditional Access",
    "Managed Identity type",
    "Associated Resource Id",
    "Federated Token Id",
    "Federated Token Issuer",
];

/// The service principal header (`ApplicationSignIns`, 22 columns).
pub const SERVICE_PRINCIPAL_HEADER: &[&str] = &[
    "Date (UTC)",
    "Request ID",
    "Correlation ID",
    "Service principal ID",
    "Service principal name",
    "Credential key ID",
    "Credential thumbprint",
    "Application",
    "Application ID ",
    "App owner tenant ID",
    "Resource",
    "Resource ID ",
    "Resource tenant ID",
    "Resource owner tenant ID",
    "Home tenant ID",
    "Home tenant name",
    "IP address",
    "Location",
    "Status",
    "Sign-in error code",
    "Failure reason",
    "Conditional Access",
];

/// What the managed identity file (`MSISignIns`) adds to the service principal header. No
/// verbatim header is known; third-party code says it is the service principal one, so it is,
/// plus the four managed-identity columns the interactive file has, so that nothing of a
/// managed identity sign-in is dropped.
pub const MANAGED_IDENTITY_EXTRA: &[&str] = &[
    "Managed Identity type",
    "Associated Resource Id",
    "Federated Token Id",
    "Federated Token Issuer",
];

/// The AuthDetails header (one row per authentication step, joined by Request ID).
pub const AUTH_DETAILS_HEADER: &[&str] = &[
    "Request ID",
    "Date (UTC)",
    "Authentication method",
    "Authentication method detail",
    "Requirement",
    "Succeeded",
    "Result detail",
];

/// The header of a report's sign-in file.
pub fn header(report: EventType) -> Vec<&'static str> {
    match report {
        EventType::Interactive | EventType::NonInteractive => USER_HEADER.to_vec(),
        EventType::ServicePrincipal => SERVICE_PRINCIPAL_HEADER.to_vec(),
        EventType::ManagedIdentity => SERVICE_PRINCIPAL_HEADER
            .iter()
            .chain(MANAGED_IDENTITY_EXTRA)
            .copied()
            .collect(),
    }
}

/// How each column of a header is filled: a Graph path and form, or the derived Status.
#[derive(Clone, Debug)]
pub(crate) enum Column {
    /// A Graph property (dotted path) in a form.
    Path(Vec<&'static str>, Conv),
    /// Success / Failure / Interrupted from the error code.
    Status,
    /// Nothing Signbook knows fills it.
    Empty,
}

/// The columns of a header, in order.
pub(crate) fn columns(header: &[&str]) -> Vec<Column> {
    let table: HashMap<String, (&'static str, Conv)> = PORTAL_COLUMNS
        .iter()
        .rev()
        .map(|(h, path, conv)| ((*h).to_owned(), (*path, *conv)))
        .collect();
    header
        .iter()
        .map(|h| {
            let key = norm_header(h);
            if key == "status" {
                return Column::Status;
            }
            match table.get(&key) {
                Some((path, conv)) => Column::Path(path.split('.').collect(), *conv),
                None => Column::Empty,
            }
        })
        .collect()
}

fn get<'a>(record: &'a Map<String, Value>, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut value = record.get(*first)?;
    for part in rest {
        value = value.as_object()?.get(*part)?;
    }
    (!value.is_null()).then_some(value)
}

/// Text that a spreadsheet would not run as a formula.
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    let formula = |t: &str| t.starts_with(['=', '+', '-', '@', '\t', '\r']);
    // A value that already looks neutralised gets a quote too, so that import (which takes
    // one quote off) gives it back unchanged.
    if formula(text.trim_start_matches('\'')) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn bool_text(value: &Value) -> String {
    match value {
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        other => text_of(other),
    }
}

/// One cell.
fn cell(record: &Map<String, Value>, column: &Column) -> String {
    match column {
        Column::Empty => String::new(),
        Column::Status => {
            let code = get(record, &["status", "errorCode"])
                .and_then(Value::as_i64)
                .unwrap_or(0);
            Status::of_code(code).label().to_owned()
        }
        Column::Path(path, conv) => {
            let Some(value) = get(record, path) else {
                return String::new();
            };
            match conv {
                Conv::Int => text_of(value),
                Conv::Bool => bool_text(value),
                Conv::Time => text_of(value),
                Conv::Json => neutralise(&value.to_string()).into_owned(),
                Conv::CaStatus => match value.as_str() {
                    Some("success") => "Success".into(),
                    Some("failure") => "Failure".into(),
                    Some("notApplied") => "Not Applied".into(),
                    _ => neutralise(&text_of(value)).into_owned(),
                },
                Conv::Requirement => match value.as_str() {
                    Some("singleFactorAuthentication") => "Single-factor authentication".into(),
                    Some("multiFactorAuthentication") => "Multifactor authentication".into(),
                    _ => neutralise(&text_of(value)).into_owned(),
                },
                Conv::Location => {
                    let parts: Vec<String> = ["city", "state", "countryOrRegion"]
                        .iter()
                        .filter_map(|k| value.get(*k).and_then(Value::as_str))
                        .filter(|s| !s.trim().is_empty())
                        .map(str::to_owned)
                        .collect();
                    neutralise(&parts.join(", ")).into_owned()
                }
                Conv::Text => neutralise(&text_of(value)).into_owned(),
            }
        }
    }
}

/// Writes one record's row.
pub(crate) fn write_row<W: std::io::Write>(
    out: &mut csv::Writer<W>,
    record: &Map<String, Value>,
    columns: &[Column],
) -> csv::Result<()> {
    for column in columns {
        out.write_field(cell(record, column))?;
    }
    out.write_record(None::<&[u8]>)
}

/// Writes one record's authentication steps (none: no rows).
pub fn write_steps<W: std::io::Write>(
    out: &mut csv::Writer<W>,
    record: &Map<String, Value>,
) -> csv::Result<usize> {
    let Some(Value::Array(steps)) = record.get("authenticationDetails") else {
        return Ok(0);
    };
    let id = record.get("id").map(text_of).unwrap_or_default();
    for step in steps {
        let field = |name: &str| step.get(name).filter(|v| !v.is_null());
        out.write_record([
            neutralise(&id).into_owned(),
            field("authenticationStepDateTime")
                .map(text_of)
                .unwrap_or_default(),
            neutralise(
                &field("authenticationMethod")
                    .map(text_of)
                    .unwrap_or_default(),
            )
            .into_owned(),
            neutralise(
                &field("authenticationMethodDetail")
                    .map(text_of)
                    .unwrap_or_default(),
            )
            .into_owned(),
            neutralise(
                &field("authenticationStepRequirement")
                    .map(text_of)
                    .unwrap_or_default(),
            )
            .into_owned(),
            field("succeeded").map(bool_text).unwrap_or_default(),
            neutralise(
                &field("authenticationStepResultDetail")
                    .map(text_of)
                    .unwrap_or_default(),
            )
            .into_owned(),
        ])?;
    }
    Ok(steps.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(record: serde_json::Value, header: &[&str]) -> Vec<String> {
        let mut out = csv::Writer::from_writer(Vec::new());
        let Value::Object(map) = record else {
            panic!("an object")
        };
        write_row(&mut out, &map, &columns(header)).expect("written");
        let bytes = out.into_inner().expect("flushed");
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes.as_slice());
        let record = reader.records().next().expect("a row").expect("csv");
        record.iter().map(str::to_owned).collect()
    }

    #[test]
    fn the_headers_keep_the_portals_quirks() {
        assert_eq!(USER_HEADER.len(), 57);
        assert_eq!(SERVICE_PRINCIPAL_HEADER.len(), 22);
        assert!(USER_HEADER.contains(&"Application ID "));
        assert!(USER_HEADER.contains(&"Autonomous system  number"));
        assert_eq!(
            USER_HEADER
                .iter()
                .filter(|h| **h == "Incoming token type")
                .count(),
            2
        );
        // Every column but none is filled from a known property.
        assert_eq!(header(EventType::ManagedIdentity).len(), 26);
        for report in EventType::ALL {
            let header = header(report);
            for (h, c) in header.iter().zip(columns(&header)) {
                assert!(!matches!(c, Column::Empty), "{h} has no property");
            }
        }
    }

    #[test]
    fn values_are_written_the_way_the_portal_writes_them() {
        let cells = row(
            serde_json::json!({
                "id": "r-1", "createdDateTime": "2025-12-04T08:19:41Z",
                "status": {"errorCode": 50126, "failureReason": "Invalid username or password."},
                "location": {"city": "Melbourne", "state": "Victoria", "countryOrRegion": "AU"},
                "deviceDetail": {"isCompliant": true, "isManaged": false},
                "conditionalAccessStatus": "notApplied",
                "authenticationRequirement": "multiFactorAuthentication",
                "processingTimeInMilliseconds": 761,
                "incomingTokenType": "primaryRefreshToken",
                "userDisplayName": "=HYPERLINK(\"http://x\")",
                "userAgent": "-2+3", "appDisplayName": "@SUM(A1)"
            }),
            USER_HEADER,
        );
        let at = |name: &str| {
            let n = USER_HEADER.iter().position(|h| *h == name).expect("column");
            cells[n].clone()
        };
        assert_eq!(at("Date (UTC)"), "2025-12-04T08:19:41Z");
        assert_eq!(at("Status"), "Failure");
        assert_eq!(at("Sign-in error code"), "50126");
        assert_eq!(at("Location"), "Melbourne, Victoria, AU");
        assert_eq!(at("Compliant"), "True");
        assert_eq!(at("Managed"), "False");
        assert_eq!(at("Conditional Access"), "Not Applied");
        assert_eq!(
            at("Authentication requirement"),
            "Multifactor authentication"
        );
        assert_eq!(at("Latency"), "761");
        assert_eq!(cells[9], "primaryRefreshToken");
        assert_eq!(cells[49], "primaryRefreshToken");
        assert_eq!(at("User"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(at("User agent"), "'-2+3");
        assert_eq!(at("Application"), "'@SUM(A1)");
        // Import takes one quote off: a value that already began with one survives.
        for text in ["'=x", "''=x", "=x", "plain", "'quoted", "-1", "'", ""] {
            assert_eq!(crate::import::csv::unneutralise(&neutralise(text)), text);
        }
    }
}
