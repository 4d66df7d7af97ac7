//! The two storage backends behind [`app::store::Store`].
//!
//! Each backend only runs SQL and inserts batches ([`Backend`]); everything else — filters,
//! paging, groups, counts, the chart — is built once in [`sql`] and [`SqlStore`], so the two
//! cannot drift apart. The backend is chosen from the database URL.

pub mod postgres;
pub mod sql;
pub mod sqlite;

use anyhow::Context;
use app::filter::{report_expr, Expr, Field, Literal, Op};
use app::grouping::TimeAggregate;
use app::model::EventType;
use app::store::*;
use async_trait::async_trait;
use sql::{Dialect, Sql};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

/// The kind of a result column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An integer (NULL reads as 0).
    Int,
    /// Text (NULL reads as empty).
    Text,
    /// A stored record (see [`doc`]), read as its JSON text.
    Doc,
}

/// A result cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
}

impl Cell {
    fn int(&self) -> i64 {
        match self {
            Cell::Int(i) => *i,
            Cell::Text(_) => 0,
        }
    }

    fn into_text(self) -> String {
        match self {
            Cell::Text(t) => t,
            Cell::Int(i) => i.to_string(),
        }
    }
}

/// What a backend provides: running SQL, inserting a batch in one transaction, its size.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// How parameters are written.
    const DIALECT: Dialect;
    /// "sqlite" or "postgres".
    const NAME: &'static str;
    /// Runs a query on a reading connection; cells decoded by `kinds`.
    async fn fetch(&self, sql: &Sql, kinds: &[Kind]) -> StoreResult<Vec<Vec<Cell>>>;
    /// Runs a statement on the writing connection; returns rows affected.
    async fn execute(&self, sql: &Sql) -> StoreResult<u64>;
    /// Inserts a batch of records in one durable transaction.
    async fn insert_batch(&self, tenant_no: i64, batch: &[NewSignIn])
        -> StoreResult<InsertOutcome>;
    /// Bytes on disk.
    async fn size_on_disk(&self) -> StoreResult<i64>;
    /// Refreshes planner statistics.
    async fn optimize(&self) -> StoreResult<()>;
}

/// Converts a database error into a [`StoreError`]: unique violations are conflicts, the rest
/// is a backend error whose text goes to the log only.
pub fn db_error(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            return StoreError::Conflict(db.message().to_owned());
        }
    }
    StoreError::Backend(e.to_string())
}

/// The [`Store`] over a backend.
pub struct SqlStore<B: Backend> {
    backend: B,
    /// Tenant ID → internal number. Tenants are never renumbered, so a cached entry stays true.
    tenant_numbers: RwLock<HashMap<String, i64>>,
    /// Whether every record has its attribute text (see [`Store::derive_attributes`]). Once
    /// true it stays true: every insert writes it.
    attributes_ready: AtomicBool,
}

impl<B: Backend> SqlStore<B> {
    /// Wraps a backend.
    pub fn new(backend: B) -> SqlStore<B> {
        SqlStore {
            backend,
            tenant_numbers: RwLock::new(HashMap::new()),
            attributes_ready: AtomicBool::new(false),
        }
    }

    /// The backend.
    pub fn backend_ref(&self) -> &B {
        &self.backend
    }

    async fn tenant_no(&self, tenant_id: &str) -> StoreResult<i64> {
        if let Some(no) = self
            .tenant_numbers
            .read()
            .ok()
            .and_then(|m| m.get(tenant_id).copied())
        {
            return Ok(no);
        }
        let mut sql = Sql::new(B::DIALECT);
        sql.push("SELECT no FROM tenants WHERE id = ")
            .text(tenant_id);
        let rows = self.backend.fetch(&sql, &[Kind::Int]).await?;
        let no = rows
            .first()
            .map(|r| r[0].int())
            .ok_or(StoreError::NotFound)?;
        if let Ok(mut map) = self.tenant_numbers.write() {
            map.insert(tenant_id.to_owned(), no);
        }
        Ok(no)
    }

