//! The authorization matrix (issue #4): every principal — anonymous, each role of one tenant,
//! the administrator and a user of a second tenant, the administrator of a Free tenant —
//! against every server function and route, asserting allowed or forbidden and that no record
//! the principal may not see appears in any response body. Run on SQLite and PostgreSQL.
//!
//! Covered server functions: load_table_page (all four reports), group_members (own groups and
//! a forged foreign group), load_signin_details (every record of both tenants), report_chart
//! (all four reports), load_portal, save_preview, save_columns, save_filter.
//! Covered routes: GET / (server-rendered report), GET /admin, POST /admin/tenant,
//! POST /admin/users/{create,role,reset,disable,enable,unlock}, GET and POST /account/password,
//! POST /signin, POST /signout, POST /api/v1/ingest.

#[macro_use]
mod common;

use app::api::report::{
    ChartData, ChartRequest, GroupRef, MembersPage, MembersRequest, Portal, TablePage, TableRequest,
};
use app::columns::ColumnId;
use app::filter::{DateFilter, ReportFilter};
use app::grouping::TimeAggregate;
use app::model::EventType;
use app::sort::Sort;
use app::store::{Licence, Role, Store, Tenant, UserAccount};
use common::*;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

on_both_backends!(
    the_authorization_matrix_holds,
    a_licence_upgrade_shows_the_data_at_once
);

const REPORTS: [EventType; 4] = [
    EventType::Interactive,
    EventType::NonInteractive,
    EventType::ServicePrincipal,
    EventType::ManagedIdentity,
];

/// A record of the matrix: its tenant ("a" or "b"), report and owner (a user key).
struct Rec {
    id: &'static str,
    tenant: &'static str,
    report: EventType,
    owner: Option<&'static str>,
}

/// A principal of the matrix.
struct Who {
    key: &'static str,
    tenant: &'static str,
    role: Role,
}

const PEOPLE: &[Who] = &[
    Who {
        key: "ga",
        tenant: "a",
        role: Role::GlobalAdministrator,
    },
    Who {
        key: "sa",
        tenant: "a",
        role: Role::SecurityAdministrator,
    },
    Who {
        key: "sr",
        tenant: "a",
        role: Role::SecurityReader,
    },
    Who {
        key: "rr",
        tenant: "a",
        role: Role::ReportsReader,
    },
    Who {
        key: "u1",
        tenant: "a",
        role: Role::User,
    },
    Who {
        key: "u2",
        tenant: "a",
        role: Role::User,
    },
    Who {
        key: "gb",
        tenant: "b",
        role: Role::GlobalAdministrator,
    },
    Who {
        key: "ub",
        tenant: "b",
        role: Role::User,
    },
    Who {
        key: "gf",
        tenant: "f",
        role: Role::GlobalAdministrator,
    },
];

const RECORDS: &[Rec] = &[
    Rec {
        id: "rid-a-u1-int",
        tenant: "a",
        report: EventType::Interactive,
        owner: Some("u1"),
    },
    Rec {
        id: "rid-a-u1-ni",
        tenant: "a",
        report: EventType::NonInteractive,
        owner: Some("u1"),
    },
    Rec {
        id: "rid-a-u2-int",
        tenant: "a",
        report: EventType::Interactive,
        owner: Some("u2"),
    },
    Rec {
        id: "rid-a-u2-ni",
        tenant: "a",
        report: EventType::NonInteractive,
        owner: Some("u2"),
    },
    Rec {
        id: "rid-a-sp",
        tenant: "a",
        report: EventType::ServicePrincipal,
        owner: None,
    },
    Rec {
        id: "rid-a-mi",
        tenant: "a",
        report: EventType::ManagedIdentity,
        owner: None,
    },
    Rec {
        id: "rid-b-ub-int",
        tenant: "b",
        report: EventType::Interactive,
        owner: Some("ub"),
    },
    Rec {
        id: "rid-b-ub-ni",
        tenant: "b",
        report: EventType::NonInteractive,
        owner: Some("ub"),
    },
    // The same user ID and UPN as u1 of tenant A: still tenant B's record.
    Rec {
        id: "rid-b-u1-twin",
        tenant: "b",
        report: EventType::Interactive,
        owner: Some("u1"),
    },
    Rec {
        id: "rid-b-sp",
        tenant: "b",
        report: EventType::ServicePrincipal,
        owner: None,
    },
    Rec {
        id: "rid-b-mi",
        tenant: "b",
        report: EventType::ManagedIdentity,
        owner: None,
    },
    Rec {
        id: "rid-f-gf-int",
        tenant: "f",
        report: EventType::Interactive,
        owner: Some("gf"),
    },
];

