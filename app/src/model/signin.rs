//! The Graph **beta** `signIn` resource and its nested types, as plain serde types.
//!
//! Every optional property is a [`Nullable`] so that absent and `null` stay distinct, every enum
//! keeps values it does not know, and every object keeps properties it does not know in `extra`:
//! reading a record and writing it again gives the same JSON. Only `id` and `createdDateTime`
//! are required: without them a record cannot be stored, ordered or found.

use super::datetime::GraphDateTime;
use super::enums::*;
use super::nullable::Nullable;
use serde::de::{self, Error as _, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// Declares a Graph object: every property a `Nullable` under its JSON name, unknown
/// properties kept in `extra`, and a hand-written `Deserialize` that reads the map in one pass.
///
/// Serde's derive with `#[serde(flatten)]` would buffer every object and lose the path of an
/// error inside it (an ingest error must name the field, e.g. `status.errorCode`); this reads
/// each known property straight from the map, so errors keep their path and nothing is
/// buffered. On duplicate keys the last one wins, as with most JSON readers.
macro_rules! graph_object {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( @required { $( $(#[$rmeta:meta])* $rfield:ident : $rty:ty = $rjson:literal ),* $(,)? } )?
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $json:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Serialize)]
        pub struct $name {
            $($(
                $(#[$rmeta])*
                #[serde(rename = $rjson)]
                pub $rfield: $rty,
            )*)?
            $(
                $(#[$fmeta])*
                #[serde(rename = $json, skip_serializing_if = "Nullable::is_absent")]
                pub $field: Nullable<$ty>,
            )*
            /// Properties this version of Signbook does not know, kept as they came.
            #[serde(flatten)]
            pub extra: Map<String, Value>,
        }

        impl $name {
            /// The JSON names of the properties this type knows.
            pub fn property_names() -> &'static [&'static str] {
                &[$($( $rjson, )*)? $( $json, )*]
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct ObjectVisitor;
                impl<'de> Visitor<'de> for ObjectVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str(concat!("a JSON object (", stringify!($name), ")"))
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        $($( let mut $rfield: Option<$rty> = None; )*)?
                        let mut out = $name::default();
                        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                            match key.as_ref() {
                                $($( $rjson => $rfield = Some(map.next_value()?), )*)?
                                $( $json => out.$field = map.next_value()?, )*
                                _ => {
                                    let value: Value = map.next_value()?;
                                    out.extra.insert(key.into_owned(), value);
                                }
                            }
                        }
                        $($( out.$rfield = $rfield.ok_or_else(|| A::Error::missing_field($rjson))?; )*)?
                        Ok(out)
                    }
                }
                deserializer.deserialize_map(ObjectVisitor)
            }
        }
    };
}

/// A property Graph documents as one string that some sources send as a list (or the other
/// way round); either form is kept as it came.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// A single string.
    One(String),
    /// A list of strings.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The values as a list.
    pub fn values(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// `conditionsSatisfied` / `conditionsNotSatisfied`: Graph writes flag names separated by
/// commas (`"application,users"`); Log Analytics and old diagnostic records write the integer.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ConditionalAccessConditions {
    /// Comma-separated flag names, as Graph writes them.
    Names(String),
    /// The flags as an integer bit set.
    Bits(i64),
}

impl ConditionalAccessConditions {
    /// The flags, in either form, as names.
    pub fn conditions(&self) -> Vec<ConditionalAccessCondition> {
        match self {
            ConditionalAccessConditions::Names(text) => text
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(ConditionalAccessCondition::parse)
                .collect(),
            ConditionalAccessConditions::Bits(bits) => {
                // Graph's flag values: `none` = 0, then one bit per member in declared order.
                let names = &ConditionalAccessCondition::KNOWN[1..];
                let mut found: Vec<_> = names
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| bits & (1_i64 << i) != 0)
                    .map(|(_, n)| ConditionalAccessCondition::parse(n))
                    .collect();
                if found.is_empty() {
                    found.push(ConditionalAccessCondition::None);
                }
                found
            }
        }
    }
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OneOrManyVisitor;
        impl<'de> Visitor<'de> for OneOrManyVisitor {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OneOrMany, A::Error> {
                let mut values = Vec::new();
                while let Some(v) = seq.next_element::<String>()? {
                    values.push(v);
                }
                Ok(OneOrMany::Many(values))
            }
        }
        deserializer.deserialize_any(OneOrManyVisitor)
    }
}

