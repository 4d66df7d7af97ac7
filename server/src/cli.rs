//! The command line: `signbook [serve]`, `import`, `demo`, `tenant`, `ingest-key`.

use crate::demo::{generate, DemoOptions};
use crate::tenants::{create_tenant, ensure_tenant, DEMO_TENANT};
use anyhow::Context;
use app::store::{Licence, NewSignIn, Store};
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
}

/// `serve` options.
#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Do not create the demo tenant on an empty database.
    #[arg(long)]
    pub no_demo: bool,
    /// How many demo sign-ins to create on an empty database.
    #[arg(long, default_value_t = 60_000)]
    pub demo_events: u64,
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
    let command = cli.command.unwrap_or(Command::Serve(ServeArgs {
        no_demo: false,
        demo_events: 60_000,
    }));
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
            let licence = Licence::parse(&licence)
                .with_context(|| format!("--licence must be free or premium, not {licence:?}"))?;
            let retention_days = match retention.as_deref() {
                None => Some(licence.default_retention_days()),
                Some("unlimited") => None,
                Some(days) => Some(days.parse::<i32>().ok().filter(|d| *d > 0).with_context(
                    || format!("--retention must be a number of days or unlimited, not {days:?}"),
                )?),
            };
            let tenant = create_tenant(store.as_ref(), &name, licence, retention_days).await?;
            println!(
                "{}\t{}\t{}\t{}",
                tenant.id,
                tenant.name,
                tenant.licence.as_str(),
                retention_text(tenant.retention_days)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Tenant(TenantCommand::List) => {
            println!("id\tname\tlicence\tretention");
            for t in store.list_tenants().await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    t.id,
                    t.name,
                    t.licence.as_str(),
                    retention_text(t.retention_days)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
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
        crate::import::import_files(Arc::clone(&store), &tenant.id, &args.files, &mut out).await?;
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
