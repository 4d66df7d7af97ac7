//! SQL text built from the filter model, shared by both backends.
//!
//! Every value is a bind parameter; every column name comes from [`column`], an allow-list over
//! [`Field`]. The two dialects differ only in how a parameter is written (`?` or `$n`).

use app::filter::{Expr, Field, Literal, Op};
use app::grouping::TimeAggregate;
use app::store::{Cursor, GroupCursor, Sort, SortValue, StoreError};

/// How parameters are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// `?`
    Sqlite,
    /// `$1`, `$2`, …
    Postgres,
}

/// A bound value.
#[derive(Clone, Debug, PartialEq)]
pub enum Bind {
    /// Text.
    Text(String),
    /// An integer.
    Int(i64),
    /// Bytes (a stored record).
    Blob(Vec<u8>),
}

/// SQL text and its parameters.
#[derive(Clone, Debug)]
pub struct Sql {
    dialect: Dialect,
    /// The statement.
    pub text: String,
    /// The parameters, in order.
    pub binds: Vec<Bind>,
}

impl Sql {
    /// An empty statement.
    pub fn new(dialect: Dialect) -> Sql {
        Sql {
            dialect,
            text: String::with_capacity(512),
            binds: Vec::new(),
        }
    }

    /// Appends SQL text (never a client value).
    pub fn push(&mut self, sql: &str) -> &mut Sql {
        self.text.push_str(sql);
        self
    }

    /// Appends a parameter.
    pub fn bind(&mut self, value: Bind) -> &mut Sql {
        self.binds.push(value);
        match self.dialect {
            Dialect::Sqlite => self.text.push('?'),
            Dialect::Postgres => {
                self.text.push('$');
                self.text.push_str(&self.binds.len().to_string());
            }
        }
        self
    }

    /// Appends an integer parameter.
    pub fn int(&mut self, value: i64) -> &mut Sql {
        self.bind(Bind::Int(value))
    }

    /// Appends a text parameter.
    pub fn text(&mut self, value: &str) -> &mut Sql {
        self.bind(Bind::Text(value.to_owned()))
    }
}

/// The column of the `signins` table that holds a field.
pub fn column(field: Field) -> &'static str {
    match field {
        Field::RequestId => "s.id_key",
        Field::CreatedDateTime => "s.created_at",
        Field::CorrelationId => "s.correlation_id",
        Field::UserId => "s.user_id",
        Field::UserPrincipalName => "s.user_principal_name",
        Field::UserDisplayName => "s.user_display_name",
        Field::AppId => "s.app_id",
        Field::AppDisplayName => "s.app_display_name",
        Field::IpAddress => "s.ip_address",
        Field::City => "s.city",
        Field::State => "s.state",
        Field::CountryOrRegion => "s.country",
        Field::ResourceId => "s.resource_id",
        Field::ResourceDisplayName => "s.resource_display_name",
        Field::ErrorCode => "s.error_code",
        Field::Status => "s.status",
        Field::ConditionalAccessStatus => "s.conditional_access_status",
        Field::ClientAppUsed => "s.client_app_used",
        Field::OperatingSystem => "s.operating_system",
        Field::Browser => "s.browser",
        Field::TokenIssuerType => "s.token_issuer_type",
        Field::ServicePrincipalId => "s.service_principal_id",
        Field::ServicePrincipalName => "s.service_principal_name",
        Field::EventType => "s.event_type",
        Field::GroupKey => "s.group_key",
        Field::Day => "s.day",
        Field::RiskDetail
        | Field::RiskEventType
        | Field::RiskEventTypeV2
        | Field::RiskLevelAggregated
        | Field::RiskLevelDuringSignIn
        | Field::RiskState
        | Field::AuthenticationRequirement
        | Field::ConditionalAccessAudience
        | Field::OriginalRequestId
        | Field::ResourceServicePrincipalId
        | Field::TokenIssuerName
        | Field::UserAgent
        | Field::MsiType => "s.attrs",
    }
}

/// The columns of a `signins` row, in insert order (after `tenant_no`).
pub const INDEX_COLUMNS: &[&str] = &[
    "id_key",
    "created_at",
    "event_type",
    "status",
    "error_code",
    "correlation_id",
    "user_id",
    "user_principal_name",
    "user_display_name",
    "app_id",
    "app_display_name",
    "ip_address",
    "city",
    "state",
    "country",
    "resource_id",
    "resource_display_name",
    "conditional_access_status",
    "client_app_used",
    "operating_system",
    "browser",
    "token_issuer_type",
    "service_principal_id",
    "service_principal_name",
    "group_key",
    "day",
    "attrs",
];

