//! The Graph enumerations of the `signIn` resource.
//!
//! Graph adds members over time (`unknownFutureValue` and the evolvable enums), and sources
//! differ in spelling (`Member` in diagnostic records, `member` in Graph). Every enum therefore
//! has an `Other(String)` member that keeps a value it does not know exactly as it came: never a
//! panic, never dropped, always written back unchanged.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

macro_rules! graph_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version of Signbook does not know, kept exactly as it came.
            Other(String),
        }

        impl $name {
            /// Every value this version knows, in Graph's order.
            pub const KNOWN: &'static [&'static str] = &[$($text),+];

            /// The value as Graph writes it (or as it came, for `Other`).
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(text) => text,
                }
            }

            /// Reads a value; exact spelling only, anything else is kept as `Other`.
            pub fn parse(text: &str) -> Self {
                match text {
                    $($text => $name::$variant,)+
                    other => $name::Other(other.to_owned()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                Ok($name::parse(&text))
            }
        }
    };
}

graph_enum! {
    /// `signInEventTypes` members: which of the four reports a sign-in belongs to.
    SignInEventType {
        InteractiveUser => "interactiveUser",
        NonInteractiveUser => "nonInteractiveUser",
        ServicePrincipal => "servicePrincipal",
        ManagedIdentity => "managedIdentity",
        UnknownFutureValue => "unknownFutureValue",
    }
}

graph_enum! {
    /// `conditionalAccessStatus`.
    ConditionalAccessStatus {
        Success => "success",
        Failure => "failure",
        NotApplied => "notApplied",
        UnknownFutureValue => "unknownFutureValue",
    }
}

graph_enum! {
    /// `appliedConditionalAccessPolicy.result`.
    AppliedConditionalAccessPolicyResult {
        Success => "success",
        Failure => "failure",
        NotApplied => "notApplied",
        NotEnabled => "notEnabled",
        Unknown => "unknown",
        UnknownFutureValue => "unknownFutureValue",
        ReportOnlySuccess => "reportOnlySuccess",
        ReportOnlyFailure => "reportOnlyFailure",
        ReportOnlyNotApplied => "reportOnlyNotApplied",
        ReportOnlyInterrupted => "reportOnlyInterrupted",
    }
}

impl AppliedConditionalAccessPolicyResult {
    /// True for the report-only results, shown in their own section of the details pane.
    pub fn is_report_only(&self) -> bool {
        self.as_str().starts_with("reportOnly")
    }
}

graph_enum! {
    /// `conditionalAccessConditions` flag names (inside `conditionsSatisfied`).
    ConditionalAccessCondition {
        None => "none",
        Application => "application",
        Users => "users",
        DevicePlatform => "devicePlatform",
        Location => "location",
        ClientType => "clientType",
        SignInRisk => "signInRisk",
        UserRisk => "userRisk",
        Time => "time",
        DeviceState => "deviceState",
        Client => "client",
        IpAddressSeenByAzureAd => "ipAddressSeenByAzureAD",
        IpAddressSeenByResourceProvider => "ipAddressSeenByResourceProvider",
        UnknownFutureValue => "unknownFutureValue",
        ServicePrincipals => "servicePrincipals",
        ServicePrincipalRisk => "servicePrincipalRisk",
    }
}

graph_enum! {
    /// `riskDetail` (beta values).
    RiskDetail {
        None => "none",
        AdminGeneratedTemporaryPassword => "adminGeneratedTemporaryPassword",
        UserPerformedSecuredPasswordChange => "userPerformedSecuredPasswordChange",
        UserPerformedSecuredPasswordReset => "userPerformedSecuredPasswordReset",
        AdminConfirmedSigninSafe => "adminConfirmedSigninSafe",
        AiConfirmedSigninSafe => "aiConfirmedSigninSafe",
        UserPassedMfaDrivenByRiskBasedPolicy => "userPassedMFADrivenByRiskBasedPolicy",
        AdminDismissedAllRiskForUser => "adminDismissedAllRiskForUser",
        AdminConfirmedSigninCompromised => "adminConfirmedSigninCompromised",
        Hidden => "hidden",
        AdminConfirmedUserCompromised => "adminConfirmedUserCompromised",
        UnknownFutureValue => "unknownFutureValue",
        AdminConfirmedServicePrincipalCompromised => "adminConfirmedServicePrincipalCompromised",
        AdminDismissedAllRiskForServicePrincipal => "adminDismissedAllRiskForServicePrincipal",
        M365DAdminDismissedDetection => "m365DAdminDismissedDetection",
        UserChangedPasswordOnPremises => "userChangedPasswordOnPremises",
        AdminDismissedRiskForSignIn => "adminDismissedRiskForSignIn",
        AdminConfirmedAccountSafe => "adminConfirmedAccountSafe",
    }
}

