//! The settings config.toml may hold: their names, where they live (top
//! level or `[hosts."<api_url>"]`), their kinds, how a value is checked and
//! normalised, and the serde readers that apply the same checks to the file.

use crate::api_url::{ApiUrl, check_endpoint};
use crate::input::InputError;
use crate::record::check_tenant;
use crate::store::StoreMode;

/// Where a key lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The top level of config.toml.
    Global,
    /// Under `[hosts."<api_url>"]`.
    Host,
}

/// The kind of value a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An API URL (normalised).
    ApiUrl,
    /// A tenant slug.
    Tenant,
    /// `auto | keychain | file`.
    StoreMode,
    /// Seconds, 0.001 <= s <= 600 (see [`seconds_in_range`]).
    Seconds,
    /// An https (or loopback http) URL.
    Endpoint,
    /// Non-empty text without control characters.
    Text,
    /// A list of words (comma or space separated on the command line).
    List,
    /// A list of TCP ports.
    Ports,
    /// An absolute file path (`~/` is expanded).
    Path,
    /// A list of git origins (`git.example.com`, `https://git.example.com:8443`).
    Origins,
    /// A user name for HTTP Basic authentication: text without `:`.
    UserName,
}

/// True for a number of seconds a `Seconds` key may hold: 0.001 (1 ms) to
/// 600 (10 minutes). Anything else (0, negative, `1e-300`, `inf`, `nan`)
/// is refused, never rounded.
pub fn seconds_in_range(s: f64) -> bool {
    (0.001..=600.0).contains(&s)
}

/// One setting.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// Its name.
    pub name: &'static str,
    /// Top level or per host.
    pub scope: Scope,
    /// Its kind.
    pub kind: Kind,
    /// One line for `config --help` and `config list --keys`.
    pub about: &'static str,
}

const fn key(name: &'static str, scope: Scope, kind: Kind, about: &'static str) -> Key {
    Key {
        name,
        scope,
        kind,
        about,
    }
}

/// Every key keyward reads.
pub const KEYS: &[Key] = &[
    key("api_url", Scope::Global, Kind::ApiUrl, "default API URL"),
    key(
        "tenant",
        Scope::Global,
        Kind::Tenant,
        "default tenant slug for every API URL without its own (a fallback)",
    ),
    key(
        "credential_store",
        Scope::Global,
        Kind::StoreMode,
        "auto | keychain | file",
    ),
    key(
        "keychain_timeout",
        Scope::Global,
        Kind::Seconds,
        "seconds before an unanswering keychain counts as unreachable (default 3)",
    ),
    key(
        "browser",
        Scope::Global,
        Kind::Text,
        "command that opens the login URL (the URL is its last argument, or replaces %s)",
    ),
    key(
        "http_connect_timeout",
        Scope::Global,
        Kind::Seconds,
        "seconds to connect to a server before giving up (default 5)",
    ),
    key(
        "http_timeout",
        Scope::Global,
        Kind::Seconds,
        "seconds one HTTP request may take in all (default 30)",
    ),
    key(
        "tenant",
        Scope::Host,
        Kind::Tenant,
        "default tenant slug for this API URL",
    ),
    key(
        "profile_url",
        Scope::Host,
        Kind::Endpoint,
        "profile/userinfo endpoint (default /api/v1/profile under the API URL, its base path once)",
    ),
    key(
        "authorize_url",
        Scope::Host,
        Kind::Endpoint,
        "OAuth authorization endpoint",
    ),
    key(
        "token_url",
        Scope::Host,
        Kind::Endpoint,
        "OAuth token endpoint",
    ),
    key(
        "revocation_url",
        Scope::Host,
        Kind::Endpoint,
        "OAuth revocation endpoint",
    ),
    key(
        "device_authorization_url",
        Scope::Host,
        Kind::Endpoint,
        "OAuth device authorization endpoint",
    ),
    key("client_id", Scope::Host, Kind::Text, "OAuth client id"),
    key(
        "scopes",
        Scope::Host,
        Kind::List,
        "default scopes, comma-separated",
    ),
    key(
        "ca_file",
        Scope::Host,
        Kind::Path,
        "PEM file of extra CA certificates to trust for this API (merged with the system's)",
    ),
    key(
        "git_hosts",
        Scope::Host,
        Kind::Origins,
        "other git origins whose credentials are this API URL's login (`auth setup-git`), comma-separated",
    ),
    key(
        "git_username",
        Scope::Host,
        Kind::UserName,
        "user name git sends with the token (default x-access-token)",
    ),
    key(
        "id_token_audience",
        Scope::Host,
        Kind::Text,
        "audience of the CI ID token `auth login --federated` asks for (default: the API URL)",
    ),
    key(
        "exchange_audience",
        Scope::Host,
        Kind::Text,
        "RFC 8693 `audience` sent with a federated token exchange (default: none)",
    ),
    key(
        "exchange_resource",
        Scope::Host,
        Kind::Text,
        "RFC 8693 `resource` sent with a federated token exchange (default: none)",
    ),
    key(
        "subject_token_type",
        Scope::Host,
        Kind::Text,
        "the CI token's type in a token exchange: id_token (default) or jwt",
    ),
    key(
        "callback_ports",
        Scope::Host,
        Kind::Ports,
        "loopback callback ports, comma-separated (default 8765,8766,8767,8768,8769)",
    ),
];

