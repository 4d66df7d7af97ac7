//! The layer every request passes: it finds the session (and puts the [`Principal`] on the
//! request for handlers and server functions), refuses cross-site state changes, sends
//! visitors without a session to the sign-in page, and adds the security headers.
//!
//! Cross-site request forgery is stopped twice: session cookies are `SameSite=Lax`, and every
//! state-changing request (server functions included) must come from this origin by the
//! browser's own word (`Sec-Fetch-Site`, else `Origin`, else `Referer`). The HTML forms also
//! carry a per-session token (checked by their handlers).

use super::record::Client;
use super::SESSION_COOKIE;
use crate::state::AppState;
use app::api::access::Principal;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;

/// Paths anyone may open without a session.
fn public(path: &str) -> bool {
    path == "/signin"
        || path == "/signout"
        || path == "/favicon.ico"
        || path.starts_with("/pkg/")
        || path.starts_with("/api/")
        || is_graph_api(path)
}

/// The reporting API and its token endpoint: they answer with their own errors (401 in
/// Graph's envelope), not a redirect to the sign-in page.
fn is_graph_api(path: &str) -> bool {
    path.starts_with("/v1.0/")
        || path.starts_with("/beta/")
        || tenant_path(path, "oauth2/v2.0/token")
        || tenant_path(path, "v2.0/.well-known/openid-configuration")
}

/// `/{tenant}/{rest}` with one tenant segment.
fn tenant_path(path: &str, rest: &str) -> bool {
    path.strip_prefix('/')
        .and_then(|p| p.split_once('/'))
        .is_some_and(|(tenant, tail)| !tenant.is_empty() && tail == rest)
}

/// Paths a session that must change its password may still use.
fn allowed_before_password_change(path: &str) -> bool {
    path == "/account/password"
        || path == "/signout"
        || path.starts_with("/pkg/")
        || path == "/favicon.ico"
}

/// State-changing requests that do not use the session cookie (they carry their own key).
fn csrf_exempt(path: &str) -> bool {
    path == "/api/v1/ingest" || tenant_path(path, "oauth2/v2.0/token")
}

/// A cookie's value from the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// Where the request comes from: the peer's address, or behind a trusted proxy the last
/// `X-Forwarded-For` address (the one the proxy itself saw).
pub fn client_of(req: &Request, trust_proxy: bool) -> Client {
    let headers = req.headers();
    let forwarded = trust_proxy
        .then(|| headers.get("x-forwarded-for"))
        .flatten()
        .and_then(|v| v.to_str().ok())
        // The address our proxy saw is the last one it appended; earlier ones are the
        // client's own word.
        .and_then(|v| v.rsplit(',').next())
        .map(|v| v.trim().to_owned())
        .filter(|v| v.parse::<std::net::IpAddr>().is_ok());
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    Client {
        ip: forwarded.or(peer).unwrap_or_default(),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(512).collect())
            .unwrap_or_default(),
    }
}

/// Whether cookies get `Secure` for this request: as configured, else when it came over TLS.
pub fn secure_cookies(config: &super::AuthConfig, headers: &HeaderMap) -> bool {
    config
        .secure_cookies
        .unwrap_or_else(|| is_https(headers, config.trust_proxy))
}

/// Whether the request came over TLS (as a trusted proxy says).
pub fn is_https(headers: &HeaderMap, trust_proxy: bool) -> bool {
    trust_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

fn host_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// The browser says the request comes from this site.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    let Some(host) = text("host") else {
        return false;
    };
    if let Some(origin) = text("origin") {
        return host_of(origin).is_some_and(|h| h.eq_ignore_ascii_case(host));
    }
    if let Some(referer) = text("referer") {
        return host_of(referer).is_some_and(|h| h.eq_ignore_ascii_case(host));
    }
    false
}

