//! Signing in to the portal (issue #4): every attempt recorded with its AADSTS code, one
//! message for an unknown user and a wrong password, lockout, rate limits, session fixation,
//! CSRF, idle and absolute expiry with recorded refreshes, and the security headers.

mod common;

use app::filter::{Expr, Field};
use app::model::{EventType, SignIn};
use app::store::{ListQuery, Role, Sort};
use common::*;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

const MINUTE: i64 = 60_000_000;

/// An app on a fresh SQLite store with these sign-in settings, on the system clock.
async fn spawn_with(config: server::auth::AuthConfig) -> TestApp {
    let (store, dir) = sqlite_store().await;
    TestApp::spawn_on(
        store,
        Some(dir),
        1 << 20,
        config,
        server::auth::Clock::system(),
    )
    .await
}

/// The tenant's portal sign-ins, oldest first: (UPN, error code, event type, correlation ID).
async fn portal_sign_ins(app: &TestApp) -> Vec<(String, i64, EventType, String)> {
    let query = ListQuery {
        filter: Expr::eq_text(Field::AppDisplayName, "Signbook"),
        sort: Sort::default(),
        limit: 1000,
        ..ListQuery::default()
    };
    let mut rows: Vec<(String, i64, EventType, String)> = app
        .store
        .list_signins(&app.tenant.id, &query)
        .await
        .expect("list")
        .items
        .iter()
        .map(|s| {
            let r: SignIn = serde_json::from_str(&s.json).expect("a record");
            (
                r.user_principal_name
                    .as_deref()
                    .unwrap_or_default()
                    .to_owned(),
                r.error_code(),
                r.event_type(),
                r.correlation_id.as_deref().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    rows.reverse();
    rows
}

fn error_text(html: &str) -> String {
    let start = html.find("role=\"alert\"").expect("an error message");
    let end = html[start..].find("</p>").expect("its end") + start;
    html[start..end].to_owned()
}

#[tokio::test]
async fn every_attempt_is_recorded_with_its_code_and_lockout_follows_five_wrong_passwords() {
    let app = TestApp::spawn().await;
    app.account(&app.tenant, "ann@contoso.com", Role::User)
        .await;
    let carl = app
        .account(&app.tenant, "carl@contoso.com", Role::User)
        .await;

    // Unknown user and wrong password: the same status and the same words.
    let unknown = app.post_sign_in("nobody@contoso.com", TEST_PASSWORD).await;
    assert_eq!(unknown.status(), 401);
    let unknown_text = error_text(&unknown.text().await.expect("html"));
    let wrong = app
        .post_sign_in("ann@contoso.com", "not the password")
        .await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(error_text(&wrong.text().await.expect("html")), unknown_text);
    assert!(unknown_text.contains("account or password is incorrect"));

    // Four more wrong passwords lock the account; then even the right one is refused.
    for _ in 0..4 {
        app.post_sign_in("ann@contoso.com", "still wrong").await;
    }
    let locked = app.post_sign_in("ann@contoso.com", TEST_PASSWORD).await;
    assert_eq!(locked.status(), 401);
    assert!(locked
        .text()
        .await
        .expect("html")
        .contains("temporarily locked"));

    // A disabled account is told so only with its right password.
    server::accounts::set_disabled(app.store.as_ref(), &carl, true)
        .await
        .expect("disabled");
    let disabled = app.post_sign_in("carl@contoso.com", TEST_PASSWORD).await;
    assert!(disabled.text().await.expect("html").contains("disabled"));
    server::accounts::set_disabled(app.store.as_ref(), &carl, false)
        .await
        .expect("enabled");
    let ok = app.post_sign_in("carl@contoso.com", TEST_PASSWORD).await;
    assert_eq!(ok.status(), 303);

    let codes: Vec<(String, i64)> = portal_sign_ins(&app)
        .await
        .into_iter()
        .map(|(upn, code, kind, _)| {
            assert_eq!(kind, EventType::Interactive);
            (upn, code)
        })
        .collect();
    let ann = "ann@contoso.com".to_owned();
    assert_eq!(
        codes,
        vec![
            ("nobody@contoso.com".to_owned(), 50034),
            (ann.clone(), 50126),
            (ann.clone(), 50126),
            (ann.clone(), 50126),
            (ann.clone(), 50126),
            (ann.clone(), 50126),
            (ann.clone(), 50053),
            ("carl@contoso.com".to_owned(), 50057),
            ("carl@contoso.com".to_owned(), 0),
        ]
    );
    // The records carry the client's address and browser.
    let stored = app
        .store
        .list_signins(
            &app.tenant.id,
            &ListQuery {
                filter: Expr::eq_text(Field::UserPrincipalName, "carl@contoso.com"),
                limit: 1,
                ..ListQuery::default()
            },
        )
        .await
        .expect("list");
    let record: SignIn = serde_json::from_str(&stored.items[0].json).expect("a record");
    assert_eq!(record.ip_address.as_deref(), Some("127.0.0.1"));
    let device = record.device_detail.get().expect("device");
    assert_eq!(device.browser.as_deref(), Some("Chrome 131.0.0.0"));
    assert_eq!(device.operating_system.as_deref(), Some("Linux"));

    // An administrator's unlock lets the right password in again.
    let ann_now = app
        .store
        .find_user_by_upn("ann@contoso.com")
        .await
        .expect("find")
        .expect("ann");
    server::accounts::unlock(app.store.as_ref(), &ann_now)
        .await
        .expect("unlocked");
    assert_eq!(
        app.post_sign_in("ann@contoso.com", TEST_PASSWORD)
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn attempts_past_the_rate_are_refused_with_retry_after() {
    let config = server::auth::AuthConfig {
        per_account: server::auth::limiter::Rate {
            max: 3,
            window: 10 * MINUTE,
        },
        ..server::auth::AuthConfig::default()
    };
    let app = spawn_with(config).await;
    app.account(&app.tenant, "ann@contoso.com", Role::User)
        .await;
    for _ in 0..3 {
        assert_eq!(
            app.post_sign_in("ANN@contoso.com", "wrong one")
                .await
                .status(),
            401
        );
    }
    let limited = app.post_sign_in("ann@contoso.com", TEST_PASSWORD).await;
    assert_eq!(limited.status(), 429);
    let retry: i64 = limited.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!(retry > 0 && retry <= 600, "{retry}");
    assert!(limited
        .text()
        .await
        .expect("html")
        .contains("Too many sign-in attempts"));
    // Unknown accounts are limited the same way (no hint that they do not exist).
    for _ in 0..3 {
        app.post_sign_in("ghost@contoso.com", "x").await;
    }
    assert_eq!(
        app.post_sign_in("ghost@contoso.com", "x").await.status(),
        429
    );
    let last = portal_sign_ins(&app).await;
    assert_eq!(last[3].1, 50053, "a refused attempt is recorded as 50053");
    // Further refusals in the same run cost no record (a flood cannot fill the log).
    for _ in 0..5 {
        assert_eq!(app.post_sign_in("ann@contoso.com", "x").await.status(), 429);
    }
    assert_eq!(portal_sign_ins(&app).await.len(), last.len());
}

/// An IPv6 client is counted by its /64: taking a fresh address in it for each attempt does
/// not get round the per-address limit; another /64 is another client.
#[tokio::test]
async fn an_ipv6_client_cannot_escape_the_address_limit_within_its_64() {
    let config = server::auth::AuthConfig {
        per_ip: server::auth::limiter::Rate {
            max: 3,
            window: 10 * MINUTE,
        },
        trust_proxy: true,
        ..server::auth::AuthConfig::default()
    };
    let app = spawn_with(config).await;
    for i in 0..3 {
        let response = app
            .post_sign_in_from(
                &format!("user{i}@contoso.com"),
                "x",
                &format!("2001:db8:7:1:{i}::9"),
            )
            .await;
        assert_eq!(response.status(), 401);
    }
    let limited = app
        .post_sign_in_from("user9@contoso.com", "x", "2001:db8:7:1:ffff::1")
        .await;
    assert_eq!(limited.status(), 429);
    let other = app
        .post_sign_in_from("user9@contoso.com", "x", "2001:db8:7:2::1")
        .await;
    assert_eq!(other.status(), 401);
}

#[tokio::test]
async fn a_planted_session_id_is_never_promoted_and_sign_out_ends_the_session() {
    let app = TestApp::spawn().await;
    app.account(&app.tenant, "ann@contoso.com", Role::ReportsReader)
        .await;
    let planted = format!("signbook_session={}", "ab".repeat(32));
    let response = app
        .post_sign_in_with("ann@contoso.com", TEST_PASSWORD, Some(&planted))
        .await;
    assert_eq!(response.status(), 303);
    let cookie = set_cookie(&response, "signbook_session").expect("a new session cookie");
    assert_ne!(cookie, planted, "a fresh session ID at sign-in");
    let set = response.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_owned();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(attribute), "{set}");
    }
    assert!(
        !set.contains("Secure"),
        "plain HTTP without a trusted proxy: not Secure"
    );
    // The planted ID is nobody's session.
    let (status, _) = app
        .call(
            Some(&Session {
                cookie: planted.clone(),
                csrf: String::new(),
            }),
            "load_portal",
            json!({}),
        )
        .await;
    assert_eq!(status, 401);
    let session = app.sign_in("ann@contoso.com").await;
    assert_eq!(
        app.call(Some(&session), "load_portal", json!({})).await.0,
        200
    );
    // Sign-out needs the session's token.
    let refused = app
        .post_form(Some(&session), "/signout", &[("csrf", "wrong")])
        .await;
    assert_eq!(refused.status(), 403);
    assert_eq!(
        app.call(Some(&session), "load_portal", json!({})).await.0,
        200
    );
    let out = app.post_form(Some(&session), "/signout", &[]).await;
    assert_eq!(out.status(), 303);
    assert!(out.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .contains("Max-Age=0"));
    assert_eq!(
        app.call(Some(&session), "load_portal", json!({})).await.0,
        401,
        "the old cookie no longer works"
    );
}

#[tokio::test]
async fn cross_site_requests_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let ann = app
        .account(&app.tenant, "ann@contoso.com", Role::GlobalAdministrator)
        .await;
    let session = app.sign_in("ann@contoso.com").await;
    let url = format!("{}/api/save_preview", app.address);
    let attempts = [
        vec![("origin", "http://evil.example")],
        vec![
            ("sec-fetch-site", "cross-site"),
            ("origin", app.address.as_str()),
        ],
        vec![("referer", "http://evil.example/page")],
        vec![],
    ];
    for headers in attempts {
        let mut request = client()
            .post(&url)
            .header("cookie", &session.cookie)
            .json(&json!({ "on": true }));
        for (k, v) in &headers {
            request = request.header(*k, *v);
        }
        let response = request.send().await.expect("an answer");
        assert_eq!(response.status(), 403, "{headers:?}");
    }
    let prefs = app
        .store
        .preferences(&app.tenant.id, &ann.id)
        .await
        .expect("prefs");
    assert!(prefs.is_empty(), "nothing was saved: {prefs:?}");
    // The same call from the portal's own page works.
    assert_eq!(
        app.call(Some(&session), "save_preview", json!({ "on": true }))
            .await
            .0,
        200
    );
    // An admin form without the session's token is refused.
    let response = app
        .post_form(
            Some(&session),
            "/admin/users/create",
            &[
                ("csrf", "forged"),
                ("upn", "eve@contoso.com"),
                ("role", "global-administrator"),
            ],
        )
        .await;
    assert_eq!(response.status(), 403);
    assert!(app
        .store
        .find_user_by_upn("eve@contoso.com")
        .await
        .expect("find")
        .is_none());
    // A sign-in form posted without its cookie (login CSRF) is refused.
    let response = client()
        .post(format!("{}/signin", app.address))
        .header("origin", &app.address)
        .form(&[
            ("upn", "ann@contoso.com"),
            ("password", TEST_PASSWORD),
            ("csrf", "guess"),
        ])
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 403);
    assert!(set_cookie(&response, "signbook_session").is_none());
}

#[tokio::test]
async fn sessions_expire_when_idle_and_at_their_age_and_refreshes_are_recorded() {
    let (store, dir) = sqlite_store().await;
    let clock = server::auth::Clock::manual(chrono::Utc::now().timestamp_micros());
    let config = server::auth::AuthConfig::default();
    let (idle, absolute, refresh) = (config.idle, config.absolute, config.refresh);
    let app = TestApp::spawn_on(store, Some(dir), 1 << 20, config, clock.clone()).await;
    app.account(&app.tenant, "ann@contoso.com", Role::User)
        .await;

    // Idle: just inside the window works; past it, the session is gone.
    let session = app.sign_in("ann@contoso.com").await;
    clock.advance(idle - MINUTE);
    assert_eq!(
        app.call(Some(&session), "load_portal", json!({})).await.0,
        200
    );
    clock.advance(idle + 1);
    let page = app.get(Some(&session), "/").await;
    assert_eq!(page.status(), 303, "an idle session goes to sign-in");
    assert!(page.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .contains("Max-Age=0"));
    assert_eq!(
        app.call(Some(&session), "load_portal", json!({})).await.0,
        401
    );

    // Absolute: in use every half hour, it still ends at its age.
    let session = app.sign_in("ann@contoso.com").await;
    let mut used = 0;
    while used + 30 * MINUTE < absolute {
        clock.advance(30 * MINUTE);
        used += 30 * MINUTE;
        assert_eq!(
            app.call(Some(&session), "load_portal", json!({})).await.0,
            200
        );
    }
    clock.advance(absolute - used + 1);
    assert_eq!(
        app.call(Some(&session), "load_portal", json!({})).await.0,
        401
    );

    // Each refresh is a non-interactive sign-in of the session's sign-in (same correlation).
    let rows = portal_sign_ins(&app).await;
    let first = &rows[0];
    assert_eq!((first.1, first.2), (0, EventType::Interactive));
    let refreshes: Vec<_> = rows
        .iter()
        .filter(|r| r.2 == EventType::NonInteractive)
        .collect();
    assert!(!refreshes.is_empty());
    assert!(refreshes.iter().all(|r| r.1 == 0));
    let second_sign_in = rows
        .iter()
        .filter(|r| r.2 == EventType::Interactive)
        .nth(1)
        .expect("the second sign-in");
    let of_second = refreshes.iter().filter(|r| r.3 == second_sign_in.3).count() as i64;
    // A refresh every `refresh` while in use, at most one per request.
    assert!(
        of_second >= absolute / 30 / MINUTE - 1,
        "{of_second} refreshes"
    );
    assert!(refresh <= 30 * MINUTE);
}

#[tokio::test]
async fn a_one_time_password_must_be_changed_first() {
    let app = TestApp::spawn().await;
    let made = server::accounts::create_user(
        app.store.as_ref(),
        &app.tenant,
        "new@contoso.com",
        Some("New Person"),
        Role::ReportsReader,
        None,
    )
    .await
    .expect("created");
    let one_time = made.one_time_password.expect("a one-time password");
    let response = app.post_sign_in("new@contoso.com", &one_time).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/account/password");
    let cookie = set_cookie(&response, "signbook_session").expect("a session");
    let session = Session {
        cookie: cookie.clone(),
        csrf: String::new(),
    };
    // Nothing else until the password is changed.
    assert_eq!(
        app.get(Some(&session), "/").await.headers()["location"],
        "/account/password"
    );
    assert_eq!(
        app.call(Some(&session), "load_portal", json!({})).await.0,
        401
    );
    let html = app
        .get(Some(&session), "/account/password")
        .await
        .text()
        .await
        .expect("html");
    let csrf = hidden(&html, "csrf").expect("token");
    let session = Session { cookie, csrf };
    let short = app
        .post_form(
            Some(&session),
            "/account/password",
            &[
                ("current", &one_time),
                ("new", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(short.status(), 400);
    let changed = app
        .post_form(
            Some(&session),
            "/account/password",
            &[
                ("current", &one_time),
                ("new", TEST_PASSWORD),
                ("confirm", TEST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(changed.status(), 303);
    let fresh = set_cookie(&changed, "signbook_session").expect("a new session");
    assert_ne!(fresh, session.cookie);
    let fresh = Session {
        cookie: fresh,
        csrf: String::new(),
    };
    assert_eq!(
        app.call(Some(&fresh), "load_portal", json!({})).await.0,
        200
    );
    assert_eq!(
        app.call(Some(&session), "load_portal", json!({})).await.0,
        401,
        "the old session ended"
    );
    let codes: Vec<i64> = portal_sign_ins(&app)
        .await
        .into_iter()
        .map(|r| r.1)
        .collect();
    assert_eq!(
        codes,
        vec![50055, 0],
        "interrupted by the password change, then signed in"
    );
    assert_eq!(
        app.post_sign_in("new@contoso.com", &one_time)
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    app.account(&app.tenant, "ann@contoso.com", Role::ReportsReader)
        .await;
    let session = app.sign_in("ann@contoso.com").await;
    for (path, signed_in) in [
        ("/signin", false),
        ("/", true),
        ("/admin", true),
        ("/nowhere", true),
    ] {
        let response = app.get(signed_in.then_some(&session), path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("object-src 'none'"), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        if path == "/" {
            // The page's inline scripts carry the nonce the policy admits; the WASM may compile.
            let nonce = csp
                .split("'nonce-")
                .nth(1)
                .and_then(|rest| rest.split('\'').next())
                .expect("a nonce")
                .to_owned();
            assert!(csp.contains("'wasm-unsafe-eval'"));
            let html = response.text().await.expect("html");
            let scripts = html.matches("<script").count();
            let with_nonce = html.matches(&format!("nonce=\"{nonce}\"")).count();
            assert!(
                scripts > 0 && with_nonce == scripts,
                "{with_nonce} of {scripts} scripts carry the nonce"
            );
        }
    }
}

/// The portal page renders whole while another router is being built in the same process.
/// Listing the routes sets Leptos' process-wide "suppress resource loads" flag; when every
/// router listed them anew, a page rendered at that moment (another test's, in CI) waited
/// forever for its table and the response never ended. A page that stalls fails here
/// after 30 s instead of hanging.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_page_renders_while_another_router_is_built() {
    let app = TestApp::spawn().await;
    app.account(&app.tenant, "ann@contoso.com", Role::GlobalAdministrator)
        .await;
    let now = chrono::Utc::now();
    let time = |minutes: i64| {
        (now + chrono::Duration::minutes(minutes))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    app.store
        .insert_signins(
            &app.tenant.id,
            &[record(
                "rendered-1",
                &time(-10),
                json!({ "isInteractive": true, "signInEventTypes": ["interactiveUser"],
                        "userDisplayName": "Rendered Marker" }),
            )],
        )
        .await
        .expect("record stored");
    let session = app.sign_in("ann@contoso.com").await;
    let state = app.state.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let builder = {
        let stop = Arc::clone(&stop);
        let runtime = tokio::runtime::Handle::current();
        std::thread::spawn(move || {
            let _entered = runtime.enter();
            let mut built = 0;
            while !stop.load(Ordering::Relaxed) {
                drop(server::web::router(state.clone()));
                built += 1;
            }
            built
        })
    };
    let path = format!(
        "/?date=custom&start={}&end={}",
        time(-60).replace(':', "%3A"),
        time(60).replace(':', "%3A")
    );
    for round in 0..20 {
        let page = tokio::time::timeout(std::time::Duration::from_secs(30), async {
            let response = app.get(Some(&session), &path).await;
            assert_eq!(response.status(), 200, "round {round}");
            response.text().await.expect("the page")
        })
        .await
        .unwrap_or_else(|_| panic!("round {round}: the page stalled"));
        assert!(
            page.contains("Rendered Marker"),
            "round {round}: the table is on the page"
        );
    }
    stop.store(true, Ordering::Relaxed);
    let built = builder.join().expect("the builder thread");
    assert!(built > 0, "routers were built meanwhile");
}
