//! The retention job (SPEC §5): deletes each tenant's sign-ins older than its retention, in
//! small batches with a pause between them so that reads and ingest never wait long behind
//! it, and sweeps expired sessions. Records inside the window are never touched: the cutoff
//! is taken once per run and only records strictly older than it go.

use app::store::{Store, DAY_MICROS};
use std::sync::Arc;
use std::time::Duration;

/// How the job runs.
#[derive(Clone, Debug)]
pub struct RetentionConfig {
    /// Time between runs.
    pub every: Duration,
    /// Records deleted per statement.
    pub batch: i64,
    /// Pause between two batches.
    pub pause: Duration,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            every: Duration::from_secs(15 * 60),
            batch: 2_000,
            pause: Duration::from_millis(20),
        }
    }
}

/// One run at `now` (microseconds): every tenant with a limited retention loses the records
/// created before `now − retention`. Returns how many records were deleted.
pub async fn purge_once(
    store: &dyn Store,
    now: i64,
    config: &RetentionConfig,
) -> anyhow::Result<u64> {
    let mut total = 0;
    for tenant in store.list_tenants().await? {
        let Some(days) = tenant.retention_days else {
            continue;
        };
        let cutoff = now - i64::from(days) * DAY_MICROS;
        let mut deleted = 0;
        loop {
            let n = store
                .purge_signins(&tenant.id, cutoff, config.batch)
                .await?;
            deleted += n;
            if n == 0 {
                break;
            }
            tokio::time::sleep(config.pause).await;
        }
        if deleted > 0 {
            tracing::info!(tenant = %tenant.id, deleted, days, "retention: deleted sign-ins older than the tenant's retention");
        }
        total += deleted;
    }
    Ok(total)
}

/// Runs the job in the background: now, then every `config.every`.
pub fn spawn(
    store: Arc<dyn Store>,
    auth: Arc<crate::auth::Auth>,
    config: RetentionConfig,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(config.every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let now = chrono::Utc::now().timestamp_micros();
            if let Err(e) = purge_once(store.as_ref(), now, &config).await {
                tracing::error!(error = %e, "retention run failed; it runs again later");
            }
            if let Err(e) = auth.sweep(store.as_ref()).await {
                tracing::error!(error = %e, "sweeping expired sessions failed");
            }
        }
    })
}