impl<'de> Deserialize<'de> for ConditionalAccessConditions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ConditionsVisitor;
        impl Visitor<'_> for ConditionsVisitor {
            type Value = ConditionalAccessConditions;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("condition names separated by commas, or their integer flags")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(ConditionalAccessConditions::Names(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(ConditionalAccessConditions::Bits(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                i64::try_from(v)
                    .map(ConditionalAccessConditions::Bits)
                    .map_err(|_| E::custom("condition flags out of range"))
            }
        }
        deserializer.deserialize_any(ConditionsVisitor)
    }
}

graph_object! {
    /// `signInStatus`: the error code (0 = success) and reasons.
    pub struct SignInStatus {
        error_code: i64 = "errorCode",
        failure_reason: String = "failureReason",
        additional_details: String = "additionalDetails",
    }
}

graph_object! {
    /// `deviceDetail`.
    pub struct DeviceDetail {
        browser: String = "browser",
        device_id: String = "deviceId",
        display_name: String = "displayName",
        is_compliant: bool = "isCompliant",
        is_managed: bool = "isManaged",
        operating_system: String = "operatingSystem",
        trust_type: String = "trustType",
    }
}

graph_object! {
    /// `geoCoordinates`.
    /// Numbers are kept as JSON numbers, not `f64`, so `0` reads back as `0`, not `0.0`.
    pub struct GeoCoordinates {
        altitude: serde_json::Number = "altitude",
        latitude: serde_json::Number = "latitude",
        longitude: serde_json::Number = "longitude",
    }
}

graph_object! {
    /// `signInLocation`.
    pub struct SignInLocation {
        city: String = "city",
        state: String = "state",
        country_or_region: String = "countryOrRegion",
        geo_coordinates: GeoCoordinates = "geoCoordinates",
    }
}

graph_object! {
    /// `conditionalAccessRuleSatisfied`.
    pub struct ConditionalAccessRuleSatisfied {
        conditional_access_condition: ConditionalAccessCondition = "conditionalAccessCondition",
        rule_satisfied: String = "ruleSatisfied",
    }
}

graph_object! {
    /// `authenticationStrength` inside an applied policy (beta).
    pub struct AuthenticationStrength {
        authentication_strength_id: String = "authenticationStrengthId",
        display_name: String = "displayName",
        authentication_strength_result: String = "authenticationStrengthResult",
    }
}

graph_object! {
    /// `appliedConditionalAccessPolicy`: one policy evaluated for the sign-in.
    pub struct AppliedConditionalAccessPolicy {
        id: String = "id",
        display_name: String = "displayName",
        enforced_grant_controls: Vec<String> = "enforcedGrantControls",
        enforced_session_controls: Vec<String> = "enforcedSessionControls",
        conditions_satisfied: ConditionalAccessConditions = "conditionsSatisfied",
        conditions_not_satisfied: ConditionalAccessConditions = "conditionsNotSatisfied",
        include_rules_satisfied: Vec<ConditionalAccessRuleSatisfied> = "includeRulesSatisfied",
        exclude_rules_satisfied: Vec<ConditionalAccessRuleSatisfied> = "excludeRulesSatisfied",
        result: AppliedConditionalAccessPolicyResult = "result",
        authentication_strength: AuthenticationStrength = "authenticationStrength",
    }
}

graph_object! {
    /// `authenticationDetail`: one step of the authentication.
    pub struct AuthenticationDetail {
        authentication_method: String = "authenticationMethod",
        authentication_method_detail: String = "authenticationMethodDetail",
        authentication_step_date_time: GraphDateTime = "authenticationStepDateTime",
        authentication_step_requirement: String = "authenticationStepRequirement",
        authentication_step_result_detail: String = "authenticationStepResultDetail",
        succeeded: bool = "succeeded",
    }
}

graph_object! {
    /// `keyValue`.
    pub struct KeyValue {
        key: String = "key",
        value: String = "value",
    }
}

graph_object! {
    /// `networkLocationDetail`.
    pub struct NetworkLocationDetail {
        network_type: NetworkType = "networkType",
        network_names: Vec<String> = "networkNames",
    }
}

