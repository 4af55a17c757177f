//! [`ConfigEdit`]: changes to config.toml through `toml_edit`, so that the
//! user's comments, formatting and unknown keys survive. A change is checked
//! by the typed reader before it is written: keyward never writes a file it
//! could not read back.

use super::keys::{self, Kind, Scope};
use super::{Config, ConfigError, Paths};
use crate::api_url::ApiUrl;
use crate::fsutil;
use std::path::{Path, PathBuf};
use toml_edit::{DocumentMut, Item, Table};

/// config.toml open for changes. [`ConfigEdit::open`] holds config.toml's
/// lock (`config.toml.lock`) until the edit is dropped, so that edits by
/// parallel processes are made one after the other, none lost.
#[derive(Debug)]
pub struct ConfigEdit {
    path: PathBuf,
    doc: DocumentMut,
    _lock: Option<crate::lock::FileLock>,
}

/// How long an edit waits for another process's edit of config.toml.
const LOCK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

impl ConfigEdit {
    /// Open config.toml (a missing file is empty). Only its syntax must be
    /// valid, so that `config unset` can repair a bad value.
    pub fn open(paths: &Paths) -> Result<ConfigEdit, ConfigError> {
        let path = paths.config_file();
        let mut lock_path = path.clone().into_os_string();
        lock_path.push(".lock");
        let lock = crate::lock::FileLock::acquire(
            Path::new(&lock_path),
            crate::lock::timeout(LOCK_TIMEOUT),
        )
        .map_err(|e| ConfigError::Unwritable {
            path: path.clone(),
            message: format!("cannot edit it: {e}"),
            hint: e.hint(),
        })?;
        // Read under the lock: the edit starts from the last one saved.
        let text = super::read(&path)?;
        let mut edit = ConfigEdit::parse(path, &text)?;
        edit._lock = Some(lock);
        Ok(edit)
    }

