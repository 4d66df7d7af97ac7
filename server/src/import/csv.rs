//! Readers of the CSV formats: the portal's download files (interactive, non-interactive,
//! service principal, managed identity, and the AuthDetails files joined to them by Request
//! ID) and Log Analytics "Export to CSV" files of the sign-in tables.
//!
//! A row becomes a JSON object of Graph properties, which is then read by the model like any
//! other record, so a CSV value of the wrong form is reported with its Graph field.

use super::Sink;
use crate::ingest::{check_record, RecordProblem};
use app::model::{AuthenticationDetail, EventType, GraphDateTime, SignIn};
use app::store::NewSignIn;
use chrono::NaiveDateTime;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::io::Read;

/// What a CSV file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvKind {
    /// A portal sign-in file of one report.
    Portal(EventType),
    /// A portal AuthDetails file (steps of the sign-ins of another file).
    AuthDetails,
    /// A Log Analytics export of a sign-in table.
    LogAnalytics,
}

/// A header name as compared here: trimmed, inner spaces collapsed, lower-cased (the portal
/// writes `Application ID ` and `Autonomous system  number`).
pub(crate) fn norm_header(h: &str) -> String {
    h.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Tells the kind of a CSV file from its header and, for the portal files whose headers are
/// the same, its name.
pub fn detect(headers: &[String], file_name: &str) -> Option<CsvKind> {
    let has = |name: &str| headers.iter().any(|h| norm_header(h) == name);
    let lower_name = file_name.to_lowercase();
    if has("createddatetime [utc]") || (has("tenantid") && has("resulttype")) {
        return Some(CsvKind::LogAnalytics);
    }
    if has("request id") && has("authentication method") && !has("status") {
        return Some(CsvKind::AuthDetails);
    }
    if !(has("request id") && (has("date (utc)") || has("date"))) {
        return None;
    }
    let event_type = if lower_name.starts_with("noninteractivesignins")
        || lower_name.contains("noninteractive")
    {
        EventType::NonInteractive
    } else if lower_name.starts_with("msisignins") || lower_name.contains("managedidentit") {
        EventType::ManagedIdentity
    } else if lower_name.starts_with("applicationsignins")
        || lower_name.contains("serviceprincipal")
        || (has("service principal id") && !has("user id"))
    {
        EventType::ServicePrincipal
    } else {
        EventType::Interactive
    };
    Some(CsvKind::Portal(event_type))
}

/// Reads the header row of a CSV file.
pub fn read_headers(reader: impl Read) -> anyhow::Result<Vec<String>> {
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    Ok(csv.headers()?.iter().map(str::to_owned).collect())
}

/// Times as the portal and Log Analytics write them.
fn parse_time(text: &str) -> Option<String> {
    if let Ok(t) = GraphDateTime::parse(text) {
        return Some(GraphDateTime::from_instant(t.instant()).as_str().to_owned());
    }
    for format in [
        "%m/%d/%Y, %I:%M:%S%.f %p",
        "%m/%d/%Y %I:%M:%S%.f %p",
        "%m/%d/%Y, %H:%M:%S%.f",
        "%m/%d/%Y %H:%M:%S%.f",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text.trim(), format) {
            return Some(GraphDateTime::from_instant(t.and_utc()).as_str().to_owned());
        }
    }
    None
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// Sets `a.b.c` in a JSON object, creating the objects on the way.
fn set_path(object: &mut Map<String, Value>, path: &str, value: Value) {
    let mut parts = path.split('.').peekable();
    let mut current = object;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            current.insert(part.to_owned(), value);
            return;
        }
        let entry = current
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        let Value::Object(next) = entry else { return };
        current = next;
    }
}

fn has_path(object: &Map<String, Value>, path: &str) -> bool {
    let mut current = object;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        match current.get(part) {
            None | Some(Value::Null) => return false,
            Some(Value::Object(next)) if parts.peek().is_some() => current = next,
            Some(_) => return parts.peek().is_none(),
        }
    }
    false
}

