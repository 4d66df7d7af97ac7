//! Retention (issue #4): the job deletes each tenant's records older than its retention — the
//! record at the window's edge stays — and never touches an unlimited tenant; `signbook
//! import` refuses records older than the tenant's retention, saying so.

mod common;

use app::filter::Expr;
use app::store::{Licence, Store, Tenant, DAY_MICROS};
use common::*;
use serde_json::json;
use std::sync::Arc;

fn iso(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .expect("a time")
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

async fn ids_of(store: &dyn Store, tenant: &str) -> Vec<String> {
    let mut all = Vec::new();
    let mut stream = store.stream_signins(tenant, Expr::True);
    use futures::StreamExt;
    while let Some(item) = stream.next().await {
        let json: serde_json::Value =
            serde_json::from_str(&item.expect("a record").json).expect("json");
        all.push(json["id"].as_str().expect("id").to_owned());
    }
    all.sort();
    all
}

async fn the_job_keeps_the_window_and_deletes_what_is_older(store: Arc<dyn Store>) {
    let now = chrono::Utc::now().timestamp_micros();
    let week = Tenant {
        id: uuid::Uuid::new_v4().to_string(),
        name: "Week".into(),
        licence: Licence::Free,
        retention_days: Some(7),
    };
    store.insert_tenant(&week).await.expect("tenant");
    let forever = tenant(store.as_ref(), "Forever").await;
    let edge = now - 7 * DAY_MICROS;
    let records: Vec<_> = [
        ("inside", now - DAY_MICROS),
        ("at-edge", edge),
        ("just-older", edge - 1),
        ("much-older", edge - 30 * DAY_MICROS),
    ]
    .iter()
    .map(|(id, t)| record(id, &iso(*t), json!({})))
    .collect();
    store
        .insert_signins(&week.id, &records)
        .await
        .expect("insert");
    store
        .insert_signins(&forever.id, &records)
        .await
        .expect("insert");
    let config = server::retention::RetentionConfig {
        batch: 1,
        pause: std::time::Duration::from_millis(1),
        ..Default::default()
    };
    let deleted = server::retention::purge_once(store.as_ref(), now, &config)
        .await
        .expect("a run");
    assert_eq!(deleted, 2, "in batches of one, until done");
    assert_eq!(
        ids_of(store.as_ref(), &week.id).await,
        vec!["at-edge", "inside"]
    );
    assert_eq!(
        ids_of(store.as_ref(), &forever.id).await.len(),
        4,
        "unlimited keeps all"
    );
    // A second run finds nothing more to delete.
    assert_eq!(
        server::retention::purge_once(store.as_ref(), now, &config)
            .await
            .expect("a run"),
        0
    );
}

#[tokio::test]
async fn sqlite_the_job_keeps_the_window_and_deletes_what_is_older() {
    let (store, _dir) = sqlite_store().await;
    the_job_keeps_the_window_and_deletes_what_is_older(store).await;
}

#[tokio::test]
async fn postgres_the_job_keeps_the_window_and_deletes_what_is_older() {
    let Some(store) = postgres_store().await else {
        return;
    };
    the_job_keeps_the_window_and_deletes_what_is_older(store).await;
}

#[tokio::test]
async fn import_refuses_records_older_than_the_retention() {
    let (store, _dir) = sqlite_store().await;
    let month = Tenant {
        id: uuid::Uuid::new_v4().to_string(),
        name: "Month".into(),
        licence: Licence::Premium,
        retention_days: Some(30),
    };
    store.insert_tenant(&month).await.expect("tenant");
    let now = chrono::Utc::now().timestamp_micros();
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("page.json");
    let page = json!({ "value": [
        record_value("recent", &iso(now - 2 * DAY_MICROS), json!({})),
        record_value("ancient", &iso(now - 31 * DAY_MICROS), json!({})),
    ]});
    std::fs::write(&file, page.to_string()).expect("written");
    let mut out = Vec::new();
    let summary = server::import::import_files(Arc::clone(&store), &month, &[file], &mut out)
        .await
        .expect("import runs");
    let out = String::from_utf8(out).expect("utf-8");
    assert_eq!((summary.imported, summary.rejected), (1, 1));
    assert!(
        out.contains("older than the tenant's retention of 30 days"),
        "{out}"
    );
    assert_eq!(ids_of(store.as_ref(), &month.id).await, vec!["recent"]);
}
