//! The store conformance suite: every operation and filter of [`app::store::Store`], written
//! once and run against SQLite always and PostgreSQL when `SIGNBOOK_TEST_POSTGRES_URL` is set
//! (each test on a database of its own).

mod common;

use app::filter::{report_expr, Expr, Field, Literal, Op};
use app::grouping::TimeAggregate;
use app::model::{EventType, Status};
use app::store::*;
use common::*;
use futures::StreamExt;
use serde_json::json;
use std::collections::HashSet;
use std::sync::Arc;

/// Runs each named test against both backends.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let (store, _dir) = super::sqlite_store().await;
                    super::$name(store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let Some(store) = super::postgres_store().await else { return };
                    super::$name(store).await;
                }
            )*
        }
    };
}

conformance!(
    tenants_are_created_found_and_listed,
    ingest_keys_are_found_by_hash,
    a_record_reads_back_exactly_as_stored,
    re_ingesting_the_same_ids_stores_nothing_twice,
    records_come_newest_first_and_page_completely,
    every_filter_field_selects_exactly_its_records,
    attribute_filters_select_exactly_their_records,
    control_characters_in_values_are_stored_and_found,
    text_filters_ignore_case_and_match_prefixes,
    and_or_not_and_time_ranges_combine,
    every_sort_column_orders_and_pages_in_both_directions,
    paging_stays_stable_while_records_arrive,
    a_filter_that_does_not_fit_its_field_is_refused,
    groups_join_rows_that_differ_only_in_time,
    groups_treat_case_and_empty_key_fields_as_equal,
    the_time_aggregate_splits_groups_into_buckets,
    buckets_before_1970_start_on_the_hour_and_day_too,
    bucketed_groups_page_across_sparse_days,
    groups_are_computed_over_the_filter,
    group_paging_stays_stable_while_records_arrive,
    a_group_pages_through_its_members,
    interactive_sign_ins_have_no_groups,
    the_histogram_counts_each_status_per_bucket,
    streaming_reads_every_matching_record,
    no_tenant_sees_another_tenants_records,
    the_user_filter_selects_the_same_over_any_days_and_tenants,
    the_store_reports_its_size,
    offset_pages_at_a_snapshot_fit_together_while_records_arrive,
    groups_page_by_offset_at_a_snapshot,
    preferences_are_kept_per_tenant_and_user,
    accounts_are_unique_by_upn_across_tenants,
    wrong_passwords_count_and_lock_atomically,
    a_tenant_is_found_by_its_accounts_domain,
    sessions_carry_their_user_and_tenant_and_end,
    a_tenants_licence_and_retention_change,
    purging_deletes_only_records_older_than_the_cutoff,
    app_registrations_are_found_changed_and_deleted,
    a_server_key_is_made_once_and_kept,
);

fn ni() -> Expr {
    report_expr(EventType::NonInteractive)
}

/// The newest `limit` records a filter selects, from the start.
fn list_query(filter: Expr, limit: i64) -> ListQuery {
    ListQuery {
        filter,
        sort: Sort::default(),
        limit,
        cursor: None,
        offset: 0,
        snapshot: None,
    }
}

async fn all_ids(store: &dyn Store, tenant: &str, filter: Expr) -> Vec<String> {
    let query = list_query(filter, MAX_PAGE);
    ids(&store
        .list_signins(tenant, &query)
        .await
        .expect("list")
        .items)
}

async fn tenants_are_created_found_and_listed(store: Arc<dyn Store>) {
    let a = tenant(store.as_ref(), "Contoso").await;
    let b = tenant(store.as_ref(), "Fabrikam").await;
    assert_eq!(
        store.find_tenant("contoso").await.expect("find").as_ref(),
        Some(&a),
        "by name, any case"
    );
    assert_eq!(
        store.find_tenant(&b.id).await.expect("find").as_ref(),
        Some(&b),
        "by ID"
    );
    assert_eq!(store.find_tenant("nobody").await.expect("find"), None);
    let names: Vec<String> = store
        .list_tenants()
        .await
        .expect("list")
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, vec!["Contoso", "Fabrikam"]);
    let again = Tenant {
        id: uuid::Uuid::new_v4().to_string(),
        ..a.clone()
    };
    assert!(
        matches!(
            store.insert_tenant(&again).await,
            Err(StoreError::Conflict(_))
        ),
        "names are unique"
    );
    let limited = Tenant {
        id: uuid::Uuid::new_v4().to_string(),
        name: "Free one".into(),
        licence: Licence::Free,
        retention_days: Some(7),
    };
    store.insert_tenant(&limited).await.expect("insert");
    assert_eq!(
        store.find_tenant("free one").await.expect("find"),
        Some(limited)
    );
}

async fn ingest_keys_are_found_by_hash(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    store
        .insert_ingest_key(&t.id, "forwarder", "hash-1")
        .await
        .expect("insert");
    let key = store
        .find_ingest_key("hash-1")
        .await
        .expect("find")
        .expect("present");
    assert_eq!(
        (key.tenant_id.as_str(), key.name.as_str()),
        (t.id.as_str(), "forwarder")
    );
    assert_eq!(store.find_ingest_key("hash-2").await.expect("find"), None);
    assert!(store
        .insert_ingest_key("no-such-tenant", "x", "hash-3")
        .await
        .is_err());
}

async fn app_registrations_are_found_changed_and_deleted(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    let other = tenant(store.as_ref(), "Fabrikam").await;
    let app = app::store::AppRegistration {
        client_id: "AAAA-1".into(),
        object_id: "obj-1".into(),
        tenant_id: t.id.clone(),
        display_name: "Zeta export".into(),
        secret_hash: "hash-1".into(),
        secret_hint: "Qx7".into(),
        permissions: vec!["AuditLog.Read.All".into()],
        disabled: false,
        created_at: 42,
    };
    store.insert_app(&app).await.expect("insert");
    let second = app::store::AppRegistration {
        client_id: "bbbb-2".into(),
        object_id: "obj-2".into(),
        display_name: "Alpha".into(),
        permissions: Vec::new(),
        ..app.clone()
    };
    store.insert_app(&second).await.expect("insert");
    // Client IDs are kept lower-case and found in any case.
    let found = store
        .find_app("aaaa-1")
        .await
        .expect("find")
        .expect("present");
    assert_eq!(found.client_id, "aaaa-1");
    assert_eq!(
        (
            found.display_name.as_str(),
            found.permissions.clone(),
            found.created_at
        ),
        ("Zeta export", vec!["AuditLog.Read.All".to_owned()], 42)
    );
    assert_eq!(store.find_app("AAAA-1").await.expect("find"), Some(found));
    let listed: Vec<String> = store
        .list_apps(&t.id)
        .await
        .expect("list")
        .into_iter()
        .map(|a| a.display_name)
        .collect();
    assert_eq!(listed, vec!["Alpha", "Zeta export"]);
    assert!(store.list_apps(&other.id).await.expect("list").is_empty());
    assert!(matches!(
        store.insert_app(&app).await,
        Err(app::store::StoreError::Conflict(_))
    ));
    store
        .set_app_secret("aaaa-1", "hash-2", "Abc")
        .await
        .expect("secret");
    store
        .set_app_disabled("AAAA-1", true)
        .await
        .expect("disable");
    let changed = store
        .find_app("aaaa-1")
        .await
        .expect("find")
        .expect("present");
    assert_eq!(
        (
            changed.secret_hash.as_str(),
            changed.secret_hint.as_str(),
            changed.disabled
        ),
        ("hash-2", "Abc", true)
    );
    store.delete_app("aaaa-1").await.expect("delete");
    assert_eq!(store.find_app("aaaa-1").await.expect("find"), None);
    for result in [
        store.delete_app("aaaa-1").await,
        store.set_app_disabled("nope", true).await,
        store.set_app_secret("nope", "h", "h").await,
    ] {
        assert!(
            matches!(result, Err(app::store::StoreError::NotFound)),
            "{result:?}"
        );
    }
}

async fn a_server_key_is_made_once_and_kept(store: Arc<dyn Store>) {
    let first = store.server_key("k", "one").await.expect("key");
    assert_eq!(first, "one");
    assert_eq!(store.server_key("k", "two").await.expect("key"), "one");
    assert_eq!(
        store.server_key("other", "three").await.expect("key"),
        "three"
    );
}

async fn a_record_reads_back_exactly_as_stored(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    // Key order, unknown properties, nulls, number forms and non-ASCII text must all survive.
    let text = r#"{"createdDateTime":"2024-05-01T10:00:00.1234567+00:00","id":"AbC-1","zNew":{"b":1,"a":[1.0,2e3,null]},"userDisplayName":"Zoë 東京 \"quoted\"","location":{"city":null,"geoCoordinates":{"latitude":0}},"status":{"errorCode":50126}}"#;
    let parsed: app::model::SignIn = serde_json::from_str(text).expect("valid");
    store
        .insert_signins(&t.id, &[NewSignIn::new(&parsed, text)])
        .await
        .expect("insert");
    let found = store
        .find_signin(&t.id, "abc-1")
        .await
        .expect("find")
        .expect("found, whatever the case of the ID");
    assert_eq!(found.json, text);
    let listed = store
        .list_signins(
            &t.id,
            &ListQuery {
                filter: Expr::True,
                sort: Sort::default(),
                limit: 10,
                cursor: None,
                offset: 0,
                snapshot: None,
            },
        )
        .await
        .expect("list");
    assert_eq!(listed.items[0].json, text);
    assert_eq!(store.find_signin(&t.id, "abc-2").await.expect("find"), None);
}