/// How a column's text becomes a JSON value.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Conv {
    Text,
    Int,
    Bool,
    Time,
    /// A JSON document in the cell.
    Json,
    /// The portal's "Success" / "Failure" / "Not Applied".
    CaStatus,
    /// The portal's "Single-factor authentication" / "Multifactor authentication".
    Requirement,
    /// "City, State, CC".
    Location,
}

/// Portal columns: `(normalised header, Graph path, conversion)`.
pub(crate) const PORTAL_COLUMNS: &[(&str, &str, Conv)] = &[
    ("date (utc)", "createdDateTime", Conv::Time),
    ("date", "createdDateTime", Conv::Time),
    ("request id", "id", Conv::Text),
    ("user agent", "userAgent", Conv::Text),
    ("correlation id", "correlationId", Conv::Text),
    ("user id", "userId", Conv::Text),
    ("user", "userDisplayName", Conv::Text),
    ("username", "userPrincipalName", Conv::Text),
    ("user type", "userType", Conv::Text),
    (
        "cross tenant access type",
        "crossTenantAccessType",
        Conv::Text,
    ),
    ("incoming token type", "incomingTokenType", Conv::Text),
    (
        "authentication protocol",
        "authenticationProtocol",
        Conv::Text,
    ),
    (
        "unique token identifier",
        "uniqueTokenIdentifier",
        Conv::Text,
    ),
    (
        "original transfer method",
        "originalTransferMethod",
        Conv::Text,
    ),
    ("client credential type", "clientCredentialType", Conv::Text),
    (
        "token protection - sign in session",
        "signInTokenProtectionStatus",
        Conv::Text,
    ),
    (
        "token protection - sign in session statuscode",
        "tokenProtectionStatusDetails.signInSessionStatusCode",
        Conv::Int,
    ),
    ("application", "appDisplayName", Conv::Text),
    ("application id", "appId", Conv::Text),
    ("app owner tenant id", "appOwnerTenantId", Conv::Text),
    ("resource", "resourceDisplayName", Conv::Text),
    ("resource id", "resourceId", Conv::Text),
    ("resource tenant id", "resourceTenantId", Conv::Text),
    (
        "resource owner tenant id",
        "resourceOwnerTenantId",
        Conv::Text,
    ),
    ("home tenant id", "homeTenantId", Conv::Text),
    ("home tenant name", "homeTenantName", Conv::Text),
    ("ip address", "ipAddress", Conv::Text),
    ("location", "location", Conv::Location),
    ("sign-in error code", "status.errorCode", Conv::Int),
    ("failure reason", "status.failureReason", Conv::Text),
    ("client app", "clientAppUsed", Conv::Text),
    ("device id", "deviceDetail.deviceId", Conv::Text),
    ("browser", "deviceDetail.browser", Conv::Text),
    (
        "operating system",
        "deviceDetail.operatingSystem",
        Conv::Text,
    ),
    ("compliant", "deviceDetail.isCompliant", Conv::Bool),
    ("managed", "deviceDetail.isManaged", Conv::Bool),
    ("join type", "deviceDetail.trustType", Conv::Text),
    (
        "multifactor authentication result",
        "status.additionalDetails",
        Conv::Text,
    ),
    (
        "multifactor authentication auth method",
        "mfaDetail.authMethod",
        Conv::Text,
    ),
    (
        "multifactor authentication auth detail",
        "mfaDetail.authDetail",
        Conv::Text,
    ),
    (
        "authentication requirement",
        "authenticationRequirement",
        Conv::Requirement,
    ),
    ("sign-in identifier", "signInIdentifier", Conv::Text),
    ("session id", "sessionId", Conv::Text),
    (
        "ip address (seen by resource)",
        "ipAddressFromResourceProvider",
        Conv::Text,
    ),
    (
        "through global secure access",
        "isThroughGlobalSecureAccess",
        Conv::Bool,
    ),
    (
        "global secure access ip address",
        "globalSecureAccessIpAddress",
        Conv::Text,
    ),
    (
        "autonomous system number",
        "autonomousSystemNumber",
        Conv::Int,
    ),
    ("flagged for review", "flaggedForReview", Conv::Bool),
    ("token issuer type", "tokenIssuerType", Conv::Text),
    ("token issuer name", "tokenIssuerName", Conv::Text),
    ("latency", "processingTimeInMilliseconds", Conv::Int),
    (
        "conditional access",
        "conditionalAccessStatus",
        Conv::CaStatus,
    ),
    (
        "managed identity type",
        "managedServiceIdentity.msiType",
        Conv::Text,
    ),
    (
        "associated resource id",
        "managedServiceIdentity.associatedResourceId",
        Conv::Text,
    ),
    (
        "federated token id",
        "managedServiceIdentity.federatedTokenId",
        Conv::Text,
    ),
    (
        "federated token issuer",
        "managedServiceIdentity.federatedTokenIssuer",
        Conv::Text,
    ),
    ("service principal id", "servicePrincipalId", Conv::Text),
    ("service principal name", "servicePrincipalName", Conv::Text),
    ("managed identity id", "servicePrincipalId", Conv::Text),
    ("managed identity name", "servicePrincipalName", Conv::Text),
    (
        "credential key id",
        "servicePrincipalCredentialKeyId",
        Conv::Text,
    ),
    (
        "credential thumbprint",
        "servicePrincipalCredentialThumbprint",
        Conv::Text,
    ),
];

