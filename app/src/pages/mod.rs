//! Pages.

mod signins;

pub use signins::SignInsPage;