graph_object! {
    /// `authenticationRequirementPolicy`.
    pub struct AuthenticationRequirementPolicy {
        requirement_provider: RequirementProvider = "requirementProvider",
        detail: String = "detail",
    }
}

graph_object! {
    /// `sessionLifetimePolicy`.
    pub struct SessionLifetimePolicy {
        expiration_requirement: ExpirationRequirement = "expirationRequirement",
        detail: String = "detail",
    }
}

graph_object! {
    /// `managedIdentity` (`managedServiceIdentity`).
    pub struct ManagedIdentity {
        msi_type: MsiType = "msiType",
        associated_resource_id: String = "associatedResourceId",
        federated_token_id: String = "federatedTokenId",
        federated_token_issuer: String = "federatedTokenIssuer",
    }
}

graph_object! {
    /// `privateLinkDetails`.
    pub struct PrivateLinkDetails {
        policy_id: String = "policyId",
        policy_name: String = "policyName",
        policy_tenant_id: String = "policyTenantId",
        resource_id: String = "resourceId",
    }
}

graph_object! {
    /// `authenticationAppDeviceDetails`.
    pub struct AuthenticationAppDeviceDetails {
        app_version: String = "appVersion",
        client_app: String = "clientApp",
        device_id: String = "deviceId",
        operating_system: String = "operatingSystem",
    }
}

graph_object! {
    /// `authenticationAppPolicyDetails`.
    pub struct AuthenticationAppPolicyDetails {
        admin_configuration: AuthenticationAppAdminConfiguration = "adminConfiguration",
        authentication_evaluation: AuthenticationAppEvaluation = "authenticationEvaluation",
        policy_name: String = "policyName",
        status: AuthenticationAppPolicyStatus = "status",
    }
}

graph_object! {
    /// `authenticationContext`.
    pub struct AuthenticationContext {
        id: String = "id",
        detail: AuthenticationContextDetail = "detail",
    }
}

graph_object! {
    /// `appliedAuthenticationEventListener`.
    pub struct AppliedAuthenticationEventListener {
        event_type: AuthenticationEventType = "eventType",
        executed_listener_id: String = "executedListenerId",
        handler_result: Value = "handlerResult",
    }
}

graph_object! {
    /// `tokenProtectionStatusDetails`.
    pub struct TokenProtectionStatusDetails {
        sign_in_session_status: TokenProtectionStatus = "signInSessionStatus",
        sign_in_session_status_code: i64 = "signInSessionStatusCode",
    }
}

graph_object! {
    /// `mfaDetail` (deprecated; still in diagnostic records).
    pub struct MfaDetail {
        auth_method: String = "authMethod",
        auth_detail: String = "authDetail",
    }
}

graph_object! {
    /// `agent` (`microsoft.graph.agentic.agentSignIn`).
    pub struct AgentSignIn {
        agent_type: AgentType = "agentType",
        parent_app_id: String = "parentAppId",
        agent_subject_parent_id: String = "agentSubjectParentId",
        agent_subject_type: String = "agentSubjectType",
    }
}

