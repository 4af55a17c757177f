//! The tour: start the server on a free port, then run keyward's own CLI
//! (in this process) through a login's whole life, each step announced
//! with the command a person would type.

use crate::account::{PROFILE_PATH, TENANTS, USER_EMAIL, USER_NAME};
use crate::clients::BUILTIN_CLIENT;
use crate::provider::Provider;
use crate::serve::ctrl_c;
use crate::steps::{self, Action, mask, refused, shell};
use crate::{Args, server};
use std::io::Write as _;
use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Why the tour cannot start, and what to do.
pub struct Problem {
    pub what: String,
    pub solution: String,
}

/// Everything the tour needs, set up before any thread starts.
pub struct Prepared {
    listener: TcpListener,
    host: String,
    provider: Provider,
    /// The temporary config directory; `None` with `--keep`.
    config: Option<tempfile::TempDir>,
    interactive: bool,
    show_token: bool,
    exe: PathBuf,
    /// With `--keep`: whether a default API URL was set before.
    had_default: bool,
    /// Variables set aside for this run.
    ignored: Vec<String>,
}

fn problem(what: impl Into<String>, solution: impl Into<String>) -> Problem {
    Problem {
        what: what.into(),
        solution: solution.into(),
    }
}

/// The variables that would point keyward's commands elsewhere than this
/// server: all of keyward's but `KEYWARD_DEBUG`, or with `--keep` those
/// that choose an API URL, a tenant, a client or a token.
fn set_aside(name: &str, keep: bool) -> bool {
    let Some(suffix) = name.strip_prefix("KEYWARD_") else {
        return false;
    };
    if keep {
        ["API_URL", "TENANT", "CLIENT_ID", "TOKEN"]
            .iter()
            .any(|s| suffix == *s || suffix.starts_with("TOKEN_"))
    } else {
        suffix != "DEBUG"
    }
}

/// Bind the server's port, make the config directory and set this
/// process's environment for keyward's commands.
///
/// Must be called before any thread is started (it changes the
/// environment).
pub fn prepare(args: &Args, interactive: bool) -> Result<Prepared, Problem> {
    let platform = keyward::Platform::keyward();
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| {
        problem(
            format!("cannot listen on 127.0.0.1: {e}"),
            "check that the loopback interface is up, or run with --serve --port N",
        )
    })?;
    let port = listener
        .local_addr()
        .map_err(|e| problem(format!("cannot read the server's port: {e}"), "try again"))?
        .port();
    let host = format!("127.0.0.1:{port}");
    let provider = Provider::new(
        format!("http://{host}"),
        Duration::from_secs(args.token_ttl),
    )
    .map_err(|e| problem(e, "try again; the system's random generator must work"))?;
    let exe = std::env::current_exe().map_err(|e| {
        problem(
            format!("cannot find this program's own path: {e}"),
            "run it from a directory you can read: `cargo run --release --example try-it`",
        )
    })?;
    let browser = format!("{} --approve", exe.display());
    if !interactive && exe.to_string_lossy().contains(char::is_whitespace) {
        return Err(problem(
            format!(
                "this program's path has a space ({}), and keyward splits BROWSER on spaces",
                exe.display()
            ),
            "build in a directory without spaces (e.g. CARGO_TARGET_DIR=/tmp/keyward-target), or run at a terminal and approve in your browser",
        ));
    }
    let config = if args.keep {
        None
    } else {
        let dir = tempfile::Builder::new()
            .prefix("keyward-try-it-")
            .tempdir()
            .map_err(|e| {
                problem(
                    format!("cannot make a temporary directory: {e}"),
                    "free some space in the temporary directory (TMPDIR), or use --keep",
                )
            })?;
        Some(dir)
    };
    let ignored: Vec<String> = std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .filter(|k| set_aside(k, args.keep))
        .collect();
    let no_proxy = match std::env::var("NO_PROXY") {
        Ok(v) if !v.trim().is_empty() => format!("{v},127.0.0.1"),
        _ => "127.0.0.1".to_string(),
    };
    // SAFETY: `main` calls this before anything has started a thread, so
    // nothing can read the environment while it changes.
    unsafe {
        for k in &ignored {
            std::env::remove_var(k);
        }
        if let Some(dir) = &config {
            std::env::set_var(platform.env_var("CONFIG_DIR"), dir.path());
            std::env::set_var(platform.env_var("CREDENTIAL_STORE"), "file");
        }
        // keyward talks to 127.0.0.1 directly, whatever proxy is set.
        std::env::set_var("NO_PROXY", &no_proxy);
        std::env::set_var("no_proxy", &no_proxy);
        if !interactive {
            std::env::set_var("BROWSER", &browser);
        }
    }
    let had_default = args.keep
        && keyward::config::Paths::resolve(&platform)
            .ok()
            .and_then(|p| keyward::config::Config::load(&p).ok())
            .and_then(|c| c.api_url())
            .is_some();
    Ok(Prepared {
        listener,
        host,
        provider,
        config,
        interactive,
        show_token: args.show_token,
        exe,
        had_default,
        ignored,
    })
}

