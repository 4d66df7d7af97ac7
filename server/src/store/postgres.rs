//! The PostgreSQL backend: selected by a `postgres://` URL; how Signbook scales past one
//! machine (stateless servers over one database).
//!
//! Text columns use `COLLATE "C"` so that ordering and the prefix ranges of `startsWith` are
//! byte order, exactly as in SQLite, whatever the database's default collation.

use super::sql::{self, Bind, Dialect, Sql};
use super::{db_error, Backend, Cell, Kind};
use app::store::{InsertOutcome, NewSignIn, StoreResult};
use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, Row};
use std::str::FromStr;
use std::time::Duration;

/// The PostgreSQL backend.
pub struct PostgresBackend {
    pool: PgPool,
}

type PgQuery<'q> = sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>;

fn bind_all<'q>(mut query: PgQuery<'q>, binds: &'q [Bind]) -> PgQuery<'q> {
    for b in binds {
        query = match b {
            Bind::Text(t) => query.bind(t.as_str()),
            Bind::Int(i) => query.bind(*i),
            Bind::Blob(b) => query.bind(b.as_slice()),
        };
    }
    query
}

fn decode(row: &PgRow, kinds: &[Kind]) -> StoreResult<Vec<Cell>> {
    kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| match kind {
            Kind::Int => row
                .try_get::<Option<i64>, _>(i)
                .or_else(|_| row.try_get::<Option<i32>, _>(i).map(|v| v.map(i64::from)))
                .or_else(|_| row.try_get::<Option<i16>, _>(i).map(|v| v.map(i64::from)))
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

impl PostgresBackend {
    /// Connects and migrates.
    pub async fn open(url: &str) -> anyhow::Result<PostgresBackend> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        sqlx::migrate!("migrations/postgres").run(&pool).await?;
        Ok(PostgresBackend { pool })
    }

    /// Updates the planner's statistics (after a large import).
    pub async fn analyze(&self) -> StoreResult<()> {
        sqlx::query("ANALYZE")
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }
}

#[async_trait]
impl Backend for PostgresBackend {
    const DIALECT: Dialect = Dialect::Postgres;
    const NAME: &'static str = "postgres";

    async fn fetch(&self, sql: &Sql, kinds: &[Kind]) -> StoreResult<Vec<Vec<Cell>>> {
        let rows = bind_all(sqlx::query(&sql.text), &sql.binds)
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        rows.iter().map(|r| decode(r, kinds)).collect()
    }

    async fn execute(&self, sql: &Sql) -> StoreResult<u64> {
        let done = bind_all(sqlx::query(&sql.text), &sql.binds)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(done.rows_affected())
    }

    async fn insert_batch(
        &self,
        tenant_no: i64,
        batch: &[NewSignIn],
    ) -> StoreResult<InsertOutcome> {
        let mut tx = self.pool.begin().await.map_err(db_error)?;
        let mut outcome = InsertOutcome::default();
        for chunk in batch.chunks(sql::ROWS_PER_INSERT) {
            let insert = sql::insert_signins_sql(Dialect::Postgres, tenant_no, chunk);
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
        // VACUUM also sets the visibility map, which index-only scans (counts, groups) need.
        sqlx::query("VACUUM (ANALYZE) signins")
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn size_on_disk(&self) -> StoreResult<i64> {
        let row = sqlx::query(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = current_schema() AND c.relkind = 'r'",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)?;
        row.try_get::<i64, _>(0).map_err(db_error)
    }
}