graph_enum! {
    /// `riskEventTypes` (v1.0; beta uses the string collection `riskEventTypes_v2`).
    RiskEventType {
        UnlikelyTravel => "unlikelyTravel",
        AnonymizedIpAddress => "anonymizedIPAddress",
        MaliciousIpAddress => "maliciousIPAddress",
        UnfamiliarFeatures => "unfamiliarFeatures",
        MalwareInfectedIpAddress => "malwareInfectedIPAddress",
        SuspiciousIpAddress => "suspiciousIPAddress",
        LeakedCredentials => "leakedCredentials",
        InvestigationsThreatIntelligence => "investigationsThreatIntelligence",
        Generic => "generic",
        UnknownFutureValue => "unknownFutureValue",
    }
}

graph_enum! {
    /// `riskLevel` (`riskLevelAggregated`, `riskLevelDuringSignIn`).
    RiskLevel {
        None => "none",
        Low => "low",
        Medium => "medium",
        High => "high",
        Hidden => "hidden",
        UnknownFutureValue => "unknownFutureValue",
    }
}

graph_enum! {
    /// `riskState`.
    RiskState {
        None => "none",
        ConfirmedSafe => "confirmedSafe",
        Remediated => "remediated",
        Dismissed => "dismissed",
        AtRisk => "atRisk",
        ConfirmedCompromised => "confirmedCompromised",
        UnknownFutureValue => "unknownFutureValue",
    }
}

graph_enum! {
    /// `authenticationProtocol` (`protocolType`).
    ProtocolType {
        None => "none",
        OAuth2 => "oAuth2",
        Ropc => "ropc",
        WsFederation => "wsFederation",
        Saml20 => "saml20",
        DeviceCode => "deviceCode",
        UnknownFutureValue => "unknownFutureValue",
        AuthenticationTransfer => "authenticationTransfer",
        NativeAuth => "nativeAuth",
    }
}

graph_enum! {
    /// `clientCredentialType`.
    ClientCredentialType {
        None => "none",
        ClientSecret => "clientSecret",
        ClientAssertion => "clientAssertion",
        FederatedIdentityCredential => "federatedIdentityCredential",
        ManagedIdentity => "managedIdentity",
        Certificate => "certificate",
        UnknownFutureValue => "unknownFutureValue",
    }
}

graph_enum! {
    /// `crossTenantAccessType` (`signInAccessType`, evolvable).
    SignInAccessType {
        None => "none",
        B2bCollaboration => "b2bCollaboration",
        B2bDirectConnect => "b2bDirectConnect",
        MicrosoftSupport => "microsoftSupport",
        ServiceProvider => "serviceProvider",
        UnknownFutureValue => "unknownFutureValue",
        Passthrough => "passthrough",
    }
}

graph_enum! {
    /// `incomingTokenType` (evolvable; Graph's own sample shows a display string instead).
    IncomingTokenType {
        None => "none",
        PrimaryRefreshToken => "primaryRefreshToken",
        Saml11 => "saml11",
        Saml20 => "saml20",
        UnknownFutureValue => "unknownFutureValue",
        RemoteDesktopToken => "remoteDesktopToken",
        RefreshToken => "refreshToken",
    }
}

graph_enum! {
    /// `managedIdentity.msiType`.
    MsiType {
        None => "none",
        UserAssigned => "userAssigned",
        SystemAssigned => "systemAssigned",
        UnknownFutureValue => "unknownFutureValue",
    }
}

graph_enum! {
    /// `originalTransferMethod`.
    OriginalTransferMethods {
        None => "none",
        DeviceCodeFlow => "deviceCodeFlow",
        AuthenticationTransfer => "authenticationTransfer",
        UnknownFutureValue => "unknownFutureValue",
    }
}

graph_enum! {
    /// `signInIdentifierType`.
    SignInIdentifierType {
        UserPrincipalName => "userPrincipalName",
        PhoneNumber => "phoneNumber",
        ProxyAddress => "proxyAddress",
        QrCode => "qrCode",
        OnPremisesUserPrincipalName => "onPremisesUserPrincipalName",
        UnknownFutureValue => "unknownFutureValue",
    }
}

graph_enum! {
    /// `tokenProtectionStatus` (`appTokenProtectionStatus`, `signInTokenProtectionStatus`).
    TokenProtectionStatus {
        None => "none",
        Bound => "bound",
        Unbound => "unbound",
        UnknownFutureValue => "unknownFutureValue",
    }
}

