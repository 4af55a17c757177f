//! Opening the authorization URL in the user's browser, and spotting
//! environments where that cannot work.
//!
//! [`open`] honours the `BROWSER` environment variable the way git and many
//! Unix tools do, and otherwise asks the `webbrowser` crate to use the
//! platform's default browser. [`environment_hint`] tells the CLI when the
//! browser is probably not on this machine (SSH) or cannot be shown at all
//! (no display), so it can print the URL prominently and offer to read a
//! pasted redirect instead.

use std::process::{Command, Stdio};
use std::thread;

/// Opens `url` in a browser without waiting for the browser to exit.
///
/// * When `BROWSER` is set to something other than whitespace, it is run as
///   a command (see below).
/// * Otherwise `webbrowser::open` picks the platform's default browser
///   (`xdg-open` and friends, `open` on macOS, the shell on Windows, WSL's
///   host browser).
///
/// Only `http://` and `https://` URLs are opened; anything else is refused,
/// so a URL can never be taken for a local file or a command-line option.
///
/// # The `BROWSER` command
///
/// The value is split on whitespace, with no quoting: the first word is the
/// program, the other words are its own arguments. If any argument contains
/// `%s` (the old convention, e.g. `firefox --new-tab %s`), every `%s` is
/// replaced by the URL; otherwise the URL is added as the last argument
/// (e.g. `firefox --new-tab` runs `firefox --new-tab <url>`). A program path
/// with spaces therefore needs a wrapper script. Colon-separated lists of
/// browsers are not supported.
///
/// The command is started with stdin, stdout and stderr connected to the
/// null device, so a chatty browser cannot scribble over the terminal (and
/// terminal browsers such as `lynx` or `w3m` cannot be used this way). It is
/// not waited for: a background thread reaps it when it exits. Only a
/// failure to start it (e.g. program not found) is reported.
///
/// # Errors
///
/// A readable message. Failing to open a browser is never fatal for a
/// login: print the URL and let the user open it.
pub fn open(url: &str) -> Result<(), String> {
    open_with_env(url, |name| std::env::var(name).ok())
}

/// Like [`open`], reading environment variables through `env` instead of
/// the process environment (for tests, or to apply settings from a config
/// file). `env` returns `None` for an unset variable. Only `BROWSER` is
/// read through `env`; the `webbrowser` fallback looks at the real process
/// environment itself.
///
/// # Errors
///
/// As for [`open`].
pub fn open_with_env(url: &str, env: impl Fn(&str) -> Option<String>) -> Result<(), String> {
    open_hiding(url, env, &|_| false)
}

/// Like [`open_with_env`], starting the browser command (and the system's
/// opener on Linux and the BSDs, `xdg-open`) without the variables for which
/// `secret` is true: a browser, its helpers and whatever they start never
/// see a token kept in the environment (`KEYWARD_TOKEN`, see
/// [`Platform::is_secret_env_var`](crate::Platform::is_secret_env_var)).
///
/// # Errors
///
/// As for [`open`].
pub fn open_hiding(
    url: &str,
    env: impl Fn(&str) -> Option<String>,
    secret: &dyn Fn(&str) -> bool,
) -> Result<(), String> {
    let spawn_detached = |program: &str, args: &[String]| spawn_detached(program, args, secret);
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return Err("refusing to open a URL that is not http:// or https://".to_owned());
    }
    match env("BROWSER").and_then(|value| command_line(&value, url)) {
        Some((program, args)) => spawn_detached(&program, &args),
        // WSL: the Windows browser, not a Linux one that may not even show.
        None if is_wsl(&env) => match find_program("wslview", &env) {
            Some(wslview) => spawn_detached(&wslview, &[url.to_owned()]),
            None => spawn_detached(
                "powershell.exe",
                &[
                    "-NoProfile".to_owned(),
                    "-NonInteractive".to_owned(),
                    "-Command".to_owned(),
                    format!("Start-Process '{}'", url.replace('\'', "''")),
                ],
            ),
        },
        // Without a display the system opener either fails or starts a
        // graphical browser that exits at once: either way nobody sees the
        // page, so say so and let the login take a pasted code instead.
        None if detect(&env, display_needed()) == Some(Hint::NoDisplay) => Err(
            "there is no graphical display (DISPLAY or WAYLAND_DISPLAY) to show it on".to_owned(),
        ),
        None => match system_opener(&env) {
            Some(opener) => open_checked(&opener, url, secret),
            None => webbrowser::open(url).map_err(|e| format!("could not open a browser: {e}")),
        },
    }
}

