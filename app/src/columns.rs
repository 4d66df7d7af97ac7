//! The columns of the report tables: every single-valued field of a sign-in a table can show,
//! the default columns of each report (SPEC §4.2), and how a cell's text is taken from a
//! record. Used by the server (to send only the cells a table shows) and the client (labels,
//! sorting, the column picker).

use crate::model::{EventType, SignIn};
use crate::sort::SortField;
use serde::{Deserialize, Serialize};

macro_rules! columns {
    ($($id:ident => $key:literal, $label:literal;)+) => {
        /// A column a report table can show.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum ColumnId {
            $(
                #[doc = $label]
                $id,
            )+
        }

        impl ColumnId {
            /// Every column, in the picker's order.
            pub const ALL: &'static [ColumnId] = &[$(ColumnId::$id),+];

            /// The short key used in URLs and saved preferences.
            pub fn key(self) -> &'static str {
                match self { $(ColumnId::$id => $key,)+ }
            }

            /// The column header.
            pub fn label(self) -> &'static str {
                match self { $(ColumnId::$id => $label,)+ }
            }

            /// Reads a key.
            pub fn from_key(key: &str) -> Option<ColumnId> {
                match key { $($key => Some(ColumnId::$id),)+ _ => None }
            }
        }
    };
}

columns! {
    Date => "date", "Date";
    RequestId => "requestId", "Request ID";
    User => "user", "User";
    Username => "username", "Username";
    UserId => "userId", "User ID";
    UserType => "userType", "User type";
    Application => "app", "Application";
    ApplicationId => "appId", "Application ID";
    Status => "status", "Status";
    ErrorCode => "errorCode", "Sign-in error code";
    FailureReason => "failureReason", "Failure reason";
    IpAddress => "ip", "IP address";
    IpAddressSeenByResource => "ipByResource", "IP address (seen by resource)";
    Location => "location", "Location";
    ConditionalAccess => "ca", "Conditional access";
    Resource => "resource", "Resource";
    ResourceId => "resourceId", "Resource ID";
    ResourceTenantId => "resourceTenantId", "Resource tenant ID";
    HomeTenantId => "homeTenantId", "Home tenant ID";
    CrossTenantAccessType => "crossTenant", "Cross tenant access type";
    ClientApp => "clientApp", "Client app";
    Browser => "browser", "Browser";
    OperatingSystem => "os", "Operating system";
    DeviceId => "deviceId", "Device ID";
    Compliant => "compliant", "Compliant";
    Managed => "managed", "Managed";
    JoinType => "joinType", "Join type";
    AuthenticationRequirement => "authRequirement", "Authentication requirement";
    MfaResult => "mfaResult", "Multifactor authentication result";
    AuthenticationProtocol => "protocol", "Authentication protocol";
    IncomingTokenType => "incomingToken", "Incoming token type";
    TokenIssuerType => "tokenIssuerType", "Token issuer type";
    TokenIssuerName => "tokenIssuerName", "Token issuer name";
    CorrelationId => "correlationId", "Correlation ID";
    UniqueTokenIdentifier => "uniqueTokenId", "Unique token identifier";
    SessionId => "sessionId", "Session ID";
    SignInIdentifier => "signInIdentifier", "Sign-in identifier";
    UserAgent => "userAgent", "User agent";
    Latency => "latency", "Latency";
    AutonomousSystemNumber => "asn", "Autonomous system number";
    FlaggedForReview => "flagged", "Flagged for review";
    RiskState => "riskState", "Risk state";
    RiskLevelDuringSignIn => "riskLevel", "Risk level during sign-in";
    ServicePrincipal => "servicePrincipal", "Service principal name or ID";
    ServicePrincipalId => "servicePrincipalId", "Service principal ID";
    ClientCredentialType => "credentialType", "Client credential type";
    ManagedIdentityId => "miId", "Managed identity ID";
    ManagedIdentityName => "miName", "Managed identity name";
    ManagedIdentityType => "miType", "Managed identity type";
    SignInCount => "count", "# sign-ins";
}