/// Log Analytics columns (`SigninLogs` and the other sign-in tables).
const LA_COLUMNS: &[(&str, &str, Conv)] = &[
    ("id", "id", Conv::Text),
    ("createddatetime [utc]", "createdDateTime", Conv::Time),
    ("createddatetime", "createdDateTime", Conv::Time),
    ("correlationid", "correlationId", Conv::Text),
    ("appdisplayname", "appDisplayName", Conv::Text),
    ("appid", "appId", Conv::Text),
    ("authenticationdetails", "authenticationDetails", Conv::Json),
    (
        "authenticationmethodsused",
        "authenticationMethodsUsed",
        Conv::Json,
    ),
    (
        "authenticationprocessingdetails",
        "authenticationProcessingDetails",
        Conv::Json,
    ),
    (
        "authenticationrequirement",
        "authenticationRequirement",
        Conv::Text,
    ),
    (
        "authenticationrequirementpolicies",
        "authenticationRequirementPolicies",
        Conv::Json,
    ),
    (
        "authenticationcontextclassreferences",
        "authenticationContextClassReferences",
        Conv::Json,
    ),
    (
        "authenticationprotocol",
        "authenticationProtocol",
        Conv::Text,
    ),
    ("appliedeventlisteners", "appliedEventListeners", Conv::Json),
    (
        "autonomoussystemnumber",
        "autonomousSystemNumber",
        Conv::Int,
    ),
    ("clientappused", "clientAppUsed", Conv::Text),
    (
        "conditionalaccesspolicies_dynamic",
        "appliedConditionalAccessPolicies",
        Conv::Json,
    ),
    (
        "conditionalaccesspolicies_string",
        "appliedConditionalAccessPolicies",
        Conv::Json,
    ),
    (
        "conditionalaccesspolicies",
        "appliedConditionalAccessPolicies",
        Conv::Json,
    ),
    (
        "conditionalaccessstatus",
        "conditionalAccessStatus",
        Conv::Text,
    ),
    ("crosstenantaccesstype", "crossTenantAccessType", Conv::Text),
    ("devicedetail_dynamic", "deviceDetail", Conv::Json),
    ("devicedetail_string", "deviceDetail", Conv::Json),
    ("devicedetail", "deviceDetail", Conv::Json),
    ("flaggedforreview", "flaggedForReview", Conv::Bool),
    ("hometenantid", "homeTenantId", Conv::Text),
    ("ipaddress", "ipAddress", Conv::Text),
    (
        "ipaddressfromresourceprovider",
        "ipAddressFromResourceProvider",
        Conv::Text,
    ),
    ("isinteractive", "isInteractive", Conv::Bool),
    ("isrisky", "isRisky", Conv::Bool),
    ("locationdetails_dynamic", "location", Conv::Json),
    ("locationdetails_string", "location", Conv::Json),
    ("locationdetails", "location", Conv::Json),
    ("mfadetail_dynamic", "mfaDetail", Conv::Json),
    ("mfadetail_string", "mfaDetail", Conv::Json),
    (
        "networklocationdetails",
        "networkLocationDetails",
        Conv::Json,
    ),
    ("originalrequestid", "originalRequestId", Conv::Text),
    (
        "processingtimeinmilliseconds",
        "processingTimeInMilliseconds",
        Conv::Int,
    ),
    (
        "processingtimeinms",
        "processingTimeInMilliseconds",
        Conv::Int,
    ),
    ("riskdetail", "riskDetail", Conv::Text),
    ("riskeventtypes", "riskEventTypes", Conv::Json),
    ("riskeventtypes_v2", "riskEventTypes_v2", Conv::Json),
    ("risklevelaggregated", "riskLevelAggregated", Conv::Text),
    ("risklevelduringsignin", "riskLevelDuringSignIn", Conv::Text),
    ("riskstate", "riskState", Conv::Text),
    ("resourcedisplayname", "resourceDisplayName", Conv::Text),
    ("resourceidentity", "resourceId", Conv::Text),
    (
        "resourceserviceprincipalid",
        "resourceServicePrincipalId",
        Conv::Text,
    ),
    ("resourcetenantid", "resourceTenantId", Conv::Text),
    ("serviceprincipalid", "servicePrincipalId", Conv::Text),
    ("serviceprincipalname", "servicePrincipalName", Conv::Text),
    (
        "serviceprincipalcredentialkeyid",
        "servicePrincipalCredentialKeyId",
        Conv::Text,
    ),
    (
        "serviceprincipalcredentialthumbprint",
        "servicePrincipalCredentialThumbprint",
        Conv::Text,
    ),
    ("federatedcredentialid", "federatedCredentialId", Conv::Text),
    (
        "sessionlifetimepolicies",
        "sessionLifetimePolicies",
        Conv::Json,
    ),
    ("signinidentifier", "signInIdentifier", Conv::Text),
    ("alternatesigninname", "signInIdentifier", Conv::Text),
    ("signinidentifiertype", "signInIdentifierType", Conv::Text),
    ("status_dynamic", "status", Conv::Json),
    ("status_string", "status", Conv::Json),
    ("status", "status", Conv::Json),
    ("resulttype", "status.errorCode", Conv::Int),
    ("resultdescription", "status.failureReason", Conv::Text),
    ("tokenissuername", "tokenIssuerName", Conv::Text),
    ("tokenissuertype", "tokenIssuerType", Conv::Text),
    ("uniquetokenidentifier", "uniqueTokenIdentifier", Conv::Text),
    ("useragent", "userAgent", Conv::Text),
    ("userdisplayname", "userDisplayName", Conv::Text),
    ("userid", "userId", Conv::Text),
    ("userprincipalname", "userPrincipalName", Conv::Text),
    ("usertype", "userType", Conv::Text),
    ("hometenantname", "homeTenantName", Conv::Text),
    ("sessionid", "sessionId", Conv::Text),
    ("incomingtokentype", "incomingTokenType", Conv::Text),
];

