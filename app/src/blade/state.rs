//! The blade's state and its URL form: the tab, the filter (shared by every tab), the sort
//! order, the time aggregate, the open details and the time zone. Everything a user sets
//! lives in the URL, so reload, share, back and forward all work.

use crate::filter::ReportFilter;
use crate::grouping::TimeAggregate;
use crate::model::{ConditionalAccessStatus, EventType, Status};
use crate::sort::Sort;

/// The blade's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BladeState {
    /// The tab (the classic view always shows interactive sign-ins).
    pub tab: EventType,
    /// The filter, shared by every tab.
    pub filter: ReportFilter,
    /// The order of the interactive report.
    pub sort: Sort,
    /// How grouped reports split groups in time.
    pub aggregate: TimeAggregate,
    /// The Request ID whose details are open.
    pub details: Option<String>,
    /// Times in UTC instead of the browser's zone.
    pub utc: bool,
}

/// The URL name of a tab.
pub fn tab_key(tab: EventType) -> &'static str {
    match tab {
        EventType::Interactive => "interactive",
        EventType::NonInteractive => "noninteractive",
        EventType::ServicePrincipal => "serviceprincipal",
        EventType::ManagedIdentity => "managedidentity",
    }
}

/// The tabs, in the blade's order.
pub const TABS: [EventType; 4] = [
    EventType::Interactive,
    EventType::NonInteractive,
    EventType::ServicePrincipal,
    EventType::ManagedIdentity,
];

/// Percent-encodes a query value (everything but unreserved characters).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The filter's URL query without the `?` (empty for the default filter): what is remembered
/// per user and restored when the portal is opened without a query.
pub fn filter_query(filter: &ReportFilter) -> String {
    query_string(filter.to_query_pairs())
}

/// `k=v&k=v`, values percent-encoded.
fn query_string(pairs: Vec<(&str, String)>) -> String {
    pairs
        .into_iter()
        .map(|(k, v)| format!("{k}={}", encode(&v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl BladeState {
    /// Reads the URL's query pairs (already decoded). Unknown keys and bad values are ignored.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)> + Clone) -> Self {
        let mut state = BladeState {
            filter: ReportFilter::from_query_pairs(pairs.clone()),
            ..Default::default()
        };
        for (key, value) in pairs {
            match key {
                "tab" => {
                    if let Some(tab) = TABS.into_iter().find(|t| tab_key(*t) == value) {
                        state.tab = tab;
                    }
                }
                "sort" => {
                    if let Some(sort) = Sort::from_url(value) {
                        state.sort = sort;
                    }
                }
                "agg" => {
                    if let Some(agg) = TimeAggregate::from_url_value(value) {
                        state.aggregate = agg;
                    }
                }
                "details" if !value.trim().is_empty() => state.details = Some(value.to_owned()),
                "tz" => state.utc = value == "utc",
                _ => {}
            }
        }
        state
    }

    /// The URL query (with a leading `?`, or empty), only what differs from the defaults.
    pub fn to_query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if self.tab != EventType::Interactive {
            pairs.push(("tab", tab_key(self.tab).to_owned()));
        }
        pairs.extend(self.filter.to_query_pairs());
        if self.sort != Sort::default() {
            pairs.push(("sort", self.sort.to_url()));
        }
        if self.aggregate != TimeAggregate::Whole {
            pairs.push(("agg", self.aggregate.url_value().to_owned()));
        }
        if self.utc {
            pairs.push(("tz", "utc".to_owned()));
        }
        if let Some(id) = &self.details {
            pairs.push(("details", id.clone()));
        }
        if pairs.is_empty() {
            return String::new();
        }
        format!("?{}", query_string(pairs))
    }

    /// The same state on another tab (the filter is kept; details close).
    pub fn with_tab(&self, tab: EventType) -> BladeState {
        BladeState {
            tab,
            details: None,
            ..self.clone()
        }
    }
}

/// A filter the blade can add (SPEC §4.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FilterField {
    /// Request ID.
    RequestId,
    /// Correlation ID.
    CorrelationId,
    /// User.
    User,
    /// Application.
    Application,
    /// Status.
    Status,
    /// IP address.
    IpAddress,
    /// Location.
    Location,
    /// Resource.
    Resource,
    /// Resource ID.
    ResourceId,
    /// Conditional Access.
    ConditionalAccess,
    /// Client app.
    ClientApp,
    /// Operating system.
    OperatingSystem,
    /// Browser.
    Browser,
    /// Token issuer type.
    TokenIssuerType,
}

/// How a filter is edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterKind {
    /// A text box; `prefix` when it matches the start of the value.
    Text {
        /// Starts-with (else the whole value).
        prefix: bool,
    },
    /// Any of a fixed list.
    Multi,
}

