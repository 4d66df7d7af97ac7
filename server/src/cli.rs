//! The command line: `signbook [serve]`, `import`, `demo`, `tenant`, `ingest-key`.

use crate::demo::{generate, DemoOptions};
use crate::tenants::{create_tenant, ensure_tenant, DEMO_TENANT};
use anyhow::Context;
use app::store::{Licence, NewSignIn, Role, Store};
use chrono::{DateTime, Timelike, Utc};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Signbook: a self-hosted sign-in activity report portal.
#[derive(Debug, Parser)]
#[command(name = "signbook", version, about)]
pub struct Cli {
    /// Database: sqlite://PATH (created on first use) or postgres://USER@HOST/DB.
    #[arg(
        long,
        global = true,
        env = "SIGNBOOK_DATABASE_URL",
        default_value = "sqlite://data/signbook.db"
    )]
    pub database_url: String,

    /// Log filter, e.g. `info`, `debug`, `signbook=debug,sqlx=warn` (also SIGNBOOK_LOG).
    #[arg(long, global = true)]
    pub log_level: Option<String>,

    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal and the APIs (the default). The address comes from LEPTOS_SITE_ADDR
    /// (default 127.0.0.1:3000). On an empty database, the demo tenant is created and seeded.
    Serve(ServeArgs),
    /// Import sign-ins from files: Graph pages, JSON/NDJSON records, diagnostic-settings
    /// records, the portal's CSV download files, Log Analytics CSV exports.
    Import(ImportArgs),
    /// Write a deterministic, realistic demo tenant.
    Demo(DemoArgs),
    /// Manage tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage the keys tools use to push records to POST /api/v1/ingest.
    #[command(subcommand, name = "ingest-key")]
    IngestKey(IngestKeyCommand),
    /// Manage portal accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage app registrations: service principals that read sign-ins through the reporting
    /// API (/v1.0/auditLogs/signIns) with a client secret.
    #[command(subcommand)]
    App(AppCommand),
}

/// `app` subcommands.
#[derive(Debug, Subcommand)]
pub enum AppCommand {
    /// Register an app with AuditLog.Read.All; prints client_id=… client_secret=… (the secret
    /// is shown once).
    Create {
        /// The tenant (name or ID).
        #[arg(long)]
        tenant: String,
        /// The app's display name.
        name: String,
        /// Register it without AuditLog.Read.All (its tokens are refused by the API).
        #[arg(long)]
        no_permission: bool,
        /// Also let it push sign-ins to POST /api/v1/ingest with its tokens
        /// (Signbook.SignIns.Ingest).
        #[arg(long)]
        ingest: bool,
    },
    /// List a tenant's apps.
    List {
        /// The tenant (name or ID).
        #[arg(long)]
        tenant: String,
    },
    /// Give an app a new client secret (the old one stops working); prints it once.
    NewSecret {
        /// The application (client) ID.
        client_id: String,
    },
    /// Disable an app: it gets no tokens and its tokens stop working.
    Disable {
        /// The application (client) ID.
        client_id: String,
    },
    /// Enable a disabled app.
    Enable {
        /// The application (client) ID.
        client_id: String,
    },
    /// Delete an app registration (its sign-ins stay).
    Delete {
        /// The application (client) ID.
        client_id: String,
    },
}