    async fn snapshot(&self) -> StoreResult<i64> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("SELECT coalesce(max(seq), 0) FROM signins");
        let rows = self.backend.fetch(&sql, &[Kind::Int]).await?;
        Ok(rows.first().map_or(0, |r| r[0].int()))
    }

    /// The first and last day the tenant has records on (`None` without records); two index
    /// seeks.
    async fn day_extent(&self, tenant_no: i64) -> StoreResult<Option<(i64, i64)>> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("SELECT (SELECT min(day) FROM signins WHERE tenant_no = ")
            .int(tenant_no);
        sql.push("), (SELECT max(day) FROM signins WHERE tenant_no = ")
            .int(tenant_no);
        sql.push("), (SELECT count(*) FROM (SELECT 1 FROM signins WHERE tenant_no = ")
            .int(tenant_no);
        sql.push(" LIMIT 1) one)");
        let rows = self
            .backend
            .fetch(&sql, &[Kind::Int, Kind::Int, Kind::Int])
            .await?;
        Ok(rows
            .first()
            .filter(|r| r[2].int() > 0)
            .map(|r| (r[0].int(), r[1].int())))
    }

    /// The filter with a `day IN (…)` hint added when it helps (see [`sql::day_hint_bounds`]).
    /// The hint covers every day the tenant has records on within the filter's bounds, so it
    /// never changes what the filter selects.
    async fn hinted(&self, tenant_no: i64, filter: &Expr) -> StoreResult<Expr> {
        /// More days than this and a plain range serves as well.
        const MAX_HINT_DAYS: i64 = 1000;
        self.check_attributes(filter).await?;
        let Some((lo, hi)) = sql::day_hint_bounds(filter) else {
            return Ok(filter.clone());
        };
        let mut sql = Sql::new(B::DIALECT);
        sql.push("SELECT (SELECT min(day) FROM signins WHERE tenant_no = ")
            .int(tenant_no);
        sql.push("), (SELECT max(day) FROM signins WHERE tenant_no = ")
            .int(tenant_no)
            .push(")");
        let rows = self.backend.fetch(&sql, &[Kind::Int, Kind::Int]).await?;
        let Some(row) = rows.first() else {
            return Ok(filter.clone());
        };
        let (first_day, last_day) = (row[0].int(), row[1].int());
        let lo_day = lo.map_or(first_day, |t| day_of(t).max(first_day));
        let hi_day = hi.map_or(last_day, |t| day_of(t).min(last_day));
        if hi_day < lo_day {
            return Ok(filter.clone().and(Expr::Or(vec![])));
        }
        if hi_day - lo_day >= MAX_HINT_DAYS {
            return Ok(filter.clone());
        }
        Ok(filter.clone().and(sql::day_hint(lo_day, hi_day)))
    }

    /// Refuses a filter on attributes while some record has no attribute text yet: its
    /// answer would leave those records out.
    async fn check_attributes(&self, filter: &Expr) -> StoreResult<()> {
        if !filter.mentions_attributes() || self.attributes_ready.load(Ordering::Acquire) {
            return Ok(());
        }
        let mut sql = Sql::new(B::DIALECT);
        sql.push("SELECT count(*) FROM (SELECT 1 FROM signins WHERE attrs IS NULL LIMIT 1) one");
        if self.fetch_one_int(&sql).await? == 0 {
            self.attributes_ready.store(true, Ordering::Release);
            return Ok(());
        }
        Err(StoreError::Unavailable(
            "Signbook is still indexing the risk, user agent and other attribute properties of \
             sign-ins stored before its last upgrade; filters on them work once that is done \
             (the server log shows its progress). Try again in a few minutes."
                .into(),
        ))
    }

    async fn users(&self, sql: &Sql) -> StoreResult<Vec<UserAccount>> {
        self.backend
            .fetch(sql, USER_KINDS)
            .await?
            .into_iter()
            .map(user_from_row)
            .collect()
    }

    async fn apps(&self, sql: &Sql) -> StoreResult<Vec<AppRegistration>> {
        Ok(self
            .backend
            .fetch(sql, APP_KINDS)
            .await?
            .into_iter()
            .map(app_from_row)
            .collect())
    }

    async fn fetch_one_int(&self, sql: &Sql) -> StoreResult<i64> {
        let rows = self.backend.fetch(sql, &[Kind::Int]).await?;
        Ok(rows.first().map_or(0, |r| r[0].int()))
    }

    /// The first `want` groups of a report in time buckets of `size`, newest first, read a
    /// window of buckets at a time from the newest: a bucket's groups hold only its records,
    /// so every group of a window is newer than every group of the windows before it, and a
    /// page needs only the records of the buckets it shows (one or two hours of an hourly
    /// summary) instead of an aggregation of the whole range. Windows double in length until
    /// the page is full or the records run out.
    async fn newest_groups(
        &self,
        tenant_no: i64,
        query: &GroupQuery,
        size: i64,
        snapshot: i64,
        want: i64,
    ) -> StoreResult<Vec<Vec<Cell>>> {
        let span = self
            .backend
            .fetch(
                &sql::time_span_sql(B::DIALECT, tenant_no, query.event_type),
                &[Kind::Int; 3],
            )
            .await?;
        let Some([newest, oldest, any]) =
            span.first().map(|r| [r[0].int(), r[1].int(), r[2].int()])
        else {
            return Ok(Vec::new());
        };
        if any == 0 {
            return Ok(Vec::new());
        }
        let (from, to) = sql::time_bounds(&query.filter);
        let mut last = newest;
        if let Some(to) = to {
            last = last.min(to);
        }
        if let Some(cursor) = &query.cursor {
            last = last.min(cursor.last_at);
        }
        let floor = from.map_or(oldest, |f| f.max(oldest));
        // Windows end on bucket boundaries, so no bucket is split between two of them.
        let mut hi = last.div_euclid(size).saturating_add(1).saturating_mul(size);
        let mut length = size;
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        while (rows.len() as i64) < want && hi > floor {
            let lo = hi.saturating_sub(length);
            let window = query
                .filter
                .clone()
                .and(Expr::Cmp(Field::CreatedDateTime, Op::Ge, Literal::Time(lo)))
                .and(Expr::Cmp(Field::CreatedDateTime, Op::Lt, Literal::Time(hi)));
            let window_query = GroupQuery {
                filter: self.hinted(tenant_no, &window).await?,
                offset: 0,
                ..query.clone()
            };
            let sql = sql::groups_sql(
                B::DIALECT,
                tenant_no,
                &window_query,
                snapshot,
                want - rows.len() as i64,
            )?;
            rows.extend(self.backend.fetch(&sql, &[Kind::Int; 6]).await?);
            hi = lo;
            length = length.saturating_mul(2);
        }
        Ok(rows)
    }
}

fn tenant_from_row(mut row: Vec<Cell>) -> StoreResult<Tenant> {
    let retention = row.pop().map(|c| c.int()).unwrap_or(-1);
    let licence_text = row.pop().map(Cell::into_text).unwrap_or_default();
    let name = row.pop().map(Cell::into_text).unwrap_or_default();
    let id = row.pop().map(Cell::into_text).unwrap_or_default();
    let licence = Licence::parse(&licence_text).ok_or_else(|| {
        StoreError::Backend(format!(
            "tenant {id} has an unknown licence {licence_text:?}"
        ))
    })?;
    let retention_days = i32::try_from(retention).ok().filter(|d| *d >= 0);
    Ok(Tenant {
        id,
        name,
        licence,
        retention_days,
    })
}