/// The Log Analytics `Category` of a row to its report.
fn la_category(category: &str) -> Option<EventType> {
    match category.trim() {
        "SignInLogs" | "SigninLogs" => Some(EventType::Interactive),
        "NonInteractiveUserSignInLogs" | "AADNonInteractiveUserSignInLogs" => {
            Some(EventType::NonInteractive)
        }
        "ServicePrincipalSignInLogs" | "AADServicePrincipalSignInLogs" => {
            Some(EventType::ServicePrincipal)
        }
        "ManagedIdentitySignInLogs" | "AADManagedIdentitySignInLogs" => {
            Some(EventType::ManagedIdentity)
        }
        _ => None,
    }
}

/// A cell as it was before a download neutralised it for spreadsheets (`'=…` → `=…`).
pub(crate) fn unneutralise(text: &str) -> &str {
    match text.strip_prefix('\'') {
        // One quote comes off when quotes lead to a formula character (`'=x` was `=x`,
        // `''=x` was `'=x`): what a download adds, nothing else.
        Some(rest)
            if rest
                .trim_start_matches('\'')
                .starts_with(['=', '+', '-', '@', '\t', '\r']) =>
        {
            rest
        }
        _ => text,
    }
}

fn convert_cell(conv: Conv, text: &str, header: &str) -> Result<Option<Value>, RecordProblem> {
    let text = unneutralise(text);
    let bad = |what: &str| RecordProblem {
        field: header.to_owned(),
        message: format!("{text:?} is not {what}"),
    };
    Ok(Some(match conv {
        Conv::Text => Value::String(text.to_owned()),
        Conv::Int => match text.trim() {
            "None" => return Ok(None),
            t => Value::from(t.parse::<i64>().map_err(|_| bad("a whole number"))?),
        },
        Conv::Bool => Value::Bool(parse_bool(text).ok_or_else(|| bad("True or False"))?),
        Conv::Time => Value::String(parse_time(text).ok_or_else(|| bad("a date and time"))?),
        Conv::Json => {
            let value: Value =
                serde_json::from_str(text).map_err(|e| bad(&format!("JSON ({e})")))?;
            // Log Analytics writes `{}` or `[]` for "nothing": keep what it wrote.
            value
        }
        Conv::CaStatus => Value::String(
            match text.trim().to_ascii_lowercase().replace(' ', "").as_str() {
                "success" => "success",
                "failure" => "failure",
                "notapplied" => "notApplied",
                _ => text,
            }
            .to_owned(),
        ),
        Conv::Requirement => Value::String(
            match text.trim().to_ascii_lowercase().as_str() {
                "single-factor authentication" | "singlefactorauthentication" => {
                    "singleFactorAuthentication"
                }
                "multifactor authentication"
                | "multi-factor authentication"
                | "multifactorauthentication" => "multiFactorAuthentication",
                _ => text,
            }
            .to_owned(),
        ),
        Conv::Location => {
            let parts: Vec<&str> = text.split(',').map(str::trim).collect();
            let (city, state, country) = match parts.as_slice() {
                [city, state, country] => (*city, *state, *country),
                [state, country] => ("", *state, *country),
                [country] => ("", "", *country),
                _ => {
                    // More commas: a city with a comma in its name; the last two are state and country.
                    let n = parts.len();
                    let city = parts[..n - 2].join(", ");
                    return Ok(Some(
                        json!({"city": city, "state": parts[n - 2], "countryOrRegion": parts[n - 1]}),
                    ));
                }
            };
            json!({"city": city, "state": state, "countryOrRegion": country})
        }
    }))
}