/// `user` subcommands. ROLE is one of global-administrator, security-administrator,
/// security-reader, reports-reader, user.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. Prints a one-time password (changed at the first sign-in), or
    /// with --password-stdin sets the password read from standard input.
    Create {
        /// The tenant (name or ID).
        #[arg(long)]
        tenant: String,
        /// The user principal name (name@domain), unique across tenants.
        #[arg(long)]
        upn: String,
        /// The role.
        #[arg(long, default_value = "user")]
        role: String,
        /// The display name (default: the UPN's name part).
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input (one line) instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List a tenant's accounts: UPN, role, status.
    List {
        /// The tenant (name or ID).
        #[arg(long)]
        tenant: String,
    },
    /// Change an account's role.
    SetRole {
        /// The tenant (name or ID).
        #[arg(long)]
        tenant: String,
        /// The account.
        #[arg(long)]
        upn: String,
        /// The new role.
        role: String,
    },
    /// Reset a password: prints a one-time password, or with --password-stdin sets the one
    /// read from standard input. Clears a lockout and ends the account's sessions.
    ResetPassword {
        /// The tenant (name or ID).
        #[arg(long)]
        tenant: String,
        /// The account.
        #[arg(long)]
        upn: String,
        /// Read the password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account (it cannot sign in; its sessions end).
    Disable {
        /// The tenant (name or ID).
        #[arg(long)]
        tenant: String,
        /// The account.
        #[arg(long)]
        upn: String,
    },
    /// Enable a disabled account.
    Enable {
        /// The tenant (name or ID).
        #[arg(long)]
        tenant: String,
        /// The account.
        #[arg(long)]
        upn: String,
    },
    /// Clear an account's lockout.
    Unlock {
        /// The tenant (name or ID).
        #[arg(long)]
        tenant: String,
        /// The account.
        #[arg(long)]
        upn: String,
    },
}

/// `serve`'s options alone, to read them (from the environment) when no subcommand is given.
#[derive(Debug, Parser)]
struct ServeOnly {
    #[command(flatten)]
    args: ServeArgs,
}

/// `serve` options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Do not create the demo tenant on an empty database.
    #[arg(long)]
    pub no_demo: bool,
    /// How many demo sign-ins to create on an empty database.
    #[arg(long, default_value_t = 60_000)]
    pub demo_events: u64,
    /// Minutes a portal session may stay unused before it ends.
    #[arg(long, env = "SIGNBOOK_SESSION_IDLE_MINUTES", default_value_t = 60)]
    pub session_idle_minutes: i64,
    /// Hours after sign-in a portal session ends, used or not.
    #[arg(long, env = "SIGNBOOK_SESSION_MAX_HOURS", default_value_t = 12)]
    pub session_max_hours: i64,
    /// Cookies marked Secure: auto (when a trusted proxy says the request came over HTTPS),
    /// always or never.
    #[arg(long, env = "SIGNBOOK_SECURE_COOKIES", default_value = "auto")]
    pub secure_cookies: String,
    /// Trust X-Forwarded-For and X-Forwarded-Proto (only behind a reverse proxy that sets them).
    #[arg(long, env = "SIGNBOOK_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// Minutes between runs of the retention job.
    #[arg(long, env = "SIGNBOOK_RETENTION_EVERY_MINUTES", default_value_t = 15)]
    pub retention_every_minutes: u64,
    /// Reporting API requests allowed per app (or user) and tenant: N/10s, N/1m, or off
    /// (Graph itself allows 5/10s).
    #[arg(long, env = "SIGNBOOK_API_RATE", default_value = "50/10s", value_parser = parse_api_rate)]
    pub api_rate: ApiRate,
}

/// A parsed `SIGNBOOK_API_RATE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiRate(pub Option<crate::auth::limiter::Rate>);

fn parse_api_rate(text: &str) -> Result<ApiRate, String> {
    crate::graph::parse_rate(text).map(ApiRate)
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            no_demo: false,
            demo_events: 60_000,
            session_idle_minutes: 60,
            session_max_hours: 12,
            secure_cookies: "auto".into(),
            trust_proxy: false,
            retention_every_minutes: 15,
            api_rate: ApiRate(crate::graph::ApiConfig::default().rate),
        }
    }
}

impl ServeArgs {
    /// The sign-in settings these options give.
    pub fn auth_config(&self) -> crate::auth::AuthConfig {
        const MINUTE: i64 = 60_000_000;
        crate::auth::AuthConfig {
            idle: self.session_idle_minutes.max(1) * MINUTE,
            absolute: self.session_max_hours.max(1) * 60 * MINUTE,
            secure_cookies: match self.secure_cookies.to_ascii_lowercase().as_str() {
                "always" | "on" | "true" => Some(true),
                "never" | "off" | "false" => Some(false),
                _ => None,
            },
            trust_proxy: self.trust_proxy,
            ..crate::auth::AuthConfig::default()
        }
    }

    /// The reporting API settings these options give.
    pub fn api_config(&self) -> crate::graph::ApiConfig {
        crate::graph::ApiConfig {
            rate: self.api_rate.0,
            ..crate::graph::ApiConfig::default()
        }
    }
}

/// `import` options.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The tenant (name or ID) to import into; created as Premium if it does not exist.
    #[arg(long, default_value = DEMO_TENANT)]
    pub tenant: String,
    /// The files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// `demo` options.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The tenant to write into (created as Premium if it does not exist).
    #[arg(long, default_value = DEMO_TENANT)]
    pub tenant: String,
    /// How many sign-ins.
    #[arg(long, default_value_t = 100_000)]
    pub events: u64,
    /// Over how many days before --end.
    #[arg(long, default_value_t = 30)]
    pub days: u32,
    /// The seed: the same seed and options give the same records.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The newest sign-in time (RFC 3339; default: now, to the hour).
    #[arg(long)]
    pub end: Option<DateTime<Utc>>,
}

