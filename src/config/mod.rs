//! `config.toml`: where keyward keeps its files ([`Paths`]), the typed read
//! of the user's preferences ([`Config`], `toml` + serde), the key schema
//! ([`keys`]) and comment-keeping edits ([`edit`], `toml_edit`).
//!
//! Unknown keys never fail a read: they are kept and named by
//! `config list`, with the known key they probably meant.
//!
//! [`pin`] reads per-project pins (`.keyward.toml`); [`perms`] refuses a
//! config.toml that someone else can change.

mod de;
pub mod edit;
pub mod keys;
pub mod perms;
pub mod pin;

use crate::api_url::ApiUrl;
use crate::input::InputError;
use crate::platform::Platform;
use crate::store::StoreMode;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use edit::ConfigEdit;
pub use keys::split_list;

/// What can go wrong with config.toml or the config directory.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// config.toml cannot be read, parsed or written.
    #[error("{}: {message}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and key where known.
        message: String,
    },
    /// A key or value given on the command line is not valid.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A per-project pin (`.keyward.toml`) that is safe to use but cannot
    /// be: not TOML, an unknown key, a bad value, a secret (see [`pin`]).
    #[error("{message}")]
    Pin {
        /// The pin.
        path: PathBuf,
        /// What is wrong, naming the file and the key.
        message: String,
        /// What to do (may hold `{bin}` and `{ENV}`).
        hint: Option<String>,
    },
    /// config.toml, its directory or a `ca_file` it names can be changed
    /// by someone other than the user (see [`perms`]).
    #[error("{message}")]
    Untrusted {
        /// The file or directory.
        path: PathBuf,
        /// What is wrong, naming it.
        message: String,
        /// The command that fixes it.
        hint: Option<String>,
    },
    /// No directory can hold the config files.
    #[error("cannot find a home directory for the config files")]
    NoDir {
        /// The variable that sets one.
        variable: String,
    },
    /// config.toml is fine but cannot be changed now: another process
    /// holds its lock, the disk is full, a permission is missing.
    #[error("{}: {message}", path.display())]
    Unwritable {
        /// The file.
        path: PathBuf,
        /// What happened.
        message: String,
        /// What to do (may hold `{bin}` and `{ENV}`).
        hint: Option<String>,
    },
}

impl ConfigError {
    /// config.toml could not be written: why, and what to do about that
    /// (never "fix the file": its text is fine).
    pub fn unwritable(path: &Path, e: &std::io::Error) -> ConfigError {
        let dir = path
            .parent()
            .map(|d| d.display().to_string())
            .unwrap_or_default();
        let hint = match e.kind() {
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => {
                format!("free some disk space on the file system of {dir}, then try again")
            }
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                format!("check that you may write in {dir} (its owner and mode)")
            }
            _ => format!("check the disk and the permissions of {dir}, then try again"),
        };
        ConfigError::Unwritable {
            path: path.to_path_buf(),
            message: format!("cannot write it: {e}"),
            hint: Some(hint),
        }
    }
}

/// Where keyward keeps its files.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The config directory (0700 when keyward creates it).
    pub dir: PathBuf,
}