/// `xdg-open`, where keyward starts the system's opener itself (Linux and
/// the BSDs), so that it can leave secret variables out of its environment;
/// elsewhere (macOS, Windows) the `webbrowser` crate asks the OS, which
/// starts the browser with an environment of its own.
fn system_opener(env: &impl Fn(&str) -> Option<String>) -> Option<String> {
    if cfg!(all(unix, not(target_os = "macos"))) {
        find_program("xdg-open", env)
    } else {
        None
    }
}

/// Running under WSL (Windows Subsystem for Linux).
fn is_wsl(env: impl Fn(&str) -> Option<String>) -> bool {
    ["WSL_DISTRO_NAME", "WSL_INTEROP"]
        .iter()
        .any(|v| env(v).is_some_and(|x| !x.is_empty()))
}

/// `name` in `PATH`, when it is there.
fn find_program(name: &str, env: impl Fn(&str) -> Option<String>) -> Option<String> {
    let path = env("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .map(|p| p.to_string_lossy().into_owned())
}

/// Splits a `BROWSER` value into the program and its arguments, with the URL
/// substituted for `%s` or appended. `None` when the value is blank.
fn command_line(value: &str, url: &str) -> Option<(String, Vec<String>)> {
    let mut words = value.split_whitespace();
    let program = words.next()?.to_owned();
    let mut args: Vec<String> = words.map(str::to_owned).collect();
    if args.iter().any(|a| a.contains("%s")) {
        for a in &mut args {
            *a = a.replace("%s", url);
        }
    } else {
        args.push(url.to_owned());
    }
    Some((program, args))
}

/// `program`, to be started without the variables for which `secret` is
/// true.
fn command_without(program: &str, secret: &dyn Fn(&str) -> bool) -> Command {
    let mut command = Command::new(program);
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(secret) {
            command.env_remove(&name);
        }
    }
    command
}

/// Start the system's opener and give it a moment: `xdg-open` returns at
/// once, with a failure when it found no browser to start (as the
/// `webbrowser` crate reported it). One still running after that moment
/// has started something: the login goes on.
fn open_checked(opener: &str, url: &str, secret: &dyn Fn(&str) -> bool) -> Result<(), String> {
    let mut child = command_without(opener, secret)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not run `{opener}`: {e}"))?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(1500);
    while std::time::Instant::now() < deadline {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                return Err(format!("`{opener}` could not open a browser ({status})"));
            }
            Ok(None) => thread::sleep(std::time::Duration::from_millis(20)),
            Err(_) => break,
        }
    }
    let _ = thread::Builder::new()
        .name("browser-reaper".to_owned())
        .spawn(move || {
            let _ = child.wait();
        });
    Ok(())
}

fn spawn_detached(
    program: &str,
    args: &[String],
    secret: &dyn Fn(&str) -> bool,
) -> Result<(), String> {
    let mut child = command_without(program, secret)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not run the BROWSER command `{program}`: {e}"))?;
    // Reap the child when it exits so it does not linger as a zombie; if no
    // thread can be started, dropping `child` merely leaves that to the OS.
    let _ = thread::Builder::new()
        .name("browser-reaper".to_owned())
        .spawn(move || {
            let _ = child.wait();
        });
    Ok(())
}

/// Why opening a browser on this machine will probably not complete the
/// login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Hint {
    /// Running in an SSH session (`SSH_CONNECTION` or `SSH_TTY` is set).
    /// The user's browser is most likely on another machine, where
    /// `127.0.0.1` is not this machine: the redirect will not reach the
    /// loopback listener. Suggest copying the URL, then pasting the final
    /// redirected address back, or forwarding the callback port with
    /// `ssh -L <port>:127.0.0.1:<port>`.
    Ssh,
    /// A Unix desktop platform (Linux, the BSDs…) with neither `DISPLAY` nor
    /// `WAYLAND_DISPLAY`, not under WSL and without `BROWSER` set: no
    /// graphical browser can be started. Suggest opening the URL on another
    /// device and pasting the redirected address back.
    NoDisplay,
}

