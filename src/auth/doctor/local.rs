//! The checks that need no network: the OS keychain, the credentials file,
//! config.toml and the callback ports. None of them writes anything.

use super::check::{Check, Status, port_list};
use crate::api_url::ApiUrl;
use crate::config::ConfigError;
use crate::session::Session;
use crate::store::{KeychainStore, StoreError, StoreMode};
use std::path::Path;

/// The OS keychain's name on this platform.
fn backend() -> &'static str {
    if cfg!(target_os = "macos") {
        "macOS Keychain"
    } else if cfg!(windows) {
        "Windows Credential Manager"
    } else {
        "Secret Service"
    }
}

/// `keychain`: does the OS keychain answer? Not asked in `file` mode.
pub(super) fn keychain(session: &Session) -> Check {
    let bin = session.platform.name;
    let mode = match session.store_mode() {
        Ok(m) => m,
        Err(e) => {
            return Check::new("keychain", Status::Fail, e.to_string())
                .maybe_fix(e.hint_for(&session.platform));
        }
    };
    let setting = match session.platform.env("CREDENTIAL_STORE") {
        Some(_) => session.platform.env_var("CREDENTIAL_STORE"),
        None => "credential_store".to_string(),
    };
    if mode == StoreMode::File {
        return Check::new(
            "keychain",
            Status::Skip,
            format!("The OS keychain is not used: {setting} is `file`"),
        )
        .detail("Logins are kept in credentials.json (0600) instead");
    }
    let store = KeychainStore::new(
        session.platform.keychain_service,
        session.config.keychain_timeout(),
    );
    let (cause, raw) = match store.probe() {
        Ok(()) => {
            let what = if cfg!(target_os = "linux") {
                "; its default collection is unlocked"
            } else {
                ""
            };
            return Check::new(
                "keychain",
                Status::Pass,
                format!("The OS keychain ({}) answers{what}", backend()),
            );
        }
        Err(StoreError::Unavailable { cause, detail }) => (cause, detail),
        Err(e) => (
            format!(
                "{e}{}",
                e.cause().map(|c| format!(": {c}")).unwrap_or_default()
            ),
            None,
        ),
    };
    let meanwhile = match mode {
        StoreMode::Keychain => {
            format!("{setting} is `keychain`: logging in fails until the keychain can be reached")
        }
        _ => "Meanwhile new logins are stored in credentials.json (0600) instead".to_string(),
    };
    let detail = match raw {
        Some(r) => format!("{meanwhile}. Details: {r}"),
        None => meanwhile,
    };
    Check::new(
        "keychain",
        Status::Fail,
        format!("The OS keychain ({}) is not reachable: {cause}", backend()),
    )
    .detail(detail)
    .fix(format!(
        "{}, or keep logins in the 0600 file instead: `{bin} config set credential_store file`",
        keychain_fix(&cause, bin)
    ))
}

/// What to do about an unreachable keychain, by its cause (the words of
/// [`KeychainStore`]'s errors).
fn keychain_fix(cause: &str, bin: &str) -> String {
    let c = cause.to_ascii_lowercase();
    if c.contains("d-bus") {
        "start a D-Bus session with a Secret Service in it (log in to a desktop session, or run `dbus-run-session -- $SHELL` and start gnome-keyring there)".into()
    } else if c.contains("no secret service") {
        "start a Secret Service on the session bus: `gnome-keyring-daemon --start --components=secrets`, or KeePassXC with its Secret Service integration on".into()
    } else if c.contains("locked") {
        "unlock the login keyring: from the desktop (its keyring prompt, or the Passwords and Keys app)".into()
    } else if c.contains("default") {
        "create a default keyring (Passwords and Keys: a new password keyring, set as default)"
            .into()
    } else if c.contains("did not answer") {
        format!(
            "restart the keychain daemon (it is stuck or slow), or give it longer: `{bin} config set keychain_timeout 10`"
        )
    } else {
        "check that the OS keychain runs and is unlocked".into()
    }
}

/// Permission bits of `path`, when this platform has them.
#[cfg(unix)]
fn mode(meta: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    Some(meta.permissions().mode() & 0o777)
}

#[cfg(not(unix))]
fn mode(_: &std::fs::Metadata) -> Option<u32> {
    None
}

/// Someone other than you (and root) owns it.
#[cfg(unix)]
fn foreign_owner(meta: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let owner = meta.uid();
    (owner != me && owner != 0).then_some(owner)
}

#[cfg(not(unix))]
fn foreign_owner(_: &std::fs::Metadata) -> Option<u32> {
    None
}

