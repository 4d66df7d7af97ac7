//! The report blade's server functions: a page of table rows (records or groups), a group's
//! members, one sign-in's details, the chart, and the user's saved preferences.
//!
//! Each function is a thin adapter over the store. Requests carry the moment relative date
//! filters are taken at (`now`) and the snapshot of the first page, so that every page of one
//! table belongs to the same result.

use super::AppError;
use crate::columns::ColumnId;
use crate::filter::ReportFilter;
use crate::grouping::TimeAggregate;
use crate::model::EventType;
use crate::sort::Sort;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

/// The latest moment a request's relative dates may be taken at (2200-01-01, microseconds):
/// later ones are refused, so that date arithmetic cannot overflow.
pub const MAX_NOW: i64 = 7_258_118_400_000_000;

/// The largest page of rows the blade asks for.
pub const MAX_ROWS: i64 = 500;

/// A page of a report table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableRequest {
    /// The report (tab).
    pub report: EventType,
    /// The blade's filter.
    pub filter: ReportFilter,
    /// The moment relative date filters are taken at (microseconds since the epoch).
    pub now: i64,
    /// The order (ungrouped reports; groups come newest first).
    pub sort: Sort,
    /// How groups are split in time (grouped reports).
    pub aggregate: TimeAggregate,
    /// The columns to send cells for.
    pub columns: Vec<ColumnId>,
    /// Rows to skip.
    pub offset: i64,
    /// Rows wanted (at most [`MAX_ROWS`]).
    pub limit: i64,
    /// The first page's snapshot (none for the first page).
    pub snapshot: Option<i64>,
    /// Also count the whole result.
    pub with_total: bool,
}

/// The group a row stands for (grouped reports).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRef {
    /// The group key.
    pub key: i64,
    /// The bucket start (0 for the whole range).
    pub bucket: i64,
    /// How many sign-ins.
    pub count: i64,
    /// The first sign-in's time, microseconds.
    pub first_at: i64,
    /// The latest sign-in's time, microseconds.
    pub last_at: i64,
}

/// One row of a report table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableRow {
    /// The Request ID of the record (of the group's latest sign-in).
    pub id: String,
    /// One cell per requested column, as text (`Date` as the stored RFC 3339 time).
    pub cells: Vec<String>,
    /// The group, on grouped reports.
    pub group: Option<GroupRef>,
}

/// A page of rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TablePage {
    /// The rows.
    pub rows: Vec<TableRow>,
    /// How many rows (records or groups) the whole result has, when asked for.
    pub total: Option<i64>,
    /// The snapshot to read further pages at.
    pub snapshot: i64,
    /// The moment relative date filters were taken at (pass it back with further pages).
    pub now: i64,
}

/// A page of one group's members.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MembersRequest {
    /// The grouped report.
    pub report: EventType,
    /// The blade's filter the group was computed over.
    pub filter: ReportFilter,
    /// The moment relative date filters are taken at.
    pub now: i64,
    /// How groups are split in time.
    pub aggregate: TimeAggregate,
    /// The group.
    pub group: GroupRef,
    /// Members to skip.
    pub offset: i64,
    /// Members wanted.
    pub limit: i64,
    /// The table's snapshot.
    pub snapshot: Option<i64>,
}

/// One member of a group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberRow {
    /// Request ID.
    pub id: String,
    /// `createdDateTime` as stored.
    pub created: String,
    /// Success / Failure / Interrupted.
    pub status: String,
}

/// A page of members.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MembersPage {
    /// The members, newest first.
    pub members: Vec<MemberRow>,
    /// True when more follow.
    pub more: bool,
}

/// One labelled value of the details pane.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DetailItem {
    /// The label.
    pub label: String,
    /// The value (empty shows as a dash).
    pub value: String,
    /// Identifiers get a copy button.
    pub copy: bool,
}

/// A table inside a details section (authentication steps, policies).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DetailTable {
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

/// One section (tab) of the details pane.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DetailSection {
    /// Its name: "Basic info", "Location"…
    pub name: String,
    /// Labelled values.
    pub items: Vec<DetailItem>,
    /// A table, when the section lists steps or policies.
    pub table: Option<DetailTable>,
    /// What to say when there is nothing (or, with `lists_table`, when the table is missing).
    pub empty: String,
    /// The section is about its table (steps, policies): without one it says `empty`.
    pub lists_table: bool,
}

