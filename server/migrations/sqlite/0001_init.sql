-- Tenants: `no` is the compact internal key every other table uses.
CREATE TABLE tenants (
    no             INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    licence        TEXT NOT NULL,
    retention_days INTEGER,
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE UNIQUE INDEX tenants_by_name ON tenants (lower(name));

-- Keys that let a tool push records into one tenant (SHA-256 of the key, never the key).
CREATE TABLE ingest_keys (
    key_hash   TEXT PRIMARY KEY,
    tenant_no  INTEGER NOT NULL REFERENCES tenants (no),
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- One row per sign-in: the lower-cased columns queries filter, sort and group on, and the
-- record itself.
-- `seq` grows with every insert (AUTOINCREMENT never reuses one) and pins paging snapshots.
CREATE TABLE signins (
    seq                       INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_no                 INTEGER NOT NULL REFERENCES tenants (no),
    id_key                    TEXT NOT NULL,
    created_at                INTEGER NOT NULL,
    event_type                INTEGER NOT NULL,
    status                    INTEGER NOT NULL,
    error_code                INTEGER NOT NULL,
    correlation_id            TEXT NOT NULL,
    user_id                   TEXT NOT NULL,
    user_principal_name       TEXT NOT NULL,
    user_display_name         TEXT NOT NULL,
    app_id                    TEXT NOT NULL,
    app_display_name          TEXT NOT NULL,
    ip_address                TEXT NOT NULL,
    city                      TEXT NOT NULL,
    state                     TEXT NOT NULL,
    country                   TEXT NOT NULL,
    resource_id               TEXT NOT NULL,
    resource_display_name     TEXT NOT NULL,
    conditional_access_status TEXT NOT NULL,
    client_app_used           TEXT NOT NULL,
    operating_system          TEXT NOT NULL,
    browser                   TEXT NOT NULL,
    token_issuer_type         TEXT NOT NULL,
    service_principal_id      TEXT NOT NULL,
    service_principal_name    TEXT NOT NULL,
    group_key                 INTEGER NOT NULL,
    day                       INTEGER NOT NULL,
    -- The record's JSON exactly as it came, compressed (app/src/store/doc.rs).
    doc                       BLOB NOT NULL
);

-- A record is identified by its tenant, the UTC day of its time and its Request ID: the same
-- record delivered again (same ID, same time) is stored once. Keyed by day first, like the
-- filter indexes, so that inserts stay local; finding an ID seeks each day the tenant has.
CREATE UNIQUE INDEX signins_by_id ON signins (tenant_no, day, id_key);
-- Report pages by date, the chart and the groups (status and group_key make them covering).
CREATE INDEX signins_by_time ON signins (tenant_no, event_type, created_at, status, group_key);
-- The filter indexes start with the day: a day's inserts touch only that day's part of each
-- index, which keeps ingest fast as the table grows; queries seek them day by day
-- (`day IN (…)`, see server/src/store/sql.rs).
CREATE INDEX signins_by_group ON signins (tenant_no, event_type, day, group_key, created_at);
CREATE INDEX signins_by_upn ON signins (tenant_no, day, user_principal_name, created_at);
CREATE INDEX signins_by_user_name ON signins (tenant_no, day, user_display_name, created_at);
CREATE INDEX signins_by_user_id ON signins (tenant_no, day, user_id, created_at);
CREATE INDEX signins_by_app_name ON signins (tenant_no, day, app_display_name, created_at);
CREATE INDEX signins_by_ip ON signins (tenant_no, day, ip_address, created_at);
CREATE INDEX signins_by_correlation ON signins (tenant_no, day, correlation_id);
