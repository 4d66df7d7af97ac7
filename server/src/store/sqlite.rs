//! The SQLite backend: one file, WAL, one writing connection and a few reading ones.
//!
//! `synchronous=FULL` makes a commit durable before it returns, so an ingest is acknowledged
//! only once it would survive a power cut. Writes go through a pool of one connection: SQLite
//! has one writer at a time anyway, and queueing in the pool is cheaper than busy retries.

use super::sql::{self, Bind, Dialect, Sql};
use super::{db_error, Backend, Cell, Kind};
use app::store::{InsertOutcome, NewSignIn, StoreError, StoreResult};
use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Row, Sqlite};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// The SQLite backend.
pub struct SqliteBackend {
    writer: SqlitePool,
    reader: SqlitePool,
    path: PathBuf,
}

type SqliteQuery<'q> = sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

fn bind_all<'q>(mut query: SqliteQuery<'q>, binds: &'q [Bind]) -> SqliteQuery<'q> {
    for b in binds {
        query = match b {
            Bind::Text(t) => query.bind(t.as_str()),
            Bind::Int(i) => query.bind(*i),
            Bind::Blob(b) => query.bind(b.as_slice()),
        };
    }
    query
}

fn decode(row: &SqliteRow, kinds: &[Kind]) -> StoreResult<Vec<Cell>> {
    kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| match kind {
            Kind::Int => row
                .try_get::<Option<i64>, _>(i)
                .map(|v| Cell::Int(v.unwrap_or(0)))
                .map_err(db_error),
            Kind::Text => row
                .try_get::<Option<String>, _>(i)
                .map(|v| Cell::Text(v.unwrap_or_default()))
                .map_err(db_error),
            Kind::Doc => row
                .try_get::<Vec<u8>, _>(i)
                .map_err(db_error)
                .and_then(|b| app::store::doc::decode(&b))
                .map(Cell::Text),
        })
        .collect()
}

impl SqliteBackend {
    /// Opens (creating if needed) the database file of a `sqlite://PATH` URL and migrates it.
    pub async fn open(url: &str) -> anyhow::Result<SqliteBackend> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-16384")
            .pragma("mmap_size", "4294967296")
            .pragma("temp_store", "memory")
            // 8 KiB pages: a fifth faster to insert into than 4 KiB with these rows and indexes.
            .page_size(8192);
        let path = options.get_filename().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("migrations/sqlite").run(&writer).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.read_only(true))
            .await?;
        Ok(SqliteBackend {
            writer,
            reader,
            path,
        })
    }

    /// Updates the query planner's statistics (after a large import).
    pub async fn analyze(&self) -> StoreResult<()> {
        sqlx::query("ANALYZE")
            .execute(&self.writer)
            .await
            .map_err(db_error)?;
        Ok(())
    }
}

#[async_trait]
impl Backend for SqliteBackend {
    const DIALECT: Dialect = Dialect::Sqlite;
    const NAME: &'static str = "sqlite";

    async fn fetch(&self, sql: &Sql, kinds: &[Kind]) -> StoreResult<Vec<Vec<Cell>>> {
        let rows = bind_all(sqlx::query(&sql.text), &sql.binds)
            .fetch_all(&self.reader)
            .await
            .map_err(db_error)?;
        rows.iter().map(|r| decode(r, kinds)).collect()
    }

    async fn execute(&self, sql: &Sql) -> StoreResult<u64> {
        let done = bind_all(sqlx::query(&sql.text), &sql.binds)
            .execute(&self.writer)
            .await
            .map_err(db_error)?;
        Ok(done.rows_affected())
    }

    async fn insert_batch(
        &self,
        tenant_no: i64,
        batch: &[NewSignIn],
    ) -> StoreResult<InsertOutcome> {
        let mut tx = self.writer.begin().await.map_err(db_error)?;
        let mut outcome = InsertOutcome::default();
        for chunk in batch.chunks(sql::ROWS_PER_INSERT) {
            let insert = sql::insert_signins_sql(Dialect::Sqlite, tenant_no, chunk);
            let done = bind_all(sqlx::query(&insert.text), &insert.binds)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            let inserted = i64::try_from(done.rows_affected()).unwrap_or(i64::MAX);
            outcome.inserted += inserted;
            outcome.duplicates += chunk.len() as i64 - inserted;
        }
        tx.commit().await.map_err(db_error)?;
        Ok(outcome)
    }

    async fn optimize(&self) -> StoreResult<()> {
        sqlx::query("ANALYZE")
            .execute(&self.writer)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn size_on_disk(&self) -> StoreResult<i64> {
        let mut total = 0_i64;
        for suffix in ["", "-wal", "-shm"] {
            let mut name = self.path.clone().into_os_string();
            name.push(suffix);
            if let Ok(meta) = std::fs::metadata(&name) {
                total += i64::try_from(meta.len()).unwrap_or(i64::MAX);
            }
        }
        if total == 0 {
            return Err(StoreError::Backend(format!(
                "cannot read the size of {}",
                self.path.display()
            )));
        }
        Ok(total)
    }
}
