//! Which credential helpers git runs for an origin, read from git's own
//! config in git's order.
//!
//! git hands a credential that worked to *every* helper in the chain
//! (`store`), whichever one answered `get`. keyward's setup writes a blank
//! `credential.<origin>.helper` first, which empties the chain, then its
//! own; but a helper configured after that (a later `credential.helper =
//! store` in ~/.gitconfig, a repository's config, `git -c`) joins the chain
//! again and would be handed the token. [`Chain::others`] names them, so
//! keyward can refuse to answer rather than let a token reach a plain-text
//! file.

use super::origin::Origin;
use std::process::{Command, Stdio};

/// One `credential[.<url>].helper` line of git's config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Where git read it (`file:/home/u/.gitconfig`, `command line:`).
    pub source: String,
    /// The URL of `credential.<url>.helper`; empty for `credential.helper`.
    pub url: String,
    /// The helper (empty: the chain is emptied here).
    pub value: String,
}

/// The helpers git runs for one origin, in order, with where each was set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chain {
    /// `(helper, source)`, in git's order.
    pub helpers: Vec<(String, String)>,
}

/// True when `source` (git's `--show-origin`: `file:/home/u/.gitconfig`)
/// is the global config file, the one `git config --global` writes:
/// GIT_CONFIG_GLOBAL, else ~/.gitconfig or $XDG_CONFIG_HOME/git/config.
pub fn is_global_source(source: &str) -> bool {
    let Some(file) = source.strip_prefix("file:") else {
        return false;
    };
    let file = std::path::Path::new(file);
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|x| !x.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".config")));
    let candidates = [
        std::env::var_os("GIT_CONFIG_GLOBAL").map(std::path::PathBuf::from),
        home.map(|h| h.join(".gitconfig")),
        xdg.map(|x| x.join("git/config")),
    ];
    let same = |a: &std::path::Path, b: &std::path::Path| {
        a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
    };
    candidates.iter().flatten().any(|c| same(file, c))
}

/// True for keyward's own helper: `!'<path>' auth git-credential`, as
/// `setup-git` writes it, whose program has this program's file name
/// (`keyward`, or a branded binary's), and not another tool's helper of the
/// same shape (gh's `!/usr/bin/gh auth git-credential`).
pub fn is_ours(helper: &str) -> bool {
    // Unit tests run as `keyward-<hash>`: they stand for `keyward`.
    if cfg!(test) {
        return names_program(helper, "keyward");
    }
    static OWN: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    OWN.get_or_init(|| {
        std::env::current_exe()
            .ok()
            .and_then(|p| p.file_name().and_then(|n| n.to_str()).map(str::to_string))
    })
    .as_deref()
    .is_some_and(|own| names_program(helper, own))
}

/// True when `helper` is `!<path> auth git-credential` (the path bare or
/// in shell single quotes) and the path's file name is `program`.
pub fn names_program(helper: &str, program: &str) -> bool {
    let Some(rest) = helper.trim().strip_prefix('!') else {
        return false;
    };
    let rest = rest.trim_start();
    let (path, tail) = match rest.strip_prefix('\'') {
        Some(quoted) => {
            let mut path = String::new();
            let mut r = quoted;
            loop {
                let Some((piece, after)) = r.split_once('\'') else {
                    return false;
                };
                path.push_str(piece);
                match after.strip_prefix("\\''") {
                    Some(more) => {
                        path.push('\'');
                        r = more;
                    }
                    None => break (path, after),
                }
            }
        }
        None => match rest.split_once(char::is_whitespace) {
            Some((p, t)) => (p.to_string(), t),
            None => return false,
        },
    };
    tail.split_whitespace().eq(["auth", "git-credential"])
        && std::path::Path::new(&path)
            .file_name()
            .and_then(|n| n.to_str())
            == Some(program)
}

impl Chain {
    /// The helpers that apply to `origin`, from `entries` in git's order.
    /// An entry whose URL might apply counts when it adds a helper, and only
    /// an entry that surely applies counts when it empties the chain: an
    /// unsure reading errs towards "another helper would see the token".
    pub fn of(entries: &[Entry], origin: &Origin) -> Chain {
        let mut helpers = Vec::new();
        for e in entries {
            if e.value.trim().is_empty() {
                if e.url.is_empty() || applies(&e.url, origin, Certainty::Sure) {
                    helpers.clear();
                }
            } else if e.url.is_empty() || applies(&e.url, origin, Certainty::Maybe) {
                helpers.push((e.value.clone(), e.source.clone()));
            }
        }
        Chain { helpers }
    }

