//! The storage trait the server functions, the API and the CLI call (server only).
//!
//! One trait, one implementation per backend (SQLite, PostgreSQL) in the `server` crate, one
//! conformance suite run against both. A record is stored as the exact JSON text it came as,
//! beside a row of lower-cased columns taken from it ([`IndexedSignIn`]) that queries filter,
//! sort and group on; reads return the stored text unchanged.

pub mod doc;

use crate::filter::{Expr, Field};
use crate::grouping::{group_hash, TimeAggregate};
use crate::model::{EventType, SignIn};
use async_trait::async_trait;
use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};

pub use crate::sort::{Sort, SortField};

/// Errors of a store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Nothing with that key.
    #[error("not found")]
    NotFound,
    /// It exists already.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The request itself is invalid (a bad cursor, a filter that does not fit its field).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The request is valid but cannot be answered yet (the store is still deriving what it
    /// needs); the text says what, for the client.
    #[error("not available yet: {0}")]
    Unavailable(String),
    /// The database failed; the text is for the log, never for a client.
    #[error("storage error: {0}")]
    Backend(String),
}

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

pub use crate::access::{Licence, Role};

/// A tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    /// The tenant's ID (a GUID, as Entra tenants have).
    pub id: String,
    /// Its unique name.
    pub name: String,
    /// Its licence.
    pub licence: Licence,
    /// Retention in days; `None` keeps everything.
    pub retention_days: Option<i32>,
}

/// The columns a query filters, sorts and groups on, taken from a record. Text is trimmed
/// and lower-cased; a missing value is the empty string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexedSignIn {
    /// The lower-cased Request ID: the identity of a record within its tenant.
    pub id_key: String,
    /// `createdDateTime` in microseconds since the epoch.
    pub created_at: i64,
    /// [`EventType::code`].
    pub event_type: i16,
    /// [`crate::model::Status::code`].
    pub status: i16,
    /// `status.errorCode`.
    pub error_code: i64,
    /// `correlationId`.
    pub correlation_id: String,
    /// `userId`.
    pub user_id: String,
    /// `userPrincipalName`.
    pub user_principal_name: String,
    /// `userDisplayName`.
    pub user_display_name: String,
    /// `appId`.
    pub app_id: String,
    /// `appDisplayName`.
    pub app_display_name: String,
    /// `ipAddress`.
    pub ip_address: String,
    /// `location.city`.
    pub city: String,
    /// `location.state`.
    pub state: String,
    /// `location.countryOrRegion`.
    pub country: String,
    /// `resourceId`.
    pub resource_id: String,
    /// `resourceDisplayName`.
    pub resource_display_name: String,
    /// `conditionalAccessStatus`.
    pub conditional_access_status: String,
    /// `clientAppUsed`.
    pub client_app_used: String,
    /// `deviceDetail.operatingSystem`.
    pub operating_system: String,
    /// `deviceDetail.browser`.
    pub browser: String,
    /// `tokenIssuerType`.
    pub token_issuer_type: String,
    /// `servicePrincipalId`.
    pub service_principal_id: String,
    /// `servicePrincipalName`.
    pub service_principal_name: String,
    /// The group key ([`group_hash`]); 0 for interactive sign-ins.
    pub group_key: i64,
    /// The UTC day of `created_at` ([`day_of`]): the first column of the filter indexes, so
    /// that a day's inserts touch only that day's part of each index.
    pub day: i64,
    /// The attribute text ([`attributes_of`]).
    pub attrs: String,
}