async fn re_ingesting_the_same_ids_stores_nothing_twice(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    let batch: Vec<NewSignIn> = (0..10)
        .map(|i| record(&format!("r{i}"), &at(i), json!({})))
        .collect();
    let first = store.insert_signins(&t.id, &batch).await.expect("insert");
    assert_eq!(
        first,
        InsertOutcome {
            inserted: 10,
            duplicates: 0
        }
    );
    // The same IDs again, one in another case and with other content: all duplicates, and the
    // stored records are untouched.
    let mut again: Vec<NewSignIn> = (0..10)
        .map(|i| {
            record(
                &format!("r{i}"),
                &at(i),
                json!({"userDisplayName": "Changed"}),
            )
        })
        .collect();
    again.push(record("R3", &at(3), json!({"userDisplayName": "Changed"})));
    again.push(record("r10", &at(10), json!({})));
    again.push(record(
        "r10",
        &at(10),
        json!({"userDisplayName": "Second copy in one batch"}),
    ));
    let second = store.insert_signins(&t.id, &again).await.expect("insert");
    assert_eq!(
        second,
        InsertOutcome {
            inserted: 1,
            duplicates: 12
        }
    );
    assert_eq!(
        store
            .count_signins(&t.id, &Expr::True)
            .await
            .expect("count"),
        11
    );
    let r3 = store
        .find_signin(&t.id, "r3")
        .await
        .expect("find")
        .expect("found");
    assert!(r3.json.contains("Ann Example") && !r3.json.contains("Changed"));
    let r10 = store
        .find_signin(&t.id, "r10")
        .await
        .expect("find")
        .expect("found");
    assert!(
        !r10.json.contains("Second copy"),
        "the first record with an ID in a batch wins"
    );
}

async fn records_come_newest_first_and_page_completely(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    // Pairs of records share a time: ties are ordered by Request ID.
    let batch: Vec<NewSignIn> = (0..25)
        .map(|i| record(&format!("r{i:02}"), &at(i / 2), json!({})))
        .collect();
    store.insert_signins(&t.id, &batch).await.expect("insert");
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .list_signins(
                &t.id,
                &ListQuery {
                    filter: Expr::True,
                    sort: Sort::default(),
                    limit: 4,
                    cursor,
                    offset: 0,
                    snapshot: None,
                },
            )
            .await
            .expect("list");
        assert!(page.items.len() <= 4);
        seen.extend(ids(&page.items));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let mut expected: Vec<(i64, String)> = (0..25).map(|i| (i / 2, format!("r{i:02}"))).collect();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(
        seen,
        expected.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
    );
    assert_eq!(
        store
            .count_signins(&t.id, &Expr::True)
            .await
            .expect("count"),
        25
    );
}

async fn every_filter_field_selects_exactly_its_records(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    let special = json!({
        "correlationId": "corr-X", "userId": "user-X", "userPrincipalName": "zed@contoso.com", "userDisplayName": "Zed Zulu",
        "appId": "app-X", "appDisplayName": "Zeta App", "ipAddress": "192.0.2.7",
        "location": {"city": "Oslo", "state": "Oslo County", "countryOrRegion": "NO"},
        "resourceId": "res-X", "resourceDisplayName": "Key Vault", "status": {"errorCode": 50126},
        "conditionalAccessStatus": "failure", "clientAppUsed": "IMAP4",
        "deviceDetail": {"browser": "Firefox 120", "operatingSystem": "Linux"}, "tokenIssuerType": "ADFederationServices",
        "servicePrincipalId": "sp-X", "servicePrincipalName": "Backup Job"
    });
    store
        .insert_signins(
            &t.id,
            &[
                record("plain", &at(1), json!({})),
                record("special", &at(2), special),
            ],
        )
        .await
        .expect("insert");
    let cases: Vec<(Field, Literal)> = vec![
        (Field::RequestId, Literal::Text("special".into())),
        (Field::CorrelationId, Literal::Text("corr-X".into())),
        (Field::UserId, Literal::Text("user-X".into())),
        (
            Field::UserPrincipalName,
            Literal::Text("zed@contoso.com".into()),
        ),
        (Field::UserDisplayName, Literal::Text("Zed Zulu".into())),
        (Field::AppId, Literal::Text("app-X".into())),
        (Field::AppDisplayName, Literal::Text("Zeta App".into())),
        (Field::IpAddress, Literal::Text("192.0.2.7".into())),
        (Field::City, Literal::Text("Oslo".into())),
        (Field::State, Literal::Text("Oslo County".into())),
        (Field::CountryOrRegion, Literal::Text("NO".into())),
        (Field::ResourceId, Literal::Text("res-X".into())),
        (
            Field::ResourceDisplayName,
            Literal::Text("Key Vault".into()),
        ),
        (Field::ErrorCode, Literal::Integer(50126)),
        (
            Field::Status,
            Literal::Integer(i64::from(Status::Failure.code())),
        ),
        (
            Field::ConditionalAccessStatus,
            Literal::Text("failure".into()),
        ),
        (Field::ClientAppUsed, Literal::Text("IMAP4".into())),
        (Field::OperatingSystem, Literal::Text("Linux".into())),
        (Field::Browser, Literal::Text("Firefox 120".into())),
        (
            Field::TokenIssuerType,
            Literal::Text("ADFederationServices".into()),
        ),
        (Field::ServicePrincipalId, Literal::Text("sp-X".into())),
        (
            Field::ServicePrincipalName,
            Literal::Text("Backup Job".into()),
        ),
        (Field::CreatedDateTime, Literal::Time(at_micros(2))),
    ];
    for (field, literal) in cases {
        let eq = Expr::Cmp(field, Op::Eq, literal.clone());
        assert_eq!(
            all_ids(store.as_ref(), &t.id, eq).await,
            vec!["special"],
            "{field:?} eq"
        );
        let ne = Expr::Cmp(field, Op::Ne, literal);
        assert_eq!(
            all_ids(store.as_ref(), &t.id, ne).await,
            vec!["plain"],
            "{field:?} ne"
        );
    }
    let by_type = Expr::eq_int(
        Field::EventType,
        i64::from(EventType::NonInteractive.code()),
    );
    assert_eq!(all_ids(store.as_ref(), &t.id, by_type).await.len(), 2);
    assert!(
        all_ids(store.as_ref(), &t.id, report_expr(EventType::Interactive))
            .await
            .is_empty()
    );
}

/// Three records for the attribute filters: one with every attribute property set, one with
/// ordinary values, one with none of them.
fn attribute_records() -> Vec<NewSignIn> {
    let risky = json!({
        "riskDetail": "adminConfirmedSigninSafe",
        "riskEventTypes": ["unlikelyTravel", "leakedCredentials"],
        "riskEventTypes_v2": ["unfamiliarFeatures", "anonymizedIPAddress"],
        "riskLevelAggregated": "high", "riskLevelDuringSignIn": "medium", "riskState": "atRisk",
        "authenticationRequirement": "multiFactorAuthentication",
        "conditionalAccessAudiences": ["00000003-0000-0000-c000-000000000000", "aud-2"],
        "originalRequestId": "orig-1", "resourceServicePrincipalId": "rsp-1",
        "tokenIssuerName": "sts.contoso.com",
        "userAgent": "Mozilla/5.0 (X11) 100%_sure\\",
        "managedServiceIdentity": {"msiType": "userAssigned"}
    });
    let plain = json!({
        "riskDetail": "none", "riskEventTypes": [], "riskEventTypes_v2": [],
        "riskLevelAggregated": "none", "riskLevelDuringSignIn": "none", "riskState": "none",
        "authenticationRequirement": "singleFactorAuthentication",
        "conditionalAccessAudiences": "single-aud",
        "userAgent": "curl/8.0\u{1f}ua=evil"
    });
    let bare = json!({"riskState": null, "userAgent": ""});
    vec![
        record("plain", &at(1), plain),
        record("risky", &at(2), risky),
        record("bare", &at(3), bare),
    ]
}

async fn sorted_ids(store: &dyn Store, tenant: &str, filter: Expr) -> Vec<String> {
    let mut ids = all_ids(store, tenant, filter).await;
    ids.sort();
    ids
}