/// `tenant` subcommands.
#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant.
    Create {
        /// Its name.
        name: String,
        /// free or premium.
        #[arg(long, default_value = "premium")]
        licence: String,
        /// Days to keep sign-ins, or `unlimited` (default: 7 for free, 30 for premium).
        #[arg(long)]
        retention: Option<String>,
    },
    /// List tenants: id, name, licence, retention.
    List,
    /// Change a tenant's licence or retention.
    Set {
        /// The tenant (name or ID).
        name: String,
        /// free or premium.
        #[arg(long)]
        licence: Option<String>,
        /// Days to keep sign-ins, or `unlimited`.
        #[arg(long)]
        retention: Option<String>,
    },
}

/// `ingest-key` subcommands.
#[derive(Debug, Subcommand)]
pub enum IngestKeyCommand {
    /// Create a key for a tenant; it is printed once and only its hash is kept.
    Create {
        /// The tenant (name or ID).
        #[arg(long)]
        tenant: String,
        /// A name for people ("SIEM forwarder").
        #[arg(long, default_value = "ingest")]
        name: String,
    },
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // No subcommand: serve, with the options' environment variables still read.
    let command = cli
        .command
        .unwrap_or_else(|| Command::Serve(ServeOnly::parse_from(["signbook"]).args));
    let store = crate::store::open(&cli.database_url).await?;
    match command {
        Command::Serve(args) => {
            crate::web::serve(store, &args).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(args) => import(store, args).await,
        Command::Demo(args) => {
            let (tenant, _) = ensure_tenant(store.as_ref(), &args.tenant).await?;
            let end = args.end.unwrap_or_else(default_demo_end);
            let options = DemoOptions {
                events: args.events,
                days: args.days,
                seed: args.seed,
                end,
                tenant_id: tenant.id.clone(),
            };
            let outcome = write_demo(store.as_ref(), &tenant.id, &options).await?;
            if store.list_users(&tenant.id).await?.is_empty() {
                for (upn, role) in
                    crate::accounts::create_demo_accounts(store.as_ref(), &tenant, args.seed)
                        .await?
                {
                    eprintln!(
                        "demo account {upn} ({role}), password {}",
                        crate::accounts::DEMO_PASSWORD
                    );
                }
            }
            store
                .optimize()
                .await
                .context("refreshing the planner's statistics")?;
            println!(
                "demo tenant {} ({}): inserted={} duplicates={} over {} days to {}",
                tenant.name,
                tenant.id,
                outcome.inserted,
                outcome.duplicates,
                args.days,
                end.to_rfc3339()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Tenant(TenantCommand::Create {
            name,
            licence,
            retention,
        }) => {
            let licence = parse_licence(&licence)?;
            let retention_days = match retention.as_deref() {
                None => Some(licence.default_retention_days()),
                Some(text) => parse_retention(text)?,
            };
            let tenant = create_tenant(store.as_ref(), &name, licence, retention_days).await?;
            print_tenant(&tenant);
            Ok(ExitCode::SUCCESS)
        }
        Command::Tenant(TenantCommand::List) => {
            println!("id\tname\tlicence\tretention");
            for t in store.list_tenants().await? {
                print_tenant(&t);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Tenant(TenantCommand::Set {
            name,
            licence,
            retention,
        }) => {
            let mut tenant = find_tenant(store.as_ref(), &name).await?;
            if let Some(l) = licence {
                tenant.licence = parse_licence(&l)?;
            }
            if let Some(r) = retention {
                tenant.retention_days = parse_retention(&r)?;
            }
            store.update_tenant(&tenant).await?;
            print_tenant(&tenant);
            Ok(ExitCode::SUCCESS)
        }
        Command::User(command) => user(store.as_ref(), command).await,
        Command::App(command) => app_command(store.as_ref(), command).await,
        Command::IngestKey(IngestKeyCommand::Create { tenant, name }) => {
            let tenant = store
                .find_tenant(&tenant)
                .await?
                .with_context(|| format!("no tenant named {tenant:?}"))?;
            let key = crate::keys::new_ingest_key();
            store
                .insert_ingest_key(&tenant.id, &name, &crate::keys::hash_key(&key))
                .await?;
            println!("{key}");
            eprintln!(
                "ingest key for tenant {}: shown once; send it as 'Authorization: Bearer <key>'",
                tenant.name
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn app_command(store: &dyn Store, command: AppCommand) -> anyhow::Result<ExitCode> {
    let find_tenant = |name: String| async move {
        store
            .find_tenant(&name)
            .await?
            .with_context(|| format!("no tenant named {name:?}"))
    };
    let known = |client_id: &str, e: app::store::StoreError| match e {
        app::store::StoreError::NotFound => anyhow::anyhow!("no app with client ID {client_id:?}"),
        other => anyhow::Error::from(other),
    };
    match command {
        AppCommand::Create {
            tenant,
            name,
            no_permission,
            ingest,
        } => {
            let tenant = find_tenant(tenant).await?;
            let now = chrono::Utc::now().timestamp_micros();
            let mut permissions = Vec::new();
            if !no_permission {
                permissions.push(crate::graph::AUDIT_LOG_READ_ALL);
            }
            if ingest {
                permissions.push(crate::graph::SIGNINS_INGEST);
            }
            let (app, secret) =
                crate::graph::apps::register(store, &tenant, &name, &permissions, now).await?;
            println!("client_id={} client_secret={secret}", app.client_id);
            eprintln!(
                "app {:?} in tenant {} (object ID {}, permissions: {}); the secret is shown once.\n\
                 Token: POST /{}/oauth2/v2.0/token with grant_type=client_credentials",
                app.display_name,
                tenant.name,
                app.object_id,
                if app.permissions.is_empty() { "none".to_owned() } else { app.permissions.join(" ") },
                tenant.id
            );
        }
        AppCommand::List { tenant } => {
            let tenant = find_tenant(tenant).await?;
            for app in store.list_apps(&tenant.id).await? {
                println!(
                    "{}\t{}\tsecret {}…\t{}\t{}",
                    app.client_id,
                    app.display_name,
                    app.secret_hint,
                    if app.permissions.is_empty() {
                        "no permissions".to_owned()
                    } else {
                        app.permissions.join(" ")
                    },
                    if app.disabled { "disabled" } else { "enabled" }
                );
            }
        }
        AppCommand::NewSecret { client_id } => {
            let secret = crate::graph::apps::new_app_secret(store, &client_id)
                .await
                .map_err(|e| known(&client_id, e))?;
            println!(
                "client_id={} client_secret={secret}",
                client_id.trim().to_lowercase()
            );
            eprintln!("the old secret no longer works; this one is shown once");
        }
        AppCommand::Disable { client_id } => {
            store
                .set_app_disabled(&client_id, true)
                .await
                .map_err(|e| known(&client_id, e))?;
            eprintln!("disabled app {client_id}: it gets no tokens and its tokens stop working");
        }
        AppCommand::Enable { client_id } => {
            store
                .set_app_disabled(&client_id, false)
                .await
                .map_err(|e| known(&client_id, e))?;
            eprintln!("enabled app {client_id}");
        }
        AppCommand::Delete { client_id } => {
            store
                .delete_app(&client_id)
                .await
                .map_err(|e| known(&client_id, e))?;
            eprintln!("deleted app {client_id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_licence(text: &str) -> anyhow::Result<Licence> {
    Licence::parse(text).with_context(|| format!("--licence must be free or premium, not {text:?}"))
}

fn parse_retention(text: &str) -> anyhow::Result<Option<i32>> {
    if text.eq_ignore_ascii_case("unlimited") {
        return Ok(None);
    }
    text.parse::<i32>()
        .ok()
        .filter(|d| (1..=36_500).contains(d))
        .map(Some)
        .with_context(|| {
            format!("--retention must be a number of days (1 to 36500) or unlimited, not {text:?}")
        })
}

async fn find_tenant(store: &dyn Store, name: &str) -> anyhow::Result<app::store::Tenant> {
    store
        .find_tenant(name)
        .await?
        .with_context(|| format!("no tenant named {name:?}"))
}

fn read_password_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

/// The account `upn` of the tenant named `tenant`.
async fn account(
    store: &dyn Store,
    tenant: &str,
    upn: &str,
) -> anyhow::Result<app::store::UserAccount> {
    let tenant = find_tenant(store, tenant).await?;
    Ok(crate::accounts::find(store, &tenant, upn).await?)
}

fn parse_role(text: &str) -> anyhow::Result<Role> {
    Role::parse(text).with_context(|| {
        format!(
            "{text:?} is not a role: use global-administrator, security-administrator, security-reader, reports-reader or user"
        )
    })
}

async fn user(store: &dyn Store, command: UserCommand) -> anyhow::Result<ExitCode> {
    use crate::accounts;
    let show = |u: &app::store::UserAccount| {
        println!(
            "{}\t{}\t{}\t{}",
            u.upn,
            u.role.as_str(),
            if u.disabled { "disabled" } else { "enabled" },
            u.display_name
        );
    };
    let one_time = |password: Option<String>| {
        if let Some(p) = password {
            println!("one-time password: {p}");
            eprintln!("shown once; it must be changed at the first sign-in");
        }
    };
    match command {
        UserCommand::Create {
            tenant,
            upn,
            role,
            display_name,
            password_stdin,
        } => {
            let tenant = find_tenant(store, &tenant).await?;
            let role = parse_role(&role)?;
            let password = password_stdin.then(read_password_stdin).transpose()?;
            let made = accounts::create_user(
                store,
                &tenant,
                &upn,
                display_name.as_deref(),
                role,
                password,
            )
            .await?;
            show(&made.user);
            one_time(made.one_time_password);
        }
        UserCommand::List { tenant } => {
            let tenant = find_tenant(store, &tenant).await?;
            println!("upn\trole\tstatus\tname");
            for u in store.list_users(&tenant.id).await? {
                show(&u);
            }
        }
        UserCommand::SetRole { tenant, upn, role } => {
            let role = parse_role(&role)?;
            let user = account(store, &tenant, &upn).await?;
            show(&accounts::set_role(store, &user, role).await?);
        }
        UserCommand::ResetPassword {
            tenant,
            upn,
            password_stdin,
        } => {
            let user = account(store, &tenant, &upn).await?;
            let password = password_stdin.then(read_password_stdin).transpose()?;
            let made = accounts::reset_password(store, &user, password).await?;
            show(&made.user);
            one_time(made.one_time_password);
        }
        UserCommand::Disable { tenant, upn } => {
            let user = account(store, &tenant, &upn).await?;
            show(&accounts::set_disabled(store, &user, true).await?);
        }
        UserCommand::Enable { tenant, upn } => {
            let user = account(store, &tenant, &upn).await?;
            show(&accounts::set_disabled(store, &user, false).await?);
        }
        UserCommand::Unlock { tenant, upn } => {
            let user = account(store, &tenant, &upn).await?;
            show(&accounts::unlock(store, &user).await?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One line of `tenant list`: id, name, licence, retention.
fn print_tenant(t: &app::store::Tenant) {
    println!(
        "{}\t{}\t{}\t{}",
        t.id,
        t.name,
        t.licence.as_str(),
        retention_text(t.retention_days)
    );
}

fn retention_text(days: Option<i32>) -> String {
    days.map_or_else(|| "unlimited".to_owned(), |d| format!("{d} days"))
}

/// Now, to the hour: demo data written in the same hour is the same data.
pub fn default_demo_end() -> DateTime<Utc> {
    let now = Utc::now();
    now.with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(now)
}

/// Writes demo records in batches.
pub async fn write_demo(
    store: &dyn Store,
    tenant_id: &str,
    options: &DemoOptions,
) -> anyhow::Result<app::store::InsertOutcome> {
    let mut total = app::store::InsertOutcome::default();
    let mut batch = Vec::with_capacity(5000);
    for record in generate(options) {
        batch.push(NewSignIn::from_record(&record)?);
        if batch.len() == 5000 {
            let o = store.insert_signins(tenant_id, &batch).await?;
            total.inserted += o.inserted;
            total.duplicates += o.duplicates;
            batch.clear();
        }
    }
    let o = store.insert_signins(tenant_id, &batch).await?;
    total.inserted += o.inserted;
    total.duplicates += o.duplicates;
    Ok(total)
}

async fn import(store: Arc<dyn Store>, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let (tenant, created) = ensure_tenant(store.as_ref(), &args.tenant).await?;
    if created {
        eprintln!("created tenant {} ({}, premium)", tenant.name, tenant.id);
    }
    let mut out = std::io::stdout();
    let summary =
        crate::import::import_files(Arc::clone(&store), &tenant, &args.files, &mut out).await?;
    if summary.imported > 10_000 {
        store
            .optimize()
            .await
            .context("refreshing the planner's statistics")?;
    }
    println!("{summary}");
    Ok(if summary.failed_files > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
