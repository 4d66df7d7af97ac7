//! The SQLite backend: one file, WAL, one writing connection and a few reading ones.
//!
//! `synchronous=FULL` makes a commit durable before it returns, so an ingest is acknowledged
//! only once it would survive a power cut. Writes go through a pool of one connection: SQLite
//! has one writer at a time anyway, and queueing in the pool is cheaper than busy retries.
//!
//! Reads run on tokio's blocking threads over plain `rusqlite` connections (the same bundled
//! SQLite), a whole result at a time. sqlx's SQLite driver hands each row from its worker
//! thread to the task through a channel, copying every value first; for the pages of 1,000
//! records a download reads back to back, those per-row wake-ups and copies cost more than the
//! queries (docs/BENCHMARKS.md). Here a stored record is decompressed straight from SQLite's
//! own buffer.

use super::sql::{self, Bind, Dialect, Sql};
use super::{db_error, Backend, Cell, Kind};
use app::store::{InsertOutcome, NewSignIn, StoreError, StoreResult};
use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::Sqlite;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// The SQLite backend.
pub struct SqliteBackend {
    writer: SqlitePool,
    readers: Arc<Readers>,
}

/// Reading connections, opened as needed up to [`READERS`] at once and kept for reuse.
struct Readers {
    /// The database file.
    path: PathBuf,
    idle: std::sync::Mutex<Vec<rusqlite::Connection>>,
    permits: tokio::sync::Semaphore,
}

/// Reads running at once at most.
const READERS: usize = 4;

impl Readers {
    fn open(&self) -> rusqlite::Result<rusqlite::Connection> {
        use rusqlite::OpenFlags;
        let connection = rusqlite::Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(Duration::from_secs(10))?;
        connection.execute_batch(
            "PRAGMA cache_size = -16384; PRAGMA mmap_size = 4294967296; PRAGMA temp_store = memory;",
        )?;
        connection.set_prepared_statement_cache_capacity(64);
        Ok(connection)
    }

    /// Runs `sql` on an idle connection (or a new one) and returns every row.
    fn fetch(&self, sql: &Sql, kinds: &[Kind]) -> StoreResult<Vec<Vec<Cell>>> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let connection = match idle {
            Some(c) => c,
            None => self.open().map_err(read_error)?,
        };
        let rows = read_rows(&connection, sql, kinds);
        // A connection whose read failed is dropped rather than reused.
        if rows.is_ok() {
            if let Ok(mut idle) = self.idle.lock() {
                idle.push(connection);
            }
        }
        rows
    }
}

fn read_error(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn read_rows(
    connection: &rusqlite::Connection,
    sql: &Sql,
    kinds: &[Kind],
) -> StoreResult<Vec<Vec<Cell>>> {
    use rusqlite::types::ValueRef;
    let mut statement = connection.prepare_cached(&sql.text).map_err(read_error)?;
    for (i, b) in sql.binds.iter().enumerate() {
        let at = i + 1;
        match b {
            Bind::Text(t) => statement.raw_bind_parameter(at, t.as_str()),
            Bind::Int(n) => statement.raw_bind_parameter(at, *n),
            Bind::Blob(bytes) => statement.raw_bind_parameter(at, bytes.as_slice()),
        }
        .map_err(read_error)?;
    }
    let mut rows = statement.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(read_error)? {
        let mut cells = Vec::with_capacity(kinds.len());
        for (i, kind) in kinds.iter().enumerate() {
            let value = row.get_ref(i).map_err(read_error)?;
            cells.push(match (kind, value) {
                (Kind::Int, ValueRef::Null) => Cell::Int(0),
                (Kind::Int, ValueRef::Integer(n)) => Cell::Int(n),
                (Kind::Text, ValueRef::Null) => Cell::Text(String::new()),
                (Kind::Text, ValueRef::Integer(n)) => Cell::Text(n.to_string()),
                (Kind::Text, ValueRef::Text(t) | ValueRef::Blob(t)) => Cell::Text(
                    std::str::from_utf8(t)
                        .map_err(|e| StoreError::Backend(format!("column {i}: {e}")))?
                        .to_owned(),
                ),
                (Kind::Doc, ValueRef::Blob(b)) => Cell::Text(app::store::doc::decode(b)?),
                (kind, value) => {
                    return Err(StoreError::Backend(format!(
                        "column {i}: expected {kind:?}, found {:?}",
                        value.data_type()
                    )))
                }
            });
        }
        out.push(cells);
    }
    Ok(out)
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
            .connect_with(options)
            .await?;
        sqlx::migrate!("migrations/sqlite").run(&writer).await?;
        let readers = Arc::new(Readers {
            path,
            idle: std::sync::Mutex::new(Vec::new()),
            permits: tokio::sync::Semaphore::new(READERS),
        });
        Ok(SqliteBackend { writer, readers })
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
        let _permit = self
            .readers
            .permits
            .acquire()
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        let readers = Arc::clone(&self.readers);
        let sql = sql.clone();
        let kinds = kinds.to_vec();
        tokio::task::spawn_blocking(move || readers.fetch(&sql, &kinds))
            .await
            .map_err(|e| StoreError::Backend(format!("a read stopped: {e}")))?
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
            let mut name = self.readers.path.clone().into_os_string();
            name.push(suffix);
            if let Ok(meta) = std::fs::metadata(&name) {
                total += i64::try_from(meta.len()).unwrap_or(i64::MAX);
            }
        }
        if total == 0 {
            return Err(StoreError::Backend(format!(
                "cannot read the size of {}",
                self.readers.path.display()
            )));
        }
        Ok(total)
    }
}
