//! `signbook-bench`: the figures of docs/BENCHMARKS.md, printed as a Markdown table.
//!
//! For each backend it loads N demo events (default 1,000,000) into a fresh database through
//! the HTTP ingest API of the real router, times the report queries the blade and the API will
//! run on it, reads the size on disk, then loads the same events into another fresh database
//! through `import`. Nothing is asserted: the figures are printed for people to compare with
//! the targets.
//!
//!     cargo run --release -p server --bin signbook-bench -- --events 1000000 --backend both

use anyhow::Context;
use app::filter::{report_expr, DateFilter, Expr, ReportFilter};
use app::grouping::TimeAggregate;
use app::model::EventType;
use app::store::{GroupQuery, ListQuery, Sort, Store};
use chrono::{DateTime, Duration, Utc};
use clap::Parser;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// The same allocator as the `signbook` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "signbook-bench",
    about = "Measures ingest, import, query speed and size on disk"
)]
struct Args {
    /// How many demo events.
    #[arg(long, default_value_t = 1_000_000)]
    events: u64,
    /// sqlite, postgres or both.
    #[arg(long, default_value = "both")]
    backend: String,
    /// The PostgreSQL server (a database per run is created on it and dropped afterwards).
    #[arg(
        long,
        env = "SIGNBOOK_TEST_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    postgres_url: String,
    /// Timed runs per query.
    #[arg(long, default_value_t = 30)]
    runs: usize,
    /// Where the demo file and SQLite databases go.
    #[arg(long, default_value = "target/bench")]
    work_dir: PathBuf,
    /// Records per ingest request.
    #[arg(long, default_value_t = 5000)]
    batch: usize,
    /// Keep the PostgreSQL databases (to look at query plans).
    #[arg(long)]
    keep: bool,
    /// Time the queries on the database an earlier run left (SQLite always leaves one;
    /// PostgreSQL with --keep) instead of loading and importing again.
    #[arg(long)]
    reuse: bool,
    /// Time the download bundles only (with --reuse, to work on them).
    #[arg(long)]
    downloads_only: bool,
}

/// Demo data ends here, so that every run measures the same records.
fn demo_end() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|_| Utc::now())
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    server::telemetry::init(Some("warn,sqlx=error"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(args))
}

struct Figures {
    backend: &'static str,
    http_rate: f64,
    import_rate: f64,
    bytes_per_event: f64,
    queries: Vec<(String, Vec<f64>)>,
    downloads: Vec<Download>,
}

async fn run(args: Args) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.work_dir)?;
    let file = args.work_dir.join(format!("demo-{}.ndjson", args.events));
    if !file.exists() {
        eprintln!("writing {} demo events to {}…", args.events, file.display());
        write_demo_file(&file, args.events)?;
    }
    let mut results = Vec::new();
    for backend in match args.backend.as_str() {
        "both" => vec!["sqlite", "postgres"],
        "sqlite" => vec!["sqlite"],
        "postgres" => vec!["postgres"],
        other => anyhow::bail!("--backend must be sqlite, postgres or both, not {other}"),
    } {
        results.push(bench_backend(&args, backend, &file).await?);
    }
    print_results(&args, &results);
    Ok(())
}

fn write_demo_file(path: &Path, events: u64) -> anyhow::Result<()> {
    let options = server::demo::DemoOptions {
        events,
        days: 30,
        seed: 1,
        end: demo_end(),
        tenant_id: server::tenants::DEMO_TENANT_ID.to_owned(),
    };
    let tmp = path.with_extension("partial");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
    for record in server::demo::generate(&options) {
        serde_json::to_writer(&mut out, &record)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    std::fs::rename(tmp, path)?;
    Ok(())
}

/// A fresh database URL and what to do afterwards.
async fn fresh_database(
    args: &Args,
    backend: &str,
    label: &str,
) -> anyhow::Result<(String, Option<String>)> {
    if backend == "sqlite" {
        let path = args.work_dir.join(format!("{label}.db"));
        if args.reuse {
            anyhow::ensure!(path.exists(), "--reuse: {} is not there", path.display());
            return Ok((format!("sqlite://{}", path.display()), None));
        }
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        return Ok((format!("sqlite://{}", path.display()), None));
    }
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(&args.postgres_url)
        .await
        .context("connecting to PostgreSQL")?;
    let name = format!("sbbench_{label}");
    let url = match args.postgres_url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => format!("{}/{name}", args.postgres_url),
    };
    if args.reuse {
        return Ok((url, Some(name)));
    }
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await?;
    Ok((url, Some(name)))
}

