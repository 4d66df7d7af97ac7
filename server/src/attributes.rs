//! Deriving the attribute text of records stored before Signbook kept it (migration 0005):
//! a background job that reads each such record's stored JSON and writes its attributes, in
//! small batches with a pause between them, so that reads and ingest never wait long behind
//! it. Until it is done, filters on attributes are refused (see
//! [`app::store::Store::derive_attributes`]); everything else works as before.

use app::store::Store;
use std::sync::Arc;
use std::time::Duration;

/// Records per batch.
const BATCH: i64 = 1_000;
/// Pause between two batches.
const PAUSE: Duration = Duration::from_millis(10);
/// Wait after a failed batch before trying again.
const RETRY: Duration = Duration::from_secs(30);

/// Derives every missing attribute text; returns how many records it did.
pub async fn derive_all(store: &dyn Store) -> anyhow::Result<u64> {
    let mut total = 0_u64;
    loop {
        let done = store.derive_attributes(BATCH).await?;
        if done == 0 {
            return Ok(total);
        }
        total += done;
        if total % 100_000 < done {
            tracing::info!(records = total, "deriving attributes of earlier sign-ins");
        }
        tokio::time::sleep(PAUSE).await;
    }
}

/// Runs [`derive_all`] in the background until it succeeds.
pub fn spawn(store: Arc<dyn Store>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match derive_all(store.as_ref()).await {
                Ok(0) => return,
                Ok(total) => {
                    tracing::info!(
                        records = total,
                        "attributes of earlier sign-ins derived; filters on them work now"
                    );
                    return;
                }
                Err(e) => {
                    tracing::error!(error = %e, "deriving attributes failed; trying again later");
                    tokio::time::sleep(RETRY).await;
                }
            }
        }
    })
}
