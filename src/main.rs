//! The `keyward` binary: parse, run, exit with the documented code.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

fn main() {
    // The binary picks rustls's crypto provider (ring: a smaller binary than
    // aws-lc-rs). The library never installs one itself.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let code = keyward::cli::run(keyward::Platform::keyward(), std::env::args_os());
    std::process::exit(code);
}