impl Paths {
    /// `{ENV}_CONFIG_DIR`, else the platform's config directory
    /// (`~/.config/keyward` on Linux).
    pub fn resolve(platform: &Platform) -> Result<Paths, ConfigError> {
        if let Some(dir) = platform.env("CONFIG_DIR") {
            return Ok(Paths {
                dir: PathBuf::from(dir),
            });
        }
        // A relative HOME (or one that makes the directory relative) is
        // no home: the config would land under the current directory.
        directories::ProjectDirs::from("", "", platform.config_dir_name)
            .map(|p| p.config_dir().to_path_buf())
            .filter(|dir| dir.is_absolute())
            .map(|dir| Paths { dir })
            .ok_or_else(|| ConfigError::NoDir {
                variable: platform.env_var("CONFIG_DIR"),
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

    /// `discovery.json`, the cache of endpoint metadata.
    pub fn discovery_file(&self) -> PathBuf {
        self.dir.join("discovery.json")
    }

    /// A lock file in the config directory (`.NAME.lock`).
    pub fn lock_file(&self, name: &str) -> PathBuf {
        self.dir.join(format!(".{name}.lock"))
    }
}

/// Per-host settings, from `[hosts."<api_url>"]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct HostSettings {
    /// Where a token is validated and the user's profile is read.
    #[serde(default, deserialize_with = "de::endpoint")]
    pub profile_url: Option<String>,
    /// OAuth authorization endpoint.
    #[serde(default, deserialize_with = "de::endpoint")]
    pub authorize_url: Option<String>,
    /// OAuth token endpoint.
    #[serde(default, deserialize_with = "de::endpoint")]
    pub token_url: Option<String>,
    /// RFC 7009 revocation endpoint.
    #[serde(default, deserialize_with = "de::endpoint")]
    pub revocation_url: Option<String>,
    /// RFC 8628 device authorization endpoint.
    #[serde(default, deserialize_with = "de::endpoint")]
    pub device_authorization_url: Option<String>,
    /// The default tenant for this API URL.
    #[serde(default, deserialize_with = "de::tenant")]
    pub tenant: Option<String>,
    /// OAuth client id.
    #[serde(default, deserialize_with = "de::text")]
    pub client_id: Option<String>,
    /// Scopes requested by default.
    #[serde(default, deserialize_with = "de::list")]
    pub scopes: Option<Vec<String>>,
    /// Loopback ports tried for the browser callback.
    #[serde(default, deserialize_with = "de::ports")]
    pub callback_ports: Option<Vec<u16>>,
    /// Extra CA certificates (PEM) to trust for this API URL.
    #[serde(default, deserialize_with = "de::path")]
    pub ca_file: Option<String>,
    /// Other git origins (normalised, `https://git.example.com`) whose
    /// credentials are this API URL's login.
    #[serde(default, deserialize_with = "de::origins")]
    pub git_hosts: Option<Vec<String>>,
    /// The user name git sends with the token (default `x-access-token`).
    #[serde(default, deserialize_with = "de::text")]
    pub git_username: Option<String>,
    /// `auth login --federated`: the audience the CI ID token is asked for
    /// (default: the API URL).
    #[serde(default, deserialize_with = "de::text")]
    pub id_token_audience: Option<String>,
    /// RFC 8693 `audience` sent with the exchange (none by default).
    #[serde(default, deserialize_with = "de::text")]
    pub exchange_audience: Option<String>,
    /// RFC 8693 `resource` sent with the exchange (none by default).
    #[serde(default, deserialize_with = "de::text")]
    pub exchange_resource: Option<String>,
    /// `subject_token_type` of the exchange: `id_token` (default) or `jwt`.
    #[serde(default, deserialize_with = "de::text")]
    pub subject_token_type: Option<String>,
    /// Keys keyward does not know (kept, and named by `config list`).
    #[serde(flatten)]
    unknown: BTreeMap<String, serde::de::IgnoredAny>,
}

/// The file as serde reads it.
#[derive(Debug, Default, Deserialize)]
struct File {
    #[serde(default, deserialize_with = "de::api_url")]
    api_url: Option<ApiUrl>,
    #[serde(default, deserialize_with = "de::tenant")]
    tenant: Option<String>,
    #[serde(default, deserialize_with = "de::store_mode")]
    credential_store: Option<StoreMode>,
    #[serde(default, deserialize_with = "de::seconds")]
    keychain_timeout: Option<f64>,
    #[serde(default, deserialize_with = "de::seconds")]
    http_connect_timeout: Option<f64>,
    #[serde(default, deserialize_with = "de::seconds")]
    http_timeout: Option<f64>,
    #[serde(default, deserialize_with = "de::text")]
    browser: Option<String>,
    #[serde(default)]
    hosts: BTreeMap<String, HostSettings>,
    #[serde(flatten)]
    unknown: BTreeMap<String, serde::de::IgnoredAny>,
}

/// A loaded config.toml.
#[derive(Debug, Clone)]
pub struct Config {
    path: PathBuf,
    text: String,
    api_url: Option<ApiUrl>,
    tenant: Option<String>,
    credential_store: Option<StoreMode>,
    keychain_timeout: Option<f64>,
    http_connect_timeout: Option<f64>,
    http_timeout: Option<f64>,
    browser: Option<String>,
    hosts: BTreeMap<String, HostSettings>,
    unknown: Vec<String>,
}

impl Config {
    /// Load `config.toml` from `paths`; a missing file is an empty config.
    /// Refused when someone else can change it, its directory or a
    /// `ca_file` it names (see [`perms`]).
    pub fn load(paths: &Paths) -> Result<Config, ConfigError> {
        let config = Config::load_unchecked(paths)?;
        match config.untrusted(paths).first() {
            Some(p) => Err(ConfigError::Untrusted {
                path: p.path.clone(),
                message: p.message(),
                hint: p.hint(),
            }),
            None => Ok(config),
        }
    }

    /// [`Config::load`] without the ownership and mode checks: for
    /// `auth doctor`, which reports them ([`Config::untrusted`]).
    pub fn load_unchecked(paths: &Paths) -> Result<Config, ConfigError> {
        let path = paths.config_file();
        let text = read(&path)?;
        Config::parse(path, &text)
    }

    /// Only `api_url` from the config file at `paths` (`None` when the file
    /// or the key is missing): what resolving the default API URL needs.
    /// The other keys are not checked, so a bad `keychain_timeout` does not
    /// stop a command that needs nothing else; a file that is not TOML, or
    /// a bad `api_url`, is the error [`Config::load`] would give.
    pub fn api_url_only(paths: &Paths) -> Result<Option<ApiUrl>, ConfigError> {
        let path = paths.config_file();
        let text = read(&path)?;
        let table: toml::Table = toml::from_str(&text).map_err(|e| ConfigError::File {
            path: path.clone(),
            message: describe(&text, &e),
        })?;
        let bad = |message: String| ConfigError::File {
            path: path.clone(),
            message,
        };
        match table.get("api_url") {
            None => Ok(None),
            Some(toml::Value::String(s)) => ApiUrl::parse(s.trim())
                .map(Some)
                .map_err(|e| bad(format!("`api_url` is invalid: {e}"))),
            Some(_) => Err(bad("`api_url` must be a string".into())),
        }
    }

    /// Parse config text (`path` is only for messages).
    pub fn parse(path: PathBuf, text: &str) -> Result<Config, ConfigError> {
        let file: File = toml::from_str(text).map_err(|e| ConfigError::File {
            path: path.clone(),
            message: describe(text, &e),
        })?;
        let mut unknown: Vec<String> = file.unknown.keys().cloned().collect();
        for (host, h) in &file.hosts {
            unknown.extend(h.unknown.keys().map(|k| format!("hosts.\"{host}\".{k}")));
        }
        Ok(Config {
            path,
            text: text.to_string(),
            api_url: file.api_url,
            tenant: file.tenant,
            credential_store: file.credential_store,
            keychain_timeout: file.keychain_timeout,
            http_connect_timeout: file.http_connect_timeout,
            http_timeout: file.http_timeout,
            browser: file.browser,
            hosts: file.hosts,
            unknown,
        })
    }

    /// The file this config was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `api_url`.
    pub fn api_url(&self) -> Option<ApiUrl> {
        self.api_url.clone()
    }

    /// `tenant`.
    pub fn tenant(&self) -> Option<String> {
        self.tenant.clone()
    }

    /// `credential_store`.
    pub fn credential_store(&self) -> Option<StoreMode> {
        self.credential_store
    }

    /// `keychain_timeout`, default 3 s.
    pub fn keychain_timeout(&self) -> Duration {
        Duration::from_secs_f64(self.keychain_timeout.unwrap_or(3.0))
    }

    /// `browser`: the command that opens the login URL.
    pub fn browser(&self) -> Option<String> {
        self.browser.clone()
    }

    /// `http_connect_timeout`, default 5 s.
    pub fn http_connect_timeout(&self) -> Duration {
        self.http_connect_timeout
            .map(Duration::from_secs_f64)
            .unwrap_or(crate::http::CONNECT_TIMEOUT)
    }

    /// `http_timeout`, default 30 s.
    pub fn http_timeout(&self) -> Duration {
        self.http_timeout
            .map(Duration::from_secs_f64)
            .unwrap_or(crate::http::TIMEOUT)
    }

    /// What keyward uses for `key` when config.toml does not set it, for the
    /// keys that have a default (`credential_store` is `auto`, the timeouts
    /// their seconds); `None` for the others.
    pub fn default_value(key: &str) -> Option<String> {
        let secs = |d: Duration| {
            let s = d.as_secs_f64();
            if s.fract() == 0.0 {
                format!("{}", s as u64)
            } else {
                format!("{s}")
            }
        };
        Some(match key {
            "credential_store" => "auto".to_string(),
            "keychain_timeout" => secs(Duration::from_secs(3)),
            "http_connect_timeout" => secs(crate::http::CONNECT_TIMEOUT),
            "http_timeout" => secs(crate::http::TIMEOUT),
            _ => return None,
        })
    }

    /// The `[hosts."<api_url>"]` settings. Keys are written normalised, but
    /// a hand-written variant (`https://API.example.com/`) is found too.
    pub fn host(&self, api_url: &ApiUrl) -> HostSettings {
        self.hosts
            .get(api_url.as_str())
            .or_else(|| {
                self.hosts
                    .iter()
                    .find(|(k, _)| is_host_key(k, api_url))
                    .map(|(_, v)| v)
            })
            .cloned()
            .unwrap_or_default()
    }

    /// Every `[hosts."<api_url>"]` section that maps git origins to its API
    /// URL (`git_hosts`), in the file's key order.
    pub fn git_hosts(&self) -> Vec<(ApiUrl, Vec<String>)> {
        self.hosts
            .iter()
            .filter_map(|(k, h)| Some((ApiUrl::parse(k).ok()?, h.git_hosts.clone()?)))
            .collect()
    }

    /// What someone else could change among the config directory, this
    /// config.toml and the `ca_file`s it names (see [`perms`]).
    pub fn untrusted(&self, paths: &Paths) -> Vec<perms::Problem> {
        let ca_files: Vec<String> = self
            .hosts
            .values()
            .filter_map(|h| h.ca_file.clone())
            .collect();
        perms::problems(&paths.dir, &paths.config_file(), &ca_files)
    }

    /// Keys in the file that keyward does not know, as dotted paths.
    pub fn unknown_keys(&self) -> &[String] {
        &self.unknown
    }

    /// The value of `key` (for `host`, a host key) as text, if set.
    pub fn get(&self, key: &str, host: Option<&ApiUrl>) -> Result<Option<String>, ConfigError> {
        let scope = if host.is_some() {
            keys::Scope::Host
        } else {
            keys::Scope::Global
        };
        keys::lookup(key, scope)?;
        let table = self.table();
        let item = match host {
            None => table.get(key),
            Some(h) => host_table(&table, h).and_then(|t| t.get(key)),
        };
        Ok(item.map(value_text))
    }

    /// Every value set: `(key, value)` with host keys as `hosts."<url>".key`,
    /// known and unknown keys alike.
    pub fn list(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let table = self.table();
        for (key, v) in &table {
            match (key.as_str(), v) {
                ("hosts", toml::Value::Table(hosts)) => {
                    for (host, h) in hosts {
                        if let toml::Value::Table(h) = h {
                            for (k, v) in h {
                                out.push((format!("hosts.\"{host}\".{k}"), value_text(v)));
                            }
                        }
                    }
                }
                _ => out.push((key.clone(), value_text(v))),
            }
        }
        out
    }

    /// The settings of `api_url`'s `[hosts]` section: `(key, value)`.
    pub fn host_list(&self, api_url: &ApiUrl) -> Vec<(String, String)> {
        let table = self.table();
        host_table(&table, api_url)
            .map(|t| t.iter().map(|(k, v)| (k.clone(), value_text(v))).collect())
            .unwrap_or_default()
    }

    /// The file as a plain TOML table (only for `get` and `list`; the file
    /// already parsed once, so this cannot fail in practice).
    fn table(&self) -> toml::Table {
        toml::from_str(&self.text).unwrap_or_default()
    }
}

fn host_table<'a>(table: &'a toml::Table, api_url: &ApiUrl) -> Option<&'a toml::Table> {
    let hosts = table.get("hosts")?.as_table()?;
    hosts
        .get(api_url.as_str())
        .or_else(|| {
            hosts
                .iter()
                .find(|(k, _)| is_host_key(k, api_url))
                .map(|(_, v)| v)
        })?
        .as_table()
}