/// The attribute text of a record: its rarely filtered properties, one entry each, in the
/// form [`Field::attribute`] describes (the empty string when it has none of them).
pub fn attributes_of(record: &SignIn) -> String {
    use crate::filter::ATTRIBUTE_SEPARATOR as SEP;
    let mut out = String::new();
    let mut add = |field: Field, value: &str| {
        if value.trim().is_empty() {
            return;
        }
        let Some(key) = field.attribute() else {
            return;
        };
        out.push(SEP);
        out.push_str(key);
        out.push('=');
        out.push_str(&crate::filter::fold_attribute(value));
    };
    fn one(value: Option<&String>) -> &str {
        value.map(String::as_str).unwrap_or_default()
    }
    add(
        Field::RiskDetail,
        record.risk_detail.get().map_or("", |v| v.as_str()),
    );
    for item in record.risk_event_types.get().into_iter().flatten() {
        add(Field::RiskEventType, item.as_str());
    }
    for item in record.risk_event_types_v2.get().into_iter().flatten() {
        add(Field::RiskEventTypeV2, item);
    }
    add(
        Field::RiskLevelAggregated,
        record
            .risk_level_aggregated
            .get()
            .map_or("", |v| v.as_str()),
    );
    add(
        Field::RiskLevelDuringSignIn,
        record
            .risk_level_during_sign_in
            .get()
            .map_or("", |v| v.as_str()),
    );
    add(
        Field::RiskState,
        record.risk_state.get().map_or("", |v| v.as_str()),
    );
    add(
        Field::AuthenticationRequirement,
        one(record.authentication_requirement.get()),
    );
    if let Some(audiences) = record.conditional_access_audiences.get() {
        for item in audiences.values() {
            add(Field::ConditionalAccessAudience, item);
        }
    }
    add(
        Field::OriginalRequestId,
        one(record.original_request_id.get()),
    );
    add(
        Field::ResourceServicePrincipalId,
        one(record.resource_service_principal_id.get()),
    );
    add(Field::TokenIssuerName, one(record.token_issuer_name.get()));
    add(Field::UserAgent, one(record.user_agent.get()));
    add(
        Field::MsiType,
        record
            .managed_service_identity
            .get()
            .and_then(|m| m.msi_type.get())
            .map_or("", |v| v.as_str()),
    );
    if !out.is_empty() {
        out.push(SEP);
    }
    out
}

/// Microseconds in a day.
pub const DAY_MICROS: i64 = 86_400_000_000;

/// The UTC day number (days since 1970-01-01) of a time in microseconds.
pub fn day_of(micros: i64) -> i64 {
    micros.div_euclid(DAY_MICROS)
}

impl IndexedSignIn {
    /// Takes the columns from a record.
    pub fn of(record: &SignIn) -> IndexedSignIn {
        fn lc(value: Option<&str>) -> String {
            value.map(crate::filter::fold_text).unwrap_or_default()
        }
        let event_type = record.event_type();
        let device = record.device_detail.get();
        let location = record.location.get();
        IndexedSignIn {
            id_key: lc(Some(&record.id)),
            created_at: record.created_date_time.micros(),
            event_type: event_type.code(),
            status: record.status_kind().code(),
            error_code: record.error_code(),
            correlation_id: lc(record.correlation_id.as_deref()),
            user_id: lc(record.user_id.as_deref()),
            user_principal_name: lc(record.user_principal_name.as_deref()),
            user_display_name: lc(record.user_display_name.as_deref()),
            app_id: lc(record.app_id.as_deref()),
            app_display_name: lc(record.app_display_name.as_deref()),
            ip_address: lc(record.ip_address.as_deref()),
            city: lc(location.and_then(|l| l.city.as_deref())),
            state: lc(location.and_then(|l| l.state.as_deref())),
            country: lc(location.and_then(|l| l.country_or_region.as_deref())),
            resource_id: lc(record.resource_id.as_deref()),
            resource_display_name: lc(record.resource_display_name.as_deref()),
            conditional_access_status: lc(record
                .conditional_access_status
                .get()
                .map(|c| c.as_str())),
            client_app_used: lc(record.client_app_used.as_deref()),
            operating_system: lc(device.and_then(|d| d.operating_system.as_deref())),
            browser: lc(device.and_then(|d| d.browser.as_deref())),
            token_issuer_type: lc(record.token_issuer_type.get().map(|t| t.as_str())),
            service_principal_id: lc(record.service_principal_id.as_deref()),
            service_principal_name: lc(record.service_principal_name.as_deref()),
            group_key: group_hash(event_type, record).unwrap_or(0),
            day: day_of(record.created_date_time.micros()),
            attrs: attributes_of(record),
        }
    }
}

/// A record to store: its JSON text in stored form ([`doc::encode`]) and the columns taken
/// from it. Encoding happens here, on whichever thread builds the batch, so that the single
/// database writer does not also compress.
#[derive(Clone, Debug)]
pub struct NewSignIn {
    /// The JSON text as stored (decoded unchanged by [`doc::decode`]).
    pub doc: Vec<u8>,
    /// The query columns.
    pub index: IndexedSignIn,
}