graph_object! {
    /// A sign-in: the Graph beta `signIn` resource. `id` (the Request ID) and `createdDateTime`
    /// are required; everything else is optional.
    pub struct SignIn {
        @required {
            /// The Request ID.
            id: String = "id",
            /// When the sign-in started (UTC).
            created_date_time: GraphDateTime = "createdDateTime",
        }
        agent: AgentSignIn = "agent",
        app_display_name: String = "appDisplayName",
        app_id: String = "appId",
        applied_conditional_access_policies: Vec<AppliedConditionalAccessPolicy> = "appliedConditionalAccessPolicies",
        applied_event_listeners: Vec<AppliedAuthenticationEventListener> = "appliedEventListeners",
        app_owner_tenant_id: String = "appOwnerTenantId",
        app_token_protection_status: TokenProtectionStatus = "appTokenProtectionStatus",
        authentication_app_device_details: AuthenticationAppDeviceDetails = "authenticationAppDeviceDetails",
        authentication_app_policy_evaluation_details: Vec<AuthenticationAppPolicyDetails> = "authenticationAppPolicyEvaluationDetails",
        authentication_context_class_references: Vec<AuthenticationContext> = "authenticationContextClassReferences",
        authentication_details: Vec<AuthenticationDetail> = "authenticationDetails",
        authentication_methods_used: OneOrMany = "authenticationMethodsUsed",
        authentication_processing_details: Vec<KeyValue> = "authenticationProcessingDetails",
        authentication_protocol: ProtocolType = "authenticationProtocol",
        authentication_requirement: String = "authenticationRequirement",
        authentication_requirement_policies: Vec<AuthenticationRequirementPolicy> = "authenticationRequirementPolicies",
        autonomous_system_number: i64 = "autonomousSystemNumber",
        azure_resource_id: String = "azureResourceId",
        client_app_used: String = "clientAppUsed",
        client_credential_type: ClientCredentialType = "clientCredentialType",
        conditional_access_audiences: OneOrMany = "conditionalAccessAudiences",
        conditional_access_status: ConditionalAccessStatus = "conditionalAccessStatus",
        correlation_id: String = "correlationId",
        cross_tenant_access_type: SignInAccessType = "crossTenantAccessType",
        device_detail: DeviceDetail = "deviceDetail",
        federated_credential_id: String = "federatedCredentialId",
        flagged_for_review: bool = "flaggedForReview",
        global_secure_access_ip_address: String = "globalSecureAccessIpAddress",
        home_tenant_id: String = "homeTenantId",
        home_tenant_name: String = "homeTenantName",
        incoming_token_type: IncomingTokenType = "incomingTokenType",
        ip_address: String = "ipAddress",
        ip_address_from_resource_provider: String = "ipAddressFromResourceProvider",
        is_interactive: bool = "isInteractive",
        is_tenant_restricted: bool = "isTenantRestricted",
        is_through_global_secure_access: bool = "isThroughGlobalSecureAccess",
        location: SignInLocation = "location",
        managed_service_identity: ManagedIdentity = "managedServiceIdentity",
        mfa_detail: MfaDetail = "mfaDetail",
        network_location_details: Vec<NetworkLocationDetail> = "networkLocationDetails",
        original_request_id: String = "originalRequestId",
        original_transfer_method: OriginalTransferMethods = "originalTransferMethod",
        private_link_details: PrivateLinkDetails = "privateLinkDetails",
        processing_time_in_milliseconds: i64 = "processingTimeInMilliseconds",
        resource_display_name: String = "resourceDisplayName",
        resource_id: String = "resourceId",
        resource_owner_tenant_id: String = "resourceOwnerTenantId",
        resource_service_principal_id: String = "resourceServicePrincipalId",
        resource_tenant_id: String = "resourceTenantId",
        risk_detail: RiskDetail = "riskDetail",
        risk_event_types: Vec<RiskEventType> = "riskEventTypes",
        risk_event_types_v2: Vec<String> = "riskEventTypes_v2",
        risk_level_aggregated: RiskLevel = "riskLevelAggregated",
        risk_level_during_sign_in: RiskLevel = "riskLevelDuringSignIn",
        risk_state: RiskState = "riskState",
        service_principal_credential_key_id: String = "servicePrincipalCredentialKeyId",
        service_principal_credential_thumbprint: String = "servicePrincipalCredentialThumbprint",
        service_principal_id: String = "servicePrincipalId",
        service_principal_name: String = "servicePrincipalName",
        session_id: String = "sessionId",
        session_lifetime_policies: Vec<SessionLifetimePolicy> = "sessionLifetimePolicies",
        sign_in_event_types: Vec<SignInEventType> = "signInEventTypes",
        sign_in_identifier: String = "signInIdentifier",
        sign_in_identifier_type: SignInIdentifierType = "signInIdentifierType",
        sign_in_token_protection_status: TokenProtectionStatus = "signInTokenProtectionStatus",
        status: SignInStatus = "status",
        token_issuer_name: String = "tokenIssuerName",
        token_issuer_type: TokenIssuerType = "tokenIssuerType",
        token_protection_status_details: TokenProtectionStatusDetails = "tokenProtectionStatusDetails",
        unique_token_identifier: String = "uniqueTokenIdentifier",
        user_agent: String = "userAgent",
        user_display_name: String = "userDisplayName",
        user_id: String = "userId",
        user_principal_name: String = "userPrincipalName",
        user_type: SignInUserType = "userType",
    }
}
