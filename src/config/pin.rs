//! Per-project pins: a `.keyward.toml` (the name follows the platform,
//! [`Platform::pin_file_name`]) in the current directory or a parent sets
//! the directory's `api_url`, `tenant` and `user`.
//!
//! The nearest one decides. It is used only when it is safe: owned by the
//! current (effective) user or by root, and writable by nobody else (no
//! group or other write bit). A symbolic link counts when the link itself
//! is owned by the user or root and its target passes the same checks. An
//! unsafe pin is ignored with a warning that names it and the fix, and no
//! pin further up is looked for: a file planted in a shared directory
//! (`/tmp`) can neither choose your account nor stop your commands (git's
//! `safe.directory` lesson). A safe pin that cannot be used (not TOML, an
//! unknown key, a bad value, a secret) is an error (exit 1): pins never hold
//! secrets, so a `token` key is refused, never read. On other systems than
//! Unix, ownership and modes are not checked.

use super::ConfigError;
use super::de;
use crate::api_url::ApiUrl;
use crate::platform::Platform;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

/// The keys a pin may set.
const KEYS: [&str; 3] = ["api_url", "tenant", "user"];

/// Parts of key names that mark a secret: refused, never read.
const SECRET_WORDS: [&str; 8] = [
    "token",
    "secret",
    "password",
    "passwd",
    "credential",
    "api_key",
    "apikey",
    "private_key",
];

/// A per-project pin that applies to the current directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    /// The file (`/home/me/project/.keyward.toml`).
    pub path: PathBuf,
    /// `api_url`: the directory's default API URL.
    pub api_url: Option<ApiUrl>,
    /// `tenant`: the directory's tenant, for the pin's `api_url` (or for
    /// every API URL when the pin names none).
    pub tenant: Option<String>,
    /// `user`: the account to use, for the pin's `api_url` (or for every
    /// API URL when the pin names none); honoured only if it is stored.
    pub user: Option<String>,
}

impl Pin {
    /// True when the pin's `tenant` and `user` are for `api_url`: the pin
    /// names no API URL, or names this one.
    pub fn applies_to(&self, api_url: &ApiUrl) -> bool {
        self.api_url.as_ref().is_none_or(|u| u == api_url)
    }
}

/// The file as serde reads it (keys are checked before, with clearer words).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default, deserialize_with = "de::api_url")]
    api_url: Option<ApiUrl>,
    #[serde(default, deserialize_with = "de::tenant")]
    tenant: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    user: Option<String>,
}

/// What looking for a pin found: the pin, if a safe one was found, and the
/// warnings about one that was ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lookup {
    /// The pin in effect.
    pub pin: Option<Pin>,
    /// Why a pin was ignored, with the file and the fix.
    pub warnings: Vec<String>,
}

/// Look for the nearest pin of `platform` from `start` up to the filesystem
/// root, and read it if it is safe (see the module's documentation).
pub fn find(platform: &Platform, start: &Path) -> Result<Lookup, ConfigError> {
    let name = platform.pin_file_name();
    for dir in start.ancestors() {
        let path = dir.join(&name);
        // Not there, or not even visible: look further up.
        if std::fs::symlink_metadata(&path).is_err() {
            continue;
        }
        if let Some(why) = unsafe_because(&path) {
            return Ok(Lookup {
                pin: None,
                warnings: vec![format!("ignored {}: {why}", path.display())],
            });
        }
        let text = crate::limits::read_to_string(&path).map_err(|e| ConfigError::Pin {
            message: format!("{}: cannot read it: {}", path.display(), e.describe()),
            hint: None,
            path: path.clone(),
        })?;
        return Ok(Lookup {
            pin: Some(parse(path, &text)?),
            warnings: Vec::new(),
        });
    }
    Ok(Lookup::default())
}

/// Read a pin's text (`path` is where it was found, for messages).
pub fn parse(path: PathBuf, text: &str) -> Result<Pin, ConfigError> {
    let shown = path.display().to_string();
    let error = |message: String, hint: Option<String>| ConfigError::Pin {
        message,
        hint,
        path: path.clone(),
    };
    let keys_hint = || Some(format!("a pin may set only {}", allowed()));
    let table: toml::Table = toml::from_str(text)
        .map_err(|e| error(format!("{shown}: {}", super::describe(text, &e)), None))?;
    let mut names = Vec::new();
    key_paths(&table, "", &mut names);
    if let Some(secret) = names.iter().find(|k| is_secret(k)) {
        return Err(error(
            format!("pins never hold secrets: remove `{secret}` from {shown}"),
            Some(format!(
                "keep tokens in the keychain (`{{bin}} auth login`) or pass one with {{ENV}}_TOKEN; if {shown} was ever committed or shared, revoke that token. A pin may set only {}",
                allowed()
            )),
        ));
    }
    if let Some(unknown) = table.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(error(
            format!("unknown key `{unknown}` in {shown}"),
            keys_hint(),
        ));
    }
    let file: File = toml::from_str(text).map_err(|e| {
        error(
            format!("{shown}: {}", super::describe(text, &e)),
            keys_hint(),
        )
    })?;
    Ok(Pin {
        path,
        api_url: file.api_url,
        tenant: file.tenant,
        user: file.user,
    })
}