/// A sign-in's details.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignInDetails {
    /// Request ID.
    pub id: String,
    /// `createdDateTime` as stored.
    pub created: String,
    /// Success / Failure / Interrupted.
    pub status: String,
    /// The sections, in the pane's order.
    pub sections: Vec<DetailSection>,
}

/// The chart of a report over the filtered period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChartRequest {
    /// The report.
    pub report: EventType,
    /// The blade's filter.
    pub filter: ReportFilter,
    /// The moment relative date filters are taken at.
    pub now: i64,
}

/// One bar: sign-ins of each status in `[start, start + bucket)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartBar {
    /// Start, microseconds.
    pub start: i64,
    /// Successes.
    pub success: i64,
    /// Failures.
    pub failure: i64,
    /// Interruptions.
    pub interrupted: i64,
}

/// The chart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChartData {
    /// The bucket length, microseconds.
    pub bucket: i64,
    /// The bars, oldest first, every bucket of the period.
    pub bars: Vec<ChartBar>,
}

/// What a user chose, kept on the server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Preferences {
    /// The Preview view (four tabs) instead of the classic list.
    pub preview: bool,
    /// The interactive report's columns (none: the defaults).
    pub columns: Option<Vec<ColumnId>>,
    /// The last filter viewed, as its URL query (see [`crate::blade::state::filter_query`]);
    /// the portal opened without a query goes there.
    pub filter: Option<String>,
}

/// The signed-in user and their saved choices: what the portal loads first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Portal {
    /// Who is signed in.
    pub viewer: crate::access::Viewer,
    /// Their preferences.
    pub prefs: Preferences,
}

/// The chart's bucket length for a period: hours up to two days, six hours up to ten days,
/// days up to sixty, weeks up to sixty weeks, then thirty days (at most about sixty bars until
/// periods of years).
pub fn chart_bucket(from: i64, to: i64) -> i64 {
    const HOUR: i64 = 3_600_000_000;
    let span = (to - from).max(HOUR);
    if span <= 48 * HOUR {
        HOUR
    } else if span <= 240 * HOUR {
        6 * HOUR
    } else if span <= 60 * 24 * HOUR {
        24 * HOUR
    } else if span <= 420 * 24 * HOUR {
        7 * 24 * HOUR
    } else {
        30 * 24 * HOUR
    }
}

/// The period a chart covers: the filter's range, an open end being `now` and an open start
/// thirty days before the end.
pub fn chart_period(filter: &ReportFilter, now: i64) -> (i64, i64) {
    let now_t = chrono::DateTime::from_timestamp_micros(now).unwrap_or_default();
    let (from, to) = filter.date.range(now_t);
    let to = to.unwrap_or(now);
    let from = from.unwrap_or(to - 30 * 86_400_000_000);
    (from, to.max(from + 1))
}

#[cfg(feature = "ssr")]
pub(crate) mod server {
    use super::*;
    use crate::api::access::{principal, Scope};
    use crate::api::ServerContext;
    use crate::filter::Expr;
    use crate::model::SignIn;
    use crate::store::{GroupQuery, ListQuery, MembersQuery, StoredSignIn};

    pub fn ctx() -> ServerContext {
        expect_context::<ServerContext>()
    }

