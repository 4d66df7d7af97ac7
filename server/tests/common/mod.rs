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
pub const POSTGRES_ENV: &str = "SIGNBOOK_TEST_POSTGRES_URL";

/// A fresh SQLite database in a temporary directory (kept alive by the returned guard).
pub async fn sqlite_store() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let store = server::store::open(&url).await.expect("SQLite store opens");
    (store, dir)
}

/// A fresh PostgreSQL database (its own, created for this test), or `None` with a note on
/// stderr when no server is configured.
pub async fn postgres_store() -> Option<Arc<dyn Store>> {
    let Ok(base) = std::env::var(POSTGRES_ENV) else {
        eprintln!(
            "skipped: {POSTGRES_ENV} is not set, so the PostgreSQL conformance run is skipped"
        );
        return None;
    };
    Some(fresh_postgres(&base).await)
}

async fn fresh_postgres(base: &str) -> Arc<dyn Store> {
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
    server::store::open(&url)
        .await
        .expect("PostgreSQL store opens")
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

/// The real application on a random port with its own SQLite database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// The store behind it.
    pub store: Arc<dyn Store>,
    /// The demo-like tenant the portal shows.
    pub tenant: Tenant,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// Spawns the app with an ingest body limit of `max_bytes`.
    pub async fn spawn_with_limit(max_bytes: usize) -> TestApp {
        let (store, dir) = sqlite_store().await;
        let tenant = tenant(store.as_ref(), "demo").await;
        let options = leptos::prelude::LeptosOptions::builder()
            .output_name("signbook")
            .site_root("target/site")
            .build();
        let state = server::AppState {
            store: Arc::clone(&store),
            leptos_options: options,
            limits: server::state::Limits {
                ingest_max_bytes: max_bytes,
            },
        };
        let app = server::web::router(state, tenant.id.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let address = format!("http://{}", listener.local_addr().expect("bound"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app.into_make_service()).await;
        });
        TestApp {
            address,
            store,
            tenant,
            _dir: dir,
        }
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
}