impl ColumnId {
    /// The default columns of a report (SPEC §4.2), in order.
    pub fn defaults(event_type: EventType) -> Vec<ColumnId> {
        use ColumnId::*;
        match event_type {
            EventType::Interactive => {
                vec![
                    Date,
                    RequestId,
                    User,
                    Application,
                    Status,
                    IpAddress,
                    Location,
                    ConditionalAccess,
                ]
            }
            EventType::NonInteractive => {
                vec![
                    Date,
                    RequestId,
                    User,
                    Application,
                    Status,
                    IpAddress,
                    ResourceId,
                    SignInCount,
                ]
            }
            EventType::ServicePrincipal => vec![
                Date,
                RequestId,
                ServicePrincipal,
                Status,
                IpAddress,
                Resource,
                ResourceId,
                SignInCount,
            ],
            EventType::ManagedIdentity => {
                vec![
                    Date,
                    ManagedIdentityId,
                    ManagedIdentityName,
                    Resource,
                    ResourceId,
                    SignInCount,
                ]
            }
        }
    }

    /// The columns the interactive report's picker offers (every single-valued field; the
    /// machine-only ones and `# sign-ins` are for the other reports).
    pub fn pickable() -> Vec<ColumnId> {
        use ColumnId::*;
        ColumnId::ALL
            .iter()
            .copied()
            .filter(|c| {
                !matches!(
                    c,
                    SignInCount
                        | ServicePrincipal
                        | ServicePrincipalId
                        | ClientCredentialType
                        | ManagedIdentityId
                        | ManagedIdentityName
                        | ManagedIdentityType
                )
            })
            .collect()
    }

    /// The sort order a click on this column's header asks the server for, if it sorts.
    pub fn sort_key(self) -> Option<SortField> {
        use ColumnId::*;
        Some(match self {
            Date => SortField::Date,
            RequestId => SortField::RequestId,
            User => SortField::User,
            Application => SortField::Application,
            Status => SortField::Status,
            IpAddress => SortField::IpAddress,
            Location => SortField::Location,
            Resource => SortField::Resource,
            ResourceId => SortField::ResourceId,
            ServicePrincipal | ManagedIdentityName => SortField::ServicePrincipal,
            _ => return None,
        })
    }

    /// True for columns whose cells are identifiers (shown in a fixed-width font, copyable).
    pub fn is_identifier(self) -> bool {
        use ColumnId::*;
        matches!(
            self,
            RequestId
                | UserId
                | ApplicationId
                | ResourceId
                | ResourceTenantId
                | HomeTenantId
                | DeviceId
                | CorrelationId
                | UniqueTokenIdentifier
                | SessionId
                | ServicePrincipalId
                | ManagedIdentityId
        )
    }

