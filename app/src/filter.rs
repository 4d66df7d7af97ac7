//! The filter model: the expression a report query is filtered by (one allow-listed set of
//! fields, compiled to SQL by each store), and the blade's own filter (date presets and field
//! filters) with its URL form.
//!
//! Text comparisons are case-insensitive everywhere (the stores keep lower-cased copies of
//! the filterable text), as Entra's own filters are.

use crate::model::{ConditionalAccessStatus, EventType, Status};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A field a query may filter or sort on. Each maps to one stored column; nothing else from a
/// client ever reaches SQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    /// `id` (the Request ID).
    RequestId,
    /// `createdDateTime` (a time).
    CreatedDateTime,
    /// `correlationId`.
    CorrelationId,
    /// `userId`.
    UserId,
    /// `userPrincipalName`.
    UserPrincipalName,
    /// `userDisplayName`.
    UserDisplayName,
    /// `appId`.
    AppId,
    /// `appDisplayName`.
    AppDisplayName,
    /// `ipAddress`.
    IpAddress,
    /// `location/city`.
    City,
    /// `location/state`.
    State,
    /// `location/countryOrRegion`.
    CountryOrRegion,
    /// `resourceId`.
    ResourceId,
    /// `resourceDisplayName`.
    ResourceDisplayName,
    /// `status/errorCode` (an integer).
    ErrorCode,
    /// The derived Status (an integer: [`Status::code`]).
    Status,
    /// `conditionalAccessStatus`.
    ConditionalAccessStatus,
    /// `clientAppUsed`.
    ClientAppUsed,
    /// `deviceDetail/operatingSystem`.
    OperatingSystem,
    /// `deviceDetail/browser`.
    Browser,
    /// `tokenIssuerType`.
    TokenIssuerType,
    /// `servicePrincipalId`.
    ServicePrincipalId,
    /// `servicePrincipalName`.
    ServicePrincipalName,
    /// The report (an integer: [`EventType::code`]).
    EventType,
    /// The group key of a grouped report (an integer: [`crate::grouping::group_hash`]).
    GroupKey,
    /// The UTC day of `createdDateTime` (an integer, days since 1970-01-01). The stores add it
    /// to queries as an index hint; it never changes what a query selects.
    Day,
    /// `riskDetail` (an attribute: see [`Field::attribute`]).
    RiskDetail,
    /// One of `riskEventTypes` (an attribute with one entry per item).
    RiskEventType,
    /// One of `riskEventTypes_v2` (an attribute with one entry per item).
    RiskEventTypeV2,
    /// `riskLevelAggregated` (an attribute).
    RiskLevelAggregated,
    /// `riskLevelDuringSignIn` (an attribute).
    RiskLevelDuringSignIn,
    /// `riskState` (an attribute).
    RiskState,
    /// `authenticationRequirement` (an attribute).
    AuthenticationRequirement,
    /// One of `conditionalAccessAudiences` (an attribute with one entry per item).
    ConditionalAccessAudience,
    /// `originalRequestId` (an attribute).
    OriginalRequestId,
    /// `resourceServicePrincipalId` (an attribute).
    ResourceServicePrincipalId,
    /// `tokenIssuerName` (an attribute).
    TokenIssuerName,
    /// `userAgent` (an attribute).
    UserAgent,
    /// `managedServiceIdentity/msiType` (an attribute).
    MsiType,
}

/// What separates the entries of a record's attribute text (see [`Field::attribute`]); it is
/// never part of a value (values have control characters replaced by a space).
pub const ATTRIBUTE_SEPARATOR: char = '\u{1f}';

/// What kind of value a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// Text, compared case-insensitively.
    Text,
    /// An integer.
    Integer,
    /// A time (microseconds since the epoch).
    Time,
}

/// Text as the stores keep it for comparison, and as filter values are compared with it:
/// trimmed and lower-cased, NUL (which PostgreSQL's text cannot hold) as a space.
pub fn fold_text(text: &str) -> String {
    let folded = text.trim().to_lowercase();
    if folded.contains('\0') {
        folded.replace('\0', " ")
    } else {
        folded
    }
}

/// An attribute value as the stores keep it (see [`Field::attribute`]): [`fold_text`], with
/// every control character (the entry separator among them) as a space.
pub fn fold_attribute(text: &str) -> String {
    fold_text(text).replace(char::is_control, " ")
}