/// The values of a record's columns, in [`INDEX_COLUMNS`] order.
pub fn index_values(index: &app::store::IndexedSignIn) -> [Bind; 27] {
    let t = |s: &str| Bind::Text(s.to_owned());
    [
        t(&index.id_key),
        Bind::Int(index.created_at),
        Bind::Int(i64::from(index.event_type)),
        Bind::Int(i64::from(index.status)),
        Bind::Int(index.error_code),
        t(&index.correlation_id),
        t(&index.user_id),
        t(&index.user_principal_name),
        t(&index.user_display_name),
        t(&index.app_id),
        t(&index.app_display_name),
        t(&index.ip_address),
        t(&index.city),
        t(&index.state),
        t(&index.country),
        t(&index.resource_id),
        t(&index.resource_display_name),
        t(&index.conditional_access_status),
        t(&index.client_app_used),
        t(&index.operating_system),
        t(&index.browser),
        t(&index.token_issuer_type),
        t(&index.service_principal_id),
        t(&index.service_principal_name),
        Bind::Int(index.group_key),
        Bind::Int(index.day),
        t(&index.attrs),
    ]
}

/// Fields whose index starts with the day (see the migrations).
fn day_indexed(field: Field) -> bool {
    matches!(
        field,
        Field::UserId
            | Field::UserPrincipalName
            | Field::UserDisplayName
            | Field::AppDisplayName
            | Field::IpAddress
            | Field::CorrelationId
            | Field::GroupKey
    )
}

fn mentions_day_indexed(expr: &Expr) -> bool {
    match expr {
        Expr::True => false,
        Expr::And(parts) | Expr::Or(parts) => parts.iter().any(mentions_day_indexed),
        Expr::Not(inner) => mentions_day_indexed(inner),
        Expr::Cmp(field, _, _) => day_indexed(*field),
    }
}

/// The time bounds `(from, to)` (microseconds, either open) that every record a filter selects
/// lies within, taken from its top-level conjunction — when the filter names a field whose
/// index starts with the day, so that the store can add `day IN (…)` and let the database seek
/// those indexes day by day. `None` when no hint would help.
pub fn day_hint_bounds(expr: &Expr) -> Option<(Option<i64>, Option<i64>)> {
    mentions_day_indexed(expr).then(|| time_bounds(expr))
}

/// The time range a filter's top-level `createdDateTime` comparisons allow: the earliest and
/// latest time a matching record can have (inclusive), where they are bounded.
pub fn time_bounds(expr: &Expr) -> (Option<i64>, Option<i64>) {
    fn walk(expr: &Expr, lo: &mut Option<i64>, hi: &mut Option<i64>) {
        match expr {
            Expr::And(parts) => parts.iter().for_each(|p| walk(p, lo, hi)),
            Expr::Cmp(Field::CreatedDateTime, op, Literal::Time(t)) => {
                let raise = |b: &mut Option<i64>, v: i64| *b = Some(b.map_or(v, |x| x.max(v)));
                let lower = |b: &mut Option<i64>, v: i64| *b = Some(b.map_or(v, |x| x.min(v)));
                match op {
                    Op::Ge | Op::Gt => raise(lo, *t),
                    Op::Le | Op::Lt => lower(hi, *t),
                    Op::Eq => {
                        raise(lo, *t);
                        lower(hi, *t);
                    }
                    Op::Ne | Op::StartsWith => {}
                }
            }
            _ => {}
        }
    }
    let (mut lo, mut hi) = (None, None);
    walk(expr, &mut lo, &mut hi);
    (lo, hi)
}

/// The newest and the oldest record time of a tenant's report, and whether it has any, from
/// the ends of the time index.
pub fn time_span_sql(dialect: Dialect, tenant_no: i64, event_type: app::model::EventType) -> Sql {
    let mut sql = Sql::new(dialect);
    for (i, f) in ["max", "min"].iter().enumerate() {
        sql.push(if i == 0 { "SELECT " } else { ", " });
        sql.push("(SELECT ")
            .push(f)
            .push("(created_at) FROM signins WHERE tenant_no = ");
        sql.int(tenant_no).push(" AND event_type = ");
        sql.int(i64::from(event_type.code())).push(")");
    }
    sql.push(", (SELECT count(*) FROM (SELECT 1 FROM signins WHERE tenant_no = ")
        .int(tenant_no)
        .push(" AND event_type = ")
        .int(i64::from(event_type.code()))
        .push(" LIMIT 1) one)");
    sql
}

