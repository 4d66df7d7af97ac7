//! Tenant helpers for the CLI and start-up: the demo tenant, create-if-missing.

use anyhow::Context;
use app::store::{Licence, Store, StoreError, Tenant};

/// The demo tenant's name.
pub const DEMO_TENANT: &str = "demo";

/// The demo tenant's ID: fixed, so links and tests that name it keep working.
pub const DEMO_TENANT_ID: &str = "5b1c2a6e-3f0d-4c1e-9a57-0d3e8c6f4b21";

/// Creates a tenant with a fresh ID.
pub async fn create_tenant(
    store: &dyn Store,
    name: &str,
    licence: Licence,
    retention_days: Option<i32>,
) -> anyhow::Result<Tenant> {
    let name = name.trim();
    anyhow::ensure!(!name.is_empty(), "a tenant needs a name");
    anyhow::ensure!(
        name.len() <= 100,
        "a tenant name has at most 100 characters"
    );
    let id = if name.eq_ignore_ascii_case(DEMO_TENANT) {
        DEMO_TENANT_ID.to_owned()
    } else {
        uuid::Uuid::new_v4().to_string()
    };
    let tenant = Tenant {
        id,
        name: name.to_owned(),
        licence,
        retention_days,
    };
    match store.insert_tenant(&tenant).await {
        Ok(()) => Ok(tenant),
        Err(StoreError::Conflict(_)) => anyhow::bail!("a tenant named {name:?} exists already"),
        Err(e) => Err(e).context("creating the tenant"),
    }
}

/// The tenant named (by name or ID), created as Premium if it does not exist. Returns the
/// tenant and whether it was created.
pub async fn ensure_tenant(store: &dyn Store, name_or_id: &str) -> anyhow::Result<(Tenant, bool)> {
    if let Some(t) = store
        .find_tenant(name_or_id)
        .await
        .context("looking up the tenant")?
    {
        return Ok((t, false));
    }
    let licence = Licence::Premium;
    Ok((
        create_tenant(
            store,
            name_or_id,
            licence,
            Some(licence.default_retention_days()),
        )
        .await?,
        true,
    ))
}
