//! Managing portal accounts, for the CLI and the admin page alike: create, change role, reset
//! a password, disable, enable, unlock; and the demo tenant's accounts.
//!
//! A tenant always keeps at least one enabled Global Administrator.

use crate::auth::password;
use app::store::{Role, Store, StoreError, Tenant, UserAccount};

/// The demo accounts' password (the demo tenant only; README says so).
pub const DEMO_PASSWORD: &str = "signbook-demo-2026";

/// What an account change needs to say back.
#[derive(Debug)]
pub struct Changed {
    /// The account as saved.
    pub user: UserAccount,
    /// A one-time password to hand over (shown once), when one was generated.
    pub one_time_password: Option<String>,
}

/// Why an account change was refused, in words for the person asking.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Bad input.
    #[error("{0}")]
    Invalid(String),
    /// No such account.
    #[error("no account {0:?} in this tenant")]
    NotFound(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Hashing failed.
    #[error("{0}")]
    Other(String),
}

/// Checks the shape of a UPN (`name@domain`).
pub fn check_upn(upn: &str) -> Result<String, AccountError> {
    let upn = upn.trim();
    let valid = upn.len() <= 256
        && !upn
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        && upn.rsplit_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid {
        Ok(upn.to_owned())
    } else {
        Err(AccountError::Invalid(format!(
            "{upn:?} is not a user principal name (name@domain.example)"
        )))
    }
}

async fn hashed(password: Option<String>) -> Result<(String, Option<String>), AccountError> {
    let (given, one_time) = match password {
        Some(p) => {
            password::check_new(&p).map_err(AccountError::Invalid)?;
            (p, None)
        }
        None => {
            let p = password::one_time();
            (p.clone(), Some(p))
        }
    };
    let hash = password::hash(given)
        .await
        .map_err(|e| AccountError::Other(e.to_string()))?;
    Ok((hash, one_time))
}

/// Creates an account. Without a password, a one-time password is generated and must be
/// changed at the first sign-in.
pub async fn create_user(
    store: &dyn Store,
    tenant: &Tenant,
    upn: &str,
    display_name: Option<&str>,
    role: Role,
    password: Option<String>,
) -> Result<Changed, AccountError> {
    let upn = check_upn(upn)?;
    let display_name = display_name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| upn.split('@').next().unwrap_or_default().to_owned());
    if display_name.chars().count() > 256 {
        return Err(AccountError::Invalid(
            "a display name has at most 256 characters".into(),
        ));
    }
    let (password_hash, one_time_password) = hashed(password).await?;
    let user = UserAccount {
        id: uuid::Uuid::new_v4().to_string(),
        tenant_id: tenant.id.clone(),
        upn,
        display_name,
        role,
        password_hash,
        disabled: false,
        must_change_password: one_time_password.is_some(),
        failed_attempts: 0,
        locked_until: 0,
    };
    match store.insert_user(&user).await {
        Ok(()) => Ok(Changed {
            user,
            one_time_password,
        }),
        Err(StoreError::Conflict(_)) => Err(AccountError::Invalid(format!(
            "an account {} exists already",
            user.upn
        ))),
        Err(e) => Err(e.into()),
    }
}

/// A tenant's account by UPN.
pub async fn find(
    store: &dyn Store,
    tenant: &Tenant,
    upn: &str,
) -> Result<UserAccount, AccountError> {
    store
        .find_user_by_upn(upn)
        .await?
        .filter(|u| u.tenant_id == tenant.id)
        .ok_or_else(|| AccountError::NotFound(upn.trim().to_owned()))
}

/// Refuses a change that would leave the tenant without an enabled Global Administrator.
async fn keep_an_administrator(
    store: &dyn Store,
    user: &UserAccount,
    after: &UserAccount,
) -> Result<(), AccountError> {
    let was = user.role == Role::GlobalAdministrator && !user.disabled;
    let stays = after.role == Role::GlobalAdministrator && !after.disabled;
    if !was || stays {
        return Ok(());
    }
    let others = store
        .list_users(&user.tenant_id)
        .await?
        .into_iter()
        .filter(|u| u.id != user.id && u.role == Role::GlobalAdministrator && !u.disabled)
        .count();
    if others == 0 {
        return Err(AccountError::Invalid(format!(
            "{} is the tenant's only Global Administrator; make someone else one first",
            user.upn
        )));
    }
    Ok(())
}