/// The days of `[lo_day, hi_day]` as a filter (an index hint; see [`day_hint_bounds`]).
pub fn day_hint(lo_day: i64, hi_day: i64) -> Expr {
    Expr::Or(
        (lo_day..=hi_day)
            .map(|d| Expr::eq_int(Field::Day, d))
            .collect(),
    )
}

/// The exclusive upper bound of the strings that start with `prefix` (in byte order, which is
/// how both backends compare these columns: SQLite's BINARY, PostgreSQL's `COLLATE "C"`).
fn prefix_upper_bound(prefix: &str) -> String {
    let mut upper = prefix.to_owned();
    upper.push(char::MAX);
    upper
}

fn normalise(text: &str) -> String {
    app::filter::fold_text(text)
}

/// A comparison that selects through a day-first index (see [`day_indexed`]).
fn selects_by_day_index(expr: &Expr) -> bool {
    match expr {
        Expr::Cmp(field, Op::Eq | Op::StartsWith, _) => day_indexed(*field),
        Expr::And(parts) => parts.iter().any(selects_by_day_index),
        _ => false,
    }
}

/// Appends `FROM signins s WHERE …`: the tenant and the filter.
///
/// Normally `FROM signins s WHERE s.tenant_no = ? AND (filter)`. When the filter's conjunction
/// holds an OR whose every branch selects through a day-first index (the user filter: name,
/// UPN or ID), the rows are driven from the union of those index searches:
///
/// ```sql
/// FROM (SELECT seq FROM signins s WHERE s.tenant_no = ? AND <days> AND <branch 1> UNION …) u
///   JOIN signins s ON s.seq = u.seq WHERE s.tenant_no = ? AND (filter)
/// ```
///
/// The union is only a superset of the candidates (a few hundred rows instead of every row
/// of the date range through the time index, which both planners otherwise prefer); the full
/// filter and the tenant still decide every row.
pub fn push_from_where(sql: &mut Sql, tenant_no: i64, filter: &Expr) -> Result<(), StoreError> {
    filter
        .validate()
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let mut parts: Vec<&Expr> = Vec::new();
    fn flatten<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
        match e {
            Expr::And(inner) => inner.iter().for_each(|x| flatten(x, out)),
            Expr::True => {}
            other => out.push(other),
        }
    }
    flatten(filter, &mut parts);
    let is_day_hint = |e: &Expr| {
        matches!(e, Expr::Or(alts) if !alts.is_empty()
            && alts.iter().all(|a| matches!(a, Expr::Cmp(Field::Day, Op::Eq, _))))
    };
    let drives = |e: &Expr| matches!(e, Expr::Or(alts) if alts.len() > 1 && alts.iter().all(selects_by_day_index));
    let driver = parts.iter().copied().find(|e| drives(e));
    let hint = parts.iter().copied().find(|e| is_day_hint(e));
    if let (Some(Expr::Or(alternatives)), Some(hint)) = (driver, hint) {
        sql.push("FROM (");
        for (i, alternative) in alternatives.iter().enumerate() {
            if i > 0 {
                sql.push(" UNION ");
            }
            sql.push("SELECT s.seq FROM signins s WHERE s.tenant_no = ")
                .int(tenant_no)
                .push(" AND ");
            push_valid_expr(sql, hint);
            sql.push(" AND ");
            push_valid_expr(sql, alternative);
        }
        // SQLite's CROSS JOIN keeps the union first; PostgreSQL plans the join itself.
        sql.push(match sql.dialect {
            Dialect::Sqlite => ") u CROSS JOIN signins s ON s.seq = u.seq ",
            Dialect::Postgres => ") u JOIN signins s ON s.seq = u.seq ",
        });
    } else {
        sql.push("FROM signins s ");
    }
    sql.push("WHERE s.tenant_no = ").int(tenant_no);
    for part in parts {
        sql.push(" AND ");
        push_valid_expr(sql, part);
    }
    Ok(())
}

