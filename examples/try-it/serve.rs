//! `--serve`: the server alone on a fixed port until Ctrl-C, for pointing
//! the real keyward at it; and the Ctrl-C watch the tour uses too.

use crate::account::{PROFILE_PATH, TENANTS, USER_EMAIL, USER_NAME};
use crate::clients::BUILTIN_CLIENT;
use crate::provider::Provider;
use crate::server;
use std::time::Duration;

/// A Ctrl-C watch, registered when this returns (inside a runtime).
#[cfg(unix)]
pub fn ctrl_c() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut s = signal(SignalKind::interrupt())?;
    Ok(async move {
        s.recv().await;
    })
}

/// A Ctrl-C watch, registered when this returns (inside a runtime).
#[cfg(windows)]
pub fn ctrl_c() -> std::io::Result<impl Future<Output = ()>> {
    let mut s = tokio::signal::windows::ctrl_c()?;
    Ok(async move {
        s.recv().await;
    })
}

/// What `--serve` prints when it starts.
fn banner(host: &str, ttl: Duration) -> String {
    let login = format!("keyward auth login -h {host}");
    format!(
        "\
keyward try-it server on http://{host} (this machine only; Ctrl-C stops it)
  user {USER_NAME} <{USER_EMAIL}>, tenants {tenants}; client `{BUILTIN_CLIENT}` (public, PKCE);
  access tokens live {ttl} s (--token-ttl), refresh tokens rotate.

Point keyward at it (from a checkout, `cargo run --release --` in place of `keyward`);
keyward registers itself as a client (RFC 7591), or give `--client-id {BUILTIN_CLIENT}`:
  {login}
  {login} --device
  keyward auth status -h {host}
  keyward whoami -h {host}
  keyward tenants list -h {host}
  keyward api /api/v1/profile -h {host}
  keyward auth token -h {host}
  keyward auth refresh -h {host}
  keyward auth logout -h {host} --revoke

Endpoints: http://{host}{metadata} (RFC 8414 metadata), http://{host}{PROFILE_PATH} (profile),
  http://{host}/device (device login page), http://{host}/oauth/register (RFC 7591).
Requests:
",
        tenants = TENANTS
            .iter()
            .map(|(s, _)| *s)
            .collect::<Vec<_>>()
            .join(" and "),
        ttl = ttl.as_secs(),
        metadata = server::METADATA_PATH,
    )
}

/// `--serve`: the server alone, until Ctrl-C.
pub fn run(port: u16, ttl: Duration) -> i32 {
    let fail = |what: String, solution: String| {
        eprintln!("error: {what}\nSolution: {solution}");
        1
    };
    let listener = match std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, port)) {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            return fail(
                format!("port {port} on 127.0.0.1 is in use (another try-it --serve?)"),
                format!(
                    "stop what uses it, or pick another port: `cargo run --release --example try-it -- --serve --port {}`",
                    port.wrapping_add(1).max(1024)
                ),
            );
        }
        Err(e) => {
            return fail(
                format!("cannot listen on 127.0.0.1:{port}: {e}"),
                "pick another port with `--port N` (1024 or above)".into(),
            );
        }
    };
    let port = listener.local_addr().map_or(port, |a| a.port());
    let host = format!("127.0.0.1:{port}");
    let provider = match Provider::new(format!("http://{host}"), ttl) {
        Ok(p) => p,
        Err(e) => {
            return fail(
                e,
                "try again; the system's random generator must work".into(),
            );
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start the server: {e}"), "try again".into()),
    };
    print!("{}", banner(&host, ttl));
    let shared = std::sync::Arc::new(std::sync::Mutex::new(provider));
    let stop = match runtime.block_on(async { ctrl_c() }) {
        Ok(watch) => watch,
        Err(e) => return fail(format!("cannot watch for Ctrl-C: {e}"), "try again".into()),
    };
    match runtime.block_on(server::serve(listener, shared, true, stop)) {
        Ok(()) => {
            println!("\nStopped.");
            0
        }
        Err(e) => fail(format!("the server stopped: {e}"), "start it again".into()),
    }
}
