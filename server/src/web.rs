//! The HTTP side: the router (portal pages, server functions, static files, ingest API) and
//! `serve`, which binds and runs it.

use crate::admin;
use crate::auth::pages;
use crate::cli::ServeArgs;
use crate::ingest::ingest;
use crate::state::{AppState, Limits};
use crate::tenants::{ensure_tenant, DEMO_TENANT};
use anyhow::Context;
use app::api::ServerContext;
use app::store::Store;
use app::{shell, App};
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::{Arc, OnceLock};

/// The portal's routes, listed once per process.
///
/// Listing them renders the app with Leptos' *process-wide* "suppress resource loads" flag
/// set, so a page being rendered at that moment by another router in the same process (the
/// tests run several) would wait forever for a resource that never loads: the intermittent
/// hang of `GET /` in CI. After the first call the list is reused and nothing sets the flag.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole application: the portal's pages and server functions, the sign-in pages, the
/// admin page, static files and the ingest API, all behind the session layer
/// ([`crate::auth::middleware::layer`]).
pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let context = ServerContext {
        store: Arc::clone(&state.store),
        downloads: Arc::clone(&state.api.downloads),
    };
    let provide = move || provide_context(context.clone());
    let options = state.leptos_options.clone();
    let ingest_limit = state.limits.ingest_max_bytes;
    // The WASM bundle, script and stylesheet: the `.br`/`.gz` files a release build writes
    // beside them (`cargo leptos … --precompress`) are served to browsers that accept them.
    let pkg = tower_http::services::ServeDir::new(format!(
        "{}/{}",
        options.site_root, options.site_pkg_dir
    ))
    .precompressed_br()
    .precompressed_gzip();
    Router::new()
        .route(
            "/api/v1/ingest",
            post(ingest).layer(DefaultBodyLimit::max(ingest_limit)),
        )
        .route("/signin", get(pages::sign_in_form).post(pages::sign_in))
        .route("/signout", post(pages::sign_out))
        .route(
            "/account/password",
            get(pages::password_form).post(pages::change_password),
        )
        .route("/admin", get(admin::admin_page))
        .route("/admin/tenant", post(admin::update_tenant))
        .route("/admin/users/create", post(admin::create_user))
        .route("/admin/users/role", post(admin::set_role))
        .route("/admin/users/reset", post(admin::reset_password))
        .route("/admin/users/disable", post(admin::disable))
        .route("/admin/users/enable", post(admin::enable))
        .route("/admin/users/unlock", post(admin::unlock))
        .route("/admin/apps/create", post(admin::create_app))
        .route("/admin/apps/secret", post(admin::app_secret))
        .route("/admin/apps/disable", post(admin::disable_app))
        .route("/admin/apps/enable", post(admin::enable_app))
        .route("/admin/apps/delete", post(admin::delete_app))
        .merge(crate::graph::routes())
        .nest_service(&format!("/{}", options.site_pkg_dir), pkg)
        .leptos_routes_with_context(&state, routes, provide.clone(), move || {
            page_policy();
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide, shell))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::middleware::layer,
        ))
        .with_state(state)
}

/// Gives a portal page a fresh nonce for its inline scripts and the CSP that admits them.
fn page_policy() {
    leptos::nonce::provide_nonce();
    let nonce = leptos::nonce::use_nonce()
        .map(|n| n.to_string())
        .unwrap_or_default();
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::HeaderValue::from_str(&crate::auth::middleware::page_csp(&nonce)),
    ) {
        response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Creates and seeds the demo tenant on a database without tenants, and gives the demo tenant
/// its accounts when it has none (a database from before accounts existed).
async fn seed_demo(store: &dyn Store, events: u64) -> anyhow::Result<()> {
    if store.list_tenants().await?.is_empty() {
        let (tenant, _) = ensure_tenant(store, DEMO_TENANT).await?;
        eprintln!("First start: creating the demo tenant with {events} sign-ins over 30 days…");
        let options = crate::demo::DemoOptions {
            events,
            days: 30,
            seed: 1,
            end: crate::cli::default_demo_end(),
            tenant_id: tenant.id.clone(),
        };
        crate::cli::write_demo(store, &tenant.id, &options).await?;
        store.optimize().await?;
    }
    if let Some(tenant) = store.find_tenant(DEMO_TENANT).await? {
        if store.list_users(&tenant.id).await?.is_empty() {
            for (upn, role) in crate::accounts::create_demo_accounts(store, &tenant, 1).await? {
                eprintln!(
                    "  demo account {upn} ({role}), password {}",
                    crate::accounts::DEMO_PASSWORD
                );
            }
        }
    }
    Ok(())
}

/// Serves until Ctrl-C.
pub async fn serve(store: Arc<dyn Store>, args: &ServeArgs) -> anyhow::Result<()> {
    if !args.no_demo {
        seed_demo(store.as_ref(), args.demo_events)
            .await
            .context("creating the demo tenant")?;
    }
    let conf = get_configuration(None).context("reading the Leptos configuration")?;
    let options = conf.leptos_options;
    let addr = options.site_addr;
    let auth = Arc::new(crate::auth::Auth::new(
        args.auth_config(),
        crate::auth::Clock::system(),
    )?);
    crate::attributes::spawn(Arc::clone(&store));
    crate::retention::spawn(
        Arc::clone(&store),
        Arc::clone(&auth),
        crate::retention::RetentionConfig {
            every: std::time::Duration::from_secs(args.retention_every_minutes.max(1) * 60),
            ..Default::default()
        },
    );
    let api = Arc::new(
        crate::graph::Api::load(store.as_ref(), args.api_config())
            .await
            .context("loading the API's signing keys")?,
    );
    let state = AppState {
        store,
        leptos_options: options,
        limits: Limits::default(),
        auth,
        api,
    };
    let app = router(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    eprintln!("Signbook is ready: open http://{addr}/ in your browser (Ctrl-C stops it).");
    tracing::info!(%addr, "listening");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("serving")?;
    Ok(())
}