/// Escapes `%`, `_` and `!` for a `LIKE … ESCAPE '!'` pattern (`!` rather than a backslash,
/// which PostgreSQL reads differently when `standard_conforming_strings` is off).
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(c);
    }
    out
}

/// A comparison on an attribute (see [`Field::attribute`]): a `LIKE` search of the record's
/// attribute text for `␟key=value␟` (`eq`) or `␟key=value` (`startsWith`); `ne` is the
/// negation of `eq`. An empty value means "has none": `eq ''` (and `eq null`) is the absence
/// of the key; an empty prefix matches every record, as on a column. Ordering operators are
/// refused by [`Expr::validate`] before this runs.
fn push_attribute(sql: &mut Sql, field: Field, op: Op, value: &str) {
    use app::filter::ATTRIBUTE_SEPARATOR as SEP;
    let key = field.attribute().unwrap_or_default();
    let value = app::filter::fold_attribute(value);
    let (negated, pattern) = match (op, value.is_empty()) {
        (Op::StartsWith, true) => {
            sql.push("1=1");
            return;
        }
        (Op::StartsWith, false) => (false, format!("%{SEP}{key}={}%", like_escape(&value))),
        (Op::Eq, true) => (true, format!("%{SEP}{key}=%")),
        (Op::Ne, true) => (false, format!("%{SEP}{key}=%")),
        (Op::Ne, false) => (true, format!("%{SEP}{key}={}{SEP}%", like_escape(&value))),
        _ => (false, format!("%{SEP}{key}={}{SEP}%", like_escape(&value))),
    };
    sql.push(if negated {
        "s.attrs NOT LIKE "
    } else {
        "s.attrs LIKE "
    })
    .bind(Bind::Text(pattern))
    .push(" ESCAPE '!'");
}

/// Appends a filter expression.
pub fn push_expr(sql: &mut Sql, expr: &Expr) -> Result<(), StoreError> {
    expr.validate()
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    push_valid_expr(sql, expr);
    Ok(())
}

fn push_valid_expr(sql: &mut Sql, expr: &Expr) {
    match expr {
        Expr::True => {
            sql.push("1=1");
        }
        Expr::And(parts) | Expr::Or(parts) if parts.is_empty() => {
            sql.push(if matches!(expr, Expr::And(_)) {
                "1=1"
            } else {
                "1=0"
            });
        }
        Expr::And(parts) | Expr::Or(parts) => {
            let joiner = if matches!(expr, Expr::And(_)) {
                " AND "
            } else {
                " OR "
            };
            sql.push("(");
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    sql.push(joiner);
                }
                push_valid_expr(sql, part);
            }
            sql.push(")");
        }
        Expr::Not(inner) => {
            sql.push("NOT (");
            push_valid_expr(sql, inner);
            sql.push(")");
        }
        Expr::Cmp(field, op, Literal::Text(value)) if field.attribute().is_some() => {
            push_attribute(sql, *field, *op, value);
        }
        Expr::Cmp(field, op, literal) => {
            let col = column(*field);
            let value = match literal {
                Literal::Text(t) => Bind::Text(normalise(t)),
                Literal::Integer(i) | Literal::Time(i) => Bind::Int(*i),
            };
            let op_sql = match (op, value) {
                (Op::StartsWith, Bind::Text(prefix)) => {
                    let upper = prefix_upper_bound(&prefix);
                    sql.push("(")
                        .push(col)
                        .push(" >= ")
                        .bind(Bind::Text(prefix));
                    sql.push(" AND ")
                        .push(col)
                        .push(" < ")
                        .bind(Bind::Text(upper))
                        .push(")");
                    return;
                }
                (op, value) => {
                    let op_sql = match op {
                        Op::Eq | Op::StartsWith => " = ", // validate() admits startsWith on text only
                        Op::Ne => " <> ",
                        Op::Lt => " < ",
                        Op::Le => " <= ",
                        Op::Gt => " > ",
                        Op::Ge => " >= ",
                    };
                    (op_sql, value)
                }
            };
            sql.push(col).push(op_sql.0).bind(op_sql.1);
        }
    }
}

/// The `ORDER BY` direction keyword.
fn dir(descending: bool) -> &'static str {
    if descending {
        " DESC"
    } else {
        " ASC"
    }
}

/// The sort column's SQL.
pub fn sort_column(sort: Sort) -> &'static str {
    column(sort.field.field())
}