const TENANT_COLUMNS: &str = "id, name, licence, coalesce(retention_days, -1)";
const TENANT_KINDS: &[Kind] = &[Kind::Text, Kind::Text, Kind::Text, Kind::Int];

const USER_COLUMNS: &str = "u.id, t.id, u.upn, u.display_name, u.role, u.password_hash, u.disabled, u.must_change_password, u.failed_attempts, u.locked_until";
const USER_KINDS: &[Kind] = &[
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Int,
    Kind::Int,
    Kind::Int,
    Kind::Int,
];

const APP_COLUMNS: &str = "a.client_id, a.object_id, t.id, a.display_name, a.secret_hash, a.secret_hint, a.permissions, a.disabled, a.created_at";
const APP_KINDS: &[Kind] = &[
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Int,
    Kind::Int,
];

/// `SELECT` of app registrations with their tenant, up to `WHERE `.
fn select_apps(dialect: Dialect) -> Sql {
    let mut sql = Sql::new(dialect);
    sql.push("SELECT ")
        .push(APP_COLUMNS)
        .push(" FROM apps a JOIN tenants t ON t.no = a.tenant_no WHERE ");
    sql
}

fn app_from_row(row: Vec<Cell>) -> AppRegistration {
    let mut cells = row.into_iter();
    let mut next = || cells.next().unwrap_or(Cell::Int(0));
    AppRegistration {
        client_id: next().into_text(),
        object_id: next().into_text(),
        tenant_id: next().into_text(),
        display_name: next().into_text(),
        secret_hash: next().into_text(),
        secret_hint: next().into_text(),
        permissions: next()
            .into_text()
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        disabled: next().int() != 0,
        created_at: next().int(),
    }
}

/// `SELECT` of accounts with their tenant, up to `WHERE ` (the caller adds the condition).
fn select_users(dialect: Dialect) -> Sql {
    let mut sql = Sql::new(dialect);
    sql.push("SELECT ")
        .push(USER_COLUMNS)
        .push(" FROM users u JOIN tenants t ON t.no = u.tenant_no WHERE ");
    sql
}

