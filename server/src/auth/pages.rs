//! The sign-in page, sign-out and the password change a one-time password leads to: plain
//! server-rendered forms that work without WASM or JavaScript.
//!
//! The sign-in form carries a token also set as a cookie (login CSRF); the other forms carry
//! the session's token. Answers are the same for an unknown user and a wrong password.

use super::middleware::session_cookie;
use super::password;
use super::record::Client;
use super::{new_token, SignInResult, SESSION_COOKIE};
use crate::state::AppState;
use app::api::access::Principal;
use axum::extract::{Query, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;

/// The cookie that pairs a sign-in form with its browser.
const FORM_COOKIE: &str = "signbook_signin";

/// Escapes text for HTML.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a URL component.
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where to go after signing in: a path on this site only (never `//host` or a URL).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        // Browsers drop tabs and newlines inside URLs and read `\` as `/`: `/\t/evil` would
        // become `//evil`, another site.
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// A whole page around `body` (no scripts: the plain CSP applies).
pub fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Signbook</title>
<link rel="icon" href="/favicon.ico">
<link rel="stylesheet" href="/pkg/signbook.css">
</head>
<body class="plain-page">
{body}
</body>
</html>"#,
        title = esc(title)
    )
}

/// The sign-in page's query.
#[derive(Debug, Default, Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
    #[serde(default)]
    signed_out: Option<String>,
}

/// The sign-in form's fields.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    upn: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

fn form_cookie(token: &str, secure: bool) -> HeaderValue {
    let c = cookie::Cookie::build((FORM_COOKIE, token.to_owned()))
        .path("/signin")
        .http_only(true)
        .same_site(cookie::SameSite::Strict)
        .secure(secure);
    HeaderValue::from_str(&c.build().to_string()).unwrap_or(HeaderValue::from_static(""))
}

