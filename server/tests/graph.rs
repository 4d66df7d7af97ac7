//! The reporting API, its token endpoint, and download bundles, over HTTP, on SQLite and on
//! PostgreSQL (when `SIGNBOOK_TEST_POSTGRES_URL` is set): tokens and their sign-in records,
//! `$filter`/`$top`/`$orderby`/`$select`/`$count`, stable tamper-proof paging, the summarized
//! functions, Graph's errors, the rate limit, session callers in their scope, ingest with a
//! token, the CSV and JSON bundles and their round trip through `signbook import`, and
//! Microsoft's Python Graph SDK against it all.

#[macro_use]
mod common;

use app::filter::{report_expr, Expr, Field, Literal, Op};
use app::model::EventType;
use app::store::{AppRegistration, Licence, Role, Store, Tenant};
use common::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::sync::Arc;

on_both_backends!(
    tokens_are_issued_refused_and_recorded,
    lists_filter_page_and_refuse_what_they_cannot_run,
    summarized_sign_ins_match_the_blades_groups,
    session_callers_read_their_scope_and_ingest_takes_tokens,
    csv_and_json_bundles_hold_the_filter_and_import_back,
    the_python_graph_sdk_works_unmodified,
);

async fn spawn(store: Arc<dyn Store>, dir: Option<tempfile::TempDir>) -> TestApp {
    TestApp::spawn_on(
        store,
        dir,
        32 * 1024 * 1024,
        server::auth::AuthConfig::default(),
        server::auth::Clock::system(),
    )
    .await
}

async fn register(app: &TestApp, tenant: &Tenant, read: bool) -> (AppRegistration, String) {
    let permissions: &[&str] = if read {
        &[server::graph::AUDIT_LOG_READ_ALL]
    } else {
        &[]
    };
    register_with(app, tenant, permissions).await
}

async fn register_with(
    app: &TestApp,
    tenant: &Tenant,
    permissions: &[&str],
) -> (AppRegistration, String) {
    server::graph::apps::register(
        app.store.as_ref(),
        tenant,
        "Export tool",
        permissions,
        chrono::Utc::now().timestamp_micros(),
    )
    .await
    .expect("registered")
}