/// The key `name` in `scope`, or a usage error that says where it belongs
/// or which known key was probably meant.
pub fn lookup(name: &str, scope: Scope) -> Result<&'static Key, InputError> {
    if let Some(k) = KEYS.iter().find(|k| k.name == name && k.scope == scope) {
        return Ok(k);
    }
    let hint = match KEYS.iter().find(|k| k.name == name) {
        Some(k) if k.scope == Scope::Global => format!("`{name}` is a global key: drop --host"),
        Some(_) => format!("`{name}` is set per host: add `--host <api_url>`"),
        None => match suggest(name) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("known keys: {}", {
                // `tenant` is a global and a per-host key: named once.
                let mut names: Vec<&str> = Vec::new();
                for k in KEYS {
                    if !names.contains(&k.name) {
                        names.push(k.name);
                    }
                }
                names.join(", ")
            }),
        },
    };
    Err(InputError::new(
        format!("unknown config key `{name}`"),
        Some(hint),
    ))
}

/// The known key closest to `name`, when it is close enough to be a typo.
pub fn suggest(name: &str) -> Option<&'static str> {
    suggest_in(name, None)
}

/// Like [`suggest`], among the keys of `scope` only (all when `None`).
fn suggest_in(name: &str, scope: Option<Scope>) -> Option<&'static str> {
    KEYS.iter()
        .filter(|k| scope.is_none_or(|s| k.scope == s))
        .map(|k| (distance(name, k.name), k.name))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// What `config list` says of a key in the file that keyward does not know
/// (`tokne_url`, or `hosts."<url>".tokne_url`).
pub fn describe_unknown(path: &str) -> String {
    let (name, scope) = match path.rsplit_once("\".") {
        Some((_, k)) if path.starts_with("hosts.") => (k.trim_start_matches('.'), Scope::Host),
        _ => (path, Scope::Global),
    };
    if let Some(s) = suggest_in(name, Some(scope)) {
        return format!("unknown key `{path}`, did you mean `{s}`?");
    }
    match suggest_in(name, None) {
        Some(s) if scope == Scope::Global => format!(
            "unknown key `{path}`, did you mean `{s}`? It is set per host, under [hosts.\"<api_url>\"]"
        ),
        Some(s) => format!("unknown key `{path}`, did you mean `{s}`? It is a top-level key"),
        None => format!("unknown key `{path}` (keyward ignores it)"),
    }
}

