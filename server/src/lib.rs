//! The Signbook server: configuration, storage backends, ingest and import, demo data, and the
//! axum router that serves the portal and the APIs.

// The portal's view types (rendered here) nest deeply.
#![recursion_limit = "256"]

pub mod accounts;
pub mod admin;
pub mod attributes;
pub mod auth;
pub mod cli;
pub mod demo;
mod dictionary;
pub mod download;
pub mod error;
pub mod graph;
pub mod import;
pub mod ingest;
pub mod keys;
pub mod retention;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod tenants;
pub mod web;

pub use state::AppState;
