//! The Graph-compatible reporting API (SPEC §7): `GET /{v1.0|beta}/auditLogs/signIns`, one
//! sign-in by ID, the beta summarized sign-ins, and the token endpoint that app registrations
//! get access tokens from.
//!
//! A caller is an app with a bearer token from [`apps::token`], or a signed-in portal user
//! with their session; either way every read goes through the same [`Scope`] as the portal,
//! so an end user gets only their own sign-ins. Errors use Graph's envelope and codes.

pub mod apps;
pub mod odata;
pub mod signing;

use crate::auth::limiter::{Limiter, Rate};
use crate::error::ApiError;
use crate::state::AppState;
use app::api::access::{Principal, Scope};
use app::filter::{report_expr, Expr};
use app::grouping::TimeAggregate;
use app::model::EventType;
use app::sort::{Sort, SortField};
use app::store::{
    AppRegistration, Cursor, GroupCursor, GroupQuery, GroupRow, ListQuery, Store, Tenant,
};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use odata::{Target, Version};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use signing::Key;
use std::fmt::Write as _;

/// The permission that lets an app read sign-ins.
pub const AUDIT_LOG_READ_ALL: &str = "AuditLog.Read.All";
/// Signbook's own permission that lets an app push sign-ins (`POST /api/v1/ingest`); never
/// granted unless asked for.
pub const SIGNINS_INGEST: &str = "Signbook.SignIns.Ingest";

/// The API's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiConfig {
    /// Requests per caller and tenant (`None`: unlimited).
    pub rate: Option<Rate>,
    /// How long an access token lives (seconds).
    pub token_lifetime: i64,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            rate: Some(Rate {
                max: 50,
                window: 10_000_000,
            }),
            token_lifetime: 3599,
        }
    }
}

/// Reads `SIGNBOOK_API_RATE`: `N/Ws` (also `m`, `h`), or `off`.
pub fn parse_rate(text: &str) -> Result<Option<Rate>, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let bad = || format!("{text:?} is not a rate: write N/10s, N/1m, N/1h or off");
    let (max, window) = text.split_once('/').ok_or_else(bad)?;
    let max: usize = max.trim().parse().map_err(|_| bad())?;
    let window = window.trim();
    let (number, unit) = window.split_at(
        window
            .find(|c: char| c.is_ascii_alphabetic())
            .ok_or_else(bad)?,
    );
    let number: i64 = if number.is_empty() {
        1
    } else {
        number.parse().map_err(|_| bad())?
    };
    let unit_micros = match unit {
        "s" => 1_000_000,
        "m" => 60_000_000,
        "h" => 3_600_000_000,
        _ => return Err(bad()),
    };
    if max == 0 || number <= 0 {
        return Err(bad());
    }
    Ok(Some(Rate {
        max,
        window: number * unit_micros,
    }))
}

/// What the API keeps at run time: its signing keys and rate counters.
pub struct Api {
    /// Configuration.
    pub config: ApiConfig,
    /// Signs access tokens.
    pub token_key: Key,
    /// Signs `$skiptoken`s.
    pub paging_key: Key,
    limiter: Option<Limiter>,
    /// Token requests per client IP (bounds the sign-in records a flood can write).
    pub token_limiter: Limiter,
    /// Failed token requests recorded per tenant (beyond it they are answered, not recorded).
    pub token_failure_records: Limiter,
    /// Downloads in progress.
    pub downloads: std::sync::Arc<app::api::download::Registry>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").field("config", &self.config).finish()
    }
}

impl Api {
    /// Loads (or makes, on a new database) the signing keys.
    pub async fn load(store: &dyn Store, config: ApiConfig) -> anyhow::Result<Api> {
        let token = store
            .server_key("access-token-hs256", &Key::new_hex())
            .await?;
        let paging = store.server_key("skiptoken-hs256", &Key::new_hex()).await?;
        Ok(Api {
            config,
            token_key: Key::from_hex(&token)?,
            paging_key: Key::from_hex(&paging)?,
            limiter: config.rate.map(Limiter::new),
            token_limiter: Limiter::new(Rate {
                max: 60,
                window: 60_000_000,
            }),
            token_failure_records: Limiter::new(Rate {
                max: 300,
                window: 60_000_000,
            }),
            downloads: std::sync::Arc::default(),
        })
    }

