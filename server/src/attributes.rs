//! Deriving the attribute text of records stored without it (before migration 0005, or by an
//! older server during a rolling upgrade): a background job that reads each such record's
//! stored JSON and writes its attributes, in small batches with a pause between them, so that
//! reads and ingest never wait long behind it. Until the records of before the upgrade are
//! done, filters on attributes are refused (see [`app::store::Store::derive_attributes`]);
//! everything else works as before. (Records an older server adds after that are found at the
//! job's next look, and until then a filter on attributes leaves them out.)

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

/// How often the job looks again once it is done: a server of the previous version still
/// running against the same PostgreSQL database during a rolling upgrade stores records
/// without attributes, and they are derived at the next look.
const AGAIN: Duration = Duration::from_secs(15 * 60);

/// Runs [`derive_all`] in the background: at start, and again every [`AGAIN`].
pub fn spawn(store: Arc<dyn Store>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match derive_all(store.as_ref()).await {
                Ok(total) => {
                    if total > 0 {
                        tracing::info!(
                            records = total,
                            "attributes of earlier sign-ins derived; filters on them work now"
                        );
                    }
                    tokio::time::sleep(AGAIN).await;
                }
                Err(e) => {
                    tracing::error!(error = %e, "deriving attributes failed; trying again later");
                    tokio::time::sleep(RETRY).await;
                }
            }
        }
    })
}
