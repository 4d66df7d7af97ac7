//! The portal's own sign-ins as `signIn` records (SPEC §5): every attempt at the sign-in form
//! is an interactive sign-in of the user's tenant, every session refresh a non-interactive
//! one, with the AADSTS code Entra would give.

use app::model::SignIn;
use app::store::{NewSignIn, Tenant};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;

/// Signbook's own application ID, as the `appId` and `resourceId` of its sign-ins.
pub const PORTAL_APP_ID: &str = "8d0b4f3e-5c2a-4e71-9b6d-3f1a2c7e9d40";
/// Its display name.
pub const PORTAL_APP_NAME: &str = "Signbook";

/// How an attempt ended, with its AADSTS code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Signed in (0).
    Success,
    /// Wrong password (50126).
    WrongPassword,
    /// No such user (50034).
    UnknownUser,
    /// Locked, or too many attempts (50053).
    Locked,
    /// Disabled (50057).
    Disabled,
    /// Right one-time password, which must now be changed (50055, an interruption).
    PasswordExpired,
}

impl Outcome {
    /// The AADSTS error code.
    pub fn code(self) -> i64 {
        match self {
            Outcome::Success => 0,
            Outcome::WrongPassword => 50126,
            Outcome::UnknownUser => 50034,
            Outcome::Locked => 50053,
            Outcome::Disabled => 50057,
            Outcome::PasswordExpired => 50055,
        }
    }

    fn reason(self) -> Option<&'static str> {
        match self {
            Outcome::Success => None,
            Outcome::WrongPassword => Some("Invalid username or password."),
            Outcome::UnknownUser => Some("User does not exist in directory."),
            Outcome::Locked => Some(
                "Account is locked because the user tried to sign in too many times with an incorrect user ID or password.",
            ),
            Outcome::Disabled => {
                Some("User account is disabled. The account has been disabled by an administrator.")
            }
            Outcome::PasswordExpired => Some("Invalid password, entered expired password."),
        }
    }
}

/// Where a request came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Client {
    /// The client's IP address.
    pub ip: String,
    /// Its `User-Agent`.
    pub user_agent: String,
}

/// Who signed in, as far as it is known.
#[derive(Clone, Debug)]
pub struct Subject<'a> {
    /// The user's object ID (empty for an unknown user).
    pub user_id: &'a str,
    /// The UPN typed or known.
    pub upn: &'a str,
    /// The display name (empty for an unknown user).
    pub display_name: &'a str,
}

/// Browser and operating system the way the portal names them ("Chrome 120.0.0",
/// "Windows10").
pub fn device(user_agent: &str) -> (String, String) {
    let Some(ua) = woothee::parser::Parser::new().parse(user_agent) else {
        return (String::new(), String::new());
    };
    let browser = match (ua.name, ua.version) {
        ("UNKNOWN", _) => String::new(),
        (name, "UNKNOWN") | (name, "") => name.to_owned(),
        (name, version) => format!("{name} {version}"),
    };
    let os = match ua.os {
        "UNKNOWN" => String::new(),
        "Windows 10" => "Windows10".to_owned(),
        "Mac OSX" => "MacOs".to_owned(),
        other => other.to_owned(),
    };
    (browser, os)
}

