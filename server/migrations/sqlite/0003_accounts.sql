-- Portal accounts (issue #4). A UPN is unique across tenants: the sign-in form asks for the
-- UPN alone, as Entra's does. `locked_until` is microseconds since the epoch (0: not locked).
CREATE TABLE users (
    no                   INTEGER PRIMARY KEY,
    id                   TEXT NOT NULL UNIQUE,
    tenant_no            INTEGER NOT NULL REFERENCES tenants (no),
    upn                  TEXT NOT NULL,
    display_name         TEXT NOT NULL,
    role                 TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    disabled             INTEGER NOT NULL DEFAULT 0,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    failed_attempts      INTEGER NOT NULL DEFAULT 0,
    locked_until         INTEGER NOT NULL DEFAULT 0,
    created_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE UNIQUE INDEX users_by_upn ON users (lower(upn));
CREATE INDEX users_by_tenant ON users (tenant_no);

-- Portal sessions: the cookie carries a random token, the table its SHA-256 only. Times are
-- microseconds since the epoch.
CREATE TABLE sessions (
    token_hash     TEXT PRIMARY KEY,
    user_no        INTEGER NOT NULL REFERENCES users (no) ON DELETE CASCADE,
    csrf_token     TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    last_seen_at   INTEGER NOT NULL,
    refreshed_at   INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_no);
-- Retention deletes a tenant's oldest records: (tenant_no, created_at) leads signins_by_time
-- only per event type, so it gets its own index.
CREATE INDEX signins_by_age ON signins (tenant_no, created_at);