async fn drop_database(args: &Args, name: Option<String>) -> anyhow::Result<()> {
    if args.keep {
        return Ok(());
    }
    if let Some(name) = name {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&args.postgres_url).await?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await?;
    }
    Ok(())
}

/// The demo tenant with unlimited retention: the benchmark's fixed demo data ends on
/// 2026-11-01, which a 30-day retention counted from today would cut away.
async fn bench_tenant(store: &dyn Store) -> anyhow::Result<(app::store::Tenant, bool)> {
    let (mut tenant, created) =
        server::tenants::ensure_tenant(store, server::tenants::DEMO_TENANT).await?;
    tenant.retention_days = None;
    store.update_tenant(&tenant).await?;
    Ok((tenant, created))
}

async fn bench_backend(args: &Args, backend: &'static str, file: &Path) -> anyhow::Result<Figures> {
    // 1. Through the HTTP API of the real router.
    let (url, pg_name) = fresh_database(args, backend, &format!("{backend}_http")).await?;
    let store = server::store::open(&url).await?;
    let (tenant, _) = bench_tenant(store.as_ref()).await?;
    // A database made by an earlier version gets its attributes as the server would, first.
    let started = Instant::now();
    let derived = server::attributes::derive_all(store.as_ref()).await?;
    if derived > 0 {
        eprintln!(
            "[{backend}] derived the attributes of {derived} earlier records in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let http_rate = if args.reuse {
        f64::NAN
    } else {
        eprintln!("[{backend}] ingesting {} events over HTTP…", args.events);
        let rate = ingest_over_http(args, Arc::clone(&store), &tenant.id, file).await?;
        eprintln!("[{backend}] {rate:.0} events/s over HTTP");
        rate
    };
    let bytes = store.size_on_disk().await?;
    let count = store.count_signins(&tenant.id, &Expr::True).await?;
    // A reused database also holds the bench app's earlier token requests.
    anyhow::ensure!(
        count == args.events as i64 || (args.reuse && count > args.events as i64),
        "stored {count} of {} events",
        args.events
    );
    let bytes_per_event = bytes as f64 / count as f64;
    // As `signbook import` does after a large import: fresh planner statistics.
    if !args.reuse {
        let started = Instant::now();
        store.optimize().await?;
        eprintln!(
            "[{backend}] statistics refreshed in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }

    // 2. Queries on the loaded database.
    eprintln!("[{backend}] timing queries…");
    let mut queries = if args.downloads_only {
        Vec::new()
    } else {
        time_queries(args, store.as_ref(), &tenant.id).await?
    };
    eprintln!("[{backend}] timing the reporting API and downloads…");
    let (api, downloads) = api_figures(args, Arc::clone(&store), &tenant).await?;
    queries.extend(api);
    drop(store);
    drop_database(args, pg_name).await?;
    if args.reuse {
        return Ok(Figures {
            backend,
            http_rate,
            import_rate: f64::NAN,
            bytes_per_event,
            queries,
            downloads,
        });
    }

    // 3. Through `import`, into another fresh database.
    let (url, pg_name) = fresh_database(args, backend, &format!("{backend}_import")).await?;
    let store = server::store::open(&url).await?;
    let (tenant, _) = bench_tenant(store.as_ref()).await?;
    eprintln!(
        "[{backend}] importing {} events from {}…",
        args.events,
        file.display()
    );
    let started = Instant::now();
    let mut sink = std::io::sink();
    let summary = server::import::import_files(
        Arc::clone(&store),
        &tenant,
        &[file.to_path_buf()],
        &mut sink,
    )
    .await?;
    let import_rate = summary.imported as f64 / started.elapsed().as_secs_f64();
    anyhow::ensure!(summary.imported == args.events as i64, "imported {summary}");
    eprintln!("[{backend}] {import_rate:.0} events/s through import");
    drop(store);
    drop_database(args, pg_name).await?;
    Ok(Figures {
        backend,
        http_rate,
        import_rate,
        bytes_per_event,
        queries,
        downloads,
    })
}

/// Serves the real router on `store` at a free port; returns its base URL.
async fn serve(store: Arc<dyn Store>) -> anyhow::Result<String> {
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("signbook")
        .site_root("target/site")
        .build();
    let limits = server::state::Limits {
        ingest_max_bytes: 256 * 1024 * 1024,
    };
    let state = server::AppState {
        store: Arc::clone(&store),
        leptos_options: options,
        limits,
        auth: Arc::new(server::auth::Auth::new(
            server::auth::AuthConfig::default(),
            server::auth::Clock::system(),
        )?),
        api: Arc::new(
            server::graph::Api::load(
                store.as_ref(),
                server::graph::ApiConfig {
                    rate: None,
                    ..server::graph::ApiConfig::default()
                },
            )
            .await?,
        ),
    };
    let app = server::web::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await;
    });
    Ok(base)
}

/// This process's resident memory in bytes (Linux; 0 elsewhere): its own (anonymous) memory —
/// heaps, stacks, buffers — and the pages of files it has mapped. SQLite maps the database
/// (`mmap_size`), so reading records makes the second grow by what was read; those pages are
/// the kernel's page cache, shared and given back under pressure, so the download target is
/// measured on the first.
fn rss_bytes() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("RssAnon:"), field("RssFile:"))
}