type Dir = Arc<Mutex<Option<tempfile::TempDir>>>;

/// Remove the temporary config directory; say so.
fn remove(dir: &Dir) {
    let taken = dir.lock().unwrap_or_else(PoisonError::into_inner).take();
    if let Some(d) = taken {
        let path = d.path().display().to_string();
        match d.close() {
            Ok(()) => println!("Removed the temporary config directory {path}."),
            Err(e) => {
                eprintln!("warning: could not remove the temporary config directory {path}: {e}")
            }
        }
    }
}

/// Start the server on its own thread; returns once it serves and
/// watches Ctrl-C (which removes `dir` and exits 130).
fn start(
    listener: TcpListener,
    provider: Provider,
    dir: Dir,
) -> std::io::Result<(
    std::thread::JoinHandle<()>,
    tokio::sync::oneshot::Sender<()>,
)> {
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<std::io::Result<()>>();
    let thread = std::thread::Builder::new()
        .name("try-it-server".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => return drop(ready_tx.send(Err(e))),
            };
            let watch = match runtime.block_on(async { ctrl_c() }) {
                Ok(w) => w,
                Err(e) => return drop(ready_tx.send(Err(e))),
            };
            let _ = ready_tx.send(Ok(()));
            let stop = async move {
                tokio::select! {
                    _ = stop_rx => {}
                    () = watch => {
                        println!("\nInterrupted.");
                        remove(&dir);
                        std::process::exit(130);
                    }
                }
            };
            let shared = Arc::new(Mutex::new(provider));
            if let Err(e) = runtime.block_on(server::serve(listener, shared, false, stop)) {
                eprintln!("error: the try-it server stopped: {e}");
            }
        })?;
    match ready_rx.recv() {
        Ok(Ok(())) => Ok((thread, stop_tx)),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(std::io::Error::other("the server thread ended at once")),
    }
}

fn intro(p: &Prepared) {
    let tenants: Vec<&str> = TENANTS.iter().map(|(s, _)| *s).collect();
    println!(
        "keyward try-it: an OAuth 2.0 server on http://{} (this machine only)",
        p.host
    );
    println!(
        "  user {USER_NAME} <{USER_EMAIL}>, tenants {}; client `{BUILTIN_CLIENT}`",
        tenants.join(" and ")
    );
    match &p.config {
        Some(d) => println!(
            "  keyward's config and credentials: {} (file store), removed at the end",
            d.path().display()
        ),
        None => println!(
            "  --keep: keyward uses your own config directory and credential store (keychain)"
        ),
    }
    if p.interactive {
        println!("  Your browser opens for the login: press Approve there.");
    } else {
        println!(
            "  Not interactive: BROWSER is `try-it --approve`, which presses Approve for you."
        );
    }
    if !p.ignored.is_empty() {
        println!("  Set aside for this run: {}", p.ignored.join(", "));
    }
}