async fn token_response(app: &TestApp, tenant: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = client()
        .post(format!("{}/{tenant}/oauth2/v2.0/token", app.address))
        .form(form)
        .send()
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

async fn token(app: &TestApp, tenant: &Tenant, client_id: &str, secret: &str) -> String {
    let (status, body) = token_response(
        app,
        &tenant.name,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", "https://graph.microsoft.com/.default"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().expect("a token").to_owned()
}

async fn api(app: &TestApp, token: Option<&str>, path: &str) -> (u16, Value) {
    let url = if path.starts_with("http") {
        path.to_owned()
    } else {
        format!("{}{path}", app.address)
    };
    let mut request = client().get(url);
    if let Some(t) = token {
        request = request.bearer_auth(t);
    }
    let response = request.send().await.expect("an answer");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON, got {status}: {text}")),
    )
}

/// Every page of a listing, following nextLinks; the ids in order.
async fn all_pages(app: &TestApp, token: Option<&str>, path: &str) -> (Vec<String>, usize) {
    let (mut ids, mut pages) = (Vec::new(), 0);
    let mut next = Some(path.to_owned());
    while let Some(url) = next.take() {
        let (status, body) = api(app, token, &url).await;
        assert_eq!(status, 200, "{url}: {body}");
        pages += 1;
        for item in body["value"].as_array().expect("value") {
            ids.push(item["id"].as_str().expect("id").to_owned());
        }
        next = body["@odata.nextLink"].as_str().map(str::to_owned);
        assert!(pages < 1000, "paging ends");
    }
    (ids, pages)
}

/// Every page of a version's listing with a `$filter`; the ids in order.
async fn filtered(app: &TestApp, token: Option<&str>, version: &str, filter: &str) -> Vec<String> {
    let path = format!("/{version}/auditLogs/signIns?$filter={}", q(filter));
    all_pages(app, token, &path).await.0
}

fn q(text: &str) -> String {
    text.replace(' ', "%20").replace('\'', "%27")
}

fn interactive(id: &str, minute: i64, fields: Value) -> app::store::NewSignIn {
    let mut f = json!({"signInEventTypes": ["interactiveUser"], "isInteractive": true});
    if let (Some(t), Some(o)) = (f.as_object_mut(), fields.as_object()) {
        for (k, v) in o {
            t.insert(k.clone(), v.clone());
        }
    }
    record(id, &at(minute), f)
}

async fn error_codes(store: &dyn Store, tenant: &str) -> Vec<i64> {
    let page = store
        .list_signins(
            tenant,
            &app::store::ListQuery {
                filter: report_expr(EventType::ServicePrincipal),
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .expect("listed");
    let mut codes: Vec<i64> = page
        .items
        .iter()
        .map(|s| {
            serde_json::from_str::<Value>(&s.json).expect("json")["status"]["errorCode"]
                .as_i64()
                .unwrap_or(0)
        })
        .collect();
    codes.sort_unstable();
    codes
}

async fn tokens_are_issued_refused_and_recorded(
    store: Arc<dyn Store>,
    dir: Option<tempfile::TempDir>,
) {
    let app = spawn(store, dir).await;
    let tenant = app.tenant.clone();
    let (reg, secret) = register(&app, &tenant, true).await;
    // By name and by ID.
    let good = token(&app, &tenant, &reg.client_id, &secret).await;
    assert_eq!(good.split('.').count(), 3, "a JWT");
    let (status, body) = token_response(
        &app,
        &tenant.id,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &reg.client_id),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].as_i64().expect("expires_in") <= 3600);
    // A wrong secret, an unknown app, a disabled app, a wrong grant, an unknown tenant.
    let (status, body) = token_response(
        &app,
        &tenant.name,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &reg.client_id),
            ("client_secret", "wrong"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    assert_eq!(body["error_codes"], json!([7000215]));
    let unknown = uuid::Uuid::new_v4().to_string();
    let (status, body) = token_response(
        &app,
        &tenant.name,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &unknown),
            ("client_secret", "x"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error_codes"].clone()),
        (400, json!([700016]))
    );
    let (status, body) = token_response(
        &app,
        &tenant.name,
        &[
            ("grant_type", "password"),
            ("client_id", &reg.client_id),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let (status, _) = token_response(
        &app,
        "no-such-tenant",
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(status, 400);
    // Another tenant's app is unknown here.
    let other = tenant_of(&app, "fabrikam", Licence::Premium).await;
    let (other_reg, other_secret) = register(&app, &other, true).await;
    let (status, body) = token_response(
        &app,
        &tenant.name,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &other_reg.client_id),
            ("client_secret", &other_secret),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error_codes"].clone()),
        (400, json!([700016]))
    );
    // A new secret ends the tokens of the old one.
    let (status, _) = api(&app, Some(&good), "/v1.0/auditLogs/signIns").await;
    assert_eq!(status, 200);
    let secret = server::graph::apps::new_app_secret(app.store.as_ref(), &reg.client_id)
        .await
        .expect("new secret");
    let (status, _) = api(&app, Some(&good), "/v1.0/auditLogs/signIns").await;
    assert_eq!(status, 401, "the old secret's token");
    let good = token(&app, &tenant, &reg.client_id, &secret).await;
    app.store
        .set_app_disabled(&reg.client_id, true)
        .await
        .expect("disabled");
    let (status, body) = token_response(
        &app,
        &tenant.name,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &reg.client_id),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error_codes"].clone()),
        (400, json!([7000112]))
    );
    // The token issued before the app was disabled stops working.
    let (status, body) = api(&app, Some(&good), "/v1.0/auditLogs/signIns").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("InvalidAuthenticationToken"))
    );
    // Every request is a service principal sign-in with its code (the unknown tenant has none).
    assert_eq!(
        error_codes(app.store.as_ref(), &tenant.id).await,
        vec![0, 0, 0, 700016, 700016, 7000112, 7000215]
    );
    // The rejected grant is not a sign-in; the records name the app.
    let page = app
        .store
        .list_signins(
            &tenant.id,
            &app::store::ListQuery {
                filter: report_expr(EventType::ServicePrincipal)
                    .and(Expr::eq_int(Field::ErrorCode, 0)),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .expect("listed");
    let first: Value = serde_json::from_str(&page.items[0].json).expect("json");
    assert_eq!(first["appId"], reg.client_id.as_str());
    assert_eq!(first["servicePrincipalId"], reg.object_id.as_str());
    assert_eq!(first["resourceDisplayName"], "Microsoft Graph");
}

async fn tenant_of(app: &TestApp, name: &str, licence: Licence) -> Tenant {
    let t = Tenant {
        id: uuid::Uuid::new_v4().to_string(),
        name: name.to_owned(),
        licence,
        retention_days: None,
    };
    app.store.insert_tenant(&t).await.expect("tenant");
    t
}

/// 30 interactive sign-ins (every third failed), 5 non-interactive, 2 service principal.
async fn seed(app: &TestApp) {
    let mut batch = Vec::new();
    for n in 0..30 {
        let code = if n % 3 == 0 { 50126 } else { 0 };
        batch.push(interactive(
            &format!("i-{n:02}"),
            n,
            json!({"status": {"errorCode": code}, "userPrincipalName": if n % 2 == 0 { "ann@contoso.com" } else { "bob@contoso.com" },
                   "userId": if n % 2 == 0 { "user-1" } else { "user-2" },
                   "riskState": if n == 5 || n == 7 { "atRisk" } else { "none" },
                   "riskEventTypes_v2": if n == 7 { json!(["unfamiliarFeatures"]) } else { json!([]) }}),
        ));
    }
    for n in 0..5 {
        batch.push(record(
            &format!("n-{n}"),
            &at(100 + n),
            json!({"riskState": if n == 0 { "atRisk" } else { "none" }}),
        ));
    }
    for n in 0..2 {
        batch.push(record(
            &format!("s-{n}"),
            &at(200 + n),
            json!({"signInEventTypes": ["servicePrincipal"], "servicePrincipalId": "sp-1", "servicePrincipalName": "Backup"}),
        ));
    }
    app.store
        .insert_signins(&app.tenant.id, &batch)
        .await
        .expect("seeded");
}

async fn lists_filter_page_and_refuse_what_they_cannot_run(
    store: Arc<dyn Store>,
    dir: Option<tempfile::TempDir>,
) {
    let app = spawn(store, dir).await;
    seed(&app).await;
    let tenant = app.tenant.clone();
    let (reg, secret) = register(&app, &tenant, true).await;
    let t = token(&app, &tenant, &reg.client_id, &secret).await;
    let t = Some(t.as_str());
    // v1.0: interactive only, newest first, every page followed.
    let (ids, pages) = all_pages(&app, t, "/v1.0/auditLogs/signIns?$top=7").await;
    let expected: Vec<String> = (0..30).rev().map(|n| format!("i-{n:02}")).collect();
    assert_eq!(ids, expected);
    assert_eq!(pages, 5);
    // $filter on a nested path, with not, or and parentheses.
    let (ids, _) = all_pages(
        &app,
        t,
        &format!(
            "/v1.0/auditLogs/signIns?$top=4&$filter={}",
            q("status/errorCode ne 0")
        ),
    )
    .await;
    assert_eq!(
        ids,
        (0..30)
            .rev()
            .filter(|n| n % 3 == 0)
            .map(|n| format!("i-{n:02}"))
            .collect::<Vec<_>>()
    );
    let ids = filtered(&app, t, "beta", "not (status/errorCode eq 0) and (startsWith(userPrincipalName,'ANN') or userId eq 'nobody')").await;
    assert_eq!(
        ids,
        (0..30)
            .rev()
            .filter(|n| n % 6 == 0)
            .map(|n| format!("i-{n:02}"))
            .collect::<Vec<_>>()
    );
    let ids = filtered(
        &app,
        t,
        "beta",
        &format!(
            "createdDateTime ge {} and createdDateTime lt {}",
            at(10),
            at(12)
        ),
    )
    .await;
    assert_eq!(ids, vec!["i-11", "i-10"]);
    // Beta: event types by lambda; unfiltered beta is interactive only.
    let ids = filtered(
        &app,
        t,
        "beta",
        "signInEventTypes/any(t: t eq 'nonInteractiveUser' or t eq 'servicePrincipal')",
    )
    .await;
    // The newest service principal sign-in is this test's own token request.
    assert_eq!(ids.len(), 8, "{ids:?}");
    assert!(uuid::Uuid::parse_str(&ids[0]).is_ok(), "{ids:?}");
    assert_eq!(ids[1..], ["s-1", "s-0", "n-4", "n-3", "n-2", "n-1", "n-0"]);
    let (ids, _) = all_pages(&app, t, "/beta/auditLogs/signIns").await;
    assert_eq!(ids.len(), 30);
    // Properties kept as attributes: risk, with the any() lambda and startsWith on its items.
    let ids = filtered(&app, t, "v1.0", "riskState eq 'atRisk'").await;
    assert_eq!(
        ids,
        ["i-07", "i-05"],
        "interactive only, as without the filter"
    );
    let ids = filtered(
        &app,
        t,
        "beta",
        "signInEventTypes/any(t: t eq 'nonInteractiveUser') and riskState eq 'atRisk'",
    )
    .await;
    assert_eq!(ids, ["n-0"]);
    let ids = filtered(
        &app,
        t,
        "beta",
        "riskEventTypes_v2/any(r: startsWith(r, 'UNFAMILIAR')) and riskState ne 'none'",
    )
    .await;
    assert_eq!(ids, ["i-07"]);
    let ids = filtered(&app, t, "v1.0", "not (riskState eq 'atRisk')").await;
    assert_eq!(ids.len(), 28);
    // $orderby asc, $select, $count.
    let (status, body) = api(
        &app,
        t,
        &format!(
            "/v1.0/auditLogs/signIns?$top=2&$orderby={}&$select=id,userPrincipalName&$count=true",
            q("createdDateTime asc")
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["@odata.count"], 30);
    assert_eq!(
        body["value"][0],
        json!({"id": "i-00", "userPrincipalName": "ann@contoso.com"})
    );
    assert!(body["@odata.context"]
        .as_str()
        .expect("context")
        .ends_with("$metadata#auditLogs/signIns(id,userPrincipalName)"));
    // v1.0 shows v1.0's properties only.
    let (_, body) = api(&app, t, "/v1.0/auditLogs/signIns?$top=1").await;
    assert!(body["value"][0].get("signInEventTypes").is_none());
    assert_eq!(body["value"][0]["isInteractive"], true);
    // Paging stays stable while records arrive, and a tampered or foreign token is refused.
    let (_, first) = api(&app, t, "/v1.0/auditLogs/signIns?$top=10").await;
    let next = first["@odata.nextLink"].as_str().expect("next").to_owned();
    app.store
        .insert_signins(&tenant.id, &[interactive("i-new", 15, json!({}))])
        .await
        .expect("a late record");
    let (rest, _) = all_pages(&app, t, &next).await;
    assert_eq!(
        rest,
        (0..20)
            .rev()
            .map(|n| format!("i-{n:02}"))
            .collect::<Vec<_>>(),
        "the late record is not in this listing"
    );
    let token_at = next
        .find("%24skiptoken=")
        .or_else(|| next.find("$skiptoken="))
        .expect("a skiptoken");
    let mut tampered = next.clone();
    let last = tampered.pop().expect("a char");
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    let (status, body) = api(&app, t, &tampered).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .expect("message")
        .contains("$skiptoken"));
    let foreign = format!("/v1.0/auditLogs/signIns?$top=3&{}", &next[token_at..]);
    let (status, body) = api(&app, t, &foreign).await;
    assert_eq!(status, 400, "{body}");
    // Errors name what is wrong.
    for (path, needle) in [
        ("/v1.0/auditLogs/signIns?$filter=riskState%20lt%20%27atRisk%27", "'lt' is not supported for property 'riskState'"),
        ("/v1.0/auditLogs/signIns?$filter=appId%20gt%20%27a%27", "'gt'"),
        ("/v1.0/auditLogs/signIns?$filter=nosuch%20eq%201", "nosuch"),
        ("/v1.0/auditLogs/signIns?$top=1001", "between 1 and 1000"),
        ("/v1.0/auditLogs/signIns?$orderby=userId", "createdDateTime"),
        ("/v1.0/auditLogs/signIns?$expand=x", "$expand"),
        ("/v1.0/auditLogs/signIns?$select=nosuch", "nosuch"),
        ("/v1.0/auditLogs/signIns?$filter=signInEventTypes/any(t:%20t%20eq%20%27servicePrincipal%27)", "beta"),
    ] {
        let (status, body) = api(&app, t, path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["error"]["code"], "BadRequest");
        assert!(body["error"]["message"].as_str().expect("message").contains(needle), "{path}: {body}");
        assert!(body["error"]["innerError"]["request-id"].is_string());
    }
    // By ID, and 404 for what is not there.
    let (status, body) = api(&app, t, "/beta/auditLogs/signIns/n-2").await;
    assert_eq!((status, body["id"].as_str()), (200, Some("n-2")));
    assert!(body["@odata.context"]
        .as_str()
        .expect("context")
        .ends_with("/$entity"));
    let (status, body) = api(&app, t, "/v1.0/auditLogs/signIns/nope").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("Request_ResourceNotFound"))
    );
    // 401 without a token; 403 without the permission; the licence error on Free.
    let (status, body) = api(&app, None, "/v1.0/auditLogs/signIns").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("InvalidAuthenticationToken"))
    );
    let (status, _) = api(&app, Some("not.a.token"), "/v1.0/auditLogs/signIns").await;
    assert_eq!(status, 401);
    let (weak, weak_secret) = register(&app, &tenant, false).await;
    let weak_token = token(&app, &tenant, &weak.client_id, &weak_secret).await;
    let (status, body) = api(&app, Some(&weak_token), "/v1.0/auditLogs/signIns").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("Authorization_RequestDenied"))
    );
    let free = tenant_of(&app, "freebie", Licence::Free).await;
    let (free_reg, free_secret) = register(&app, &free, true).await;
    let free_token = token(&app, &free, &free_reg.client_id, &free_secret).await;
    let (status, body) = api(&app, Some(&free_token), "/v1.0/auditLogs/signIns").await;
    assert_eq!(status, 403);
    assert_eq!(
        body["error"]["message"],
        "Neither tenant is B2C or tenant doesn't have premium license"
    );
    // Another tenant's token never sees this tenant's records.
    let other = tenant_of(&app, "fabrikam", Licence::Premium).await;
    let (other_reg, other_secret) = register(&app, &other, true).await;
    let other_token = token(&app, &other, &other_reg.client_id, &other_secret).await;
    let (ids, _) = all_pages(&app, Some(&other_token), "/beta/auditLogs/signIns").await;
    assert!(ids.is_empty(), "{ids:?}");
    let (status, _) = api(&app, Some(&other_token), "/beta/auditLogs/signIns/i-01").await;
    assert_eq!(status, 404);
}