/// True when the sort column holds text.
pub fn sort_is_text(sort: Sort) -> bool {
    sort.field.field().kind() == app::filter::FieldKind::Text
}

/// `AND s.seq <= snapshot`: records that arrived later are not part of the result. SQLite gets
/// `+s.seq`, which keeps it from reading the table in rowid order for this bound (with bound
/// values and STAT4 it may think that the cheaper plan, and read a million rows).
fn push_snapshot(sql: &mut Sql, snapshot: i64) {
    sql.push(match sql.dialect {
        Dialect::Sqlite => " AND +s.seq <= ",
        Dialect::Postgres => " AND s.seq <= ",
    })
    .int(snapshot);
}

/// The rows after a keyset cursor, `(k1, k2, …) < (v1, v2, …)` (`>` ascending), written out
/// as `k1 <= v1 AND (k1 < v1 OR (k2 <= v2 AND (…)))`. The leading bound lets both backends seek
/// the index on `k1`; a row-value comparison made SQLite's planner (with STAT4) sort the whole
/// rest of the range for every page.
fn push_after(sql: &mut Sql, keys: &[(&str, Bind)], descending: bool) {
    let (strict, loose) = if descending {
        (" < ", " <= ")
    } else {
        (" > ", " >= ")
    };
    let Some(((column, value), rest)) = keys.split_first() else {
        sql.push("1 = 1");
        return;
    };
    if rest.is_empty() {
        sql.push(column).push(strict);
        sql.bind(value.clone());
        return;
    }
    sql.push(column).push(loose);
    sql.bind(value.clone());
    sql.push(" AND (").push(column).push(strict);
    sql.bind(value.clone());
    sql.push(" OR (");
    push_after(sql, rest, descending);
    sql.push("))");
}

/// `SELECT … FROM signins` for a page of records, with the filter, snapshot and cursor;
/// `(limit, offset)` is the window of rows after the cursor.
pub fn list_sql(
    dialect: Dialect,
    tenant_no: i64,
    filter: &Expr,
    sort: Sort,
    snapshot: i64,
    cursor: Option<&Cursor>,
    (limit, offset): (i64, i64),
) -> Result<Sql, StoreError> {
    let col = sort_column(sort);
    let mut sql = Sql::new(dialect);
    sql.push("SELECT s.seq, s.created_at, s.id_key, ")
        .push(col)
        .push(", s.doc ");
    push_from_where(&mut sql, tenant_no, filter)?;
    push_snapshot(&mut sql, snapshot);
    if let Some(c) = cursor {
        let value = match (&c.value, sort_is_text(sort)) {
            (SortValue::Text(t), true) => Bind::Text(t.clone()),
            (SortValue::Integer(i), false) => Bind::Int(*i),
            _ => {
                return Err(StoreError::Invalid(
                    "the cursor does not fit this sort order".into(),
                ))
            }
        };
        let mut keys = Vec::with_capacity(3);
        if col != "s.created_at" {
            keys.push((col, value));
        }
        keys.push(("s.created_at", Bind::Int(c.created_at)));
        keys.push(("s.id_key", Bind::Text(c.id_key.clone())));
        sql.push(" AND ");
        push_after(&mut sql, &keys, sort.descending);
    }
    let d = dir(sort.descending);
    sql.push(" ORDER BY ");
    if col != "s.created_at" {
        sql.push(col).push(d).push(", ");
    }
    sql.push("s.created_at").push(d).push(", s.id_key").push(d);
    sql.push(" LIMIT ").int(limit);
    if offset > 0 {
        sql.push(" OFFSET ").int(offset);
    }
    Ok(sql)
}

/// `SELECT count(*)` of the records matching a filter.
pub fn count_sql(dialect: Dialect, tenant_no: i64, filter: &Expr) -> Result<Sql, StoreError> {
    let mut sql = Sql::new(dialect);
    sql.push("SELECT count(*) ");
    push_from_where(&mut sql, tenant_no, filter)?;
    Ok(sql)
}

/// The SQL of a record's bucket start: the time rounded down, as
/// [`TimeAggregate::bucket_start`] does. (Both databases' `/` and `%` round towards zero, so a
/// time before 1970 needs the remainder made positive first.)
fn bucket_expr(aggregate: TimeAggregate) -> String {
    match aggregate.bucket_micros() {
        None => "0".to_owned(),
        Some(size) => {
            format!("(s.created_at - (((s.created_at % {size}) + {size}) % {size}))")
        }
    }
}

