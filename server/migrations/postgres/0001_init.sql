-- Tenants: `no` is the compact internal key every other table uses.
CREATE TABLE tenants (
    no             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id             text COLLATE "C" NOT NULL UNIQUE,
    name           text COLLATE "C" NOT NULL,
    licence        text NOT NULL,
    retention_days integer,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX tenants_by_name ON tenants (lower(name));

-- Keys that let a tool push records into one tenant (SHA-256 of the key, never the key).
CREATE TABLE ingest_keys (
    key_hash   text PRIMARY KEY,
    tenant_no  bigint NOT NULL REFERENCES tenants (no),
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per sign-in: the lower-cased columns queries filter, sort and group on, and the
-- record itself.
-- `seq` grows with every insert and pins paging snapshots.
CREATE TABLE signins (
    seq                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_no                 bigint NOT NULL REFERENCES tenants (no),
    id_key                    text COLLATE "C" NOT NULL,
    created_at                bigint NOT NULL,
    event_type                smallint NOT NULL,
    status                    smallint NOT NULL,
    error_code                bigint NOT NULL,
    correlation_id            text COLLATE "C" NOT NULL,
    user_id                   text COLLATE "C" NOT NULL,
    user_principal_name       text COLLATE "C" NOT NULL,
    user_display_name         text COLLATE "C" NOT NULL,
    app_id                    text COLLATE "C" NOT NULL,
    app_display_name          text COLLATE "C" NOT NULL,
    ip_address                text COLLATE "C" NOT NULL,
    city                      text COLLATE "C" NOT NULL,
    state                     text COLLATE "C" NOT NULL,
    country                   text COLLATE "C" NOT NULL,
    resource_id               text COLLATE "C" NOT NULL,
    resource_display_name     text COLLATE "C" NOT NULL,
    conditional_access_status text COLLATE "C" NOT NULL,
    client_app_used           text COLLATE "C" NOT NULL,
    operating_system          text COLLATE "C" NOT NULL,
    browser                   text COLLATE "C" NOT NULL,
    token_issuer_type         text COLLATE "C" NOT NULL,
    service_principal_id      text COLLATE "C" NOT NULL,
    service_principal_name    text COLLATE "C" NOT NULL,
    group_key                 bigint NOT NULL,
    day                       bigint NOT NULL,
    -- The record's JSON exactly as it came, compressed (app/src/store/doc.rs); not jsonb,
    -- which would reorder and reformat it.
    doc                       bytea NOT NULL
);

-- A record is identified by its tenant, the UTC day of its time and its Request ID: the same
-- record delivered again (same ID, same time) is stored once. Keyed by day first, like the
-- filter indexes, so that inserts stay local; finding an ID seeks each day the tenant has.
CREATE UNIQUE INDEX signins_by_id ON signins (tenant_no, day, id_key);
-- seq too: every report query checks the paging snapshot, and an index-only scan needs it.
CREATE INDEX signins_by_time ON signins (tenant_no, event_type, created_at) INCLUDE (status, group_key, seq);
-- The filter indexes start with the day (see the SQLite migration).
CREATE INDEX signins_by_group ON signins (tenant_no, event_type, day, group_key, created_at);
CREATE INDEX signins_by_upn ON signins (tenant_no, day, user_principal_name, created_at);
CREATE INDEX signins_by_user_name ON signins (tenant_no, day, user_display_name, created_at);
CREATE INDEX signins_by_user_id ON signins (tenant_no, day, user_id, created_at);
CREATE INDEX signins_by_app_name ON signins (tenant_no, day, app_display_name, created_at);
CREATE INDEX signins_by_ip ON signins (tenant_no, day, ip_address, created_at);
CREATE INDEX signins_by_correlation ON signins (tenant_no, day, correlation_id);