impl Field {
    /// The short key of a field kept as an *attribute* rather than a column of its own.
    ///
    /// Properties that are filtered rarely (risk, user agent, …) share one text column per
    /// record, `attrs`: `␟key=value` for each property that has a value (one entry per item
    /// of a collection), lower-cased, then a closing `␟` (the separator is
    /// [`ATTRIBUTE_SEPARATOR`], U+001F). `eq` becomes a search for `␟key=value␟`, `startsWith`
    /// for `␟key=value`, and a missing value is a missing key.
    pub fn attribute(self) -> Option<&'static str> {
        Some(match self {
            Field::RiskDetail => "rd",
            Field::RiskEventType => "ret",
            Field::RiskEventTypeV2 => "ret2",
            Field::RiskLevelAggregated => "rla",
            Field::RiskLevelDuringSignIn => "rld",
            Field::RiskState => "rs",
            Field::AuthenticationRequirement => "ar",
            Field::ConditionalAccessAudience => "caa",
            Field::OriginalRequestId => "ori",
            Field::ResourceServicePrincipalId => "rsp",
            Field::TokenIssuerName => "tin",
            Field::UserAgent => "ua",
            Field::MsiType => "msi",
            _ => return None,
        })
    }

    /// The kind of value the field holds.
    pub fn kind(self) -> FieldKind {
        match self {
            Field::CreatedDateTime => FieldKind::Time,
            Field::ErrorCode | Field::Status | Field::EventType | Field::GroupKey | Field::Day => {
                FieldKind::Integer
            }
            _ => FieldKind::Text,
        }
    }
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `lt`
    Lt,
    /// `le`
    Le,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `startsWith` (text only)
    StartsWith,
}

/// A value compared against a field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Literal {
    /// Text (lower-cased before comparison).
    Text(String),
    /// An integer.
    Integer(i64),
    /// A time in microseconds since the epoch.
    Time(i64),
}

/// A filter expression.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Expr {
    /// Matches everything.
    #[default]
    True,
    /// All of these.
    And(Vec<Expr>),
    /// Any of these.
    Or(Vec<Expr>),
    /// Not this.
    Not(Box<Expr>),
    /// A comparison of a field with a value.
    Cmp(Field, Op, Literal),
}

/// Why an expression cannot be run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExprError {
    /// The value does not fit the field.
    #[error("{field:?} cannot be compared with {literal}")]
    WrongType {
        /// The field.
        field: Field,
        /// The value, as text.
        literal: String,
    },
    /// `startsWith` on a field that is not text.
    #[error("startsWith needs a text field, not {0:?}")]
    StartsWithOnNonText(Field),
    /// An ordering comparison (`lt`, `le`, `gt`, `ge`) on an attribute.
    #[error("{0:?} is compared with eq, ne or startsWith only")]
    OrderedAttribute(Field),
}

impl Expr {
    /// `field eq text`.
    pub fn eq_text(field: Field, value: impl Into<String>) -> Expr {
        Expr::Cmp(field, Op::Eq, Literal::Text(value.into()))
    }

    /// `startsWith(field, text)`.
    pub fn starts_with(field: Field, value: impl Into<String>) -> Expr {
        Expr::Cmp(field, Op::StartsWith, Literal::Text(value.into()))
    }

    /// `field eq n` for an integer field.
    pub fn eq_int(field: Field, value: i64) -> Expr {
        Expr::Cmp(field, Op::Eq, Literal::Integer(value))
    }

    /// Any of `values` for a text field.
    pub fn any_text(field: Field, values: &[String]) -> Expr {
        Expr::Or(
            values
                .iter()
                .map(|v| Expr::eq_text(field, v.clone()))
                .collect(),
        )
    }

    /// The half-open time range `[from, to)`, either end open when `None`.
    pub fn time_range(from: Option<i64>, to: Option<i64>) -> Expr {
        let mut parts = Vec::new();
        if let Some(from) = from {
            parts.push(Expr::Cmp(
                Field::CreatedDateTime,
                Op::Ge,
                Literal::Time(from),
            ));
        }
        if let Some(to) = to {
            parts.push(Expr::Cmp(Field::CreatedDateTime, Op::Lt, Literal::Time(to)));
        }
        Expr::And(parts)
    }

    /// Both this and `other`.
    pub fn and(self, other: Expr) -> Expr {
        match (self, other) {
            (Expr::True, e) | (e, Expr::True) => e,
            (Expr::And(mut a), Expr::And(b)) => {
                a.extend(b);
                Expr::And(a)
            }
            (Expr::And(mut a), e) => {
                a.push(e);
                Expr::And(a)
            }
            (e, other) => Expr::And(vec![e, other]),
        }
    }