    /// Edit `text` (`path` is where [`ConfigEdit::save`] writes).
    pub fn parse(path: PathBuf, text: &str) -> Result<ConfigEdit, ConfigError> {
        let doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let msg = e.to_string();
            ConfigError::File {
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
        Ok(ConfigEdit {
            path,
            doc,
            _lock: None,
        })
    }

    /// The file being edited.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Set `key` to `value` (checked and normalised); returns the value as
    /// stored. `host` selects a per-host key. Call [`ConfigEdit::save`].
    pub fn set(
        &mut self,
        key: &str,
        value: &str,
        host: Option<&ApiUrl>,
    ) -> Result<String, ConfigError> {
        let k = keys::lookup(key, scope(host))?;
        let value = keys::normalise(k.kind, value)?;
        let item = match k.kind {
            Kind::Seconds => {
                // normalise accepted it as a number
                let v: f64 = value.parse().unwrap_or(3.0);
                if v.fract() == 0.0 {
                    toml_edit::value(v as i64)
                } else {
                    toml_edit::value(v)
                }
            }
            Kind::List | Kind::Origins => {
                let mut a = toml_edit::Array::new();
                for s in keys::split_list(&value) {
                    a.push(s);
                }
                toml_edit::value(a)
            }
            Kind::Ports => {
                let mut a = toml_edit::Array::new();
                for p in keys::parse_ports(&value)? {
                    a.push(i64::from(p));
                }
                toml_edit::value(a)
            }
            _ => toml_edit::value(value.clone()),
        };
        match host {
            None => {
                // Replace the value in place: the key keeps its comments.
                match self.doc.get_mut(key) {
                    Some(slot) => *slot = item,
                    None => {
                        self.doc.insert(key, item);
                    }
                }
            }
            Some(h) => {
                let bad = || ConfigError::File {
                    path: self.path.clone(),
                    message: "`hosts` must be a table".into(),
                };
                let hosts = self.doc.entry("hosts").or_insert_with(|| {
                    let mut t = Table::new();
                    t.set_implicit(true);
                    Item::Table(t)
                });
                let hosts = hosts.as_table_like_mut().ok_or_else(bad)?;
                let name = existing_host_key(hosts, h).unwrap_or_else(|| h.as_str().to_string());
                let entry = hosts.entry(&name).or_insert(Item::Table(Table::new()));
                let t = entry.as_table_like_mut().ok_or_else(bad)?;
                t.insert(key, item);
            }
        }
        Ok(value)
    }

    /// Remove `key`; returns whether it was set.
    pub fn unset(&mut self, key: &str, host: Option<&ApiUrl>) -> Result<bool, ConfigError> {
        keys::lookup(key, scope(host))?;
        Ok(match host {
            None => self.doc.remove(key).is_some(),
            Some(h) => self
                .doc
                .get_mut("hosts")
                .and_then(Item::as_table_like_mut)
                .and_then(|hosts| {
                    let name = existing_host_key(hosts, h)?;
                    hosts.get_mut(&name)
                })
                .and_then(Item::as_table_like_mut)
                .map(|t| t.remove(key).is_some())
                .unwrap_or(false),
        })
    }

    /// Check the result with the typed reader, then write it atomically
    /// (0600, comments kept). A symbolic link is written through: the file
    /// it points to is replaced, keeping its mode without group and other
    /// write, and the link stays. Returns the config as now written. The lock
    /// is released, whatever the outcome, so the next edit can begin.
    pub fn save(&mut self) -> Result<Config, ConfigError> {
        let _lock = self._lock.take();
        let text = self.doc.to_string();
        let config = Config::parse(self.path.clone(), &text)?;
        fsutil::write_atomic_through_link(&self.path, text.as_bytes())
            .map_err(|e| ConfigError::unwritable(&self.path, &e))?;
        Ok(config)
    }

    /// The text as it would be saved.
    pub fn text(&self) -> String {
        self.doc.to_string()
    }
}

fn scope(host: Option<&ApiUrl>) -> Scope {
    if host.is_some() {
        Scope::Host
    } else {
        Scope::Global
    }
}

/// The key of the `[hosts]` entry for `api_url`, written normalised or not.
fn existing_host_key(hosts: &dyn toml_edit::TableLike, api_url: &ApiUrl) -> Option<String> {
    if hosts.contains_key(api_url.as_str()) {
        return Some(api_url.as_str().to_string());
    }
    hosts
        .iter()
        .find(|(k, _)| super::is_host_key(k, api_url))
        .map(|(k, _)| k.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(text: &str) -> ConfigEdit {
        ConfigEdit::parse(PathBuf::from("/tmp/config.toml"), text).unwrap()
    }

    #[test]
    fn a_write_that_fails_says_why_and_never_blames_the_text() {
        let p = std::path::Path::new("/cfg/config.toml");
        let full =
            ConfigError::unwritable(p, &std::io::Error::from(std::io::ErrorKind::StorageFull));
        let e = crate::Error::from(full);
        let hint = e.hint_for(&crate::Platform::keyward()).unwrap();
        assert!(hint.contains("free some disk space"), "{hint}");
        assert!(!hint.contains("TOML"), "{hint}");
        assert_eq!(e.exit_code(), crate::error::exit::ERROR);
        let denied = ConfigError::unwritable(
            p,
            &std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        );
        let hint = crate::Error::from(denied)
            .hint_for(&crate::Platform::keyward())
            .unwrap();
        assert!(hint.contains("may write in /cfg"), "{hint}");
    }

    #[test]
    fn set_keeps_comments_and_normalises() {
        let mut c = edit("# keep me\nother = 1 # and me\n");
        c.set("api_url", "HTTPS://X.test/", None).unwrap();
        let h = ApiUrl::parse("https://x.test").unwrap();
        c.set("client_id", "cli", Some(&h)).unwrap();
        c.set("scopes", "a, b", Some(&h)).unwrap();
        c.set("keychain_timeout", "2", None).unwrap();
        let text = c.text();
        assert!(text.contains("# keep me"));
        assert!(text.contains("other = 1 # and me"));
        assert!(text.contains("api_url = \"https://x.test\""), "{text}");
        assert!(text.contains("[hosts.\"https://x.test\"]"), "{text}");
        let back = Config::parse(PathBuf::from("/tmp/c.toml"), &text).unwrap();
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
    fn a_top_level_key_keeps_its_comment_when_set() {
        let mut e = ConfigEdit::parse(
            "/x/config.toml".into(),
            "# my dotfiles\ntenant = \"old\" # the old one\n",
        )
        .unwrap();
        e.set("tenant", "acme", None).unwrap();
        let text = e.text();
        assert!(
            text.starts_with("# my dotfiles\ntenant = \"acme\""),
            "{text}"
        );
    }

    #[test]
    fn unknown_keys_are_usage_errors() {
        let mut c = edit("");
        let e = c.set("nope", "x", None).unwrap_err();
        assert_eq!(crate::Error::from(e).exit_code(), 2);
        let e = c.set("client_id", "x", None).unwrap_err();
        assert!(
            matches!(e, ConfigError::Input(ref i) if i.hint.as_deref().is_some_and(|h| h.contains("--host")))
        );
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
        let mut c = edit("tenant = \"a\"\n[hosts.\"https://A.test\"]\nclient_id = \"x\"\n");
        assert!(c.unset("tenant", None).unwrap());
        assert!(!c.unset("tenant", None).unwrap());
        let h = ApiUrl::parse("https://a.test").unwrap();
        assert!(c.unset("client_id", Some(&h)).unwrap());
        assert!(!c.text().contains("tenant"));
    }

    #[test]
    fn a_change_is_checked_before_it_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "api_url = 42\n").unwrap();
        let paths = Paths {
            dir: dir.path().to_path_buf(),
        };
        let mut c = ConfigEdit::open(&paths).unwrap();
        c.set("tenant", "x", None).unwrap();
        let e = c.save().unwrap_err().to_string();
        assert!(e.contains("`api_url` must be a string"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "api_url = 42\n");
        // but a bad value can be removed
        let mut c = ConfigEdit::open(&paths).unwrap();
        assert!(c.unset("api_url", None).unwrap());
        c.save().unwrap();
    }
}