/// Saves `after` (a changed copy of `user`) after the administrator check; ends the user's
/// sessions when `end_sessions`.
async fn save(
    store: &dyn Store,
    user: &UserAccount,
    after: UserAccount,
    end_sessions: bool,
) -> Result<UserAccount, AccountError> {
    keep_an_administrator(store, user, &after).await?;
    store.update_user(&after).await?;
    if end_sessions {
        store.delete_user_sessions(&after.id).await?;
    }
    Ok(after)
}

/// Changes an account's role (effective on its next request).
pub async fn set_role(
    store: &dyn Store,
    user: &UserAccount,
    role: Role,
) -> Result<UserAccount, AccountError> {
    save(
        store,
        user,
        UserAccount {
            role,
            ..user.clone()
        },
        false,
    )
    .await
}

/// Disables or enables an account; disabling ends its sessions.
pub async fn set_disabled(
    store: &dyn Store,
    user: &UserAccount,
    disabled: bool,
) -> Result<UserAccount, AccountError> {
    save(
        store,
        user,
        UserAccount {
            disabled,
            ..user.clone()
        },
        disabled,
    )
    .await
}

/// Clears a lockout.
pub async fn unlock(store: &dyn Store, user: &UserAccount) -> Result<UserAccount, AccountError> {
    save(
        store,
        user,
        UserAccount {
            failed_attempts: 0,
            locked_until: 0,
            ..user.clone()
        },
        false,
    )
    .await
}

/// Sets a new password (a one-time one when none is given), clears any lockout and ends the
/// account's sessions.
pub async fn reset_password(
    store: &dyn Store,
    user: &UserAccount,
    password: Option<String>,
) -> Result<Changed, AccountError> {
    let (password_hash, one_time_password) = hashed(password).await?;
    let user = save(
        store,
        user,
        UserAccount {
            password_hash,
            must_change_password: one_time_password.is_some(),
            failed_attempts: 0,
            locked_until: 0,
            ..user.clone()
        },
        true,
    )
    .await?;
    Ok(Changed {
        user,
        one_time_password,
    })
}

/// The demo tenant's accounts: its first demo person as Global Administrator, the second as
/// Reports Reader, the next three as ordinary users — with the object IDs and UPNs their demo
/// sign-ins carry, and [`DEMO_PASSWORD`]. Existing accounts are left alone.
pub async fn create_demo_accounts(
    store: &dyn Store,
    tenant: &Tenant,
    seed: u64,
) -> anyhow::Result<Vec<(String, Role)>> {
    let world = crate::demo::World::new(seed, &tenant.id);
    let roles = [
        Role::GlobalAdministrator,
        Role::ReportsReader,
        Role::User,
        Role::User,
        Role::User,
    ];
    let hash = password::hash(DEMO_PASSWORD.to_owned()).await?;
    let mut made = Vec::new();
    for ((id, upn, name), role) in world.people(roles.len()).into_iter().zip(roles) {
        if store.find_user_by_upn(&upn).await?.is_some() {
            continue;
        }
        store
            .insert_user(&UserAccount {
                id,
                tenant_id: tenant.id.clone(),
                upn: upn.clone(),
                display_name: name,
                role,
                password_hash: hash.clone(),
                disabled: false,
                must_change_password: false,
                failed_attempts: 0,
                locked_until: 0,
            })
            .await?;
        made.push((upn, role));
    }
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upns_need_a_name_and_a_dotted_domain() {
        assert_eq!(
            check_upn(" ann@contoso.com ").expect("valid"),
            "ann@contoso.com"
        );
        for bad in [
            "ann",
            "@contoso.com",
            "ann@contoso",
            "ann@.com",
            "a b@c.com",
            "<a>@c.com",
            "",
        ] {
            assert!(check_upn(bad).is_err(), "{bad}");
        }
    }
}
