//! The `signbook` binary: parse the command line, start logging, run.

use clap::Parser;

/// mimalloc: the server allocates many small strings per record; glibc's allocator took a
/// fifth of ingest time in profiles.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = server::cli::Cli::parse();
    server::telemetry::init(cli.log_level.as_deref());
    // Rendering the portal's view tree on the server nests deeply; 8 MiB stacks (tokio's
    // default is 2 MiB) leave room even in unoptimised builds.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .thread_stack_size(8 * 1024 * 1024)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(server::cli::run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