    /// Answers an error with its HTTP status (401, 403, 404…) rather than a bare 500.
    pub fn answered<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(e) = &result {
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                if let Ok(code) = http::StatusCode::from_u16(e.status()) {
                    response.set_status(code);
                }
            }
        }
        result
    }

    /// The moment a request's relative dates are taken at: its own, or now for a first page.
    pub fn pinned(now: i64) -> i64 {
        if (1..super::MAX_NOW).contains(&now) {
            now
        } else {
            // 0 (a first page), or a moment no date filter can be taken at.
            chrono::Utc::now().timestamp_micros()
        }
    }

    pub fn time(now: i64) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp_micros(now).unwrap_or_default()
    }

    /// The report's filter, limited to what the scope may read.
    pub fn report_filter(
        scope: &Scope,
        report: EventType,
        filter: &ReportFilter,
        now: i64,
    ) -> Expr {
        scope.report_filter(report, filter, now)
    }

    pub fn parse(stored: &StoredSignIn) -> Result<SignIn, AppError> {
        serde_json::from_str::<SignIn>(&stored.json).map_err(|e| AppError::internal(&e))
    }

    pub async fn table_page(mut req: TableRequest) -> Result<TablePage, AppError> {
        let ctx = ctx();
        let scope = Scope::current()?;
        let tenant = scope.tenant_id();
        req.now = pinned(req.now);
        let limit = req.limit.clamp(1, MAX_ROWS);
        let offset = req.offset.max(0);
        let filter = report_filter(&scope, req.report, &req.filter, req.now);
        let columns = &req.columns;
        if req.report.is_grouped() {
            let query = GroupQuery {
                event_type: req.report,
                filter: filter.clone(),
                aggregate: req.aggregate,
                limit,
                cursor: None,
                offset,
                snapshot: req.snapshot,
                with_total: req.with_total,
            };
            let page = ctx.store.list_groups(tenant, &query).await?;
            // The page of groups counts every group of the result as it aggregates.
            let total = match (req.with_total, page.total) {
                (false, _) => None,
                (true, Some(total)) => Some(total),
                (true, None) => Some(
                    ctx.store
                        .count_groups(tenant, req.report, &filter, req.aggregate)
                        .await?,
                ),
            };
            let rows = page
                .items
                .iter()
                .map(|g| {
                    let record = parse(&g.latest)?;
                    let group = GroupRef {
                        key: g.key,
                        bucket: g.bucket,
                        count: g.count,
                        first_at: g.first_at,
                        last_at: g.last_at,
                    };
                    let cells = columns
                        .iter()
                        .map(|c| match c {
                            ColumnId::SignInCount => g.count.to_string(),
                            c => c.cell(&record),
                        })
                        .collect();
                    Ok(TableRow {
                        id: record.id.clone(),
                        cells,
                        group: Some(group),
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            return Ok(TablePage {
                rows,
                total,
                snapshot: page.snapshot,
                now: req.now,
            });
        }
        let query = ListQuery {
            filter: filter.clone(),
            sort: req.sort,
            limit,
            cursor: None,
            offset,
            snapshot: req.snapshot,
        };
        let count = async {
            if req.with_total {
                ctx.store.count_signins(tenant, &filter).await.map(Some)
            } else {
                Ok(None)
            }
        };
        let (page, total) = futures::join!(ctx.store.list_signins(tenant, &query), count);
        let (page, total) = (page?, total?);
        let rows = page
            .items
            .iter()
            .map(|stored| {
                let record = parse(stored)?;
                Ok(TableRow {
                    id: record.id.clone(),
                    cells: columns.iter().map(|c| c.cell(&record)).collect(),
                    group: None,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(TablePage {
            rows,
            total,
            snapshot: page.snapshot,
            now: req.now,
        })
    }

    pub async fn members(mut req: MembersRequest) -> Result<MembersPage, AppError> {
        let ctx = ctx();
        let scope = Scope::current()?;
        req.now = pinned(req.now);
        let limit = req.limit.clamp(1, MAX_ROWS);
        let bucket = req
            .aggregate
            .bucket_micros()
            .map(|size| (req.group.bucket, req.group.bucket + size));
        let query = MembersQuery {
            event_type: req.report,
            filter: scope.limit(Some(req.report), req.filter.to_expr(time(req.now))),
            key: req.group.key,
            bucket,
            limit,
            cursor: None,
            offset: req.offset.max(0),
            snapshot: req.snapshot,
        };
        let page = ctx
            .store
            .list_group_members(scope.tenant_id(), &query)
            .await?;
        let members = page
            .items
            .iter()
            .map(|stored| {
                let r = parse(stored)?;
                Ok(MemberRow {
                    id: r.id.clone(),
                    created: r.created_date_time.as_str().to_owned(),
                    status: r.status_kind().label().to_owned(),
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(MembersPage {
            members,
            more: page.next.is_some(),
        })
    }

    pub async fn chart(mut req: ChartRequest) -> Result<ChartData, AppError> {
        let ctx = ctx();
        let scope = Scope::current()?;
        req.now = pinned(req.now);
        let (from, to) = chart_period(&req.filter, req.now);
        let bucket = chart_bucket(from, to);
        let filter = report_filter(&scope, req.report, &req.filter, req.now);
        let bars = ctx
            .store
            .histogram(scope.tenant_id(), &filter, from, to, bucket)
            .await?
            .into_iter()
            .map(|b| ChartBar {
                start: b.start,
                success: b.success,
                failure: b.failure,
                interrupted: b.interrupted,
            })
            .collect();
        Ok(ChartData { bucket, bars })
    }

    pub async fn portal() -> Result<Portal, AppError> {
        let ctx = ctx();
        let who = principal()?;
        let saved = ctx.store.preferences(&who.tenant.id, &who.user.id).await?;
        let mut prefs = Preferences::default();
        for (name, value) in saved {
            match name.as_str() {
                "preview" => prefs.preview = value == "on",
                "filter" => prefs.filter = Some(value),
                "columns" => {
                    let columns: Vec<ColumnId> =
                        value.split(',').filter_map(ColumnId::from_key).collect();
                    if !columns.is_empty() {
                        prefs.columns = Some(columns);
                    }
                }
                _ => {}
            }
        }
        Ok(Portal {
            viewer: who.viewer(),
            prefs,
        })
    }

    pub async fn save(name: &str, value: &str) -> Result<(), AppError> {
        let ctx = ctx();
        let who = principal()?;
        ctx.store
            .set_preference(&who.tenant.id, &who.user.id, name, value)
            .await?;
        Ok(())
    }

    pub async fn details(id: String) -> Result<SignInDetails, AppError> {
        let ctx = ctx();
        let scope = Scope::current()?;
        let stored = ctx
            .store
            .find_signin(scope.tenant_id(), id.trim())
            .await?
            .ok_or(AppError::NotFound)?;
        let record = parse(&stored)?;
        // Someone else's sign-in is as absent as one that does not exist.
        if !scope.admits(&record) {
            return Err(AppError::NotFound);
        }
        Ok(crate::details::details_of(&record))
    }
}

/// A page of a report table.
#[server(input = Json, endpoint = "load_table_page")]
pub async fn load_table_page(request: TableRequest) -> Result<TablePage, AppError> {
    server::answered(server::table_page(request).await)
}

/// A page of one group's members.
#[server(input = Json, endpoint = "group_members")]
pub async fn group_members(request: MembersRequest) -> Result<MembersPage, AppError> {
    server::answered(server::members(request).await)
}

/// One sign-in's details, by Request ID.
#[server(input = Json, endpoint = "load_signin_details")]
pub async fn load_signin_details(id: String) -> Result<SignInDetails, AppError> {
    server::answered(server::details(id).await)
}

/// The chart over the filtered period.
#[server(input = Json, endpoint = "report_chart")]
pub async fn report_chart(request: ChartRequest) -> Result<ChartData, AppError> {
    server::answered(server::chart(request).await)
}

/// Who is signed in and what they chose.
#[server(input = Json, endpoint = "load_portal")]
pub async fn load_portal() -> Result<Portal, AppError> {
    server::answered(server::portal().await)
}

/// Saves the Preview choice.
#[server(input = Json, endpoint = "save_preview")]
pub async fn save_preview(on: bool) -> Result<(), AppError> {
    server::answered(server::save("preview", if on { "on" } else { "off" }).await)
}

/// Saves the interactive report's columns (an empty list restores the defaults).
#[server(input = Json, endpoint = "save_columns")]
pub async fn save_columns(columns: Vec<ColumnId>) -> Result<(), AppError> {
    let keys: Vec<&str> = columns.iter().map(|c| c.key()).collect();
    server::answered(server::save("columns", &keys.join(",")).await)
}

/// Remembers the filter last viewed.
#[server(input = Json, endpoint = "save_filter")]
pub async fn save_filter(filter: ReportFilter) -> Result<(), AppError> {
    // Stored in the blade's own URL form, re-made here from the typed filter.
    server::answered(server::save("filter", &crate::blade::state::filter_query(&filter)).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_buckets_keep_the_bar_count_readable() {
        const H: i64 = 3_600_000_000;
        assert_eq!(chart_bucket(0, 24 * H), H);
        assert_eq!(chart_bucket(0, 7 * 24 * H), 6 * H);
        assert_eq!(chart_bucket(0, 30 * 24 * H), 24 * H);
        assert_eq!(chart_bucket(0, 365 * 24 * H), 7 * 24 * H);
        for span in [
            H,
            24 * H,
            48 * H,
            240 * H,
            60 * 24 * H,
            90 * 24 * H,
            420 * 24 * H,
            1800 * 24 * H,
        ] {
            let bars = span / chart_bucket(0, span);
            assert!(bars <= 60, "{span}: {bars} bars");
        }
    }
}