/// True when `[hosts."<key>"]` is the section of `api_url` (keys are written
/// normalised, but a hand-written `https://API.example.com/` counts too).
pub(crate) fn is_host_key(key: &str, api_url: &ApiUrl) -> bool {
    key == api_url.as_str() || ApiUrl::parse(key).ok().as_ref() == Some(api_url)
}

/// Read `path`; a missing file is empty.
pub(crate) fn read(path: &Path) -> Result<String, ConfigError> {
    use crate::limits::ReadError;
    match crate::limits::read_to_string(path) {
        Ok(t) => Ok(t),
        Err(ReadError::Missing) => Ok(String::new()),
        Err(e) => Err(ConfigError::File {
            path: path.to_path_buf(),
            message: match e {
                ReadError::TooLarge => format!("{}: not a config file", e.describe()),
                e => format!("cannot read it: {}", e.describe()),
            },
        }),
    }
}

/// A value as `config get` prints it: strings bare, lists comma-joined.
fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(a) => a.iter().map(value_text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// "`key` must be a string" for a value a reader refused; "not valid TOML
/// (line N): ..." for a syntax error.
fn describe(text: &str, e: &toml::de::Error) -> String {
    let why = e.message().trim();
    if let Some(key) = e.span().and_then(|s| key_at(text, s.start)) {
        return format!("`{key}` {why}");
    }
    let line = e
        .span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    format!(
        "not valid TOML{}: {why}",
        line.map(|l| format!(" (line {l})")).unwrap_or_default()
    )
}

/// The dotted path of the key whose value spans byte `pos` of `text`, when
/// the text parses (it does for errors raised while reading values).
fn key_at(text: &str, pos: usize) -> Option<String> {
    let doc = toml_edit::Document::parse(text).ok()?;
    fn walk(t: &dyn toml_edit::TableLike, prefix: &str, pos: usize) -> Option<String> {
        for (k, item) in t.iter() {
            let path = if prefix.is_empty() {
                k.to_string()
            } else if prefix == "hosts" {
                format!("hosts.\"{k}\"")
            } else {
                format!("{prefix}.{k}")
            };
            if let Some(sub) = item.as_table_like() {
                if let Some(found) = walk(sub, &path, pos) {
                    return Some(found);
                }
                if item.span().is_some_and(|s| s.contains(&pos)) && !item.is_table() {
                    return Some(path);
                }
            } else if item.span().is_some_and(|s| s.contains(&pos)) {
                return Some(path);
            }
        }
        None
    }
    walk(doc.as_table(), "", pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(text: &str) -> Result<Config, ConfigError> {
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
        assert_eq!(crate::Error::from(e).exit_code(), 1);
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
        assert!(e.contains("hosts.\"https://a.test\".callback_ports"), "{e}");
        for bad in ["900", "1e-300", "0", "-5", "inf", "nan", "1e300"] {
            let e = cfg(&format!("keychain_timeout = {bad}\n"))
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("`keychain_timeout` must be between 0.001 and 600 seconds"),
                "{bad}: {e}"
            );
        }
        let ok = cfg("http_timeout = 0.001\nhttp_connect_timeout = 600\n").unwrap();
        assert_eq!(ok.http_timeout(), Duration::from_millis(1));
    }

    #[test]
    fn unknown_keys_never_fail_a_read() {
        let c =
            cfg("tokne_url = \"x\"\n[hosts.\"https://a.test\"]\nfuture = 1\nclient_id = \"c\"\n")
                .unwrap();
        assert_eq!(
            c.unknown_keys(),
            ["tokne_url", "hosts.\"https://a.test\".future"]
        );
        let h = c.host(&ApiUrl::parse("https://a.test").unwrap());
        assert_eq!(h.client_id.as_deref(), Some("c"));
        assert!(c.list().contains(&("tokne_url".into(), "x".into())));
    }

    #[test]
    fn get_reads_values_as_text() {
        let c = cfg("keychain_timeout = 2\n[hosts.\"https://A.test/\"]\nscopes = [\"a\", \"b\"]\n")
            .unwrap();
        let h = ApiUrl::parse("https://a.test").unwrap();
        assert_eq!(c.get("scopes", Some(&h)).unwrap().as_deref(), Some("a,b"));
        assert_eq!(
            c.get("keychain_timeout", None).unwrap().as_deref(),
            Some("2")
        );
        assert_eq!(c.get("tenant", None).unwrap(), None);
        assert!(c.get("nope", None).is_err());
    }

    #[test]
    fn api_url_only_reads_nothing_else() {
        let d = tempfile::tempdir().unwrap();
        let paths = Paths {
            dir: d.path().to_path_buf(),
        };
        assert_eq!(Config::api_url_only(&paths).unwrap(), None);
        let write = |t: &str| std::fs::write(paths.config_file(), t).unwrap();
        write("api_url = \"a.test\"\nkeychain_timeout = \"soon\"\n");
        assert!(Config::load(&paths).is_err());
        let u = Config::api_url_only(&paths).unwrap().unwrap();
        assert_eq!(u.as_str(), "https://a.test");
        for bad in [
            "api_url = 7\n",
            "api_url = \"http:aé://x\"\n",
            "not [toml\n",
        ] {
            write(bad);
            let e = Config::api_url_only(&paths).unwrap_err().to_string();
            assert!(e.contains("config.toml"), "{bad}: {e}");
        }
    }
}
