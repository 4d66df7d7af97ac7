//! The scope of a request (server only): who is signed in — put on the request by the
//! server's session middleware, never taken from the client — and what they may read.
//!
//! Every server function that reads sign-ins goes through [`Scope`]: it adds the role's
//! restriction (a user sees only their own sign-ins; the service principal and managed
//! identity reports are empty for them) and the tenant's retention window to every filter,
//! and answers a Free tenant with the licence error.

use super::AppError;
use crate::access::Viewer;
use crate::filter::{Expr, Field};
use crate::model::{EventType, SignIn};
use crate::store::{IndexedSignIn, Tenant, UserAccount, DAY_MICROS};

/// The signed-in user of a request, as the session middleware found them.
#[derive(Clone, Debug)]
pub struct Principal {
    /// The account.
    pub user: UserAccount,
    /// Its tenant.
    pub tenant: Tenant,
    /// The session's CSRF token.
    pub csrf: String,
}

impl Principal {
    /// The portal's view of them.
    pub fn viewer(&self) -> Viewer {
        Viewer {
            display_name: self.user.display_name.clone(),
            upn: self.user.upn.clone(),
            role: self.user.role,
            tenant: self.tenant.name.clone(),
            licence: self.tenant.licence,
            csrf: self.csrf.clone(),
        }
    }
}

/// The principal of the current request (`Unauthorized` without one). A session that must
/// change its password first is not signed in for anything else.
pub fn principal() -> Result<Principal, AppError> {
    let principal = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Principal>().cloned())
        .ok_or(AppError::Unauthorized)?;
    if principal.user.must_change_password {
        return Err(AppError::Unauthorized);
    }
    Ok(principal)
}

/// Whose sign-ins a scope is limited to (a user's own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Own {
    /// The user's object ID, lower-case.
    pub user_id: String,
    /// Their UPN, lower-case.
    pub upn: String,
}

/// What a principal (a signed-in user, or an app with `AuditLog.Read.All`) may read, at a
/// moment.
#[derive(Clone, Debug)]
pub struct Scope {
    /// The tenant every read is limited to.
    pub tenant: Tenant,
    /// `Some`: only this user's own sign-ins; `None`: the whole tenant.
    pub own: Option<Own>,
    /// The oldest time still inside the tenant's retention (microseconds), if limited.
    pub oldest: Option<i64>,
}

impl Scope {
    /// The scope of the current request: signed in, on a licence that includes reports.
    pub fn current() -> Result<Scope, AppError> {
        let principal = principal()?;
        Scope::of(principal, chrono::Utc::now().timestamp_micros())
    }

    /// The scope of `principal` at `now`.
    pub fn of(principal: Principal, now: i64) -> Result<Scope, AppError> {
        let own = (!principal.user.role.sees_tenant()).then(|| Own {
            user_id: principal.user.id.trim().to_lowercase(),
            upn: principal.user.upn.trim().to_lowercase(),
        });
        Scope::within(principal.tenant, own, now)
    }

    /// The scope of a tenant-wide reader (an app with `AuditLog.Read.All`) at `now`.
    pub fn of_app(tenant: Tenant, now: i64) -> Result<Scope, AppError> {
        Scope::within(tenant, None, now)
    }

    fn within(tenant: Tenant, own: Option<Own>, now: i64) -> Result<Scope, AppError> {
        if !tenant.licence.reports() {
            return Err(AppError::LicenceRequired);
        }
        let oldest = tenant
            .retention_days
            .map(|days| now - i64::from(days) * DAY_MICROS);
        Ok(Scope {
            tenant,
            own,
            oldest,
        })
    }

    /// The tenant every read is limited to.
    pub fn tenant_id(&self) -> &str {
        &self.tenant.id
    }

    /// The restriction every read of `report` gets (`None`: the whole report).
    pub fn restriction(&self, report: Option<EventType>) -> Expr {
        let mut parts = Vec::new();
        if let Some(oldest) = self.oldest {
            parts.push(Expr::time_range(Some(oldest), None));
        }
        if let Some(own) = &self.own {
            if matches!(
                report,
                Some(EventType::ServicePrincipal | EventType::ManagedIdentity)
            ) {
                // Nobody's own sign-ins are a machine's.
                return Expr::Or(vec![]);
            }
            parts.push(Expr::Or(vec![
                Expr::eq_text(Field::UserId, own.user_id.clone()),
                Expr::eq_text(Field::UserPrincipalName, own.upn.clone()),
            ]));
            if report.is_none() {
                // Across reports (the API), a user's own are never a machine's either.
                parts.push(Expr::Not(Box::new(Expr::Or(vec![
                    crate::filter::report_expr(EventType::ServicePrincipal),
                    crate::filter::report_expr(EventType::ManagedIdentity),
                ]))));
            }
        }
        match parts.len() {
            0 => Expr::True,
            _ => Expr::And(parts),
        }
    }