    /// The cell's text for a record (`Date` is the record's time as stored; the table formats
    /// it in the viewer's time zone; `# sign-ins` comes from the group, not the record).
    pub fn cell(self, r: &SignIn) -> String {
        use ColumnId::*;
        let s = |v: Option<&str>| v.unwrap_or_default().to_owned();
        let b = |v: Option<&bool>| {
            v.map(|b| if *b { "Yes" } else { "No" }.to_owned())
                .unwrap_or_default()
        };
        let device = r.device_detail.get();
        let msi = r.managed_service_identity.get();
        match self {
            Date => r.created_date_time.as_str().to_owned(),
            RequestId => r.id.clone(),
            User => r.user_label().to_owned(),
            Username => s(r.user_principal_name.as_deref()),
            UserId => s(r.user_id.as_deref()),
            UserType => r.user_type.get().map(|t| t.to_string()).unwrap_or_default(),
            Application => r.app_label().to_owned(),
            ApplicationId => s(r.app_id.as_deref()),
            Status => r.status_kind().label().to_owned(),
            ErrorCode => r.error_code().to_string(),
            FailureReason => r.failure_reason_text().unwrap_or_default(),
            IpAddress => s(r.ip_address.as_deref()),
            IpAddressSeenByResource => s(r.ip_address_from_resource_provider.as_deref()),
            Location => r.location_text(),
            ConditionalAccess => r
                .conditional_access_status
                .get()
                .map(ca_label)
                .unwrap_or_default(),
            Resource => r.resource_label().to_owned(),
            ResourceId => s(r.resource_id.as_deref()),
            ResourceTenantId => s(r.resource_tenant_id.as_deref()),
            HomeTenantId => s(r.home_tenant_id.as_deref()),
            CrossTenantAccessType => r
                .cross_tenant_access_type
                .get()
                .map(|t| t.to_string())
                .unwrap_or_default(),
            ClientApp => s(r.client_app_used.as_deref()),
            Browser => s(device.and_then(|d| d.browser.as_deref())),
            OperatingSystem => s(device.and_then(|d| d.operating_system.as_deref())),
            DeviceId => s(device.and_then(|d| d.device_id.as_deref())),
            Compliant => b(device.and_then(|d| d.is_compliant.get())),
            Managed => b(device.and_then(|d| d.is_managed.get())),
            JoinType => s(device.and_then(|d| d.trust_type.as_deref())),
            AuthenticationRequirement => s(r.authentication_requirement.as_deref()),
            MfaResult => s(r
                .status
                .get()
                .and_then(|st| st.additional_details.as_deref())),
            AuthenticationProtocol => r
                .authentication_protocol
                .get()
                .map(|t| t.to_string())
                .unwrap_or_default(),
            IncomingTokenType => r
                .incoming_token_type
                .get()
                .map(|t| t.to_string())
                .unwrap_or_default(),
            TokenIssuerType => r
                .token_issuer_type
                .get()
                .map(|t| t.to_string())
                .unwrap_or_default(),
            TokenIssuerName => s(r.token_issuer_name.as_deref()),
            CorrelationId => s(r.correlation_id.as_deref()),
            UniqueTokenIdentifier => s(r.unique_token_identifier.as_deref()),
            SessionId => s(r.session_id.as_deref()),
            SignInIdentifier => s(r.sign_in_identifier.as_deref()),
            UserAgent => s(r.user_agent.as_deref()),
            Latency => r
                .processing_time_in_milliseconds
                .get()
                .map(|ms| format!("{ms} ms"))
                .unwrap_or_default(),
            AutonomousSystemNumber => r
                .autonomous_system_number
                .get()
                .map(i64::to_string)
                .unwrap_or_default(),
            FlaggedForReview => b(r.flagged_for_review.get()),
            RiskState => r
                .risk_state
                .get()
                .map(|t| t.to_string())
                .unwrap_or_default(),
            RiskLevelDuringSignIn => r
                .risk_level_during_sign_in
                .get()
                .map(|t| t.to_string())
                .unwrap_or_default(),
            ServicePrincipal => r.service_principal_label().to_owned(),
            ServicePrincipalId => s(r.service_principal_id.as_deref()),
            ClientCredentialType => r
                .client_credential_type
                .get()
                .map(|t| t.to_string())
                .unwrap_or_default(),
            ManagedIdentityId => s(r.service_principal_id.as_deref()),
            ManagedIdentityName => s(r.service_principal_name.as_deref()),
            ManagedIdentityType => msi
                .and_then(|m| m.msi_type.get())
                .map(|t| t.to_string())
                .unwrap_or_default(),
            SignInCount => String::new(),
        }
    }
}

/// The portal's words for a Conditional Access status.
pub fn ca_label(status: &crate::model::ConditionalAccessStatus) -> String {
    use crate::model::ConditionalAccessStatus as C;
    match status {
        C::Success => "Success".to_owned(),
        C::Failure => "Failure".to_owned(),
        C::NotApplied => "Not Applied".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_key_reads_back() {
        for c in ColumnId::ALL {
            assert_eq!(ColumnId::from_key(c.key()), Some(*c));
        }
        let keys: std::collections::HashSet<_> = ColumnId::ALL.iter().map(|c| c.key()).collect();
        assert_eq!(keys.len(), ColumnId::ALL.len(), "keys are unique");
    }

    #[test]
    fn each_report_has_the_default_columns_of_the_spec() {
        let labels = |t| {
            ColumnId::defaults(t)
                .iter()
                .map(|c| c.label())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            labels(EventType::Interactive),
            [
                "Date",
                "Request ID",
                "User",
                "Application",
                "Status",
                "IP address",
                "Location",
                "Conditional access"
            ]
        );
        assert!(labels(EventType::NonInteractive).ends_with(&["Resource ID", "# sign-ins"]));
        assert_eq!(
            labels(EventType::ManagedIdentity),
            [
                "Date",
                "Managed identity ID",
                "Managed identity name",
                "Resource",
                "Resource ID",
                "# sign-ins"
            ]
        );
    }
}