async fn attribute_filters_select_exactly_their_records(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    store
        .insert_signins(&t.id, &attribute_records())
        .await
        .expect("insert");
    let text = |v: &str| Literal::Text(v.into());
    let find = |field: Field, op: Op, value: &str| {
        let store = Arc::clone(&store);
        let tenant = t.id.clone();
        let filter = Expr::Cmp(field, op, text(value));
        async move { sorted_ids(store.as_ref(), &tenant, filter).await }
    };
    // Each property: eq finds the record that has the value (in any case), ne every other.
    let risky_values = [
        (Field::RiskDetail, "adminConfirmedSigninSafe"),
        (Field::RiskEventType, "leakedCredentials"),
        (Field::RiskEventType, "UNLIKELYTRAVEL"),
        (Field::RiskEventTypeV2, "anonymizedIPAddress"),
        (Field::RiskLevelAggregated, "high"),
        (Field::RiskLevelDuringSignIn, "Medium"),
        (Field::RiskState, "atRisk"),
        (
            Field::AuthenticationRequirement,
            "multiFactorAuthentication",
        ),
        (
            Field::ConditionalAccessAudience,
            "00000003-0000-0000-C000-000000000000",
        ),
        (Field::ConditionalAccessAudience, "aud-2"),
        (Field::OriginalRequestId, "orig-1"),
        (Field::ResourceServicePrincipalId, "RSP-1"),
        (Field::TokenIssuerName, "sts.contoso.com"),
        (Field::UserAgent, "mozilla/5.0 (x11) 100%_sure\\"),
        (Field::MsiType, "userAssigned"),
    ];
    for (field, value) in risky_values {
        assert_eq!(
            find(field, Op::Eq, value).await,
            ["risky"],
            "{field:?} eq {value}"
        );
        assert_eq!(
            find(field, Op::Ne, value).await,
            ["bare", "plain"],
            "{field:?} ne {value}"
        );
    }
    let none: &[&str] = &[];
    let cases: &[(Field, Op, &str, &[&str], &str)] = &[
        (Field::RiskState, Op::Eq, "none", &["plain"], ""),
        (
            Field::ConditionalAccessAudience,
            Op::Eq,
            "single-aud",
            &["plain"],
            "a single string counts as one item",
        ),
        // A missing value (absent, null or empty) is the empty value.
        (Field::RiskState, Op::Eq, "", &["bare"], "absent or null"),
        (Field::RiskState, Op::Ne, "", &["plain", "risky"], ""),
        (
            Field::RiskEventType,
            Op::Ne,
            "",
            &["risky"],
            "an empty collection has no items",
        ),
        (
            Field::UserAgent,
            Op::StartsWith,
            "",
            &["bare", "plain", "risky"],
            "an empty prefix matches all, as on a column",
        ),
        // startsWith on a value and on any item of a collection.
        (Field::UserAgent, Op::StartsWith, "MOZILLA/", &["risky"], ""),
        (
            Field::RiskEventTypeV2,
            Op::StartsWith,
            "anon",
            &["risky"],
            "",
        ),
        (
            Field::AuthenticationRequirement,
            Op::StartsWith,
            "single",
            &["plain"],
            "",
        ),
        // Only whole values and whole items are equal; keys never bleed into each other.
        (
            Field::RiskEventType,
            Op::Eq,
            "leaked",
            none,
            "part of an item",
        ),
        (
            Field::RiskEventType,
            Op::Eq,
            "unfamiliarFeatures",
            none,
            "an item of riskEventTypes_v2",
        ),
        (Field::RiskDetail, Op::Eq, "non", none, "part of a value"),
        (Field::UserAgent, Op::Eq, "curl", none, "part of a value"),
        // LIKE's wildcards, its escape character and the entry separator are plain text.
        (Field::UserAgent, Op::Eq, "%", none, ""),
        (Field::UserAgent, Op::StartsWith, "%", none, ""),
        (Field::UserAgent, Op::StartsWith, "_", none, ""),
        (
            Field::UserAgent,
            Op::StartsWith,
            "mozilla/5.0 (x11) 100__",
            none,
            "",
        ),
        (
            Field::UserAgent,
            Op::StartsWith,
            "mozilla/5.0 (x11) 100!%",
            none,
            "",
        ),
        (
            Field::UserAgent,
            Op::StartsWith,
            "mozilla/5.0 (x11) 100%_",
            &["risky"],
            "",
        ),
        (
            Field::UserAgent,
            Op::Eq,
            "evil",
            none,
            "a separator in a value",
        ),
        (Field::RiskState, Op::StartsWith, "\u{1f}", none, ""),
        (
            Field::UserAgent,
            Op::Eq,
            "curl/8.0\u{1f}ua=evil",
            &["plain"],
            "",
        ),
    ];
    for (field, op, value, expected, why) in cases {
        assert_eq!(
            find(*field, *op, value).await,
            *expected,
            "{field:?} {op:?} {value:?}: {why}"
        );
    }
    // Attributes combine with columns, not and or.
    let combined = Expr::Or(vec![
        Expr::Cmp(Field::RiskState, Op::Eq, text("atrisk")),
        Expr::Not(Box::new(Expr::Cmp(Field::UserAgent, Op::Ne, text("")))),
    ])
    .and(Expr::eq_text(Field::AppId, "app-1"));
    assert_eq!(
        sorted_ids(store.as_ref(), &t.id, combined).await,
        ["bare", "risky"]
    );
    // Counts and groups take them too.
    let count = store
        .count_signins(
            &t.id,
            &Expr::Cmp(Field::RiskLevelAggregated, Op::Eq, text("high")),
        )
        .await
        .expect("count");
    assert_eq!(count, 1);
    for (value, groups) in [("atrisk", 1), ("nothing", 0)] {
        let counted = store
            .count_groups(
                &t.id,
                EventType::NonInteractive,
                &Expr::Cmp(Field::RiskState, Op::Eq, text(value)),
                TimeAggregate::Whole,
            )
            .await
            .expect("count groups");
        assert_eq!(counted, groups, "riskState eq {value}");
    }
    // An ordering comparison on an attribute is refused, not run.
    let refused = store
        .count_signins(&t.id, &Expr::Cmp(Field::RiskState, Op::Gt, text("a")))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
}

/// NUL (which PostgreSQL's text cannot hold) and other control characters in a record's
/// values: the record is stored, and a filter with the same value finds it.
async fn control_characters_in_values_are_stored_and_found(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    store
        .insert_signins(
            &t.id,
            &[
                record(
                    "odd",
                    &at(1),
                    json!({"userDisplayName": "Nul\u{0}Name", "userAgent": "agent\u{0}x\u{7}y\u{1f}z"}),
                ),
                record("plain", &at(2), json!({})),
            ],
        )
        .await
        .expect("stored");
    let found = |filter: Expr| {
        let store = Arc::clone(&store);
        let tenant = t.id.clone();
        async move { all_ids(store.as_ref(), &tenant, filter).await }
    };
    assert_eq!(
        found(Expr::eq_text(Field::UserDisplayName, "NUL\u{0}NAME")).await,
        ["odd"]
    );
    assert_eq!(
        found(Expr::eq_text(Field::UserAgent, "agent\u{0}x\u{7}y\u{1f}z")).await,
        ["odd"]
    );
    assert_eq!(
        found(Expr::starts_with(Field::UserAgent, "agent\u{0}")).await,
        ["odd"]
    );
    let stored = store
        .find_signin(&t.id, "odd")
        .await
        .expect("find")
        .expect("there");
    assert!(
        stored.json.contains("Nul\\u0000Name"),
        "the record keeps its value: {}",
        stored.json
    );
}

async fn text_filters_ignore_case_and_match_prefixes(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    let names = [
        "Adele Vance",
        "adam smith",
        "Alex Wilber",
        "Ädele Umlaut",
        "Bob",
    ];
    let batch: Vec<NewSignIn> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            record(
                &format!("r{i}"),
                &at(i as i64),
                json!({"userDisplayName": n}),
            )
        })
        .collect();
    store.insert_signins(&t.id, &batch).await.expect("insert");
    let starts = |p: &str| Expr::starts_with(Field::UserDisplayName, p);
    let mut found = all_ids(store.as_ref(), &t.id, starts("AD")).await;
    found.sort();
    assert_eq!(found, vec!["r0", "r1"]);
    assert_eq!(
        all_ids(store.as_ref(), &t.id, starts("ädele")).await,
        vec!["r3"]
    );
    assert_eq!(
        all_ids(store.as_ref(), &t.id, starts("  alex ")).await,
        vec!["r2"],
        "surrounding spaces are ignored"
    );
    assert_eq!(
        all_ids(store.as_ref(), &t.id, starts("")).await.len(),
        5,
        "an empty prefix matches all"
    );
    assert!(all_ids(store.as_ref(), &t.id, starts("adele vancez"))
        .await
        .is_empty());
    assert_eq!(
        all_ids(
            store.as_ref(),
            &t.id,
            Expr::eq_text(Field::UserDisplayName, "BOB")
        )
        .await,
        vec!["r4"]
    );
    // Characters that mean something to LIKE or to SQL are plain text here.
    assert!(all_ids(store.as_ref(), &t.id, starts("%")).await.is_empty());
    assert!(all_ids(store.as_ref(), &t.id, starts("_")).await.is_empty());
    assert!(all_ids(store.as_ref(), &t.id, starts("'; --"))
        .await
        .is_empty());
}

async fn and_or_not_and_time_ranges_combine(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    let batch: Vec<NewSignIn> = (0..10)
        .map(|i| {
            record(
                &format!("r{i}"),
                &at(i * 60),
                json!({"status": {"errorCode": if i % 3 == 0 { 50126 } else { 0 }}}),
            )
        })
        .collect();
    store.insert_signins(&t.id, &batch).await.expect("insert");
    let range = Expr::time_range(Some(at_micros(120)), Some(at_micros(420)));
    assert_eq!(
        all_ids(store.as_ref(), &t.id, range.clone()).await,
        vec!["r6", "r5", "r4", "r3", "r2"],
        "[from, to)"
    );
    let failed = Expr::eq_int(Field::ErrorCode, 50126);
    assert_eq!(
        all_ids(store.as_ref(), &t.id, range.clone().and(failed.clone())).await,
        vec!["r6", "r3"]
    );
    let either = Expr::Or(vec![
        Expr::eq_text(Field::RequestId, "r1"),
        Expr::eq_text(Field::RequestId, "r8"),
    ]);
    assert_eq!(
        all_ids(store.as_ref(), &t.id, either).await,
        vec!["r8", "r1"]
    );
    let not_failed = range.and(Expr::Not(Box::new(failed)));
    assert_eq!(
        all_ids(store.as_ref(), &t.id, not_failed).await,
        vec!["r5", "r4", "r2"]
    );
    assert!(all_ids(store.as_ref(), &t.id, Expr::Or(vec![]))
        .await
        .is_empty());
    let after = Expr::Cmp(
        Field::CreatedDateTime,
        Op::Gt,
        Literal::Time(at_micros(480)),
    );
    assert_eq!(all_ids(store.as_ref(), &t.id, after).await, vec!["r9"]);
    let upto = Expr::Cmp(Field::CreatedDateTime, Op::Le, Literal::Time(at_micros(60)));
    assert_eq!(all_ids(store.as_ref(), &t.id, upto).await, vec!["r1", "r0"]);
}

