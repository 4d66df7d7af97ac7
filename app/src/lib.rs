//! Signbook's shared crate: the sign-in model, grouping and filter code (server and WASM), the
//! report components and the server functions.

pub mod model;
pub mod grouping;
