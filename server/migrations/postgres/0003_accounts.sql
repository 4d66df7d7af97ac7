-- Portal accounts (issue #4). A UPN is unique across tenants: the sign-in form asks for the
-- UPN alone, as Entra's does. `locked_until` is microseconds since the epoch (0: not locked).
CREATE TABLE users (
    no                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                   text NOT NULL UNIQUE,
    tenant_no            bigint NOT NULL REFERENCES tenants (no),
    upn                  text NOT NULL,
    display_name         text NOT NULL,
    role                 text NOT NULL,
    password_hash        text NOT NULL,
    disabled             bigint NOT NULL DEFAULT 0,
    must_change_password bigint NOT NULL DEFAULT 0,
    failed_attempts      bigint NOT NULL DEFAULT 0,
    locked_until         bigint NOT NULL DEFAULT 0,
    created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_by_upn ON users (lower(upn));
CREATE INDEX users_by_tenant ON users (tenant_no);

-- Portal sessions: the cookie carries a random token, the table its SHA-256 only. Times are
-- microseconds since the epoch.
CREATE TABLE sessions (
    token_hash     text PRIMARY KEY,
    user_no        bigint NOT NULL REFERENCES users (no) ON DELETE CASCADE,
    csrf_token     text NOT NULL,
    correlation_id text NOT NULL,
    created_at     bigint NOT NULL,
    last_seen_at   bigint NOT NULL,
    refreshed_at   bigint NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_no);
-- Retention deletes a tenant's oldest records.
CREATE INDEX signins_by_age ON signins (tenant_no, created_at);
