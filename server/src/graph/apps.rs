//! App registrations (service principals with a client secret) and the token endpoint,
//! `POST /{tenant}/oauth2/v2.0/token` with the client credentials grant. Every token request
//! is recorded as a service principal sign-in of the tenant, with the code Entra gives:
//! 0, 7000215 (invalid secret), 700016 (unknown app), 7000112 (disabled app).

use super::signing::{jwt, Claims};
use crate::auth::record::Client;
use crate::keys::hash_key;
use crate::state::AppState;
use app::model::SignIn;
use app::store::{AppRegistration, NewSignIn, Store, StoreError, Tenant};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use rand::RngCore;
use serde_json::json;

/// Microsoft Graph's application ID: the resource of every token.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// A new client secret: 40 characters from Entra's alphabet (letters, digits, `~._-`).
pub fn new_secret() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-";
    let mut bytes = [0_u8; 40];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// Registers an app in a tenant with `permissions` ([`AUDIT_LOG_READ_ALL`],
/// [`super::SIGNINS_INGEST`]); returns it and its secret, which is shown once and never
/// stored.
pub async fn register(
    store: &dyn Store,
    tenant: &Tenant,
    name: &str,
    permissions: &[&str],
    now: i64,
) -> anyhow::Result<(AppRegistration, String)> {
    let name = name.trim();
    anyhow::ensure!(
        !name.is_empty() && name.chars().count() <= 120,
        "an app's name is 1 to 120 characters"
    );
    anyhow::ensure!(
        !name.chars().any(char::is_control),
        "an app's name has no control characters"
    );
    let secret = new_secret();
    let app = AppRegistration {
        client_id: uuid::Uuid::new_v4().to_string(),
        object_id: uuid::Uuid::new_v4().to_string(),
        tenant_id: tenant.id.clone(),
        display_name: name.to_owned(),
        secret_hash: hash_key(&secret),
        secret_hint: secret.chars().take(3).collect(),
        permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
        disabled: false,
        created_at: now,
    };
    store.insert_app(&app).await?;
    Ok((app, secret))
}

/// Gives an app a new secret (the old one stops working); returns the new one.
pub async fn new_app_secret(store: &dyn Store, client_id: &str) -> Result<String, StoreError> {
    let secret = new_secret();
    let hint: String = secret.chars().take(3).collect();
    store
        .set_app_secret(client_id, &hash_key(&secret), &hint)
        .await?;
    Ok(secret)
}

/// How a token request ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenOutcome {
    /// A token was issued (0).
    Issued,
    /// Wrong secret (7000215).
    InvalidSecret,
    /// No such app in the tenant (700016).
    UnknownApp,
    /// The app is disabled (7000112).
    Disabled,
}

impl TokenOutcome {
    /// The AADSTS code.
    pub fn code(self) -> i64 {
        match self {
            TokenOutcome::Issued => 0,
            TokenOutcome::InvalidSecret => 7_000_215,
            TokenOutcome::UnknownApp => 700_016,
            TokenOutcome::Disabled => 7_000_112,
        }
    }

    fn reason(self) -> Option<&'static str> {
        match self {
            TokenOutcome::Issued => None,
            TokenOutcome::InvalidSecret => Some("Invalid client secret is provided."),
            TokenOutcome::UnknownApp => Some(
                "Application with identifier was not found in the directory. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.",
            ),
            TokenOutcome::Disabled => Some("Application is disabled."),
        }
    }
}

/// A service principal sign-in record of a token request.
pub fn signin_record(
    tenant: &Tenant,
    app_id: &str,
    app: Option<&AppRegistration>,
    outcome: TokenOutcome,
    client: &Client,
    at: DateTime<Utc>,
) -> NewSignIn {
    let time = at.to_rfc3339_opts(SecondsFormat::Micros, true);
    let mut status = json!({ "errorCode": outcome.code() });
    if let Some(reason) = outcome.reason() {
        status["failureReason"] = json!(reason);
    }
    let name = app.map(|a| a.display_name.as_str()).unwrap_or_default();
    let record = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "createdDateTime": time,
        "appId": app_id,
        "appDisplayName": name,
        "servicePrincipalId": app.map(|a| a.object_id.as_str()).unwrap_or("00000000-0000-0000-0000-000000000000"),
        "servicePrincipalName": name,
        "servicePrincipalCredentialKeyId": app.map(|a| a.secret_hint.as_str()).unwrap_or_default(),
        "clientCredentialType": "clientSecret",
        "ipAddress": client.ip,
        "userAgent": client.user_agent,
        "correlationId": uuid::Uuid::new_v4().to_string(),
        "conditionalAccessStatus": "notApplied",
        "isInteractive": false,
        "signInEventTypes": ["servicePrincipal"],
        "resourceDisplayName": "Microsoft Graph",
        "resourceId": super::apps::GRAPH_APP_ID,
        "resourceTenantId": tenant.id,
        "appOwnerTenantId": tenant.id,
        "tokenIssuerType": "AzureAD",
        "authenticationProtocol": "none",
        "status": status,
        "location": {"city": null, "state": null, "countryOrRegion": null, "geoCoordinates": null}
    });
    let text = record.to_string();
    // Built here from known values: it always parses.
    let parsed: SignIn = serde_json::from_str(&text).unwrap_or_else(|_| SignIn::default());
    NewSignIn::new(&parsed, &text)
}