fn allowed() -> String {
    KEYS.map(|k| format!("`{k}`")).join(", ")
}

/// Every key of `table`, nested ones as dotted paths.
fn key_paths(table: &toml::Table, prefix: &str, out: &mut Vec<String>) {
    for (k, v) in table {
        let path = format!("{prefix}{k}");
        if let toml::Value::Table(t) = v {
            key_paths(t, &format!("{path}."), out);
        }
        out.push(path);
    }
}

/// True for a key whose name says it holds a secret (`token`,
/// `access_token`, `client_secret`, `password`, ...).
fn is_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase().replace('-', "_");
    SECRET_WORDS.iter().any(|w| k.contains(w))
}

/// Why the pin at `path` must not be used, if it must not: see the module's
/// documentation and [`crate::trust`]. `None` means it is safe.
fn unsafe_because(path: &Path) -> Option<String> {
    unsafe_for(path, crate::trust::current_user())
}

/// [`unsafe_because`] for the user `me`.
fn unsafe_for(path: &Path, me: u32) -> Option<String> {
    crate::trust::check(path, crate::trust::Kind::File, me).map(|why| {
        why.explain(
            path,
            me,
            "a pin someone else can change must not choose your account",
        )
    })
}

/// A session's pin, looked for on first use and shared by the session's
/// clones.
#[derive(Debug)]
pub struct PinCell {
    /// Where the search starts: `None` for no pin at all.
    start: Option<Start>,
    found: OnceLock<Result<Option<Pin>, ConfigError>>,
    warnings: Mutex<Vec<String>>,
}

#[derive(Debug)]
enum Start {
    CurrentDir,
    Dir(PathBuf),
}

impl PinCell {
    /// Search from the current directory (when first asked).
    pub fn current_dir() -> PinCell {
        PinCell::starting(Some(Start::CurrentDir))
    }

    /// Search from `dir`; `None`: no pin applies.
    pub fn from_dir(dir: Option<PathBuf>) -> PinCell {
        PinCell::starting(dir.map(Start::Dir))
    }

    fn starting(start: Option<Start>) -> PinCell {
        PinCell {
            start,
            found: OnceLock::new(),
            warnings: Mutex::new(Vec::new()),
        }
    }

    /// The pin in effect, read on the first call. A current directory that
    /// cannot be known (deleted) has no pin.
    pub fn get(&self, platform: &Platform) -> Result<Option<&Pin>, ConfigError> {
        let found = self.found.get_or_init(|| {
            let start = match &self.start {
                None => return Ok(None),
                Some(Start::Dir(d)) => d.clone(),
                Some(Start::CurrentDir) => match std::env::current_dir() {
                    Ok(d) => d,
                    Err(_) => return Ok(None),
                },
            };
            let lookup = find(platform, &start)?;
            if let Ok(mut w) = self.warnings.lock() {
                w.extend(lookup.warnings);
            }
            Ok(lookup.pin)
        });
        found.as_ref().map(Option::as_ref).map_err(Clone::clone)
    }

    /// Warnings about an ignored pin since the last call, emptied.
    pub fn take_warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin(text: &str) -> Result<Pin, ConfigError> {
        parse(PathBuf::from("/p/.keyward.toml"), text)
    }

    fn message(e: ConfigError) -> (String, String) {
        let ConfigError::Pin { message, hint, .. } = e else {
            panic!("not a pin error: {e:?}");
        };
        (message, hint.unwrap_or_default())
    }

    #[test]
    fn reads_the_three_keys_checked_and_normalised() {
        let p = pin("api_url = \"API.example.com/\"\ntenant = \"acme\"\nuser = \"bob@x.test\"\n")
            .unwrap();
        assert_eq!(
            p.api_url.as_ref().unwrap().as_str(),
            "https://api.example.com"
        );
        assert_eq!(p.tenant.as_deref(), Some("acme"));
        assert_eq!(p.user.as_deref(), Some("bob@x.test"));
        assert_eq!(pin("").unwrap().api_url, None);
        let only_tenant = pin("tenant = \"acme\"\n").unwrap();
        assert!(only_tenant.applies_to(&ApiUrl::parse("https://any.test").unwrap()));
        assert!(p.applies_to(&ApiUrl::parse("https://api.example.com").unwrap()));
        assert!(!p.applies_to(&ApiUrl::parse("https://other.test").unwrap()));
    }