/// The client apps Entra reports.
pub const CLIENT_APPS: &[&str] = &[
    "Browser",
    "Mobile Apps and Desktop clients",
    "Exchange ActiveSync",
    "Exchange Web Services",
    "IMAP4",
    "MAPI Over HTTP",
    "Offline Address Book",
    "Other clients",
    "Outlook Anywhere (RPC over HTTP)",
    "POP3",
    "Reporting Web Services",
    "Authenticated SMTP",
    "Exchange Online PowerShell",
    "AutoDiscover",
];

impl FilterField {
    /// Every filter, in the menu's order.
    pub const ALL: [FilterField; 14] = [
        FilterField::RequestId,
        FilterField::CorrelationId,
        FilterField::User,
        FilterField::Application,
        FilterField::Status,
        FilterField::IpAddress,
        FilterField::Location,
        FilterField::Resource,
        FilterField::ResourceId,
        FilterField::ConditionalAccess,
        FilterField::ClientApp,
        FilterField::OperatingSystem,
        FilterField::Browser,
        FilterField::TokenIssuerType,
    ];

    /// The name in the menu and on the chip.
    pub fn label(self) -> &'static str {
        match self {
            FilterField::RequestId => "Request ID",
            FilterField::CorrelationId => "Correlation ID",
            FilterField::User => "User",
            FilterField::Application => "Application",
            FilterField::Status => "Status",
            FilterField::IpAddress => "IP address",
            FilterField::Location => "Location",
            FilterField::Resource => "Resource",
            FilterField::ResourceId => "Resource ID",
            FilterField::ConditionalAccess => "Conditional Access",
            FilterField::ClientApp => "Client app",
            FilterField::OperatingSystem => "Operating system",
            FilterField::Browser => "Browser",
            FilterField::TokenIssuerType => "Token issuer type",
        }
    }

    /// How it is edited.
    pub fn kind(self) -> FilterKind {
        match self {
            FilterField::Status
            | FilterField::ConditionalAccess
            | FilterField::ClientApp
            | FilterField::TokenIssuerType => FilterKind::Multi,
            FilterField::RequestId | FilterField::CorrelationId | FilterField::ResourceId => {
                FilterKind::Text { prefix: false }
            }
            _ => FilterKind::Text { prefix: true },
        }
    }

    /// What the text box matches, for its label.
    pub fn hint(self) -> &'static str {
        match self {
            FilterField::User => "Starts with (name or user principal name), or the user ID",
            FilterField::Application => "Starts with (name), or the application ID",
            FilterField::Resource => "Starts with (name), or the resource ID",
            FilterField::Location => "Starts with (city, state or country code)",
            FilterField::RequestId | FilterField::CorrelationId | FilterField::ResourceId => {
                "Equals"
            }
            _ => "Starts with",
        }
    }

    /// The choices of a multi-select: `(value, label)`.
    pub fn options(self) -> Vec<(String, String)> {
        let same = |v: &str| (v.to_owned(), v.to_owned());
        match self {
            FilterField::Status => Status::ALL
                .iter()
                .map(|s| (s.label().to_lowercase(), s.label().to_owned()))
                .collect(),
            FilterField::ConditionalAccess => vec![
                ("success".into(), "Success".into()),
                ("failure".into(), "Failure".into()),
                ("notApplied".into(), "Not Applied".into()),
            ],
            FilterField::ClientApp => CLIENT_APPS.iter().map(|v| same(v)).collect(),
            FilterField::TokenIssuerType => [
                "AzureAD",
                "ADFederationServices",
                "AzureADBackupAuth",
                "ADFederationServicesMFAAdapter",
                "NPSExtension",
            ]
            .iter()
            .map(|v| same(v))
            .collect(),
            _ => Vec::new(),
        }
    }

    /// The text value (text filters).
    pub fn text(self, f: &ReportFilter) -> Option<String> {
        match self {
            FilterField::RequestId => f.request_id.clone(),
            FilterField::CorrelationId => f.correlation_id.clone(),
            FilterField::User => f.user.clone(),
            FilterField::Application => f.application.clone(),
            FilterField::IpAddress => f.ip_address.clone(),
            FilterField::Location => f.location.clone(),
            FilterField::Resource => f.resource.clone(),
            FilterField::ResourceId => f.resource_id.clone(),
            FilterField::OperatingSystem => f.operating_system.clone(),
            FilterField::Browser => f.browser.clone(),
            _ => None,
        }
    }

    /// The selected values (multi-selects), as option values.
    pub fn selected(self, f: &ReportFilter) -> Vec<String> {
        match self {
            FilterField::Status => f.status.iter().map(|s| s.label().to_lowercase()).collect(),
            FilterField::ConditionalAccess => f
                .conditional_access
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            FilterField::ClientApp => f.client_app.clone(),
            FilterField::TokenIssuerType => f.token_issuer_type.clone(),
            _ => Vec::new(),
        }
    }

    /// True when the filter is set.
    pub fn is_set(self, f: &ReportFilter) -> bool {
        match self.kind() {
            FilterKind::Text { .. } => self.text(f).is_some_and(|t| !t.trim().is_empty()),
            FilterKind::Multi => !self.selected(f).is_empty(),
        }
    }

    /// Sets a text filter (empty clears it).
    pub fn set_text(self, f: &mut ReportFilter, value: &str) {
        let v = Some(value.trim().to_owned()).filter(|v| !v.is_empty());
        match self {
            FilterField::RequestId => f.request_id = v,
            FilterField::CorrelationId => f.correlation_id = v,
            FilterField::User => f.user = v,
            FilterField::Application => f.application = v,
            FilterField::IpAddress => f.ip_address = v,
            FilterField::Location => f.location = v,
            FilterField::Resource => f.resource = v,
            FilterField::ResourceId => f.resource_id = v,
            FilterField::OperatingSystem => f.operating_system = v,
            FilterField::Browser => f.browser = v,
            _ => {}
        }
    }

    /// Sets a multi-select (empty clears it).
    pub fn set_selected(self, f: &mut ReportFilter, values: &[String]) {
        match self {
            FilterField::Status => {
                f.status = values.iter().filter_map(|v| Status::parse(v)).collect()
            }
            FilterField::ConditionalAccess => {
                f.conditional_access = values
                    .iter()
                    .map(|v| ConditionalAccessStatus::parse(v))
                    .collect()
            }
            FilterField::ClientApp => f.client_app = values.to_vec(),
            FilterField::TokenIssuerType => f.token_issuer_type = values.to_vec(),
            _ => {}
        }
    }

    /// Clears the filter.
    pub fn clear(self, f: &mut ReportFilter) {
        self.set_text(f, "");
        self.set_selected(f, &[]);
    }

    /// The chip's text: "User starts with adele", "Status: Failure, Interrupted".
    pub fn summary(self, f: &ReportFilter) -> String {
        match self.kind() {
            FilterKind::Text { prefix } => {
                let value = self.text(f).unwrap_or_default();
                if prefix {
                    format!("{} starts with {value}", self.label())
                } else {
                    format!("{}: {value}", self.label())
                }
            }
            FilterKind::Multi => {
                let options = self.options();
                let labels: Vec<String> = self
                    .selected(f)
                    .iter()
                    .map(|v| {
                        options
                            .iter()
                            .find(|(value, _)| value.eq_ignore_ascii_case(v))
                            .map_or_else(|| v.clone(), |(_, label)| label.clone())
                    })
                    .collect();
                format!("{}: {}", self.label(), labels.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::DateFilter;
    use crate::sort::SortField;

    fn decode_pairs(query: &str) -> Vec<(String, String)> {
        query
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                let mut bytes = Vec::new();
                let raw = v.as_bytes();
                let mut i = 0;
                while i < raw.len() {
                    if raw[i] == b'%' {
                        let hex = std::str::from_utf8(&raw[i + 1..i + 3]).expect("hex");
                        bytes.push(u8::from_str_radix(hex, 16).expect("hex"));
                        i += 3;
                    } else {
                        bytes.push(raw[i]);
                        i += 1;
                    }
                }
                (k.to_owned(), String::from_utf8(bytes).expect("utf-8"))
            })
            .collect()
    }

    #[test]
    fn the_default_state_has_an_empty_query() {
        assert_eq!(BladeState::default().to_query(), "");
        assert_eq!(BladeState::from_pairs([]), BladeState::default());
    }

    #[test]
    fn a_full_state_survives_its_url() {
        let mut state = BladeState {
            tab: EventType::ServicePrincipal,
            sort: Sort {
                field: SortField::User,
                descending: false,
            },
            aggregate: TimeAggregate::SixHours,
            details: Some("a b&c=d".into()),
            utc: true,
            ..Default::default()
        };
        state.filter.date = DateFilter::Last7Days;
        state.filter.user = Some("Adele Vance & co".into());
        state.filter.client_app = vec!["Outlook Anywhere (RPC over HTTP)".into()];
        let query = state.to_query();
        assert!(!query.contains(' '), "{query}");
        let pairs = decode_pairs(&query);
        let back = BladeState::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(back, state);
    }

    #[test]
    fn the_remembered_filter_is_the_filter_part_of_the_url() {
        let mut state = BladeState {
            tab: EventType::NonInteractive,
            details: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(filter_query(&state.filter), "");
        state.filter.status = vec![Status::Failure];
        state.filter.user = Some("a b".into());
        let q = filter_query(&state.filter);
        assert_eq!(q, "user=a%20b&status=failure");
        let pairs = decode_pairs(&q);
        let back =
            ReportFilter::from_query_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(back, state.filter);
        assert_eq!(
            ReportFilter::from_query_pairs([("date", "24h")]).date,
            DateFilter::Last24Hours
        );
    }

    #[test]
    fn every_filter_field_sets_reads_and_clears() {
        for field in FilterField::ALL {
            let mut f = ReportFilter::default();
            assert!(!field.is_set(&f));
            match field.kind() {
                FilterKind::Text { .. } => field.set_text(&mut f, "  abc "),
                FilterKind::Multi => {
                    let first = field.options()[0].0.clone();
                    field.set_selected(&mut f, &[first]);
                }
            }
            assert!(field.is_set(&f), "{field:?}");
            assert!(field.summary(&f).starts_with(field.label()));
            assert_ne!(f, ReportFilter::default());
            field.clear(&mut f);
            assert_eq!(f, ReportFilter::default(), "{field:?}");
        }
    }

    #[test]
    fn multi_select_summaries_use_labels() {
        let mut f = ReportFilter::default();
        FilterField::ConditionalAccess.set_selected(&mut f, &["notApplied".into()]);
        assert_eq!(
            FilterField::ConditionalAccess.summary(&f),
            "Conditional Access: Not Applied"
        );
    }
}