/// `credentials_file`: mode 0600 in a directory only the user can write, and JSON. The
/// second value is true when the file is open to others: reading it
/// through the store would tighten it, so the token check leaves it alone.
pub(super) fn credentials_file(session: &Session) -> (Check, bool) {
    let path = session.paths.credentials_file();
    let dir = session.paths.dir.clone();
    let shown = path.display();
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let summary = match session.store_mode() {
                Ok(StoreMode::File) => {
                    format!("No credentials file yet: logins will be stored in {shown} (0600)")
                }
                _ => format!("No credentials file ({shown}): no login is kept in the file"),
            };
            return (Check::new("credentials_file", Status::Pass, summary), false);
        }
        Err(e) => {
            return (
                Check::new(
                    "credentials_file",
                    Status::Fail,
                    format!("{shown} cannot be read: {e}"),
                )
                .fix(format!("check its owner and permissions (`ls -l {shown}`)")),
                false,
            );
        }
    };
    let file_mode = mode(&meta);
    let loose = file_mode.is_some_and(|m| m & 0o077 != 0);
    if let Some(m) = file_mode.filter(|_| loose) {
        let check = Check::new(
            "credentials_file",
            Status::Fail,
            format!("{shown} is {m:04o}: other users can read the tokens in it"),
        )
        .detail(
            "Any keyward command that reads it sets it to 0600 first; doctor changes nothing. \
             Tokens in it may have been read: consider logging in again",
        )
        .fix(format!("chmod 600 {shown}"));
        return (check, true);
    }
    if let Some(owner) = foreign_owner(&meta) {
        let check = Check::new(
            "credentials_file",
            Status::Fail,
            format!("{shown} belongs to another user (uid {owner})"),
        )
        .fix(format!(
            "make it yours (`sudo chown \"$(id -u)\" {shown}`), or move it aside and log in again"
        ));
        return (check, false);
    }
    let dir_mode = std::fs::metadata(&dir).ok().as_ref().and_then(mode);
    if let Some(d) = dir_mode.filter(|d| d & 0o022 != 0) {
        let check = Check::new(
            "credentials_file",
            Status::Fail,
            format!("The directory of {shown} is {d:04o}: other users can replace files in it"),
        )
        .fix(format!("chmod go-w {}", dir.display()));
        return (check, false);
    }
    if let Err(why) = json(&path) {
        let check = Check::new(
            "credentials_file",
            Status::Fail,
            format!("{shown} is not valid JSON ({why})"),
        )
        .fix(format!(
            "move it aside (`mv {shown} {shown}.broken`), then log in again"
        ));
        return (check, false);
    }
    let summary = match file_mode {
        Some(m) => format!(
            "{shown} is {m:04o} in a {:04o} directory",
            dir_mode.unwrap_or(0o700)
        ),
        None => format!("{shown} is readable JSON"),
    };
    (Check::new("credentials_file", Status::Pass, summary), false)
}

/// Whether the file at `path` is JSON; where it is not.
fn json(path: &Path) -> Result<(), String> {
    let text = crate::limits::read_to_string(path).map_err(|e| e.describe())?;
    if text.trim().is_empty() {
        return Ok(());
    }
    serde_json::from_str::<serde_json::Value>(&text)
        .map(|_| ())
        .map_err(|e| format!("line {}, column {}", e.line(), e.column()))
}

/// `config`: config.toml parses (else where it does not), and every key in
/// it is one keyward knows.
pub(super) fn config(session: &Session, broken: Option<&ConfigError>) -> Check {
    let bin = session.platform.name;
    let path = session.paths.config_file();
    if let Some(e) = broken {
        let message = match e {
            ConfigError::File { message, .. } => message.clone(),
            other => other.to_string(),
        };
        let verb = if message.starts_with("cannot read") {
            "cannot be read"
        } else {
            "does not parse"
        };
        return Check::new(
            "config",
            Status::Fail,
            format!("config.toml {verb}: {message}"),
        )
        .detail(format!(
            "{}; the other checks ran with the default settings",
            path.display()
        ))
        .fix(format!(
            "correct {} where it says (`{bin} config list` shows what it holds once it parses), or move it aside to use the defaults",
            path.display()
        ));
    }
    if !path.exists() {
        return Check::new(
            "config",
            Status::Pass,
            format!("No config.toml ({}): the defaults are used", path.display()),
        );
    }
    let unknown = session.config.unknown_keys();
    if !unknown.is_empty() {
        let which: Vec<String> = unknown
            .iter()
            .map(|k| crate::config::keys::describe_unknown(k))
            .collect();
        return Check::new(
            "config",
            Status::Warn,
            format!(
                "config.toml parses, but keyward ignores {} key{} it does not know",
                unknown.len(),
                if unknown.len() == 1 { "" } else { "s" }
            ),
        )
        .detail(which.join("; "))
        .fix(format!(
            "rename or remove {} (`{bin} config list` names each with the key it probably meant)",
            if unknown.len() == 1 { "it" } else { "them" }
        ));
    }
    Check::new(
        "config",
        Status::Pass,
        format!("config.toml parses ({})", path.display()),
    )
}