    #[test]
    fn bad_values_and_unknown_keys_name_the_file_and_the_key() {
        for (text, key) in [
            ("api_url = \"ftp://x\"\n", "`api_url` is invalid"),
            ("tenant = \"a b\"\n", "`tenant` is invalid"),
            ("user = \"\"\n", "`user` is invalid"),
            ("user = 5\n", "`user` must be a string"),
            ("tenant = [\n", "not valid TOML (line 1)"),
            ("tenatn = \"acme\"\n", "unknown key `tenatn`"),
            ("[hosts.x]\nclient_id = \"c\"\n", "unknown key `hosts`"),
        ] {
            let (m, hint) = message(pin(text).unwrap_err());
            assert!(m.contains("/p/.keyward.toml"), "{text}: {m}");
            assert!(m.contains(key), "{text}: {m}");
            if m.contains("unknown") {
                assert!(hint.contains("`api_url`, `tenant`, `user`"), "{hint}");
            }
        }
        let e: crate::Error = pin("nope = 1\n").unwrap_err().into();
        assert_eq!(e.exit_code(), crate::error::exit::ERROR);
    }

    #[test]
    fn secrets_are_refused_and_never_shown() {
        for (text, key) in [
            ("token = \"kwd_s3cr3t\"\n", "token"),
            (
                "api_url = \"a.test\"\naccess_token = \"kwd_s3cr3t\"\n",
                "access_token",
            ),
            ("client_secret = \"kwd_s3cr3t\"\n", "client_secret"),
            ("Password = \"kwd_s3cr3t\"\n", "Password"),
            (
                "[auth]\nrefresh-token = \"kwd_s3cr3t\"\n",
                "auth.refresh-token",
            ),
        ] {
            let e = pin(text).unwrap_err();
            let (m, hint) = message(e.clone());
            assert_eq!(
                m,
                format!("pins never hold secrets: remove `{key}` from /p/.keyward.toml")
            );
            assert!(hint.contains("revoke"), "{hint}");
            let e: crate::Error = e.into();
            let all = format!("{e} {}", e.hint_for(&Platform::keyward()).unwrap());
            assert!(all.contains("KEYWARD_TOKEN"), "{all}");
            assert!(!all.contains("s3cr3t"), "{all}");
        }
    }

    #[cfg(unix)]
    mod unix {
        use super::*;
        use std::os::unix::fs::PermissionsExt;

        fn me() -> u32 {
            unsafe { libc::geteuid() }
        }

        fn write(dir: &Path, text: &str, mode: u32) -> PathBuf {
            let p = dir.join(".keyward.toml");
            std::fs::write(&p, text).unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
            p
        }

        #[test]
        fn the_nearest_pin_is_found_from_a_subdirectory() {
            let d = tempfile::tempdir().unwrap();
            let sub = d.path().join("a/b");
            std::fs::create_dir_all(&sub).unwrap();
            let top = write(d.path(), "tenant = \"top\"\n", 0o644);
            let l = find(&Platform::keyward(), &sub).unwrap();
            assert_eq!(l.pin.unwrap().path, top);
            let near = write(&d.path().join("a"), "tenant = \"near\"\n", 0o600);
            let l = find(&Platform::keyward(), &sub).unwrap();
            let p = l.pin.unwrap();
            assert_eq!((p.path, p.tenant.as_deref()), (near, Some("near")));
            // the name follows the platform
            let acme = Platform {
                name: "acme",
                ..Platform::keyward()
            };
            assert_eq!(acme.pin_file_name(), ".acme.toml");
            assert_eq!(find(&acme, &sub).unwrap(), Lookup::default());
        }

        #[test]
        fn a_pin_others_can_write_is_ignored_with_the_fix() {
            let d = tempfile::tempdir().unwrap();
            for (mode, who) in [
                (0o664, "its group (mode 0664)"),
                (0o646, "every user (mode 0646)"),
                (0o777, "its group and every user (mode 0777)"),
            ] {
                let p = write(d.path(), "token = \"x\"\n", mode);
                let l = find(&Platform::keyward(), d.path()).unwrap();
                assert_eq!(l.pin, None, "a bad pin others planted does not fail either");
                let [w] = l.warnings.as_slice() else {
                    panic!("{l:?}")
                };
                assert!(w.starts_with(&format!("ignored {}: ", p.display())), "{w}");
                assert!(w.contains(who), "{w}");
                assert!(w.contains(&format!("`chmod go-w {}`", p.display())), "{w}");
            }
            // a pin further up is not used instead
            let sub = d.path().join("sub");
            std::fs::create_dir(&sub).unwrap();
            write(&sub, "tenant = \"x\"\n", 0o620);
            std::fs::set_permissions(
                d.path().join(".keyward.toml"),
                std::fs::Permissions::from_mode(0o644),
            )
            .unwrap();
            std::fs::write(d.path().join(".keyward.toml"), "tenant = \"up\"\n").unwrap();
            let l = find(&Platform::keyward(), &sub).unwrap();
            assert_eq!((l.pin, l.warnings.len()), (None, 1));
        }

