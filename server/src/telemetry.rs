//! Logging: `tracing` to stderr, level from `--log-level`, `SIGNBOOK_LOG` or `RUST_LOG`.

use tracing_subscriber::EnvFilter;

/// Starts logging once; later calls (tests) are ignored.
pub fn init(level: Option<&str>) {
    let filter = level
        .map(EnvFilter::new)
        .or_else(|| std::env::var("SIGNBOOK_LOG").ok().map(EnvFilter::new))
        .unwrap_or_else(|| {
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"))
        });
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