graph_enum! {
    /// `tokenIssuerType`.
    TokenIssuerType {
        AzureAd => "AzureAD",
        AdFederationServices => "ADFederationServices",
        UnknownFutureValue => "UnknownFutureValue",
        AzureAdBackupAuth => "AzureADBackupAuth",
        AdFederationServicesMfaAdapter => "ADFederationServicesMFAAdapter",
        NpsExtension => "NPSExtension",
    }
}

graph_enum! {
    /// `userType` (`signInUserType`).
    SignInUserType {
        Member => "member",
        Guest => "guest",
        UnknownFutureValue => "unknownFutureValue",
    }
}

graph_enum! {
    /// `authenticationRequirementPolicy.requirementProvider`.
    RequirementProvider {
        User => "user",
        Request => "request",
        ServicePrincipal => "servicePrincipal",
        V1ConditionalAccess => "v1ConditionalAccess",
        MultiConditionalAccess => "multiConditionalAccess",
        TenantSessionRiskPolicy => "tenantSessionRiskPolicy",
        AccountCompromisePolicies => "accountCompromisePolicies",
        V1ConditionalAccessDependency => "v1ConditionalAccessDependency",
        V1ConditionalAccessPolicyIdRequested => "v1ConditionalAccessPolicyIdRequested",
        MfaRegistrationRequiredByIdentityProtectionPolicy => "mfaRegistrationRequiredByIdentityProtectionPolicy",
        BaselineProtection => "baselineProtection",
        MfaRegistrationRequiredByBaselineProtection => "mfaRegistrationRequiredByBaselineProtection",
        MfaRegistrationRequiredByMultiConditionalAccess => "mfaRegistrationRequiredByMultiConditionalAccess",
        EnforcedForCspAdmins => "enforcedForCspAdmins",
        SecurityDefaults => "securityDefaults",
        MfaRegistrationRequiredBySecurityDefaults => "mfaRegistrationRequiredBySecurityDefaults",
        ProofUpCodeRequest => "proofUpCodeRequest",
        CrossTenantOutboundRule => "crossTenantOutboundRule",
        GpsLocationCondition => "gpsLocationCondition",
        RiskBasedPolicy => "riskBasedPolicy",
        UnknownFutureValue => "unknownFutureValue",
        ScopeBasedAuthRequirementPolicy => "scopeBasedAuthRequirementPolicy",
        AuthenticationStrengths => "authenticationStrengths",
    }
}

graph_enum! {
    /// `sessionLifetimePolicy.expirationRequirement`.
    ExpirationRequirement {
        RememberMultifactorAuthenticationOnTrustedDevices => "rememberMultifactorAuthenticationOnTrustedDevices",
        TenantTokenLifetimePolicy => "tenantTokenLifetimePolicy",
        AudienceTokenLifetimePolicy => "audienceTokenLifetimePolicy",
        SignInFrequencyPeriodicReauthentication => "signInFrequencyPeriodicReauthentication",
        NgcMfa => "ngcMfa",
        SignInFrequencyEveryTime => "signInFrequencyEveryTime",
        UnknownFutureValue => "unknownFutureValue",
    }
}

graph_enum! {
    /// `authenticationContext.detail`.
    AuthenticationContextDetail {
        Required => "required",
        PreviouslySatisfied => "previouslySatisfied",
        NotApplicable => "notApplicable",
        UnknownFutureValue => "unknownFutureValue",
    }
}

graph_enum! {
    /// `authenticationAppPolicyDetails.adminConfiguration`.
    AuthenticationAppAdminConfiguration {
        NotApplicable => "notApplicable",
        Enabled => "enabled",
        Disabled => "disabled",
        UnknownFutureValue => "unknownFutureValue",
    }
}

graph_enum! {
    /// `authenticationAppPolicyDetails.authenticationEvaluation`.
    AuthenticationAppEvaluation {
        Success => "success",
        Failure => "failure",
        UnknownFutureValue => "unknownFutureValue",
    }
}

