//! The admin page (`/admin`): the tenant's users and roles, its licence and its retention.
//! Server-rendered forms that work without WASM. The four reader roles may read it; only a
//! Global Administrator may change anything — checked here, on every request, against the
//! session's role and the form's CSRF token. Every change is limited to the session's tenant.

use crate::accounts::{self, AccountError};
use crate::auth::pages::{esc, page};
use crate::state::AppState;
use app::api::access::Principal;
use app::store::{AppRegistration, Licence, Role, StoreError, Tenant, UserAccount};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;

/// A message at the top of the page.
enum Notice {
    Done(String),
    Failed(String),
    Password {
        upn: String,
        password: String,
    },
    Secret {
        name: String,
        client_id: String,
        secret: String,
    },
}

fn forbidden(text: &str) -> Response {
    let body = format!(
        r#"<main class="auth-card"><p class="brand">Signbook</p><h1>Not allowed</h1><p>{}</p><p><a href="/">Back to sign-in logs</a></p></main>"#,
        esc(text)
    );
    (StatusCode::FORBIDDEN, Html(page("Not allowed", &body))).into_response()
}

fn role_options(selected: Role) -> String {
    Role::ALL
        .iter()
        .map(|r| {
            format!(
                r#"<option value="{}"{}>{}</option>"#,
                r.as_str(),
                if *r == selected { " selected" } else { "" },
                r.label()
            )
        })
        .collect()
}

fn status_of(user: &UserAccount, now: i64) -> String {
    let mut parts = Vec::new();
    if user.disabled {
        parts.push("Disabled".to_owned());
    }
    if user.locked_until > now {
        let until = chrono::DateTime::from_timestamp_micros(user.locked_until)
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default();
        parts.push(format!("Locked until {until}"));
    }
    if user.must_change_password {
        parts.push("Must change password".to_owned());
    }
    if parts.is_empty() {
        "Active".to_owned()
    } else {
        parts.join(" · ")
    }
}

fn retention_text(days: Option<i32>) -> String {
    days.map_or_else(|| "Unlimited".to_owned(), |d| format!("{d} days"))
}