/// The reporting API (a page of 1,000 records, the next page, a filtered page, a page of
/// summarized sign-ins over the demo's 30 days) and the download bundles (throughput and
/// memory growth while streaming), over HTTP with the real router.
async fn api_figures(
    args: &Args,
    store: Arc<dyn Store>,
    tenant: &app::store::Tenant,
) -> anyhow::Result<(Vec<(String, Vec<f64>)>, Vec<Download>)> {
    let base = serve(Arc::clone(&store)).await?;
    let client = reqwest::Client::new();
    let (registration, secret) = server::graph::apps::register(
        store.as_ref(),
        tenant,
        "bench",
        &[server::graph::AUDIT_LOG_READ_ALL],
        Utc::now().timestamp_micros(),
    )
    .await?;
    let token: serde_json::Value = client
        .post(format!("{base}/{}/oauth2/v2.0/token", tenant.id))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", registration.client_id.as_str()),
            ("client_secret", secret.as_str()),
        ])
        .send()
        .await?
        .json()
        .await?;
    let token = token["access_token"]
        .as_str()
        .context("no access token")?
        .to_owned();
    let get = |url: String| {
        let (client, token) = (client.clone(), token.clone());
        async move {
            let response = client.get(&url).bearer_auth(&token).send().await?;
            let status = response.status();
            let body: serde_json::Value = response.json().await?;
            anyhow::ensure!(status.is_success(), "{url}: {status} {body}");
            anyhow::ensure!(
                body["value"].as_array().is_some_and(|v| !v.is_empty()),
                "{url}: no items"
            );
            Ok(body)
        }
    };
    let mut out = Vec::new();
    let first = format!("{base}/beta/auditLogs/signIns?$top=1000");
    if !args.downloads_only {
        let times = timed(args.runs, |_| get(first.clone())).await?;
        out.push((
            "API: page of 1,000 records (beta, newest)".to_owned(),
            times,
        ));
        let next = get(first.clone()).await?["@odata.nextLink"]
            .as_str()
            .context("a next link")?
            .to_owned();
        let times = timed(args.runs, |_| get(next.clone())).await?;
        out.push(("API: next page of 1,000 by $skiptoken".to_owned(), times));
        let filtered = format!(
            "{base}/beta/auditLogs/signIns?$top=1000&$filter=signInEventTypes/any(t:%20t%20eq%20%27nonInteractiveUser%27)%20and%20status/errorCode%20ne%200"
        );
        let times = timed(args.runs, |_| get(filtered.clone())).await?;
        out.push((
            "API: page of 1,000, non-interactive failures".to_owned(),
            times,
        ));
        // Attributes (one text column searched with LIKE): a common value, and a rare one that
        // reads every record of the range.
        for (label, filter) in [
            ("a user agent prefix", "startsWith(userAgent,%27Mozilla%27)"),
            (
                "riskState at risk, all time",
                "riskState%20eq%20%27atRisk%27",
            ),
        ] {
            let url = format!("{base}/beta/auditLogs/signIns?$top=1000&$filter={filter}");
            let times = timed(args.runs, |_| get(url.clone())).await?;
            out.push((format!("API: page of 1,000, {label}"), times));
        }
        for window in ["h1", "d1"] {
            let url = format!(
                "{base}/beta/auditLogs/getSummarizedNonInteractiveSignIns(aggregationWindow='{window}')?$top=1000"
            );
            let times = timed(args.runs, |_| get(url.clone())).await?;
            out.push((
                format!(
                    "API: page of 1,000 summarized non-interactive sign-ins, {window}, 30 days"
                ),
                times,
            ));
        }
    }

    // Downloads need a signed-in reader: a session made directly in the store.
    let user = server::accounts::create_user(
        store.as_ref(),
        tenant,
        &format!("bench.reader.{}@contoso.com", Utc::now().timestamp_micros()),
        None,
        app::store::Role::ReportsReader,
        Some("bench-password-123".into()),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?
    .user;
    // A session token is 64 hex characters: an ingest key without its prefix is one.
    let session = server::keys::new_ingest_key()
        .trim_start_matches(server::keys::INGEST_KEY_PREFIX)
        .to_owned();
    let now = Utc::now().timestamp_micros();
    store
        .insert_session(&app::store::SessionRow {
            token_hash: server::auth::token_hash(&session),
            user_id: user.id.clone(),
            csrf_token: "bench".into(),
            correlation_id: "bench".into(),
            created_at: now,
            last_seen_at: now,
            refreshed_at: now,
        })
        .await?;
    let mut downloads = Vec::new();
    // Each format twice: the first run also pays one-time allocations (the blocking thread's
    // heap, the compressor); the second is the steady state reported.
    for format in ["csv", "csv", "json", "json"] {
        let url = format!(
            "{base}/api/download?format={format}&id=bench-{format}-{}&date=custom&start=2026-10-01T00%3A00%3A00Z&end=2026-11-02T00%3A00%3A00Z",
            downloads.len()
        );
        let (baseline, file_baseline) = rss_bytes();
        let peak = Arc::new(std::sync::atomic::AtomicU64::new(baseline));
        let file_peak = Arc::new(std::sync::atomic::AtomicU64::new(file_baseline));
        let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let sampler = {
            let (peak, file_peak, sampling) = (
                Arc::clone(&peak),
                Arc::clone(&file_peak),
                Arc::clone(&sampling),
            );
            tokio::spawn(async move {
                while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                    let (anon, file) = rss_bytes();
                    peak.fetch_max(anon, std::sync::atomic::Ordering::Relaxed);
                    file_peak.fetch_max(file, std::sync::atomic::Ordering::Relaxed);
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            })
        };
        let started = Instant::now();
        let mut response = client
            .get(&url)
            .header("cookie", format!("signbook_session={session}"))
            .send()
            .await?;
        anyhow::ensure!(
            response.status().is_success(),
            "download: {}",
            response.status()
        );
        let records: i64 = response
            .headers()
            .get("x-signbook-records")
            .and_then(|v| v.to_str().ok()?.parse().ok())
            .unwrap_or(0);
        let mut bytes = 0_u64;
        while let Some(chunk) = response.chunk().await? {
            bytes += chunk.len() as u64;
        }
        let seconds = started.elapsed().as_secs_f64();
        sampling.store(false, std::sync::atomic::Ordering::Relaxed);
        sampler.await?;
        let growth = peak
            .load(std::sync::atomic::Ordering::Relaxed)
            .saturating_sub(baseline);
        let file_growth = file_peak
            .load(std::sync::atomic::Ordering::Relaxed)
            .saturating_sub(file_baseline);
        eprintln!(
            "download {format}: {records} records, {:.1} MB zip in {seconds:.2} s, memory +{:.1} MB (mapped file pages +{:.1} MB)",
            bytes as f64 / 1e6,
            growth as f64 / 1e6,
            file_growth as f64 / 1e6
        );
        // The first of each pair is replaced by the second.
        if downloads
            .last()
            .is_some_and(|d: &Download| d.format == format)
        {
            downloads.pop();
        }
        downloads.push(Download {
            format,
            records,
            zip_mb: bytes as f64 / 1e6,
            records_per_second: records as f64 / seconds,
            growth_mb: growth as f64 / 1e6,
            file_growth_mb: file_growth as f64 / 1e6,
        });
    }
    Ok((out, downloads))
}