    /// Counts a request of `caller` or refuses it with 429.
    fn admit(&self, caller: &str, now: i64) -> Result<(), ApiError> {
        match &self.limiter {
            Some(limiter) => limiter.attempt(caller, now).map_err(|refused| {
                ApiError::too_many_requests(
                    ((refused.retry_after + 999_999) / 1_000_000).max(1) as u64
                )
            }),
            None => Ok(()),
        }
    }
}

/// The routes of the API.
pub fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for version in ["v1.0", "beta"] {
        for name in ["signIns", "signins"] {
            router = router
                .route(&format!("/{version}/auditLogs/{name}"), get(list))
                .route(&format!("/{version}/auditLogs/{name}/{{id}}"), get(one));
        }
    }
    router
        .route("/beta/auditLogs/{function}", get(summarized))
        .route("/v1.0/auditLogs/{function}", get(v1_function))
        .route("/{tenant}/oauth2/v2.0/token", post(apps::token))
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(apps::openid_configuration),
        )
        .route("/api/download", get(crate::download::download))
}

/// Who is calling.
enum Caller {
    /// An app with an access token.
    App(AppRegistration, Tenant),
    /// A signed-in portal user.
    User(Principal),
}

impl Caller {
    fn rate_key(&self) -> String {
        match self {
            Caller::App(app, tenant) => format!("app:{}:{}", app.client_id, tenant.id),
            Caller::User(p) => format!("user:{}:{}", p.user.id, p.tenant.id),
        }
    }

    fn scope(self, now: i64) -> Result<Scope, ApiError> {
        let scope = match self {
            Caller::App(_, tenant) => Scope::of_app(tenant, now),
            Caller::User(p) => Scope::of(p, now),
        };
        scope.map_err(|_| licence_error())
    }
}

/// Graph's answer to a tenant without a premium licence.
pub fn licence_error() -> ApiError {
    ApiError::forbidden(
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        "Neither tenant is B2C or tenant doesn't have premium license",
    )
}

/// The bearer token of a request, if it sends one.
pub fn bearer(headers: &HeaderMap) -> Option<Result<&str, ApiError>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let text = value.to_str().unwrap_or_default();
    Some(match text.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(ApiError::unauthorized(
            "The Authorization header must be 'Bearer <access token>'.",
        )),
    })
}

/// The app and tenant of a valid access token (401 when it is not one; 403 when the app lacks
/// `permission`).
pub async fn app_of_token(
    state: &AppState,
    token: &str,
    permission: Option<&str>,
) -> Result<(AppRegistration, Tenant), ApiError> {
    let now = state.auth.clock.now() / 1_000_000;
    let claims = signing::verify_jwt(&state.api.token_key, token, now).map_err(|problem| {
        ApiError::unauthorized(match problem {
            signing::TokenProblem::Expired => "Lifetime validation failed, the token is expired.",
            signing::TokenProblem::Invalid => "Access token validation failure. Invalid audience.",
        })
    })?;
    // The registration must still exist and be enabled: deleting or disabling an app ends
    // its tokens at once.
    let app = state
        .store
        .find_app(&claims.appid)
        .await?
        .filter(|a| {
            !a.disabled
                && a.tenant_id == claims.tid
                && signing::secret_stamp(&a.secret_hash) == claims.sec
        })
        .ok_or_else(|| {
            ApiError::unauthorized("The application of this token is disabled or deleted.")
        })?;
    let tenant = state
        .store
        .find_tenant(&claims.tid)
        .await?
        .ok_or_else(|| ApiError::unauthorized("The tenant of this token no longer exists."))?;
    if let Some(permission) = permission {
        if !app.permissions.iter().any(|p| p == permission) {
            return Err(ApiError::forbidden(
                "Authorization_RequestDenied",
                if permission == AUDIT_LOG_READ_ALL {
                    "Application missing Microsoft Entra ID 'Read directory data' or 'Read all audit log data' permission".to_owned()
                } else {
                    format!("The application lacks the {permission} permission.")
                },
            ));
        }
    }
    Ok((app, tenant))
}

