//! Test helpers: a fresh store per test on each backend, records built from JSON.

#![allow(
    dead_code,
    reason = "each test file uses a different part of the helpers"
)]

use app::model::SignIn;
use app::store::{NewSignIn, Store, Tenant};
use serde_json::{json, Value};
use std::sync::Arc;

/// The environment variable naming the PostgreSQL server the conformance suite uses.
/// One test module per backend: each named `async fn(store, dir)` runs on SQLite, and on
/// PostgreSQL when [`POSTGRES_ENV`] is set.
#[allow(unused_macros, reason = "only some test files run on both backends")]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let (store, dir) = super::sqlite_store().await;
                    super::$name(store, Some(dir)).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(store) = super::postgres_store().await else { return };
                    super::$name(store, None).await;
                }
            )*
        }
    };
}

pub const POSTGRES_ENV: &str = "SIGNBOOK_TEST_POSTGRES_URL";

/// A fresh SQLite database in a temporary directory (kept alive by the returned guard).
pub async fn sqlite_store() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = server::store::open(&sqlite_url(&dir))
        .await
        .expect("SQLite store opens");
    (store, dir)
}

/// The URL of the database [`sqlite_store`] made in `dir`.
pub fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("test.db").display())
}

/// A fresh PostgreSQL database (its own, created for this test), or `None` with a note on
/// stderr when no server is configured.
pub async fn postgres_store() -> Option<Arc<dyn Store>> {
    postgres_store_with_url().await.map(|(store, _)| store)
}

/// [`postgres_store`] and the URL of its database.
pub async fn postgres_store_with_url() -> Option<(Arc<dyn Store>, String)> {
    let Ok(base) = std::env::var(POSTGRES_ENV) else {
        eprintln!(
            "skipped: {POSTGRES_ENV} is not set, so the PostgreSQL conformance run is skipped"
        );
        return None;
    };
    Some(fresh_postgres(&base).await)
}