async fn summarized_sign_ins_match_the_blades_groups(
    store: Arc<dyn Store>,
    dir: Option<tempfile::TempDir>,
) {
    let app = spawn(store, dir).await;
    let tenant = app.tenant.clone();
    // Two groups of non-interactive sign-ins (two IPs), across two hours.
    let mut batch = Vec::new();
    for n in 0..12 {
        batch.push(record(
            &format!("n-{n:02}"),
            &at(n * 10),
            json!({"ipAddress": if n % 2 == 0 { "10.0.0.1" } else { "10.0.0.2" }}),
        ));
    }
    app.store
        .insert_signins(&tenant.id, &batch)
        .await
        .expect("seeded");
    let (reg, secret) = register(&app, &tenant, true).await;
    let t = token(&app, &tenant, &reg.client_id, &secret).await;
    let t = Some(t.as_str());
    let (status, body) = api(
        &app,
        t,
        "/beta/auditLogs/getSummarizedNonInteractiveSignIns(aggregationWindow='d1')?$count=true",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let items = body["value"].as_array().expect("value");
    assert_eq!(items.len(), 2);
    assert_eq!(body["@odata.count"], 2);
    let counts: Vec<i64> = items
        .iter()
        .map(|i| i["signInCount"].as_i64().expect("count"))
        .collect();
    assert_eq!(counts, vec![6, 6]);
    assert_eq!(items[0]["tenantId"], tenant.id.as_str());
    assert_eq!(items[0]["aggregationDateTime"], "2024-05-01T00:00:00Z");
    // h1: 110 minutes span two hours per IP → four groups; paged one at a time.
    let mut total = 0;
    let mut pages = 0;
    let mut next = Some(
        "/beta/auditLogs/getSummarizedNonInteractiveSignIns(aggregationWindow='h1')?$top=1"
            .to_owned(),
    );
    let mut seen = HashSet::new();
    while let Some(url) = next.take() {
        let (status, body) = api(&app, t, &url).await;
        assert_eq!(status, 200, "{body}");
        for item in body["value"].as_array().expect("value") {
            total += item["signInCount"].as_i64().expect("count");
            assert!(
                seen.insert(item["id"].as_str().expect("id").to_owned()),
                "ids are unique"
            );
        }
        pages += 1;
        next = body["@odata.nextLink"].as_str().map(str::to_owned);
    }
    assert_eq!((pages, total), (4, 12));
    // $filter on a summarized property.
    let (_, body) = api(
        &app,
        t,
        &format!(
            "/beta/auditLogs/getSummarizedNonInteractiveSignIns(aggregationWindow='d1')?$filter={}",
            q("ipAddress eq '10.0.0.2'")
        ),
    )
    .await;
    assert_eq!(body["value"].as_array().expect("value").len(), 1);
    assert_eq!(body["value"][0]["ipAddress"], "10.0.0.2");
    // Errors: a bad window, a v1.0 call, an unknown function.
    let (status, _) = api(
        &app,
        t,
        "/beta/auditLogs/getSummarizedNonInteractiveSignIns(aggregationWindow='w1')",
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = api(
        &app,
        t,
        "/v1.0/auditLogs/getSummarizedNonInteractiveSignIns(aggregationWindow='d1')",
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = api(
        &app,
        t,
        "/beta/auditLogs/getSummarizedThings(aggregationWindow='d1')",
    )
    .await;
    assert_eq!(status, 400);
    // The service principal summary holds the token request; no managed identities here.
    for (f, groups) in [
        ("getSummarizedServicePrincipalSignIns", 1),
        ("getSummarizedMSISignIns", 0),
    ] {
        let (status, body) = api(
            &app,
            t,
            &format!("/beta/auditLogs/{f}(aggregationWindow='h6')"),
        )
        .await;
        assert_eq!(
            (status, body["value"].as_array().map(Vec::len)),
            (200, Some(groups)),
            "{f}"
        );
    }
}

async fn session_callers_read_their_scope_and_ingest_takes_tokens(
    store: Arc<dyn Store>,
    dir: Option<tempfile::TempDir>,
) {
    let app = spawn(store, dir).await;
    seed(&app).await;
    let tenant = app.tenant.clone();
    app.account(&tenant, "ann@contoso.com", Role::User).await;
    let session = app.sign_in("ann@contoso.com").await;
    let admin_session = {
        app.account(&tenant, "admin@contoso.com", Role::ReportsReader)
            .await;
        app.sign_in("admin@contoso.com").await
    };
    let get = |session: Session, path: &'static str| {
        let address = app.address.clone();
        async move {
            let response = client()
                .get(format!("{address}{path}"))
                .header("cookie", &session.cookie)
                .send()
                .await
                .expect("an answer");
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.expect("JSON"))
        }
    };
    // Ann sees only sign-ins with her UPN (user IDs in the seed differ from her account's).
    let (status, body) = get(session.clone(), "/beta/auditLogs/signIns?$filter=signInEventTypes/any(t:t%20eq%20%27interactiveUser%27%20or%20t%20eq%20%27servicePrincipal%27)").await;
    assert_eq!(status, 200, "{body}");
    let ids: Vec<&str> = body["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|v| v["id"].as_str().expect("id"))
        .collect();
    // Her 15 seeded sign-ins and her own portal sign-in; no machine sign-ins.
    assert_eq!(
        ids.iter().filter(|id| id.starts_with("i-")).count(),
        15,
        "{ids:?}"
    );
    assert_eq!(ids.len(), 16, "{ids:?}");
    for v in body["value"].as_array().expect("value") {
        assert_eq!(v["userPrincipalName"], "ann@contoso.com");
        assert_eq!(v["signInEventTypes"], json!(["interactiveUser"]));
    }
    let (status, _) = get(session.clone(), "/beta/auditLogs/signIns/i-01").await;
    assert_eq!(status, 404, "Bob's sign-in is not Ann's");
    let (status, _) = get(session.clone(), "/beta/auditLogs/signIns/i-00").await;
    assert_eq!(status, 200);
    let (status, body) = get(admin_session, "/v1.0/auditLogs/signIns").await;
    // The 30 seeded and both portal sign-ins of this test.
    assert_eq!(
        (status, body["value"].as_array().map(Vec::len)),
        (200, Some(32))
    );
    // Ingest takes the token of an app allowed to push, and refuses a reader's.
    let (reader, reader_secret) = register(&app, &tenant, true).await;
    let reader_token = token(&app, &tenant, &reader.client_id, &reader_secret).await;
    let response = client()
        .post(format!("{}/api/v1/ingest", app.address))
        .bearer_auth(&reader_token)
        .body(json!([record_value("pushed-0", &at(500), json!({}))]).to_string())
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 403);
    assert!(app
        .store
        .find_signin(&tenant.id, "pushed-0")
        .await
        .expect("read")
        .is_none());
    let (reg, secret) = register_with(&app, &tenant, &[server::graph::SIGNINS_INGEST]).await;
    let t = token(&app, &tenant, &reg.client_id, &secret).await;
    let response = client()
        .post(format!("{}/api/v1/ingest", app.address))
        .bearer_auth(&t)
        .body(json!([record_value("pushed-1", &at(500), json!({}))]).to_string())
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 200);
    assert!(app
        .store
        .find_signin(&tenant.id, "pushed-1")
        .await
        .expect("read")
        .is_some());
    let response = client()
        .post(format!("{}/api/v1/ingest", app.address))
        .bearer_auth("a.b.c")
        .body("[]")
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 401);
}

