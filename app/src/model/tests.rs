//! Round-trip and reading tests of the model against Graph's documented sample responses.

use super::*;
use serde_json::{json, Value};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// Parses a value as a `SignIn` and writes it back, asserting nothing changed.
fn round_trip(value: &Value) -> SignIn {
    let record: SignIn = serde_json::from_value(value.clone()).expect("a valid signIn");
    let back = serde_json::to_value(&record).expect("serialises");
    assert_eq!(&back, value, "the round trip changed the record");
    record
}

#[test]
fn the_beta_sample_round_trips_and_reads_right() {
    let page = fixture("graph-beta-list.json");
    let record = round_trip(&page["value"][0]);
    assert_eq!(record.id, "1691d37b-8579-43a7-966a-0f35583c1300");
    assert_eq!(record.created_date_time.as_str(), "2021-06-30T16:34:32Z");
    assert_eq!(record.event_type(), EventType::Interactive);
    assert_eq!(record.error_code(), 50126);
    assert_eq!(record.status_kind(), Status::Failure);
    assert_eq!(record.location_text(), "Redmond, Washington, US");
    assert_eq!(
        record.authentication_protocol.get(),
        Some(&ProtocolType::OAuth2)
    );
    // The doc's display string is not a member of the enum: kept as it came.
    assert_eq!(
        record.incoming_token_type.get(),
        Some(&IncomingTokenType::Other("Primary Refresh Token".into()))
    );
    let steps = record.authentication_details.get().expect("auth details");
    assert_eq!(steps[0].authentication_method.as_deref(), Some("Password"));
    assert_eq!(steps[0].succeeded.get(), Some(&false));
    assert_eq!(
        record
            .device_detail
            .get()
            .and_then(|d| d.browser.as_deref()),
        Some("Edge 91.0.864")
    );
    assert_eq!(record.network_location_details.get().map(Vec::len), Some(1));
    assert!(
        record.extra.is_empty(),
        "every beta property is known: {:?}",
        record.extra.keys()
    );
}

#[test]
fn the_v1_sample_round_trips_with_its_nulls() {
    let page = fixture("graph-v1-list.json");
    let record = round_trip(&page["value"][0]);
    assert_eq!(
        record.created_date_time.as_str(),
        "2020-03-13T19:15:41.6195833Z"
    );
    assert_eq!(record.status_kind(), Status::Success);
    let device = record.device_detail.get().expect("deviceDetail");
    assert_eq!(device.display_name, Nullable::Null);
    let policies = record
        .applied_conditional_access_policies
        .get()
        .expect("CA policies");
    assert_eq!(policies.len(), 2);
    assert_eq!(
        policies[0].result.get(),
        Some(&AppliedConditionalAccessPolicyResult::NotEnabled)
    );
    assert_eq!(record.risk_event_types.get().map(Vec::len), Some(0));
}

#[test]
fn unknown_properties_are_kept_at_every_level() {
    let value = json!({
        "id": "x", "createdDateTime": "2024-05-01T10:00:00.1234567Z",
        "ssoExtensionVersion": "1.2",
        "status": {"errorCode": 0, "somethingNew": [1, 2, {"a": null}]},
        "location": {"city": "Oslo", "geoCoordinates": {"latitude": 0, "longitude": 10.75, "extraAxis": 1}},
        "appliedConditionalAccessPolicies": [{"id": "p", "conditionsSatisfied": 3, "newField": true}],
        "authenticationDetails": [{"authenticationMethod": "Password", "StatusSequence": 0, "RequestSequence": 0}]
    });
    let record = round_trip(&value);
    assert_eq!(record.extra.get("ssoExtensionVersion"), Some(&json!("1.2")));
    let policy = &record
        .applied_conditional_access_policies
        .get()
        .expect("policies")[0];
    assert_eq!(
        policy.conditions_satisfied.get().map(|c| c.conditions()),
        Some(vec![
            ConditionalAccessCondition::Application,
            ConditionalAccessCondition::Users
        ])
    );
}

#[test]
fn condition_names_and_bits_mean_the_same() {
    let names = ConditionalAccessConditions::Names("application,users".into());
    assert_eq!(
        names.conditions(),
        ConditionalAccessConditions::Bits(3).conditions()
    );
    assert_eq!(
        ConditionalAccessConditions::Bits(0).conditions(),
        vec![ConditionalAccessCondition::None]
    );
}

#[test]
fn a_record_without_id_or_time_is_refused_naming_the_field() {
    let missing_id = json!({"createdDateTime": "2024-01-01T00:00:00Z"});
    let err = serde_json::from_value::<SignIn>(missing_id).expect_err("no id");
    assert!(err.to_string().contains("id"), "{err}");
    let bad_time = r#"{"id": "a", "createdDateTime": "not a time"}"#;
    let mut de = serde_json::Deserializer::from_str(bad_time);
    let err = serde_path_to_error::deserialize::<_, SignIn>(&mut de).expect_err("bad time");
    assert_eq!(err.path().to_string(), "createdDateTime");
}

#[test]
fn a_wrong_type_deep_inside_is_reported_with_its_path() {
    let text = r#"{"id": "a", "createdDateTime": "2024-01-01T00:00:00Z", "status": {"errorCode": "oops"}}"#;
    let mut de = serde_json::Deserializer::from_str(text);
    let err = serde_path_to_error::deserialize::<_, SignIn>(&mut de).expect_err("bad code");
    assert_eq!(err.path().to_string(), "status.errorCode");
}

#[test]
fn one_or_many_strings_keep_their_form() {
    for v in [json!("Password"), json!(["Password", "SMS"])] {
        let record = round_trip(
            &json!({"id": "a", "createdDateTime": "2024-01-01T00:00:00Z", "authenticationMethodsUsed": v}),
        );
        assert!(record.authentication_methods_used.get().is_some());
    }
}