/// Levenshtein distance, by characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        // prev[j] (diagonal) and prev[j + 1] (above), side by side
        for (cb, pair) in b.iter().zip(prev.windows(2)) {
            let (diag, above) = match pair {
                [d, u] => (*d, *u),
                _ => continue,
            };
            let left = cur.last().copied().unwrap_or(usize::MAX - 1);
            let sub = diag + usize::from(ca != *cb);
            cur.push(sub.min(above + 1).min(left + 1));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or_default()
}

/// Check and normalise `value` for a key of `kind`, as given on the command
/// line (lists comma- or space-separated).
pub fn normalise(kind: Kind, value: &str) -> Result<String, InputError> {
    let v = value.trim();
    match kind {
        Kind::ApiUrl => ApiUrl::parse(v).map(|u| u.as_str().to_string()),
        Kind::Tenant => check_tenant(v).map(str::to_string),
        Kind::StoreMode => StoreMode::parse(v)
            .map(|m| m.as_str().to_string())
            .ok_or_else(|| {
                InputError::new(
                    format!("invalid credential_store `{v}`"),
                    Some("use auto (the OS keychain, else the file), keychain or file".into()),
                )
            }),
        Kind::Seconds => match v.parse::<f64>() {
            Ok(s) if seconds_in_range(s) => Ok(v.to_string()),
            _ => Err(InputError::new(
                format!("invalid number of seconds `{v}` (0.001 <= s <= 600)"),
                Some("give seconds such as 30 or 2.5".into()),
            )),
        },
        Kind::Endpoint => check_endpoint("endpoint URL", v),
        Kind::Text => check_text(v).map(str::to_string),
        Kind::UserName => {
            let name = check_text(v)?;
            if name.contains(':') {
                return Err(InputError::new(
                    format!("invalid user name `{name}`: HTTP Basic authentication cannot carry a `:` in it"),
                    Some("give the user name the git server expects, without `:` (the default is x-access-token)".into()),
                ));
            }
            Ok(name.to_string())
        }
        Kind::List => {
            let words = split_list(v);
            for w in &words {
                check_text(w)?;
            }
            Ok(words.join(","))
        }
        Kind::Ports => {
            parse_ports(v).map(|p| p.iter().map(u16::to_string).collect::<Vec<_>>().join(","))
        }
        Kind::Path => check_path(v),
        Kind::Origins => {
            let origins = split_list(v)
                .iter()
                .map(|o| crate::git::Origin::parse(o).map(|o| o.as_str().to_string()))
                .collect::<Result<Vec<_>, _>>()?;
            if origins.is_empty() {
                return Err(InputError::new(
                    "the list of git hosts is empty",
                    Some("name at least one, such as `git.example.com`; to remove the setting, use `{bin} config unset git_hosts --host <api_url>`".into()),
                ));
            }
            Ok(origins.join(","))
        }
    }
}

/// An absolute path, with a leading `~/` expanded to the home directory.
pub(super) fn check_path(v: &str) -> Result<String, InputError> {
    let expanded = match v.strip_prefix("~/") {
        Some(rest) => std::env::var_os("HOME")
            .map(|h| {
                std::path::Path::new(&h)
                    .join(rest)
                    .to_string_lossy()
                    .into_owned()
            })
            .unwrap_or_else(|| v.to_string()),
        None => v.to_string(),
    };
    if expanded.is_empty() || !std::path::Path::new(&expanded).is_absolute() {
        return Err(InputError::new(
            format!("invalid path `{v}`: it is not absolute"),
            Some("give an absolute path, such as /etc/ssl/acme-ca.pem or ~/acme-ca.pem".into()),
        ));
    }
    Ok(expanded)
}

pub(super) fn check_text(v: &str) -> Result<&str, InputError> {
    if v.is_empty() || v.chars().any(crate::text::is_unsafe) {
        Err(InputError::new(
            "value must be non-empty text without control or invisible characters",
            Some("give a value; to go back to the default, use `{bin} config unset KEY` (with the same --host, if any)".into()),
        ))
    } else {
        Ok(v)
    }
}