/// The columns of an account a change may set, with their values.
fn user_values(user: &UserAccount) -> [(&'static str, sql::Bind); 7] {
    use sql::Bind::{Int, Text};
    [
        ("display_name", Text(user.display_name.clone())),
        ("role", Text(user.role.as_str().to_owned())),
        ("password_hash", Text(user.password_hash.clone())),
        ("disabled", Int(i64::from(user.disabled))),
        (
            "must_change_password",
            Int(i64::from(user.must_change_password)),
        ),
        ("failed_attempts", Int(i64::from(user.failed_attempts))),
        ("locked_until", Int(user.locked_until)),
    ]
}

fn user_from_row(row: Vec<Cell>) -> StoreResult<UserAccount> {
    let mut cells = row.into_iter();
    let mut next = || cells.next().unwrap_or(Cell::Int(0));
    let (id, tenant_id, upn, display_name, role_text, password_hash) = (
        next().into_text(),
        next().into_text(),
        next().into_text(),
        next().into_text(),
        next().into_text(),
        next().into_text(),
    );
    let (disabled, must_change, failed, locked_until) =
        (next().int(), next().int(), next().int(), next().int());
    let role = Role::parse(&role_text).ok_or_else(|| {
        StoreError::Backend(format!("user {id} has an unknown role {role_text:?}"))
    })?;
    Ok(UserAccount {
        id,
        tenant_id,
        upn,
        display_name,
        role,
        password_hash,
        disabled: disabled != 0,
        must_change_password: must_change != 0,
        failed_attempts: i32::try_from(failed).unwrap_or(i32::MAX),
        locked_until,
    })
}

#[async_trait]
impl<B: Backend> Store for SqlStore<B> {
    fn backend(&self) -> &'static str {
        B::NAME
    }

    async fn insert_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("INSERT INTO tenants (id, name, licence, retention_days) VALUES (")
            .text(&tenant.id);
        sql.push(", ")
            .text(&tenant.name)
            .push(", ")
            .text(tenant.licence.as_str())
            .push(", ");
        match tenant.retention_days {
            Some(days) => sql.int(i64::from(days)),
            None => sql.push("NULL"),
        };
        sql.push(")");
        self.backend.execute(&sql).await.map(|_| ())
    }

    async fn find_tenant(&self, name_or_id: &str) -> StoreResult<Option<Tenant>> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("SELECT ")
            .push(TENANT_COLUMNS)
            .push(" FROM tenants WHERE id = ")
            .text(name_or_id);
        sql.push(" OR lower(name) = ")
            .text(&name_or_id.to_lowercase());
        let rows = self.backend.fetch(&sql, TENANT_KINDS).await?;
        rows.into_iter().next().map(tenant_from_row).transpose()
    }

    async fn list_tenants(&self) -> StoreResult<Vec<Tenant>> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("SELECT ")
            .push(TENANT_COLUMNS)
            .push(" FROM tenants ORDER BY lower(name)");
        self.backend
            .fetch(&sql, TENANT_KINDS)
            .await?
            .into_iter()
            .map(tenant_from_row)
            .collect()
    }

    async fn update_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("UPDATE tenants SET licence = ")
            .text(tenant.licence.as_str())
            .push(", retention_days = ");
        match tenant.retention_days {
            Some(days) => sql.int(i64::from(days)),
            None => sql.push("NULL"),
        };
        sql.push(" WHERE id = ").text(&tenant.id);
        match self.backend.execute(&sql).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    async fn insert_user(&self, user: &UserAccount) -> StoreResult<()> {
        let tenant_no = self.tenant_no(&user.tenant_id).await?;
        let mut sql = Sql::new(B::DIALECT);
        let values = user_values(user);
        sql.push("INSERT INTO users (id, tenant_no, upn");
        for (column, _) in &values {
            sql.push(", ").push(column);
        }
        sql.push(") VALUES (")
            .text(&user.id)
            .push(", ")
            .int(tenant_no)
            .push(", ")
            .text(user.upn.trim());
        for (_, value) in values {
            sql.push(", ").bind(value);
        }
        sql.push(")");
        self.backend.execute(&sql).await.map(|_| ())
    }

    async fn find_user_by_upn(&self, upn: &str) -> StoreResult<Option<UserAccount>> {
        let mut sql = select_users(B::DIALECT);
        sql.push("lower(u.upn) = ").text(&upn.trim().to_lowercase());
        Ok(self.users(&sql).await?.into_iter().next())
    }

    async fn find_user(&self, tenant_id: &str, user_id: &str) -> StoreResult<Option<UserAccount>> {
        let mut sql = select_users(B::DIALECT);
        sql.push("t.id = ")
            .text(tenant_id)
            .push(" AND u.id = ")
            .text(user_id);
        Ok(self.users(&sql).await?.into_iter().next())
    }

    async fn list_users(&self, tenant_id: &str) -> StoreResult<Vec<UserAccount>> {
        let tenant_no = self.tenant_no(tenant_id).await?;
        let mut sql = select_users(B::DIALECT);
        sql.push("u.tenant_no = ")
            .int(tenant_no)
            .push(" ORDER BY lower(u.upn)");
        self.users(&sql).await
    }

    async fn update_user(&self, user: &UserAccount) -> StoreResult<()> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("UPDATE users SET ");
        for (n, (column, value)) in user_values(user).into_iter().enumerate() {
            if n > 0 {
                sql.push(", ");
            }
            sql.push(column).push(" = ").bind(value);
        }
        sql.push(" WHERE id = ").text(&user.id);
        match self.backend.execute(&sql).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    async fn note_failed_password(
        &self,
        user_id: &str,
        now: i64,
        lock_after: i32,
        lock_until: i64,
    ) -> StoreResult<Option<UserAccount>> {
        // One statement, so that concurrent wrong passwords all count. After an expired lock
        // the count starts again, so that one wrong guess does not lock the account anew.
        let mut sql = Sql::new(B::DIALECT);
        sql.push("UPDATE users SET failed_attempts = CASE WHEN locked_until > 0 AND locked_until <= ")
            .int(now)
            .push(" THEN 1 ELSE failed_attempts + 1 END, locked_until = CASE WHEN (CASE WHEN locked_until > 0 AND locked_until <= ")
            .int(now)
            .push(" THEN 1 ELSE failed_attempts + 1 END) >= ")
            .int(i64::from(lock_after))
            .push(" THEN ")
            .int(lock_until)
            .push(" WHEN locked_until > 0 AND locked_until <= ")
            .int(now)
            .push(" THEN 0 ELSE locked_until END WHERE id = ")
            .text(user_id);
        self.backend.execute(&sql).await?;
        let mut sql = select_users(B::DIALECT);
        sql.push("u.id = ").text(user_id);
        Ok(self.users(&sql).await?.into_iter().next())
    }

    async fn clear_failed_passwords(&self, user_id: &str) -> StoreResult<()> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("UPDATE users SET failed_attempts = 0, locked_until = 0 WHERE id = ")
            .text(user_id);
        self.backend.execute(&sql).await.map(|_| ())
    }

    async fn set_password(
        &self,
        user_id: &str,
        password_hash: &str,
        must_change_password: bool,
    ) -> StoreResult<()> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("UPDATE users SET password_hash = ")
            .text(password_hash)
            .push(", must_change_password = ")
            .int(i64::from(must_change_password))
            .push(" WHERE id = ")
            .text(user_id);
        match self.backend.execute(&sql).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    async fn find_tenant_by_domain(&self, domain: &str) -> StoreResult<Option<Tenant>> {
        let domain = domain.trim().to_lowercase();
        if domain.is_empty() || domain.len() > 253 {
            return Ok(None);
        }
        // The domain is matched literally: LIKE's wildcards in it are escaped.
        let escaped = domain
            .replace('!', "!!")
            .replace('%', "!%")
            .replace('_', "!_");
        let mut sql = Sql::new(B::DIALECT);
        sql.push("SELECT DISTINCT ")
            .push("t.id, t.name, t.licence, coalesce(t.retention_days, -1)")
            .push(" FROM users u JOIN tenants t ON t.no = u.tenant_no WHERE lower(u.upn) LIKE ")
            .text(&format!("%@{escaped}"))
            .push(" ESCAPE '!'")
            .push(" LIMIT 2");
        let rows = self.backend.fetch(&sql, TENANT_KINDS).await?;
        if rows.len() != 1 {
            return Ok(None);
        }
        rows.into_iter().next().map(tenant_from_row).transpose()
    }

    async fn insert_session(&self, session: &SessionRow) -> StoreResult<()> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("INSERT INTO sessions (token_hash, user_no, csrf_token, correlation_id, created_at, last_seen_at, refreshed_at) SELECT ")
            .text(&session.token_hash)
            .push(", no, ")
            .text(&session.csrf_token)
            .push(", ")
            .text(&session.correlation_id)
            .push(", ")
            .int(session.created_at)
            .push(", ")
            .int(session.last_seen_at)
            .push(", ")
            .int(session.refreshed_at)
            .push(" FROM users WHERE id = ")
            .text(&session.user_id);
        match self.backend.execute(&sql).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    async fn find_session(&self, token_hash: &str) -> StoreResult<Option<SessionInfo>> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("SELECT s.token_hash, s.csrf_token, s.correlation_id, s.created_at, s.last_seen_at, s.refreshed_at, ")
            .push(USER_COLUMNS)
            .push(", t.id, t.name, t.licence, coalesce(t.retention_days, -1)")
            .push(" FROM sessions s JOIN users u ON u.no = s.user_no JOIN tenants t ON t.no = u.tenant_no WHERE s.token_hash = ")
            .text(token_hash);
        let kinds: Vec<Kind> = [
            Kind::Text,
            Kind::Text,
            Kind::Text,
            Kind::Int,
            Kind::Int,
            Kind::Int,
        ]
        .into_iter()
        .chain(USER_KINDS.iter().copied())
        .chain(TENANT_KINDS.iter().copied())
        .collect();
        let rows = self.backend.fetch(&sql, &kinds).await?;
        let Some(mut row) = rows.into_iter().next() else {
            return Ok(None);
        };
        let tenant = tenant_from_row(row.split_off(6 + USER_KINDS.len()))?;
        let user = user_from_row(row.split_off(6))?;
        let ints: Vec<i64> = row[3..6].iter().map(Cell::int).collect();
        let mut texts = row.into_iter().take(3).map(Cell::into_text);
        let mut text = || texts.next().unwrap_or_default();
        let (token_hash, csrf_token, correlation_id) = (text(), text(), text());
        let (created_at, last_seen_at, refreshed_at) = (ints[0], ints[1], ints[2]);
        Ok(Some(SessionInfo {
            session: SessionRow {
                token_hash,
                user_id: user.id.clone(),
                csrf_token,
                correlation_id,
                created_at,
                last_seen_at,
                refreshed_at,
            },
            user,
            tenant,
        }))
    }

    async fn touch_session(
        &self,
        token_hash: &str,
        last_seen_at: i64,
        refreshed_at: i64,
    ) -> StoreResult<()> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("UPDATE sessions SET last_seen_at = ")
            .int(last_seen_at)
            .push(", refreshed_at = ")
            .int(refreshed_at)
            .push(" WHERE token_hash = ")
            .text(token_hash);
        self.backend.execute(&sql).await.map(|_| ())
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("DELETE FROM sessions WHERE token_hash = ")
            .text(token_hash);
        self.backend.execute(&sql).await.map(|_| ())
    }

    async fn delete_user_sessions(&self, user_id: &str) -> StoreResult<u64> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("DELETE FROM sessions WHERE user_no IN (SELECT no FROM users WHERE id = ")
            .text(user_id)
            .push(")");
        self.backend.execute(&sql).await
    }

    async fn delete_expired_sessions(
        &self,
        idle_before: i64,
        created_before: i64,
    ) -> StoreResult<u64> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("DELETE FROM sessions WHERE last_seen_at < ")
            .int(idle_before)
            .push(" OR created_at < ")
            .int(created_before);
        self.backend.execute(&sql).await
    }

    async fn purge_signins(&self, tenant_id: &str, before: i64, limit: i64) -> StoreResult<u64> {
        let tenant_no = self.tenant_no(tenant_id).await?;
        let mut sql = Sql::new(B::DIALECT);
        sql.push("DELETE FROM signins WHERE seq IN (SELECT seq FROM signins WHERE tenant_no = ")
            .int(tenant_no)
            .push(" AND created_at < ")
            .int(before)
            .push(" ORDER BY created_at LIMIT ")
            .int(limit.clamp(1, 100_000))
            .push(")");
        self.backend.execute(&sql).await
    }

    async fn insert_app(&self, app: &AppRegistration) -> StoreResult<()> {
        let tenant_no = self.tenant_no(&app.tenant_id).await?;
        let mut sql = Sql::new(B::DIALECT);
        sql.push("INSERT INTO apps (client_id, object_id, tenant_no, display_name, secret_hash, secret_hint, permissions, disabled, created_at) VALUES (")
            .text(&app.client_id.to_lowercase());
        sql.push(", ")
            .text(&app.object_id.to_lowercase())
            .push(", ")
            .int(tenant_no)
            .push(", ")
            .text(&app.display_name)
            .push(", ")
            .text(&app.secret_hash)
            .push(", ")
            .text(&app.secret_hint)
            .push(", ")
            .text(&app.permissions.join(" "))
            .push(", ")
            .int(i64::from(app.disabled))
            .push(", ")
            .int(app.created_at)
            .push(")");
        self.backend.execute(&sql).await.map(|_| ())
    }

    async fn find_app(&self, client_id: &str) -> StoreResult<Option<AppRegistration>> {
        let mut sql = select_apps(B::DIALECT);
        sql.push("a.client_id = ")
            .text(&client_id.trim().to_lowercase());
        Ok(self.apps(&sql).await?.into_iter().next())
    }

    async fn list_apps(&self, tenant_id: &str) -> StoreResult<Vec<AppRegistration>> {
        let tenant_no = self.tenant_no(tenant_id).await?;
        let mut sql = select_apps(B::DIALECT);
        sql.push("a.tenant_no = ")
            .int(tenant_no)
            .push(" ORDER BY lower(a.display_name), a.client_id");
        self.apps(&sql).await
    }

    async fn set_app_secret(&self, client_id: &str, hash: &str, hint: &str) -> StoreResult<()> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("UPDATE apps SET secret_hash = ")
            .text(hash)
            .push(", secret_hint = ")
            .text(hint)
            .push(" WHERE client_id = ")
            .text(&client_id.trim().to_lowercase());
        match self.backend.execute(&sql).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    async fn set_app_disabled(&self, client_id: &str, disabled: bool) -> StoreResult<()> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("UPDATE apps SET disabled = ")
            .int(i64::from(disabled))
            .push(" WHERE client_id = ")
            .text(&client_id.trim().to_lowercase());
        match self.backend.execute(&sql).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    async fn delete_app(&self, client_id: &str) -> StoreResult<()> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("DELETE FROM apps WHERE client_id = ")
            .text(&client_id.trim().to_lowercase());
        match self.backend.execute(&sql).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    async fn server_key(&self, name: &str, candidate: &str) -> StoreResult<String> {
        let mut insert = Sql::new(B::DIALECT);
        insert
            .push("INSERT INTO server_keys (name, value) VALUES (")
            .text(name);
        insert
            .push(", ")
            .text(candidate)
            .push(") ON CONFLICT (name) DO NOTHING");
        self.backend.execute(&insert).await?;
        let mut select = Sql::new(B::DIALECT);
        select
            .push("SELECT value FROM server_keys WHERE name = ")
            .text(name);
        let rows = self.backend.fetch(&select, &[Kind::Text]).await?;
        rows.into_iter()
            .next()
            .and_then(|r| r.into_iter().next())
            .map(Cell::into_text)
            .ok_or(StoreError::NotFound)
    }

    async fn insert_ingest_key(
        &self,
        tenant_id: &str,
        name: &str,
        key_hash: &str,
    ) -> StoreResult<()> {
        let tenant_no = self.tenant_no(tenant_id).await?;
        let mut sql = Sql::new(B::DIALECT);
        sql.push("INSERT INTO ingest_keys (key_hash, tenant_no, name) VALUES (")
            .text(key_hash);
        sql.push(", ")
            .int(tenant_no)
            .push(", ")
            .text(name)
            .push(")");
        self.backend.execute(&sql).await.map(|_| ())
    }

    async fn find_ingest_key(&self, key_hash: &str) -> StoreResult<Option<IngestKey>> {
        let mut sql = Sql::new(B::DIALECT);
        sql.push("SELECT t.id, k.name FROM ingest_keys k JOIN tenants t ON t.no = k.tenant_no WHERE k.key_hash = ");
        sql.text(key_hash);
        let rows = self.backend.fetch(&sql, &[Kind::Text, Kind::Text]).await?;
        Ok(rows.into_iter().next().map(|mut r| {
            let name = r.pop().map(Cell::into_text).unwrap_or_default();
            let tenant_id = r.pop().map(Cell::into_text).unwrap_or_default();
            IngestKey { tenant_id, name }
        }))
    }

    async fn preferences(&self, tenant_id: &str, user: &str) -> StoreResult<Vec<(String, String)>> {
        let tenant_no = self.tenant_no(tenant_id).await?;
        let mut sql = Sql::new(B::DIALECT);
        sql.push("SELECT name, value FROM preferences WHERE tenant_no = ")
            .int(tenant_no)
            .push(" AND user_key = ")
            .text(user)
            .push(" ORDER BY name");
        let rows = self.backend.fetch(&sql, &[Kind::Text, Kind::Text]).await?;
        Ok(rows
            .into_iter()
            .map(|mut r| {
                let value = r.pop().map(Cell::into_text).unwrap_or_default();
                let name = r.pop().map(Cell::into_text).unwrap_or_default();
                (name, value)
            })
            .collect())
    }

    async fn set_preference(
        &self,
        tenant_id: &str,
        user: &str,
        name: &str,
        value: &str,
    ) -> StoreResult<()> {
        if name.len() > 64 || value.len() > 8192 {
            return Err(StoreError::Invalid(
                "a preference is at most 64 characters of name and 8 KB of value".into(),
            ));
        }
        let tenant_no = self.tenant_no(tenant_id).await?;
        let mut sql = Sql::new(B::DIALECT);
        sql.push("INSERT INTO preferences (tenant_no, user_key, name, value) VALUES (")
            .int(tenant_no)
            .push(", ")
            .text(user)
            .push(", ")
            .text(name)
            .push(", ")
            .text(value)
            .push(") ON CONFLICT (tenant_no, user_key, name) DO UPDATE SET value = excluded.value");
        self.backend.execute(&sql).await?;
        Ok(())
    }

    async fn insert_signins(
        &self,
        tenant_id: &str,
        batch: &[NewSignIn],
    ) -> StoreResult<InsertOutcome> {
        let tenant_no = self.tenant_no(tenant_id).await?;
        if batch.is_empty() {
            return Ok(InsertOutcome::default());
        }
        self.backend.insert_batch(tenant_no, batch).await
    }

    async fn find_signin(&self, tenant_id: &str, id: &str) -> StoreResult<Option<StoredSignIn>> {
        let tenant_no = self.tenant_no(tenant_id).await?;
        let Some((first_day, last_day)) = self.day_extent(tenant_no).await? else {
            return Ok(None);
        };
        // The unique index starts with the day: seek each day the tenant has records on (for
        // decades of records, a scan is as good).
        let mut sql = Sql::new(B::DIALECT);
        sql.push("SELECT s.doc FROM signins s WHERE s.tenant_no = ")
            .int(tenant_no);
        if last_day - first_day < 20_000 {
            sql.push(" AND s.day IN (");
            for (i, day) in (first_day..=last_day).enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.push(&day.to_string());
            }
            sql.push(")");
        }
        sql.push(" AND s.id_key = ").text(&id.trim().to_lowercase());
        let rows = self.backend.fetch(&sql, &[Kind::Doc]).await?;
        Ok(rows
            .into_iter()
            .next()
            .and_then(|r| r.into_iter().next())
            .map(|c| StoredSignIn {
                json: c.into_text(),
            }))
    }

    async fn list_signins(
        &self,
        tenant_id: &str,
        query: &ListQuery,
    ) -> StoreResult<Page<StoredSignIn, Cursor>> {
        let tenant_no = self.tenant_no(tenant_id).await?;
        let limit = query.limit.clamp(1, MAX_PAGE);
        let snapshot = match (&query.cursor, query.snapshot) {
            (Some(c), _) => c.snapshot,
            (None, Some(s)) => s,
            (None, None) => self.snapshot().await?,
        };
        let filter = self.hinted(tenant_no, &query.filter).await?;
        let sql = sql::list_sql(
            B::DIALECT,
            tenant_no,
            &filter,
            query.sort,
            snapshot,
            query.cursor.as_ref(),
            (limit + 1, query.offset.max(0)),
        )?;
        let text_sort = sql::sort_is_text(query.sort);
        let sort_kind = if text_sort { Kind::Text } else { Kind::Int };
        let mut rows = self
            .backend
            .fetch(
                &sql,
                &[Kind::Int, Kind::Int, Kind::Text, sort_kind, Kind::Doc],
            )
            .await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        let next = if more {
            rows.last().map(|r| Cursor {
                snapshot,
                value: match &r[3] {
                    Cell::Text(t) => SortValue::Text(t.clone()),
                    Cell::Int(i) => SortValue::Integer(*i),
                },
                created_at: r[1].int(),
                id_key: r[2].clone().into_text(),
            })
        } else {
            None
        };
        let items = rows
            .into_iter()
            .filter_map(|r| r.into_iter().nth(4))
            .map(|c| StoredSignIn {
                json: c.into_text(),
            })
            .collect();
        Ok(Page {
            items,
            next,
            snapshot,
            total: None,
        })
    }

    async fn count_signins(&self, tenant_id: &str, filter: &Expr) -> StoreResult<i64> {
        let tenant_no = self.tenant_no(tenant_id).await?;
        let filter = self.hinted(tenant_no, filter).await?;
        self.fetch_one_int(&sql::count_sql(B::DIALECT, tenant_no, &filter)?)
            .await
    }

    async fn list_groups(
        &self,
        tenant_id: &str,
        query: &GroupQuery,
    ) -> StoreResult<Page<GroupRow, GroupCursor>> {
        if !query.event_type.is_grouped() {
            return Err(StoreError::Invalid(format!(
                "{} sign-ins are not grouped",
                query.event_type
            )));
        }
        let tenant_no = self.tenant_no(tenant_id).await?;
        let limit = query.limit.clamp(1, MAX_PAGE);
        let snapshot = match (&query.cursor, query.snapshot) {
            (Some(c), _) => c.snapshot,
            (None, Some(s)) => s,
            (None, None) => self.snapshot().await?,
        };
        let filter = self.hinted(tenant_no, &query.filter).await?;
        let (mut rows, total) = match query.aggregate.bucket_micros() {
            Some(size) if query.offset <= 0 && !query.with_total => (
                self.newest_groups(tenant_no, query, size, snapshot, limit + 1)
                    .await?,
                None,
            ),
            _ => {
                let hinted_query = GroupQuery {
                    filter: filter.clone(),
                    ..query.clone()
                };
                let sql =
                    sql::groups_sql(B::DIALECT, tenant_no, &hinted_query, snapshot, limit + 1)?;
                let rows = self.backend.fetch(&sql, &[Kind::Int; 6]).await?;
                // Without a cursor the window count is every group of the result.
                let total = match (&query.cursor, rows.first()) {
                    (None, Some(r)) => Some(r[5].int()),
                    (None, None) if query.offset <= 0 => Some(0),
                    _ => None,
                };
                (rows, total)
            }
        };
        let more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        // The newest member of every group on the page, in one query.
        let mut latest: HashMap<(i64, i64), String> = HashMap::new();
        if !rows.is_empty() {
            let wanted: Vec<(i64, i64)> = rows.iter().map(|r| (r[0].int(), r[4].int())).collect();
            let latest_sql = sql::groups_latest_sql(
                B::DIALECT,
                tenant_no,
                query.event_type,
                &filter,
                snapshot,
                &wanted,
            )?;
            // One row per group: the query ranks members tied at the latest time itself.
            for member in self
                .backend
                .fetch(&latest_sql, &[Kind::Int, Kind::Int, Kind::Doc])
                .await?
            {
                let mut cells = member.into_iter();
                if let (Some(key), Some(at), Some(doc)) = (cells.next(), cells.next(), cells.next())
                {
                    latest.insert((key.int(), at.int()), doc.into_text());
                }
            }
        }
        let mut items = Vec::with_capacity(rows.len());
        for r in rows {
            let (key, bucket, count, first_at, last_at) =
                (r[0].int(), r[1].int(), r[2].int(), r[3].int(), r[4].int());
            // Two buckets of one group never share a latest time, so each entry is one group's.
            let json = latest.remove(&(key, last_at)).ok_or_else(|| {
                StoreError::Backend(format!("group {key} lost its latest member"))
            })?;
            items.push(GroupRow {
                key,
                bucket,
                count,
                first_at,
                last_at,
                latest: StoredSignIn { json },
            });
        }
        let next = if more {
            items.last().map(|g| GroupCursor {
                snapshot,
                last_at: g.last_at,
                key: g.key,
                bucket: g.bucket,
            })
        } else {
            None
        };
        Ok(Page {
            items,
            next,
            snapshot,
            total,
        })
    }

    async fn count_groups(
        &self,
        tenant_id: &str,
        event_type: EventType,
        filter: &Expr,
        aggregate: TimeAggregate,
    ) -> StoreResult<i64> {
        let tenant_no = self.tenant_no(tenant_id).await?;
        let filter = self.hinted(tenant_no, filter).await?;
        self.fetch_one_int(&sql::count_groups_sql(
            B::DIALECT,
            tenant_no,
            event_type,
            &filter,
            aggregate,
        )?)
        .await
    }

    async fn histogram(
        &self,
        tenant_id: &str,
        filter: &Expr,
        from: i64,
        to: i64,
        bucket_micros: i64,
    ) -> StoreResult<Vec<HistogramBucket>> {
        if bucket_micros <= 0 || to <= from {
            return Err(StoreError::Invalid(
                "the chart needs a positive bucket and a non-empty range".into(),
            ));
        }
        if (to - from) / bucket_micros > 10_000 {
            return Err(StoreError::Invalid(
                "the chart would have more than 10,000 bars".into(),
            ));
        }
        let tenant_no = self.tenant_no(tenant_id).await?;
        let filter = self.hinted(tenant_no, filter).await?;
        let sql = sql::histogram_sql(B::DIALECT, tenant_no, &filter, from, to, bucket_micros)?;
        let rows = self
            .backend
            .fetch(&sql, &[Kind::Int, Kind::Int, Kind::Int])
            .await?;
        let rows = rows
            .into_iter()
            .map(|r| (r[0].int(), r[1].int() as i16, r[2].int()))
            .collect();
        Ok(sql::fold_histogram(rows, from, to, bucket_micros))
    }

    async fn size_on_disk(&self) -> StoreResult<i64> {
        self.backend.size_on_disk().await
    }

    async fn optimize(&self) -> StoreResult<()> {
        self.backend.optimize().await
    }

    async fn derive_attributes(&self, limit: i64) -> StoreResult<u64> {
        let limit = limit.clamp(1, 5000);
        let pending = |columns: &str| {
            let mut sql = Sql::new(B::DIALECT);
            sql.push("SELECT ")
                .push(columns)
                .push(" FROM signins WHERE attrs IS NULL ORDER BY seq LIMIT ")
                .int(limit);
            sql
        };
        let rows: Vec<(i64, Option<String>)> = match self
            .backend
            .fetch(&pending("seq, doc"), &[Kind::Int, Kind::Doc])
            .await
        {
            Ok(rows) => rows
                .into_iter()
                .map(|r| {
                    let mut cells = r.into_iter();
                    let seq = cells.next().map_or(0, |c| c.int());
                    (seq, cells.next().map(Cell::into_text))
                })
                .collect(),
            Err(e) => {
                // A stored record that cannot be read fails the whole batch: read them one
                // by one, so that one bad record never holds up the rest.
                tracing::warn!(error = %e, "reading a batch of stored sign-ins failed; reading them one by one");
                let mut rows = Vec::new();
                for seq in self.backend.fetch(&pending("seq"), &[Kind::Int]).await? {
                    let seq = seq.first().map_or(0, Cell::int);
                    let mut sql = Sql::new(B::DIALECT);
                    sql.push("SELECT doc FROM signins WHERE seq = ").int(seq);
                    let json = match self.backend.fetch(&sql, &[Kind::Doc]).await {
                        Ok(r) => r.into_iter().flatten().next().map(Cell::into_text),
                        Err(e) => {
                            tracing::warn!(seq, error = %e, "a stored sign-in cannot be read; it gets no attributes");
                            None
                        }
                    };
                    rows.push((seq, json));
                }
                rows
            }
        };
        if rows.is_empty() {
            return Ok(0);
        }
        // Parsing a thousand records is CPU work: off the async threads.
        let derived = tokio::task::spawn_blocking(move || {
            rows.into_iter()
                .map(|(seq, json)| {
                    let record = json.map(|j| serde_json::from_str::<app::model::SignIn>(&j));
                    let attrs = match record {
                        Some(Ok(record)) => attributes_of(&record),
                        Some(Err(e)) => {
                            // Stored records were validated on the way in; one that no longer
                            // reads is kept, with no attributes, rather than blocking the rest.
                            tracing::warn!(seq, error = %e, "a stored sign-in does not read as a signIn; it gets no attributes");
                            String::new()
                        }
                        None => String::new(),
                    };
                    (seq, attrs)
                })
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|e| StoreError::Backend(format!("deriving attributes stopped: {e}")))?;
        let mut update = Sql::new(B::DIALECT);
        update.push("UPDATE signins SET attrs = CASE seq");
        for (seq, attrs) in &derived {
            update.push(" WHEN ").int(*seq).push(" THEN ").text(attrs);
        }
        update.push(" END WHERE attrs IS NULL AND seq IN (");
        for (i, (seq, _)) in derived.iter().enumerate() {
            if i > 0 {
                update.push(", ");
            }
            update.int(*seq);
        }
        update.push(")");
        self.backend.execute(&update).await?;
        Ok(derived.len() as u64)
    }
}

/// Opens the store a database URL names: `sqlite://PATH` (created if missing) or
/// `postgres://…`. Migrations are applied before it is returned.
pub async fn open(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        let backend = sqlite::SqliteBackend::open(url)
            .await
            .with_context(|| format!("opening {url}"))?;
        Ok(Arc::new(SqlStore::new(backend)))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let backend = postgres::PostgresBackend::open(url)
            .await
            .context("opening the PostgreSQL database")?;
        Ok(Arc::new(SqlStore::new(backend)))
    } else {
        anyhow::bail!("unsupported database URL {url:?}: use sqlite://PATH or postgres://…")
    }
}

/// The filter of one report (convenience for callers).
pub fn report(event_type: EventType, filter: Expr) -> Expr {
    report_expr(event_type).and(filter)
}