graph_enum! {
    /// `authenticationAppPolicyDetails.status`.
    AuthenticationAppPolicyStatus {
        Unknown => "unknown",
        AppLockOutOfDate => "appLockOutOfDate",
        AppLockEnabled => "appLockEnabled",
        AppLockDisabled => "appLockDisabled",
        AppContextOutOfDate => "appContextOutOfDate",
        AppContextShown => "appContextShown",
        AppContextNotShown => "appContextNotShown",
        LocationContextOutOfDate => "locationContextOutOfDate",
        LocationContextShown => "locationContextShown",
        LocationContextNotShown => "locationContextNotShown",
        NumberMatchOutOfDate => "numberMatchOutOfDate",
        NumberMatchCorrectNumberEntered => "numberMatchCorrectNumberEntered",
        NumberMatchIncorrectNumberEntered => "numberMatchIncorrectNumberEntered",
        NumberMatchDeny => "numberMatchDeny",
        TamperResistantHardwareOutOfDate => "tamperResistantHardwareOutOfDate",
        TamperResistantHardwareUsed => "tamperResistantHardwareUsed",
        TamperResistantHardwareNotUsed => "tamperResistantHardwareNotUsed",
        UnknownFutureValue => "unknownFutureValue",
    }
}

graph_enum! {
    /// `appliedAuthenticationEventListener.eventType`.
    AuthenticationEventType {
        TokenIssuanceStart => "tokenIssuanceStart",
        PageRenderStart => "pageRenderStart",
        UnknownFutureValue => "unknownFutureValue",
        AttributeCollectionStart => "attributeCollectionStart",
        AttributeCollectionSubmit => "attributeCollectionSubmit",
        EmailOtpSend => "emailOtpSend",
    }
}

graph_enum! {
    /// `networkLocationDetail.networkType`.
    NetworkType {
        Intranet => "intranet",
        Extranet => "extranet",
        NamedNetwork => "namedNetwork",
        Trusted => "trusted",
        TrustedNamedLocation => "trustedNamedLocation",
        UnknownFutureValue => "unknownFutureValue",
    }
}

graph_enum! {
    /// `agent.agentType` (2025 agentic sign-ins).
    AgentType {
        NotAgentic => "notAgentic",
        AgenticApp => "agenticApp",
        AgenticAppInstance => "agenticAppInstance",
        UnknownFutureValue => "unknownFutureValue",
        AgenticAppBuilder => "agenticAppBuilder",
        AgentIdUser => "agentIdUser",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every enum: a known value reads as its member, an unknown one as `Other`, and both
    /// are written back exactly as they came.
    macro_rules! check_enum {
        ($name:ident) => {{
            for text in $name::KNOWN {
                let value: $name = serde_json::from_value(serde_json::json!(text)).expect("string");
                assert!(
                    !matches!(value, $name::Other(_)),
                    "{} knows {text}",
                    stringify!($name)
                );
                assert_eq!(
                    serde_json::to_value(&value).expect("ser"),
                    serde_json::json!(text)
                );
            }
            let odd = "someValueFromTheFuture2031";
            let value: $name = serde_json::from_value(serde_json::json!(odd)).expect("string");
            assert_eq!(value, $name::Other(odd.to_owned()));
            assert_eq!(
                serde_json::to_value(&value).expect("ser"),
                serde_json::json!(odd)
            );
        }};
    }

    #[test]
    fn every_enum_keeps_values_it_does_not_know() {
        check_enum!(SignInEventType);
        check_enum!(ConditionalAccessStatus);
        check_enum!(AppliedConditionalAccessPolicyResult);
        check_enum!(ConditionalAccessCondition);
        check_enum!(RiskDetail);
        check_enum!(RiskEventType);
        check_enum!(RiskLevel);
        check_enum!(RiskState);
        check_enum!(ProtocolType);
        check_enum!(ClientCredentialType);
        check_enum!(SignInAccessType);
        check_enum!(IncomingTokenType);
        check_enum!(MsiType);
        check_enum!(OriginalTransferMethods);
        check_enum!(SignInIdentifierType);
        check_enum!(TokenProtectionStatus);
        check_enum!(TokenIssuerType);
        check_enum!(SignInUserType);
        check_enum!(RequirementProvider);
        check_enum!(ExpirationRequirement);
        check_enum!(AuthenticationContextDetail);
        check_enum!(AuthenticationAppAdminConfiguration);
        check_enum!(AuthenticationAppEvaluation);
        check_enum!(AuthenticationAppPolicyStatus);
        check_enum!(AuthenticationEventType);
        check_enum!(NetworkType);
        check_enum!(AgentType);
    }

    #[test]
    fn spelling_variants_are_kept_not_folded() {
        // Diagnostic records write `Member`; it must come back as `Member`, not `member`.
        let value: SignInUserType = serde_json::from_str("\"Member\"").expect("string");
        assert_eq!(value, SignInUserType::Other("Member".into()));
        assert_eq!(serde_json::to_string(&value).expect("ser"), "\"Member\"");
    }

    #[test]
    fn a_number_where_an_enum_belongs_is_an_error_not_a_panic() {
        assert!(serde_json::from_str::<RiskLevel>("3").is_err());
    }
}