/// The 429 after the configured rate, with Retry-After.
#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let (store, dir) = sqlite_store().await;
    let app = TestApp::spawn_with_api(
        store,
        Some(dir),
        1024 * 1024,
        server::auth::AuthConfig::default(),
        server::auth::Clock::system(),
        server::graph::ApiConfig {
            rate: server::graph::parse_rate("3/10s").expect("rate"),
            ..server::graph::ApiConfig::default()
        },
    )
    .await;
    let tenant = app.tenant.clone();
    let (reg, secret) = register(&app, &tenant, true).await;
    let t = token(&app, &tenant, &reg.client_id, &secret).await;
    for _ in 0..3 {
        let (status, _) = api(&app, Some(&t), "/v1.0/auditLogs/signIns").await;
        assert_eq!(status, 200);
    }
    let response = client()
        .get(format!("{}/v1.0/auditLogs/signIns", app.address))
        .bearer_auth(&t)
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status().as_u16(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!((1..=10).contains(&retry), "{retry}");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "TooManyRequests");
}

fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut out = BTreeMap::new();
    for n in 0..archive.len() {
        let mut file = archive.by_index(n).expect("an entry");
        let mut text = String::new();
        file.read_to_string(&mut text).expect("UTF-8");
        out.insert(file.name().to_owned(), text);
    }
    out
}