/// A row's record: the mapped columns, the report, then the model's own validation.
fn row_to_record(
    headers: &[String],
    row: &csv::StringRecord,
    columns: &HashMap<String, (&'static str, Conv)>,
    event_type: Option<EventType>,
    la: bool,
) -> Result<SignIn, RecordProblem> {
    let mut object = Map::new();
    let mut deferred = Vec::new();
    let mut category = None;
    for (header, cell) in headers.iter().zip(row.iter()) {
        if cell.trim().is_empty() {
            continue;
        }
        let key = norm_header(header);
        if la && key == "category" {
            category = la_category(cell);
        }
        let Some((path, conv)) = columns.get(&key) else {
            continue;
        };
        if has_path(&object, path) {
            continue; // the first column naming a property wins (`Incoming token type` twice)
        }
        let Some(value) = convert_cell(*conv, cell, header)? else {
            continue;
        };
        // The Log Analytics envelope's result columns only fill what `Status` lacks.
        if la && (key == "resulttype" || key == "resultdescription") {
            deferred.push((*path, value));
        } else {
            set_path(&mut object, path, value);
        }
    }
    for (path, value) in deferred {
        if !has_path(&object, path) {
            set_path(&mut object, path, value);
        }
    }
    let event_type = event_type.or(category);
    if let Some(t) = event_type {
        object
            .entry("signInEventTypes")
            .or_insert_with(|| json!([t.graph_name()]));
        if !la {
            object
                .entry("isInteractive")
                .or_insert(Value::Bool(t == EventType::Interactive));
        }
    }
    let value = Value::Object(object);
    let record: SignIn = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        RecordProblem {
            field: if path == "." { String::new() } else { path },
            message: e.inner().to_string(),
        }
    })?;
    check_record(&record)?;
    Ok(record)
}