async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    principal: Option<Principal>,
) -> Result<Caller, ApiError> {
    if let Some(token) = bearer(headers) {
        let (app, tenant) = app_of_token(state, token?, Some(AUDIT_LOG_READ_ALL)).await?;
        return Ok(Caller::App(app, tenant));
    }
    match principal {
        Some(p) if !p.user.must_change_password => Ok(Caller::User(p)),
        _ => Err(ApiError::unauthorized("Access token is empty.")),
    }
}

/// Authenticates, scopes and rate-limits a request.
async fn scope_of(
    state: &AppState,
    headers: &HeaderMap,
    principal: Option<Extension<Principal>>,
) -> Result<Scope, ApiError> {
    let caller = caller(state, headers, principal.map(|Extension(p)| p)).await?;
    let now = state.auth.clock.now();
    state.api.admit(&caller.rate_key(), now)?;
    caller.scope(now)
}

/// `scheme://host` of the request, for links.
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    let https = crate::auth::middleware::is_https(headers, state.auth.config.trust_proxy);
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// The query options of a request, by name without `$` (Graph takes both forms).
#[derive(Debug, Default)]
struct Options {
    filter: Option<String>,
    top: Option<String>,
    orderby: Option<String>,
    select: Option<String>,
    count: Option<String>,
    skiptoken: Option<String>,
}

fn options(raw: Option<&str>) -> Result<Options, ApiError> {
    let mut out = Options::default();
    for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let bare = name.strip_prefix('$').unwrap_or(&name).to_ascii_lowercase();
        let slot = match bare.as_str() {
            "filter" => &mut out.filter,
            "top" => &mut out.top,
            "orderby" => &mut out.orderby,
            "select" => &mut out.select,
            "count" => &mut out.count,
            "skiptoken" => &mut out.skiptoken,
            _ if name.starts_with('$') => {
                return Err(ApiError::bad_request(format!(
                    "Query option '{name}' is not supported."
                )))
            }
            // Other parameters are not OData options; Graph ignores them too.
            _ => continue,
        };
        if slot.is_some() {
            return Err(ApiError::bad_request(format!(
                "Query option '${bare}' was given more than once."
            )));
        }
        *slot = Some(value.into_owned());
    }
    Ok(out)
}

fn bad(e: odata::QueryError) -> ApiError {
    ApiError::bad_request(e.0)
}

fn parse_count(text: Option<&str>) -> Result<bool, ApiError> {
    match text.map(str::trim) {
        None => Ok(false),
        Some(t) if t.eq_ignore_ascii_case("true") => Ok(true),
        Some(t) if t.eq_ignore_ascii_case("false") => Ok(false),
        Some(t) => Err(ApiError::bad_request(format!(
            "'{t}' is not a valid value for $count; use true or false."
        ))),
    }
}

/// What a `$skiptoken` carries: where the next page starts, and which query it belongs to.
#[derive(Debug, Serialize, Deserialize)]
struct SkipToken<C> {
    /// A digest of the query and the caller.
    q: String,
    /// Where the next page starts.
    c: C,
}

/// The digest a skip token is bound to: the same options, caller and tenant.
fn query_digest(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hex::encode(&hash.finalize()[..12])
}

fn open_skiptoken<C: serde::de::DeserializeOwned>(
    key: &Key,
    text: Option<&str>,
    digest: &str,
) -> Result<Option<C>, ApiError> {
    let Some(text) = text else {
        return Ok(None);
    };
    let token: SkipToken<C> = key
        .open(text.trim())
        .ok_or_else(|| ApiError::bad_request("The $skiptoken is not valid."))?;
    if token.q != digest {
        return Err(ApiError::bad_request(
            "The $skiptoken belongs to another query: keep $filter, $top, $orderby and $select as they were.",
        ));
    }
    Ok(Some(token.c))
}