/// One download's figures.
struct Download {
    format: &'static str,
    records: i64,
    zip_mb: f64,
    records_per_second: f64,
    growth_mb: f64,
    file_growth_mb: f64,
}

async fn ingest_over_http(
    args: &Args,
    store: Arc<dyn Store>,
    tenant_id: &str,
    file: &Path,
) -> anyhow::Result<f64> {
    let key = server::keys::new_ingest_key();
    store
        .insert_ingest_key(tenant_id, "bench", &server::keys::hash_key(&key))
        .await?;
    let url = format!("{}/api/v1/ingest", serve(Arc::clone(&store)).await?);

    // Two requests in flight: the server parses one while it writes the other.
    let (tx, rx) = tokio::sync::mpsc::channel::<String>(2);
    let rx = Arc::new(tokio::sync::Mutex::new(rx));
    let client = reqwest::Client::new();
    let mut senders = Vec::new();
    for _ in 0..2 {
        let (rx, client, url, key) = (Arc::clone(&rx), client.clone(), url.clone(), key.clone());
        senders.push(tokio::spawn(async move {
            let mut inserted = 0_i64;
            loop {
                let body = { rx.lock().await.recv().await };
                let Some(body) = body else { break };
                let response = client
                    .post(&url)
                    .bearer_auth(&key)
                    .body(body)
                    .send()
                    .await?;
                let status = response.status();
                let text = response.text().await?;
                anyhow::ensure!(status.is_success(), "ingest answered {status}: {text}");
                let outcome: serde_json::Value = serde_json::from_str(&text)?;
                inserted += outcome["inserted"].as_i64().unwrap_or(0);
            }
            Ok::<i64, anyhow::Error>(inserted)
        }));
    }
    let started = Instant::now();
    let reader = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(file)?);
    let mut body = String::new();
    let mut in_body = 0;
    for line in reader.lines() {
        body.push_str(&line?);
        body.push('\n');
        in_body += 1;
        if in_body == args.batch {
            tx.send(std::mem::take(&mut body)).await?;
            in_body = 0;
        }
    }
    if in_body > 0 {
        tx.send(body).await?;
    }
    drop(tx);
    let mut inserted = 0;
    for s in senders {
        inserted += s.await??;
    }
    let seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        inserted == args.events as i64,
        "inserted {inserted} of {}",
        args.events
    );
    Ok(inserted as f64 / seconds)
}

