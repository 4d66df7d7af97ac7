//! The CSV files of a download bundle, written the way the portal writes them
//! (`../shared/reference/downloads.md`): its header lines with their quirks, Status derived
//! from the error code, "City, State, CC", "Success / Failure / Not Applied", the
//! requirement in words, `True`/`False`. Each column's Graph property and form come from the
//! importer's own table ([`crate::import::csv::PORTAL_COLUMNS`]), so `signbook import` reads
//! a bundle back into the same records.
//!
//! A text cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first)
//! is written with a leading `'`, which the importer takes off again.

use super::scan::{self, Malformed};
use crate::import::csv::{norm_header, Conv, PORTAL_COLUMNS};
use app::model::{EventType, Status};
use serde_json::Value;
use std::borrow::Cow;
use std::cell::OnceCell;
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

/// How a report's CSV rows are filled: the columns, and the top-level properties they read.
pub(crate) struct Plan {
    columns: Vec<Column>,
    /// The slot of each top-level property read, by name, grouped by the name's length.
    wanted: Vec<Vec<(&'static str, usize)>>,
    /// How many slots.
    slots: usize,
    /// The slots of `id` and `authenticationDetails` (for the AuthDetails rows).
    id: usize,
    steps: usize,
}

/// How a column is filled, with the slot of the top-level property it reads.
enum Column {
    /// A Graph property (the slot of its first name, the names below it) in a form.
    Path(usize, Vec<&'static str>, Conv),
    /// Success / Failure / Interrupted from the error code in `status` (its slot).
    Status(usize),
    /// Nothing Signbook knows fills it.
    Empty,
}

impl Plan {
    /// The plan of a header's columns: each column's Graph path and form come from the
    /// importer's table.
    pub(crate) fn new(header: &[&str]) -> Plan {
        let table: HashMap<String, (&'static str, Conv)> = PORTAL_COLUMNS
            .iter()
            .rev()
            .map(|(h, path, conv)| ((*h).to_owned(), (*path, *conv)))
            .collect();
        let mut names: Vec<&'static str> = Vec::new();
        let mut slot = |name: &'static str| match names.iter().position(|n| *n == name) {
            Some(i) => i,
            None => {
                names.push(name);
                names.len() - 1
            }
        };
        let columns = header
            .iter()
            .map(|h| {
                let key = norm_header(h);
                if key == "status" {
                    return Column::Status(slot("status"));
                }
                match table.get(&key) {
                    Some((path, conv)) => {
                        let mut parts = path.split('.');
                        let first = parts.next().unwrap_or_default();
                        Column::Path(slot(first), parts.collect(), *conv)
                    }
                    None => Column::Empty,
                }
            })
            .collect();
        let id = slot("id");
        let steps = slot("authenticationDetails");
        let mut wanted: Vec<Vec<(&'static str, usize)>> = Vec::new();
        for (i, name) in names.iter().enumerate() {
            if wanted.len() <= name.len() {
                wanted.resize_with(name.len() + 1, Vec::new);
            }
            wanted[name.len()].push((name, i));
        }
        Plan {
            columns,
            wanted,
            slots: names.len(),
            id,
            steps,
        }
    }

    fn slot_of(&self, name: &str) -> Option<usize> {
        self.wanted
            .get(name.len())?
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, i)| *i)
    }

    /// The properties of a record that this plan reads (a later duplicate wins, as in a map).
    pub(crate) fn read<'a>(&self, json: &'a str) -> Result<Record<'a>, Malformed> {
        let mut slots: Vec<Slot<'a>> = (0..self.slots).map(|_| Slot::default()).collect();
        scan::object(json, |name, raw| {
            if let Some(i) = self.slot_of(&name) {
                slots[i].raw = Some(raw);
            }
        })?;
        Ok(Record { slots })
    }
}

/// The properties of one record that a [`Plan`] reads, borrowed from its JSON text.
pub(crate) struct Record<'a> {
    slots: Vec<Slot<'a>>,
}