async fn render(
    state: &AppState,
    who: &Principal,
    notice: Option<Notice>,
    status: StatusCode,
) -> Response {
    let store = state.store.as_ref();
    // Read afresh: the session's copy may predate a change made on this page.
    let tenant = match store.find_tenant(&who.tenant.id).await {
        Ok(Some(t)) => t,
        Ok(None) => return forbidden("Your tenant no longer exists."),
        Err(e) => {
            tracing::error!(error = %e, "reading the tenant failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The admin page could not be read.",
            )
                .into_response();
        }
    };
    let users = match store.list_users(&tenant.id).await {
        Ok(u) => u,
        Err(e) => {
            tracing::error!(error = %e, "listing users failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The admin page could not be read.",
            )
                .into_response();
        }
    };
    let admin = who.user.role.administers();
    let csrf = esc(&who.csrf);
    let now = state.auth.clock.now();
    let notice = match notice {
        Some(Notice::Done(t)) => format!(r#"<p class="form-note" role="status">{}</p>"#, esc(&t)),
        Some(Notice::Failed(t)) => format!(r#"<p class="form-error" role="alert">{}</p>"#, esc(&t)),
        Some(Notice::Password { upn, password }) => format!(
            r#"<div class="one-time" role="status"><p>One-time password for <strong>{}</strong> — shown only now. Hand it over safely; it must be changed at the first sign-in:</p><p><code class="secret">{}</code></p></div>"#,
            esc(&upn),
            esc(&password)
        ),
        Some(Notice::Secret {
            name,
            client_id,
            secret,
        }) => format!(
            r#"<div class="one-time" role="status"><p>Client secret of <strong>{}</strong> — shown only now; store it in the tool that calls the API:</p><p>client_id=<code class="secret">{}</code></p><p>client_secret=<code class="secret">{}</code></p></div>"#,
            esc(&name),
            esc(&client_id),
            esc(&secret)
        ),
        None => String::new(),
    };
    let apps = match store.list_apps(&tenant.id).await {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "listing apps failed");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The admin page could not be read.",
            )
                .into_response();
        }
    };
    let apps_section = apps_section(&apps, admin, &csrf, &tenant);
    let read_only = if admin {
        String::new()
    } else {
        format!(
            r#"<p class="scope-note" role="note">You can read these settings as a {}; only a Global Administrator can change them.</p>"#,
            who.user.role.label()
        )
    };
    let tenant_form = if admin {
        let licence_options: String = [Licence::Premium, Licence::Free]
            .iter()
            .map(|l| {
                format!(
                    r#"<option value="{}"{}>{}</option>"#,
                    l.as_str(),
                    if *l == tenant.licence {
                        " selected"
                    } else {
                        ""
                    },
                    l.label()
                )
            })
            .collect();
        let days = tenant
            .retention_days
            .map(|d| d.to_string())
            .unwrap_or_default();
        format!(
            r#"<form method="post" action="/admin/tenant" class="admin-form">
<input type="hidden" name="csrf" value="{csrf}">
<label for="licence">Licence</label>
<select id="licence" name="licence">{licence_options}</select>
<label for="retention">Retention in days (empty: unlimited)</label>
<input id="retention" name="retention" type="number" min="1" max="36500" value="{days}">
<button type="submit">Save licence and retention</button>
<p class="auth-help">Shortening the retention deletes older sign-ins at the next retention run (within 15 minutes); they cannot be brought back.</p>
</form>"#
        )
    } else {
        String::new()
    };
    let rows: String = users
        .iter()
        .map(|u| {
            let upn = esc(&u.upn);
            let actions = if admin {
                let toggle = if u.disabled {
                    ("enable", "Enable")
                } else {
                    ("disable", "Disable")
                };
                let unlock = if u.locked_until > now {
                    format!(r#"<form method="post" action="/admin/users/unlock"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="upn" value="{upn}"><button type="submit">Unlock</button></form>"#)
                } else {
                    String::new()
                };
                format!(
                    r#"<td class="actions">
<form method="post" action="/admin/users/role"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="upn" value="{upn}"><label class="sr-only" for="role-{id}">Role of {upn}</label><select id="role-{id}" name="role">{options}</select><button type="submit">Change role</button></form>
<form method="post" action="/admin/users/reset"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="upn" value="{upn}"><button type="submit">Reset password</button></form>
<form method="post" action="/admin/users/{toggle_path}"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="upn" value="{upn}"><button type="submit">{toggle_label}</button></form>
{unlock}</td>"#,
                    id = esc(&u.id),
                    options = role_options(u.role),
                    toggle_path = toggle.0,
                    toggle_label = toggle.1,
                )
            } else {
                String::new()
            };
            format!(
                "<tr><td>{}</td><td>{upn}</td><td>{}</td><td>{}</td>{actions}</tr>",
                esc(&u.display_name),
                u.role.label(),
                esc(&status_of(u, now)),
            )
        })
        .collect();
    let actions_head = if admin {
        "<th scope=\"col\">Actions</th>"
    } else {
        ""
    };
    let create = if admin {
        format!(
            r#"<section aria-labelledby="add-title"><h2 id="add-title">Add a user</h2>
<form method="post" action="/admin/users/create" class="admin-form">
<input type="hidden" name="csrf" value="{csrf}">
<label for="new-upn">User principal name</label>
<input id="new-upn" name="upn" type="email" required placeholder="name@contoso.com">
<label for="new-name">Display name</label>
<input id="new-name" name="display_name" type="text">
<label for="new-role">Role</label>
<select id="new-role" name="role">{}</select>
<button type="submit">Add user</button>
<p class="auth-help">A one-time password is shown once; the user chooses their own at the first sign-in.</p>
</form></section>"#,
            role_options(Role::User)
        )
    } else {
        String::new()
    };
    let body = format!(
        r#"<header class="topbar"><span class="brand">Signbook</span><nav aria-label="Breadcrumb" class="crumbs"><a href="/">Sign-in logs</a><span aria-hidden="true"> › </span><span aria-current="page">Tenant settings</span></nav>
<span class="who"><span class="who-name">{name}</span><span class="who-role">{tenant_name} · {role}</span></span>
<form method="post" action="/signout" class="signout"><input type="hidden" name="csrf" value="{csrf}"><button type="submit" class="link-button">Sign out</button></form></header>
<main class="admin">
<h1>Tenant settings</h1>
{notice}{read_only}
<section aria-labelledby="tenant-title"><h2 id="tenant-title">Licence and retention</h2>
<dl class="facts"><dt>Tenant</dt><dd>{tenant_name}</dd><dt>Tenant ID</dt><dd><code>{tenant_id}</code></dd><dt>Licence</dt><dd>{licence}</dd><dt>Retention</dt><dd>{retention}</dd></dl>
{tenant_form}</section>
<section aria-labelledby="users-title"><h2 id="users-title">Users</h2>
<table class="admin-table"><thead><tr><th scope="col">Name</th><th scope="col">User principal name</th><th scope="col">Role</th><th scope="col">Status</th>{actions_head}</tr></thead>
<tbody>{rows}</tbody></table></section>
{create}
{apps_section}
</main>"#,
        name = esc(&who.user.display_name),
        tenant_name = esc(&tenant.name),
        role = who.user.role.label(),
        tenant_id = esc(&tenant.id),
        licence = tenant.licence.label(),
        retention = retention_text(tenant.retention_days),
    );
    let mut response = (status, Html(page("Tenant settings", &body))).into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// The app registrations section: the tenant's apps, and (for a Global Administrator) forms
/// to register one, give it a new secret, disable, enable or delete it.
fn apps_section(apps: &[AppRegistration], admin: bool, csrf: &str, tenant: &Tenant) -> String {
    let rows: String = apps
        .iter()
        .map(|a| {
            let id = esc(&a.client_id);
            let actions = if admin {
                let toggle = if a.disabled {
                    ("enable", "Enable")
                } else {
                    ("disable", "Disable")
                };
                let form = |path: &str, label: &str| {
                    format!(r#"<form method="post" action="/admin/apps/{path}"><input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="client_id" value="{id}"><button type="submit">{label}</button></form>"#)
                };
                format!(
                    r#"<td class="actions">{}{}{}</td>"#,
                    form("secret", "New secret"),
                    form(toggle.0, toggle.1),
                    form("delete", "Delete")
                )
            } else {
                String::new()
            };
            format!(
                "<tr><td>{}</td><td><code>{id}</code></td><td><code>{}</code></td><td>{}…</td><td>{}</td><td>{}</td>{actions}</tr>",
                esc(&a.display_name),
                esc(&a.object_id),
                esc(&a.secret_hint),
                if a.permissions.is_empty() {
                    "None".to_owned()
                } else {
                    esc(&a.permissions.join(", "))
                },
                if a.disabled { "Disabled" } else { "Enabled" },
            )
        })
        .collect();
    let table = if apps.is_empty() {
        "<p>No apps are registered: tools read sign-ins through the API with an app's client secret.</p>".to_owned()
    } else {
        format!(
            r#"<table class="admin-table"><thead><tr><th scope="col">Name</th><th scope="col">Application (client) ID</th><th scope="col">Object ID</th><th scope="col">Secret</th><th scope="col">Permissions</th><th scope="col">Status</th>{}</tr></thead><tbody>{rows}</tbody></table>"#,
            if admin {
                "<th scope=\"col\">Actions</th>"
            } else {
                ""
            }
        )
    };
    let create = if admin {
        format!(
            r#"<form method="post" action="/admin/apps/create" class="admin-form">
<input type="hidden" name="csrf" value="{csrf}">
<label for="app-name">App name</label>
<input id="app-name" name="name" type="text" required maxlength="120" placeholder="SIEM export">
<label class="check"><input type="checkbox" name="ingest"> Also push sign-ins (POST /api/v1/ingest)</label>
<button type="submit">Register app</button>
<p class="auth-help">The app gets AuditLog.Read.All and a client secret shown once. It asks for tokens at <code>POST /{}/oauth2/v2.0/token</code> and calls <code>/v1.0/auditLogs/signIns</code> (see docs/API.md).</p>
</form>"#,
            esc(&tenant.id)
        )
    } else {
        String::new()
    };
    format!(
        r#"<section aria-labelledby="apps-title"><h2 id="apps-title">App registrations (reporting API)</h2>{table}{create}</section>"#
    )
}

/// `GET /admin`.
pub async fn admin_page(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
) -> Response {
    match principal {
        Some(Extension(p)) if p.user.role.sees_tenant() => {
            render(&state, &p, None, StatusCode::OK).await
        }
        Some(_) => {
            forbidden("Only administrators and report readers can open the tenant settings.")
        }
        None => forbidden("Please sign in."),
    }
}

/// A form about one user.
#[derive(Debug, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    upn: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    display_name: String,
}

/// The tenant form.
#[derive(Debug, Deserialize)]
pub struct TenantForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    licence: String,
    #[serde(default)]
    retention: String,
}

