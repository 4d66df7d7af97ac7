//! `signbook import`: every format it reads, what it rejects and why, and that nothing already
//! stored is touched.

mod common;

use app::filter::Expr;
use app::model::{EventType, SignIn};
use common::*;
use server::import::{import_files, ImportSummary};
use std::path::{Path, PathBuf};

fn sample(name: &str) -> PathBuf {
    app::testdata::sample_path(name)
}

async fn run(app: &TestApp, files: &[PathBuf]) -> (ImportSummary, String) {
    let mut out = Vec::new();
    let summary = import_files(app.store.clone(), &app.tenant, files, &mut out)
        .await
        .expect("import runs");
    (summary, String::from_utf8(out).expect("utf-8"))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("written");
    path
}

async fn get(app: &TestApp, id: &str) -> SignIn {
    let stored = app
        .store
        .find_signin(&app.tenant.id, id)
        .await
        .expect("find")
        .unwrap_or_else(|| panic!("{id} stored"));
    serde_json::from_str(&stored.json).expect("a valid record")
}

#[tokio::test]
async fn the_log_analytics_sample_imports_all_56_rows_with_nothing_lost() {
    let app = TestApp::spawn().await;
    let path = sample("sign-in_adelete.csv");
    let (summary, out) = run(&app, std::slice::from_ref(&path)).await;
    assert_eq!(
        summary.to_string(),
        "imported=56 duplicates=0 rejected=0",
        "{out}"
    );

    // Every row, checked against the CSV itself.
    let mut csv = csv::Reader::from_path(&path).expect("readable");
    let headers = csv.headers().expect("headers").clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name}"))
    };
    let mut seen = 0;
    for row in csv.records() {
        let row = row.expect("row");
        let record = get(&app, &row[col("Id")]).await;
        assert_eq!(record.event_type(), EventType::Interactive);
        // 4/28/2021, 2:08:45.221 PM → 2021-04-28T14:08:45.221Z
        let shown = chrono::NaiveDateTime::parse_from_str(
            &row[col("CreatedDateTime [UTC]")],
            "%m/%d/%Y, %I:%M:%S%.f %p",
        )
        .expect("LA time");
        assert_eq!(record.created_date_time.instant().naive_utc(), shown);
        assert_eq!(
            record.error_code().to_string(),
            row[col("ResultType")].to_string()
        );
        assert_eq!(record.app_id.as_deref(), Some(&row[col("AppId")]));
        assert_eq!(
            record.user_principal_name.as_deref(),
            Some(&row[col("UserPrincipalName")])
        );
        assert_eq!(record.ip_address.as_deref(), Some(&row[col("IPAddress")]));
        assert_eq!(
            record.correlation_id.as_deref(),
            Some(&row[col("CorrelationId")])
        );
        let json = |name: &str| -> serde_json::Value {
            let text = &row[col(name)];
            if text.is_empty() {
                serde_json::Value::Null
            } else {
                serde_json::from_str(text).expect("JSON cell")
            }
        };
        let value = serde_json::to_value(&record).expect("ser");
        assert_eq!(
            value["deviceDetail"],
            json("DeviceDetail_dynamic"),
            "device"
        );
        assert_eq!(
            value["location"],
            json("LocationDetails_dynamic"),
            "location"
        );
        assert_eq!(
            value["appliedConditionalAccessPolicies"],
            json("ConditionalAccessPolicies_dynamic"),
            "CA policies"
        );
        assert_eq!(
            value["authenticationDetails"],
            json("AuthenticationDetails"),
            "auth details"
        );
        assert_eq!(
            value["status"]["errorCode"],
            json("Status_dynamic")["errorCode"],
            "status"
        );
        seen += 1;
    }
    assert_eq!(seen, 56);
    let with_policies = app
        .store
        .count_signins(&app.tenant.id, &Expr::True)
        .await
        .expect("count");
    assert_eq!(with_policies, 56);

    // Again: all duplicates, nothing changed.
    let (again, _) = run(&app, &[path]).await;
    assert_eq!(again.to_string(), "imported=0 duplicates=56 rejected=0");
}

#[tokio::test]
async fn a_graph_page_imports_exactly() {
    let app = TestApp::spawn().await;
    let page =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/tests/fixtures/graph-beta-list.json");
    let (summary, out) = run(&app, std::slice::from_ref(&page)).await;
    assert_eq!(
        summary.to_string(),
        "imported=1 duplicates=0 rejected=0",
        "{out}"
    );
    let text = std::fs::read_to_string(&page).expect("fixture");
    let original: serde_json::Value =
        serde_json::from_str::<serde_json::Value>(&text).expect("json")["value"][0].clone();
    let stored = app
        .store
        .find_signin(&app.tenant.id, "1691d37b-8579-43a7-966a-0f35583c1300")
        .await
        .expect("find")
        .expect("found");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stored.json).expect("json"),
        original
    );
}