        #[test]
        fn owners_other_than_you_and_root_are_refused() {
            let d = tempfile::tempdir().unwrap();
            let p = write(d.path(), "tenant = \"x\"\n", 0o644);
            assert_eq!(unsafe_for(&p, me()), None);
            if me() == 0 {
                // as root: a file chowned to another user is ignored
                std::os::unix::fs::chown(&p, Some(4242), None).unwrap();
                let w = unsafe_for(&p, 0).unwrap();
                assert!(
                    w.contains("belongs to uid 4242, not to you (uid 0) or root"),
                    "{w}"
                );
                assert!(w.contains("`sudo chown 0 "), "{w}");
                let l = find(&Platform::keyward(), d.path()).unwrap();
                assert_eq!(l.pin, None);
                assert!(l.warnings[0].contains("belongs to uid 4242"), "{l:?}");
            } else {
                // your file is someone else's to another user...
                let other = me() + 1;
                let w = unsafe_for(&p, other).unwrap();
                assert!(w.contains(&format!("belongs to uid {}", me())), "{w}");
                // ... and root's files are trusted
                assert_eq!(unsafe_for(Path::new("/etc/passwd"), me()), None);
            }
        }

        #[test]
        fn a_symlink_counts_by_its_target_and_its_own_owner() {
            let d = tempfile::tempdir().unwrap();
            let target_dir = d.path().join("t");
            std::fs::create_dir(&target_dir).unwrap();
            let target = write(&target_dir, "tenant = \"linked\"\n", 0o644);
            let proj = d.path().join("proj");
            std::fs::create_dir(&proj).unwrap();
            std::os::unix::fs::symlink(&target, proj.join(".keyward.toml")).unwrap();
            let l = find(&Platform::keyward(), &proj).unwrap();
            assert_eq!(l.pin.unwrap().tenant.as_deref(), Some("linked"));
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o666)).unwrap();
            let l = find(&Platform::keyward(), &proj).unwrap();
            assert_eq!(l.pin, None);
            assert!(l.warnings[0].contains("writable by"), "{l:?}");
            // a dangling link, a directory: ignored, named
            std::fs::remove_file(&target).unwrap();
            let l = find(&Platform::keyward(), &proj).unwrap();
            assert!(
                l.warnings[0].contains("cannot read what the link points to"),
                "{l:?}"
            );
            std::fs::create_dir(target_dir.join("sub")).unwrap();
            std::fs::create_dir(target_dir.join("sub/.keyward.toml")).unwrap();
            let l = find(&Platform::keyward(), &target_dir.join("sub")).unwrap();
            assert!(l.warnings[0].contains("not a regular file"), "{l:?}");
            if me() == 0 {
                let link = proj.join(".keyward.toml");
                std::os::unix::fs::lchown(&link, Some(4242), None).unwrap();
                let w = unsafe_for(&link, 0).unwrap();
                assert!(w.contains("symbolic link that belongs to uid 4242"), "{w}");
                assert!(w.contains("sudo chown -h 0 "), "{w}");
            }
        }

        #[test]
        fn the_cell_reads_once_and_hands_warnings_out_once() {
            let d = tempfile::tempdir().unwrap();
            write(d.path(), "tenant = \"x\"\n", 0o664);
            let cell = PinCell::from_dir(Some(d.path().to_path_buf()));
            assert_eq!(cell.get(&Platform::keyward()).unwrap(), None);
            assert_eq!(cell.take_warnings().len(), 1);
            std::fs::set_permissions(
                d.path().join(".keyward.toml"),
                std::fs::Permissions::from_mode(0o644),
            )
            .unwrap();
            assert_eq!(cell.get(&Platform::keyward()).unwrap(), None, "read once");
            assert!(cell.take_warnings().is_empty());
            let none = PinCell::from_dir(None);
            assert_eq!(none.get(&Platform::keyward()).unwrap(), None);
        }
    }

    #[test]
    fn shell_words() {
        assert_eq!(crate::trust::shell_word("/a/b.toml"), "/a/b.toml");
        assert_eq!(crate::trust::shell_word("/a b/it's"), r"'/a b/it'\''s'");
    }
}