/// Entra's error body for the token endpoint.
fn oauth_error(status: StatusCode, error: &str, code: i64, description: &str) -> Response {
    let trace = uuid::Uuid::new_v4().to_string();
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {description} Trace ID: {trace}"),
        "error_codes": [code],
        "timestamp": Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string(),
        "trace_id": trace,
        "correlation_id": uuid::Uuid::new_v4().to_string(),
    });
    (status, Json(body)).into_response()
}

/// Client ID and secret from the form, or from HTTP Basic authentication.
fn credentials(
    headers: &HeaderMap,
    form: &std::collections::HashMap<String, String>,
) -> (Option<String>, Option<String>) {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            let decode = |s: &str| {
                form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            Some((decode(id), decode(secret)))
        });
    match basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (
            form.get("client_id").cloned(),
            form.get("client_secret").cloned(),
        ),
    }
}

/// The tenant of a token route, by ID or name, or Entra's answer for an unknown one.
async fn tenant_of(state: &AppState, tenant_ref: &str) -> Result<Tenant, Box<Response>> {
    match state.store.find_tenant(tenant_ref.trim()).await {
        Ok(Some(t)) => Ok(t),
        Ok(None) => Err(Box::new(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_tenant",
            90002,
            &format!(
                "Tenant '{}' not found.",
                tenant_ref.chars().take(64).collect::<String>()
            ),
        ))),
        Err(e) => Err(Box::new(crate::error::ApiError::from(e).into_response())),
    }
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`: what MSAL reads before asking for
/// a token. MSAL accepts only https endpoints, so they are given as https on the request's
/// host: clients reach Signbook over TLS (a proxy), or — as the SDK test does over plain HTTP
/// on localhost — map https back to http in their transport (docs/API.md).
pub async fn openid_configuration(
    State(state): State<AppState>,
    Path(tenant_ref): Path<String>,
    headers: HeaderMap,
) -> Response {
    let tenant = match tenant_of(&state, &tenant_ref).await {
        Ok(t) => t,
        Err(response) => return *response,
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let base = format!("https://{host}/{}", tenant.id);
    Json(json!({
        "issuer": format!("{base}/v2.0"),
        "token_endpoint": format!("{base}/oauth2/v2.0/token"),
        "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "grant_types_supported": ["client_credentials"],
        "response_types_supported": ["token"],
        "tenant_region_scope": null,
    }))
    .into_response()
}

/// `POST /{tenant}/oauth2/v2.0/token`.
pub async fn token(
    State(state): State<AppState>,
    Path(tenant_ref): Path<String>,
    headers: HeaderMap,
    Extension(client): Extension<Client>,
    body: axum::body::Bytes,
) -> Response {
    let form: std::collections::HashMap<String, String> = form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let now = state.auth.clock.now();
    if let Err(refused) = state
        .api
        .token_limiter
        .attempt(&crate::auth::limiter::address_key(&client.ip), now)
    {
        let mut response = oauth_error(
            StatusCode::TOO_MANY_REQUESTS,
            "temporarily_unavailable",
            90055,
            "Too many token requests from this address; try again later.",
        );
        let secs = ((refused.retry_after + 999_999) / 1_000_000).max(1) as u64;
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, secs.into());
        return response;
    }
    let tenant = match tenant_of(&state, &tenant_ref).await {
        Ok(t) => t,
        Err(response) => return *response,
    };
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {}
        Some(other) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                70003,
                &format!(
                    "The app requested an unsupported grant type '{}'; Signbook issues client_credentials only.",
                    other.chars().take(64).collect::<String>()
                ),
            )
        }
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'grant_type'.",
            )
        }
    }
    let scope = form.get("scope").map(String::as_str).unwrap_or_default();
    let graph_scope = scope.split_whitespace().all(|s| {
        s.eq_ignore_ascii_case("https://graph.microsoft.com/.default")
            || s.eq_ignore_ascii_case(&format!("{GRAPH_APP_ID}/.default"))
            || s.ends_with("/.default")
    });
    if !scope.is_empty() && !graph_scope {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).",
        );
    }
    let (client_id, secret) = credentials(&headers, &form);
    let Some(client_id) = client_id.filter(|c| !c.trim().is_empty()) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        );
    };
    let client_id: String = client_id.trim().chars().take(64).collect();
    let found = match state.store.find_app(&client_id).await {
        Ok(found) => found.filter(|a| a.tenant_id == tenant.id),
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let at = DateTime::from_timestamp_micros(now).unwrap_or_default();
    let (outcome, response) = match &found {
        None => (
            TokenOutcome::UnknownApp,
            oauth_error(
                StatusCode::BAD_REQUEST,
                "unauthorized_client",
                700016,
                &format!(
                    "Application with identifier '{client_id}' was not found in the directory '{}'.",
                    tenant.name
                ),
            ),
        ),
        Some(app) if secret.as_deref().map(hash_key).as_deref() != Some(app.secret_hash.as_str()) => (
            TokenOutcome::InvalidSecret,
            oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.",
            ),
        ),
        Some(app) if app.disabled => (
            TokenOutcome::Disabled,
            oauth_error(
                StatusCode::BAD_REQUEST,
                "unauthorized_client",
                7000112,
                &format!("Application '{}' ({}) is disabled.", app.client_id, app.display_name),
            ),
        ),
        Some(app) => {
            let secs = now / 1_000_000;
            let lifetime = state.api.config.token_lifetime;
            let claims = Claims {
                aud: "https://graph.microsoft.com".into(),
                iss: format!("signbook/{}/", tenant.id),
                iat: secs,
                nbf: secs,
                exp: secs + lifetime,
                appid: app.client_id.clone(),
                oid: app.object_id.clone(),
                sub: app.object_id.clone(),
                tid: tenant.id.clone(),
                roles: app.permissions.clone(),
                uti: uuid::Uuid::new_v4().simple().to_string(),
                sec: super::signing::secret_stamp(&app.secret_hash),
            };
            let body = json!({
                "token_type": "Bearer",
                "expires_in": lifetime,
                "ext_expires_in": lifetime,
                "access_token": jwt(&state.api.token_key, &claims),
            });
            (TokenOutcome::Issued, (StatusCode::OK, Json(body)).into_response())
        }
    };
    // Failures are recorded up to a rate per tenant, so that a flood of made-up requests from
    // many addresses cannot fill the tenant's log; issued tokens are always recorded.
    let record_it = outcome == TokenOutcome::Issued
        || state
            .api
            .token_failure_records
            .attempt(&tenant.id, now)
            .is_ok();
    let record = signin_record(&tenant, &client_id, found.as_ref(), outcome, &client, at);
    if !record_it {
        tracing::warn!(tenant = %tenant.id, "token request failures over the recording rate; not recorded");
    } else if let Err(e) = state.store.insert_signins(&tenant.id, &[record]).await {
        // Issuing nothing is better than issuing a token nobody can see in the log.
        tracing::error!(error = %e, "recording a token request failed");
        return crate::error::ApiError::internal(&e).into_response();
    }
    let mut response = response;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        "no-store".parse().unwrap_or_else(|_| unreachable!()),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_url_safe() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), 40);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "~._-".contains(c)));
    }

    #[test]
    fn token_requests_are_service_principal_sign_ins_with_their_code() {
        let tenant = Tenant {
            id: "t-1".into(),
            name: "Contoso".into(),
            licence: app::store::Licence::Premium,
            retention_days: Some(30),
        };
        for (outcome, code) in [
            (TokenOutcome::Issued, 0),
            (TokenOutcome::InvalidSecret, 7_000_215),
            (TokenOutcome::UnknownApp, 700_016),
            (TokenOutcome::Disabled, 7_000_112),
        ] {
            let new = signin_record(
                &tenant,
                "c-1",
                None,
                outcome,
                &Client::default(),
                Utc::now(),
            );
            let record: SignIn = serde_json::from_str(&new.json()).expect("parses");
            assert_eq!(record.event_type(), app::model::EventType::ServicePrincipal);
            assert_eq!(record.error_code(), code);
            assert_eq!(new.index.app_id, "c-1");
        }
    }
}