async fn download(app: &TestApp, session: &Session, query: &str) -> (u16, Vec<u8>) {
    let response = client()
        .get(format!("{}/api/download?{query}", app.address))
        .header("cookie", &session.cookie)
        .send()
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    (status, response.bytes().await.expect("a body").to_vec())
}

/// The records of a tenant as JSON values by id, with `createdDateTime` as an instant.
async fn records_of(store: &dyn Store, tenant: &str) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let page = store
        .list_signins(
            tenant,
            &app::store::ListQuery {
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .expect("listed");
    for item in page.items {
        let mut v: Value = serde_json::from_str(&item.json).expect("json");
        let t = app::model::GraphDateTime::parse(v["createdDateTime"].as_str().expect("time"))
            .expect("time");
        v["createdDateTime"] = json!(t.micros());
        out.insert(v["id"].as_str().expect("id").to_owned(), v);
    }
    out
}

async fn csv_and_json_bundles_hold_the_filter_and_import_back(
    store: Arc<dyn Store>,
    dir: Option<tempfile::TempDir>,
) {
    let app = spawn(store, dir).await;
    let tenant = app.tenant.clone();
    seed(&app).await;
    // A record whose cells a spreadsheet would run, with authentication steps.
    app.store
        .insert_signins(
            &tenant.id,
            &[interactive(
                "i-evil",
                29,
                json!({"userDisplayName": "=HYPERLINK(\"http://evil\")", "userAgent": "+cmd", "appDisplayName": "@SUM(A1)",
                       "authenticationDetails": [
                           {"authenticationStepDateTime": at(29), "authenticationMethod": "Password", "authenticationMethodDetail": "Password in the cloud",
                            "succeeded": true, "authenticationStepResultDetail": "Correct password", "authenticationStepRequirement": "Primary authentication"},
                           {"authenticationStepDateTime": at(29), "authenticationMethod": "-SMS", "succeeded": false,
                            "authenticationStepResultDetail": "MFA denied", "authenticationStepRequirement": "Multifactor authentication"}]}),
            )],
        )
        .await
        .expect("stored");
    app.account(&tenant, "reader@contoso.com", Role::ReportsReader)
        .await;
    let session = app.sign_in("reader@contoso.com").await;
    let range = format!(
        "date=custom&start={}&end={}",
        q(&at(0)).replace(':', "%3A"),
        q(&at(300)).replace(':', "%3A")
    );
    // The plan (server function) counts each report.
    let (status, plan) = app
        .call(Some(&session), "download_plan", json!({"filter": app::filter::ReportFilter {
            date: app::filter::DateFilter::Custom { start: Some(at_micros(0)), end: Some(at_micros(300)) },
            ..Default::default()
        }, "now": 0}))
        .await;
    assert_eq!(status, 200, "{plan}");
    let plan: Value = serde_json::from_str(&plan).expect("json");
    assert_eq!(plan["total"], 38);
    assert_eq!(plan["left_out"], 0);
    // CSV: six files with the portal's names and headers.
    let (status, bytes) = download(&app, &session, &format!("format=csv&id=csv-1&{range}")).await;
    assert_eq!(status, 200);
    let files = unzip(&bytes);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        vec![
            "ApplicationSignIns_2024-05-01_2024-05-01.csv",
            "InteractiveSignIns_2024-05-01_2024-05-01.csv",
            "InteractiveSignIns_AuthDetails_2024-05-01_2024-05-01.csv",
            "MSISignIns_2024-05-01_2024-05-01.csv",
            "NonInteractiveSignIns_2024-05-01_2024-05-01.csv",
            "NonInteractiveSignIns_AuthDetails_2024-05-01_2024-05-01.csv",
        ]
    );
    let interactive_csv = &files["InteractiveSignIns_2024-05-01_2024-05-01.csv"];
    let header = interactive_csv.lines().next().expect("header");
    assert!(header.starts_with("Date (UTC),Request ID,User agent,Correlation ID,"));
    assert!(header.contains("Application ID ,App owner tenant ID"));
    assert!(header.contains("Autonomous system  number"));
    assert_eq!(interactive_csv.lines().count(), 32, "header and 31 rows");
    assert!(
        interactive_csv.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""),
        "neutralised and quoted"
    );
    assert!(interactive_csv.contains(",'+cmd,"));
    let auth = &files["InteractiveSignIns_AuthDetails_2024-05-01_2024-05-01.csv"];
    assert_eq!(auth.lines().next(), Some("Request ID,Date (UTC),Authentication method,Authentication method detail,Requirement,Succeeded,Result detail"));
    assert_eq!(auth.lines().count(), 3);
    assert!(auth.contains("i-evil,2024-05-01T00:29:00Z,'-SMS,"));
    assert_eq!(
        files["ApplicationSignIns_2024-05-01_2024-05-01.csv"]
            .lines()
            .count(),
        3
    );
    // A filter narrows every file.
    let (_, bytes) = download(
        &app,
        &session,
        &format!("format=json&id=json-1&{range}&status=failure"),
    )
    .await;
    let files = unzip(&bytes);
    assert_eq!(files.len(), 4);
    let failed: Vec<Value> =
        serde_json::from_str(&files["InteractiveSignIns_2024-05-01_2024-05-01.json"])
            .expect("a JSON array");
    assert_eq!(failed.len(), 10);
    let empty: Vec<Value> =
        serde_json::from_str(&files["NonInteractiveSignIns_2024-05-01_2024-05-01.json"])
            .expect("a JSON array");
    assert!(empty.is_empty());
    // Round trip: both bundles import into a new tenant with nothing lost.
    let mut original = records_of(app.store.as_ref(), &tenant.id).await;
    // The bundle's range holds the seeded records, not the reader's portal sign-in of today.
    original.retain(|_, v| v["createdDateTime"].as_i64() < Some(at_micros(300)));
    assert_eq!(original.len(), 38);
    for format in ["json", "csv"] {
        let (_, bytes) = download(
            &app,
            &session,
            &format!("format={format}&id=rt-{format}&{range}"),
        )
        .await;
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join(format!("bundle-{format}.zip"));
        std::fs::write(&path, &bytes).expect("written");
        let target = tenant_of(&app, &format!("copy-{format}"), Licence::Premium).await;
        let mut out = Vec::new();
        let summary =
            server::import::import_files(Arc::clone(&app.store), &target, &[path], &mut out)
                .await
                .expect("imported");
        assert_eq!(
            (summary.imported, summary.rejected, summary.failed_files),
            (38, 0, 0),
            "{format}: {}",
            String::from_utf8_lossy(&out)
        );
        let copy = records_of(app.store.as_ref(), &target.id).await;
        assert_eq!(copy.len(), original.len());
        for (id, before) in &original {
            let after = &copy[id];
            if format == "json" {
                assert_eq!(before, after, "{format} {id}");
            } else {
                // What the CSV carries comes back as it was (the service principal file has
                // no user, device or authentication columns).
                let common = [
                    "/createdDateTime",
                    "/appId",
                    "/appDisplayName",
                    "/ipAddress",
                    "/status/errorCode",
                    "/location/city",
                    "/location/countryOrRegion",
                    "/conditionalAccessStatus",
                    "/correlationId",
                    "/resourceId",
                    "/resourceDisplayName",
                ];
                let user = [
                    "/userPrincipalName",
                    "/userDisplayName",
                    "/userId",
                    "/userAgent",
                    "/deviceDetail/browser",
                    "/deviceDetail/operatingSystem",
                    "/clientAppUsed",
                    "/authenticationDetails",
                    "/tokenIssuerType",
                ];
                let machine = ["/servicePrincipalName", "/servicePrincipalId"];
                let extra: &[&str] = if id.starts_with("s-") {
                    &machine
                } else {
                    &user
                };
                for path in common.iter().chain(extra) {
                    assert_eq!(
                        before.pointer(path),
                        after.pointer(path),
                        "{format} {id} {path}"
                    );
                }
                assert_eq!(
                    before["signInEventTypes"], after["signInEventTypes"],
                    "{id}"
                );
            }
        }
    }
    // Bad requests lose nothing and say why.
    let (status, _) = download(&app, &session, "format=xml&id=x-1").await;
    assert_eq!(status, 400);
    let (status, _) = download(&app, &session, "format=csv").await;
    assert_eq!(status, 400, "an id is needed");
    let response = client()
        .get(format!("{}/api/download?format=csv&id=anon", app.address))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status().as_u16(), 401);
    // Progress of a finished download; another user cannot see it.
    let (status, body) = app
        .call(Some(&session), "download_progress", json!({"id": "csv-1"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let progress: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        (progress["done"].as_bool(), progress["written"].as_i64()),
        (Some(true), Some(38))
    );
    app.account(&tenant, "other@contoso.com", Role::ReportsReader)
        .await;
    let other = app.sign_in("other@contoso.com").await;
    let (status, _) = app
        .call(Some(&other), "download_progress", json!({"id": "csv-1"}))
        .await;
    assert_eq!(status, 404);
}

/// Microsoft's Python SDK (msgraph-sdk, msgraph-beta-sdk, azure-identity; pinned in
/// tests/graph_sdk/requirements.txt) against the server: its results equal the store's own.
async fn the_python_graph_sdk_works_unmodified(
    store: Arc<dyn Store>,
    dir: Option<tempfile::TempDir>,
) {
    let Ok(python) = std::env::var("SIGNBOOK_GRAPH_SDK_PYTHON") else {
        eprintln!("skipped: SIGNBOOK_GRAPH_SDK_PYTHON is not set (scripts/test.sh sets it to the SDK's venv)");
        return;
    };
    let app = spawn(store, dir).await;
    let tenant = app.tenant.clone();
    // 2,500 interactive sign-ins (every fourth failed) and 300 non-interactive.
    let mut batch = Vec::new();
    for n in 0..2500 {
        batch.push(interactive(
            &format!("sdk-{n:05}"),
            n,
            json!({"status": {"errorCode": if n % 4 == 0 { 50126 } else { 0 }}}),
        ));
    }
    for n in 0..300 {
        batch.push(record(
            &format!("sdk-ni-{n:04}"),
            &at(n),
            json!({"ipAddress": format!("10.0.{}.1", n % 3)}),
        ));
    }
    app.store
        .insert_signins(&tenant.id, &batch)
        .await
        .expect("seeded");
    let (reg, secret) = register(&app, &tenant, true).await;
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/graph_sdk/sdk_check.py");
    let (address, tenant_id, client_id) = (
        app.address.clone(),
        tenant.id.clone(),
        reg.client_id.clone(),
    );
    // The app serves on this test's runtime: wait for the script on another thread.
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(&python)
            .arg(&script)
            .env("SIGNBOOK_URL", address)
            .env("SIGNBOOK_TENANT", tenant_id)
            .env("SIGNBOOK_CLIENT_ID", client_id)
            .env("SIGNBOOK_CLIENT_SECRET", secret)
            .env("SIGNBOOK_FILTER", "status/errorCode ne 0")
            .env("SIGNBOOK_TOP", "100")
            .env("SIGNBOOK_AGGREGATION", "d1")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .output()
    })
    .await
    .expect("joined")
    .expect("the SDK script runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "SDK run failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: Value = serde_json::from_str(&stdout).expect("the script's JSON");
    // The store's own answers.
    let failed = Expr::And(vec![
        report_expr(EventType::Interactive),
        Expr::Cmp(Field::ErrorCode, Op::Ne, Literal::Integer(0)),
    ]);
    let expected_failed = app
        .store
        .count_signins(&tenant.id, &failed)
        .await
        .expect("count");
    let ids = result["v1"]["ids"].as_array().expect("ids");
    assert_eq!(ids.len() as i64, expected_failed);
    assert_eq!(result["v1"]["pages"], 7, "625 at 100 a page");
    assert_eq!(ids[0], "sdk-02496", "newest first");
    assert_eq!(result["by_id"]["id"], "sdk-02496");
    let ni = app
        .store
        .count_signins(&tenant.id, &report_expr(EventType::NonInteractive))
        .await
        .expect("count");
    assert_eq!(
        result["beta_noninteractive"]["ids"]
            .as_array()
            .expect("ids")
            .len() as i64,
        ni
    );
    assert_eq!(
        result["summarized"]["signInCount"].as_i64(),
        Some(ni),
        "{}",
        result["summarized"]
    );
    assert!(
        result["wrong_secret_error"]
            .as_str()
            .expect("error")
            .contains("7000215"),
        "{}",
        result["wrong_secret_error"]
    );
    // Every token the SDK asked for is a service principal sign-in.
    assert!(error_codes(app.store.as_ref(), &tenant.id)
        .await
        .contains(&7_000_215));
}

