-- What a user chose in the portal (Preview on or off, the interactive report's columns, the
-- last filter), kept per tenant and user so it follows them between browsers.
CREATE TABLE preferences (
    tenant_no INTEGER NOT NULL REFERENCES tenants (no),
    user_key  TEXT NOT NULL,
    name      TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (tenant_no, user_key, name)
);
