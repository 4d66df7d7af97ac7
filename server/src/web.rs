//! The HTTP side: the router (portal pages, server functions, static files, ingest API) and
//! `serve`, which binds and runs it.

use crate::cli::ServeArgs;
use crate::ingest::ingest;
use crate::state::{AppState, Limits};
use crate::tenants::{ensure_tenant, DEMO_TENANT};
use anyhow::Context;
use app::api::ServerContext;
use app::store::Store;
use app::{shell, App};
use axum::extract::DefaultBodyLimit;
use axum::routing::post;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;

/// The whole application. `portal_tenant` is the tenant the portal shows until sign-in
/// scopes every request (issue #4).
pub fn router(state: AppState, portal_tenant: String) -> Router {
    let routes = generate_route_list(App);
    let context = ServerContext {
        store: Arc::clone(&state.store),
        portal_tenant,
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
        .nest_service(&format!("/{}", options.site_pkg_dir), pkg)
        .leptos_routes_with_context(&state, routes, provide.clone(), move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide, shell))
        .with_state(state)
}

/// Creates and seeds the demo tenant on a database without tenants.
async fn seed_demo(store: &dyn Store, events: u64) -> anyhow::Result<()> {
    if !store.list_tenants().await?.is_empty() {
        return Ok(());
    }
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
    Ok(())
}

/// Serves until Ctrl-C.
pub async fn serve(store: Arc<dyn Store>, args: &ServeArgs) -> anyhow::Result<()> {
    if !args.no_demo {
        seed_demo(store.as_ref(), args.demo_events)
            .await
            .context("creating the demo tenant")?;
    }
    let portal_tenant = match store.find_tenant(DEMO_TENANT).await? {
        Some(t) => t.id,
        None => store
            .list_tenants()
            .await?
            .first()
            .map(|t| t.id.clone())
            .unwrap_or_default(),
    };
    let conf = get_configuration(None).context("reading the Leptos configuration")?;
    let options = conf.leptos_options;
    let addr = options.site_addr;
    let state = AppState {
        store,
        leptos_options: options,
        limits: Limits::default(),
    };
    let app = router(state, portal_tenant);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    eprintln!("Signbook is ready: open http://{addr}/ in your browser (Ctrl-C stops it).");
    tracing::info!(%addr, "listening");
    axum::serve(listener, app.into_make_service())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving")?;
    Ok(())
}