    /// Whether any comparison is on an attribute ([`Field::attribute`]).
    pub fn mentions_attributes(&self) -> bool {
        match self {
            Expr::True => false,
            Expr::And(parts) | Expr::Or(parts) => parts.iter().any(Expr::mentions_attributes),
            Expr::Not(inner) => inner.mentions_attributes(),
            Expr::Cmp(field, _, _) => field.attribute().is_some(),
        }
    }

    /// Checks that every comparison fits its field's kind.
    pub fn validate(&self) -> Result<(), ExprError> {
        match self {
            Expr::True => Ok(()),
            Expr::And(parts) | Expr::Or(parts) => parts.iter().try_for_each(Expr::validate),
            Expr::Not(inner) => inner.validate(),
            Expr::Cmp(field, op, literal) => {
                if *op == Op::StartsWith && field.kind() != FieldKind::Text {
                    return Err(ExprError::StartsWithOnNonText(*field));
                }
                if field.attribute().is_some() && !matches!(op, Op::Eq | Op::Ne | Op::StartsWith) {
                    return Err(ExprError::OrderedAttribute(*field));
                }
                let fits = matches!(
                    (field.kind(), literal),
                    (FieldKind::Text, Literal::Text(_))
                        | (FieldKind::Integer, Literal::Integer(_))
                        | (FieldKind::Time, Literal::Time(_))
                );
                if fits {
                    Ok(())
                } else {
                    Err(ExprError::WrongType {
                        field: *field,
                        literal: format!("{literal:?}"),
                    })
                }
            }
        }
    }
}

/// The blade's date filter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateFilter {
    /// The last 24 hours (the default).
    #[default]
    Last24Hours,
    /// The last seven days.
    Last7Days,
    /// The last month (30 days, the Premium retention).
    LastMonth,
    /// From `start` to `end` (either may be open).
    Custom {
        /// Start (inclusive), microseconds since the epoch.
        start: Option<i64>,
        /// End (exclusive), microseconds since the epoch.
        end: Option<i64>,
    },
}

impl DateFilter {
    /// The label in the blade.
    pub fn label(self) -> &'static str {
        match self {
            DateFilter::Last24Hours => "Twenty-four hours",
            DateFilter::Last7Days => "Seven days",
            DateFilter::LastMonth => "One month",
            DateFilter::Custom { .. } => "Custom",
        }
    }

    /// The `[from, to)` range in microseconds at `now`.
    pub fn range(self, now: DateTime<Utc>) -> (Option<i64>, Option<i64>) {
        let ago = |d: Duration| Some((now - d).timestamp_micros());
        match self {
            DateFilter::Last24Hours => (ago(Duration::hours(24)), None),
            DateFilter::Last7Days => (ago(Duration::days(7)), None),
            DateFilter::LastMonth => (ago(Duration::days(30)), None),
            DateFilter::Custom { start, end } => (start, end),
        }
    }
}

/// The blade's filters (SPEC §4.5): a date range and any of the add-able field filters.
///
/// Text filters match the start of the value (any case); ID filters match the whole ID.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportFilter {
    /// The date range, always applied.
    pub date: DateFilter,
    /// Request ID (whole ID).
    pub request_id: Option<String>,
    /// Correlation ID (whole ID).
    pub correlation_id: Option<String>,
    /// User: start of the display name or UPN, or the whole user ID.
    pub user: Option<String>,
    /// Application: start of the name, or the whole application ID.
    pub application: Option<String>,
    /// Status: any of these (none selected means all).
    pub status: Vec<Status>,
    /// IP address: start of the address.
    pub ip_address: Option<String>,
    /// Location: start of the city, state or country code.
    pub location: Option<String>,
    /// Resource: start of the name, or the whole resource ID.
    pub resource: Option<String>,
    /// Resource ID (whole ID).
    pub resource_id: Option<String>,
    /// Conditional Access: any of these statuses.
    pub conditional_access: Vec<ConditionalAccessStatus>,
    /// Client app: any of these.
    pub client_app: Vec<String>,
    /// Operating system: start of the name.
    pub operating_system: Option<String>,
    /// Browser: start of the name.
    pub browser: Option<String>,
    /// Token issuer type: any of these.
    pub token_issuer_type: Vec<String>,
}

