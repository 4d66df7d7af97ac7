-- App registrations (issue #5): service principals that read a tenant's sign-ins through the
-- reporting API with a client secret. Only the secret's SHA-256 is kept, and its first three
-- characters to tell secrets apart, as Entra shows them. Times are microseconds.
CREATE TABLE apps (
    no           INTEGER PRIMARY KEY,
    client_id    TEXT NOT NULL UNIQUE,
    object_id    TEXT NOT NULL UNIQUE,
    tenant_no    INTEGER NOT NULL REFERENCES tenants (no),
    display_name TEXT NOT NULL,
    secret_hash  TEXT NOT NULL,
    secret_hint  TEXT NOT NULL,
    permissions  TEXT NOT NULL,
    disabled     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
);
CREATE INDEX apps_by_tenant ON apps (tenant_no);

-- Keys the server signs with (access tokens, paging tokens), made once per database so that
-- every process serving it agrees.
CREATE TABLE server_keys (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