fn sign_in_page(
    status: StatusCode,
    upn: &str,
    next: &str,
    message: Option<(&str, bool)>,
    secure: bool,
) -> Response {
    let token = new_token();
    let note = match message {
        Some((text, true)) => format!(
            r#"<p class="form-error" role="alert" id="signin-error">{}</p>"#,
            esc(text)
        ),
        Some((text, false)) => format!(r#"<p class="form-note" role="status">{}</p>"#, esc(text)),
        None => String::new(),
    };
    let described = if matches!(message, Some((_, true))) {
        r#" aria-describedby="signin-error""#
    } else {
        ""
    };
    let body = format!(
        r#"<main class="auth-card" aria-labelledby="signin-title">
<p class="brand">Signbook</p>
<h1 id="signin-title">Sign in</h1>
{note}
<form method="post" action="/signin" class="auth-form">
<input type="hidden" name="csrf" value="{token}">
<input type="hidden" name="next" value="{next}">
<label for="upn">Email or user principal name</label>
<input id="upn" name="upn" type="email" autocomplete="username" required autofocus value="{upn}"{described}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required{described}>
<button type="submit" class="primary">Sign in</button>
</form>
<p class="auth-help">Accounts are created by your administrator. Sign-ins to this portal are recorded in your organization's sign-in log.</p>
</main>"#,
        next = esc(next),
        upn = esc(upn),
    );
    let mut response = (status, Html(page("Sign in", &body))).into_response();
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, form_cookie(&token, secure));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn secure_of(state: &AppState, headers: &HeaderMap) -> bool {
    super::middleware::secure_cookies(&state.auth.config, headers)
}

/// `GET /signin`.
pub async fn sign_in_form(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    headers: HeaderMap,
    Query(query): Query<SignInQuery>,
) -> Response {
    let next = safe_next(query.next.as_deref());
    if principal.is_some() {
        return Redirect::to(&next).into_response();
    }
    let message = query
        .signed_out
        .is_some()
        .then_some(("You have signed out.", false));
    sign_in_page(
        StatusCode::OK,
        "",
        &next,
        message,
        secure_of(&state, &headers),
    )
}

/// `POST /signin`.
pub async fn sign_in(
    State(state): State<AppState>,
    Extension(client): Extension<Client>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let secure = secure_of(&state, &headers);
    let next = safe_next(Some(&form.next));
    let paired = super::middleware::cookie(&headers, FORM_COOKIE);
    if form.csrf.is_empty() || paired.as_deref() != Some(form.csrf.as_str()) {
        return sign_in_page(
            StatusCode::FORBIDDEN,
            &form.upn,
            &next,
            Some(("This sign-in form had expired. Please sign in again.", true)),
            secure,
        );
    }
    let result = state
        .auth
        .sign_in(state.store.as_ref(), &form.upn, &form.password, &client)
        .await;
    let (status, message) = match result {
        Ok(SignInResult::SignedIn {
            token,
            must_change_password,
        }) => {
            let to = if must_change_password {
                "/account/password".to_owned()
            } else {
                next
            };
            let mut response = Redirect::to(&to).into_response();
            let headers = response.headers_mut();
            headers.append(header::SET_COOKIE, session_cookie(Some(&token), secure));
            return response;
        }
        Ok(SignInResult::Invalid) => (
            StatusCode::UNAUTHORIZED,
            "Your account or password is incorrect. If you don't remember your password, ask your administrator to reset it.".to_owned(),
        ),
        Ok(SignInResult::Locked) => (
            StatusCode::UNAUTHORIZED,
            "Your account is temporarily locked to prevent unauthorized use. Try again later, or ask your administrator to unlock it.".to_owned(),
        ),
        Ok(SignInResult::Disabled) => (
            StatusCode::UNAUTHORIZED,
            "Your account has been disabled. Ask your administrator.".to_owned(),
        ),
        Ok(SignInResult::TooMany(retry)) => {
            let minutes = (retry + 59_999_999) / 60_000_000;
            let mut response = sign_in_page(
                StatusCode::TOO_MANY_REQUESTS,
                &form.upn,
                &next,
                Some((
                    &format!(
                        "Too many sign-in attempts. Wait {minutes} minute{} and try again.",
                        if minutes == 1 { "" } else { "s" }
                    ),
                    true,
                )),
                secure,
            );
            if let Ok(v) = HeaderValue::from_str(&((retry + 999_999) / 1_000_000).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return response;
        }
        Err(e) => {
            tracing::error!(error = %e, "a sign-in failed on our side");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Signing in failed on our side. Please try again in a moment.".to_owned(),
            )
        }
    };
    sign_in_page(status, &form.upn, &next, Some((&message, true)), secure)
}

/// A form that only carries the session's token.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /signout`: ends the session (a missing or expired session just goes to the form).
pub async fn sign_out(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    let secure = secure_of(&state, &headers);
    if let Some(Extension(p)) = principal {
        if form.csrf != p.csrf {
            return (
                StatusCode::FORBIDDEN,
                "This sign-out form had expired; reload the page and try again.",
            )
                .into_response();
        }
        if let Some(token) = super::middleware::cookie(&headers, SESSION_COOKIE) {
            if let Err(e) = state.auth.sign_out(state.store.as_ref(), &token).await {
                tracing::error!(error = %e, "ending a session failed");
            }
        }
    }
    let mut response = Redirect::to("/signin?signed_out=1").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, session_cookie(None, secure));
    response
}

/// The password change form's fields.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