/// One property a plan reads.
#[derive(Default)]
struct Slot<'a> {
    /// Its JSON text, when the record has it.
    raw: Option<&'a str>,
    /// Its properties, when it is an object, walked once when first asked for.
    object: OnceCell<Option<Fields<'a>>>,
}

impl<'a> Record<'a> {
    /// The JSON text at a slot and a path below it (`None` when missing or null).
    fn get(&self, slot: usize, rest: &[&str]) -> Option<&'a str> {
        let slot = self.slots.get(slot)?;
        let raw = slot.raw?;
        let Some((last, middle)) = rest.split_last() else {
            return Some(raw).filter(|raw| *raw != "null");
        };
        let mut object = slot
            .object
            .get_or_init(|| Fields::parse(raw).ok())
            .as_ref()?;
        for part in middle {
            object = object.object(part)?;
        }
        object.present(last)
    }
}

/// An object's properties, borrowed from its JSON text, in the text's order.
pub(crate) struct Fields<'a> {
    fields: Vec<(Cow<'a, str>, &'a str)>,
    /// The objects among them, walked once when first asked for.
    nested: Vec<OnceCell<Option<Fields<'a>>>>,
}

impl<'a> Fields<'a> {
    /// The properties of a JSON object.
    pub(crate) fn parse(json: &'a str) -> Result<Fields<'a>, Malformed> {
        let mut fields = Vec::with_capacity(16);
        scan::object(json, |name, raw| fields.push((name, raw)))?;
        let nested = (0..fields.len()).map(|_| OnceCell::new()).collect();
        Ok(Fields { fields, nested })
    }

    /// Where a property is: the last of its name, as in a map where a later duplicate wins.
    fn index(&self, name: &str) -> Option<usize> {
        self.fields.iter().rposition(|(k, _)| k == name)
    }

    /// A property that is an object, as fields.
    fn object(&self, name: &str) -> Option<&Fields<'a>> {
        let i = self.index(name)?;
        self.nested[i]
            .get_or_init(|| Fields::parse(self.fields[i].1).ok())
            .as_ref()
    }

    /// A property's JSON text (`None` for a missing or null one).
    fn present(&self, name: &str) -> Option<&'a str> {
        self.index(name)
            .map(|i| self.fields[i].1)
            .filter(|raw| *raw != "null")
    }
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

/// [`neutralise`], keeping borrowed text borrowed.
fn neutral(text: Cow<'_, str>) -> Cow<'_, str> {
    match neutralise(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(quoted) => Cow::Owned(quoted),
    }
}

/// A JSON value as a cell shows it: a string unescaped (borrowed from the record when it has no
/// escapes), anything else as compact JSON.
fn text(json: &str) -> Cow<'_, str> {
    if let Some(inner) = json.strip_prefix('"').and_then(|j| j.strip_suffix('"')) {
        if memchr::memchr(b'\\', inner.as_bytes()).is_none() {
            return Cow::Borrowed(inner);
        }
    }
    match serde_json::from_str::<Value>(json) {
        Ok(Value::String(s)) => Cow::Owned(s),
        Ok(Value::Null) | Err(_) => Cow::Borrowed(""),
        Ok(other) => Cow::Owned(other.to_string()),
    }
}

/// `True` / `False` for a JSON boolean, as the portal writes them.
fn bool_text(raw: &str) -> Cow<'_, str> {
    match raw {
        "true" => Cow::Borrowed("True"),
        "false" => Cow::Borrowed("False"),
        _ => text(raw),
    }
}