async fn fresh_postgres(base: &str) -> (Arc<dyn Store>, String) {
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(base)
        .await
        .expect("PostgreSQL is reachable");
    let now = chrono::Utc::now().timestamp();
    // Sweep databases left by crashed runs more than an hour ago.
    let stale: Vec<(String,)> =
        sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE 'sbtest\\_%'")
            .fetch_all(&mut admin)
            .await
            .expect("lists databases");
    for (name,) in stale {
        let ts = name
            .split('_')
            .nth(1)
            .and_then(|t| t.parse::<i64>().ok())
            .unwrap_or(now);
        if now - ts > 3600 {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .execute(&mut admin)
                .await;
        }
    }
    let name = format!("sbtest_{now}_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut admin)
        .await
        .expect("creates a database");
    let url = match base.rsplit_once('/') {
        Some((server, _db)) => format!("{server}/{name}"),
        None => format!("{base}/{name}"),
    };
    let store = server::store::open(&url)
        .await
        .expect("PostgreSQL store opens");
    (store, url)
}

/// A tenant for tests.
pub async fn tenant(store: &dyn Store, name: &str) -> Tenant {
    let tenant = Tenant {
        id: uuid::Uuid::new_v4().to_string(),
        name: name.to_owned(),
        licence: app::store::Licence::Premium,
        retention_days: None,
    };
    store.insert_tenant(&tenant).await.expect("tenant inserted");
    tenant
}

/// A record: a non-interactive sign-in with ordinary values, overridden by `fields`.
pub fn record_value(id: &str, time: &str, fields: Value) -> Value {
    let mut value = json!({
        "id": id, "createdDateTime": time, "signInEventTypes": ["nonInteractiveUser"], "isInteractive": false,
        "appId": "app-1", "appDisplayName": "Contoso App", "userId": "user-1", "userPrincipalName": "ann@contoso.com",
        "userDisplayName": "Ann Example", "ipAddress": "10.0.0.1", "status": {"errorCode": 0},
        "resourceId": "res-1", "resourceDisplayName": "Microsoft Graph", "correlationId": "corr-1",
        "location": {"city": "Redmond", "state": "Washington", "countryOrRegion": "US"},
        "deviceDetail": {"browser": "Edge 120.0", "operatingSystem": "Windows10"},
        "clientAppUsed": "Browser", "conditionalAccessStatus": "notApplied", "tokenIssuerType": "AzureAD"
    });
    if let (Some(v), Some(f)) = (value.as_object_mut(), fields.as_object()) {
        for (k, val) in f {
            v.insert(k.clone(), val.clone());
        }
    }
    value
}

/// A record to store.
pub fn record(id: &str, time: &str, fields: Value) -> NewSignIn {
    new_signin(&record_value(id, time, fields))
}

/// A record to store from a JSON value.
pub fn new_signin(value: &Value) -> NewSignIn {
    let text = value.to_string();
    let parsed: SignIn = serde_json::from_str(&text).expect("a valid record");
    NewSignIn::new(&parsed, &text)
}

/// An ISO time `minutes` after 2024-05-01T00:00:00Z.
pub fn at(minutes: i64) -> String {
    let base = chrono::DateTime::parse_from_rfc3339("2024-05-01T00:00:00Z")
        .expect("valid")
        .with_timezone(&chrono::Utc);
    (base + chrono::Duration::minutes(minutes)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Microseconds of [`at`].
pub fn at_micros(minutes: i64) -> i64 {
    chrono::DateTime::parse_from_rfc3339(&at(minutes))
        .expect("valid")
        .timestamp_micros()
}

/// The `id`s of stored records, in order.
pub fn ids(items: &[app::store::StoredSignIn]) -> Vec<String> {
    items
        .iter()
        .map(|s| {
            serde_json::from_str::<Value>(&s.json).expect("stored JSON")["id"]
                .as_str()
                .expect("id")
                .to_owned()
        })
        .collect()
}

/// The password test accounts get.
pub const TEST_PASSWORD: &str = "correct horse battery staple";

/// The real application on a random port with its own database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// The store behind it.
    pub store: Arc<dyn Store>,
    /// The demo-like tenant the portal shows.
    pub tenant: Tenant,
    /// The sign-in service (its clock moves in tests of expiry).
    pub auth: Arc<server::auth::Auth>,
    /// The state the app's router was built from.
    pub state: server::AppState,
    _dir: Option<tempfile::TempDir>,
}

/// A signed-in browser: its session cookie and the session's CSRF token.
#[derive(Clone, Debug)]
pub struct Session {
    /// `signbook_session=…`.
    pub cookie: String,
    /// The token forms carry.
    pub csrf: String,
}

/// A client that does not follow redirects (tests look at them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // A request the in-process server never answers fails the test instead of hanging
        // the whole run (see `the_portal_page_renders_while_another_router_is_built`).
        .timeout(std::time::Duration::from_secs(120))
        .build()
        .expect("a client")
}

/// The `name=value` of a `Set-Cookie` header named `name`, if the response sets it.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

impl TestApp {
    /// Spawns the app on `store` with `config` and `clock`, with an ingest body limit of
    /// `max_bytes`.
    pub async fn spawn_on(
        store: Arc<dyn Store>,
        dir: Option<tempfile::TempDir>,
        max_bytes: usize,
        config: server::auth::AuthConfig,
        clock: server::auth::Clock,
    ) -> TestApp {
        let api = server::graph::ApiConfig {
            rate: None,
            ..server::graph::ApiConfig::default()
        };
        TestApp::spawn_with_api(store, dir, max_bytes, config, clock, api).await
    }

    /// [`TestApp::spawn_on`] with the reporting API's settings (`spawn_on` turns its rate
    /// limit off).
    pub async fn spawn_with_api(
        store: Arc<dyn Store>,
        dir: Option<tempfile::TempDir>,
        max_bytes: usize,
        config: server::auth::AuthConfig,
        clock: server::auth::Clock,
        api_config: server::graph::ApiConfig,
    ) -> TestApp {
        let tenant = tenant(store.as_ref(), "demo").await;
        let options = leptos::prelude::LeptosOptions::builder()
            .output_name("signbook")
            .site_root("target/site")
            .build();
        let auth = Arc::new(server::auth::Auth::new(config, clock).expect("auth"));
        let state = server::AppState {
            store: Arc::clone(&store),
            leptos_options: options,
            limits: server::state::Limits {
                ingest_max_bytes: max_bytes,
            },
            auth: Arc::clone(&auth),
            api: Arc::new(
                server::graph::Api::load(store.as_ref(), api_config)
                    .await
                    .expect("api keys"),
            ),
        };
        let app = server::web::router(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let address = format!("http://{}", listener.local_addr().expect("bound"));
        tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await;
        });
        TestApp {
            address,
            store,
            tenant,
            auth,
            state,
            _dir: dir,
        }
    }

    /// Spawns the app with an ingest body limit of `max_bytes`.
    pub async fn spawn_with_limit(max_bytes: usize) -> TestApp {
        let (store, dir) = sqlite_store().await;
        TestApp::spawn_on(
            store,
            Some(dir),
            max_bytes,
            server::auth::AuthConfig::default(),
            server::auth::Clock::system(),
        )
        .await
    }

    /// Spawns the app with the default limits.
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with_limit(server::state::Limits::default().ingest_max_bytes).await
    }

    /// Creates an ingest key for the tenant.
    pub async fn ingest_key(&self) -> String {
        let key = server::keys::new_ingest_key();
        self.store
            .insert_ingest_key(&self.tenant.id, "test", &server::keys::hash_key(&key))
            .await
            .expect("key stored");
        key
    }

    /// An account in `tenant` with [`TEST_PASSWORD`].
    pub async fn account(
        &self,
        tenant: &Tenant,
        upn: &str,
        role: app::store::Role,
    ) -> app::store::UserAccount {
        server::accounts::create_user(
            self.store.as_ref(),
            tenant,
            upn,
            None,
            role,
            Some(TEST_PASSWORD.to_owned()),
        )
        .await
        .expect("account created")
        .user
    }

    /// Posts the sign-in form as a browser would (form cookie and token from `GET /signin`).
    pub async fn post_sign_in(&self, upn: &str, password: &str) -> reqwest::Response {
        self.post_sign_in_with(upn, password, None).await
    }

    /// [`TestApp::post_sign_in`] sending `cookie` too (say, a planted session cookie).
    pub async fn post_sign_in_with(
        &self,
        upn: &str,
        password: &str,
        cookie: Option<&str>,
    ) -> reqwest::Response {
        self.post_sign_in_as(upn, password, cookie, None).await
    }

    /// [`TestApp::post_sign_in`] from the client a trusted proxy names in `X-Forwarded-For`.
    pub async fn post_sign_in_from(
        &self,
        upn: &str,
        password: &str,
        forwarded_for: &str,
    ) -> reqwest::Response {
        self.post_sign_in_as(upn, password, None, Some(forwarded_for))
            .await
    }

    async fn post_sign_in_as(
        &self,
        upn: &str,
        password: &str,
        cookie: Option<&str>,
        forwarded_for: Option<&str>,
    ) -> reqwest::Response {
        let form_page = client()
            .get(format!("{}/signin", self.address))
            .send()
            .await
            .expect("sign-in page");
        let form_cookie = set_cookie(&form_page, "signbook_signin").expect("the form's cookie");
        let html = form_page.text().await.expect("html");
        let token = hidden(&html, "csrf").expect("the form's token");
        let cookies = match cookie {
            Some(c) => format!("{form_cookie}; {c}"),
            None => form_cookie,
        };
        let mut request = client()
            .post(format!("{}/signin", self.address))
            .header("origin", &self.address);
        if let Some(ip) = forwarded_for {
            request = request.header("x-forwarded-for", ip);
        }
        request
            .header("cookie", cookies)
            .header("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
            .form(&[("upn", upn), ("password", password), ("csrf", &token), ("next", "/")])
            .send()
            .await
            .expect("sign-in answer")
    }

    /// Signs in with [`TEST_PASSWORD`]; panics unless it works.
    pub async fn sign_in(&self, upn: &str) -> Session {
        let response = self.post_sign_in(upn, TEST_PASSWORD).await;
        assert_eq!(response.status(), 303, "{upn} signs in");
        let cookie = set_cookie(&response, "signbook_session").expect("a session cookie");
        let admin = client()
            .get(format!("{}/account/password", self.address))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("password page");
        let html = admin.text().await.expect("html");
        let csrf = hidden(&html, "csrf").expect("the session's token");
        Session { cookie, csrf }
    }

    /// Calls a server function as the blade does (JSON body, same origin).
    pub async fn call(&self, session: Option<&Session>, name: &str, body: Value) -> (u16, String) {
        let mut request = client()
            .post(format!("{}/api/{name}", self.address))
            .header("origin", &self.address)
            .json(&body);
        if let Some(s) = session {
            request = request.header("cookie", &s.cookie);
        }
        let response = request.send().await.expect("an answer");
        let status = response.status().as_u16();
        (status, response.text().await.expect("a body"))
    }

    /// GETs a path.
    pub async fn get(&self, session: Option<&Session>, path: &str) -> reqwest::Response {
        let mut request = client().get(format!("{}{path}", self.address));
        if let Some(s) = session {
            request = request.header("cookie", &s.cookie);
        }
        request.send().await.expect("an answer")
    }

    /// POSTs a form (same origin, with the session's token unless `fields` has one).
    pub async fn post_form(
        &self,
        session: Option<&Session>,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut form: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut request = client()
            .post(format!("{}{path}", self.address))
            .header("origin", &self.address);
        if let Some(s) = session {
            request = request.header("cookie", &s.cookie);
            if !fields.iter().any(|(k, _)| *k == "csrf") {
                form.push(("csrf".into(), s.csrf.clone()));
            }
        }
        request.form(&form).send().await.expect("an answer")
    }
}

/// The value of a hidden input `name` in a page.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}