async fn timed<F, Fut, T>(runs: usize, mut f: F) -> anyhow::Result<Vec<f64>>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    // One untimed run warms the caches, as a page that has been opened before would be.
    f(runs).await?;
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let started = Instant::now();
        f(i).await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(times)
}

async fn time_queries(
    args: &Args,
    store: &dyn Store,
    tenant_id: &str,
) -> anyhow::Result<Vec<(String, Vec<f64>)>> {
    let now = demo_end();
    let week = ReportFilter {
        date: DateFilter::Last7Days,
        ..Default::default()
    }
    .to_expr(now);
    // Users to filter by: the demo's people, by the start of their display name.
    let world = server::demo::World::new(1, server::tenants::DEMO_TENANT_ID);
    let users: Vec<String> = world.display_names(args.runs + 1);
    let mut out = Vec::new();
    for t in EventType::ALL {
        let filter = report_expr(t).and(week.clone());
        let query = ListQuery {
            filter: filter.clone(),
            sort: Sort::default(),
            limit: 50,
            cursor: None,
            offset: 0,
            snapshot: None,
        };
        let times = timed(args.runs, |_| async {
            Ok(store.list_signins(tenant_id, &query).await?)
        })
        .await?;
        out.push((
            format!("{}: first page (50 rows), last 7 days", t.title()),
            times,
        ));
        let times = timed(args.runs, |_| async {
            Ok(store.count_signins(tenant_id, &filter).await?)
        })
        .await?;
        out.push((format!("{}: total count, last 7 days", t.title()), times));
        if matches!(t, EventType::Interactive | EventType::NonInteractive) {
            let times = timed(args.runs, |i| {
                let user = users[i % users.len()].clone();
                async move {
                    let f = ReportFilter {
                        date: DateFilter::LastMonth,
                        user: Some(user),
                        ..Default::default()
                    };
                    let query = ListQuery {
                        filter: report_expr(t).and(f.to_expr(now)),
                        sort: Sort::default(),
                        limit: 50,
                        cursor: None,
                        offset: 0,
                        snapshot: None,
                    };
                    Ok(store.list_signins(tenant_id, &query).await?)
                }
            })
            .await?;
            out.push((
                format!("{}: first page, user filter, last month", t.title()),
                times,
            ));
        }
        if t.is_grouped() {
            for (label, aggregate) in [
                ("whole range", TimeAggregate::Whole),
                ("24-hour buckets", TimeAggregate::Day),
            ] {
                let query = GroupQuery {
                    event_type: t,
                    filter: week.clone(),
                    aggregate,
                    limit: 50,
                    cursor: None,
                    offset: 0,
                    snapshot: None,
                    with_total: true,
                };
                let times = timed(args.runs, |_| async {
                    Ok(store.list_groups(tenant_id, &query).await?)
                })
                .await?;
                out.push((
                    format!("{}: first page of groups, last 7 days, {label}", t.title()),
                    times,
                ));
            }
        }
    }
    // The blade's chart: one report, the filtered period, hourly bars stacked by status.
    let ni_week = report_expr(EventType::NonInteractive).and(week.clone());
    let (from, to) = (
        (now - Duration::days(7)).timestamp_micros(),
        now.timestamp_micros(),
    );
    let times = timed(args.runs, |_| async {
        Ok(store
            .histogram(tenant_id, &ni_week, from, to, 3_600_000_000)
            .await?)
    })
    .await?;
    out.push((
        "Chart of User sign-ins (non-interactive): hourly by status, last 7 days".to_owned(),
        times,
    ));
    Ok(out)
}