/// Cancelling a download, or going away in the middle of one, stops the server's work.
#[tokio::test]
async fn a_cancelled_or_abandoned_download_stops_the_server_work() {
    let (store, dir) = sqlite_store().await;
    let app = spawn(store, Some(dir)).await;
    let tenant = app.tenant.clone();
    // Enough records that the zip is far larger than every buffer on the way.
    for chunk in 0..6 {
        let batch: Vec<_> = (0..5000)
            .map(|n| {
                let n = chunk * 5000 + n;
                interactive(
                    &format!("big-{n:05}"),
                    n % 1000,
                    json!({"userAgent": "x".repeat(400)}),
                )
            })
            .collect();
        app.store
            .insert_signins(&tenant.id, &batch)
            .await
            .expect("seeded");
    }
    app.account(&tenant, "reader@contoso.com", Role::ReportsReader)
        .await;
    let session = app.sign_in("reader@contoso.com").await;
    let range = "date=custom&start=2024-05-01T00%3A00%3A00Z&end=2024-05-02T00%3A00%3A00Z";
    let progress = |id: &'static str| {
        let session = session.clone();
        let app = &app;
        async move {
            let (status, body) = app
                .call(Some(&session), "download_progress", json!({"id": id}))
                .await;
            assert_eq!(status, 200, "{body}");
            serde_json::from_str::<Value>(&body).expect("json")
        }
    };
    for (id, how) in [("cancel-1", "cancel"), ("gone-1", "disconnect")] {
        let mut response = client()
            .get(format!(
                "{}/api/download?format=json&id={id}&{range}",
                app.address
            ))
            .header("cookie", &session.cookie)
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["x-signbook-records"], "30000");
        let first = response.chunk().await.expect("a chunk").expect("bytes");
        assert!(!first.is_empty());
        if how == "cancel" {
            let (status, body) = app
                .call(Some(&session), "cancel_download", json!({"id": id}))
                .await;
            assert_eq!(status, 200, "{body}");
            // The body ends early (an error, or an end before the zip's directory).
            let mut rest = 0_usize;
            while let Ok(Some(c)) = response.chunk().await {
                rest += c.len();
            }
            assert!(rest < 40 * 1024 * 1024, "stopped: {rest} more bytes");
        } else {
            drop(response);
        }
        // The server notices and stops: cancelled, and no more records written after.
        let mut seen = Value::Null;
        for _ in 0..100 {
            seen = progress(id).await;
            if seen["cancelled"] == true {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(seen["cancelled"], true, "{how}: {seen}");
        assert_eq!(seen["done"], false, "{how}: {seen}");
        let written = seen["written"].as_i64().expect("written");
        assert!(written < 30_000, "{how}: {seen}");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(
            progress(id).await["written"].as_i64(),
            Some(written),
            "{how}: work stopped"
        );
    }
}
