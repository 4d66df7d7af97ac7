//! Server functions, one module per feature; each is a thin adapter over the store.

#[cfg(feature = "ssr")]
pub mod access;
pub mod download;
mod error;
pub mod report;

pub use error::AppError;

/// What server functions need from the server, provided as Leptos context by the router.
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct ServerContext {
    /// The store.
    pub store: std::sync::Arc<dyn crate::store::Store>,
    /// Downloads in progress (the server streams them; server functions report on them).
    pub downloads: std::sync::Arc<download::Registry>,
}