#[tokio::test]
async fn diagnostic_records_take_report_time_and_result_from_their_envelope() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().expect("dir");
    let line = |id: &str, category: &str| {
        serde_json::json!({
            "time": "2024-05-01T05:00:03.3464680Z", "resourceId": "/tenants/t/providers/Microsoft.aadiam",
            "operationName": "Sign-in activity", "category": category, "resultType": "50140",
            "resultDescription": "Keep me signed in interrupt", "Level": 4,
            "properties": {"id": id, "createdDateTime": "2024-05-01T05:00:03.346468+00:00", "userPrincipalName": "ann@contoso.com",
                           "ssoExtensionVersion": "1.1"}
        })
        .to_string()
    };
    let ndjson = format!(
        "{}\n{}\n",
        line("d1", "NonInteractiveUserSignInLogs"),
        line("d2", "ServicePrincipalSignInLogs")
    );
    let batch = format!(
        "{{\"records\": [{}]}}",
        line("d3", "ManagedIdentitySignInLogs")
    );
    let files = [
        write(dir.path(), "events.json", &ndjson),
        write(dir.path(), "batch.json", &batch),
    ];
    let (summary, out) = run(&app, &files).await;
    assert_eq!(
        summary.to_string(),
        "imported=3 duplicates=0 rejected=0",
        "{out}"
    );
    let d1 = get(&app, "d1").await;
    assert_eq!(d1.event_type(), EventType::NonInteractive);
    assert_eq!(d1.error_code(), 50140);
    assert_eq!(
        d1.created_date_time.as_str(),
        "2024-05-01T05:00:03.346468+00:00",
        "the record's own time text is kept"
    );
    assert_eq!(
        d1.extra.get("ssoExtensionVersion"),
        Some(&serde_json::json!("1.1"))
    );
    assert_eq!(
        get(&app, "d2").await.event_type(),
        EventType::ServicePrincipal
    );
    assert_eq!(
        get(&app, "d3").await.event_type(),
        EventType::ManagedIdentity
    );
}

const PORTAL_HEADER: &str = "\"Date (UTC)\",\"Request ID\",\"User agent\",\"Correlation ID\",\"User ID\",\"User\",\"Username\",\"User type\",\"Cross tenant access type\",\"Incoming token type\",\"Authentication Protocol\",\"Unique token identifier\",\"Original transfer method\",\"Client credential type\",\"Token Protection - Sign In Session\",\"Token Protection - Sign In Session StatusCode\",\"Application\",\"Application ID \",\"Resource\",\"Resource ID \",\"Resource tenant ID\",\"Home tenant ID\",\"Home tenant name\",\"IP address\",\"Location\",\"Status\",\"Sign-in error code\",\"Failure reason\",\"Client app\",\"Device ID\",\"Browser\",\"Operating System\",\"Compliant\",\"Managed\",\"Join Type\",\"Multifactor authentication result\",\"Multifactor authentication auth method\",\"Multifactor authentication auth detail\",\"Authentication requirement\",\"Sign-in identifier\",\"Session ID\",\"IP address (seen by resource)\",\"Through Global Secure Access\",\"Global Secure Access IP address\",\"Autonomous system  number\",\"Flagged for review\",\"Token issuer type\",\"Incoming token type\",\"Token issuer name\",\"Latency\",\"Conditional Access\",\"Managed Identity type\",\"Associated Resource Id\",\"Federated Token Id\",\"Federated Token Issuer\"";

fn portal_row(date: &str, id: &str, code: &str) -> String {
    format!(
        "{date},{id},Mozilla/5.0,corr-{id},user-1,Adele Vance,adele@contoso.com,Member,None,None,None,tok,None,None,,,Azure Portal,c44b4083-3bb0-49c1-b47d-974e53cbdf3c,Windows Azure Service Management API,797f4846-ba00-4fd7-ba43-dac1f8f63013,t1,t1,,203.0.113.9,\"Melbourne, Victoria, AU\",Failure,{code},Invalid password,Browser,,Edge 120.0.0,Windows10,False,False,,,,,Single-factor authentication,adele@contoso.com,,,False,,1221,False,AzureAD,None,,212,Not Applied,,,,"
    )
}

