//! Who may see what (SPEC §5): the roles, the licences and the signed-in viewer as the blade
//! knows them. Plain data, compiled for the server and the browser; the rules that scope a
//! request are applied on the server only (`crate::api::access`).

use serde::{Deserialize, Serialize};

/// A portal role. The first four see every sign-in of their tenant; [`Role::User`] sees only
/// their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Global Administrator: sees everything and manages users, the licence and retention.
    GlobalAdministrator,
    /// Security Administrator.
    SecurityAdministrator,
    /// Security Reader.
    SecurityReader,
    /// Reports Reader.
    ReportsReader,
    /// Any other user.
    User,
}

impl Role {
    /// Every role, most privileged first.
    pub const ALL: [Role; 5] = [
        Role::GlobalAdministrator,
        Role::SecurityAdministrator,
        Role::SecurityReader,
        Role::ReportsReader,
        Role::User,
    ];

    /// The stored and command-line name (`global-administrator`…).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::GlobalAdministrator => "global-administrator",
            Role::SecurityAdministrator => "security-administrator",
            Role::SecurityReader => "security-reader",
            Role::ReportsReader => "reports-reader",
            Role::User => "user",
        }
    }

    /// The name people read ("Global Administrator").
    pub fn label(self) -> &'static str {
        match self {
            Role::GlobalAdministrator => "Global Administrator",
            Role::SecurityAdministrator => "Security Administrator",
            Role::SecurityReader => "Security Reader",
            Role::ReportsReader => "Reports Reader",
            Role::User => "User",
        }
    }

    /// Reads a role from its stored name, its label or its camelCase form, in any case.
    pub fn parse(text: &str) -> Option<Role> {
        let key: String = text
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        Role::ALL.into_iter().find(|r| {
            let name: String = r.as_str().chars().filter(|c| *c != '-').collect();
            name == key
        })
    }

    /// Sees every sign-in of the tenant (not only the user's own).
    pub fn sees_tenant(self) -> bool {
        self != Role::User
    }

    /// May change users, roles, the licence and retention.
    pub fn administers(self) -> bool {
        self == Role::GlobalAdministrator
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// A tenant's licence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Licence {
    /// No sign-in activity reports.
    Free,
    /// Sign-in activity reports (Entra ID P1/P2 in Microsoft's terms).
    Premium,
}

impl Licence {
    /// `free` or `premium`.
    pub fn as_str(self) -> &'static str {
        match self {
            Licence::Free => "free",
            Licence::Premium => "premium",
        }
    }

    /// "Free" or "Premium".
    pub fn label(self) -> &'static str {
        match self {
            Licence::Free => "Free",
            Licence::Premium => "Premium",
        }
    }

    /// Reads `free` or `premium` in any case.
    pub fn parse(text: &str) -> Option<Licence> {
        match text.trim().to_ascii_lowercase().as_str() {
            "free" => Some(Licence::Free),
            "premium" => Some(Licence::Premium),
            _ => None,
        }
    }

    /// Days sign-ins are kept unless the tenant says otherwise: 7 on Free, 30 on Premium, as
    /// in Entra ID.
    pub fn default_retention_days(self) -> i32 {
        match self {
            Licence::Free => 7,
            Licence::Premium => 30,
        }
    }

    /// Sign-in activity can be read.
    pub fn reports(self) -> bool {
        self == Licence::Premium
    }
}

/// The signed-in user, as the portal shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    /// Display name.
    pub display_name: String,
    /// User principal name.
    pub upn: String,
    /// Role.
    pub role: Role,
    /// The tenant's name.
    pub tenant: String,
    /// The tenant's licence.
    pub licence: Licence,
    /// The token state-changing forms carry (sign-out).
    pub csrf: String,
}

impl Viewer {
    /// Sees only their own sign-ins.
    pub fn own_only(&self) -> bool {
        !self.role.sees_tenant()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_read_back_from_every_spelling() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(Role::parse(role.label()), Some(role));
            assert_eq!(Role::parse(&role.label().replace(' ', "")), Some(role));
        }
        assert_eq!(
            Role::parse("globalAdministrator"),
            Some(Role::GlobalAdministrator)
        );
        assert_eq!(Role::parse("admin"), None);
        assert_eq!(Role::parse(""), None);
    }

    #[test]
    fn only_users_are_limited_to_their_own_sign_ins() {
        let seeing: Vec<Role> = Role::ALL.into_iter().filter(|r| r.sees_tenant()).collect();
        assert_eq!(seeing.len(), 4);
        assert!(!Role::User.sees_tenant());
        assert!(Role::GlobalAdministrator.administers());
        assert!(!Role::SecurityAdministrator.administers());
    }

    #[test]
    fn only_premium_reports() {
        assert!(Licence::Premium.reports());
        assert!(!Licence::Free.reports());
        assert_eq!(Licence::parse(" Premium "), Some(Licence::Premium));
        assert_eq!(Licence::Free.default_retention_days(), 7);
        assert_eq!(Licence::Premium.default_retention_days(), 30);
    }
}
