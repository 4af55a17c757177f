//! `config.toml`: the user's preferences, edited so that comments and unknown
//! keys survive (`toml_edit`), and where the config directory is.

use crate::api_url::{ApiUrl, check_endpoint};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::platform::Platform;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml_edit::{DocumentMut, Item, Table, Value};

/// Where keyward keeps its files.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The config directory (0700).
    pub dir: PathBuf,
}

impl Paths {
    /// `{ENV}_CONFIG_DIR`, else the platform's config directory
    /// (`~/.config/keyward` on Linux).
    pub fn resolve(platform: &Platform) -> Result<Paths> {
        if let Some(dir) = platform.env("CONFIG_DIR") {
            return Ok(Paths {
                dir: PathBuf::from(dir),
            });
        }
        directories::ProjectDirs::from("", "", platform.config_dir_name)
            .map(|p| Paths {
                dir: p.config_dir().to_path_buf(),
            })
            .ok_or_else(|| {
                Error::other(
                    "cannot find a home directory for the config files",
                    None,
                    Some(format!(
                        "set {} to a directory keyward may use",
                        platform.env_var("CONFIG_DIR")
                    )),
                )
            })
    }

    /// `config.toml`.
    pub fn config_file(&self) -> PathBuf {
        self.dir.join("config.toml")
    }

    /// `credentials.json`, the fallback credential store.
    pub fn credentials_file(&self) -> PathBuf {
        self.dir.join("credentials.json")
    }

    /// The lock file guarding read-modify-write of credentials.
    pub fn lock_file(&self, name: &str) -> PathBuf {
        self.dir.join(format!(".{name}.lock"))
    }
}

/// How credentials are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreMode {
    /// OS keychain, falling back to the file where none is reachable.
    Auto,
    /// OS keychain only; fail when it is unreachable.
    Keychain,
    /// The 0600 file only; never touch the keychain.
    File,
}

impl StoreMode {
    /// Parse `auto`, `keychain` or `file`.
    pub fn parse(s: &str) -> Option<StoreMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(StoreMode::Auto),
            "keychain" => Some(StoreMode::Keychain),
            "file" => Some(StoreMode::File),
            _ => None,
        }
    }

    /// The config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            StoreMode::Auto => "auto",
            StoreMode::Keychain => "keychain",
            StoreMode::File => "file",
        }
    }
}

/// Per-host settings, from `[hosts."<api_url>"]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostSettings {
    /// Where a token is validated and the user's profile is read.
    pub profile_url: Option<String>,
    /// OAuth authorization endpoint.
    pub authorize_url: Option<String>,
    /// OAuth token endpoint.
    pub token_url: Option<String>,
    /// RFC 7009 revocation endpoint.
    pub revocation_url: Option<String>,
    /// RFC 8628 device authorization endpoint.
    pub device_authorization_url: Option<String>,
    /// OAuth client id.
    pub client_id: Option<String>,
    /// Scopes requested by default.
    pub scopes: Option<Vec<String>>,
    /// Loopback ports tried for the browser callback.
    pub callback_ports: Option<Vec<u16>>,
}

/// The kind of value a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    ApiUrl,
    Tenant,
    StoreMode,
    Seconds,
    Endpoint,
    Text,
    List,
    Ports,
}

/// Keys at the top level of config.toml.
const GLOBAL_KEYS: &[(&str, Kind, &str)] = &[
    ("api_url", Kind::ApiUrl, "default API URL"),
    ("tenant", Kind::Tenant, "default tenant slug"),
    (
        "credential_store",
        Kind::StoreMode,
        "auto | keychain | file",
    ),
    (
        "keychain_timeout",
        Kind::Seconds,
        "seconds before an unanswering keychain counts as unreachable (default 3)",
    ),
];

/// Keys under `[hosts."<api_url>"]`.
const HOST_KEYS: &[(&str, Kind, &str)] = &[
    (
        "profile_url",
        Kind::Endpoint,
        "profile/userinfo endpoint (default <api_url>/api/v1/profile)",
    ),
    (
        "authorize_url",
        Kind::Endpoint,
        "OAuth authorization endpoint",
    ),
    ("token_url", Kind::Endpoint, "OAuth token endpoint"),
    (
        "revocation_url",
        Kind::Endpoint,
        "OAuth revocation endpoint",
    ),
    (
        "device_authorization_url",
        Kind::Endpoint,
        "OAuth device authorization endpoint",
    ),
    ("client_id", Kind::Text, "OAuth client id"),
    ("scopes", Kind::List, "default scopes, comma-separated"),
    (
        "callback_ports",
        Kind::Ports,
        "loopback callback ports, comma-separated (default 8765,8766,8767,8768,8769)",
    ),
];