/// `config_permissions`: only you (or root) can change config.toml, its
/// directory and the `ca_file`s it names: the rule by which every other
/// command refuses the config ([`crate::config::perms`]), reported here.
pub(super) fn config_permissions(session: &Session) -> Check {
    let path = session.paths.config_file();
    let problems = session.config.untrusted(&session.paths);
    let Some(p) = problems.first() else {
        return match std::fs::metadata(&path).ok().as_ref().and_then(mode) {
            Some(m) => Check::new(
                "config_permissions",
                Status::Pass,
                format!("Only you can change config.toml ({m:04o})"),
            ),
            None if path.exists() => Check::new(
                "config_permissions",
                Status::Pass,
                "config.toml can be read",
            ),
            None => Check::new(
                "config_permissions",
                Status::Skip,
                "No config.toml to check the permissions of",
            ),
        };
    };
    let me = crate::trust::current_user();
    let shown = p.path.display();
    let summary = match &p.why {
        crate::trust::Untrusted::Writable { mode } => match p.what {
            "the config directory" => format!(
                "The directory of config.toml ({shown}) is {mode:04o}: other users can replace files in it"
            ),
            _ => format!("{shown} is {mode:04o}: other users can change it"),
        },
        why => format!("{shown} ({}): {}", p.what, why.reason(me, p.consequence())),
    };
    let fix = p.why.fix(&p.path, me).map_or_else(
        || format!("replace {shown} with a file of your own"),
        |f| {
            if p.why.foreign() {
                format!("if you trust it: `{f}`; otherwise delete it")
            } else {
                f
            }
        },
    );
    Check::new("config_permissions", Status::Fail, summary)
        .detail(format!(
            "{}; every other command refuses this config until it is fixed",
            capitalize(p.consequence())
        ))
        .fix(fix)
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// `callback_ports`: each loopback port a browser login may listen on can
/// be bound on 127.0.0.1 now (and is let go at once).
pub(super) fn callback_ports(session: &Session, api_url: Option<&ApiUrl>) -> Check {
    let bin = session.platform.name;
    let ports = match api_url {
        Some(u) => crate::oauth::flows::ports(session, u),
        None => crate::oauth::callback::DEFAULT_PORTS.to_vec(),
    };
    let mut taken: Vec<(u16, String)> = Vec::new();
    for &p in &ports {
        if let Err(e) = std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, p)) {
            let why = match e.kind() {
                std::io::ErrorKind::AddrInUse => "in use".to_string(),
                _ => e.to_string(),
            };
            taken.push((p, why));
        }
    }
    if taken.is_empty() {
        return Check::new(
            "callback_ports",
            Status::Pass,
            format!(
                "The browser login's callback port{} {} free on 127.0.0.1: {}",
                if ports.len() == 1 { "" } else { "s" },
                if ports.len() == 1 { "is" } else { "are" },
                port_list(&ports)
            ),
        );
    }
    let names: Vec<u16> = taken.iter().map(|(p, _)| *p).collect();
    let free: Vec<u16> = ports
        .iter()
        .copied()
        .filter(|p| !names.contains(p))
        .collect();
    let first_taken = names.first().copied().unwrap_or_default();
    let summary = if let ([one], [(_, why)]) = (names.as_slice(), taken.as_slice()) {
        format!("Callback port {one} on 127.0.0.1 is taken ({why})")
    } else {
        format!(
            "Callback ports {} on 127.0.0.1 are taken",
            taken
                .iter()
                .map(|(p, why)| format!("{p} ({why})"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let detail = match free.first() {
        Some(first) => format!(
            "A browser login listens on the first free port, {first}: an OAuth server that registered only http://127.0.0.1:{first_taken}/callback refuses it"
        ),
        None => format!(
            "A browser login cannot listen for its callback (`{bin} auth login --no-browser` and `--device` still work)"
        ),
    };
    let host = match api_url {
        Some(u) => format!("-h {u}"),
        None => "-h <api_url>".to_string(),
    };
    Check::new("callback_ports", Status::Fail, summary)
        .detail(detail)
        .fix(format!(
            "free port {first_taken} (`ss -ltnp 'sport = :{first_taken}'` shows what holds it), or use other ports for this API (each registered with the OAuth server): `{bin} config set callback_ports 9001,9002 {host}`"
        ))
}
