//! The sign-in record and its parts: plain serde types, no Leptos, no I/O. Compiles for the
//! server and for the WASM client alike.

mod datetime;
mod display;
mod enums;
mod error_codes;
mod event_type;
mod nullable;
mod signin;
mod status;

pub use datetime::{DateTimeError, GraphDateTime};
pub use enums::*;
pub use event_type::EventType;
pub use nullable::Nullable;
pub use signin::*;
pub use status::{error_code_description, error_code_info, Status, INTERRUPT_CODES};

#[cfg(test)]
mod tests;