/// A next link: the same options with a new skip token.
fn next_link(base: &str, path: &str, options: &Options, token: &str) -> String {
    let mut pairs = Vec::new();
    for (name, value) in [
        ("$filter", &options.filter),
        ("$top", &options.top),
        ("$orderby", &options.orderby),
        ("$select", &options.select),
        ("$count", &options.count),
    ] {
        if let Some(v) = value {
            pairs.push(format!("{name}={}", percent(v)));
        }
    }
    pairs.push(format!("$skiptoken={}", percent(token)));
    format!("{base}{path}?{}", pairs.join("&"))
}

/// Percent-encodes a query value as Graph's links do (`%20` for a space, never `+`).
fn percent(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

fn json_response(body: String) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; odata.metadata=minimal; charset=utf-8"),
    );
    // Answers depend on the caller: no shared cache may keep them.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A stored record as the version shows it, limited to `$select`.
fn project(json: &str, version: Version, select: Option<&[String]>) -> Result<String, ApiError> {
    if version == Version::Beta && select.is_none() {
        return Ok(json.to_owned());
    }
    let mut record: Map<String, Value> =
        serde_json::from_str(json).map_err(|e| ApiError::internal(&e))?;
    let keep: Vec<&str> = match select {
        Some(names) => {
            let mut names: Vec<&str> = names.iter().map(String::as_str).collect();
            if !names.contains(&"id") {
                names.insert(0, "id");
            }
            names
        }
        None => odata::V1_PROPERTIES.to_vec(),
    };
    let mut out = Map::new();
    for name in keep {
        let value = record.remove(name).unwrap_or(Value::Null);
        out.insert(name.to_owned(), value);
    }
    serde_json::to_string(&out).map_err(|e| ApiError::internal(&e))
}

fn context(base: &str, version: Version, entity: &str, select: Option<&[String]>) -> String {
    let mut out = format!("{base}/{}/$metadata#{entity}", version.as_str());
    if let Some(names) = select {
        let _ = write!(out, "({})", names.join(","));
    }
    out
}

fn version_of(path: &str) -> Version {
    if path.starts_with("/beta/") {
        Version::Beta
    } else {
        Version::V1
    }
}