fn percentile(times: &[f64], p: f64) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn print_results(args: &Args, results: &[Figures]) {
    println!(
        "\n## {} events, {} timed runs per query\n",
        args.events, args.runs
    );
    println!(
        "| Measure | {} |",
        results
            .iter()
            .map(|r| r.backend)
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!(
        "|---|{}",
        results.iter().map(|_| "---|").collect::<String>()
    );
    let row = |label: &str, f: &dyn Fn(&Figures) -> String| {
        println!(
            "| {label} | {} |",
            results.iter().map(f).collect::<Vec<_>>().join(" | ")
        );
    };
    row("Ingest over HTTP (events/s)", &|r| {
        format!("{:.0}", r.http_rate)
    });
    row("Import of an NDJSON file (events/s)", &|r| {
        format!("{:.0}", r.import_rate)
    });
    row("Bytes on disk per event", &|r| {
        format!("{:.0}", r.bytes_per_event)
    });
    for i in 0..2 {
        if let Some(d) = results.first().and_then(|r| r.downloads.get(i)) {
            row(
                &format!(
                    "Download {} bundle: records, MB zip, records/s, memory growth MB (mapped database pages MB)",
                    d.format
                ),
                &|r| {
                    r.downloads.get(i).map_or_else(String::new, |d| {
                        format!(
                            "{} / {:.1} / {:.0} / {:.1} ({:.0})",
                            d.records,
                            d.zip_mb,
                            d.records_per_second,
                            d.growth_mb,
                            d.file_growth_mb
                        )
                    })
                },
            );
        }
    }
    if let Some(first) = results.first() {
        for (i, (label, _)) in first.queries.iter().enumerate() {
            row(&format!("{label}: p50 / p95 ms"), &|r| {
                let times = &r.queries[i].1;
                format!(
                    "{:.1} / {:.1}",
                    percentile(times, 50.0),
                    percentile(times, 95.0)
                )
            });
        }
    }
}