    /// True when keyward's helper is in the chain.
    pub fn has_ours(&self) -> bool {
        self.helpers.iter().any(|(h, _)| is_ours(h))
    }

    /// The other helpers, `(helper, source)`.
    pub fn others(&self) -> Vec<&(String, String)> {
        self.helpers.iter().filter(|(h, _)| !is_ours(h)).collect()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Certainty {
    Sure,
    Maybe,
}

/// Whether `credential.<url>` applies to `origin`, as git's URL matching
/// reads it: same scheme, same host (a `*` matches one label), same port.
/// A user name or a path in `url` makes it apply only to some requests:
/// that is a `Maybe`, never `Sure`. A URL that cannot be read is a `Maybe`.
fn applies(url: &str, origin: &Origin, want: Certainty) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        return want == Certainty::Maybe;
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (user, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let narrowed = user.is_some() || !(path.is_empty() || path == "/");
    if narrowed && want == Certainty::Sure {
        return false;
    }
    let (o_scheme, o_hostport) = origin
        .as_str()
        .split_once("://")
        .unwrap_or(("", origin.as_str()));
    if !scheme.eq_ignore_ascii_case(o_scheme) {
        return false;
    }
    let (host, port) = split_port(hostport, scheme);
    let (o_host, o_port) = split_port(o_hostport, o_scheme);
    if port != o_port {
        return false;
    }
    host_matches(&host.to_ascii_lowercase(), o_host)
}

/// `host[:port]` with the scheme's default port filled in.
fn split_port<'a>(hostport: &'a str, scheme: &str) -> (&'a str, String) {
    let default = if scheme.eq_ignore_ascii_case("http") {
        "80"
    } else {
        "443"
    };
    let colon = if hostport.starts_with('[') {
        hostport
            .find(']')
            .and_then(|i| hostport[i..].find(':').map(|j| i + j))
    } else {
        hostport.rfind(':')
    };
    match colon {
        Some(i) if !hostport[i + 1..].is_empty() => (&hostport[..i], hostport[i + 1..].to_string()),
        Some(i) => (&hostport[..i], default.to_string()),
        None => (hostport, default.to_string()),
    }
}

/// git's host match: label by label, `*` matching any one label.
fn host_matches(pattern: &str, host: &str) -> bool {
    let p: Vec<&str> = pattern.split('.').collect();
    let h: Vec<&str> = host.split('.').collect();
    p.len() == h.len() && p.iter().zip(&h).all(|(p, h)| *p == "*" || p == h)
}

/// Read `git config -z --show-origin --get-regexp` output.
pub fn parse_entries(out: &[u8]) -> Vec<Entry> {
    let text = String::from_utf8_lossy(out);
    let mut fields = text.split('\0');
    let mut entries = Vec::new();
    while let (Some(source), Some(kv)) = (fields.next(), fields.next()) {
        // A key without a value is an error to git itself: skipped.
        let Some((key, value)) = kv.split_once('\n') else {
            continue;
        };
        let Some(middle) = key
            .strip_prefix("credential.")
            .and_then(|k| k.strip_suffix("helper"))
        else {
            continue;
        };
        let url = middle.strip_suffix('.').unwrap_or(middle);
        entries.push(Entry {
            source: source.to_string(),
            url: url.to_string(),
            value: value.to_string(),
        });
    }
    entries
}

/// The credential helper lines git sees from the current directory (every
/// config file, `git -c` and `GIT_CONFIG_*` included), in git's order.
/// `Ok(None)` when git is not installed.
pub fn read_entries(scope: Option<&str>) -> Result<Option<Vec<Entry>>, String> {
    let mut cmd = Command::new("git");
    cmd.arg("config");
    if let Some(s) = scope {
        cmd.arg(s);
    }
    cmd.args([
        "-z",
        "--show-origin",
        "--get-regexp",
        r"^credential\.(.*\.)?helper$",
    ])
    .stdin(Stdio::null());
    let out = match cmd.output() {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot run git: {e}")),
    };
    match out.status.code() {
        Some(0) => Ok(Some(parse_entries(&out.stdout))),
        // Nothing matched.
        Some(1) => Ok(Some(Vec::new())),
        _ => Err(format!(
            "`git config` failed: {}",
            crate::text::printable(&String::from_utf8_lossy(&out.stderr), 300)
        )),
    }
}

/// The scope git gives the helper lines read from `source` (`global` for
/// ~/.gitconfig and the files it includes, `local`, `command`, ...), from
/// `git config --show-scope` (git 2.26 and later); `None` when git cannot
/// say.
pub fn scope_of(source: &str) -> Option<String> {
    let out = Command::new("git")
        .args([
            "config",
            "-z",
            "--show-scope",
            "--show-origin",
            "--get-regexp",
            r"^credential\.(.*\.)?helper$",
        ])
        .stdin(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.split('\0');
    while let (Some(scope), Some(origin), Some(_)) = (fields.next(), fields.next(), fields.next()) {
        if origin == source {
            return Some(scope.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(url: &str, value: &str) -> Entry {
        Entry {
            source: "file:/home/u/.gitconfig".into(),
            url: url.into(),
            value: value.into(),
        }
    }

    fn origin(s: &str) -> Origin {
        Origin::parse(s).unwrap()
    }

    const OURS: &str = "!'/usr/bin/keyward' auth git-credential";

    #[test]
    fn a_blank_line_cuts_what_came_before() {
        let o = origin("git.example.com");
        let c = Chain::of(
            &[
                e("", "store"),
                e("https://git.example.com", ""),
                e("https://git.example.com", OURS),
            ],
            &o,
        );
        assert!(c.has_ours());
        assert!(c.others().is_empty());
    }

    #[test]
    fn a_helper_after_ours_is_named() {
        let o = origin("git.example.com");
        let c = Chain::of(
            &[
                e("https://git.example.com", ""),
                e("https://git.example.com", OURS),
                e("", "store"),
            ],
            &o,
        );
        assert_eq!(c.others().len(), 1);
        assert_eq!(c.others()[0].0, "store");
    }

    #[test]
    fn urls_apply_by_scheme_host_and_port() {
        let o = origin("git.example.com");
        let helper_for = |url: &str| !Chain::of(&[e(url, "x")], &o).helpers.is_empty();
        assert!(helper_for("https://git.example.com"));
        assert!(helper_for("https://git.example.com:443/"));
        assert!(helper_for("https://*.example.com"));
        assert!(helper_for("https://GIT.example.com"));
        assert!(
            helper_for("https://bob@git.example.com/org"),
            "maybe applies: counted"
        );
        assert!(helper_for("not a url"), "unreadable: counted");
        assert!(!helper_for("https://example.com"));
        assert!(!helper_for("http://git.example.com"));
        assert!(!helper_for("https://git.example.com:8443"));
        assert!(!helper_for("https://*.git.example.com"));
    }

    #[test]
    fn only_a_blank_line_that_surely_applies_cuts_the_chain() {
        let o = origin("git.example.com");
        for url in [
            "https://bob@git.example.com",
            "https://git.example.com/org",
            "junk",
        ] {
            let c = Chain::of(
                &[
                    e("", "store"),
                    e(url, ""),
                    e("https://git.example.com", OURS),
                ],
                &o,
            );
            assert_eq!(c.others().len(), 1, "{url}");
        }
    }

    #[test]
    fn reads_git_config_output() {
        let out = b"file:/h/.gitconfig\0credential.https://h.test.helper\n\0file:/h/.gitconfig\0credential.https://h.test.helper\n!x auth git-credential\0command line:\0credential.helper\nstore\0file:/h/.gitconfig\0credential.helper\0";
        let entries = parse_entries(out);
        assert_eq!(entries.len(), 3, "the key without a value is skipped");
        assert_eq!(entries[0].url, "https://h.test");
        assert_eq!(entries[0].value, "");
        assert_eq!(entries[1].value, "!x auth git-credential");
        assert_eq!(entries[2].source, "command line:");
        assert_eq!(entries[2].url, "");
    }
}