/// The tour. Its exit code: 0 when every step did what it should.
pub fn run(p: Prepared) -> i32 {
    intro(&p);
    let steps = steps::steps(&p.host, p.interactive, p.config.is_none() && !p.had_default);
    let Prepared {
        listener,
        provider,
        config,
        host,
        show_token,
        exe,
        had_default,
        ..
    } = p;
    let dir: Dir = Arc::new(Mutex::new(config));
    let (thread, stop) = match start(listener, provider, Arc::clone(&dir)) {
        Ok(t) => t,
        Err(e) => {
            remove(&dir);
            eprintln!(
                "error: cannot start the try-it server: {e}\nSolution: try again, or run with --serve to see it fail alone"
            );
            return 1;
        }
    };
    let started = Instant::now();
    let platform = keyward::Platform::keyward();
    let total = steps.len();
    let token_step = steps
        .iter()
        .position(|s| matches!(s.action, Action::Token))
        .map_or(0, |i| i + 1);
    let mut token: Option<String> = None;
    let mut failed: Option<(String, i32)> = None;
    for (i, s) in steps.iter().enumerate() {
        let line = match s.action {
            Action::Refused => format!(
                "curl -H \"Authorization: Bearer <the token of step {token_step}>\" http://{host}{PROFILE_PATH}"
            ),
            _ => shell(&s.args),
        };
        let title = s.title.replace("{token}", &token_step.to_string());
        println!("\n[{}/{total}] {title}\n  $ {line}", i + 1);
        let _ = std::io::stdout().flush();
        let outcome = match s.action {
            Action::Cli(expect) => {
                let args = std::iter::once("keyward".to_string()).chain(s.args.iter().cloned());
                let code = keyward::cli::run(platform, args);
                let _ = std::io::stdout().flush();
                if code == expect {
                    Ok(())
                } else {
                    Err((format!("exit {code}, expected {expect}"), code.max(1)))
                }
            }
            Action::Token => match steps::token(&exe, &s.args) {
                Ok(t) => {
                    println!("{}", if show_token { t.clone() } else { mask(&t) });
                    token = Some(t);
                    Ok(())
                }
                Err(why) => Err((why, 1)),
            },
            Action::Refused => match token.as_deref().map(|t| refused(&host, t)) {
                Some(Ok(said)) => {
                    println!("{said}");
                    Ok(())
                }
                Some(Err(why)) => Err((why, 1)),
                None => Err((format!("no token from step {token_step}"), 1)),
            },
        };
        if let Err((why, code)) = outcome {
            failed = Some((
                format!("step {}/{total} `{line}` failed: {why}", i + 1),
                code,
            ));
            break;
        }
    }
    let _ = stop.send(());
    let _ = thread.join();
    println!();
    let kept = dir.lock().unwrap_or_else(PoisonError::into_inner).is_none();
    remove(&dir);
    match failed {
        None => {
            println!(
                "All {total} steps worked, in {} ms. Next: run the server alone and point the real keyward at it:\n  cargo run --release --example try-it -- --serve",
                started.elapsed().as_millis()
            );
            0
        }
        Some((what, code)) => {
            eprintln!("error: {what}");
            let solution = if code == 130 {
                "run it again to see the rest of the tour.".to_string()
            } else {
                "read keyward's message above; run again with KEYWARD_DEBUG=1 for the causes, or KEYWARD_DEBUG=api for the HTTP exchanges.".to_string()
            };
            let kept = if !kept {
                String::new()
            } else if had_default {
                format!(" With --keep, remove what is left with `keyward auth logout -h {host}`.")
            } else {
                format!(
                    " With --keep, remove what is left with `keyward auth logout -h {host}` and `keyward config unset api_url`."
                )
            };
            eprintln!("Solution: {solution}{kept}");
            code
        }
    }
}