impl NewSignIn {
    /// A record with the JSON text it came as (which must be that record's JSON).
    pub fn new(record: &SignIn, json: &str) -> NewSignIn {
        NewSignIn {
            doc: doc::encode(json),
            index: IndexedSignIn::of(record),
        }
    }

    /// A record built in code (import, demo): its JSON is its serialisation.
    pub fn from_record(record: &SignIn) -> Result<NewSignIn, serde_json::Error> {
        Ok(NewSignIn::new(record, &serde_json::to_string(record)?))
    }

    /// The JSON text (decoded from the stored form).
    pub fn json(&self) -> String {
        doc::decode(&self.doc).unwrap_or_default()
    }
}

/// What an insert did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsertOutcome {
    /// Records stored now.
    pub inserted: i64,
    /// Records already stored (same tenant and Request ID), left untouched.
    pub duplicates: i64,
}

/// The value of the sort column at a cursor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortValue {
    /// A text column.
    Text(String),
    /// An integer or time column.
    Integer(i64),
}

/// Where a page of records ends: the next page starts after it. Opaque to clients (the API
/// signs it); it pins the snapshot so paging is stable while records arrive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// Only records stored up to this sequence number are listed.
    pub snapshot: i64,
    /// The sort column's value of the last row.
    pub value: SortValue,
    /// Its date, microseconds.
    pub created_at: i64,
    /// Its lower-cased Request ID.
    pub id_key: String,
}

/// A query for a page of records.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListQuery {
    /// The filter (use [`crate::filter::report_expr`] for one report).
    pub filter: Expr,
    /// The order.
    pub sort: Sort,
    /// The page size (at most [`MAX_PAGE`]).
    pub limit: i64,
    /// Where the previous page ended.
    pub cursor: Option<Cursor>,
    /// Rows to skip before the page (random access for a scrolling table; with a cursor, rows
    /// skipped after it).
    #[serde(default)]
    pub offset: i64,
    /// Only records stored up to this sequence number (from an earlier page's
    /// [`Page::snapshot`]), so that pages fetched at different times fit together. A cursor's
    /// own snapshot wins.
    #[serde(default)]
    pub snapshot: Option<i64>,
}

/// The largest page any store call returns.
pub const MAX_PAGE: i64 = 1000;

/// A stored record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredSignIn {
    /// The exact JSON text it was stored as.
    pub json: String,
}

/// A page of items and where the next one starts (none at the end).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T, C> {
    /// The items.
    pub items: Vec<T>,
    /// The cursor of the next page, if there is one.
    pub next: Option<C>,
    /// The snapshot the page was read at (pass it back to read further pages of the same
    /// result).
    pub snapshot: i64,
    /// How many items the whole result has, when the query learned it at no extra cost
    /// (pages of groups read without a cursor); otherwise ask the count call.
    pub total: Option<i64>,
}

/// A query for a page of groups of a grouped report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupQuery {
    /// The grouped report.
    pub event_type: EventType,
    /// The filter groups are computed over.
    pub filter: Expr,
    /// How groups are split in time.
    pub aggregate: TimeAggregate,
    /// The page size (at most [`MAX_PAGE`]).
    pub limit: i64,
    /// Where the previous page ended.
    pub cursor: Option<GroupCursor>,
    /// Groups to skip before the page.
    #[serde(default)]
    pub offset: i64,
    /// Only records stored up to this sequence number (see [`ListQuery::snapshot`]).
    #[serde(default)]
    pub snapshot: Option<i64>,
    /// Whether the first page should also count every group at its snapshot (the blade shows
    /// the total): that groups the whole range in one query. Without it, groups in time
    /// buckets are read from the newest window only as far as the page needs.
    #[serde(default)]
    pub with_total: bool,
}

/// Where a page of groups ends. Groups come newest first, by their latest member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCursor {
    /// Only records stored up to this sequence number count.
    pub snapshot: i64,
    /// The last group's latest time, microseconds.
    pub last_at: i64,
    /// The last group's key.
    pub key: i64,
    /// The last group's bucket start (0 for the whole range).
    pub bucket: i64,
}

/// A query for a page of one group's members.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MembersQuery {
    /// The grouped report.
    pub event_type: EventType,
    /// The filter the group was computed over.
    pub filter: Expr,
    /// The group key.
    pub key: i64,
    /// The bucket `[from, to)` when groups are split in time.
    pub bucket: Option<(i64, i64)>,
    /// The page size.
    pub limit: i64,
    /// Where the previous page ended.
    pub cursor: Option<Cursor>,
    /// Members to skip before the page.
    #[serde(default)]
    pub offset: i64,
    /// Only records stored up to this sequence number.
    #[serde(default)]
    pub snapshot: Option<i64>,
}