async fn every_sort_column_orders_and_pages_in_both_directions(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    let users = ["carol", "alice", "bob", "alice", "dave", "bob", "erin"];
    let batch: Vec<NewSignIn> = users
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let city = ["Oslo", "Bergen", "Turku"][i % 3];
            let code = [0, 50126, 50074][i % 3];
            record(&format!("r{i}"), &at((i as i64 * 37) % 11), json!({
                "userDisplayName": u, "appDisplayName": format!("app {}", i % 3), "ipAddress": format!("10.0.0.{}", 9 - i),
                "location": {"city": city}, "resourceDisplayName": format!("res {}", i % 2),
                "resourceId": format!("rid-{}", i % 4), "servicePrincipalName": format!("sp {}", i % 5),
                "status": {"errorCode": code}
            }))
        })
        .collect();
    store.insert_signins(&t.id, &batch).await.expect("insert");
    let parsed: Vec<serde_json::Value> = batch
        .iter()
        .map(|r| serde_json::from_str(&r.json()).expect("json"))
        .collect();
    let fields = [
        SortField::Date,
        SortField::RequestId,
        SortField::User,
        SortField::Application,
        SortField::Status,
        SortField::IpAddress,
        SortField::Location,
        SortField::Resource,
        SortField::ResourceId,
        SortField::ServicePrincipal,
    ];
    for field in fields {
        for descending in [false, true] {
            let sort = Sort { field, descending };
            let mut seen = Vec::new();
            let mut cursor = None;
            loop {
                let page = store
                    .list_signins(
                        &t.id,
                        &ListQuery {
                            filter: Expr::True,
                            sort,
                            limit: 3,
                            cursor,
                            offset: 0,
                            snapshot: None,
                        },
                    )
                    .await
                    .expect("list");
                seen.extend(ids(&page.items));
                match page.next {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            // The expected order, computed here from the records themselves.
            let key = |v: &serde_json::Value| -> (String, i64, String) {
                let text = |p: &str| {
                    v.pointer(p)
                        .and_then(|x| x.as_str())
                        .unwrap_or("")
                        .to_lowercase()
                };
                let time = chrono::DateTime::parse_from_rfc3339(
                    v["createdDateTime"].as_str().expect("time"),
                )
                .expect("valid")
                .timestamp_micros();
                let status =
                    Status::of_code(v["status"]["errorCode"].as_i64().expect("code")).code();
                let primary = match field {
                    SortField::Date => String::new(),
                    SortField::RequestId => text("/id"),
                    SortField::User => text("/userDisplayName"),
                    SortField::Application => text("/appDisplayName"),
                    SortField::Status => format!("{status:05}"),
                    SortField::IpAddress => text("/ipAddress"),
                    SortField::Location => text("/location/city"),
                    SortField::Resource => text("/resourceDisplayName"),
                    SortField::ResourceId => text("/resourceId"),
                    SortField::ServicePrincipal => text("/servicePrincipalName"),
                };
                (primary, time, text("/id"))
            };
            let mut expected: Vec<&serde_json::Value> = parsed.iter().collect();
            expected.sort_by_key(|v| key(v));
            if descending {
                expected.reverse();
            }
            let expected: Vec<String> = expected
                .iter()
                .map(|v| v["id"].as_str().expect("id").to_owned())
                .collect();
            assert_eq!(seen, expected, "{field:?} descending={descending}");
        }
    }
}

async fn paging_stays_stable_while_records_arrive(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    let batch: Vec<NewSignIn> = (0..30)
        .map(|i| record(&format!("old{i:02}"), &at(i * 10), json!({})))
        .collect();
    store.insert_signins(&t.id, &batch).await.expect("insert");
    let first = store
        .list_signins(
            &t.id,
            &ListQuery {
                filter: Expr::True,
                sort: Sort::default(),
                limit: 10,
                cursor: None,
                offset: 0,
                snapshot: None,
            },
        )
        .await
        .expect("list");
    let mut seen = ids(&first.items);
    // New records arrive: newer than everything, older than everything, and in between.
    let arriving: Vec<NewSignIn> = (0..15)
        .map(|i| record(&format!("new{i:02}"), &at(i * 25 - 5), json!({})))
        .collect();
    store
        .insert_signins(&t.id, &arriving)
        .await
        .expect("insert");
    let mut cursor = first.next;
    while let Some(c) = cursor {
        let page = store
            .list_signins(
                &t.id,
                &ListQuery {
                    filter: Expr::True,
                    sort: Sort::default(),
                    limit: 7,
                    cursor: Some(c),
                    offset: 0,
                    snapshot: None,
                },
            )
            .await
            .expect("list");
        seen.extend(ids(&page.items));
        cursor = page.next;
    }
    let mut expected: Vec<String> = (0..30).rev().map(|i| format!("old{i:02}")).collect();
    assert_eq!(
        seen,
        std::mem::take(&mut expected)
            .into_iter()
            .collect::<Vec<_>>(),
        "exactly the records of the first page's moment"
    );
    // A new first page sees them all.
    assert_eq!(
        store
            .count_signins(&t.id, &Expr::True)
            .await
            .expect("count"),
        45
    );
}

async fn a_filter_that_does_not_fit_its_field_is_refused(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    let bad = Expr::Cmp(Field::ErrorCode, Op::Eq, Literal::Text("x".into()));
    let query = ListQuery {
        filter: bad.clone(),
        sort: Sort::default(),
        limit: 10,
        cursor: None,
        offset: 0,
        snapshot: None,
    };
    assert!(matches!(
        store.list_signins(&t.id, &query).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.count_signins(&t.id, &bad).await,
        Err(StoreError::Invalid(_))
    ));
    let starts = Expr::Cmp(Field::CreatedDateTime, Op::StartsWith, Literal::Time(1));
    assert!(matches!(
        store.count_signins(&t.id, &starts).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.count_signins("no-such-tenant", &Expr::True).await,
        Err(StoreError::NotFound)
    ));
}

async fn groups_page(
    store: &dyn Store,
    tenant: &str,
    event_type: EventType,
    filter: Expr,
    aggregate: TimeAggregate,
) -> Vec<GroupRow> {
    let mut rows = Vec::new();
    let mut cursor = None;
    loop {
        let query = GroupQuery {
            event_type,
            filter: filter.clone(),
            aggregate,
            limit: 2,
            cursor,
            offset: 0,
            snapshot: None,
            with_total: false,
        };
        let page = store.list_groups(tenant, &query).await.expect("groups");
        rows.extend(page.items);
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    rows
}

fn latest_id(row: &GroupRow) -> String {
    serde_json::from_str::<serde_json::Value>(&row.latest.json).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

async fn groups_join_rows_that_differ_only_in_time(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    let mut batch: Vec<NewSignIn> = (0..5)
        .map(|i| {
            record(
                &format!("a{i}"),
                &at(i * 100),
                json!({"correlationId": format!("c{i}")}),
            )
        })
        .collect();
    batch.push(record("b0", &at(50), json!({"ipAddress": "10.9.9.9"})));
    batch.push(record("b1", &at(450), json!({"ipAddress": "10.9.9.9"})));
    batch.push(record(
        "c0",
        &at(10),
        json!({"status": {"errorCode": 50126}}),
    ));
    store.insert_signins(&t.id, &batch).await.expect("insert");
    let rows = groups_page(
        store.as_ref(),
        &t.id,
        EventType::NonInteractive,
        ni(),
        TimeAggregate::Whole,
    )
    .await;
    let summary: Vec<(String, i64, i64, i64)> = rows
        .iter()
        .map(|r| (latest_id(r), r.count, r.first_at, r.last_at))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("b1".into(), 2, at_micros(50), at_micros(450)),
            ("a4".into(), 5, at_micros(0), at_micros(400)),
            ("c0".into(), 1, at_micros(10), at_micros(10)),
        ],
        "newest group first, each with its count, first and last time and latest member"
    );
    assert_eq!(
        store
            .count_groups(
                &t.id,
                EventType::NonInteractive,
                &ni(),
                TimeAggregate::Whole
            )
            .await
            .expect("count"),
        3
    );
    // The key is the one the shared grouping code computes.
    let parsed: app::model::SignIn = serde_json::from_str(&rows[1].latest.json).expect("record");
    assert_eq!(
        Some(rows[1].key),
        app::grouping::group_hash(EventType::NonInteractive, &parsed)
    );
}

async fn groups_treat_case_and_empty_key_fields_as_equal(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    let batch = vec![
        record("a", &at(1), json!({"userId": "USER-1", "appId": "App-1"})),
        record("b", &at(2), json!({"userId": "user-1", "appId": "app-1"})),
        record("c", &at(3), json!({"ipAddress": null})),
        record("d", &at(4), json!({"ipAddress": ""})),
        record("e", &at(5), new_without_ip()),
    ];
    store.insert_signins(&t.id, &batch).await.expect("insert");
    let rows = groups_page(
        store.as_ref(),
        &t.id,
        EventType::NonInteractive,
        ni(),
        TimeAggregate::Whole,
    )
    .await;
    let counts: Vec<(String, i64)> = rows.iter().map(|r| (latest_id(r), r.count)).collect();
    assert_eq!(counts, vec![("e".into(), 3), ("b".into(), 2)]);
}

fn new_without_ip() -> serde_json::Value {
    json!({"ipAddress": "   "})
}

async fn the_time_aggregate_splits_groups_into_buckets(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    // 00:10, 05:50, 06:10, 23:59 and the next day 00:30.
    let minutes = [10, 350, 370, 1439, 1470];
    let batch: Vec<NewSignIn> = minutes
        .iter()
        .enumerate()
        .map(|(i, m)| record(&format!("r{i}"), &at(*m), json!({})))
        .collect();
    store.insert_signins(&t.id, &batch).await.expect("insert");
    let expect = [
        (TimeAggregate::Whole, vec![5]),
        (TimeAggregate::Day, vec![1, 4]),
        (TimeAggregate::SixHours, vec![1, 1, 1, 2]),
        (TimeAggregate::Hour, vec![1, 1, 1, 1, 1]),
    ];
    for (aggregate, counts) in expect {
        let rows = groups_page(
            store.as_ref(),
            &t.id,
            EventType::NonInteractive,
            ni(),
            aggregate,
        )
        .await;
        assert_eq!(
            rows.iter().map(|r| r.count).collect::<Vec<_>>(),
            counts,
            "{aggregate:?}"
        );
        let total = store
            .count_groups(&t.id, EventType::NonInteractive, &ni(), aggregate)
            .await
            .expect("count");
        assert_eq!(total, counts.len() as i64);
        if let Some(size) = aggregate.bucket_micros() {
            assert!(rows.iter().all(|r| r.bucket % size == 0
                && r.first_at >= r.bucket
                && r.last_at < r.bucket + size));
        }
    }
}

/// A time before 1970 is rounded down to its bucket, as the grouping code does, not towards
/// 1970 (which would put 23:30 on 1969-12-31 in the bucket of 00:00 on 1970-01-01).
async fn buckets_before_1970_start_on_the_hour_and_day_too(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    let times = [
        "1969-12-31T22:59:00Z",
        "1969-12-31T23:30:00Z",
        "1969-12-31T23:50:00Z",
        "1970-01-01T00:30:00Z",
    ];
    let batch: Vec<NewSignIn> = times
        .iter()
        .enumerate()
        .map(|(i, time)| record(&format!("r{i}"), time, json!({})))
        .collect();
    store.insert_signins(&t.id, &batch).await.expect("insert");
    let hour = 3_600_000_000_i64;
    let expect = [
        (
            TimeAggregate::Hour,
            vec![(0, 1), (-hour, 2), (-2 * hour, 1)],
        ),
        (TimeAggregate::Day, vec![(0, 1), (-24 * hour, 3)]),
    ];
    for (aggregate, buckets) in expect {
        let rows = groups_page(
            store.as_ref(),
            &t.id,
            EventType::NonInteractive,
            ni(),
            aggregate,
        )
        .await;
        assert_eq!(
            rows.iter().map(|r| (r.bucket, r.count)).collect::<Vec<_>>(),
            buckets,
            "{aggregate:?}"
        );
        for r in &rows {
            assert_eq!(aggregate.bucket_start(r.first_at), Some(r.bucket));
        }
    }
}

/// Bucketed groups are read a window of buckets at a time from the newest (store/mod.rs,
/// `newest_groups`): pages must come out as one whole grouping would give them, across empty
/// hours and days (windows that find nothing), with ties in time going to the greatest
/// Request ID, and within the filter's time range.
async fn bucketed_groups_page_across_sparse_days(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    // Minutes from 2024-05-01T00:00Z; day 1 and most hours have no records. Three groups (by
    // IP address), and "x1"/"x2" share a time in one group.
    let plan: &[(&str, i64, &str)] = &[
        ("a0", 70, "10.0.0.1"),
        ("a1", 75, "10.0.0.1"),
        ("b0", 80, "10.0.0.2"),
        ("c0", 130, "10.0.0.3"),
        ("a2", 330, "10.0.0.1"),
        ("x1", 2 * 1440 + 5, "10.0.0.2"),
        ("x2", 2 * 1440 + 5, "10.0.0.2"),
        ("c1", 2 * 1440 + 20, "10.0.0.3"),
        ("a3", 2 * 1440 + 1400, "10.0.0.1"),
        ("b1", 2 * 1440 + 1430, "10.0.0.2"),
    ];
    let batch: Vec<NewSignIn> = plan
        .iter()
        .map(|(id, m, ip)| record(id, &at(*m), json!({"ipAddress": ip})))
        .collect();
    store.insert_signins(&t.id, &batch).await.expect("insert");
    // What one grouping of the records gives: (latest id, count, first minute, last minute),
    // newest group first.
    let expected = |aggregate: TimeAggregate, until: i64| -> Vec<(String, i64, i64, i64)> {
        let size = aggregate.bucket_micros().expect("buckets") / 60_000_000;
        let mut groups: Vec<(String, i64, i64, i64, String)> = Vec::new();
        for (id, m, ip) in plan.iter().filter(|(_, m, _)| *m < until) {
            let key = format!("{ip}/{}", m.div_euclid(size));
            match groups.iter_mut().find(|g| g.4 == key) {
                Some(g) => {
                    g.1 += 1;
                    g.2 = g.2.min(*m);
                    if (*m, *id) > (g.3, g.0.as_str()) {
                        g.3 = *m;
                        g.0 = (*id).to_owned();
                    }
                }
                None => groups.push(((*id).to_owned(), 1, *m, *m, key)),
            }
        }
        groups.sort_by_key(|g| std::cmp::Reverse(g.3));
        groups.into_iter().map(|g| (g.0, g.1, g.2, g.3)).collect()
    };
    let minute = |micros: i64| (micros - at_micros(0)) / 60_000_000;
    for aggregate in [
        TimeAggregate::Hour,
        TimeAggregate::SixHours,
        TimeAggregate::Day,
    ] {
        for until in [i64::MAX, 2 * 1440] {
            let filter = if until == i64::MAX {
                ni()
            } else {
                ni().and(Expr::time_range(None, Some(at_micros(until))))
            };
            let rows = groups_page(
                store.as_ref(),
                &t.id,
                EventType::NonInteractive,
                filter,
                aggregate,
            )
            .await;
            let got: Vec<(String, i64, i64, i64)> = rows
                .iter()
                .map(|r| (latest_id(r), r.count, minute(r.first_at), minute(r.last_at)))
                .collect();
            assert_eq!(
                got,
                expected(aggregate, until),
                "{aggregate:?} until {until}"
            );
            // The blade's first page with its total groups the whole range in one query: the
            // same groups, and the count of them.
            let whole = store
                .list_groups(
                    &t.id,
                    &GroupQuery {
                        event_type: EventType::NonInteractive,
                        filter: if until == i64::MAX {
                            ni()
                        } else {
                            ni().and(Expr::time_range(None, Some(at_micros(until))))
                        },
                        aggregate,
                        limit: 100,
                        cursor: None,
                        offset: 0,
                        snapshot: None,
                        with_total: true,
                    },
                )
                .await
                .expect("groups");
            assert_eq!(whole.total, Some(got.len() as i64));
            assert_eq!(
                whole
                    .items
                    .iter()
                    .map(|r| (latest_id(r), r.count, minute(r.first_at), minute(r.last_at)))
                    .collect::<Vec<_>>(),
                got
            );
        }
    }
}

async fn groups_are_computed_over_the_filter(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    let batch = vec![
        record("a", &at(1), json!({"deviceDetail": {"browser": "Edge"}})),
        record("b", &at(2), json!({"deviceDetail": {"browser": "Chrome"}})),
        record("c", &at(3), json!({"deviceDetail": {"browser": "Edge"}})),
        record("d", &at(500), json!({"deviceDetail": {"browser": "Edge"}})),
    ];
    store.insert_signins(&t.id, &batch).await.expect("insert");
    let edge_early = ni()
        .and(Expr::starts_with(Field::Browser, "edge"))
        .and(Expr::time_range(None, Some(at_micros(100))));
    let rows = groups_page(
        store.as_ref(),
        &t.id,
        EventType::NonInteractive,
        edge_early,
        TimeAggregate::Whole,
    )
    .await;
    assert_eq!(
        rows.iter()
            .map(|r| (latest_id(r), r.count))
            .collect::<Vec<_>>(),
        vec![("c".into(), 2)]
    );
    assert_eq!(rows[0].last_at, at_micros(3));
}

async fn group_paging_stays_stable_while_records_arrive(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    let batch: Vec<NewSignIn> = (0..6)
        .map(|i| {
            record(
                &format!("g{i}"),
                &at(i * 10),
                json!({"ipAddress": format!("10.0.0.{i}")}),
            )
        })
        .collect();
    store.insert_signins(&t.id, &batch).await.expect("insert");
    let query = GroupQuery {
        event_type: EventType::NonInteractive,
        filter: ni(),
        aggregate: TimeAggregate::Whole,
        limit: 2,
        cursor: None,
        offset: 0,
        snapshot: None,
        with_total: false,
    };
    let first = store.list_groups(&t.id, &query).await.expect("groups");
    let mut seen: Vec<(String, i64)> = first
        .items
        .iter()
        .map(|r| (latest_id(r), r.count))
        .collect();
    // A newer member of an old group and a brand new group arrive between pages.
    store
        .insert_signins(
            &t.id,
            &[
                record("late0", &at(1000), json!({"ipAddress": "10.0.0.0"})),
                record("late9", &at(5), json!({"ipAddress": "10.9.9.9"})),
            ],
        )
        .await
        .expect("insert");
    let mut cursor = first.next;
    while let Some(c) = cursor {
        let page = store
            .list_groups(
                &t.id,
                &GroupQuery {
                    cursor: Some(c),
                    ..query.clone()
                },
            )
            .await
            .expect("groups");
        seen.extend(page.items.iter().map(|r| (latest_id(r), r.count)));
        cursor = page.next;
    }
    let expected: Vec<(String, i64)> = (0..6).rev().map(|i| (format!("g{i}"), 1)).collect();
    assert_eq!(seen, expected);
}

async fn a_group_pages_through_its_members(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    let mut batch: Vec<NewSignIn> = (0..9)
        .map(|i| record(&format!("m{i}"), &at(i * 30), json!({})))
        .collect();
    batch.push(record("other", &at(5), json!({"ipAddress": "10.1.1.1"})));
    store.insert_signins(&t.id, &batch).await.expect("insert");
    let rows = groups_page(
        store.as_ref(),
        &t.id,
        EventType::NonInteractive,
        ni(),
        TimeAggregate::Hour,
    )
    .await;
    let big = rows
        .iter()
        .find(|r| latest_id(r) == "m1")
        .expect("the 00:00-01:00 bucket of the m group");
    assert_eq!(big.count, 2);
    let hour = 3_600_000_000;
    let query = MembersQuery {
        event_type: EventType::NonInteractive,
        filter: Expr::True,
        key: big.key,
        bucket: Some((big.bucket, big.bucket + hour)),
        limit: 10,
        cursor: None,
        offset: 0,
        snapshot: None,
    };
    let members = store
        .list_group_members(&t.id, &query)
        .await
        .expect("members");
    assert_eq!(ids(&members.items), vec!["m1", "m0"]);
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let whole = MembersQuery {
            bucket: None,
            limit: 4,
            cursor,
            ..query.clone()
        };
        let page = store
            .list_group_members(&t.id, &whole)
            .await
            .expect("members");
        all.extend(ids(&page.items));
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(
        all,
        (0..9).rev().map(|i| format!("m{i}")).collect::<Vec<_>>()
    );
}

async fn interactive_sign_ins_have_no_groups(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    let query = GroupQuery {
        event_type: EventType::Interactive,
        filter: Expr::True,
        aggregate: TimeAggregate::Whole,
        limit: 10,
        cursor: None,
        offset: 0,
        snapshot: None,
        with_total: false,
    };
    assert!(matches!(
        store.list_groups(&t.id, &query).await,
        Err(StoreError::Invalid(_))
    ));
}

async fn the_histogram_counts_each_status_per_bucket(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    let codes = [(5, 0), (10, 50126), (70, 0), (75, 50074), (80, 0), (200, 0)];
    let batch: Vec<NewSignIn> = codes
        .iter()
        .enumerate()
        .map(|(i, (m, c))| {
            record(
                &format!("h{i}"),
                &at(*m),
                json!({"status": {"errorCode": c}}),
            )
        })
        .collect();
    store.insert_signins(&t.id, &batch).await.expect("insert");
    let hour = 3_600_000_000;
    let buckets = store
        .histogram(&t.id, &ni(), at_micros(0), at_micros(180), hour)
        .await
        .expect("histogram");
    let got: Vec<(i64, i64, i64, i64)> = buckets
        .iter()
        .map(|b| (b.start, b.success, b.failure, b.interrupted))
        .collect();
    assert_eq!(
        got,
        vec![
            (at_micros(0), 1, 1, 0),
            (at_micros(60), 2, 0, 1),
            (at_micros(120), 0, 0, 0)
        ]
    );
    assert!(matches!(
        store.histogram(&t.id, &ni(), 10, 5, hour).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.histogram(&t.id, &ni(), 0, hour * 20_000, 1).await,
        Err(StoreError::Invalid(_))
    ));
}

async fn streaming_reads_every_matching_record(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    let batch: Vec<NewSignIn> = (0..2500)
        .map(|i| {
            record(
                &format!("s{i:04}"),
                &at(i),
                json!({"status": {"errorCode": if i % 2 == 0 { 0 } else { 50126 }}}),
            )
        })
        .collect();
    store.insert_signins(&t.id, &batch).await.expect("insert");
    let failures = Expr::eq_int(Field::ErrorCode, 50126);
    let mut stream = store.stream_signins(&t.id, failures);
    let mut seen = Vec::new();
    while let Some(item) = stream.next().await {
        seen.push(item.expect("a record"));
    }
    let got = ids(&seen);
    assert_eq!(got.len(), 1250);
    assert_eq!(got.first().map(String::as_str), Some("s2499"));
    assert_eq!(
        got.iter().collect::<HashSet<_>>().len(),
        1250,
        "no duplicates across pages"
    );
}

async fn no_tenant_sees_another_tenants_records(store: Arc<dyn Store>) {
    let a = tenant(store.as_ref(), "Contoso").await;
    let b = tenant(store.as_ref(), "Fabrikam").await;
    store
        .insert_signins(
            &a.id,
            &[
                record("shared-id", &at(1), json!({})),
                record("only-a", &at(2), json!({})),
            ],
        )
        .await
        .expect("insert");
    // The same Request ID in another tenant is another record.
    let outcome = store
        .insert_signins(
            &b.id,
            &[record(
                "shared-id",
                &at(3),
                json!({"userDisplayName": "B user"}),
            )],
        )
        .await
        .expect("insert");
    assert_eq!(outcome.inserted, 1);
    assert_eq!(
        all_ids(store.as_ref(), &b.id, Expr::True).await,
        vec!["shared-id"]
    );
    assert!(store
        .find_signin(&b.id, "only-a")
        .await
        .expect("find")
        .is_none());
    assert!(store
        .find_signin(&b.id, "shared-id")
        .await
        .expect("find")
        .expect("b's own")
        .json
        .contains("B user"));
    assert_eq!(
        store
            .count_signins(&b.id, &Expr::True)
            .await
            .expect("count"),
        1
    );
    let rows = groups_page(
        store.as_ref(),
        &b.id,
        EventType::NonInteractive,
        ni(),
        TimeAggregate::Whole,
    )
    .await;
    assert_eq!(rows.iter().map(|r| r.count).sum::<i64>(), 1);
    let buckets = store
        .histogram(
            &b.id,
            &Expr::True,
            at_micros(0),
            at_micros(60),
            3_600_000_000,
        )
        .await
        .expect("histogram");
    assert_eq!(
        buckets
            .iter()
            .map(|x| x.success + x.failure + x.interrupted)
            .sum::<i64>(),
        1
    );
}

async fn the_store_reports_its_size(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    store
        .insert_signins(&t.id, &[record("x", &at(1), json!({}))])
        .await
        .expect("insert");
    assert!(store.size_on_disk().await.expect("size") > 0);
}

/// The user filter goes through the day-first indexes (a day hint and the tenant pushed into
/// each alternative): over many days, with open and closed ranges, records far in the future
/// and the same people in another tenant, it must select exactly what the filter says.
async fn the_user_filter_selects_the_same_over_any_days_and_tenants(store: Arc<dyn Store>) {
    use app::filter::{DateFilter, ReportFilter};
    let a = tenant(store.as_ref(), "Contoso").await;
    let b = tenant(store.as_ref(), "Fabrikam").await;
    let people = [
        ("Adele Vance", "adele@contoso.com", "u-adele"),
        ("Alex Wilber", "alex@contoso.com", "u-alex"),
        ("Bob Adams", "bob@contoso.com", "u-bob"),
    ];
    let day = 24 * 60;
    let mut batch = Vec::new();
    let mut all = Vec::new();
    for i in 0..90_i64 {
        let (name, upn, id) = people[(i % 3) as usize];
        // Spread over 45 days, plus a few a year ahead.
        let minutes = if i % 29 == 0 {
            365 * day + i
        } else {
            (i / 2) * day + i * 7
        };
        let value = record_value(
            &format!("r{i:03}"),
            &at(minutes),
            json!({"userDisplayName": name, "userPrincipalName": upn, "userId": id}),
        );
        all.push((format!("r{i:03}"), at_micros(minutes), name, upn, id));
        batch.push(new_signin(&value));
    }
    store.insert_signins(&a.id, &batch).await.expect("insert");
    store
        .insert_signins(&b.id, &batch)
        .await
        .expect("insert into the other tenant");
    let cases: Vec<(&str, Option<i64>, Option<i64>)> = vec![
        ("ad", None, None),
        ("adele", Some(at_micros(3 * day)), Some(at_micros(20 * day))),
        ("alex@", Some(at_micros(10 * day)), None),
        ("u-bob", None, Some(at_micros(30 * day))),
        ("a", Some(at_micros(40 * day)), None),
        ("nobody", None, None),
        ("adele", Some(at_micros(500 * day)), None),
    ];
    for (text, from, to) in cases {
        let filter = ReportFilter {
            date: DateFilter::Custom {
                start: from,
                end: to,
            },
            user: Some(text.to_owned()),
            ..Default::default()
        };
        let expr = filter.to_expr(chrono::Utc::now());
        let mut expected: Vec<&(String, i64, &str, &str, &str)> = all
            .iter()
            .filter(|(_, t, name, upn, id)| {
                from.is_none_or(|f| *t >= f)
                    && to.is_none_or(|e| *t < e)
                    && (name.to_lowercase().starts_with(text)
                        || upn.starts_with(text)
                        || *id == text)
            })
            .collect();
        expected.sort_by(|x, y| (y.1, &y.0).cmp(&(x.1, &x.0)));
        let expected: Vec<String> = expected.into_iter().map(|r| r.0.clone()).collect();
        let mut got = Vec::new();
        let mut cursor = None;
        loop {
            let query = ListQuery {
                filter: expr.clone(),
                sort: Sort::default(),
                limit: 7,
                cursor,
                offset: 0,
                snapshot: None,
            };
            let page = store.list_signins(&a.id, &query).await.expect("list");
            got.extend(ids(&page.items));
            match page.next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(got, expected, "user {text:?} from {from:?} to {to:?}");
        assert_eq!(
            store.count_signins(&a.id, &expr).await.expect("count"),
            expected.len() as i64
        );
    }
}

async fn offset_pages_at_a_snapshot_fit_together_while_records_arrive(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    let batch: Vec<NewSignIn> = (0..23)
        .map(|i| record(&format!("old{i:02}"), &at(i * 10), json!({})))
        .collect();
    store.insert_signins(&t.id, &batch).await.expect("insert");
    let query = |offset, snapshot| ListQuery {
        filter: Expr::True,
        sort: Sort {
            field: SortField::RequestId,
            descending: false,
        },
        limit: 5,
        cursor: None,
        offset,
        snapshot,
    };
    // A table jumps straight to the middle: the page at offset 10.
    let first = store
        .list_signins(&t.id, &query(0, None))
        .await
        .expect("list");
    let snapshot = first.snapshot;
    let arriving: Vec<NewSignIn> = (0..4)
        .map(|i| record(&format!("aaa{i}"), &at(i * 7), json!({})))
        .collect();
    store
        .insert_signins(&t.id, &arriving)
        .await
        .expect("insert");
    let mut seen = ids(&first.items);
    for offset in [5, 10, 15, 20] {
        let page = store
            .list_signins(&t.id, &query(offset, Some(snapshot)))
            .await
            .expect("list");
        assert_eq!(page.snapshot, snapshot, "the snapshot asked for is kept");
        seen.extend(ids(&page.items));
    }
    let expected: Vec<String> = (0..23).map(|i| format!("old{i:02}")).collect();
    assert_eq!(
        seen, expected,
        "pages at one snapshot never see later records"
    );
    // Without the snapshot the new records are there, sorted first.
    let fresh = store
        .list_signins(&t.id, &query(0, None))
        .await
        .expect("list");
    assert_eq!(ids(&fresh.items)[..4], ["aaa0", "aaa1", "aaa2", "aaa3"]);
    assert!(fresh.snapshot > snapshot);
    // Past the end: an empty page, not an error.
    let past = store
        .list_signins(&t.id, &query(100, Some(snapshot)))
        .await
        .expect("list");
    assert!(past.items.is_empty() && past.next.is_none());
}

async fn groups_page_by_offset_at_a_snapshot(store: Arc<dyn Store>) {
    let t = tenant(store.as_ref(), "Contoso").await;
    // Seven groups (one app each), two sign-ins per group.
    let batch: Vec<NewSignIn> = (0..14)
        .map(|i| {
            record(
                &format!("g{i:02}"),
                &at(i * 5),
                json!({"appId": format!("app-{}", i % 7)}),
            )
        })
        .collect();
    store.insert_signins(&t.id, &batch).await.expect("insert");
    let all = groups_page(
        store.as_ref(),
        &t.id,
        EventType::NonInteractive,
        Expr::True,
        TimeAggregate::Whole,
    )
    .await;
    assert_eq!(all.len(), 7);
    let query = |offset, snapshot| GroupQuery {
        event_type: EventType::NonInteractive,
        filter: Expr::True,
        aggregate: TimeAggregate::Whole,
        limit: 3,
        cursor: None,
        offset,
        snapshot,
        with_total: false,
    };
    let first = store
        .list_groups(&t.id, &query(0, None))
        .await
        .expect("groups");
    // A new group arrives after the first page was read.
    store
        .insert_signins(
            &t.id,
            &[record("late", &at(500), json!({"appId": "late-app"}))],
        )
        .await
        .expect("insert");
    let mut keys: Vec<i64> = first.items.iter().map(|g| g.key).collect();
    for offset in [3, 6] {
        let page = store
            .list_groups(&t.id, &query(offset, Some(first.snapshot)))
            .await
            .expect("groups");
        keys.extend(page.items.iter().map(|g| g.key));
    }
    let expected: Vec<i64> = all.iter().map(|g| g.key).collect();
    assert_eq!(
        keys, expected,
        "offset pages at a snapshot are the cursor pages"
    );
}

async fn preferences_are_kept_per_tenant_and_user(store: Arc<dyn Store>) {
    let a = tenant(store.as_ref(), "Contoso").await;
    let b = tenant(store.as_ref(), "Fabrikam").await;
    assert!(store
        .preferences(&a.id, "ada")
        .await
        .expect("read")
        .is_empty());
    store
        .set_preference(&a.id, "ada", "preview", "on")
        .await
        .expect("save");
    store
        .set_preference(&a.id, "ada", "columns", "date,user")
        .await
        .expect("save");
    store
        .set_preference(&a.id, "ada", "preview", "off")
        .await
        .expect("replace");
    store
        .set_preference(&b.id, "ada", "preview", "on")
        .await
        .expect("save");
    assert_eq!(
        store.preferences(&a.id, "ada").await.expect("read"),
        vec![
            ("columns".to_owned(), "date,user".to_owned()),
            ("preview".to_owned(), "off".to_owned())
        ]
    );
    assert_eq!(
        store.preferences(&b.id, "ada").await.expect("read"),
        vec![("preview".to_owned(), "on".to_owned())]
    );
    assert!(store
        .preferences(&a.id, "bob")
        .await
        .expect("read")
        .is_empty());
    let huge = "x".repeat(10_000);
    assert!(matches!(
        store.set_preference(&a.id, "ada", "filter", &huge).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(
        store.preferences(&a.id, "ada").await.expect("read").len(),
        2
    );
}

fn account(tenant: &Tenant, upn: &str, role: Role) -> UserAccount {
    UserAccount {
        id: uuid::Uuid::new_v4().to_string(),
        tenant_id: tenant.id.clone(),
        upn: upn.into(),
        display_name: format!("{upn} name"),
        role,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        disabled: false,
        must_change_password: true,
        failed_attempts: 0,
        locked_until: 0,
    }
}

async fn accounts_are_unique_by_upn_across_tenants(store: Arc<dyn Store>) {
    let a = tenant(store.as_ref(), "Contoso").await;
    let b = tenant(store.as_ref(), "Fabrikam").await;
    let alice = account(&a, "Alice@Contoso.com", Role::GlobalAdministrator);
    let bob = account(&a, "bob@contoso.com", Role::User);
    store.insert_user(&alice).await.expect("insert");
    store.insert_user(&bob).await.expect("insert");
    let found = store
        .find_user_by_upn("alice@CONTOSO.com")
        .await
        .expect("find")
        .expect("present");
    assert_eq!(
        found, alice,
        "every field reads back; the UPN keeps its case"
    );
    assert_eq!(
        store.find_user(&a.id, &bob.id).await.expect("find"),
        Some(bob.clone())
    );
    assert_eq!(
        store.find_user(&b.id, &bob.id).await.expect("find"),
        None,
        "not through another tenant"
    );
    let twin = account(&b, "ALICE@contoso.com", Role::User);
    assert!(
        matches!(store.insert_user(&twin).await, Err(StoreError::Conflict(_))),
        "a UPN is unique across tenants, whatever its case"
    );
    let upns: Vec<String> = store
        .list_users(&a.id)
        .await
        .expect("list")
        .into_iter()
        .map(|u| u.upn)
        .collect();
    assert_eq!(upns, vec!["Alice@Contoso.com", "bob@contoso.com"]);
    assert!(store.list_users(&b.id).await.expect("list").is_empty());
    let changed = UserAccount {
        role: Role::ReportsReader,
        display_name: "Bob B".into(),
        password_hash: "other".into(),
        disabled: true,
        must_change_password: false,
        failed_attempts: 2,
        locked_until: 99,
        ..bob.clone()
    };
    store.update_user(&changed).await.expect("update");
    assert_eq!(
        store.find_user(&a.id, &bob.id).await.expect("find"),
        Some(changed)
    );
    let ghost = account(&a, "ghost@contoso.com", Role::User);
    assert!(matches!(
        store.update_user(&ghost).await,
        Err(StoreError::NotFound)
    ));
}

async fn wrong_passwords_count_and_lock_atomically(store: Arc<dyn Store>) {
    let a = tenant(store.as_ref(), "Contoso").await;
    let user = account(&a, "carol@contoso.com", Role::User);
    store.insert_user(&user).await.expect("insert");
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let store = Arc::clone(&store);
        let id = user.id.clone();
        tasks.push(tokio::spawn(async move {
            store.note_failed_password(&id, 100, 5, 777).await
        }));
    }
    for t in tasks {
        t.await.expect("task").expect("noted");
    }
    let now = store
        .find_user(&a.id, &user.id)
        .await
        .expect("find")
        .expect("present");
    assert_eq!(now.failed_attempts, 4, "concurrent failures all count");
    assert_eq!(now.locked_until, 0, "not locked below the threshold");
    let locked = store
        .note_failed_password(&user.id, 100, 5, 777)
        .await
        .expect("noted")
        .expect("present");
    assert_eq!((locked.failed_attempts, locked.locked_until), (5, 777));
    // After the lock has run out, one more wrong password counts from one, unlocked.
    let after = store
        .note_failed_password(&user.id, 800, 5, 1_000)
        .await
        .expect("noted")
        .expect("present");
    assert_eq!((after.failed_attempts, after.locked_until), (1, 0));
    assert_eq!(
        store
            .note_failed_password("nobody", 100, 5, 1)
            .await
            .expect("noted"),
        None
    );
    // A good password clears the count; a new password changes only the password.
    let changed = UserAccount {
        role: Role::ReportsReader,
        disabled: true,
        ..after.clone()
    };
    store.update_user(&changed).await.expect("update");
    store
        .clear_failed_passwords(&user.id)
        .await
        .expect("cleared");
    store
        .set_password(&user.id, "new-hash", false)
        .await
        .expect("set");
    let now = store
        .find_user(&a.id, &user.id)
        .await
        .expect("find")
        .expect("present");
    assert_eq!(
        now,
        UserAccount {
            failed_attempts: 0,
            locked_until: 0,
            password_hash: "new-hash".into(),
            must_change_password: false,
            ..changed
        },
        "nothing else is touched (a role or disable made meanwhile stays)"
    );
    assert!(matches!(
        store.set_password("nobody", "x", false).await,
        Err(StoreError::NotFound)
    ));
}

async fn a_tenant_is_found_by_its_accounts_domain(store: Arc<dyn Store>) {
    let a = tenant(store.as_ref(), "Contoso").await;
    let b = tenant(store.as_ref(), "Fabrikam").await;
    store
        .insert_user(&account(&a, "alice@contoso.com", Role::User))
        .await
        .expect("insert");
    store
        .insert_user(&account(&b, "bob@fabrikam.com", Role::User))
        .await
        .expect("insert");
    store
        .insert_user(&account(&b, "eve@shared.org", Role::User))
        .await
        .expect("insert");
    store
        .insert_user(&account(&a, "zed@shared.org", Role::User))
        .await
        .expect("insert");
    let found = |d: &'static str| {
        let store = Arc::clone(&store);
        async move {
            store
                .find_tenant_by_domain(d)
                .await
                .expect("find")
                .map(|t| t.name)
        }
    };
    assert_eq!(found("Contoso.com").await.as_deref(), Some("Contoso"));
    assert_eq!(found("fabrikam.com").await.as_deref(), Some("Fabrikam"));
    assert_eq!(found("abrikam.com").await, None, "a whole domain only");
    assert_eq!(found("shared.org").await, None, "ambiguous: nobody's");
    assert_eq!(found("%").await, None);
    assert_eq!(found("").await, None);
}

async fn sessions_carry_their_user_and_tenant_and_end(store: Arc<dyn Store>) {
    let a = tenant(store.as_ref(), "Contoso").await;
    let alice = account(&a, "alice@contoso.com", Role::SecurityReader);
    let bob = account(&a, "bob@contoso.com", Role::User);
    store.insert_user(&alice).await.expect("insert");
    store.insert_user(&bob).await.expect("insert");
    let session = |hash: &str, user: &UserAccount, at: i64| SessionRow {
        token_hash: hash.into(),
        user_id: user.id.clone(),
        csrf_token: format!("csrf-{hash}"),
        correlation_id: format!("corr-{hash}"),
        created_at: at,
        last_seen_at: at,
        refreshed_at: at,
    };
    store
        .insert_session(&session("s1", &alice, 100))
        .await
        .expect("insert");
    store
        .insert_session(&session("s2", &alice, 200))
        .await
        .expect("insert");
    store
        .insert_session(&session("s3", &bob, 300))
        .await
        .expect("insert");
    let found = store
        .find_session("s1")
        .await
        .expect("find")
        .expect("present");
    assert_eq!(found.session, session("s1", &alice, 100));
    assert_eq!(found.user, alice);
    assert_eq!(found.tenant, a);
    assert_eq!(store.find_session("nope").await.expect("find"), None);
    store.touch_session("s1", 150, 140).await.expect("touch");
    let touched = store
        .find_session("s1")
        .await
        .expect("find")
        .expect("present");
    assert_eq!(
        (
            touched.session.created_at,
            touched.session.last_seen_at,
            touched.session.refreshed_at
        ),
        (100, 150, 140)
    );
    assert!(
        matches!(
            store
                .insert_session(&session("s4", &account(&a, "x@y", Role::User), 1))
                .await,
            Err(StoreError::NotFound)
        ),
        "a session needs an existing user"
    );
    // Idle since before 160 (s1 at 150) or opened before 0: only s1 goes.
    assert_eq!(
        store.delete_expired_sessions(160, 0).await.expect("delete"),
        1
    );
    assert_eq!(store.find_session("s1").await.expect("find"), None);
    // Opened before 250: s2 goes.
    assert_eq!(
        store.delete_expired_sessions(0, 250).await.expect("delete"),
        1
    );
    store
        .insert_session(&session("s5", &bob, 400))
        .await
        .expect("insert");
    assert_eq!(
        store.delete_user_sessions(&bob.id).await.expect("delete"),
        2
    );
    assert_eq!(store.find_session("s3").await.expect("find"), None);
    store
        .insert_session(&session("s6", &alice, 500))
        .await
        .expect("insert");
    store.delete_session("s6").await.expect("delete");
    assert_eq!(store.find_session("s6").await.expect("find"), None);
}

async fn a_tenants_licence_and_retention_change(store: Arc<dyn Store>) {
    let a = tenant(store.as_ref(), "Contoso").await;
    let free = Tenant {
        licence: Licence::Free,
        retention_days: Some(7),
        ..a.clone()
    };
    store.update_tenant(&free).await.expect("update");
    assert_eq!(
        store.find_tenant(&a.id).await.expect("find"),
        Some(free.clone())
    );
    let unlimited = Tenant {
        licence: Licence::Premium,
        retention_days: None,
        ..a.clone()
    };
    store.update_tenant(&unlimited).await.expect("update");
    assert_eq!(
        store.find_tenant("contoso").await.expect("find"),
        Some(unlimited)
    );
    let ghost = Tenant {
        id: "nope".into(),
        ..a
    };
    assert!(matches!(
        store.update_tenant(&ghost).await,
        Err(StoreError::NotFound)
    ));
}

async fn purging_deletes_only_records_older_than_the_cutoff(store: Arc<dyn Store>) {
    let a = tenant(store.as_ref(), "Contoso").await;
    let b = tenant(store.as_ref(), "Fabrikam").await;
    // Minutes 0..10; the cutoff is minute 6: 0..=5 go, 6..=9 stay (6 is exactly at the edge).
    let batch: Vec<NewSignIn> = (0..10)
        .map(|m| record(&format!("r{m}"), &at(m), json!({})))
        .collect();
    store.insert_signins(&a.id, &batch).await.expect("insert");
    store.insert_signins(&b.id, &batch).await.expect("insert");
    let cutoff = at_micros(6);
    let mut deleted = Vec::new();
    loop {
        let n = store.purge_signins(&a.id, cutoff, 4).await.expect("purge");
        if n == 0 {
            break;
        }
        assert!(n <= 4, "a batch is at most the limit");
        deleted.push(n);
    }
    assert_eq!(
        deleted,
        vec![4, 2],
        "in batches, until nothing is left to delete"
    );
    let mut left = all_ids(store.as_ref(), &a.id, Expr::True).await;
    left.sort();
    assert_eq!(left, vec!["r6", "r7", "r8", "r9"]);
    assert_eq!(
        all_ids(store.as_ref(), &b.id, Expr::True).await.len(),
        10,
        "another tenant's records are untouched"
    );
    // One microsecond before the edge goes; the edge itself stays.
    let edge = vec![record("edge", &at(6), json!({}))];
    store.insert_signins(&a.id, &edge).await.expect("insert");
    assert_eq!(
        store
            .purge_signins(&a.id, cutoff, 100)
            .await
            .expect("purge"),
        0
    );
    assert_eq!(
        store
            .purge_signins(&a.id, cutoff + 1, 100)
            .await
            .expect("purge"),
        2
    );
}

/// Records stored before the attribute column existed (NULL there, as migration 0005 leaves
/// them) are derived from their stored JSON, exactly as ingest writes it, and one that cannot
/// be read does not hold up the rest; until none is left, attribute filters are refused rather
/// than answered from part of the records.
async fn earlier_records_get_their_attributes_derived(store: Arc<dyn Store>, url: String) {
    let t = tenant(store.as_ref(), "Contoso").await;
    let mut batch = attribute_records();
    batch.push(record("broken", &at(4), json!({"riskState": "atRisk"})));
    store.insert_signins(&t.id, &batch).await.expect("insert");
    let as_ingested = raw_attrs(&url).await;
    assert_eq!(as_ingested.len(), 4);
    assert!(as_ingested.iter().all(|(_, a)| a.is_some()));
    let cleared = raw_execute(&url, "UPDATE signins SET attrs = NULL").await;
    assert_eq!(cleared, 4);
    let at_risk = Expr::Cmp(Field::RiskState, Op::Eq, Literal::Text("atRisk".into()));
    let refused = store.count_signins(&t.id, &at_risk).await;
    assert!(
        matches!(&refused, Err(StoreError::Unavailable(m)) if m.contains("still indexing")),
        "{refused:?}"
    );
    assert!(matches!(
        store
            .list_signins(&t.id, &list_query(at_risk.clone(), 10))
            .await,
        Err(StoreError::Unavailable(_))
    ));
    let groups = GroupQuery {
        event_type: EventType::NonInteractive,
        filter: at_risk.clone(),
        aggregate: TimeAggregate::Hour,
        limit: 10,
        cursor: None,
        offset: 0,
        snapshot: None,
        with_total: false,
    };
    assert!(matches!(
        store.list_groups(&t.id, &groups).await,
        Err(StoreError::Unavailable(_))
    ));
    assert!(matches!(
        store
            .histogram(&t.id, &at_risk, at_micros(0), at_micros(60), 3_600_000_000)
            .await,
        Err(StoreError::Unavailable(_))
    ));
    assert_eq!(
        sorted_ids(store.as_ref(), &t.id, Expr::True).await,
        ["bare", "broken", "plain", "risky"],
        "everything else works meanwhile"
    );
    // One stored record that cannot be read any more.
    let breaks = if url.starts_with("sqlite:") {
        "UPDATE signins SET doc = X'FE00' WHERE id_key = 'broken'"
    } else {
        "UPDATE signins SET doc = '\\xfe00'::bytea WHERE id_key = 'broken'"
    };
    assert_eq!(raw_execute(&url, breaks).await, 1);
    assert_eq!(store.derive_attributes(2).await.expect("derive"), 2);
    assert!(
        matches!(
            store.count_signins(&t.id, &at_risk).await,
            Err(StoreError::Unavailable(_))
        ),
        "two records are still to do"
    );
    assert_eq!(store.derive_attributes(2).await.expect("derive"), 2);
    assert_eq!(store.derive_attributes(2).await.expect("derive"), 0);
    let derived = raw_attrs(&url).await;
    assert_eq!(
        derived[..3],
        as_ingested[..3],
        "derived as ingest writes it"
    );
    assert_eq!(
        derived[3].1.as_deref(),
        Some(""),
        "the unreadable one has none"
    );
    assert_eq!(
        store.count_signins(&t.id, &at_risk).await.expect("count"),
        1
    );
    assert_eq!(
        sorted_ids(
            store.as_ref(),
            &t.id,
            Expr::Cmp(
                Field::RiskEventTypeV2,
                Op::StartsWith,
                Literal::Text("unf".into())
            )
        )
        .await,
        ["risky"]
    );
}

/// `(seq, attrs)` of every stored record, read directly.
async fn raw_attrs(url: &str) -> Vec<(i64, Option<String>)> {
    use sqlx::Connection;
    let query = "SELECT seq, attrs FROM signins ORDER BY seq";
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url)
            .await
            .expect("connects");
        sqlx::query_as(query).fetch_all(&mut c).await.expect("runs")
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.expect("connects");
        sqlx::query_as(query).fetch_all(&mut c).await.expect("runs")
    }
}

/// Runs a statement on a test database directly (what the store never does); returns the rows
/// it changed.
async fn raw_execute(url: &str, statement: &str) -> u64 {
    use sqlx::Connection;
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url)
            .await
            .expect("connects");
        sqlx::query(statement)
            .execute(&mut c)
            .await
            .expect("runs")
            .rows_affected()
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.expect("connects");
        sqlx::query(statement)
            .execute(&mut c)
            .await
            .expect("runs")
            .rows_affected()
    }
}

mod derived_attributes {
    #[tokio::test]
    async fn sqlite() {
        let (store, dir) = super::sqlite_store().await;
        let url = super::sqlite_url(&dir);
        super::earlier_records_get_their_attributes_derived(store, url).await;
    }

    #[tokio::test]
    async fn postgres() {
        let Some((store, url)) = super::postgres_store_with_url().await else {
            return;
        };
        super::earlier_records_get_their_attributes_derived(store, url).await;
    }
}