/// One cell.
fn cell<'a>(record: &Record<'a>, column: &Column) -> Cow<'a, str> {
    match column {
        Column::Empty => Cow::Borrowed(""),
        Column::Status(slot) => {
            let code = record
                .get(*slot, &["errorCode"])
                .and_then(|raw| raw.parse::<i64>().ok())
                .unwrap_or(0);
            Cow::Borrowed(Status::of_code(code).label())
        }
        Column::Path(slot, rest, conv) => {
            let Some(raw) = record.get(*slot, rest) else {
                return Cow::Borrowed("");
            };
            let is_text = raw.starts_with('"');
            match conv {
                Conv::Int | Conv::Time => text(raw),
                Conv::Bool => bool_text(raw),
                Conv::Json => {
                    let compact = serde_json::from_str::<Value>(raw)
                        .map(|v| v.to_string())
                        .unwrap_or_default();
                    neutral(Cow::Owned(compact))
                }
                Conv::CaStatus => match (is_text, text(raw)) {
                    (true, t) if t == "success" => Cow::Borrowed("Success"),
                    (true, t) if t == "failure" => Cow::Borrowed("Failure"),
                    (true, t) if t == "notApplied" => Cow::Borrowed("Not Applied"),
                    (_, t) => neutral(t),
                },
                Conv::Requirement => match (is_text, text(raw)) {
                    (true, t) if t == "singleFactorAuthentication" => {
                        Cow::Borrowed("Single-factor authentication")
                    }
                    (true, t) if t == "multiFactorAuthentication" => {
                        Cow::Borrowed("Multifactor authentication")
                    }
                    (_, t) => neutral(t),
                },
                Conv::Location => {
                    let Ok(place) = Fields::parse(raw) else {
                        return Cow::Borrowed("");
                    };
                    let parts: Vec<Cow<str>> = ["city", "state", "countryOrRegion"]
                        .iter()
                        .filter_map(|k| place.present(k))
                        .filter(|raw| raw.starts_with('"'))
                        .map(text)
                        .filter(|s| !s.trim().is_empty())
                        .collect();
                    neutral(Cow::Owned(parts.join(", ")))
                }
                Conv::Text => neutral(text(raw)),
            }
        }
    }
}

/// Writes one record's row.
pub(crate) fn write_row<W: std::io::Write>(
    out: &mut csv::Writer<W>,
    record: &Record,
    plan: &Plan,
) -> csv::Result<()> {
    for column in &plan.columns {
        out.write_field(cell(record, column).as_bytes())?;
    }
    out.write_record(None::<&[u8]>)
}

/// Writes one record's authentication steps (none: no rows).
pub(crate) fn write_steps<W: std::io::Write>(
    out: &mut csv::Writer<W>,
    record: &Record,
    plan: &Plan,
) -> csv::Result<usize> {
    let mut steps = Vec::new();
    let walked = record
        .get(plan.steps, &[])
        .is_some_and(|raw| scan::array(raw, |step| steps.push(step)).is_ok());
    if !walked {
        return Ok(0);
    }
    let id = neutral(record.get(plan.id, &[]).map(text).unwrap_or_default());
    for step in &steps {
        let step = Fields::parse(step).ok();
        let field = |name: &str| step.as_ref().and_then(|s| s.present(name));
        let text_of = |name: &str| field(name).map(text).unwrap_or_default();
        out.write_record([
            id.as_ref(),
            text_of("authenticationStepDateTime").as_ref(),
            neutral(text_of("authenticationMethod")).as_ref(),
            neutral(text_of("authenticationMethodDetail")).as_ref(),
            neutral(text_of("authenticationStepRequirement")).as_ref(),
            field("succeeded")
                .map(bool_text)
                .unwrap_or_default()
                .as_ref(),
            neutral(text_of("authenticationStepResultDetail")).as_ref(),
        ])?;
    }
    Ok(steps.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(record: serde_json::Value, header: &[&str]) -> Vec<String> {
        let mut out = csv::Writer::from_writer(Vec::new());
        let text = record.to_string();
        let plan = Plan::new(header);
        let fields = plan.read(&text).expect("an object");
        write_row(&mut out, &fields, &plan).expect("written");
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
            for (h, c) in header.iter().zip(&Plan::new(&header).columns) {
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
