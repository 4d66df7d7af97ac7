//! The error every server function returns: serialisable, and never carrying a database
//! message to the browser (an internal error is logged on the server with an ID; the browser
//! sees the ID only).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong, as the browser may know it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Nothing there (or nothing the caller may see).
    #[error("not found")]
    NotFound,
    /// Not signed in.
    #[error("please sign in")]
    Unauthorized,
    /// Signed in, but not allowed.
    #[error("you are not allowed to do this")]
    Forbidden,
    /// The tenant's licence does not include sign-in activity (Graph's
    /// `Authentication_RequestFromNonPremiumTenantOrB2CTenant`).
    #[error("Neither tenant is B2C or tenant doesn't have premium license")]
    LicenceRequired,
    /// The request is invalid: `(field, message)` pairs.
    #[error("invalid request")]
    Validation(Vec<(String, String)>),
    /// Our fault; the ID finds the log entry.
    #[error("something went wrong on our side (error ID {id})")]
    Internal {
        /// The ID logged with the cause.
        id: String,
    },
    /// The request did not reach the server function or its answer was unreadable.
    #[error("the server could not be reached: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// The HTTP status the error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound => 404,
            AppError::Unauthorized => 401,
            AppError::Forbidden | AppError::LicenceRequired => 403,
            AppError::Validation(_) => 400,
            AppError::Internal { .. } | AppError::Transport(_) => 500,
        }
    }

    /// Logs an internal error once, under a new ID, and returns what the browser may see.
    pub fn internal(cause: &dyn std::fmt::Display) -> AppError {
        let id = format!("{:016x}", rand_id());
        leptos::logging::error!("internal error {id}: {cause}");
        AppError::Internal { id }
    }
}

#[cfg(feature = "ssr")]
fn rand_id() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

#[cfg(feature = "ssr")]
impl From<crate::store::StoreError> for AppError {
    fn from(e: crate::store::StoreError) -> Self {
        match e {
            crate::store::StoreError::NotFound => AppError::NotFound,
            crate::store::StoreError::Invalid(m) => AppError::Validation(vec![(String::new(), m)]),
            other => AppError::internal(&other),
        }
    }
}