/// The inner `SELECT … GROUP BY` of a grouped report.
fn push_groups_inner(
    sql: &mut Sql,
    tenant_no: i64,
    event_type: app::model::EventType,
    filter: &Expr,
    aggregate: TimeAggregate,
    snapshot: i64,
) -> Result<(), StoreError> {
    let bucket = bucket_expr(aggregate);
    sql.push("SELECT s.group_key AS group_key, ").push(&bucket);
    sql.push(
        " AS bucket, count(*) AS n, min(s.created_at) AS first_at, max(s.created_at) AS last_at ",
    );
    push_from_where(sql, tenant_no, filter)?;
    sql.push(" AND s.event_type = ")
        .int(i64::from(event_type.code()));
    push_snapshot(sql, snapshot);
    sql.push(" GROUP BY s.group_key");
    if aggregate.bucket_micros().is_some() {
        sql.push(", ").push(&bucket);
    }
    Ok(())
}

/// A page of groups, newest first by their latest member.
pub fn groups_sql(
    dialect: Dialect,
    tenant_no: i64,
    query: &app::store::GroupQuery,
    snapshot: i64,
    limit: i64,
) -> Result<Sql, StoreError> {
    let mut sql = Sql::new(dialect);
    // The window count is the number of groups (after the cursor), from the same aggregation.
    sql.push("SELECT g.group_key, g.bucket, g.n, g.first_at, g.last_at, count(*) OVER () FROM (");
    push_groups_inner(
        &mut sql,
        tenant_no,
        query.event_type,
        &query.filter,
        query.aggregate,
        snapshot,
    )?;
    sql.push(") g");
    if let Some(GroupCursor {
        last_at,
        key,
        bucket,
        ..
    }) = &query.cursor
    {
        sql.push(" WHERE (g.last_at, g.group_key, g.bucket) < (")
            .int(*last_at)
            .push(", ")
            .int(*key);
        sql.push(", ").int(*bucket).push(")");
    }
    sql.push(" ORDER BY g.last_at DESC, g.group_key DESC, g.bucket DESC LIMIT ")
        .int(limit);
    if query.offset > 0 {
        sql.push(" OFFSET ").int(query.offset);
    }
    Ok(sql)
}

/// How many groups a grouped report has.
pub fn count_groups_sql(
    dialect: Dialect,
    tenant_no: i64,
    event_type: app::model::EventType,
    filter: &Expr,
    aggregate: TimeAggregate,
) -> Result<Sql, StoreError> {
    let mut sql = Sql::new(dialect);
    sql.push("SELECT count(*) FROM (");
    push_groups_inner(&mut sql, tenant_no, event_type, filter, aggregate, i64::MAX)?;
    sql.push(") g");
    Ok(sql)
}

/// The newest member of each of `groups` (each a group key and its latest time), within the
/// filter and snapshot, in one query: `(group_key, created_at, doc)` rows. Members
/// that share the latest time (Graph times are often whole seconds) are ranked by Request
/// ID without their documents, and only the first one's document is read.
pub fn groups_latest_sql(
    dialect: Dialect,
    tenant_no: i64,
    event_type: app::model::EventType,
    filter: &Expr,
    snapshot: i64,
    groups: &[(i64, i64)],
) -> Result<Sql, StoreError> {
    let mut sql = Sql::new(dialect);
    sql.push(
        "SELECT m.group_key, m.created_at, m.doc FROM signins m WHERE m.seq IN (\
         SELECT r.seq FROM (SELECT s.seq, row_number() OVER (PARTITION BY s.group_key, \
         s.created_at ORDER BY s.id_key DESC) AS place ",
    );
    push_from_where(&mut sql, tenant_no, filter)?;
    sql.push(" AND s.event_type = ")
        .int(i64::from(event_type.code()));
    push_snapshot(&mut sql, snapshot);
    // The day is known from the time: with it each group is one seek in the group index
    // (which starts with the day).
    sql.push(" AND (s.day, s.group_key, s.created_at) IN (VALUES ");
    for (i, (key, last_at)) in groups.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push("(")
            .int(app::store::day_of(*last_at))
            .push(", ")
            .int(*key)
            .push(", ")
            .int(*last_at)
            .push(")");
    }
    sql.push(")) r WHERE r.place = 1)");
    Ok(sql)
}

