//! Whether a file or directory that keyward reads settings from can be
//! changed by someone other than the user, as ssh checks `~/.ssh`: it must
//! be owned by the current (effective) user or by root, and writable by
//! nobody else (no group or other write bit). A symbolic link counts when
//! the link itself is owned by the user or root and its target passes the
//! same checks. Directories above the path are not checked.
//!
//! One check for config.toml, its directory, the `ca_file`s it names and
//! the per-project pins ([`crate::config::pin`]); each caller says what a
//! stranger could do with the file. On other systems than Unix, ownership
//! and modes are not checked.

use std::path::Path;

/// What a path must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A regular file (config.toml, a pin, a CA file).
    File,
    /// A directory (the config directory).
    Dir,
}

/// Why others than the user (and root) could change a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Untrusted {
    /// A symbolic link owned by another user.
    ForeignLink {
        /// The link's owner.
        owner: u32,
    },
    /// What the link points to cannot be read.
    Unreadable(String),
    /// Not the [`Kind`] asked for.
    WrongKind(Kind),
    /// Owned by another user.
    ForeignOwner {
        /// The owner.
        owner: u32,
    },
    /// Writable by its group or by every user.
    Writable {
        /// The permission bits.
        mode: u32,
    },
}

impl Untrusted {
    /// Why, in words: "it is writable by every user (mode 0666), and
    /// {consequence}". `me` is the user's id.
    pub fn reason(&self, me: u32, consequence: &str) -> String {
        let not_ours = |what: &str, owner: u32| {
            format!(
                "{what} belongs to uid {owner}, not to you (uid {me}) or root, and {consequence}"
            )
        };
        match self {
            Untrusted::ForeignLink { owner } => not_ours("it is a symbolic link that", *owner),
            Untrusted::Unreadable(e) => format!("cannot read what the link points to: {e}"),
            Untrusted::WrongKind(Kind::File) => "it is not a regular file".into(),
            Untrusted::WrongKind(Kind::Dir) => "it is not a directory".into(),
            Untrusted::ForeignOwner { owner } => not_ours("it", *owner),
            Untrusted::Writable { mode } => {
                let who = match (mode & 0o020 != 0, mode & 0o002 != 0) {
                    (true, false) => "its group",
                    (false, true) => "every user",
                    _ => "its group and every user",
                };
                format!("it is writable by {who} (mode {mode:04o}), and {consequence}")
            }
        }
    }

    /// The command that makes `path` trusted (`chmod go-w PATH`, or a
    /// `chown` for one the user does not own), when there is one.
    pub fn fix(&self, path: &Path, me: u32) -> Option<String> {
        let shown = shell_word(&path.display().to_string());
        match self {
            Untrusted::ForeignLink { .. } => Some(format!("sudo chown -h {me} {shown}")),
            Untrusted::ForeignOwner { .. } => Some(format!("sudo chown {me} {shown}")),
            Untrusted::Writable { .. } => Some(format!("chmod go-w {shown}")),
            Untrusted::Unreadable(_) | Untrusted::WrongKind(_) => None,
        }
    }

    /// True when the fix makes the user trust someone else's file: they
    /// should delete it instead unless they know it.
    pub fn foreign(&self) -> bool {
        matches!(
            self,
            Untrusted::ForeignLink { .. } | Untrusted::ForeignOwner { .. }
        )
    }

    /// [`Untrusted::reason`] and [`Untrusted::fix`] as one sentence:
    /// "...; to use it, `chmod go-w PATH`" (for a file of another user's:
    /// "...; if you trust it, `sudo chown ...`, else delete it").
    pub fn explain(&self, path: &Path, me: u32, consequence: &str) -> String {
        let reason = self.reason(me, consequence);
        match self.fix(path, me) {
            Some(fix) if self.foreign() => {
                format!("{reason}; if you trust it, `{fix}`, else delete it")
            }
            Some(fix) => format!("{reason}; to use it, `{fix}`"),
            None => reason,
        }
    }
}

/// The current effective user id (0 where there is none).
pub fn current_user() -> u32 {
    #[cfg(unix)]
    {
        // SAFETY: geteuid has no preconditions and cannot fail.
        unsafe { libc::geteuid() }
    }
    #[cfg(not(unix))]
    0
}

/// Why `path` (which must exist) must not be trusted by the user `me`, if
/// it must not: see the module's documentation. `None` means it is safe.
#[cfg(unix)]
pub fn check(path: &Path, kind: Kind, me: u32) -> Option<Untrusted> {
    use std::os::unix::fs::MetadataExt;
    let trusted = |owner: u32| owner == me || owner == 0;
    let link = std::fs::symlink_metadata(path).ok()?;
    if link.file_type().is_symlink() && !trusted(link.uid()) {
        return Some(Untrusted::ForeignLink { owner: link.uid() });
    }
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return Some(Untrusted::Unreadable(e.to_string())),
    };
    let right_kind = match kind {
        Kind::File => meta.is_file(),
        Kind::Dir => meta.is_dir(),
    };
    if !right_kind {
        return Some(Untrusted::WrongKind(kind));
    }
    if !trusted(meta.uid()) {
        return Some(Untrusted::ForeignOwner { owner: meta.uid() });
    }
    let mode = meta.mode() & 0o7777;
    (mode & 0o022 != 0).then_some(Untrusted::Writable { mode })
}

/// Ownership and modes are not checked on this platform.
#[cfg(not(unix))]
pub fn check(_path: &Path, _kind: Kind, _me: u32) -> Option<Untrusted> {
    None
}

/// `s` as one shell word: as is when it needs no quoting, else in single quotes.
pub fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+@%:,=".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn writable_by_others_or_owned_by_another_user_is_untrusted() {
        let d = tempfile::tempdir().unwrap();
        let me = current_user();
        let f = d.path().join("config.toml");
        std::fs::write(&f, "").unwrap();
        for (mode, bad) in [(0o600, false), (0o644, false), (0o664, true), (0o666, true)] {
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(mode)).unwrap();
            assert_eq!(check(&f, Kind::File, me).is_some(), bad, "{mode:o}");
        }
        let why = check(&f, Kind::File, me).unwrap().explain(&f, me, "x");
        assert!(
            why.contains("its group and every user (mode 0666)"),
            "{why}"
        );
        assert!(
            why.contains(&format!("`chmod go-w {}`", f.display())),
            "{why}"
        );
        assert_eq!(
            check(&f, Kind::Dir, me),
            Some(Untrusted::WrongKind(Kind::Dir))
        );
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o775)).unwrap();
        assert_eq!(
            check(d.path(), Kind::Dir, me),
            Some(Untrusted::Writable { mode: 0o775 })
        );
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(check(d.path(), Kind::Dir, me), None);
        if me != 0 {
            // a file of root's is trusted; one of ours, by another user, is not
            assert_eq!(check(Path::new("/etc/passwd"), Kind::File, me), None);
            assert_eq!(
                check(d.path(), Kind::Dir, me + 1),
                Some(Untrusted::ForeignOwner { owner: me })
            );
        }
    }
}
