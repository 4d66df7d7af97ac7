//! The details pane's content for one sign-in (SPEC §4.4), built on the server so the browser
//! only renders labelled values and small tables.

use crate::api::report::{DetailItem, DetailSection, DetailTable, SignInDetails};
use crate::columns::ca_label;
use crate::model::{error_code_description, SignIn};

fn item(label: &str, value: impl Into<String>) -> DetailItem {
    DetailItem {
        label: label.to_owned(),
        value: value.into(),
        copy: false,
    }
}

fn id_item(label: &str, value: impl Into<String>) -> DetailItem {
    DetailItem {
        copy: true,
        ..item(label, value)
    }
}

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}

fn shown<T: std::fmt::Display>(value: Option<&T>) -> String {
    value.map(ToString::to_string).unwrap_or_default()
}

fn yes_no(value: Option<&bool>) -> String {
    match value {
        Some(true) => "Yes".to_owned(),
        Some(false) => "No".to_owned(),
        None => String::new(),
    }
}

fn section(name: &str, items: Vec<DetailItem>, empty: &str) -> DetailSection {
    DetailSection {
        name: name.to_owned(),
        items,
        table: None,
        empty: empty.to_owned(),
        lists_table: false,
    }
}

fn policies_table(r: &SignIn, report_only: bool) -> Option<DetailTable> {
    let rows: Vec<Vec<String>> = r
        .applied_conditional_access_policies
        .get()
        .map(|policies| {
            policies
                .iter()
                .filter(|p| p.result.get().is_some_and(|res| res.is_report_only()) == report_only)
                .map(|p| {
                    let mut controls: Vec<String> = Vec::new();
                    if let Some(grants) = p.enforced_grant_controls.get() {
                        controls.extend(grants.iter().cloned());
                    }
                    if let Some(session) = p.enforced_session_controls.get() {
                        controls.extend(session.iter().cloned());
                    }
                    vec![
                        text(p.display_name.as_deref()),
                        shown(p.result.get()),
                        controls.join(", "),
                        text(p.id.as_deref()),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    (!rows.is_empty()).then(|| DetailTable {
        headers: ["Policy name", "Result", "Controls", "Policy ID"]
            .map(str::to_owned)
            .to_vec(),
        rows,
    })
}

/// The details of a record.
pub fn details_of(r: &SignIn) -> SignInDetails {
    let status = r.status_kind().label().to_owned();
    let code = r.error_code();
    let device = r.device_detail.get();
    let location = r.location.get();

    let basic = section(
        "Basic info",
        vec![
            item("Date", r.created_date_time.as_str()),
            id_item("Request ID", r.id.clone()),
            id_item("Correlation ID", text(r.correlation_id.as_deref())),
            item(
                "Authentication requirement",
                text(r.authentication_requirement.as_deref()),
            ),
            item("Status", status.clone()),
            item("Sign-in error code", code.to_string()),
            item(
                "Failure reason",
                r.failure_reason_text().unwrap_or_default(),
            ),
            item(
                "Error code description",
                error_code_description(code).unwrap_or_default(),
            ),
            item("User", text(r.user_display_name.as_deref())),
            item("Username", text(r.user_principal_name.as_deref())),
            id_item("User ID", text(r.user_id.as_deref())),
            item("User type", shown(r.user_type.get())),
            item("Application", text(r.app_display_name.as_deref())),
            id_item("Application ID", text(r.app_id.as_deref())),
            item("Resource", text(r.resource_display_name.as_deref())),
            id_item("Resource ID", text(r.resource_id.as_deref())),
            id_item("Resource tenant ID", text(r.resource_tenant_id.as_deref())),
            id_item("Home tenant ID", text(r.home_tenant_id.as_deref())),
            item("Client app", text(r.client_app_used.as_deref())),
            item(
                "Cross tenant access type",
                shown(r.cross_tenant_access_type.get()),
            ),
            item("Token issuer type", shown(r.token_issuer_type.get())),
            item("Token issuer name", text(r.token_issuer_name.as_deref())),
            item("Incoming token type", shown(r.incoming_token_type.get())),
            item(
                "Authentication protocol",
                shown(r.authentication_protocol.get()),
            ),
            item(
                "Latency",
                r.processing_time_in_milliseconds
                    .get()
                    .map(|ms| format!("{ms} ms"))
                    .unwrap_or_default(),
            ),
            item("User agent", text(r.user_agent.as_deref())),
            id_item(
                "Unique token identifier",
                text(r.unique_token_identifier.as_deref()),
            ),
            id_item(
                "Service principal ID",
                text(r.service_principal_id.as_deref()),
            ),
            item(
                "Service principal name",
                text(r.service_principal_name.as_deref()),
            ),
        ],
        "",
    );

    let loc = section(
        "Location",
        vec![
            id_item("IP address", text(r.ip_address.as_deref())),
            item(
                "IP address (seen by resource)",
                text(r.ip_address_from_resource_provider.as_deref()),
            ),
            item("Location", r.location_text()),
            item("City", text(location.and_then(|l| l.city.as_deref()))),
            item("State", text(location.and_then(|l| l.state.as_deref()))),
            item(
                "Country or region",
                text(location.and_then(|l| l.country_or_region.as_deref())),
            ),
            item(
                "Autonomous system number",
                shown(r.autonomous_system_number.get()),
            ),
            item(
                "Network location",
                r.network_location_details
                    .get()
                    .map(|nets| {
                        nets.iter()
                            .map(|n| {
                                let names = n
                                    .network_names
                                    .get()
                                    .map(|v| v.join(", "))
                                    .unwrap_or_default();
                                format!("{}: {names}", shown(n.network_type.get()))
                            })
                            .collect::<Vec<_>>()
                            .join("; ")
                    })
                    .unwrap_or_default(),
            ),
        ],
        "",
    );

    let dev = section(
        "Device info",
        vec![
            id_item(
                "Device ID",
                text(device.and_then(|d| d.device_id.as_deref())),
            ),
            item(
                "Device name",
                text(device.and_then(|d| d.display_name.as_deref())),
            ),
            item(
                "Operating system",
                text(device.and_then(|d| d.operating_system.as_deref())),
            ),
            item("Browser", text(device.and_then(|d| d.browser.as_deref()))),
            item(
                "Compliant",
                yes_no(device.and_then(|d| d.is_compliant.get())),
            ),
            item("Managed", yes_no(device.and_then(|d| d.is_managed.get()))),
            item(
                "Join type",
                text(device.and_then(|d| d.trust_type.as_deref())),
            ),
        ],
        "",
    );

    let steps: Vec<Vec<String>> = r
        .authentication_details
        .get()
        .map(|steps| {
            steps
                .iter()
                .map(|s| {
                    vec![
                        s.authentication_step_date_time
                            .get()
                            .map(|t| t.as_str().to_owned())
                            .unwrap_or_default(),
                        text(s.authentication_method.as_deref()),
                        text(s.authentication_method_detail.as_deref()),
                        match s.succeeded.get() {
                            Some(true) => "Succeeded".to_owned(),
                            Some(false) => "Failed".to_owned(),
                            None => String::new(),
                        },
                        text(s.authentication_step_result_detail.as_deref()),
                        text(s.authentication_step_requirement.as_deref()),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    let auth = DetailSection {
        name: "Authentication Details".to_owned(),
        items: Vec::new(),
        table: (!steps.is_empty()).then(|| DetailTable {
            headers: [
                "Date",
                "Authentication method",
                "Method detail",
                "Succeeded",
                "Result detail",
                "Requirement",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows: steps,
        }),
        empty: "No authentication steps were recorded for this sign-in.".to_owned(),
        lists_table: true,
    };

    let ca = DetailSection {
        name: "Conditional Access".to_owned(),
        items: vec![item(
            "Conditional Access status",
            r.conditional_access_status
                .get()
                .map(ca_label)
                .unwrap_or_default(),
        )],
        table: policies_table(r, false),
        empty: "No Conditional Access policy applied to this sign-in.".to_owned(),
        lists_table: true,
    };
    let report_only = DetailSection {
        name: "Report-only".to_owned(),
        items: Vec::new(),
        table: policies_table(r, true),
        empty: "No report-only policy evaluated this sign-in.".to_owned(),
        lists_table: true,
    };

    let mut additional: Vec<DetailItem> = Vec::new();
    if let Some(details) = r
        .status
        .get()
        .and_then(|s| s.additional_details.non_empty())
    {
        additional.push(item("Additional details", details));
    }
    if let Some(pairs) = r.authentication_processing_details.get() {
        for kv in pairs {
            additional.push(item(
                kv.key.as_deref().unwrap_or("Detail"),
                text(kv.value.as_deref()),
            ));
        }
    }
    if let Some(flagged) = r.flagged_for_review.get() {
        additional.push(item("Flagged for review", yes_no(Some(flagged))));
    }
    let risk = shown(r.risk_level_during_sign_in.get());
    if !risk.is_empty() {
        additional.push(item("Risk level during sign-in", risk));
        additional.push(item("Risk state", shown(r.risk_state.get())));
    }
    let additional = section(
        "Additional Details",
        additional,
        "No additional details were recorded for this sign-in.",
    );

    SignInDetails {
        id: r.id.clone(),
        created: r.created_date_time.as_str().to_owned(),
        status,
        sections: vec![basic, loc, dev, auth, ca, report_only, additional],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: serde_json::Value) -> SignIn {
        serde_json::from_value(json).expect("valid record")
    }

    #[test]
    fn the_pane_has_the_sections_of_the_spec_in_order() {
        let r = record(serde_json::json!({"id": "r1", "createdDateTime": "2024-01-01T00:00:00Z"}));
        let names: Vec<String> = details_of(&r)
            .sections
            .into_iter()
            .map(|s| s.name)
            .collect();
        assert_eq!(
            names,
            [
                "Basic info",
                "Location",
                "Device info",
                "Authentication Details",
                "Conditional Access",
                "Report-only",
                "Additional Details"
            ]
        );
    }

    #[test]
    fn policies_split_into_enforced_and_report_only() {
        let r = record(serde_json::json!({
            "id": "r1", "createdDateTime": "2024-01-01T00:00:00Z",
            "status": {"errorCode": 53003},
            "appliedConditionalAccessPolicies": [
                {"id": "p1", "displayName": "Require MFA", "result": "failure", "enforcedGrantControls": ["Mfa"]},
                {"id": "p2", "displayName": "Block legacy", "result": "reportOnlyFailure"}
            ],
            "authenticationDetails": [
                {"authenticationMethod": "Password", "succeeded": true, "authenticationStepDateTime": "2024-01-01T00:00:00Z"}
            ]
        }));
        let d = details_of(&r);
        let table = |name: &str| {
            d.sections
                .iter()
                .find(|s| s.name == name)
                .and_then(|s| s.table.clone())
                .expect("a table")
        };
        assert_eq!(table("Conditional Access").rows[0][0], "Require MFA");
        assert_eq!(table("Conditional Access").rows.len(), 1);
        assert_eq!(table("Report-only").rows[0][0], "Block legacy");
        assert_eq!(table("Authentication Details").rows[0][3], "Succeeded");
        let basic = &d.sections[0];
        let code = basic
            .items
            .iter()
            .find(|i| i.label == "Error code description")
            .expect("described");
        assert!(!code.value.is_empty());
        assert!(basic
            .items
            .iter()
            .any(|i| i.label == "Request ID" && i.copy));
    }
}