/// A portal sign-in record.
pub fn signin(
    tenant: &Tenant,
    subject: &Subject<'_>,
    outcome: Outcome,
    interactive: bool,
    correlation_id: &str,
    client: &Client,
    at: DateTime<Utc>,
) -> NewSignIn {
    let time = at.to_rfc3339_opts(SecondsFormat::Micros, true);
    let (browser, os) = device(&client.user_agent);
    let method = if interactive {
        "Password"
    } else {
        "Previously satisfied"
    };
    let mut status = json!({ "errorCode": outcome.code() });
    if let Some(reason) = outcome.reason() {
        status["failureReason"] = json!(reason);
    }
    let succeeded = outcome == Outcome::Success;
    let record = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "createdDateTime": time,
        "userDisplayName": subject.display_name,
        "userPrincipalName": subject.upn,
        "userId": subject.user_id,
        "userType": "member",
        "appId": PORTAL_APP_ID,
        "appDisplayName": PORTAL_APP_NAME,
        "ipAddress": client.ip,
        "clientAppUsed": "Browser",
        "userAgent": client.user_agent,
        "correlationId": correlation_id,
        "conditionalAccessStatus": "notApplied",
        "isInteractive": interactive,
        "signInEventTypes": [if interactive { "interactiveUser" } else { "nonInteractiveUser" }],
        "resourceDisplayName": PORTAL_APP_NAME,
        "resourceId": PORTAL_APP_ID,
        "homeTenantId": tenant.id,
        "resourceTenantId": tenant.id,
        "tokenIssuerType": "AzureAD",
        "authenticationRequirement": "singleFactorAuthentication",
        "authenticationProtocol": "none",
        "incomingTokenType": if interactive { "none" } else { "primaryRefreshToken" },
        "status": status,
        "deviceDetail": {
            "deviceId": "",
            "displayName": "",
            "operatingSystem": os,
            "browser": browser,
            "isCompliant": false,
            "isManaged": false,
            "trustType": ""
        },
        "location": {
            "city": null,
            "state": null,
            "countryOrRegion": null,
            "geoCoordinates": null
        },
        "appliedConditionalAccessPolicies": [],
        "authenticationDetails": [{
            "authenticationStepDateTime": time,
            "authenticationMethod": method,
            "authenticationMethodDetail": if interactive { "Password in the cloud" } else { "" },
            "succeeded": succeeded,
            "authenticationStepResultDetail": if succeeded {
                if interactive { "Correct password" } else { "First factor requirement satisfied by session" }
            } else {
                outcome.reason().unwrap_or_default()
            },
            "authenticationStepRequirement": "Primary authentication"
        }]
    });
    let text = record.to_string();
    // The record is built here from known values: it always parses.
    let parsed: SignIn = serde_json::from_str(&text).unwrap_or_else(|_| SignIn::default());
    NewSignIn::new(&parsed, &text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::{EventType, Status};
    use app::store::Licence;

    fn tenant() -> Tenant {
        Tenant {
            id: "t-1".into(),
            name: "Contoso".into(),
            licence: Licence::Premium,
            retention_days: Some(30),
        }
    }

    #[test]
    fn a_wrong_password_is_an_interactive_failure_50126_with_the_device() {
        let client = Client {
            ip: "203.0.113.9".into(),
            user_agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36".into(),
        };
        let subject = Subject {
            user_id: "u-1",
            upn: "ann@contoso.com",
            display_name: "Ann",
        };
        let new = signin(
            &tenant(),
            &subject,
            Outcome::WrongPassword,
            true,
            "c-1",
            &client,
            Utc::now(),
        );
        let record: SignIn = serde_json::from_str(&new.json()).expect("parses");
        assert_eq!(record.event_type(), EventType::Interactive);
        assert_eq!(record.error_code(), 50126);
        assert_eq!(record.status_kind(), Status::Failure);
        assert_eq!(new.index.ip_address, "203.0.113.9");
        assert_eq!(new.index.browser, "chrome 120.0.0.0");
        assert_eq!(new.index.operating_system, "windows10");
        assert_eq!(new.index.user_principal_name, "ann@contoso.com");
        assert_eq!(new.index.app_display_name, "signbook");
    }

    #[test]
    fn a_refresh_is_a_non_interactive_success() {
        let subject = Subject {
            user_id: "u-1",
            upn: "ann@contoso.com",
            display_name: "Ann",
        };
        let new = signin(
            &tenant(),
            &subject,
            Outcome::Success,
            false,
            "c-1",
            &Client::default(),
            Utc::now(),
        );
        let record: SignIn = serde_json::from_str(&new.json()).expect("parses");
        assert_eq!(record.event_type(), EventType::NonInteractive);
        assert_eq!(record.error_code(), 0);
        assert_eq!(new.index.correlation_id, "c-1");
    }

    #[test]
    fn every_outcome_has_its_aadsts_code() {
        let codes: Vec<i64> = [
            Outcome::Success,
            Outcome::WrongPassword,
            Outcome::UnknownUser,
            Outcome::Locked,
            Outcome::Disabled,
            Outcome::PasswordExpired,
        ]
        .map(Outcome::code)
        .to_vec();
        assert_eq!(codes, vec![0, 50126, 50034, 50053, 50057, 50055]);
    }
}