/// One group of a grouped report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRow {
    /// The group key.
    pub key: i64,
    /// The bucket start in microseconds (0 for the whole range).
    pub bucket: i64,
    /// How many sign-ins.
    pub count: i64,
    /// The first sign-in's time, microseconds.
    pub first_at: i64,
    /// The latest sign-in's time, microseconds.
    pub last_at: i64,
    /// The latest sign-in, whose values the group row shows.
    pub latest: StoredSignIn,
}

/// One bar of the chart.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistogramBucket {
    /// Bucket start, microseconds.
    pub start: i64,
    /// Successful sign-ins.
    pub success: i64,
    /// Failed sign-ins.
    pub failure: i64,
    /// Interrupted sign-ins.
    pub interrupted: i64,
}

/// A key that lets a tool push records into one tenant. Only its hash is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngestKey {
    /// The tenant it writes to.
    pub tenant_id: String,
    /// A name for people ("the SIEM forwarder").
    pub name: String,
}

/// An app registration: a service principal that reads its tenant's sign-ins through the
/// reporting API with a client secret (`AuditLog.Read.All`). Only the secret's hash is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppRegistration {
    /// The application (client) ID, a GUID.
    pub client_id: String,
    /// The service principal's object ID, a GUID (`servicePrincipalId` of its sign-ins).
    pub object_id: String,
    /// The tenant's ID.
    pub tenant_id: String,
    /// Display name.
    pub display_name: String,
    /// SHA-256 of the client secret, hex.
    pub secret_hash: String,
    /// The secret's first three characters, to tell secrets apart.
    pub secret_hint: String,
    /// Application permissions granted (`AuditLog.Read.All`), the `roles` of its tokens.
    pub permissions: Vec<String>,
    /// A disabled app gets no tokens.
    pub disabled: bool,
    /// Registered at (microseconds).
    pub created_at: i64,
}

/// A portal account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserAccount {
    /// The user's object ID (a GUID): the `userId` of their sign-ins.
    pub id: String,
    /// The tenant's ID.
    pub tenant_id: String,
    /// User principal name as given (unique across tenants, compared without case).
    pub upn: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// The argon2id PHC string.
    pub password_hash: String,
    /// Disabled accounts cannot sign in.
    pub disabled: bool,
    /// The password was set by someone else and must be changed at the next sign-in.
    pub must_change_password: bool,
    /// Wrong passwords since the last good one.
    pub failed_attempts: i32,
    /// Locked until this time (microseconds since the epoch; 0: not locked).
    pub locked_until: i64,
}

/// A portal session (the cookie holds the token; only its hash is stored).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    /// SHA-256 of the session token, hex.
    pub token_hash: String,
    /// The user's ID.
    pub user_id: String,
    /// The token forms of this session carry against cross-site requests.
    pub csrf_token: String,
    /// The correlation ID of the sign-in that opened the session (its refreshes share it).
    pub correlation_id: String,
    /// Opened at (microseconds).
    pub created_at: i64,
    /// Last request (microseconds; updated at most once a minute).
    pub last_seen_at: i64,
    /// Last refresh, recorded as a non-interactive sign-in (microseconds).
    pub refreshed_at: i64,
}

/// A session found by its token, with its user and tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    /// The session.
    pub session: SessionRow,
    /// Its user.
    pub user: UserAccount,
    /// The user's tenant.
    pub tenant: Tenant,
}