fn upn(key: &str) -> String {
    let domain = match key {
        "gb" | "ub" => "fabrikam.com",
        "gf" => "free.example",
        _ => "contoso.com",
    };
    format!("{key}@{domain}")
}

fn marker(id: &str) -> String {
    format!("Marker {id}")
}

struct World {
    app: TestApp,
    tenants: HashMap<&'static str, Tenant>,
    users: HashMap<&'static str, UserAccount>,
    sessions: HashMap<&'static str, Session>,
}

impl World {
    async fn new(store: Arc<dyn Store>, dir: Option<tempfile::TempDir>) -> World {
        let app = TestApp::spawn_on(
            store,
            dir,
            1 << 20,
            server::auth::AuthConfig::default(),
            server::auth::Clock::system(),
        )
        .await;
        let store = app.store.as_ref();
        let b = tenant(store, "Fabrikam").await;
        let f = Tenant {
            id: uuid::Uuid::new_v4().to_string(),
            name: "Free Co".into(),
            licence: Licence::Free,
            retention_days: None,
        };
        store.insert_tenant(&f).await.expect("tenant");
        let tenants: HashMap<&str, Tenant> = [("a", app.tenant.clone()), ("b", b), ("f", f)]
            .into_iter()
            .collect();
        let mut users = HashMap::new();
        for who in PEOPLE {
            let user = app
                .account(&tenants[who.tenant], &upn(who.key), who.role)
                .await;
            users.insert(who.key, user);
        }
        for (i, rec) in RECORDS.iter().enumerate() {
            let types = match rec.report {
                EventType::Interactive => "interactiveUser",
                EventType::NonInteractive => "nonInteractiveUser",
                EventType::ServicePrincipal => "servicePrincipal",
                EventType::ManagedIdentity => "managedIdentity",
            };
            let mut fields = json!({
                "signInEventTypes": [types],
                "isInteractive": rec.report == EventType::Interactive,
                "userDisplayName": marker(rec.id),
                "appDisplayName": marker(rec.id),
                "servicePrincipalName": marker(rec.id),
            });
            match rec.owner {
                // u1's non-interactive record names them by UPN only, in another case.
                Some("u1") if rec.report == EventType::NonInteractive => {
                    fields["userId"] = json!("");
                    fields["userPrincipalName"] = json!("U1@CONTOSO.com");
                }
                Some(owner) => {
                    fields["userId"] = json!(users[owner].id);
                    fields["userPrincipalName"] = json!(upn(owner));
                }
                None => {
                    // A machine's record naming u1 is still a machine's.
                    fields["userId"] = json!(users["u1"].id);
                    fields["userPrincipalName"] = json!("");
                }
            }
            app.store
                .insert_signins(
                    &tenants[rec.tenant].id,
                    &[new_signin(&record_value(rec.id, &at(i as i64), fields))],
                )
                .await
                .expect("record stored");
        }
        let mut sessions = HashMap::new();
        for who in PEOPLE {
            sessions.insert(who.key, app.sign_in(&upn(who.key)).await);
        }
        World {
            app,
            tenants,
            users,
            sessions,
        }
    }

    fn who(key: &str) -> &'static Who {
        PEOPLE.iter().find(|w| w.key == key).expect("a principal")
    }

    /// Whether `who` may see `rec` (None: anonymous).
    fn visible(who: Option<&str>, rec: &Rec) -> bool {
        let Some(key) = who else { return false };
        let w = World::who(key);
        if w.tenant != rec.tenant || w.tenant == "f" {
            return false;
        }
        if w.role.sees_tenant() {
            return true;
        }
        matches!(
            rec.report,
            EventType::Interactive | EventType::NonInteractive
        ) && rec.owner == Some(key)
            && !(rec.tenant == "b" && key == "u1")
    }

    /// Asserts that `body` names no record `who` may not see.
    fn assert_nothing_foreign(who: Option<&str>, what: &str, body: &str) {
        for rec in RECORDS {
            if !World::visible(who, rec) {
                assert!(
                    !body.contains(rec.id) && !body.contains(&marker(rec.id)),
                    "{who:?} {what}: the answer shows {} ({body})",
                    rec.id
                );
            }
        }
    }
}

fn filter() -> ReportFilter {
    ReportFilter {
        date: DateFilter::Custom {
            start: Some(at_micros(-600)),
            end: Some(at_micros(600)),
        },
        ..ReportFilter::default()
    }
}