#[tokio::test]
async fn a_portal_csv_bundle_imports_with_auth_details_joined() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().expect("dir");
    let interactive = format!(
        "\u{feff}{PORTAL_HEADER}\n{}\n{}\n{}\n",
        portal_row("2025-12-04T08:19:41Z", "i-1", "50126"),
        portal_row("2025-12-04T08:20:00Z", "i-2", "0"),
        portal_row("yesterday", "i-3", "0"),
    );
    let auth = "Request ID,Date,Authentication method,Authentication method detail,Requirement,Succeeded,Result detail\n\
                i-1,2025-12-04T08:19:41Z,Password,Password in the cloud,Primary authentication,false,Invalid username or password\n\
                i-2,2025-12-04T08:20:00Z,Password,Password in the cloud,Primary authentication,true,Correct password\n\
                i-2,2025-12-04T08:20:05Z,Mobile app notification,,Multifactor authentication,true,MFA successfully completed\n\
                i-9,2025-12-04T08:20:05Z,Password,,Primary authentication,true,\n";
    let sp = "Date (UTC),Request ID,Correlation ID,Service principal ID,Service principal name,Credential key ID,Credential thumbprint,Application,Application ID ,App owner tenant ID,Resource,Resource ID ,Resource tenant ID,Resource owner tenant ID,Home tenant ID,Home tenant name,IP address,Location,Status,Sign-in error code,Failure reason,Conditional Access\n\
              2025-12-04T09:00:00Z,sp-1,c,sp-object,backup-job,key-1,,backup-job,app-9,,Azure Storage,e406a681-f3d4-42a8-90b6-c2b029497af1,t1,,,,20.42.1.1,\"Quincy, Washington, US\",Success,0,,Not Applied\n";
    let files = [
        write(
            dir.path(),
            "InteractiveSignIns_2025-12-04_2025-12-05.csv",
            &interactive,
        ),
        write(
            dir.path(),
            "InteractiveSignIns_AuthDetails_2025-12-04_2025-12-05.csv",
            auth,
        ),
        write(
            dir.path(),
            "ApplicationSignIns_2025-12-04_2025-12-05.csv",
            sp,
        ),
    ];
    let (summary, out) = run(&app, &files).await;
    assert_eq!(
        summary.to_string(),
        "imported=3 duplicates=0 rejected=2",
        "{out}"
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "one line per rejected record: {out}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("row 4") && l.contains("\"yesterday\" is not a date")),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("i-9") && l.contains("no sign-in")),
        "{out}"
    );

    let i1 = get(&app, "i-1").await;
    assert_eq!(i1.event_type(), EventType::Interactive);
    assert_eq!(i1.error_code(), 50126);
    assert_eq!(i1.location_text(), "Melbourne, Victoria, AU");
    assert_eq!(
        i1.authentication_requirement.as_deref(),
        Some("singleFactorAuthentication")
    );
    assert_eq!(
        i1.conditional_access_status.get().map(|c| c.as_str()),
        Some("notApplied")
    );
    assert_eq!(i1.autonomous_system_number.get(), Some(&1221));
    assert_eq!(
        i1.device_detail.get().and_then(|d| d.is_compliant.get()),
        Some(&false)
    );
    let i2 = get(&app, "i-2").await;
    let steps = i2.authentication_details.get().expect("steps joined");
    assert_eq!(steps.len(), 2);
    assert_eq!(
        steps[1].authentication_method.as_deref(),
        Some("Mobile app notification")
    );
    let sp1 = get(&app, "sp-1").await;
    assert_eq!(sp1.event_type(), EventType::ServicePrincipal);
    assert_eq!(sp1.service_principal_name.as_deref(), Some("backup-job"));
    assert_eq!(
        sp1.service_principal_credential_key_id.as_deref(),
        Some("key-1")
    );
}

#[tokio::test]
async fn bad_records_are_reported_and_the_good_ones_kept() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().expect("dir");
    let good = record_value("ok-1", &at(1), serde_json::json!({}));
    let mut bad_code = record_value("bad-1", &at(2), serde_json::json!({}));
    bad_code["status"]["errorCode"] = serde_json::json!("x");
    let body = serde_json::json!({"value": [good, bad_code, {"id": "no-time"}]}).to_string();
    let (summary, out) = run(&app, &[write(dir.path(), "page.json", &body)]).await;
    assert_eq!(summary.to_string(), "imported=1 duplicates=0 rejected=2");
    assert!(out.contains("record 1: status.errorCode:"), "{out}");
    assert!(
        out.contains("record 2:") && out.contains("createdDateTime"),
        "{out}"
    );
}

#[tokio::test]
async fn an_unreadable_file_is_an_error_and_touches_nothing() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().expect("dir");
    let first =
        serde_json::json!([record_value("keep", &at(1), serde_json::json!({}))]).to_string();
    assert_eq!(
        run(&app, &[write(dir.path(), "one.json", &first)])
            .await
            .0
            .imported,
        1
    );
    let broken = write(
        dir.path(),
        "broken.json",
        "[{\"id\": \"x\", \"createdDateTime\": ",
    );
    let unknown = write(dir.path(), "notes.txt", "hello\nworld\n");
    let missing = dir.path().join("missing.json");
    let (summary, _) = run(&app, &[broken, unknown, missing]).await;
    assert_eq!(summary.failed_files, 3);
    assert_eq!(summary.imported, 0);
    assert_eq!(
        app.store
            .count_signins(&app.tenant.id, &Expr::True)
            .await
            .expect("count"),
        1
    );
    assert!(app
        .store
        .find_signin(&app.tenant.id, "keep")
        .await
        .expect("find")
        .is_some());
}