fn column_map(
    table: &[(&'static str, &'static str, Conv)],
) -> HashMap<String, (&'static str, Conv)> {
    let mut map = HashMap::new();
    for (header, path, conv) in table {
        map.entry((*header).to_owned()).or_insert((*path, *conv));
    }
    map
}

/// Reads a portal or Log Analytics sign-in file; auth steps from AuthDetails files are
/// joined to records that have none. `matched` collects the Request IDs that were joined.
pub fn read_signins(
    reader: impl Read,
    kind: CsvKind,
    steps: &HashMap<String, Vec<AuthenticationDetail>>,
    matched: &mut std::collections::HashSet<String>,
    sink: &mut dyn Sink,
) -> anyhow::Result<()> {
    let (columns, event_type, la) = match kind {
        CsvKind::Portal(t) => (column_map(PORTAL_COLUMNS), Some(t), false),
        CsvKind::LogAnalytics => (column_map(LA_COLUMNS), None, true),
        CsvKind::AuthDetails => anyhow::bail!("an AuthDetails file holds no sign-ins"),
    };
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers: Vec<String> = csv.headers()?.iter().map(str::to_owned).collect();
    for (n, row) in csv.records().enumerate() {
        let place = format!("row {}", n + 2);
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                sink.item(
                    place,
                    Err(RecordProblem {
                        field: String::new(),
                        message: format!("not readable CSV: {e}"),
                    }),
                );
                continue;
            }
        };
        let result =
            row_to_record(&headers, &row, &columns, event_type, la).and_then(|mut record| {
                let key = record.id.trim().to_lowercase();
                if let Some(found) = steps.get(&key) {
                    matched.insert(key);
                    if record
                        .authentication_details
                        .get()
                        .is_none_or(|s| s.is_empty())
                    {
                        record.authentication_details = found.clone().into();
                    }
                }
                NewSignIn::from_record(&record).map_err(|e| RecordProblem {
                    field: String::new(),
                    message: e.to_string(),
                })
            });
        sink.item(place, result);
    }
    Ok(())
}

/// One AuthDetails row that could not be read, or that has no sign-in to join.
#[derive(Debug)]
pub struct StepRow {
    /// Where it is (`row 5`).
    pub place: String,
    /// Its Request ID, lower-cased.
    pub id_key: String,
}