impl ReportFilter {
    /// The filter as an expression, with the date range taken at `now`.
    pub fn to_expr(&self, now: DateTime<Utc>) -> Expr {
        let (from, to) = self.date.range(now);
        let mut expr = Expr::time_range(from, to);
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        if let Some(v) = text(&self.request_id) {
            expr = expr.and(Expr::eq_text(Field::RequestId, v));
        }
        if let Some(v) = text(&self.correlation_id) {
            expr = expr.and(Expr::eq_text(Field::CorrelationId, v));
        }
        if let Some(v) = text(&self.user) {
            expr = expr.and(Expr::Or(vec![
                Expr::starts_with(Field::UserDisplayName, v.clone()),
                Expr::starts_with(Field::UserPrincipalName, v.clone()),
                Expr::eq_text(Field::UserId, v),
            ]));
        }
        if let Some(v) = text(&self.application) {
            expr = expr.and(Expr::Or(vec![
                Expr::starts_with(Field::AppDisplayName, v.clone()),
                Expr::eq_text(Field::AppId, v),
            ]));
        }
        if !self.status.is_empty() {
            expr = expr.and(Expr::Or(
                self.status
                    .iter()
                    .map(|s| Expr::eq_int(Field::Status, i64::from(s.code())))
                    .collect(),
            ));
        }
        if let Some(v) = text(&self.ip_address) {
            expr = expr.and(Expr::starts_with(Field::IpAddress, v));
        }
        if let Some(v) = text(&self.location) {
            expr = expr.and(Expr::Or(vec![
                Expr::starts_with(Field::City, v.clone()),
                Expr::starts_with(Field::State, v.clone()),
                Expr::starts_with(Field::CountryOrRegion, v),
            ]));
        }
        if let Some(v) = text(&self.resource) {
            expr = expr.and(Expr::Or(vec![
                Expr::starts_with(Field::ResourceDisplayName, v.clone()),
                Expr::eq_text(Field::ResourceId, v),
            ]));
        }
        if let Some(v) = text(&self.resource_id) {
            expr = expr.and(Expr::eq_text(Field::ResourceId, v));
        }
        if !self.conditional_access.is_empty() {
            let values: Vec<String> = self
                .conditional_access
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect();
            expr = expr.and(Expr::any_text(Field::ConditionalAccessStatus, &values));
        }
        if !self.client_app.is_empty() {
            expr = expr.and(Expr::any_text(Field::ClientAppUsed, &self.client_app));
        }
        if let Some(v) = text(&self.operating_system) {
            expr = expr.and(Expr::starts_with(Field::OperatingSystem, v));
        }
        if let Some(v) = text(&self.browser) {
            expr = expr.and(Expr::starts_with(Field::Browser, v));
        }
        if !self.token_issuer_type.is_empty() {
            expr = expr.and(Expr::any_text(
                Field::TokenIssuerType,
                &self.token_issuer_type,
            ));
        }
        expr
    }

    /// The filter as URL query pairs (only what differs from the default).
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        match self.date {
            DateFilter::Last24Hours => {}
            DateFilter::Last7Days => pairs.push(("date", "7d".to_owned())),
            DateFilter::LastMonth => pairs.push(("date", "1m".to_owned())),
            DateFilter::Custom { start, end } => {
                pairs.push(("date", "custom".to_owned()));
                let fmt = |m: i64| {
                    DateTime::<Utc>::from_timestamp_micros(m)
                        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
                        .unwrap_or_default()
                };
                if let Some(s) = start {
                    pairs.push(("start", fmt(s)));
                }
                if let Some(e) = end {
                    pairs.push(("end", fmt(e)));
                }
            }
        }
        let mut one = |key, v: &Option<String>| {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                pairs.push((key, v.to_owned()));
            }
        };
        one("requestId", &self.request_id);
        one("correlationId", &self.correlation_id);
        one("user", &self.user);
        one("app", &self.application);
        one("ip", &self.ip_address);
        one("location", &self.location);
        one("resource", &self.resource);
        one("resourceId", &self.resource_id);
        one("os", &self.operating_system);
        one("browser", &self.browser);
        let mut list = |key, values: Vec<String>| {
            if !values.is_empty() {
                pairs.push((key, values.join(",")));
            }
        };
        list(
            "status",
            self.status
                .iter()
                .map(|s| s.label().to_lowercase())
                .collect(),
        );
        list(
            "ca",
            self.conditional_access
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
        );
        list("clientApp", self.client_app.clone());
        list("tokenIssuer", self.token_issuer_type.clone());
        pairs
    }

    /// Reads the URL form; unknown keys and values that do not parse are ignored, so an old or
    /// hand-edited link still opens.
    pub fn from_query_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> ReportFilter {
        let mut f = ReportFilter::default();
        let (mut start, mut end, mut custom) = (None, None, false);
        let parse_time = |v: &str| {
            DateTime::parse_from_rfc3339(v)
                .ok()
                .map(|t| t.with_timezone(&Utc).timestamp_micros())
        };
        let split = |v: &str| -> Vec<String> {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        for (key, value) in pairs {
            let owned = || Some(value.to_owned()).filter(|v| !v.trim().is_empty());
            match key {
                "date" => match value {
                    "24h" => f.date = DateFilter::Last24Hours,
                    "7d" => f.date = DateFilter::Last7Days,
                    "1m" => f.date = DateFilter::LastMonth,
                    "custom" => custom = true,
                    _ => {}
                },
                "start" => start = parse_time(value),
                "end" => end = parse_time(value),
                "requestId" => f.request_id = owned(),
                "correlationId" => f.correlation_id = owned(),
                "user" => f.user = owned(),
                "app" => f.application = owned(),
                "ip" => f.ip_address = owned(),
                "location" => f.location = owned(),
                "resource" => f.resource = owned(),
                "resourceId" => f.resource_id = owned(),
                "os" => f.operating_system = owned(),
                "browser" => f.browser = owned(),
                "status" => {
                    f.status = split(value)
                        .iter()
                        .filter_map(|s| Status::parse(s))
                        .collect()
                }
                "ca" => {
                    f.conditional_access = split(value)
                        .iter()
                        .map(|s| ConditionalAccessStatus::parse(s))
                        .collect()
                }
                "clientApp" => f.client_app = split(value),
                "tokenIssuer" => f.token_issuer_type = split(value),
                _ => {}
            }
        }
        if custom {
            f.date = DateFilter::Custom { start, end };
        }
        f
    }
}