/// The `Set-Cookie` value of the session cookie (`None`: remove it).
pub fn session_cookie(token: Option<&str>, secure: bool) -> HeaderValue {
    let mut c = cookie::Cookie::build((SESSION_COOKIE, token.unwrap_or("").to_owned()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure);
    if token.is_none() {
        c = c.max_age(cookie::time::Duration::ZERO);
    }
    HeaderValue::from_str(&c.build().to_string()).unwrap_or(HeaderValue::from_static(""))
}

/// The CSP of pages without scripts (sign-in, admin, errors). Leptos pages set their own, with
/// the nonce of their inline scripts (see `crate::web`).
pub const PLAIN_CSP: &str = "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The CSP of the portal's pages: its own scripts, the inline ones carrying `nonce`, and the
/// WASM bundle.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

fn add_security_headers(headers: &mut HeaderMap, https: bool) {
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PLAIN_CSP),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
}

fn forbidden(message: &'static str) -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

/// The layer (see the module's comment).
pub async fn layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let config = &state.auth.config;
    let https = is_https(req.headers(), config.trust_proxy);
    let secure = secure_cookies(config, req.headers());
    let path = req.uri().path().to_owned();
    let client = client_of(&req, config.trust_proxy);
    let mut clear_cookie = false;
    // Static files need no session: no lookup for the bundle, the script and the stylesheet.
    let is_static = path.starts_with("/pkg/") || path == "/favicon.ico";
    let token = (!is_static)
        .then(|| cookie(req.headers(), SESSION_COOKIE))
        .flatten();
    if let Some(token) = token {
        match state
            .auth
            .resolve(state.store.as_ref(), &token, &client)
            .await
        {
            Ok(Some(principal)) => {
                req.extensions_mut().insert(principal);
            }
            Ok(None) => clear_cookie = true,
            Err(e) => {
                tracing::error!(error = %e, "reading a session failed");
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The session could not be read.",
                )
                    .into_response();
            }
        }
    }
    req.extensions_mut().insert(client);
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && !csrf_exempt(&path) && !same_origin(req.headers()) {
        tracing::warn!(%path, "refused a state-changing request from another site");
        let mut response =
            forbidden("This request did not come from Signbook's own pages, so it was refused.");
        add_security_headers(response.headers_mut(), https);
        return response;
    }
    let principal = req.extensions().get::<Principal>();
    let redirect = match principal {
        None if req.method() == Method::GET && !public(&path) => {
            let next = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "/".into());
            let mut to = String::from("/signin");
            if next != "/" {
                to.push_str("?next=");
                to.push_str(&super::pages::url_encode(&next));
            }
            Some(to)
        }
        Some(p)
            if p.user.must_change_password
                && !allowed_before_password_change(&path)
                && !path.starts_with("/api/") =>
        {
            Some("/account/password".to_owned())
        }
        _ => None,
    };
    let mut response = match redirect {
        Some(to) => Redirect::to(&to).into_response(),
        None => next.run(req).await,
    };
    if clear_cookie && !response.headers().contains_key(header::SET_COOKIE) {
        response
            .headers_mut()
            .append(header::SET_COOKIE, session_cookie(None, secure));
    }
    add_security_headers(response.headers_mut(), https);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn only_requests_the_browser_places_on_this_site_count_as_same_origin() {
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!same_origin(&headers(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://a"),
            ("host", "a")
        ])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(same_origin(&headers(&[
            ("host", "portal:3000"),
            ("origin", "http://portal:3000")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "portal:3000"),
            ("origin", "http://evil:3000")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "portal"),
            ("origin", "null")
        ])));
        assert!(same_origin(&headers(&[
            ("host", "portal"),
            ("referer", "https://portal/admin?x")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "portal"),
            ("referer", "https://portal.evil/")
        ])));
        assert!(
            !same_origin(&headers(&[("host", "portal")])),
            "saying nothing is refused"
        );
    }

    #[test]
    fn the_session_cookie_is_http_only_lax_and_secure_behind_tls() {
        let set = session_cookie(Some("abc"), true);
        let text = set.to_str().expect("ascii");
        assert!(text.starts_with("signbook_session=abc"));
        for part in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
            assert!(text.contains(part), "{text}");
        }
        let plain = session_cookie(Some("abc"), false);
        assert!(!plain.to_str().expect("ascii").contains("Secure"));
        let gone = session_cookie(None, false);
        assert!(gone.to_str().expect("ascii").contains("Max-Age=0"));
    }

    #[test]
    fn cookies_are_found_among_others() {
        let h = headers(&[("cookie", "a=1; signbook_session=tok; b=2")]);
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("tok"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
