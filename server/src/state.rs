//! What every handler and server function gets: the store and the configuration.

use app::store::Store;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

/// Limits and settings handlers need at run time.
#[derive(Clone, Debug)]
pub struct Limits {
    /// The largest ingest body accepted, in bytes (larger gets 413).
    pub ingest_max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            ingest_max_bytes: 32 * 1024 * 1024,
        }
    }
}

/// Shared application state.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Arc<dyn Store>,
    /// Leptos' options (site root, output name).
    pub leptos_options: LeptosOptions,
    /// Limits.
    pub limits: Limits,
    /// Accounts and sessions.
    pub auth: Arc<crate::auth::Auth>,
    /// The reporting API's keys and rate counters.
    pub api: Arc<crate::graph::Api>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