/// The store.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which backend ("sqlite" or "postgres"), for logs.
    fn backend(&self) -> &'static str;

    /// Creates a tenant. [`StoreError::Conflict`] when the name or ID is taken.
    async fn insert_tenant(&self, tenant: &Tenant) -> StoreResult<()>;
    /// A tenant by name or ID.
    async fn find_tenant(&self, name_or_id: &str) -> StoreResult<Option<Tenant>>;
    /// Every tenant, by name.
    async fn list_tenants(&self) -> StoreResult<Vec<Tenant>>;

    /// Changes a tenant's licence and retention (by ID).
    async fn update_tenant(&self, tenant: &Tenant) -> StoreResult<()>;

    /// Adds an account; a UPN already used in any tenant is a conflict.
    async fn insert_user(&self, user: &UserAccount) -> StoreResult<()>;
    /// The account with this UPN (any case), in any tenant.
    async fn find_user_by_upn(&self, upn: &str) -> StoreResult<Option<UserAccount>>;
    /// A tenant's account by its ID.
    async fn find_user(&self, tenant_id: &str, user_id: &str) -> StoreResult<Option<UserAccount>>;
    /// A tenant's accounts, by UPN.
    async fn list_users(&self, tenant_id: &str) -> StoreResult<Vec<UserAccount>>;
    /// Saves an account's display name, role, password, flags and lockout state (by ID).
    async fn update_user(&self, user: &UserAccount) -> StoreResult<()>;
    /// Counts a wrong password at `now` atomically — starting again from one when an earlier
    /// lock has expired — and locks the account until `lock_until` when the count reaches
    /// `lock_after`; returns the account as it is now.
    async fn note_failed_password(
        &self,
        user_id: &str,
        now: i64,
        lock_after: i32,
        lock_until: i64,
    ) -> StoreResult<Option<UserAccount>>;
    /// Clears the wrong-password count and any lock (a good password), touching nothing else.
    async fn clear_failed_passwords(&self, user_id: &str) -> StoreResult<()>;
    /// Sets the password hash and whether it must be changed, touching nothing else.
    async fn set_password(
        &self,
        user_id: &str,
        password_hash: &str,
        must_change_password: bool,
    ) -> StoreResult<()>;
    /// The tenant whose accounts use this UPN domain (`contoso.com`), if exactly one does.
    async fn find_tenant_by_domain(&self, domain: &str) -> StoreResult<Option<Tenant>>;

    /// Opens a session.
    async fn insert_session(&self, session: &SessionRow) -> StoreResult<()>;
    /// A session by its token hash, with its user and tenant.
    async fn find_session(&self, token_hash: &str) -> StoreResult<Option<SessionInfo>>;
    /// Notes a request (and a refresh) on a session.
    async fn touch_session(
        &self,
        token_hash: &str,
        last_seen_at: i64,
        refreshed_at: i64,
    ) -> StoreResult<()>;
    /// Ends a session.
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Ends every session of a user (disabled, password changed); returns how many.
    async fn delete_user_sessions(&self, user_id: &str) -> StoreResult<u64>;
    /// Deletes sessions idle since before `idle_before` or opened before `created_before`.
    async fn delete_expired_sessions(
        &self,
        idle_before: i64,
        created_before: i64,
    ) -> StoreResult<u64>;

    /// Deletes up to `limit` of the tenant's records created before `before` (microseconds),
    /// oldest first; returns how many. The retention job calls it until it returns 0.
    async fn purge_signins(&self, tenant_id: &str, before: i64, limit: i64) -> StoreResult<u64>;

    /// Registers an app.
    async fn insert_app(&self, app: &AppRegistration) -> StoreResult<()>;
    /// An app by client ID (any case), in any tenant.
    async fn find_app(&self, client_id: &str) -> StoreResult<Option<AppRegistration>>;
    /// A tenant's apps, by name.
    async fn list_apps(&self, tenant_id: &str) -> StoreResult<Vec<AppRegistration>>;
    /// Replaces an app's secret (hash and hint).
    async fn set_app_secret(&self, client_id: &str, hash: &str, hint: &str) -> StoreResult<()>;
    /// Disables or enables an app.
    async fn set_app_disabled(&self, client_id: &str, disabled: bool) -> StoreResult<()>;
    /// Deletes an app registration (its sign-ins stay).
    async fn delete_app(&self, client_id: &str) -> StoreResult<()>;
    /// The server key called `name`: the stored one, or `candidate` stored now when there is
    /// none (the first process to ask wins; every process then gets the same key).
    async fn server_key(&self, name: &str, candidate: &str) -> StoreResult<String>;

    /// Stores an ingest key's hash for a tenant.
    async fn insert_ingest_key(
        &self,
        tenant_id: &str,
        name: &str,
        key_hash: &str,
    ) -> StoreResult<()>;
    /// The tenant an ingest key (by hash) writes to.
    async fn find_ingest_key(&self, key_hash: &str) -> StoreResult<Option<IngestKey>>;

    /// A user's saved preferences (name → value) in a tenant.
    async fn preferences(&self, tenant_id: &str, user: &str) -> StoreResult<Vec<(String, String)>>;
    /// Saves one preference, replacing its earlier value.
    async fn set_preference(
        &self,
        tenant_id: &str,
        user: &str,
        name: &str,
        value: &str,
    ) -> StoreResult<()>;

    /// Stores a batch in one transaction: all of it or none of it. A record whose Request ID
    /// the tenant already has is counted as a duplicate and left as it was. Returns once the
    /// commit is durable.
    async fn insert_signins(
        &self,
        tenant_id: &str,
        batch: &[NewSignIn],
    ) -> StoreResult<InsertOutcome>;
    /// A record by Request ID (any case).
    async fn find_signin(&self, tenant_id: &str, id: &str) -> StoreResult<Option<StoredSignIn>>;
    /// A page of records.
    async fn list_signins(
        &self,
        tenant_id: &str,
        query: &ListQuery,
    ) -> StoreResult<Page<StoredSignIn, Cursor>>;
    /// How many records match.
    async fn count_signins(&self, tenant_id: &str, filter: &Expr) -> StoreResult<i64>;
    /// A page of groups of a grouped report.
    async fn list_groups(
        &self,
        tenant_id: &str,
        query: &GroupQuery,
    ) -> StoreResult<Page<GroupRow, GroupCursor>>;
    /// How many groups match.
    async fn count_groups(
        &self,
        tenant_id: &str,
        event_type: EventType,
        filter: &Expr,
        aggregate: TimeAggregate,
    ) -> StoreResult<i64>;
    /// Sign-ins per time bucket and status over `[from, to)`.
    async fn histogram(
        &self,
        tenant_id: &str,
        filter: &Expr,
        from: i64,
        to: i64,
        bucket_micros: i64,
    ) -> StoreResult<Vec<HistogramBucket>>;
    /// Bytes the store takes on disk (database files or relation sizes).
    async fn size_on_disk(&self) -> StoreResult<i64>;
    /// Refreshes the query planner's statistics (after a large import; takes seconds on
    /// millions of records).
    async fn optimize(&self) -> StoreResult<()>;
    /// Derives the attribute text ([`attributes_of`]) of up to `limit` records stored before
    /// the store kept it, oldest first, from their stored JSON; returns how many it did (0 when
    /// none is left). Until none is left, a filter on an attribute is refused with
    /// [`StoreError::Unavailable`] rather than answered from part of the records. The server
    /// calls it in the background until it returns 0.
    async fn derive_attributes(&self, limit: i64) -> StoreResult<u64>;

    /// A page of one group's members, newest first.
    async fn list_group_members(
        &self,
        tenant_id: &str,
        query: &MembersQuery,
    ) -> StoreResult<Page<StoredSignIn, Cursor>> {
        let mut filter = crate::filter::report_expr(query.event_type)
            .and(query.filter.clone())
            .and(Expr::eq_int(Field::GroupKey, query.key));
        if let Some((from, to)) = query.bucket {
            filter = filter.and(Expr::time_range(Some(from), Some(to)));
        }
        let list = ListQuery {
            filter,
            sort: Sort::default(),
            limit: query.limit,
            cursor: query.cursor.clone(),
            offset: query.offset,
            snapshot: query.snapshot,
        };
        self.list_signins(tenant_id, &list).await
    }

    /// Every record matching a filter, newest first, read page by page so memory stays flat
    /// and no transaction is held open (downloads).
    fn stream_signins<'a>(
        &'a self,
        tenant_id: &'a str,
        filter: Expr,
    ) -> BoxStream<'a, StoreResult<StoredSignIn>> {
        use futures::StreamExt;
        let start = (Some(None), filter);
        futures::stream::unfold(start, move |(cursor, filter)| async move {
            let cursor = cursor?;
            let query = ListQuery {
                filter: filter.clone(),
                sort: Sort::default(),
                limit: MAX_PAGE,
                cursor,
                ..ListQuery::default()
            };
            match self.list_signins(tenant_id, &query).await {
                Ok(page) => {
                    let next = page.next.map(Some);
                    let items: Vec<StoreResult<StoredSignIn>> =
                        page.items.into_iter().map(Ok).collect();
                    Some((futures::stream::iter(items), (next, filter)))
                }
                Err(e) => Some((futures::stream::iter(vec![Err(e)]), (None, filter))),
            }
        })
        .flatten()
        .boxed()
    }
}
