//! `signbook demo`: a deterministic, realistic demo tenant.
//!
//! The same `--seed`, `--events`, `--days` and `--end` always give the same records. The world
//! (users, apps, service principals, managed identities, places, devices, policies) is drawn
//! first from the seed; events are then drawn in time order: interactive sign-ins during the
//! working day of each user's office, non-interactive token refreshes from a few fixed streams
//! per user (so their groups grow large), service principals and managed identities on fixed
//! schedules against fixed resources, and failures with real error codes — password sprays,
//! lockouts, MFA interrupts, Conditional Access blocks, expired secrets.

mod data;

use app::model::*;
use chrono::{DateTime, Duration, Timelike, Utc};
use data::*;
use rand::distributions::{Distribution, WeightedIndex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What to generate.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// How many sign-ins.
    pub events: u64,
    /// Over how many days, ending at `end`.
    pub days: u32,
    /// The seed.
    pub seed: u64,
    /// The newest possible sign-in time.
    pub end: DateTime<Utc>,
    /// The tenant ID the records carry (`resourceTenantId`, `homeTenantId`).
    pub tenant_id: String,
}

struct User {
    id: String,
    upn: String,
    name: String,
    guest: bool,
    office: usize,
    device: usize,
    device_id: String,
    trust_type: &'static str,
    compliant: bool,
    ip: String,
    admin: bool,
    streams: Vec<(usize, usize)>, // (app index, resource index) of background token refreshes
}

struct App {
    name: String,
    id: String,
}

struct Principal {
    name: String,
    app_id: String,
    object_id: String,
    key_id: String,
    ip: String,
    region: usize,
    targets: Vec<usize>,
    weight: u32,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    ServicePrincipal,
    ManagedIdentity { user_assigned: bool },
}

/// The drawn world.
pub struct World {
    users: Vec<User>,
    apps: Vec<App>,
    principals: Vec<Principal>,
    identities: Vec<Principal>,
    policy_ids: Vec<String>,
    tenant_id: String,
    user_pick: WeightedIndex<f64>,
    sp_pick: WeightedIndex<u32>,
    mi_pick: WeightedIndex<u32>,
}

fn guid(rng: &mut ChaCha8Rng) -> String {
    let mut b = [0_u8; 16];
    rng.fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(b).to_string()
}

fn ipv4(rng: &mut ChaCha8Rng, prefix: (u8, u8)) -> String {
    format!(
        "{}.{}.{}.{}",
        prefix.0,
        prefix.1,
        rng.gen_range(0..=255),
        rng.gen_range(1..=254)
    )
}

