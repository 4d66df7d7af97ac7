//! `POST /api/v1/ingest` through the real router and a real database.

mod common;

use app::filter::Expr;
use common::*;
use serde_json::{json, Value};

async fn post(app: &TestApp, key: Option<&str>, body: String) -> (u16, Value) {
    let client = reqwest::Client::new();
    let mut request = client
        .post(format!("{}/api/v1/ingest", app.address))
        .body(body);
    if let Some(key) = key {
        request = request.header("Authorization", format!("Bearer {key}"));
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn stored(app: &TestApp) -> i64 {
    app.store
        .count_signins(&app.tenant.id, &Expr::True)
        .await
        .expect("count")
}

#[tokio::test]
async fn a_json_array_is_stored_and_reads_back_exactly() {
    let app = TestApp::spawn().await;
    let key = app.ingest_key().await;
    let records: Vec<Value> = (0..3)
        .map(|i| record_value(&format!("r{i}"), &at(i), json!({"zExtra": {"kept": i}})))
        .collect();
    let (status, body) = post(
        &app,
        Some(&key),
        serde_json::to_string_pretty(&records).expect("json"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"inserted": 3, "duplicates": 0}));
    let found = app
        .store
        .find_signin(&app.tenant.id, "r1")
        .await
        .expect("find")
        .expect("stored");
    assert_eq!(
        serde_json::from_str::<Value>(&found.json).expect("json"),
        records[1]
    );
    assert_eq!(
        found.json,
        records[1].to_string(),
        "stored as sent, without the pretty-printing"
    );
}

#[tokio::test]
async fn ndjson_is_accepted_and_re_ingest_is_idempotent() {
    let app = TestApp::spawn().await;
    let key = app.ingest_key().await;
    let body: String = (0..4)
        .map(|i| record_value(&format!("n{i}"), &at(i), json!({})).to_string() + "\n")
        .collect();
    assert_eq!(
        post(&app, Some(&key), body.clone()).await,
        (200, json!({"inserted": 4, "duplicates": 0}))
    );
    assert_eq!(
        post(&app, Some(&key), body).await,
        (200, json!({"inserted": 0, "duplicates": 4}))
    );
    assert_eq!(stored(&app).await, 4);
}

#[tokio::test]
async fn one_bad_record_rejects_the_request_and_names_every_problem() {
    let app = TestApp::spawn().await;
    let key = app.ingest_key().await;
    let mut records: Vec<Value> = (0..5)
        .map(|i| record_value(&format!("b{i}"), &at(i), json!({})))
        .collect();
    records[1]["status"]["errorCode"] = json!("not a number");
    records[3]["createdDateTime"] = json!("last Tuesday");
    records[4].as_object_mut().expect("object").remove("id");
    let (status, body) = post(&app, Some(&key), Value::Array(records).to_string()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "BadRequest");
    assert!(body["error"]["message"]
        .as_str()
        .expect("message")
        .contains("3 of 5"));
    let details: Vec<(i64, Value)> = body["error"]["details"]
        .as_array()
        .expect("details")
        .iter()
        .map(|d| {
            (
                d["index"].as_i64().expect("index"),
                d.get("target").cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    assert_eq!(
        details,
        vec![
            (1, json!("status.errorCode")),
            (3, json!("createdDateTime")),
            (4, Value::Null)
        ]
    );
    assert_eq!(stored(&app).await, 0, "all or nothing");
}

#[tokio::test]
async fn a_bad_request_loses_nothing_already_stored() {
    let app = TestApp::spawn().await;
    let key = app.ingest_key().await;
    let good = json!([record_value("keep", &at(1), json!({}))]).to_string();
    assert_eq!(post(&app, Some(&key), good).await.0, 200);
    for bad in [
        "",
        "[",
        "{\"id\":",
        "[1,2,3]",
        "not json at all",
        "[{\"id\":\"keep\"}]",
        "\u{0}",
    ] {
        let (status, body) = post(&app, Some(&key), bad.to_owned()).await;
        assert_eq!(status, 400, "{bad:?}: {body}");
        assert!(
            body["error"]["message"].is_string(),
            "{bad:?}: a clear message"
        );
    }
    assert_eq!(stored(&app).await, 1);
    assert!(app
        .store
        .find_signin(&app.tenant.id, "keep")
        .await
        .expect("find")
        .is_some());
}

#[tokio::test]
async fn a_missing_or_wrong_key_is_refused() {
    let app = TestApp::spawn().await;
    let body = json!([record_value("x", &at(1), json!({}))]).to_string();
    let (status, payload) = post(&app, None, body.clone()).await;
    assert_eq!(
        (status, payload["error"]["code"].as_str()),
        (401, Some("InvalidAuthenticationToken"))
    );
    assert_eq!(post(&app, Some("sbk_0000"), body.clone()).await.0, 401);
    assert_eq!(stored(&app).await, 0);
}

#[tokio::test]
async fn a_body_past_the_limit_gets_413() {
    let app = TestApp::spawn_with_limit(10_000).await;
    let key = app.ingest_key().await;
    let records: Vec<Value> = (0..100)
        .map(|i| record_value(&format!("big{i}"), &at(i), json!({})))
        .collect();
    let (status, body) = post(&app, Some(&key), Value::Array(records).to_string()).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["code"], "RequestEntityTooLarge");
    assert_eq!(stored(&app).await, 0);
}

#[tokio::test]
async fn the_first_page_is_rendered_on_the_server_newest_first() {
    let app = TestApp::spawn().await;
    let key = app.ingest_key().await;
    let records = json!([
        record_value(
            "older",
            &at(1),
            json!({"signInEventTypes": ["interactiveUser"], "userDisplayName": "Older Person"})
        ),
        record_value(
            "newer",
            &at(2),
            json!({"signInEventTypes": ["interactiveUser"], "userDisplayName": "Newer Person"})
        ),
        record_value(
            "machine",
            &at(3),
            json!({"userDisplayName": "Refresh Token Person"})
        ),
    ]);
    assert_eq!(post(&app, Some(&key), records.to_string()).await.0, 200);
    // The records are from 2024: a custom date range around them, as a shared link would have.
    let url = format!(
        "{}/?date=custom&start={}&end={}",
        app.address,
        at(-60),
        at(60)
    );
    app.account(
        &app.tenant,
        "ann@contoso.com",
        app::store::Role::ReportsReader,
    )
    .await;
    let session = app.sign_in("ann@contoso.com").await;
    let html = client()
        .get(url)
        .header("cookie", &session.cookie)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let newer = html
        .find("Newer Person")
        .expect("the newest interactive sign-in is on the page");
    let older = html.find("Older Person").expect("the older one too");
    assert!(newer < older, "newest first");
    assert!(
        !html.contains("Refresh Token Person"),
        "non-interactive sign-ins are not in this list"
    );
}