/// Parse "8765, 8766" into ports.
pub fn parse_ports(v: &str) -> Result<Vec<u16>, InputError> {
    let ports: Vec<u16> = split_list(v)
        .iter()
        .map(|p| p.parse::<u16>().ok().filter(|p| *p > 0))
        .collect::<Option<_>>()
        .ok_or_else(|| {
            InputError::new(
                format!("invalid port list `{v}`"),
                Some("give ports from 1 to 65535, such as 8765,8766".into()),
            )
        })?;
    if ports.is_empty() {
        return Err(InputError::new("the port list is empty", None));
    }
    Ok(ports)
}

/// Split "a, b c" into ["a", "b", "c"].
pub fn split_list(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_says_where_a_key_belongs() {
        assert_eq!(lookup("tenant", Scope::Global).unwrap().kind, Kind::Tenant);
        let e = lookup("client_id", Scope::Global).unwrap_err();
        assert!(e.hint.unwrap().contains("--host"));
        let e = lookup("api_url", Scope::Host).unwrap_err();
        assert!(e.hint.unwrap().contains("drop --host"));
        let e = lookup("tokne_url", Scope::Host).unwrap_err();
        assert_eq!(e.hint.as_deref(), Some("did you mean `token_url`?"));
        let e = lookup("colour", Scope::Global).unwrap_err();
        assert!(e.hint.unwrap().starts_with("known keys:"));
    }

    #[test]
    fn suggestions_are_close_only() {
        assert_eq!(suggest("tokne_url"), Some("token_url"));
        assert_eq!(suggest("api-url"), Some("api_url"));
        assert_eq!(suggest("tennant"), Some("tenant"));
        assert_eq!(suggest("colour"), None);
    }

    #[test]
    fn unknown_keys_are_described() {
        assert_eq!(
            describe_unknown("tennant"),
            "unknown key `tennant`, did you mean `tenant`?"
        );
        assert!(
            describe_unknown("tokne_url").starts_with(
                "unknown key `tokne_url`, did you mean `token_url`? It is set per host"
            )
        );
        assert_eq!(
            describe_unknown("hosts.\"https://a.test\".clent_id"),
            "unknown key `hosts.\"https://a.test\".clent_id`, did you mean `client_id`?"
        );
        assert_eq!(
            describe_unknown("future_key"),
            "unknown key `future_key` (keyward ignores it)"
        );
    }

    #[test]
    fn normalises_values() {
        assert_eq!(
            normalise(Kind::ApiUrl, "HTTPS://X.test/").unwrap(),
            "https://x.test"
        );
        assert_eq!(normalise(Kind::List, "a, b c").unwrap(), "a,b,c");
        assert_eq!(normalise(Kind::Ports, "9000 9001").unwrap(), "9000,9001");
        assert_eq!(
            normalise(
                Kind::Origins,
                "git.example.com, https://Git2.example.com:8443/"
            )
            .unwrap(),
            "https://git.example.com,https://git2.example.com:8443"
        );
        assert!(normalise(Kind::Origins, "http://git.example.com").is_err());
        assert!(normalise(Kind::Origins, "git.example.com/org").is_err());
        assert!(normalise(Kind::Ports, "0").is_err());
        assert!(normalise(Kind::Seconds, "0").is_err());
        assert!(normalise(Kind::Tenant, "bad slug!").is_err());
        assert!(normalise(Kind::Endpoint, "http://evil.test/p").is_err());
        assert!(normalise(Kind::Text, "").is_err());
        assert!(normalise(Kind::UserName, "a:b").is_err());
        assert_eq!(normalise(Kind::UserName, "oauth2").unwrap(), "oauth2");
        assert!(normalise(Kind::Origins, "https://*.example.com").is_err());
        assert!(normalise(Kind::Origins, "").is_err());
    }
}