    /// The blade's `filter` on `report` (relative dates taken at `now`, microseconds),
    /// limited to the scope: what every report read and download selects.
    pub fn report_filter(
        &self,
        report: EventType,
        filter: &crate::filter::ReportFilter,
        now: i64,
    ) -> Expr {
        let at = chrono::DateTime::from_timestamp_micros(now).unwrap_or_default();
        self.limit(
            Some(report),
            crate::filter::report_expr(report).and(filter.to_expr(at)),
        )
    }

    /// `filter` limited to the scope.
    pub fn limit(&self, report: Option<EventType>, filter: Expr) -> Expr {
        match self.restriction(report) {
            Expr::True => filter,
            r => filter.and(r),
        }
    }

    /// Whether one record is in scope (the same rule as [`Scope::limit`], on one record).
    pub fn admits(&self, record: &SignIn) -> bool {
        let index = IndexedSignIn::of(record);
        if self.oldest.is_some_and(|oldest| index.created_at < oldest) {
            return false;
        }
        let Some(own) = &self.own else {
            return true;
        };
        if matches!(
            record.event_type(),
            EventType::ServicePrincipal | EventType::ManagedIdentity
        ) {
            return false;
        }
        (!index.user_id.is_empty() && index.user_id == own.user_id)
            || (!index.user_principal_name.is_empty() && index.user_principal_name == own.upn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{Licence, Role};

    fn principal(role: Role, licence: Licence) -> Principal {
        Principal {
            user: UserAccount {
                id: "U-1".into(),
                tenant_id: "t".into(),
                upn: "Ann@Contoso.com".into(),
                display_name: "Ann".into(),
                role,
                password_hash: String::new(),
                disabled: false,
                must_change_password: false,
                failed_attempts: 0,
                locked_until: 0,
            },
            tenant: Tenant {
                id: "t".into(),
                name: "Contoso".into(),
                licence,
                retention_days: Some(30),
            },
            csrf: String::new(),
        }
    }

    fn record(json: serde_json::Value) -> SignIn {
        serde_json::from_value(json).expect("a record")
    }

    #[test]
    fn a_free_tenant_gets_the_licence_error() {
        let p = principal(Role::GlobalAdministrator, Licence::Free);
        assert!(matches!(Scope::of(p, 0), Err(AppError::LicenceRequired)));
    }

    #[test]
    fn users_see_their_own_interactive_and_non_interactive_sign_ins_only() {
        let now = 40 * DAY_MICROS;
        let scope = Scope::of(principal(Role::User, Licence::Premium), now).expect("scope");
        let mine = record(
            serde_json::json!({"id": "1", "createdDateTime": "1970-02-05T00:00:00Z", "userId": "u-1"}),
        );
        let by_upn = record(
            serde_json::json!({"id": "2", "createdDateTime": "1970-02-05T00:00:00Z", "userPrincipalName": "ANN@contoso.com", "isInteractive": false}),
        );
        let other = record(
            serde_json::json!({"id": "3", "createdDateTime": "1970-02-05T00:00:00Z", "userId": "u-2", "userPrincipalName": "bob@contoso.com"}),
        );
        let machine = record(
            serde_json::json!({"id": "4", "createdDateTime": "1970-02-05T00:00:00Z", "userId": "u-1", "signInEventTypes": ["servicePrincipal"]}),
        );
        let expired = record(
            serde_json::json!({"id": "5", "createdDateTime": "1970-01-05T00:00:00Z", "userId": "u-1"}),
        );
        assert!(scope.admits(&mine));
        assert!(scope.admits(&by_upn));
        assert!(!scope.admits(&other));
        assert!(!scope.admits(&machine));
        assert!(!scope.admits(&expired), "older than the retention window");
        assert_eq!(
            scope.restriction(Some(EventType::ServicePrincipal)),
            Expr::Or(vec![])
        );
    }

    #[test]
    fn readers_see_the_whole_tenant_within_retention() {
        let now = 40 * DAY_MICROS;
        for role in [
            Role::GlobalAdministrator,
            Role::SecurityAdministrator,
            Role::SecurityReader,
            Role::ReportsReader,
        ] {
            let scope = Scope::of(principal(role, Licence::Premium), now).expect("scope");
            assert_eq!(
                scope.restriction(Some(EventType::ManagedIdentity)),
                Expr::And(vec![Expr::time_range(Some(10 * DAY_MICROS), None)])
            );
            let other = record(
                serde_json::json!({"id": "3", "createdDateTime": "1970-02-05T00:00:00Z", "userId": "u-2"}),
            );
            assert!(scope.admits(&other));
        }
    }
}