/// The filter restricting a query to one report.
pub fn report_expr(event_type: EventType) -> Expr {
    Expr::eq_int(Field::EventType, i64::from(event_type.code()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-06-01T12:00:00Z")
            .expect("valid")
            .with_timezone(&Utc)
    }

    #[test]
    fn the_default_filter_is_the_last_24_hours_and_nothing_else() {
        let expr = ReportFilter::default().to_expr(now());
        let from = (now() - Duration::hours(24)).timestamp_micros();
        assert_eq!(
            expr,
            Expr::And(vec![Expr::Cmp(
                Field::CreatedDateTime,
                Op::Ge,
                Literal::Time(from)
            )])
        );
        assert!(ReportFilter::default().to_query_pairs().is_empty());
    }

    #[test]
    fn a_full_filter_survives_its_url_form() {
        let f = ReportFilter {
            date: DateFilter::Custom {
                start: Some(1_700_000_000_000_000),
                end: Some(1_700_086_400_000_000),
            },
            request_id: Some("r".into()),
            correlation_id: Some("c".into()),
            user: Some("adele".into()),
            application: Some("Azure Portal".into()),
            status: vec![Status::Failure, Status::Interrupted],
            ip_address: Some("10.".into()),
            location: Some("Tel Aviv".into()),
            resource: Some("Microsoft Graph".into()),
            resource_id: Some("00000003-0000-0000-c000-000000000000".into()),
            conditional_access: vec![ConditionalAccessStatus::NotApplied],
            client_app: vec!["Browser".into(), "IMAP4".into()],
            operating_system: Some("Windows".into()),
            browser: Some("Edge".into()),
            token_issuer_type: vec!["AzureAD".into()],
        };
        let pairs = f.to_query_pairs();
        let back = ReportFilter::from_query_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())));
        assert_eq!(back, f);
    }

    #[test]
    fn bad_url_values_are_ignored_not_fatal() {
        let f = ReportFilter::from_query_pairs([
            ("date", "yesterday"),
            ("status", "great,failure"),
            ("zzz", "1"),
        ]);
        assert_eq!(f.date, DateFilter::Last24Hours);
        assert_eq!(f.status, vec![Status::Failure]);
    }

    #[test]
    fn the_user_filter_matches_name_upn_or_id() {
        let f = ReportFilter {
            user: Some("adele".into()),
            ..Default::default()
        };
        let Expr::And(parts) = f.to_expr(now()) else {
            panic!("an And")
        };
        assert!(matches!(&parts[1], Expr::Or(alts) if alts.len() == 3));
    }

    #[test]
    fn validation_refuses_mismatched_values() {
        assert!(
            Expr::Cmp(Field::ErrorCode, Op::Eq, Literal::Text("x".into()))
                .validate()
                .is_err()
        );
        assert!(
            Expr::Cmp(Field::ErrorCode, Op::StartsWith, Literal::Integer(5))
                .validate()
                .is_err()
        );
        assert!(Expr::starts_with(Field::Browser, "Edge").validate().is_ok());
    }
}