fn slug(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

impl World {
    /// Draws the world for a seed.
    pub fn new(seed: u64, tenant_id: &str) -> World {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5157_4e42_4f4f_4b21);
        let mut apps: Vec<App> = FIRST_PARTY_APPS
            .iter()
            .map(|(n, id)| App {
                name: (*n).to_owned(),
                id: (*id).to_owned(),
            })
            .collect();
        for name in LOB_APPS {
            apps.push(App {
                name: (*name).to_owned(),
                id: guid(&mut rng),
            });
        }

        let mut users = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let office_weights =
            WeightedIndex::new(
                OFFICES
                    .iter()
                    .enumerate()
                    .map(|(i, _)| if i < 3 { 8.0 } else { 2.0 }),
            )
            .expect("office weights are positive");
        let device_weights =
            WeightedIndex::new(DEVICE_WEIGHTS).expect("device weights are positive");
        let mut add_user = |first: &str, last: &str, rng: &mut ChaCha8Rng| {
            let base = format!("{}.{}", slug(first), slug(last));
            let mut local = base.clone();
            let mut n = 2;
            while !seen.insert(local.clone()) {
                local = format!("{base}{n}");
                n += 1;
            }
            let guest = rng.gen_bool(0.04);
            let upn = if guest {
                format!("{local}_fabrikam.com#ext#@contoso.onmicrosoft.com")
            } else {
                format!("{local}@contoso.com")
            };
            let office = office_weights.sample(rng);
            let device = device_weights.sample(rng);
            let managed = !guest && rng.gen_bool(0.8);
            let streams = (0..rng.gen_range(2..=5))
                .map(|_| (rng.gen_range(0..14), rng.gen_range(0..6)))
                .collect();
            users.push(User {
                id: guid(rng),
                upn,
                name: format!("{first} {last}"),
                guest,
                office,
                device,
                device_id: if managed { guid(rng) } else { String::new() },
                trust_type: if !managed {
                    ""
                } else if rng.gen_bool(0.7) {
                    "Azure AD joined"
                } else {
                    "Hybrid Azure AD joined"
                },
                compliant: managed && rng.gen_bool(0.9),
                ip: ipv4(rng, OFFICES[office].prefix),
                admin: rng.gen_bool(0.03),
                streams,
            });
        };
        for (first, last) in FIXED_PEOPLE {
            add_user(first, last, &mut rng);
        }
        for _ in 0..2984 {
            let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
            let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
            add_user(first, last, &mut rng);
        }
        // Adele Vance is a Global Administrator in the demo; her sign-ins show admin policies.
        users[0].admin = true;
        users[0].guest = false;

        let principal = |name: &str, kind: Kind, rng: &mut ChaCha8Rng| {
            let region = rng.gen_range(0..AZURE_REGIONS.len());
            let targets = (0..rng.gen_range(1..=3))
                .map(|_| rng.gen_range(0..RESOURCES.len()))
                .collect();
            Principal {
                name: name.to_owned(),
                app_id: guid(rng),
                object_id: guid(rng),
                key_id: guid(rng),
                ip: if matches!(kind, Kind::ManagedIdentity { .. }) {
                    String::new()
                } else {
                    ipv4(rng, AZURE_REGIONS[region].1)
                },
                region,
                targets,
                // A few chatty jobs and many quiet ones.
                weight: [400, 120, 40, 12, 4][rng.gen_range(0..5)],
                kind,
            }
        };
        let principals: Vec<Principal> = SERVICE_PRINCIPALS
            .iter()
            .map(|n| principal(n, Kind::ServicePrincipal, &mut rng))
            .collect();
        let identities: Vec<Principal> = MANAGED_IDENTITIES
            .iter()
            .map(|(n, t)| {
                let user_assigned = t.contains("userAssignedIdentities");
                principal(n, Kind::ManagedIdentity { user_assigned }, &mut rng)
            })
            .collect();
        let policy_ids = POLICIES.iter().map(|_| guid(&mut rng)).collect();
        // Some people sign in far more than others.
        let user_pick = WeightedIndex::new(
            users
                .iter()
                .enumerate()
                .map(|(i, _)| 1.0 / (1.0 + (i % 97) as f64 / 8.0)),
        )
        .expect("user weights are positive");
        let sp_pick =
            WeightedIndex::new(principals.iter().map(|p| p.weight)).expect("weights are positive");
        let mi_pick =
            WeightedIndex::new(identities.iter().map(|p| p.weight)).expect("weights are positive");
        World {
            users,
            apps,
            principals,
            identities,
            policy_ids,
            tenant_id: tenant_id.to_owned(),
            user_pick,
            sp_pick,
            mi_pick,
        }
    }

    /// The UPNs of the first `n` users (the fixed demo people).
    pub fn known_upns(&self, n: usize) -> Vec<String> {
        self.users.iter().take(n).map(|u| u.upn.clone()).collect()
    }

    /// The object ID, UPN and display name of the first `n` users (the fixed demo people).
    pub fn people(&self, n: usize) -> Vec<(String, String, String)> {
        self.users
            .iter()
            .take(n)
            .map(|u| (u.id.clone(), u.upn.clone(), u.name.clone()))
            .collect()
    }

    /// The display names of `n` users spread over the whole list (for benchmarks).
    pub fn display_names(&self, n: usize) -> Vec<String> {
        let step = (self.users.len() / n.max(1)).max(1);
        self.users
            .iter()
            .step_by(step)
            .take(n)
            .map(|u| u.name.clone())
            .collect()
    }
}

/// Generates the demo sign-ins, oldest first.
pub fn generate(options: &DemoOptions) -> impl Iterator<Item = SignIn> + use<> {
    let options = options.clone();
    let world = World::new(options.seed, &options.tenant_id);
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let span = Duration::days(i64::from(options.days.max(1)))
        .num_microseconds()
        .unwrap_or(i64::MAX);
    let start = options.end.timestamp_micros() - span;
    let events = options.events;
    (0..events).map(move |i| {
        let slot = span as f64 * (i as f64 + rng.gen::<f64>()) / events.max(1) as f64;
        let micros = start + slot as i64;
        let when = DateTime::<Utc>::from_timestamp_micros(micros).unwrap_or(options.end);
        world.event(&mut rng, when)
    })
}

