-- App registrations (issue #5): service principals that read a tenant's sign-ins through the
-- reporting API with a client secret. Only the secret's SHA-256 is kept, and its first three
-- characters to tell secrets apart, as Entra shows them. Times are microseconds.
CREATE TABLE apps (
    no           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id    text NOT NULL UNIQUE,
    object_id    text NOT NULL UNIQUE,
    tenant_no    bigint NOT NULL REFERENCES tenants (no),
    display_name text NOT NULL,
    secret_hash  text NOT NULL,
    secret_hint  text NOT NULL,
    permissions  text NOT NULL,
    disabled     bigint NOT NULL DEFAULT 0,
    created_at   bigint NOT NULL
);
CREATE INDEX apps_by_tenant ON apps (tenant_no);

-- Keys the server signs with (access tokens, paging tokens), made once per database so that
-- every process serving it agrees.
CREATE TABLE server_keys (
    name  text PRIMARY KEY,
    value text NOT NULL
);
