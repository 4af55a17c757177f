//! The `keyward` binary: parse, run, exit with the documented code.
//!
//! On Linux with glibc the binary brings its own C `main`: Rust's start-up
//! would also install the stack-overflow handler, which reads and parses
//! `/proc/self/maps` on every start (about an eighth of what `auth token`
//! executes). The two things of that start-up keyward relies on are done
//! here instead: standard descriptors 0-2 are made to exist (so that no file
//! keyward opens can become its stdout), and SIGPIPE is ignored (a closed
//! pipe is an error keyward handles, not a signal that kills it).
//! Arguments still come from `std::env::args_os` (glibc hands them to std
//! before `main`).

#![cfg_attr(all(target_os = "linux", target_env = "gnu", not(test)), no_main)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

/// Run keyward and return its exit code.
fn run() -> i32 {
    // The binary picks rustls's crypto provider (ring: a smaller binary than
    // aws-lc-rs). The library never installs one itself.
    let _ = rustls::crypto::ring::default_provider().install_default();
    keyward::cli::run(keyward::Platform::keyward(), std::env::args_os())
}

#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
#[unsafe(no_mangle)]
extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    start_up();
    let code = run();
    // Flush what std buffered, as a return from Rust's `main` would.
    use std::io::Write;
    let _ = std::io::stdout().flush();
    code
}

/// What Rust's own start-up does that keyward needs (see the module docs).
#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
fn start_up() {
    for fd in 0..3 {
        // SAFETY: F_GETFD on a descriptor number only queries it.
        let closed = unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1;
        if closed {
            // SAFETY: the path is a NUL-terminated literal; the lowest free
            // descriptor, `fd` itself, is the one `open` returns.
            unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
        }
    }
    // SAFETY: setting a signal's disposition to SIG_IGN has no handler to
    // run and no memory to share.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
}

#[cfg(not(all(target_os = "linux", target_env = "gnu", not(test))))]
fn main() {
    std::process::exit(run());
}