/// All settable keys with a description, for `config list --keys` and help.
pub fn known_keys() -> Vec<(String, &'static str)> {
    GLOBAL_KEYS
        .iter()
        .map(|(k, _, d)| (k.to_string(), *d))
        .chain(
            HOST_KEYS
                .iter()
                .map(|(k, _, d)| (format!("{k} (--host URL)"), *d)),
        )
        .collect()
}

/// A loaded config.toml.
#[derive(Debug, Clone)]
pub struct Config {
    path: PathBuf,
    doc: DocumentMut,
}

impl Config {
    /// Load `config.toml` from `paths`; a missing file is an empty config.
    pub fn load(paths: &Paths) -> Result<Config> {
        let path = paths.config_file();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(Error::Config {
                    path,
                    message: format!("cannot read it: {e}"),
                });
            }
        };
        Config::parse(path, &text)
    }

    /// Parse config text (`path` is only for messages).
    pub fn parse(path: PathBuf, text: &str) -> Result<Config> {
        let doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
            let msg = e.to_string();
            let line = line_of(text, e.span());
            Error::Config {
                path: path.clone(),
                message: format!(
                    "not valid TOML{}: {}",
                    line.map(|l| format!(" (line {l})")).unwrap_or_default(),
                    msg.lines()
                        .rfind(|l| !l.trim().is_empty())
                        .unwrap_or("parse error")
                        .trim()
                ),
            }
        })?;
        let cfg = Config { path, doc };
        cfg.validate()?;
        Ok(cfg)
    }

    /// Check every known key's type and value, so that a bad file is one clear error.
    fn validate(&self) -> Result<()> {
        for (key, kind, _) in GLOBAL_KEYS {
            if let Some(item) = self.doc.get(key) {
                self.check_item(key, *kind, item)?;
            }
        }
        if let Some(hosts) = self.doc.get("hosts") {
            let t = hosts
                .as_table_like()
                .ok_or_else(|| self.bad("hosts", "must be a table"))?;
            for (host, item) in t.iter() {
                let ht = item
                    .as_table_like()
                    .ok_or_else(|| self.bad(&format!("hosts.\"{host}\""), "must be a table"))?;
                for (key, kind, _) in HOST_KEYS {
                    if let Some(v) = ht.get(key) {
                        self.check_item(&format!("hosts.\"{host}\".{key}"), *kind, v)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn bad(&self, key: &str, why: &str) -> Error {
        Error::Config {
            path: self.path.clone(),
            message: format!("`{key}` {why}"),
        }
    }

    fn check_item(&self, key: &str, kind: Kind, item: &Item) -> Result<()> {
        let as_text = |i: &Item| i.as_str().map(str::to_string);
        let fail = |why: String| self.bad(key, &why);
        match kind {
            Kind::Seconds => {
                let v = item
                    .as_float()
                    .or_else(|| item.as_integer().map(|i| i as f64))
                    .ok_or_else(|| fail("must be a number of seconds".into()))?;
                if !(v > 0.0 && v <= 600.0) {
                    return Err(fail("must be between 0 and 600 seconds".into()));
                }
            }
            Kind::List => {
                if item.as_str().is_none()
                    && item
                        .as_array()
                        .is_none_or(|a| a.iter().any(|v| v.as_str().is_none()))
                {
                    return Err(fail("must be a list of strings".into()));
                }
            }
            Kind::Ports => {
                let a = item
                    .as_array()
                    .ok_or_else(|| fail("must be a list of port numbers".into()))?;
                for v in a.iter() {
                    match v.as_integer() {
                        Some(p) if (1..=65535).contains(&p) => {}
                        _ => return Err(fail("must be a list of port numbers (1-65535)".into())),
                    }
                }
            }
            _ => {
                let s = as_text(item).ok_or_else(|| fail("must be a string".into()))?;
                check_value(kind, &s).map_err(|e| fail(format!("is invalid: {e}")))?;
            }
        }
        Ok(())
    }

    /// The file this config was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn str_key(&self, key: &str) -> Option<String> {
        self.doc.get(key).and_then(Item::as_str).map(str::to_string)
    }

    /// `api_url`.
    pub fn api_url(&self) -> Option<ApiUrl> {
        self.str_key("api_url").and_then(|s| ApiUrl::parse(&s).ok())
    }

    /// `tenant`.
    pub fn tenant(&self) -> Option<String> {
        self.str_key("tenant")
    }

    /// `credential_store`.
    pub fn credential_store(&self) -> Option<StoreMode> {
        self.str_key("credential_store")
            .and_then(|s| StoreMode::parse(&s))
    }

    /// `keychain_timeout`, default 3 s.
    pub fn keychain_timeout(&self) -> Duration {
        let item = self.doc.get("keychain_timeout");
        let secs = item
            .and_then(Item::as_float)
            .or_else(|| item.and_then(Item::as_integer).map(|i| i as f64))
            .unwrap_or(3.0);
        Duration::from_secs_f64(secs)
    }

    fn host_table(&self, api_url: &ApiUrl) -> Option<&dyn toml_edit::TableLike> {
        let hosts = self.doc.get("hosts")?.as_table_like()?;
        // Keys are written normalised, but accept a hand-written variant too.
        hosts
            .get(api_url.as_str())
            .or_else(|| {
                hosts
                    .iter()
                    .find(|(k, _)| ApiUrl::parse(k).ok().as_ref() == Some(api_url))
                    .map(|(_, v)| v)
            })?
            .as_table_like()
    }

    /// The `[hosts."<api_url>"]` settings.
    pub fn host(&self, api_url: &ApiUrl) -> HostSettings {
        let Some(t) = self.host_table(api_url) else {
            return HostSettings::default();
        };
        let s = |k: &str| t.get(k).and_then(Item::as_str).map(str::to_string);
        let list = |k: &str| {
            t.get(k).and_then(|i| {
                if let Some(s) = i.as_str() {
                    Some(split_list(s))
                } else {
                    i.as_array().map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                }
            })
        };
        HostSettings {
            profile_url: s("profile_url"),
            authorize_url: s("authorize_url"),
            token_url: s("token_url"),
            revocation_url: s("revocation_url"),
            device_authorization_url: s("device_authorization_url"),
            client_id: s("client_id"),
            scopes: list("scopes"),
            callback_ports: t.get("callback_ports").and_then(Item::as_array).map(|a| {
                a.iter()
                    .filter_map(|v| v.as_integer().and_then(|p| u16::try_from(p).ok()))
                    .collect()
            }),
        }
    }

    /// The value of `key` (for `--host`, a host key) as text, if set.
    pub fn get(&self, key: &str, host: Option<&ApiUrl>) -> Result<Option<String>> {
        lookup_kind(key, host.is_some())?;
        let item = match host {
            None => self.doc.get(key),
            Some(h) => self.host_table(h).and_then(|t| t.get(key)),
        };
        Ok(item.map(item_text))
    }

    /// Every value set: `(key, value)` with host keys as `hosts."<url>".key`.
    pub fn list(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (key, _, _) in GLOBAL_KEYS {
            if let Some(i) = self.doc.get(key) {
                out.push((key.to_string(), item_text(i)));
            }
        }
        if let Some(hosts) = self.doc.get("hosts").and_then(Item::as_table_like) {
            for (host, item) in hosts.iter() {
                if let Some(t) = item.as_table_like() {
                    for (k, v) in t.iter() {
                        out.push((format!("hosts.\"{host}\".{k}"), item_text(v)));
                    }
                }
            }
        }
        out
    }

    /// Set `key` to `value` (validated and normalised) in memory; call [`Config::save`].
    pub fn set(&mut self, key: &str, value: &str, host: Option<&ApiUrl>) -> Result<String> {
        let kind = lookup_kind(key, host.is_some())?;
        let value = check_value(kind, value)?;
        let item = match kind {
            Kind::Seconds => {
                let v: f64 = value.parse().map_err(|_| {
                    Error::usage(format!("`{key}` must be a number of seconds"), None)
                })?;
                if v.fract() == 0.0 {
                    toml_edit::value(v as i64)
                } else {
                    toml_edit::value(v)
                }
            }
            Kind::List => {
                let mut a = toml_edit::Array::new();
                for s in split_list(&value) {
                    a.push(s);
                }
                toml_edit::value(a)
            }
            Kind::Ports => {
                let mut a = toml_edit::Array::new();
                for p in parse_ports(&value)? {
                    a.push(i64::from(p));
                }
                toml_edit::value(a)
            }
            _ => toml_edit::value(value.clone()),
        };
        match host {
            None => {
                self.doc[key] = item;
            }
            Some(h) => {
                let hosts = self.doc.entry("hosts").or_insert_with(|| {
                    let mut t = Table::new();
                    t.set_implicit(true);
                    Item::Table(t)
                });
                let hosts = hosts
                    .as_table_like_mut()
                    .ok_or_else(|| self_bad_hosts(&self.path))?;
                let entry = hosts.entry(h.as_str()).or_insert(Item::Table(Table::new()));
                let t = entry
                    .as_table_like_mut()
                    .ok_or_else(|| self_bad_hosts(&self.path))?;
                t.insert(key, item);
            }
        }
        Ok(value)
    }

    /// Remove `key`; returns whether it was set.
    pub fn unset(&mut self, key: &str, host: Option<&ApiUrl>) -> Result<bool> {
        lookup_kind(key, host.is_some())?;
        Ok(match host {
            None => self.doc.remove(key).is_some(),
            Some(h) => self
                .doc
                .get_mut("hosts")
                .and_then(Item::as_table_like_mut)
                .and_then(|hosts| hosts.get_mut(h.as_str()))
                .and_then(Item::as_table_like_mut)
                .map(|t| t.remove(key).is_some())
                .unwrap_or(false),
        })
    }

    /// Write the file back atomically (0600, comments preserved).
    pub fn save(&self) -> Result<()> {
        fsutil::write_private_atomic(&self.path, self.doc.to_string().as_bytes()).map_err(|e| {
            Error::Config {
                path: self.path.clone(),
                message: format!("cannot write it: {e}"),
            }
        })
    }
}

fn self_bad_hosts(path: &Path) -> Error {
    Error::Config {
        path: path.to_path_buf(),
        message: "`hosts` must be a table".into(),
    }
}

fn lookup_kind(key: &str, host: bool) -> Result<Kind> {
    let table = if host { HOST_KEYS } else { GLOBAL_KEYS };
    if let Some((_, kind, _)) = table.iter().find(|(k, _, _)| *k == key) {
        return Ok(*kind);
    }
    let other = if host { GLOBAL_KEYS } else { HOST_KEYS };
    let hint = if other.iter().any(|(k, _, _)| *k == key) {
        if host {
            format!("`{key}` is a global key: drop --host")
        } else {
            format!("`{key}` is set per host: add `--host <api_url>`")
        }
    } else {
        let names: Vec<&str> = GLOBAL_KEYS
            .iter()
            .chain(HOST_KEYS)
            .map(|(k, _, _)| *k)
            .collect();
        format!("known keys: {}", names.join(", "))
    };
    Err(Error::usage(
        format!("unknown config key `{key}`"),
        Some(hint),
    ))
}

/// Validate and normalise a value for a key kind.
fn check_value(kind: Kind, value: &str) -> Result<String> {
    let v = value.trim();
    match kind {
        Kind::ApiUrl => ApiUrl::parse(v).map(|u| u.as_str().to_string()),
        Kind::Tenant => check_tenant(v).map(str::to_string),
        Kind::StoreMode => StoreMode::parse(v)
            .map(|m| m.as_str().to_string())
            .ok_or_else(|| {
                Error::usage(
                    format!("invalid credential_store `{v}`: use auto, keychain or file"),
                    None,
                )
            }),
        Kind::Seconds => match v.parse::<f64>() {
            Ok(s) if s > 0.0 && s <= 600.0 => Ok(v.to_string()),
            _ => Err(Error::usage(
                format!("invalid number of seconds `{v}` (0 < s <= 600)"),
                None,
            )),
        },
        Kind::Endpoint => check_endpoint("endpoint URL", v),
        Kind::Text => {
            if v.is_empty() || v.chars().any(char::is_control) {
                Err(Error::usage("value must be non-empty text", None))
            } else {
                Ok(v.to_string())
            }
        }
        Kind::List => Ok(split_list(v).join(",")),
        Kind::Ports => {
            parse_ports(v).map(|p| p.iter().map(u16::to_string).collect::<Vec<_>>().join(","))
        }
    }
}

fn parse_ports(v: &str) -> Result<Vec<u16>> {
    let ports: Vec<u16> = split_list(v)
        .iter()
        .map(|p| p.parse::<u16>().ok().filter(|p| *p > 0))
        .collect::<Option<_>>()
        .ok_or_else(|| {
            Error::usage(
                format!("invalid port list `{v}`: use numbers such as 8765,8766"),
                None,
            )
        })?;
    if ports.is_empty() {
        return Err(Error::usage("the port list is empty", None));
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

/// Check a tenant slug: letters, digits, `-`, `_`, `.`; at most 100 characters.
pub fn check_tenant(slug: &str) -> Result<&str> {
    let ok = !slug.is_empty()
        && slug.len() <= 100
        && slug
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(slug)
    } else {
        Err(Error::usage(
            format!(
                "invalid tenant `{}`: use letters, digits, `-`, `_` or `.`",
                slug.escape_debug()
            ),
            Some("run `{bin} tenants list` to see your tenants".into()),
        ))
    }
}

fn item_text(item: &Item) -> String {
    match item {
        Item::Value(Value::String(s)) => s.value().clone(),
        Item::Value(Value::Array(a)) => a
            .iter()
            .map(|v| match v {
                Value::String(s) => s.value().clone(),
                other => other.to_string().trim().to_string(),
            })
            .collect::<Vec<_>>()
            .join(","),
        Item::Value(v) => v.to_string().trim().to_string(),
        other => other.to_string().trim().to_string(),
    }
}

fn line_of(text: &str, span: Option<std::ops::Range<usize>>) -> Option<usize> {
    let start = span?.start.min(text.len());
    Some(text[..start].matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str) -> Result<Config> {
        Config::parse(PathBuf::from("/tmp/config.toml"), text)
    }

    #[test]
    fn reads_keys_and_hosts() {
        let c = cfg(r#"
# my comment
api_url = "https://API.example.com/"
tenant = "acme"
keychain_timeout = 1.5
[hosts."https://api.example.com"]
profile_url = "https://api.example.com/me"
scopes = ["read", "write"]
callback_ports = [9000, 9001]
"#)
        .unwrap();
        let u = c.api_url().unwrap();
        assert_eq!(u.as_str(), "https://api.example.com");
        assert_eq!(c.tenant().as_deref(), Some("acme"));
        assert_eq!(c.keychain_timeout(), Duration::from_millis(1500));
        let h = c.host(&u);
        assert_eq!(h.profile_url.as_deref(), Some("https://api.example.com/me"));
        assert_eq!(h.scopes.unwrap(), vec!["read", "write"]);
        assert_eq!(h.callback_ports.unwrap(), vec![9000, 9001]);
    }

    #[test]
    fn malformed_names_line() {
        let e = cfg("api_url = \"https://a.test\"\ntenant = [unclosed\n").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("/tmp/config.toml"), "{msg}");
        assert!(msg.contains("line 2"), "{msg}");
        assert_eq!(e.exit_code(), 1);
    }

    #[test]
    fn wrong_types_are_clear_errors() {
        let e = cfg("api_url = 5\n").unwrap_err().to_string();
        assert!(e.contains("`api_url` must be a string"), "{e}");
        let e = cfg("credential_store = \"vault\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("credential_store"), "{e}");
        let e = cfg("[hosts.\"https://a.test\"]\ncallback_ports = [0]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("callback_ports"), "{e}");
    }

    #[test]
    fn set_keeps_comments_and_normalises() {
        let mut c = cfg("# keep me\nother = 1 # and me\n").unwrap();
        c.set("api_url", "HTTPS://X.test/", None).unwrap();
        let h = ApiUrl::parse("https://x.test").unwrap();
        c.set("client_id", "cli", Some(&h)).unwrap();
        c.set("scopes", "a, b", Some(&h)).unwrap();
        c.set("keychain_timeout", "2", None).unwrap();
        let text = c.doc.to_string();
        assert!(text.contains("# keep me"));
        assert!(text.contains("other = 1 # and me"));
        assert!(text.contains("api_url = \"https://x.test\""), "{text}");
        assert!(text.contains("[hosts.\"https://x.test\"]"), "{text}");
        let back = cfg(&text).unwrap();
        assert_eq!(back.host(&h).client_id.as_deref(), Some("cli"));
        assert_eq!(
            back.get("scopes", Some(&h)).unwrap().as_deref(),
            Some("a,b")
        );
        assert_eq!(
            back.get("keychain_timeout", None).unwrap().as_deref(),
            Some("2")
        );
    }

    #[test]
    fn unknown_keys_are_usage_errors() {
        let mut c = cfg("").unwrap();
        let e = c.set("nope", "x", None).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let e = c.set("client_id", "x", None).unwrap_err();
        assert!(matches!(e, Error::Usage { hint: Some(ref h), .. } if h.contains("--host")));
        assert!(c.set("tenant", "bad slug!", None).is_err());
        assert!(
            c.set(
                "profile_url",
                "http://evil.test/p",
                Some(&ApiUrl::parse("https://a.test").unwrap())
            )
            .is_err()
        );
    }

    #[test]
    fn unset_removes() {
        let mut c = cfg("tenant = \"a\"\n").unwrap();
        assert!(c.unset("tenant", None).unwrap());
        assert!(!c.unset("tenant", None).unwrap());
        assert_eq!(c.tenant(), None);
    }
}