fn table_request(report: EventType) -> Value {
    json!({ "request": TableRequest {
        report,
        filter: filter(),
        now: at_micros(700),
        sort: Sort::default(),
        aggregate: TimeAggregate::Whole,
        columns: ColumnId::defaults(report),
        offset: 0,
        limit: 100,
        snapshot: None,
        with_total: true,
    }})
}

/// The HTTP status the matrix expects of a read by `who` (None: anonymous).
fn read_status(who: Option<&str>) -> u16 {
    match who {
        None => 401,
        Some(key) if World::who(key).tenant == "f" => 403,
        Some(_) => 200,
    }
}

async fn the_authorization_matrix_holds(store: Arc<dyn Store>, dir: Option<tempfile::TempDir>) {
    let world = World::new(store, dir).await;
    let app = &world.app;
    let principals: Vec<Option<&str>> = std::iter::once(None)
        .chain(PEOPLE.iter().map(|w| Some(w.key)))
        .collect();

    // A group of u2's non-interactive sign-ins, as an administrator sees it: users must not
    // reach it by sending its key.
    let (_, body) = app
        .call(
            Some(&world.sessions["ga"]),
            "load_table_page",
            table_request(EventType::NonInteractive),
        )
        .await;
    let page: TablePage = serde_json::from_str(&body).expect("a page");
    let u2_group: GroupRef = page
        .rows
        .iter()
        .find(|r| r.id == "rid-a-u2-ni")
        .and_then(|r| r.group)
        .expect("u2's group");

    for who in &principals {
        let session = who.map(|k| &world.sessions[k]);
        let expect = read_status(*who);

        for report in REPORTS {
            // Table pages.
            let (status, body) = app
                .call(session, "load_table_page", table_request(report))
                .await;
            assert_eq!(status, expect, "{who:?} load_table_page {report:?}: {body}");
            World::assert_nothing_foreign(*who, "load_table_page", &body);
            let wanted: Vec<&str> = RECORDS
                .iter()
                .filter(|r| r.report == report && World::visible(*who, r))
                .map(|r| r.id)
                .collect();
            if status == 200 {
                let page: TablePage = serde_json::from_str(&body).expect("a page");
                let mut got: Vec<&str> = page.rows.iter().map(|r| r.id.as_str()).collect();
                got.sort();
                let mut wanted_sorted = wanted.clone();
                wanted_sorted.sort();
                assert_eq!(
                    got, wanted_sorted,
                    "{who:?} sees exactly their {report:?} rows"
                );
                assert_eq!(
                    page.total,
                    Some(wanted.len() as i64),
                    "{who:?} {report:?} total"
                );
                // Each group's members are the principal's to see.
                for row in page.rows.iter().filter(|r| r.group.is_some()) {
                    let members = members_request(report, row.group.expect("a group"));
                    let (status, body) = app.call(session, "group_members", members).await;
                    assert_eq!(status, 200, "{who:?} group_members: {body}");
                    World::assert_nothing_foreign(*who, "group_members", &body);
                }
            } else {
                assert!(!body.contains("rows"), "{who:?}: an error carries no rows");
            }

            // The chart counts what the table lists, no more.
            let chart = json!({ "request": ChartRequest { report, filter: filter(), now: at_micros(700) } });
            let (status, body) = app.call(session, "report_chart", chart).await;
            assert_eq!(status, expect, "{who:?} report_chart {report:?}: {body}");
            if status == 200 {
                let chart: ChartData = serde_json::from_str(&body).expect("a chart");
                let total: i64 = chart
                    .bars
                    .iter()
                    .map(|b| b.success + b.failure + b.interrupted)
                    .sum();
                assert_eq!(total, wanted.len() as i64, "{who:?} chart of {report:?}");
            }
        }

        // A forged group key: nothing of u2 reaches anyone else.
        let (status, body) = app
            .call(
                session,
                "group_members",
                members_request(EventType::NonInteractive, u2_group),
            )
            .await;
        assert_eq!(status, expect, "{who:?} forged group_members: {body}");
        World::assert_nothing_foreign(*who, "forged group_members", &body);
        if status == 200 {
            let members: MembersPage = serde_json::from_str(&body).expect("members");
            let sees_u2 = World::visible(*who, &RECORDS[3]);
            assert_eq!(members.members.is_empty(), !sees_u2, "{who:?} forged group");
        }

        // Details by ID: every record of every tenant.
        for rec in RECORDS {
            let (status, body) = app
                .call(session, "load_signin_details", json!({ "id": rec.id }))
                .await;
            let wanted = match (expect, World::visible(*who, rec)) {
                (200, true) => 200,
                (200, false) => 404,
                (other, _) => other,
            };
            assert_eq!(
                status, wanted,
                "{who:?} load_signin_details {}: {body}",
                rec.id
            );
            World::assert_nothing_foreign(*who, "load_signin_details", &body);
        }

        // The portal: who is signed in.
        let (status, body) = app.call(session, "load_portal", json!({})).await;
        assert_eq!(
            status,
            if who.is_some() { 200 } else { 401 },
            "{who:?} load_portal"
        );
        if let Some(key) = who {
            let portal: Portal = serde_json::from_str(&body).expect("the portal");
            assert_eq!(portal.viewer.role, World::who(key).role);
            assert_eq!(portal.viewer.upn, upn(key));
            assert_eq!(
                portal.viewer.own_only(),
                !World::who(key).role.sees_tenant()
            );
        }

        // Preferences: saved for the principal only.
        for (name, body) in [
            ("save_preview", json!({ "on": true })),
            ("save_columns", json!({ "columns": ["Date", "User"] })),
            ("save_filter", json!({ "filter": filter() })),
        ] {
            let (status, text) = app.call(session, name, body).await;
            assert_eq!(
                status,
                if who.is_some() { 200 } else { 401 },
                "{who:?} {name}: {text}"
            );
        }

        // The server-rendered report.
        let response = app
            .get(
                session,
                &format!("/?date=custom&start={}&end={}", at(-600), at(600)),
            )
            .await;
        match who {
            None => {
                assert_eq!(response.status(), 303, "anonymous GET / goes to sign-in");
                let to = response.headers()["location"].to_str().expect("ascii");
                assert!(to.starts_with("/signin?next="), "{to}");
            }
            Some(key) => {
                assert_eq!(response.status(), 200, "{key} GET /");
                let html = response.text().await.expect("html");
                World::assert_nothing_foreign(*who, "GET /", &html);
                if World::who(key).tenant == "f" {
                    assert!(
                        html.contains("needs a Premium licence"),
                        "{key}: the licence notice"
                    );
                } else {
                    for rec in RECORDS
                        .iter()
                        .filter(|r| r.report == EventType::Interactive && World::visible(*who, r))
                    {
                        assert!(
                            html.contains(&marker(rec.id)),
                            "{key} sees {} on the page",
                            rec.id
                        );
                    }
                }
            }
        }

        // The admin page: readers read, users may not.
        let response = app.get(session, "/admin").await;
        let wanted = match who {
            None => 303,
            Some(k) if World::who(k).role.sees_tenant() => 200,
            Some(_) => 403,
        };
        assert_eq!(response.status(), wanted, "{who:?} GET /admin");
        let html = response.text().await.expect("html");
        if wanted == 200 {
            let own_tenant = World::who(who.expect("signed in")).tenant;
            for w in PEOPLE {
                assert_eq!(
                    html.contains(&upn(w.key)),
                    w.tenant == own_tenant,
                    "{who:?} GET /admin lists {} only if it is theirs",
                    w.key
                );
            }
        }
    }

    // Changes on the admin page: a Global Administrator of the tenant only.
    let u2 = upn("u2");
    let changes: [(&str, Vec<(&str, &str)>); 7] = [
        (
            "/admin/users/role",
            vec![("upn", u2.as_str()), ("role", "reports-reader")],
        ),
        ("/admin/users/reset", vec![("upn", u2.as_str())]),
        ("/admin/users/disable", vec![("upn", u2.as_str())]),
        ("/admin/users/enable", vec![("upn", u2.as_str())]),
        ("/admin/users/unlock", vec![("upn", u2.as_str())]),
        (
            "/admin/users/create",
            vec![("upn", "new@contoso.com"), ("role", "user")],
        ),
        (
            "/admin/tenant",
            vec![("licence", "premium"), ("retention", "")],
        ),
    ];
    for (path, fields) in &changes {
        for who in &principals {
            if *who == Some("ga") {
                continue;
            }
            let session = who.map(|k| &world.sessions[k]);
            let before = app
                .store
                .find_user_by_upn(&u2)
                .await
                .expect("find")
                .expect("u2");
            let new_upn = format!("new-{}@contoso.com", who.unwrap_or("anonymous"));
            let fields: Vec<(&str, &str)> = if *path == "/admin/users/create" {
                vec![("upn", new_upn.as_str()), ("role", "user")]
            } else {
                fields.clone()
            };
            let response = app.post_form(session, path, &fields).await;
            let status = response.status().as_u16();
            let body = response.text().await.expect("body");
            World::assert_nothing_foreign(*who, path, &body);
            let foreign_admin = matches!(*who, Some("gb") | Some("gf"));
            if foreign_admin && path.starts_with("/admin/users/") && *path != "/admin/users/create"
            {
                assert_eq!(
                    status, 404,
                    "{who:?} {path} on another tenant's user: {body}"
                );
            } else if foreign_admin {
                assert_eq!(status, 200, "{who:?} {path} in their own tenant");
            } else {
                assert_eq!(status, 403, "{who:?} {path}: {body}");
            }
            let after = app
                .store
                .find_user_by_upn(&u2)
                .await
                .expect("find")
                .expect("u2");
            assert_eq!(before, after, "{who:?} {path} changed nothing of u2");
        }
    }
    // The tenant's own Global Administrator may.
    let ga = &world.sessions["ga"];
    let response = app
        .post_form(Some(ga), "/admin/users/role", &changes[0].1)
        .await;
    assert_eq!(response.status(), 200);
    let u2_now = app
        .store
        .find_user_by_upn(&u2)
        .await
        .expect("find")
        .expect("u2");
    assert_eq!(u2_now.role, Role::ReportsReader);
    // A role change applies to the session at once: u2 now reads the tenant.
    let (_, body) = app
        .call(
            Some(&world.sessions["u2"]),
            "load_table_page",
            table_request(EventType::Interactive),
        )
        .await;
    assert!(
        body.contains("rid-a-u1-int"),
        "u2 as a Reports Reader sees u1's sign-ins"
    );
    let response = app
        .post_form(Some(ga), "/admin/users/reset", &changes[1].1)
        .await;
    assert_eq!(response.status(), 200);
    assert!(response
        .text()
        .await
        .expect("body")
        .contains("One-time password"));
    // A reset ends u2's sessions.
    let (status, _) = app
        .call(Some(&world.sessions["u2"]), "load_portal", json!({}))
        .await;
    assert_eq!(status, 401, "a password reset signs the user out");
    let response = app
        .post_form(Some(ga), "/admin/users/create", &changes[5].1)
        .await;
    assert_eq!(response.status(), 200);
    assert!(app
        .store
        .find_user_by_upn("new@contoso.com")
        .await
        .expect("find")
        .is_some());
    // The last Global Administrator cannot be demoted.
    let response = app
        .post_form(
            Some(ga),
            "/admin/users/role",
            &[("upn", "ga@contoso.com"), ("role", "user")],
        )
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(world.users["ga"].role, Role::GlobalAdministrator);
    let ga_now = app
        .store
        .find_user_by_upn("ga@contoso.com")
        .await
        .expect("find")
        .expect("ga");
    assert_eq!(
        ga_now.role,
        Role::GlobalAdministrator,
        "still the administrator"
    );

    // Ingest with tenant B's key lands in tenant B only.
    let key = server::keys::new_ingest_key();
    app.store
        .insert_ingest_key(&world.tenants["b"].id, "b", &server::keys::hash_key(&key))
        .await
        .expect("key");
    let response = client()
        .post(format!("{}/api/v1/ingest", app.address))
        .bearer_auth(&key)
        .body(json!([record_value("b-pushed", &at(5), json!({}))]).to_string())
        .send()
        .await
        .expect("ingest");
    assert_eq!(response.status(), 200);
    assert!(app
        .store
        .find_signin(&world.tenants["b"].id, "b-pushed")
        .await
        .expect("find")
        .is_some());
    assert!(app
        .store
        .find_signin(&world.tenants["a"].id, "b-pushed")
        .await
        .expect("find")
        .is_none());
}

fn members_request(report: EventType, group: GroupRef) -> Value {
    json!({ "request": MembersRequest {
        report,
        filter: filter(),
        now: at_micros(700),
        aggregate: TimeAggregate::Whole,
        group,
        offset: 0,
        limit: 50,
        snapshot: None,
    }})
}

async fn a_licence_upgrade_shows_the_data_at_once(
    store: Arc<dyn Store>,
    dir: Option<tempfile::TempDir>,
) {
    let world = World::new(store, dir).await;
    let app = &world.app;
    let gf = &world.sessions["gf"];
    let (status, body) = app
        .call(
            Some(gf),
            "load_table_page",
            table_request(EventType::Interactive),
        )
        .await;
    assert_eq!(status, 403);
    assert!(
        body.contains("LicenceRequired"),
        "Graph's licence error: {body}"
    );
    let response = app
        .post_form(
            Some(gf),
            "/admin/tenant",
            &[("licence", "premium"), ("retention", "")],
        )
        .await;
    assert_eq!(response.status(), 200);
    let (status, body) = app
        .call(
            Some(gf),
            "load_table_page",
            table_request(EventType::Interactive),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("rid-f-gf-int"),
        "the tenant's sign-ins show at once: {body}"
    );
}