/// `GET /{v1.0|beta}/auditLogs/signIns`.
async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    principal: Option<Extension<Principal>>,
    uri: axum::http::Uri,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let version = version_of(uri.path());
    let scope = scope_of(&state, &headers, principal).await?;
    let options = options(raw.as_deref())?;
    let top = odata::parse_top(options.top.as_deref()).map_err(bad)?;
    let descending = odata::parse_orderby(options.orderby.as_deref()).map_err(bad)?;
    let select = odata::parse_select(options.select.as_deref(), version).map_err(bad)?;
    let with_count = parse_count(options.count.as_deref())?;
    let mut filter = match options.filter.as_deref() {
        Some(text) => odata::parse_filter(text, version, Target::SignIn).map_err(bad)?,
        None => odata::Filter {
            expr: Expr::True,
            names_event_types: false,
        },
    };
    // v1.0, and beta without a word on event types, list interactive sign-ins only.
    if version == Version::V1 || !filter.names_event_types {
        filter.expr = report_expr(EventType::Interactive).and(filter.expr);
    }
    let expr = scope.limit(None, filter.expr);
    let digest = query_digest(&[
        version.as_str(),
        options.filter.as_deref().unwrap_or_default(),
        &top.to_string(),
        &descending.to_string(),
        options.select.as_deref().unwrap_or_default(),
        scope.tenant_id(),
        &format!("{:?}", scope.own),
    ]);
    let cursor: Option<Cursor> =
        open_skiptoken(&state.api.paging_key, options.skiptoken.as_deref(), &digest)?;
    let query = ListQuery {
        filter: expr.clone(),
        sort: Sort {
            field: SortField::Date,
            descending,
        },
        limit: top,
        cursor,
        ..ListQuery::default()
    };
    let page = state.store.list_signins(scope.tenant_id(), &query).await?;
    let count = match with_count {
        true => Some(state.store.count_signins(scope.tenant_id(), &expr).await?),
        false => None,
    };
    let base = base_url(&state, &headers);
    let mut body = String::with_capacity(page.items.len() * 2048 + 256);
    body.push_str("{\"@odata.context\":");
    body.push_str(&json_string(&context(
        &base,
        version,
        "auditLogs/signIns",
        select.as_deref(),
    )));
    if let Some(count) = count {
        let _ = write!(body, ",\"@odata.count\":{count}");
    }
    if let Some(next) = page.next {
        let token = state.api.paging_key.seal(&SkipToken { q: digest, c: next });
        let link = next_link(&base, uri.path(), &options, &token);
        body.push_str(",\"@odata.nextLink\":");
        body.push_str(&json_string(&link));
    }
    body.push_str(",\"value\":[");
    for (n, item) in page.items.iter().enumerate() {
        if n > 0 {
            body.push(',');
        }
        body.push_str(&project(&item.json, version, select.as_deref())?);
    }
    body.push_str("]}");
    Ok(json_response(body))
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// `GET /{v1.0|beta}/auditLogs/signIns/{id}`.
async fn one(
    State(state): State<AppState>,
    headers: HeaderMap,
    principal: Option<Extension<Principal>>,
    uri: axum::http::Uri,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let version = version_of(uri.path());
    let scope = scope_of(&state, &headers, principal).await?;
    let options = options(raw.as_deref())?;
    if options.filter.is_some() || options.top.is_some() || options.skiptoken.is_some() {
        return Err(ApiError::bad_request(
            "Only $select applies to a single sign-in.",
        ));
    }
    let select = odata::parse_select(options.select.as_deref(), version).map_err(bad)?;
    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
        )
    };
    let stored = state
        .store
        .find_signin(scope.tenant_id(), id.trim())
        .await?
        .ok_or_else(not_found)?;
    let record: app::model::SignIn =
        serde_json::from_str(&stored.json).map_err(|e| ApiError::internal(&e))?;
    // v1.0 knows interactive sign-ins only, as its list does.
    if !scope.admits(&record)
        || (version == Version::V1 && record.event_type() != EventType::Interactive)
    {
        return Err(not_found());
    }
    let projected = project(&stored.json, version, select.as_deref())?;
    let base = base_url(&state, &headers);
    let context = json_string(&format!(
        "{}/$entity",
        context(&base, version, "auditLogs/signIns", select.as_deref())
    ));
    // `{"@odata.context": …, <the record's own properties>}`.
    let body = match projected.strip_prefix('{') {
        Some(rest) if rest.trim_start().starts_with('}') => {
            format!("{{\"@odata.context\":{context}}}")
        }
        Some(rest) => format!("{{\"@odata.context\":{context},{rest}"),
        None => return Err(ApiError::internal(&"a stored record is not a JSON object")),
    };
    Ok(json_response(body))
}

/// `GET /v1.0/auditLogs/{function}`: the summarized functions are beta only.
async fn v1_function(Path(function): Path<String>) -> ApiError {
    ApiError::bad_request(format!(
        "Resource not found for the segment '{function}' in v1.0; the summarized sign-ins are in beta."
    ))
}