fn refuse(text: &str) -> Box<Response> {
    Box::new(forbidden(text))
}

/// The Global Administrator behind a changing request, or the answer refusing it.
fn administrator(
    principal: Option<Extension<Principal>>,
    csrf: &str,
) -> Result<Principal, Box<Response>> {
    let Some(Extension(p)) = principal else {
        return Err(refuse("Please sign in."));
    };
    if csrf.is_empty() || csrf != p.csrf {
        return Err(refuse(
            "This form had expired; reload the page and try again.",
        ));
    }
    if !p.user.role.administers() {
        return Err(refuse(
            "Only a Global Administrator can change users, the licence or retention.",
        ));
    }
    Ok(p)
}

async fn answer(
    state: &AppState,
    who: &Principal,
    result: Result<Notice, AccountError>,
) -> Response {
    match result {
        Ok(notice) => render(state, who, Some(notice), StatusCode::OK).await,
        Err(AccountError::Store(e)) => {
            tracing::error!(error = %e, "an admin change failed");
            render(
                state,
                who,
                Some(Notice::Failed(
                    "The change could not be saved on our side; nothing was changed.".into(),
                )),
                StatusCode::INTERNAL_SERVER_ERROR,
            )
            .await
        }
        Err(AccountError::NotFound(upn)) => {
            render(
                state,
                who,
                Some(Notice::Failed(format!(
                    "There is no user {upn} in this tenant."
                ))),
                StatusCode::NOT_FOUND,
            )
            .await
        }
        Err(e) => {
            render(
                state,
                who,
                Some(Notice::Failed(e.to_string())),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

/// `POST /admin/tenant`: licence and retention.
pub async fn update_tenant(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Form(form): Form<TenantForm>,
) -> Response {
    let who = match administrator(principal, &form.csrf) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let result = async {
        let licence = Licence::parse(&form.licence)
            .ok_or_else(|| AccountError::Invalid(format!("{:?} is not a licence", form.licence)))?;
        let retention = form.retention.trim();
        let retention_days = if retention.is_empty() || retention.eq_ignore_ascii_case("unlimited") {
            None
        } else {
            Some(
                retention
                    .parse::<i32>()
                    .ok()
                    .filter(|d| (1..=36_500).contains(d))
                    .ok_or_else(|| AccountError::Invalid("Retention is a number of days from 1 to 36,500, or empty for unlimited.".into()))?,
            )
        };
        let tenant = Tenant {
            licence,
            retention_days,
            ..who.tenant.clone()
        };
        state.store.update_tenant(&tenant).await?;
        Ok(Notice::Done(format!(
            "Saved: {} licence, retention {}.",
            licence.label(),
            retention_text(retention_days).to_lowercase()
        )))
    }
    .await;
    answer(&state, &who, result).await
}

/// `POST /admin/users/create`.
pub async fn create_user(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Form(form): Form<UserForm>,
) -> Response {
    let who = match administrator(principal, &form.csrf) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let result = async {
        let role = Role::parse(&form.role)
            .ok_or_else(|| AccountError::Invalid(format!("{:?} is not a role", form.role)))?;
        let made = accounts::create_user(
            state.store.as_ref(),
            &who.tenant,
            &form.upn,
            Some(&form.display_name),
            role,
            None,
        )
        .await?;
        Ok(Notice::Password {
            upn: made.user.upn,
            password: made.one_time_password.unwrap_or_default(),
        })
    }
    .await;
    answer(&state, &who, result).await
}

/// A change to one account.
#[derive(Clone, Copy)]
enum Change {
    Role,
    Reset,
    Disable,
    Enable,
    Unlock,
}

async fn change(
    state: AppState,
    principal: Option<Extension<Principal>>,
    form: UserForm,
    what: Change,
) -> Response {
    let who = match administrator(principal, &form.csrf) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let store = state.store.as_ref();
    let result = async {
        let user = accounts::find(store, &who.tenant, &form.upn).await?;
        Ok(match what {
            Change::Role => {
                let role = Role::parse(&form.role).ok_or_else(|| {
                    AccountError::Invalid(format!("{:?} is not a role", form.role))
                })?;
                let u = accounts::set_role(store, &user, role).await?;
                Notice::Done(format!("{} is now a {}.", u.upn, u.role.label()))
            }
            Change::Reset => {
                let made = accounts::reset_password(store, &user, None).await?;
                Notice::Password {
                    upn: made.user.upn,
                    password: made.one_time_password.unwrap_or_default(),
                }
            }
            Change::Disable => {
                let u = accounts::set_disabled(store, &user, true).await?;
                Notice::Done(format!("{} is disabled and signed out everywhere.", u.upn))
            }
            Change::Enable => {
                let u = accounts::set_disabled(store, &user, false).await?;
                Notice::Done(format!("{} is enabled.", u.upn))
            }
            Change::Unlock => {
                let u = accounts::unlock(store, &user).await?;
                Notice::Done(format!("{} is unlocked.", u.upn))
            }
        })
    }
    .await;
    answer(&state, &who, result).await
}

/// `POST /admin/users/role`.
pub async fn set_role(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Form(form): Form<UserForm>,
) -> Response {
    change(state, principal, form, Change::Role).await
}

/// `POST /admin/users/reset`.
pub async fn reset_password(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Form(form): Form<UserForm>,
) -> Response {
    change(state, principal, form, Change::Reset).await
}

/// `POST /admin/users/disable`.
pub async fn disable(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Form(form): Form<UserForm>,
) -> Response {
    change(state, principal, form, Change::Disable).await
}

/// `POST /admin/users/enable`.
pub async fn enable(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Form(form): Form<UserForm>,
) -> Response {
    change(state, principal, form, Change::Enable).await
}

/// `POST /admin/users/unlock`.
pub async fn unlock(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Form(form): Form<UserForm>,
) -> Response {
    change(state, principal, form, Change::Unlock).await
}

/// A form about one app.
#[derive(Debug, Deserialize)]
pub struct AppForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    ingest: String,
}

/// `POST /admin/apps/create`: registers an app; its secret is shown once.
pub async fn create_app(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Form(form): Form<AppForm>,
) -> Response {
    let who = match administrator(principal, &form.csrf) {
        Ok(p) => p,
        Err(response) => return *response,
    };
    let now = state.auth.clock.now();
    let mut permissions = vec![crate::graph::AUDIT_LOG_READ_ALL];
    if form.ingest == "on" {
        permissions.push(crate::graph::SIGNINS_INGEST);
    }
    let notice = match crate::graph::apps::register(
        state.store.as_ref(),
        &who.tenant,
        &form.name,
        &permissions,
        now,
    )
    .await
    {
        Ok((app, secret)) => Notice::Secret {
            name: app.display_name,
            client_id: app.client_id,
            secret,
        },
        Err(e) => {
            return render(
                &state,
                &who,
                Some(Notice::Failed(format!("The app was not registered: {e}."))),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    };
    render(&state, &who, Some(notice), StatusCode::OK).await
}

/// What a form does to an app.
#[derive(Clone, Copy)]
enum AppChange {
    Secret,
    Disable,
    Enable,
    Delete,
}

async fn change_app(
    state: AppState,
    principal: Option<Extension<Principal>>,
    form: AppForm,
    change: AppChange,
) -> Response {
    let who = match administrator(principal, &form.csrf) {
        Ok(p) => p,
        Err(response) => return *response,
    };
    let store = state.store.as_ref();
    // Only this tenant's apps: another tenant's client ID is "not found" here.
    let app = match store.find_app(&form.client_id).await {
        Ok(Some(a)) if a.tenant_id == who.tenant.id => a,
        Ok(_) => {
            return render(
                &state,
                &who,
                Some(Notice::Failed(format!(
                    "There is no app {} in this tenant.",
                    form.client_id.trim()
                ))),
                StatusCode::NOT_FOUND,
            )
            .await
        }
        Err(e) => return answer(&state, &who, Err(AccountError::Store(e))).await,
    };
    let result: Result<Notice, StoreError> = match change {
        AppChange::Secret => crate::graph::apps::new_app_secret(store, &app.client_id)
            .await
            .map(|secret| Notice::Secret {
                name: app.display_name.clone(),
                client_id: app.client_id.clone(),
                secret,
            }),
        AppChange::Disable => store
            .set_app_disabled(&app.client_id, true)
            .await
            .map(|()| {
                Notice::Done(format!(
                    "{} is disabled: it gets no tokens, and its tokens stop working.",
                    app.display_name
                ))
            }),
        AppChange::Enable => store
            .set_app_disabled(&app.client_id, false)
            .await
            .map(|()| Notice::Done(format!("{} is enabled.", app.display_name))),
        AppChange::Delete => store.delete_app(&app.client_id).await.map(|()| {
            Notice::Done(format!(
                "{} is deleted; its sign-ins stay in the log.",
                app.display_name
            ))
        }),
    };
    answer(&state, &who, result.map_err(AccountError::Store)).await
}

/// `POST /admin/apps/secret`.
pub async fn app_secret(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Form(form): Form<AppForm>,
) -> Response {
    change_app(state, principal, form, AppChange::Secret).await
}

/// `POST /admin/apps/disable`.
pub async fn disable_app(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Form(form): Form<AppForm>,
) -> Response {
    change_app(state, principal, form, AppChange::Disable).await
}

/// `POST /admin/apps/enable`.
pub async fn enable_app(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Form(form): Form<AppForm>,
) -> Response {
    change_app(state, principal, form, AppChange::Enable).await
}

/// `POST /admin/apps/delete`.
pub async fn delete_app(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Form(form): Form<AppForm>,
) -> Response {
    change_app(state, principal, form, AppChange::Delete).await
}