impl Hint {
    /// A one-line piece of advice the CLI may print as is.
    #[must_use]
    pub fn advice(self) -> &'static str {
        match self {
            Hint::Ssh => {
                "This looks like an SSH session: open the link in a browser on your own \
                 machine, then paste the address of the page it ends on here (or forward \
                 the callback port with `ssh -L`)."
            }
            Hint::NoDisplay => {
                "No graphical display was found: open the link on any device, then paste \
                 the address of the page it ends on here."
            }
        }
    }
}

/// Looks at the process environment for reasons a local browser will not
/// work. `None` means: just open the browser.
#[must_use]
pub fn environment_hint() -> Option<Hint> {
    environment_hint_with(|name| std::env::var(name).ok())
}

/// Like [`environment_hint`], reading variables through `env` (`None` for
/// unset). Variables set to an empty string count as unset.
#[must_use]
pub fn environment_hint_with(env: impl Fn(&str) -> Option<String>) -> Option<Hint> {
    detect(env, display_needed())
}

/// Whether a graphical browser on this platform needs `DISPLAY` or
/// `WAYLAND_DISPLAY`: true on Unix systems other than macOS, iOS and
/// Android.
fn display_needed() -> bool {
    cfg!(all(
        unix,
        not(any(
            target_os = "macos",
            target_os = "ios",
            target_os = "android"
        ))
    ))
}

