//! Whether config.toml can be trusted (see [`crate::trust`]): it, the
//! config directory and every `ca_file` it names must be the user's (or
//! root's) and writable by nobody else, as ssh checks `~/.ssh`. Whoever
//! can change config.toml can point `token_url` at a server of their own
//! and receive your refresh token; whoever can change a `ca_file` can make
//! keyward trust their server. An untrusted config is refused (exit 1,
//! with the command that fixes it); `auth doctor` reports it instead, and
//! `config set` / `config unset` still work, so that it can be repaired.

use crate::trust::{self, Kind, Untrusted};
use std::path::{Path, PathBuf};

/// A file or directory config.toml's settings come from that someone else
/// could change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file or directory.
    pub path: PathBuf,
    /// What it is: "config.toml", "the config directory", "ca_file".
    pub what: &'static str,
    /// Why it cannot be trusted.
    pub why: Untrusted,
}

impl Problem {
    /// What someone who can change it could do.
    pub fn consequence(&self) -> &'static str {
        match self.what {
            "ca_file" => "whoever can change it can make keyward trust a server of their own",
            _ => {
                "whoever can change it can send your logins to a server of their own (token_url, profile_url)"
            }
        }
    }

    /// The error's message: "refusing to use PATH (config.toml): it is
    /// writable by ...".
    pub fn message(&self) -> String {
        format!(
            "refusing to use {} ({}): {}",
            self.path.display(),
            self.what,
            self.why.reason(trust::current_user(), self.consequence())
        )
    }

    /// What to do: "run `chmod go-w PATH`", when a command fixes it.
    pub fn hint(&self) -> Option<String> {
        self.why.fix(&self.path, trust::current_user()).map(|f| {
            if self.why.foreign() {
                format!("if you trust it, run `{f}`; otherwise delete it")
            } else {
                format!("run `{f}`")
            }
        })
    }
}

/// Every problem with the config directory `dir`, its `config_file` and
/// the `ca_files` it names, in that order. What does not exist is not
/// checked (a missing config.toml is read as empty; a missing `ca_file`
/// fails when it is read).
pub fn problems(dir: &Path, config_file: &Path, ca_files: &[String]) -> Vec<Problem> {
    let me = trust::current_user();
    let mut out = Vec::new();
    let mut look = |path: &Path, kind: Kind, what: &'static str| {
        if std::fs::symlink_metadata(path).is_err() {
            return;
        }
        // a dangling config.toml link reads as a missing file
        if kind == Kind::File
            && what == "config.toml"
            && std::fs::metadata(path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
            && trust::check(path, kind, me).is_some_and(|w| !w.foreign())
        {
            return;
        }
        if let Some(why) = trust::check(path, kind, me) {
            out.push(Problem {
                path: path.to_path_buf(),
                what,
                why,
            });
        }
    };
    look(dir, Kind::Dir, "the config directory");
    look(config_file, Kind::File, "config.toml");
    for ca in ca_files {
        look(Path::new(ca), Kind::File, "ca_file");
    }
    out
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::config::{Config, Paths};
    use std::os::unix::fs::PermissionsExt;

    fn chmod(p: &Path, mode: u32) {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn the_dir_the_file_and_each_ca_file_are_checked() {
        let d = tempfile::tempdir().unwrap();
        let paths = Paths {
            dir: d.path().join("kw"),
        };
        std::fs::create_dir(&paths.dir).unwrap();
        chmod(&paths.dir, 0o755);
        let ca = d.path().join("ca.pem");
        std::fs::write(&ca, "").unwrap();
        let text = format!(
            "[hosts.\"https://a.test\"]\nca_file = \"{}\"\n",
            ca.display()
        );
        std::fs::write(paths.config_file(), &text).unwrap();
        chmod(&paths.config_file(), 0o644);
        let config = Config::load_unchecked(&paths).unwrap();
        assert_eq!(config.untrusted(&paths), []);
        chmod(&ca, 0o666);
        chmod(&paths.config_file(), 0o620);
        chmod(&paths.dir, 0o775);
        let found: Vec<&str> = config.untrusted(&paths).iter().map(|p| p.what).collect();
        assert_eq!(found, ["the config directory", "config.toml", "ca_file"]);
        let e = crate::Error::from(Config::load(&paths).unwrap_err());
        assert_eq!(e.exit_code(), 1);
        let all = format!(
            "{e} {:?}",
            e.hint_for(&crate::platform::Platform::keyward())
        );
        assert!(all.contains("writable by its group (mode 0775)"), "{all}");
        assert!(
            all.contains(&format!("chmod go-w {}", paths.dir.display())),
            "{all}"
        );
    }
}