/// The share of each report, by UTC hour: people work in the day, machines never stop.
fn pick_type(rng: &mut ChaCha8Rng, when: DateTime<Utc>) -> EventType {
    let hour = when.hour();
    let daytime = (7..19).contains(&hour);
    let interactive = if daytime { 0.17 } else { 0.07 };
    let x: f64 = rng.gen();
    if x < interactive {
        EventType::Interactive
    } else if x < interactive + 0.58 {
        EventType::NonInteractive
    } else if x < interactive + 0.58 + 0.16 {
        EventType::ServicePrincipal
    } else {
        EventType::ManagedIdentity
    }
}

fn token_id(rng: &mut ChaCha8Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    (0..22)
        .map(|_| ALPHABET[rng.gen_range(0..64)] as char)
        .collect()
}

fn kv(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: value.into(),
        ..Default::default()
    }
}

/// What went wrong with a sign-in, if anything.
#[derive(Clone, Copy)]
struct Outcome {
    code: i64,
    reason: &'static str,
    details: &'static str,
}

const OK: Outcome = Outcome {
    code: 0,
    reason: "Other.",
    details: "MFA requirement satisfied by claim in the token",
};

impl World {
    fn event(&self, rng: &mut ChaCha8Rng, when: DateTime<Utc>) -> SignIn {
        let mut r = SignIn {
            id: guid(rng),
            created_date_time: GraphDateTime::from_instant(when),
            ..Default::default()
        };
        r.correlation_id = guid(rng).into();
        r.unique_token_identifier = token_id(rng).into();
        r.resource_tenant_id = self.tenant_id.clone().into();
        r.home_tenant_id = self.tenant_id.clone().into();
        r.token_issuer_type = TokenIssuerType::AzureAd.into();
        r.token_issuer_name = String::new().into();
        r.processing_time_in_milliseconds = rng.gen_range(18_i64..900).into();
        r.risk_detail = RiskDetail::None.into();
        r.risk_level_aggregated = RiskLevel::None.into();
        r.risk_level_during_sign_in = RiskLevel::None.into();
        r.risk_state = RiskState::None.into();
        r.risk_event_types_v2 = Vec::new().into();
        r.flagged_for_review = false.into();
        r.is_tenant_restricted = false.into();
        r.is_through_global_secure_access = false.into();
        r.applied_event_listeners = Vec::new().into();
        r.authentication_requirement_policies = Vec::new().into();
        r.session_lifetime_policies = Vec::new().into();
        r.authentication_context_class_references = Vec::new().into();
        match pick_type(rng, when) {
            EventType::Interactive => self.interactive(rng, &mut r),
            EventType::NonInteractive => self.non_interactive(rng, &mut r),
            EventType::ServicePrincipal => self.machine(rng, &mut r, false),
            EventType::ManagedIdentity => self.machine(rng, &mut r, true),
        }
        r
    }

    fn user_fields(&self, r: &mut SignIn, user: &User) {
        r.user_id = user.id.clone().into();
        r.user_principal_name = user.upn.clone().into();
        r.user_display_name = user.name.clone().into();
        r.sign_in_identifier = user.upn.clone().into();
        r.user_type = if user.guest {
            SignInUserType::Guest
        } else {
            SignInUserType::Member
        }
        .into();
        r.cross_tenant_access_type = if user.guest {
            SignInAccessType::B2bCollaboration
        } else {
            SignInAccessType::None
        }
        .into();
        r.service_principal_id = String::new().into();
    }

    fn place_fields(&self, r: &mut SignIn, place: &Place, ip: String) {
        r.ip_address = ip.into();
        r.autonomous_system_number = place.asn.into();
        let coords = GeoCoordinates {
            latitude: Nullable::from_option(serde_json::Number::from_f64(place.lat)),
            longitude: Nullable::from_option(serde_json::Number::from_f64(place.lon)),
            ..Default::default()
        };
        r.location = SignInLocation {
            city: place.city.into(),
            state: place.state.into(),
            country_or_region: place.country.into(),
            geo_coordinates: coords.into(),
            ..Default::default()
        }
        .into();
    }