fn detect(env: impl Fn(&str) -> Option<String>, display_needed: bool) -> Option<Hint> {
    let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
    if set("SSH_CONNECTION") || set("SSH_TTY") {
        return Some(Hint::Ssh);
    }
    let has_display = set("DISPLAY") || set("WAYLAND_DISPLAY");
    // WSL opens the Windows host's browser; BROWSER is the user's choice.
    let other_way = set("WSL_DISTRO_NAME") || set("WSL_INTEROP") || set("BROWSER");
    if display_needed && !has_display && !other_way {
        return Some(Hint::NoDisplay);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    const URL: &str = "https://auth.example.com/authorize?a=1&b=2";

    #[test]
    fn command_line_appends_url() {
        let (p, a) = command_line("firefox", URL).unwrap();
        assert_eq!(p, "firefox");
        assert_eq!(a, vec![URL]);

        let (p, a) = command_line("  firefox   --new-tab\t-P work ", URL).unwrap();
        assert_eq!(p, "firefox");
        assert_eq!(a, vec!["--new-tab", "-P", "work", URL]);
    }

    #[test]
    fn command_line_substitutes_percent_s() {
        let (p, a) = command_line("chromium --app=%s --incognito", URL).unwrap();
        assert_eq!(p, "chromium");
        assert_eq!(a, vec![format!("--app={URL}"), "--incognito".to_owned()]);

        let (_, a) = command_line("b %s %s", URL).unwrap();
        assert_eq!(a, vec![URL, URL]);
    }

    #[test]
    fn command_line_blank_is_none() {
        assert_eq!(command_line("", URL), None);
        assert_eq!(command_line(" \t ", URL), None);
    }

    #[test]
    fn refuses_non_http_urls() {
        let env = env_of(&[("BROWSER", "true")]);
        for bad in [
            "file:///etc/passwd",
            "--help",
            "javascript:alert(1)",
            "",
            "http:/x",
        ] {
            let err = open_with_env(bad, &env).unwrap_err();
            assert!(err.contains("http"), "{err}");
        }
    }

    #[cfg(all(
        unix,
        not(any(target_os = "macos", target_os = "ios", target_os = "android"))
    ))]
    #[test]
    fn without_a_display_no_browser_is_started() {
        let err = open_with_env(URL, env_of(&[])).unwrap_err();
        assert!(err.contains("no graphical display"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn under_wsl_wslview_opens_the_windows_browser() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("args.txt");
        let script = dir.path().join("wslview");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{0}.tmp' && mv '{0}.tmp' '{0}'\n",
                out.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = dir.path().display().to_string();
        open_with_env(
            URL,
            env_of(&[("WSL_DISTRO_NAME", "Ubuntu"), ("PATH", path.as_str())]),
        )
        .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !out.exists() {
            assert!(std::time::Instant::now() < deadline, "wslview never ran");
            thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(std::fs::read_to_string(&out).unwrap().trim(), URL);
    }

    #[test]
    fn under_wsl_without_wslview_powershell_is_tried() {
        let err = open_with_env(
            URL,
            env_of(&[("WSL_INTEROP", "/run/WSL/1"), ("PATH", "/nonexistent")]),
        )
        .unwrap_err();
        assert!(err.contains("powershell.exe"), "{err}");
    }

    #[test]
    fn missing_program_is_an_error_message() {
        let env = env_of(&[("BROWSER", "/nonexistent/keyward-test-browser --flag")]);
        let err = open_with_env(URL, env).unwrap_err();
        assert!(err.contains("/nonexistent/keyward-test-browser"), "{err}");
    }

    #[cfg(unix)]
    fn run_fake_browser(browser_args: &str, url: &str) -> Vec<String> {
        use std::time::{Duration, Instant};

        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let script = dir.join("browser.sh");
        let out = dir.join("args.txt");
        std::fs::write(
            &script,
            format!(
                "printf '%s\\n' \"$@\" > '{0}.tmp' && mv '{0}.tmp' '{0}'\n",
                out.display()
            ),
        )
        .unwrap();
        // Run the script through sh so that no freshly written file is
        // executed (avoids ETXTBSY races with other tests forking).
        let value = format!("sh {} {browser_args}", script.display());
        let started = Instant::now();
        open_with_env(url, env_of(&[("BROWSER", value.as_str())])).unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "open must not wait"
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while !out.exists() {
            assert!(Instant::now() < deadline, "fake browser never ran");
            thread::sleep(Duration::from_millis(20));
        }
        let text = std::fs::read_to_string(&out).unwrap();
        text.lines().map(str::to_owned).collect()
    }

    #[cfg(unix)]
    #[test]
    fn browser_env_runs_command_with_url_last() {
        let args = run_fake_browser("--new-window", URL);
        assert_eq!(args, vec!["--new-window".to_owned(), URL.to_owned()]);
    }

    #[cfg(unix)]
    #[test]
    fn browser_env_percent_s() {
        let args = run_fake_browser("--url=%s --x", URL);
        assert_eq!(args, vec![format!("--url={URL}"), "--x".to_owned()]);
    }

    #[test]
    fn hint_ssh() {
        for var in ["SSH_CONNECTION", "SSH_TTY"] {
            let env = env_of(&[(var, "1.2.3.4 5 6.7.8.9 22"), ("DISPLAY", ":0")]);
            assert_eq!(detect(&env, true), Some(Hint::Ssh));
            assert_eq!(detect(&env, false), Some(Hint::Ssh));
        }
        // Empty counts as unset.
        let env = env_of(&[("SSH_TTY", ""), ("DISPLAY", ":0")]);
        assert_eq!(detect(env, true), None);
    }

    #[test]
    fn hint_no_display() {
        assert_eq!(detect(env_of(&[]), true), Some(Hint::NoDisplay));
        assert_eq!(
            detect(env_of(&[("DISPLAY", "")]), true),
            Some(Hint::NoDisplay)
        );
        // Platforms that do not need a display (macOS, Windows) get no hint.
        assert_eq!(detect(env_of(&[]), false), None);
    }

    #[test]
    fn hint_none_with_display() {
        assert_eq!(detect(env_of(&[("DISPLAY", ":0")]), true), None);
        assert_eq!(
            detect(env_of(&[("WAYLAND_DISPLAY", "wayland-0")]), true),
            None
        );
    }

    #[test]
    fn hint_none_under_wsl_or_with_browser() {
        assert_eq!(detect(env_of(&[("WSL_DISTRO_NAME", "Ubuntu")]), true), None);
        assert_eq!(
            detect(env_of(&[("WSL_INTEROP", "/run/WSL/1_interop")]), true),
            None
        );
        assert_eq!(detect(env_of(&[("BROWSER", "firefox")]), true), None);
    }

    #[test]
    fn environment_hint_with_uses_the_closure() {
        let env = env_of(&[("SSH_CONNECTION", "x")]);
        assert_eq!(environment_hint_with(env), Some(Hint::Ssh));
        let env = env_of(&[("DISPLAY", ":1")]);
        assert_eq!(environment_hint_with(env), None);
    }

    #[test]
    fn advice_is_one_line() {
        for h in [Hint::Ssh, Hint::NoDisplay] {
            assert!(!h.advice().contains('\n'));
            assert!(h.advice().contains("paste"));
        }
    }
}
