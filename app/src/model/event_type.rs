//! The four sign-in reports and how a record is assigned to one.

use super::enums::{MsiType, SignInEventType};
use super::signin::SignIn;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which of the four reports a sign-in belongs to.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum EventType {
    /// User sign-ins (interactive): the classic view's only report.
    #[default]
    Interactive,
    /// User sign-ins (non-interactive).
    NonInteractive,
    /// Service principal sign-ins.
    ServicePrincipal,
    /// Managed identity sign-ins.
    ManagedIdentity,
}

impl EventType {
    /// The four, in tab order.
    pub const ALL: [EventType; 4] = [
        EventType::Interactive,
        EventType::NonInteractive,
        EventType::ServicePrincipal,
        EventType::ManagedIdentity,
    ];

    /// The Graph `signInEventTypes` value.
    pub fn graph_name(self) -> &'static str {
        match self {
            EventType::Interactive => "interactiveUser",
            EventType::NonInteractive => "nonInteractiveUser",
            EventType::ServicePrincipal => "servicePrincipal",
            EventType::ManagedIdentity => "managedIdentity",
        }
    }

    /// Reads a Graph `signInEventTypes` value.
    pub fn from_graph_name(name: &str) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.graph_name() == name)
    }

    /// The tab title in the blade.
    pub fn title(self) -> &'static str {
        match self {
            EventType::Interactive => "User sign-ins (interactive)",
            EventType::NonInteractive => "User sign-ins (non-interactive)",
            EventType::ServicePrincipal => "Service principal sign-ins",
            EventType::ManagedIdentity => "Managed identity sign-ins",
        }
    }

    /// The small integer stored beside each record (stable: never renumber).
    pub fn code(self) -> i16 {
        match self {
            EventType::Interactive => 1,
            EventType::NonInteractive => 2,
            EventType::ServicePrincipal => 3,
            EventType::ManagedIdentity => 4,
        }
    }

    /// The inverse of [`EventType::code`].
    pub fn from_code(code: i16) -> Option<EventType> {
        EventType::ALL.into_iter().find(|t| t.code() == code)
    }

    /// True for the three reports whose rows are grouped.
    pub fn is_grouped(self) -> bool {
        self != EventType::Interactive
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.graph_name())
    }
}

impl SignIn {
    /// The report this sign-in belongs to.
    ///
    /// The first of the four known `signInEventTypes` values decides. Records without one
    /// (v1.0 records, older exports) are placed by what they carry: a managed identity type
    /// makes a managed identity sign-in; no user but a service principal makes a service
    /// principal sign-in; `isInteractive: false` a non-interactive one; anything else is
    /// interactive, as Graph v1.0 lists only interactive sign-ins.
    pub fn event_type(&self) -> EventType {
        if let Some(types) = self.sign_in_event_types.get() {
            if let Some(t) = types.iter().find_map(|t| match t {
                SignInEventType::InteractiveUser => Some(EventType::Interactive),
                SignInEventType::NonInteractiveUser => Some(EventType::NonInteractive),
                SignInEventType::ServicePrincipal => Some(EventType::ServicePrincipal),
                SignInEventType::ManagedIdentity => Some(EventType::ManagedIdentity),
                _ => None,
            }) {
                return t;
            }
        }
        let msi = self
            .managed_service_identity
            .get()
            .and_then(|m| m.msi_type.get());
        if matches!(msi, Some(MsiType::UserAssigned | MsiType::SystemAssigned)) {
            return EventType::ManagedIdentity;
        }
        let has_user =
            self.user_id.non_empty().is_some() || self.user_principal_name.non_empty().is_some();
        if !has_user && self.service_principal_id.non_empty().is_some() {
            return EventType::ServicePrincipal;
        }
        if self.is_interactive.get() == Some(&false) {
            return EventType::NonInteractive;
        }
        EventType::Interactive
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: serde_json::Value) -> SignIn {
        let mut base = serde_json::json!({"id": "r1", "createdDateTime": "2024-01-01T00:00:00Z"});
        if let (Some(b), Some(extra)) = (base.as_object_mut(), json.as_object()) {
            b.extend(extra.clone());
        }
        serde_json::from_value(base).expect("valid record")
    }

    #[test]
    fn sign_in_event_types_decide_the_report() {
        for t in EventType::ALL {
            let r = record(
                serde_json::json!({"signInEventTypes": [t.graph_name()], "isInteractive": true}),
            );
            assert_eq!(r.event_type(), t);
        }
    }

    #[test]
    fn records_without_event_types_are_placed_by_what_they_carry() {
        assert_eq!(
            record(serde_json::json!({})).event_type(),
            EventType::Interactive
        );
        assert_eq!(
            record(serde_json::json!({"isInteractive": false, "userId": "u"})).event_type(),
            EventType::NonInteractive
        );
        assert_eq!(
            record(serde_json::json!({"servicePrincipalId": "sp", "userId": null})).event_type(),
            EventType::ServicePrincipal
        );
        assert_eq!(
            record(serde_json::json!({"managedServiceIdentity": {"msiType": "systemAssigned"}}))
                .event_type(),
            EventType::ManagedIdentity
        );
        assert_eq!(
            record(serde_json::json!({"signInEventTypes": ["unknownFutureValue"], "isInteractive": false})).event_type(),
            EventType::NonInteractive
        );
    }

    #[test]
    fn codes_round_trip() {
        for t in EventType::ALL {
            assert_eq!(EventType::from_code(t.code()), Some(t));
            assert_eq!(EventType::from_graph_name(t.graph_name()), Some(t));
        }
    }
}