/// Sign-ins per bucket and status over `[from, to)`.
pub fn histogram_sql(
    dialect: Dialect,
    tenant_no: i64,
    filter: &Expr,
    from: i64,
    to: i64,
    bucket_micros: i64,
) -> Result<Sql, StoreError> {
    let mut sql = Sql::new(dialect);
    sql.push("SELECT (s.created_at - ")
        .int(from)
        .push(") / ")
        .int(bucket_micros);
    sql.push(" AS b, s.status, count(*) ");
    push_from_where(&mut sql, tenant_no, filter)?;
    sql.push(" AND s.created_at >= ")
        .int(from)
        .push(" AND s.created_at < ")
        .int(to);
    sql.push(" GROUP BY 1, s.status ORDER BY 1");
    Ok(sql)
}

/// Folds `(bucket index, status, count)` rows into one bucket per step of `[from, to)`,
/// empty buckets included so the chart has no gaps.
pub fn fold_histogram(
    rows: Vec<(i64, i16, i64)>,
    from: i64,
    to: i64,
    bucket_micros: i64,
) -> Vec<app::store::HistogramBucket> {
    let n = ((to - from) + bucket_micros - 1) / bucket_micros;
    let mut buckets: Vec<app::store::HistogramBucket> = (0..n.max(0))
        .map(|i| app::store::HistogramBucket {
            start: from + i * bucket_micros,
            ..Default::default()
        })
        .collect();
    for (b, status, count) in rows {
        let Some(bucket) = usize::try_from(b).ok().and_then(|b| buckets.get_mut(b)) else {
            continue;
        };
        match app::model::Status::from_code(status) {
            Some(app::model::Status::Success) => bucket.success += count,
            Some(app::model::Status::Interrupted) => bucket.interrupted += count,
            _ => bucket.failure += count,
        }
    }
    buckets
}

/// `INSERT INTO signins … ON CONFLICT DO NOTHING` for a chunk; the rows affected are the
/// records stored (within a chunk, the first record with an ID wins).
pub fn insert_signins_sql(
    dialect: Dialect,
    tenant_no: i64,
    chunk: &[app::store::NewSignIn],
) -> Sql {
    let mut sql = Sql::new(dialect);
    sql.push("INSERT INTO signins (tenant_no, ")
        .push(&INDEX_COLUMNS.join(", "))
        .push(", doc) VALUES ");
    for (i, record) in chunk.iter().enumerate() {
        sql.push(if i == 0 { "(" } else { ", (" });
        sql.int(tenant_no);
        for value in index_values(&record.index) {
            sql.push(", ").bind(value);
        }
        sql.push(", ")
            .bind(Bind::Blob(record.doc.clone()))
            .push(")");
    }
    sql.push(" ON CONFLICT DO NOTHING");
    sql
}

/// Rows per multi-row insert: 29 parameters a row stays well under SQLite's 32,766 and
/// PostgreSQL's 65,535.
pub const ROWS_PER_INSERT: usize = 500;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_text_only_ever_becomes_a_parameter() {
        let mut sql = Sql::new(Dialect::Postgres);
        let evil = "x'); DROP TABLE signins; --";
        push_expr(&mut sql, &Expr::starts_with(Field::UserDisplayName, evil)).expect("valid");
        assert!(!sql.text.contains("DROP"), "{}", sql.text);
        assert_eq!(
            sql.text,
            "(s.user_display_name >= $1 AND s.user_display_name < $2)"
        );
        assert_eq!(sql.binds[0], Bind::Text(evil.to_lowercase()));
    }

    #[test]
    fn empty_or_matches_nothing_and_empty_and_everything() {
        let mut sql = Sql::new(Dialect::Sqlite);
        push_expr(
            &mut sql,
            &Expr::And(vec![Expr::Or(vec![]), Expr::And(vec![])]),
        )
        .expect("valid");
        assert_eq!(sql.text, "(1=0 AND 1=1)");
    }

    #[test]
    fn a_histogram_has_every_bucket_even_empty_ones() {
        let buckets = fold_histogram(vec![(0, 0, 3), (2, 1, 1), (2, 2, 4)], 0, 30, 10);
        assert_eq!(buckets.len(), 3);
        assert_eq!(
            (
                buckets[0].success,
                buckets[1].success,
                buckets[2].failure,
                buckets[2].interrupted
            ),
            (3, 0, 1, 4)
        );
    }
}