    fn device_fields(&self, r: &mut SignIn, user: &User, device: usize) {
        let (os, browser, agent) = DEVICES[device];
        r.user_agent = agent.into();
        r.device_detail = DeviceDetail {
            device_id: user.device_id.clone().into(),
            display_name: if user.device_id.is_empty() {
                String::new()
            } else {
                format!("CONTOSO-{}", &user.device_id[..6].to_uppercase())
            }
            .into(),
            operating_system: os.into(),
            browser: browser.into(),
            is_compliant: user.compliant.into(),
            is_managed: (!user.device_id.is_empty()).into(),
            trust_type: user.trust_type.into(),
            ..Default::default()
        }
        .into();
        r.client_app_used = if browser.starts_with("Rich Client") {
            "Mobile Apps and Desktop clients"
        } else {
            "Browser"
        }
        .into();
    }

    fn interactive(&self, rng: &mut ChaCha8Rng, r: &mut SignIn) {
        let user = &self.users[self.user_pick.sample(rng)];
        self.user_fields(r, user);
        r.sign_in_event_types = vec![SignInEventType::InteractiveUser].into();
        r.is_interactive = true.into();
        let app = &self.apps[if rng.gen_bool(0.7) {
            rng.gen_range(0..12)
        } else {
            rng.gen_range(0..self.apps.len())
        }];
        r.app_display_name = app.name.clone().into();
        r.app_id = app.id.clone().into();
        let resource = RESOURCES[if app.name == "Azure Portal" {
            3
        } else {
            rng.gen_range(0..6)
        }];
        r.resource_display_name = resource.0.into();
        r.resource_id = resource.1.into();
        r.authentication_protocol = ProtocolType::OAuth2.into();
        r.incoming_token_type = IncomingTokenType::None.into();
        r.original_request_id = r.id.clone().into();
        r.session_id = guid(rng).into();

        // Where from: mostly the office, sometimes travel, rarely an attacker.
        let roll: f64 = rng.gen();
        let hostile = roll < 0.045;
        let (place, ip) = if hostile {
            let p = &HOSTILE[rng.gen_range(0..HOSTILE.len())];
            (p, ipv4(rng, p.prefix))
        } else if roll < 0.09 {
            let p = &OFFICES[rng.gen_range(0..OFFICES.len())];
            (p, ipv4(rng, p.prefix))
        } else {
            (&OFFICES[user.office], user.ip.clone())
        };
        self.place_fields(r, place, ip);
        let legacy = !hostile && rng.gen_bool(0.01);
        self.device_fields(
            r,
            user,
            if hostile {
                rng.gen_range(0..DEVICES.len())
            } else {
                user.device
            },
        );
        if legacy {
            r.client_app_used = ["IMAP4", "Authenticated SMTP", "Exchange ActiveSync", "POP3"]
                [rng.gen_range(0..4)]
            .into();
        }

        let outcome = if hostile {
            [
                Outcome { code: 50126, reason: "Error validating credentials due to invalid username or password.", details: "The user didn't enter the right credentials. It's expected to see some number of these errors in your logs due to users making mistakes." },
                Outcome { code: 50053, reason: "Account is locked because user tried to sign in too many times with an incorrect user ID or password.", details: "" },
                Outcome { code: 50126, reason: "Error validating credentials due to invalid username or password.", details: "" },
                Outcome { code: 53003, reason: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", details: "" },
            ][rng.gen_range(0..4)]
        } else if legacy {
            Outcome { code: 53003, reason: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.", details: "" }
        } else {
            let x: f64 = rng.gen();
            if x < 0.030 {
                Outcome {
                    code: 50126,
                    reason: "Error validating credentials due to invalid username or password.",
                    details: "The user didn't enter the right credentials.",
                }
            } else if x < 0.055 {
                Outcome {
                    code: 50074,
                    reason: "Strong Authentication is required.",
                    details: "",
                }
            } else if x < 0.070 {
                Outcome { code: 50140, reason: "This error occurred due to 'Keep me signed in' interrupt when the user was signing in.", details: "" }
            } else if x < 0.076 {
                Outcome {
                    code: 500121,
                    reason: "Authentication failed during strong authentication request.",
                    details: "The user didn't complete the MFA prompt.",
                }
            } else if x < 0.080 {
                Outcome {
                    code: 50055,
                    reason: "The password is expired.",
                    details: "",
                }
            } else if x < 0.083 {
                Outcome { code: 50057, reason: "User account is disabled. The account has been disabled by an administrator.", details: "" }
            } else {
                Outcome {
                    code: 0,
                    reason: "Other.",
                    details: "",
                }
            }
        };
        let mfa = outcome.code == 0
            && (user.admin || place.country != OFFICES[user.office].country || rng.gen_bool(0.35));
        r.authentication_requirement = if mfa || outcome.code == 50074 {
            "multiFactorAuthentication"
        } else {
            "singleFactorAuthentication"
        }
        .into();
        self.steps(rng, r, &outcome, mfa);
        self.policies(rng, r, &outcome, user.admin, hostile || legacy);
        r.status = SignInStatus {
            error_code: outcome.code.into(),
            failure_reason: outcome.reason.into(),
            additional_details: if outcome.details.is_empty() {
                if mfa {
                    "MFA completed in Azure AD"
                } else {
                    ""
                }
            } else {
                outcome.details
            }
            .into(),
            ..Default::default()
        }
        .into();
        if mfa {
            r.authentication_methods_used =
                OneOrMany::Many(vec!["Password".into(), "Mobile app notification".into()]).into();
        } else {
            r.authentication_methods_used = OneOrMany::Many(vec!["Password".into()]).into();
        }
        r.authentication_processing_details = vec![
            kv("Legacy TLS (TLS 1.0, 1.1, 3DES)", "False"),
            kv("Is CAE Token", "False"),
        ]
        .into();
        if place.city == OFFICES[user.office].city {
            r.network_location_details = vec![NetworkLocationDetail {
                network_type: NetworkType::TrustedNamedLocation.into(),
                network_names: vec![format!("{} office", place.city)].into(),
                ..Default::default()
            }]
            .into();
        } else {
            r.network_location_details = Vec::new().into();
        }
        if hostile && rng.gen_bool(0.5) {
            r.risk_level_during_sign_in = RiskLevel::Medium.into();
            r.risk_state = RiskState::AtRisk.into();
            r.risk_event_types_v2 = vec!["unfamiliarFeatures".to_owned()].into();
        }
    }

    fn steps(&self, rng: &mut ChaCha8Rng, r: &mut SignIn, outcome: &Outcome, mfa: bool) {
        let at = r.created_date_time.clone();
        let password_ok = !matches!(outcome.code, 50126 | 50053 | 50057 | 50055);
        let mut steps = vec![AuthenticationDetail {
            authentication_method: "Password".into(),
            authentication_method_detail: if rng.gen_bool(0.6) {
                "Password Hash Sync"
            } else {
                "Password in the cloud"
            }
            .into(),
            authentication_step_date_time: at.clone().into(),
            authentication_step_requirement: "Primary authentication".into(),
            authentication_step_result_detail: if password_ok {
                "Correct password"
            } else {
                "Invalid username or password or Invalid on-premise username or password."
            }
            .into(),
            succeeded: password_ok.into(),
            ..Default::default()
        }];
        if mfa || outcome.code == 500121 {
            let method = [
                "Mobile app notification",
                "Text message",
                "OATH verification code",
                "FIDO2 security key",
            ][rng.gen_range(0..4)];
            steps.push(AuthenticationDetail {
                authentication_method: method.into(),
                authentication_method_detail: if method == "Text message" {
                    // A phone number masked the way Entra masks it: "+X " and eight X
                    // before the last two digits (built, so the mask is not read as a marker).
                    format!("+X {}47", "X".repeat(8)).into()
                } else {
                    Nullable::Null
                },
                authentication_step_date_time: at.into(),
                authentication_step_requirement: "Multifactor authentication".into(),
                authentication_step_result_detail: if outcome.code == 0 {
                    "MFA successfully completed"
                } else {
                    "MFA denied; user did not respond to mobile app notification"
                }
                .into(),
                succeeded: (outcome.code == 0).into(),
                ..Default::default()
            });
        }
        r.authentication_details = steps.into();
    }

    fn policies(
        &self,
        rng: &mut ChaCha8Rng,
        r: &mut SignIn,
        outcome: &Outcome,
        admin: bool,
        risky: bool,
    ) {
        use AppliedConditionalAccessPolicyResult as R;
        let mut applied = Vec::new();
        let mut any_success = false;
        let mut any_failure = false;
        for (i, (name, grants, report_only)) in POLICIES.iter().enumerate() {
            let applies = match i {
                0 => admin,
                1 => r
                    .network_location_details
                    .get()
                    .is_some_and(|v| v.is_empty()),
                2 => r
                    .client_app_used
                    .as_deref()
                    .is_some_and(|c| !matches!(c, "Browser" | "Mobile Apps and Desktop clients")),
                3 => r.app_display_name.as_deref() == Some("Office 365 Exchange Online"),
                4 => {
                    r.resource_display_name.as_deref()
                        == Some("Windows Azure Service Management API")
                }
                5 => rng.gen_bool(0.3),
                _ => risky,
            };
            let result = match (applies, report_only) {
                (false, true) => R::ReportOnlyNotApplied,
                (false, false) => R::NotApplied,
                (true, true) => {
                    if risky {
                        R::ReportOnlyFailure
                    } else {
                        R::ReportOnlySuccess
                    }
                }
                (true, false) => {
                    let failed = outcome.code == 53003
                        || (outcome.code != 0 && grants.contains(&"Mfa") && outcome.code == 500121);
                    if failed {
                        any_failure = true;
                        R::Failure
                    } else if outcome.code == 0 {
                        any_success = true;
                        R::Success
                    } else {
                        R::NotApplied
                    }
                }
            };
            applied.push(AppliedConditionalAccessPolicy {
                id: self.policy_ids[i].clone().into(),
                display_name: (*name).into(),
                enforced_grant_controls: if applies && !report_only {
                    grants.iter().map(|g| (*g).to_owned()).collect()
                } else {
                    Vec::new()
                }
                .into(),
                enforced_session_controls: Vec::new().into(),
                conditions_satisfied: ConditionalAccessConditions::Names(if applies {
                    "application,users".into()
                } else {
                    "none".into()
                })
                .into(),
                conditions_not_satisfied: ConditionalAccessConditions::Names(if applies {
                    "none".into()
                } else {
                    "location".into()
                })
                .into(),
                result: result.into(),
                ..Default::default()
            });
        }
        if outcome.code == 53003 && !any_failure {
            any_failure = true;
            if let Some(p) = applied.get_mut(2) {
                p.result = R::Failure.into();
            }
        }
        r.conditional_access_status = if any_failure {
            ConditionalAccessStatus::Failure
        } else if any_success {
            ConditionalAccessStatus::Success
        } else {
            ConditionalAccessStatus::NotApplied
        }
        .into();
        r.applied_conditional_access_policies = applied.into();
    }

    fn non_interactive(&self, rng: &mut ChaCha8Rng, r: &mut SignIn) {
        let user = &self.users[self.user_pick.sample(rng)];
        self.user_fields(r, user);
        r.sign_in_event_types = vec![SignInEventType::NonInteractiveUser].into();
        r.is_interactive = false.into();
        let (app_i, res_i) = user.streams[rng.gen_range(0..user.streams.len())];
        let app = &self.apps[app_i];
        r.app_display_name = app.name.clone().into();
        r.app_id = app.id.clone().into();
        r.resource_display_name = RESOURCES[res_i].0.into();
        r.resource_id = RESOURCES[res_i].1.into();
        r.authentication_protocol = ProtocolType::None.into();
        r.incoming_token_type = if user.trust_type.is_empty() {
            IncomingTokenType::RefreshToken
        } else {
            IncomingTokenType::PrimaryRefreshToken
        }
        .into();
        r.original_request_id = String::new().into();
        r.session_id = guid(rng).into();
        let travelling = rng.gen_bool(0.03);
        let place = if travelling {
            &OFFICES[rng.gen_range(0..OFFICES.len())]
        } else {
            &OFFICES[user.office]
        };
        let ip = if travelling {
            ipv4(rng, place.prefix)
        } else {
            user.ip.clone()
        };
        self.place_fields(r, place, ip);
        self.device_fields(r, user, user.device);
        r.authentication_requirement = "singleFactorAuthentication".into();
        let x: f64 = rng.gen();
        let outcome = if x < 0.025 {
            Outcome { code: 70044, reason: "The session has expired or is invalid due to sign-in frequency checks by conditional access.", details: "" }
        } else if x < 0.04 {
            Outcome {
                code: 700082,
                reason: "The refresh token has expired due to inactivity.",
                details: "",
            }
        } else if x < 0.048 {
            Outcome { code: 50173, reason: "The provided grant has expired due to it being revoked, a fresh auth token is needed.", details: "" }
        } else if x < 0.053 {
            Outcome {
                code: 50058,
                reason: "Session information is not sufficient for single-sign-on.",
                details: "",
            }
        } else {
            OK
        };
        r.authentication_details = vec![AuthenticationDetail {
            authentication_method: "Previously satisfied".into(),
            authentication_step_date_time: r.created_date_time.clone().into(),
            authentication_step_requirement: "Primary authentication".into(),
            authentication_step_result_detail:
                "First factor requirement satisfied by claim in the token".into(),
            succeeded: (outcome.code == 0).into(),
            ..Default::default()
        }]
        .into();
        r.authentication_methods_used = OneOrMany::Many(Vec::new()).into();
        r.authentication_processing_details = vec![kv(
            "Is CAE Token",
            if rng.gen_bool(0.4) { "True" } else { "False" },
        )]
        .into();
        r.network_location_details = Vec::new().into();
        r.conditional_access_status = ConditionalAccessStatus::NotApplied.into();
        r.applied_conditional_access_policies = Vec::new().into();
        r.status = SignInStatus {
            error_code: outcome.code.into(),
            failure_reason: outcome.reason.into(),
            additional_details: outcome.details.into(),
            ..Default::default()
        }
        .into();
    }

    fn machine(&self, rng: &mut ChaCha8Rng, r: &mut SignIn, managed: bool) {
        let p = if managed {
            &self.identities[self.mi_pick.sample(rng)]
        } else {
            &self.principals[self.sp_pick.sample(rng)]
        };
        let resource = RESOURCES[p.targets[rng.gen_range(0..p.targets.len())]];
        r.sign_in_event_types = vec![if managed {
            SignInEventType::ManagedIdentity
        } else {
            SignInEventType::ServicePrincipal
        }]
        .into();
        r.is_interactive = false.into();
        r.user_id = Nullable::Null;
        r.user_principal_name = Nullable::Null;
        r.user_display_name = Nullable::Null;
        r.service_principal_id = p.object_id.clone().into();
        r.service_principal_name = p.name.clone().into();
        r.app_id = p.app_id.clone().into();
        r.app_display_name = p.name.clone().into();
        r.resource_display_name = resource.0.into();
        r.resource_id = resource.1.into();
        r.resource_service_principal_id = String::new().into();
        r.ip_address = p.ip.clone().into();
        r.authentication_processing_details = vec![kv(
            "Azure AD App Authentication Library",
            "Family: MSAL Library: MSAL.NET 4.66.1 Platform: .NET Core",
        )]
        .into();
        r.conditional_access_status = ConditionalAccessStatus::NotApplied.into();
        r.home_tenant_id = Nullable::Absent;
        if managed {
            let (_, resource_type) = MANAGED_IDENTITIES
                .iter()
                .find(|(n, _)| *n == p.name)
                .copied()
                .unwrap_or(("", ""));
            let user_assigned = matches!(
                p.kind,
                Kind::ManagedIdentity {
                    user_assigned: true
                }
            );
            r.client_credential_type = ClientCredentialType::ManagedIdentity.into();
            r.managed_service_identity = ManagedIdentity {
                msi_type: if user_assigned { MsiType::UserAssigned } else { MsiType::SystemAssigned }.into(),
                associated_resource_id: format!(
                    "/subscriptions/6f3c1e2a-9b8d-4c7e-a1f0-2d4b6e8a0c13/resourceGroups/rg-{}/providers/{}/{}",
                    AZURE_REGIONS[p.region].0, resource_type, p.name
                )
                .into(),
                federated_token_id: Nullable::Null,
                federated_token_issuer: Nullable::Null,
                ..Default::default()
            }
            .into();
            r.location = SignInLocation {
                city: String::new().into(),
                state: String::new().into(),
                country_or_region: String::new().into(),
                geo_coordinates: GeoCoordinates {
                    latitude: serde_json::Number::from(0).into(),
                    longitude: serde_json::Number::from(0).into(),
                    ..Default::default()
                }
                .into(),
                ..Default::default()
            }
            .into();
        } else {
            r.client_credential_type = if rng.gen_bool(0.7) {
                ClientCredentialType::ClientSecret
            } else {
                ClientCredentialType::Certificate
            }
            .into();
            r.service_principal_credential_key_id = p.key_id.clone().into();
            let (city, state, cc) = match p.region {
                0 => ("Quincy", "Washington", "US"),
                1 => ("Boydton", "Virginia", "US"),
                2 => ("Dublin", "Dublin", "IE"),
                3 => ("Amsterdam", "North Holland", "NL"),
                _ => ("Singapore", "Central Singapore", "SG"),
            };
            r.location = SignInLocation {
                city: city.into(),
                state: state.into(),
                country_or_region: cc.into(),
                ..Default::default()
            }
            .into();
        }
        let x: f64 = rng.gen();
        let outcome = if managed {
            if x < 0.006 {
                Outcome {
                    code: 500011,
                    reason: "The resource principal named was not found in the tenant.",
                    details: "",
                }
            } else {
                OK
            }
        } else if p.name == "invoice-sync" && x < 0.5 {
            // One integration whose secret expired: a steady stream of failures to spot.
            Outcome {
                code: 7000222,
                reason: "The provided client secret keys are expired.",
                details: "",
            }
        } else if x < 0.02 {
            Outcome {
                code: 7000215,
                reason: "Invalid client secret is provided.",
                details: "",
            }
        } else if x < 0.03 {
            Outcome {
                code: 700016,
                reason: "Application not found in the directory.",
                details: "",
            }
        } else {
            OK
        };
        r.status = SignInStatus {
            error_code: outcome.code.into(),
            failure_reason: if outcome.code == 0 {
                Nullable::Null
            } else {
                outcome.reason.into()
            },
            additional_details: Nullable::Null,
            ..Default::default()
        }
        .into();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(events: u64) -> DemoOptions {
        DemoOptions {
            events,
            days: 30,
            seed: 7,
            end: DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
                .expect("valid")
                .with_timezone(&Utc),
            tenant_id: "t".into(),
        }
    }

    #[test]
    fn the_same_options_give_the_same_records() {
        let a: Vec<String> = generate(&options(300))
            .map(|r| serde_json::to_string(&r).expect("ser"))
            .collect();
        let b: Vec<String> = generate(&options(300))
            .map(|r| serde_json::to_string(&r).expect("ser"))
            .collect();
        assert_eq!(a, b);
        let c: Vec<String> = generate(&DemoOptions {
            seed: 8,
            ..options(300)
        })
        .map(|r| serde_json::to_string(&r).expect("ser"))
        .collect();
        assert_ne!(a, c);
    }

    #[test]
    fn every_demo_record_survives_the_model_round_trip() {
        for record in generate(&options(2000)) {
            let value = serde_json::to_value(&record).expect("ser");
            let back: SignIn = serde_json::from_value(value.clone()).expect("parses");
            assert_eq!(serde_json::to_value(&back).expect("ser"), value);
            assert!(
                back.extra.is_empty(),
                "demo records use only known properties"
            );
        }
    }

    #[test]
    fn the_mix_is_realistic() {
        let records: Vec<SignIn> = generate(&options(20_000)).collect();
        let count = |t: EventType| records.iter().filter(|r| r.event_type() == t).count();
        let (i, ni, sp, mi) = (
            count(EventType::Interactive),
            count(EventType::NonInteractive),
            count(EventType::ServicePrincipal),
            count(EventType::ManagedIdentity),
        );
        assert!(
            i > 0 && sp > 0 && mi > 0,
            "all four types: {i} {ni} {sp} {mi}"
        );
        assert!(
            ni > i && ni > sp && ni > mi,
            "non-interactive is the largest share: {i} {ni} {sp} {mi}"
        );
        let failures =
            records.iter().filter(|r| r.error_code() != 0).count() as f64 / records.len() as f64;
        assert!(
            (0.05..=0.10).contains(&failures),
            "5-10% failures, got {failures}"
        );
        // Machine sign-ins repeat: their groups are large.
        let groups = app::grouping::group_records(
            EventType::ServicePrincipal,
            &records,
            app::grouping::TimeAggregate::Whole,
        );
        assert!(
            groups.iter().any(|g| g.members.len() > 100),
            "large service principal groups"
        );
        let users: std::collections::HashSet<_> = records
            .iter()
            .filter_map(|r| r.user_id.as_deref())
            .collect();
        assert!(users.len() > 1000, "thousands of users: {}", users.len());
        let apps: std::collections::HashSet<_> =
            records.iter().filter_map(|r| r.app_id.as_deref()).collect();
        assert!(apps.len() >= 90, "about a hundred apps: {}", apps.len());
        // Times stay inside the window, oldest first.
        let end = options(1).end;
        assert!(records.iter().all(|r| r.created_date_time.instant() <= end
            && r.created_date_time.instant() > end - Duration::days(30)));
        assert!(records
            .windows(2)
            .all(|w| w[0].created_date_time.instant() <= w[1].created_date_time.instant()));
    }
}