/// Reads an AuthDetails file into steps per Request ID (in file order). Rows that cannot be
/// read are reported through `bad`.
pub fn read_auth_details(
    reader: impl Read,
    steps: &mut HashMap<String, Vec<AuthenticationDetail>>,
    rows: &mut Vec<StepRow>,
    bad: &mut dyn FnMut(String, RecordProblem),
) -> anyhow::Result<()> {
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers: Vec<String> = csv.headers()?.iter().map(norm_header).collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let id_col = col("request id").ok_or_else(|| anyhow::anyhow!("no Request ID column"))?;
    let date_col = col("date (utc)")
        .or_else(|| col("date"))
        .or_else(|| col("authentication date"));
    let fields = [
        ("authentication method", "authenticationMethod"),
        ("authentication method detail", "authenticationMethodDetail"),
        ("requirement", "authenticationStepRequirement"),
        ("result detail", "authenticationStepResultDetail"),
    ];
    for (n, row) in csv.records().enumerate() {
        let place = format!("row {}", n + 2);
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                bad(
                    place,
                    RecordProblem {
                        field: String::new(),
                        message: format!("not readable CSV: {e}"),
                    },
                );
                continue;
            }
        };
        let id = unneutralise(row.get(id_col).unwrap_or("").trim()).to_lowercase();
        if id.is_empty() {
            bad(
                place,
                RecordProblem {
                    field: "Request ID".into(),
                    message: "empty".into(),
                },
            );
            continue;
        }
        let mut object = Map::new();
        if let Some(text) = date_col
            .and_then(|c| row.get(c))
            .filter(|t| !t.trim().is_empty())
        {
            match parse_time(text) {
                Some(t) => {
                    object.insert("authenticationStepDateTime".into(), Value::String(t));
                }
                None => {
                    bad(
                        place,
                        RecordProblem {
                            field: "Date".into(),
                            message: format!("{text:?} is not a date and time"),
                        },
                    );
                    continue;
                }
            }
        }
        for (header, property) in fields {
            if let Some(text) = col(header)
                .and_then(|c| row.get(c))
                .filter(|t| !t.trim().is_empty())
            {
                object.insert(
                    property.into(),
                    Value::String(unneutralise(text).to_owned()),
                );
            }
        }
        if let Some(text) = col("succeeded")
            .and_then(|c| row.get(c))
            .filter(|t| !t.trim().is_empty())
        {
            match parse_bool(text) {
                Some(b) => {
                    object.insert("succeeded".into(), Value::Bool(b));
                }
                None => {
                    bad(
                        place,
                        RecordProblem {
                            field: "Succeeded".into(),
                            message: format!("{text:?} is not True or False"),
                        },
                    );
                    continue;
                }
            }
        }
        match serde_json::from_value::<AuthenticationDetail>(Value::Object(object)) {
            Ok(step) => {
                steps.entry(id.clone()).or_default().push(step);
                rows.push(StepRow { place, id_key: id });
            }
            Err(e) => bad(
                place,
                RecordProblem {
                    field: String::new(),
                    message: e.to_string(),
                },
            ),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portal_locations_split_into_city_state_and_country() {
        let v = convert_cell(Conv::Location, "Melbourne, Victoria, AU", "Location")
            .expect("ok")
            .expect("some");
        assert_eq!(
            v,
            json!({"city": "Melbourne", "state": "Victoria", "countryOrRegion": "AU"})
        );
        let v = convert_cell(
            Conv::Location,
            "Washington, District of Columbia, DC, US",
            "Location",
        )
        .expect("ok")
        .expect("some");
        assert_eq!(v["city"], json!("Washington, District of Columbia"));
    }

    #[test]
    fn log_analytics_times_become_graph_times() {
        assert_eq!(
            parse_time("4/28/2021, 2:08:45.221 PM").as_deref(),
            Some("2021-04-28T14:08:45.221Z")
        );
        assert_eq!(
            parse_time("2025-12-04T08:19:41Z").as_deref(),
            Some("2025-12-04T08:19:41Z")
        );
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn the_portal_files_are_told_apart_by_header_and_name() {
        let portal: Vec<String> = ["Date (UTC)", "Request ID", "User ID", "Status"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            detect(&portal, "NonInteractiveSignIns_2024-01-01_2024-01-02.csv"),
            Some(CsvKind::Portal(EventType::NonInteractive))
        );
        assert_eq!(
            detect(&portal, "InteractiveSignIns_2024-01-01_2024-01-02.csv"),
            Some(CsvKind::Portal(EventType::Interactive))
        );
        assert_eq!(
            detect(&portal, "MSISignIns_2024-01-01_2024-01-02.csv"),
            Some(CsvKind::Portal(EventType::ManagedIdentity))
        );
        let auth: Vec<String> = ["Request ID", "Date", "Authentication method", "Succeeded"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(detect(&auth, "x.csv"), Some(CsvKind::AuthDetails));
        let other: Vec<String> = ["a", "b"].iter().map(|s| s.to_string()).collect();
        assert_eq!(detect(&other, "x.csv"), None);
    }
}