/// The report and window of a summarized function segment,
/// `getSummarizedNonInteractiveSignIns(aggregationWindow='h1')`.
fn parse_function(segment: &str) -> Result<(EventType, TimeAggregate), ApiError> {
    let unknown =
        || ApiError::bad_request(format!("Resource not found for the segment '{segment}'."));
    let (name, rest) = segment.split_once('(').ok_or_else(unknown)?;
    let report = match name.to_ascii_lowercase().as_str() {
        "getsummarizednoninteractivesignins" => EventType::NonInteractive,
        "getsummarizedserviceprincipalsignins" => EventType::ServicePrincipal,
        "getsummarizedmsisignins" => EventType::ManagedIdentity,
        _ => return Err(unknown()),
    };
    let args = rest.strip_suffix(')').ok_or_else(unknown)?;
    let (param, value) = args.split_once('=').ok_or_else(|| {
        ApiError::bad_request(format!(
            "{name} needs aggregationWindow: {name}(aggregationWindow='h1'|'h6'|'d1')."
        ))
    })?;
    if !param.trim().eq_ignore_ascii_case("aggregationWindow") {
        return Err(ApiError::bad_request(format!(
            "'{}' is not a parameter of {name}; it takes aggregationWindow.",
            param.trim()
        )));
    }
    let window = value.trim().trim_matches('\'');
    let aggregate = TimeAggregate::from_graph_window(window).ok_or_else(|| {
        ApiError::bad_request(format!(
            "'{window}' is not an aggregationWindow; use h1, h6 or d1."
        ))
    })?;
    Ok((report, aggregate))
}

