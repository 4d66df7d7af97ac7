//! No password, session token, CSRF token or cookie ever reaches the log, at any level, on
//! any path (success, failure, refusal, password change).

mod common;

use app::store::Role;
use common::*;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_reaches_the_log_at_any_level() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let app = TestApp::spawn().await;
    app.account(&app.tenant, "ann@contoso.com", Role::GlobalAdministrator)
        .await;
    let wrong = "a-wrong-password-123";
    app.post_sign_in("ann@contoso.com", wrong).await;
    app.post_sign_in("nobody@contoso.com", wrong).await;
    let session = app.sign_in("ann@contoso.com").await;
    app.call(Some(&session), "load_portal", json!({})).await;
    // Refused: another site, a wrong form token.
    client()
        .post(format!("{}/api/save_preview", app.address))
        .header("cookie", &session.cookie)
        .header("origin", "http://evil.example")
        .json(&json!({"on": true}))
        .send()
        .await
        .expect("an answer");
    app.post_form(
        Some(&session),
        "/admin/users/create",
        &[("csrf", "forged"), ("upn", "x@contoso.com")],
    )
    .await;
    // A one-time password made on the admin page.
    let page = app
        .post_form(
            Some(&session),
            "/admin/users/create",
            &[("upn", "bob@contoso.com"), ("role", "user")],
        )
        .await
        .text()
        .await
        .expect("html");
    let one_time = page
        .split("<code class=\"secret\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the one-time password")
        .to_owned();
    app.post_sign_in("bob@contoso.com", &one_time).await;
    app.post_form(Some(&session), "/signout", &[]).await;

    let log = String::from_utf8(captured.0.lock().expect("log").clone()).expect("utf-8");
    assert!(
        log.contains("refused a state-changing request"),
        "the log was captured: {log}"
    );
    let token = session
        .cookie
        .split_once('=')
        .map(|(_, v)| v.to_owned())
        .expect("a token");
    for secret in [
        TEST_PASSWORD,
        wrong,
        token.as_str(),
        session.csrf.as_str(),
        one_time.as_str(),
    ] {
        assert!(!log.contains(secret), "the log holds a secret ({secret})");
    }
    assert!(
        !log.to_ascii_lowercase().contains("signbook_session="),
        "no cookie in the log"
    );
}