fn password_page(status: StatusCode, principal: &Principal, error: Option<&str>) -> Response {
    let intro = if principal.user.must_change_password {
        "Your password was set by an administrator. Choose your own before you go on."
    } else {
        "Choose a new password."
    };
    let error = error
        .map(|e| format!(r#"<p class="form-error" role="alert">{}</p>"#, esc(e)))
        .unwrap_or_default();
    let body = format!(
        r#"<main class="auth-card" aria-labelledby="pw-title">
<p class="brand">Signbook</p>
<h1 id="pw-title">Change your password</h1>
<p>{intro}</p>
<p class="auth-help">Signed in as {upn}.</p>
{error}
<form method="post" action="/account/password" class="auth-form">
<input type="hidden" name="csrf" value="{csrf}">
<input type="hidden" name="username" autocomplete="username" value="{upn}">
<label for="current">Current password</label>
<input id="current" name="current" type="password" autocomplete="current-password" required>
<label for="new">New password (at least {min} characters)</label>
<input id="new" name="new" type="password" autocomplete="new-password" minlength="{min}" required>
<label for="confirm">Confirm the new password</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" minlength="{min}" required>
<button type="submit" class="primary">Change password</button>
</form>
<form method="post" action="/signout" class="signout"><input type="hidden" name="csrf" value="{csrf}"><button type="submit" class="link-button">Sign out</button></form>
</main>"#,
        upn = esc(&principal.user.upn),
        csrf = esc(&principal.csrf),
        min = password::MIN_LENGTH,
    );
    let mut response = (status, Html(page("Change your password", &body))).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /account/password`.
pub async fn password_form(principal: Option<Extension<Principal>>) -> Response {
    match principal {
        Some(Extension(p)) => password_page(StatusCode::OK, &p, None),
        None => Redirect::to("/signin?next=/account/password").into_response(),
    }
}

/// `POST /account/password`: checks the current password, saves the new one, ends every
/// other session of the user and opens a new one here.
pub async fn change_password(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Extension(client): Extension<Client>,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    let Some(Extension(p)) = principal else {
        return Redirect::to("/signin?next=/account/password").into_response();
    };
    if form.csrf != p.csrf {
        return (
            StatusCode::FORBIDDEN,
            "This form had expired; reload the page and try again.",
        )
            .into_response();
    }
    let store = state.store.as_ref();
    match state
        .auth
        .check_current_password(store, &p.user, &form.current)
        .await
    {
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => {
            return password_page(
                StatusCode::BAD_REQUEST,
                &p,
                Some("The current password is not right."),
            )
        }
        Ok(Err(_)) => {
            return password_page(
                StatusCode::TOO_MANY_REQUESTS,
                &p,
                Some("Too many attempts. Wait a few minutes and try again."),
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "checking a password failed");
            return password_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                &p,
                Some("The password could not be checked on our side. Please try again."),
            );
        }
    }
    if form.new != form.confirm {
        return password_page(
            StatusCode::BAD_REQUEST,
            &p,
            Some("The new password and its confirmation differ."),
        );
    }
    if form.new == form.current {
        return password_page(
            StatusCode::BAD_REQUEST,
            &p,
            Some("Choose a password other than the current one."),
        );
    }
    if let Err(message) = password::check_new(&form.new) {
        return password_page(StatusCode::BAD_REQUEST, &p, Some(&message));
    }
    let saved = async {
        let hash = password::hash(form.new.clone())
            .await
            .map_err(|e| app::store::StoreError::Backend(e.to_string()))?;
        store.set_password(&p.user.id, &hash, false).await?;
        store.delete_user_sessions(&p.user.id).await?;
        // Sign in again with the new password: a new session, recorded as a sign-in.
        state
            .auth
            .sign_in(store, &p.user.upn, &form.new, &client)
            .await
    }
    .await;
    let secure = secure_of(&state, &headers);
    match saved {
        Ok(SignInResult::SignedIn { token, .. }) => {
            let mut response = Redirect::to("/").into_response();
            response
                .headers_mut()
                .append(header::SET_COOKIE, session_cookie(Some(&token), secure));
            response
        }
        Ok(_) => Redirect::to("/signin").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "changing a password failed");
            password_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                &p,
                Some("The password could not be changed on our side. Please try again."),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/?date=7d")), "/?date=7d");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/");
        assert_eq!(safe_next(Some("/ /evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn text_is_escaped_for_html() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(url_encode("/?a=b&c"), "/%3Fa%3Db%26c");
    }
}