/// A summarized sign-in's ID: stable for a group and window.
fn summary_id(tenant: &str, report: EventType, row: &GroupRow) -> String {
    let digest = Sha256::digest(format!(
        "{tenant}|{}|{}|{}",
        report.code(),
        row.key,
        row.bucket
    ));
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

fn time_text(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A `summarizedSignIn` of a group: its count and times, with the values of its latest
/// sign-in (the group's key values are the same on every member).
fn summary(tenant: &str, report: EventType, row: &GroupRow) -> Result<Value, ApiError> {
    let latest: Map<String, Value> =
        serde_json::from_str(&row.latest.json).map_err(|e| ApiError::internal(&e))?;
    let take = |name: &str| latest.get(name).cloned().unwrap_or(Value::Null);
    let aggregation = if row.bucket != 0 {
        row.bucket
    } else {
        row.first_at
    };
    Ok(serde_json::json!({
        "id": summary_id(tenant, report, row),
        "signInCount": row.count,
        "aggregationDateTime": time_text(aggregation),
        "firstSignInDateTime": time_text(row.first_at),
        "userPrincipalName": take("userPrincipalName"),
        "appId": take("appId"),
        "appDisplayName": take("appDisplayName"),
        "ipAddress": take("ipAddress"),
        "conditionalAccessStatus": take("conditionalAccessStatus"),
        "resourceDisplayName": take("resourceDisplayName"),
        "resourceId": take("resourceId"),
        "tenantId": tenant,
        "servicePrincipalName": take("servicePrincipalName"),
        "servicePrincipalId": take("servicePrincipalId"),
        "status": take("status"),
        "managedServiceIdentity": take("managedServiceIdentity"),
        "agent": take("agent"),
    }))
}

/// `GET /beta/auditLogs/getSummarized…SignIns(aggregationWindow='…')`.
async fn summarized(
    State(state): State<AppState>,
    headers: HeaderMap,
    principal: Option<Extension<Principal>>,
    uri: axum::http::Uri,
    Path(function): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let (report, aggregate) = parse_function(&function)?;
    let scope = scope_of(&state, &headers, principal).await?;
    let options = options(raw.as_deref())?;
    if options.orderby.is_some() || options.select.is_some() {
        return Err(ApiError::bad_request(
            "The summarized sign-ins take $filter, $top and $count only.",
        ));
    }
    let top = odata::parse_top(options.top.as_deref()).map_err(bad)?;
    let with_count = parse_count(options.count.as_deref())?;
    let expr = match options.filter.as_deref() {
        Some(text) => {
            odata::parse_filter(text, Version::Beta, Target::Summarized)
                .map_err(bad)?
                .expr
        }
        None => Expr::True,
    };
    let filter = scope.limit(Some(report), expr);
    let digest = query_digest(&[
        &function,
        options.filter.as_deref().unwrap_or_default(),
        &top.to_string(),
        scope.tenant_id(),
        &format!("{:?}", scope.own),
    ]);
    let cursor: Option<GroupCursor> =
        open_skiptoken(&state.api.paging_key, options.skiptoken.as_deref(), &digest)?;
    let query = GroupQuery {
        event_type: report,
        filter: filter.clone(),
        aggregate,
        limit: top,
        cursor,
        offset: 0,
        snapshot: None,
        with_total: false,
    };
    let page = state.store.list_groups(scope.tenant_id(), &query).await?;
    let mut body = Map::new();
    let base = base_url(&state, &headers);
    body.insert(
        "@odata.context".into(),
        Value::String(format!(
            "{base}/beta/$metadata#Collection(microsoft.graph.summarizedSignIn)"
        )),
    );
    if with_count {
        let count = state
            .store
            .count_groups(scope.tenant_id(), report, &filter, aggregate)
            .await?;
        body.insert("@odata.count".into(), Value::from(count));
    }
    if let Some(next) = page.next {
        let token = state.api.paging_key.seal(&SkipToken { q: digest, c: next });
        body.insert(
            "@odata.nextLink".into(),
            Value::String(next_link(&base, uri.path(), &options, &token)),
        );
    }
    let items = page
        .items
        .iter()
        .map(|row| summary(scope.tenant_id(), report, row))
        .collect::<Result<Vec<_>, _>>()?;
    body.insert("value".into(), Value::Array(items));
    Ok(json_response(Value::Object(body).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_as_documented() {
        assert_eq!(
            parse_rate("5/10s"),
            Ok(Some(Rate {
                max: 5,
                window: 10_000_000
            }))
        );
        assert_eq!(
            parse_rate("100/1m"),
            Ok(Some(Rate {
                max: 100,
                window: 60_000_000
            }))
        );
        assert_eq!(parse_rate("off"), Ok(None));
        for bad in ["", "5", "5/", "x/10s", "0/10s", "5/10d", "5/0s"] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn function_segments_name_a_report_and_a_window() {
        assert_eq!(
            parse_function("getSummarizedNonInteractiveSignIns(aggregationWindow='h1')").ok(),
            Some((
                EventType::NonInteractive,
                TimeAggregate::from_graph_window("h1").expect("h1")
            ))
        );
        assert!(parse_function("getSummarizedMSISignIns(aggregationWindow='d1')").is_ok());
        assert!(
            parse_function("getSummarizedServicePrincipalSignIns(aggregationWindow='h6')").is_ok()
        );
        for bad in [
            "getSummarizedNonInteractiveSignIns",
            "getSummarizedNonInteractiveSignIns(aggregationWindow='w1')",
            "getSummarizedNonInteractiveSignIns(window='h1')",
            "directoryAudits",
        ] {
            assert!(parse_function(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn options_take_both_forms_and_refuse_unknown_and_repeated_ones() {
        let o = options(Some("%24filter=appId%20eq%20%27a%27&top=5&x=1")).expect("options");
        assert_eq!(o.filter.as_deref(), Some("appId eq 'a'"));
        assert_eq!(o.top.as_deref(), Some("5"));
        assert!(options(Some("$expand=x")).is_err());
        assert!(options(Some("$top=1&$top=2")).is_err());
    }

    #[test]
    fn v1_shows_v1_properties_and_select_limits_them() {
        let json = r#"{"id":"a","createdDateTime":"2024-01-01T00:00:00Z","signInEventTypes":["interactiveUser"],"userId":"u"}"#;
        let v1: Map<String, Value> =
            serde_json::from_str(&project(json, Version::V1, None).expect("v1")).expect("json");
        assert!(!v1.contains_key("signInEventTypes"));
        assert_eq!(v1["userId"], "u");
        assert!(
            v1.contains_key("riskState"),
            "every v1.0 property is present"
        );
        assert_eq!(project(json, Version::Beta, None).expect("beta"), json);
        let select = vec!["userId".to_owned()];
        assert_eq!(
            project(json, Version::Beta, Some(&select)).expect("select"),
            r#"{"id":"a","userId":"u"}"#
        );
    }
}
