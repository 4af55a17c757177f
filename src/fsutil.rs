//! Private files: 0700 directories, 0600 files written atomically
//! (temp file in the same directory, fsync, rename, fsync of the directory).
//!
//! keyward's own files (the credentials file, its lock, the login index,
//! the temp files) are never followed through a symbolic link at their
//! last component (`O_NOFOLLOW`): a link there is refused with an error
//! that names the file, so that keyward never reads, changes or removes a
//! file somewhere else. Linked directories above them are fine. Only
//! directories keyward creates are made 0700; one that exists is left as
//! it is.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The prefix of the temp files [`write_private_atomic`] writes.
const TEMP_PREFIX: &str = ".tmp-";
/// The random characters tempfile adds after the prefix.
const TEMP_RANDOM: usize = 6;
/// A temp file this young may be one a writer has just created and not
/// locked yet: [`remove_stale_temps`] leaves it.
const TEMP_GRACE: Duration = Duration::from_secs(1);

/// Create `dir` (and parents) if missing, each created directory with
/// mode 0700. An existing directory is left as it is (see
/// [`crate::trust`] for the ones keyward refuses to use).
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    create_dirs(dir)
}

/// The error for a symbolic link where keyward keeps a file of its own.
pub fn symlink_refused(path: &Path) -> io::Error {
    io::Error::other(format!(
        "{} is a symbolic link, and keyward does not follow links for its own files (so that it never reads, changes or removes a file elsewhere): replace the link with the file itself (`mv`), or remove it",
        path.display()
    ))
}

/// True when `e` is the error of opening a symbolic link with `O_NOFOLLOW`.
fn is_loop(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

/// `opts` made to refuse a symbolic link at the last component.
pub fn no_follow(opts: &mut fs::OpenOptions) -> &mut fs::OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW);
    }
    opts
}

/// Open `path` with `opts` without following a symbolic link at its last
/// component: a link is [`symlink_refused`].
pub fn open_no_follow(path: &Path, opts: &mut fs::OpenOptions) -> io::Result<fs::File> {
    no_follow(opts).open(path).map_err(|e| {
        if is_loop(&e) {
            symlink_refused(path)
        } else {
            e
        }
    })
}

/// Read `path`, refusing a symbolic link (see [`open_no_follow`]); the
/// open file comes back too, to tighten it with [`tighten_file`].
/// The read is capped as [`crate::limits::read`] caps it.
pub fn read_no_follow(path: &Path) -> Result<(String, fs::File), crate::limits::ReadError> {
    use crate::limits::ReadError;
    let file =
        open_no_follow(path, fs::OpenOptions::new().read(true)).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => ReadError::Missing,
            _ => ReadError::Io(e),
        })?;
    let bytes = crate::limits::read_file(&file)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        ReadError::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        ))
    })?;
    Ok((text, file))
}

/// Create `dir` and its missing parents, each with mode 0700 (a fresh
/// container has no `~/.config`), except the home directory (`$HOME`) and
/// anything above it: keyward never creates those, and a missing home is
/// an error.
fn create_dirs(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(home) = std::env::var_os("HOME").map(std::path::PathBuf::from)
        && home.is_absolute()
        && dir.starts_with(&home)
        && !home.is_dir()
    {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!(
                "the home directory {} does not exist (keyward never creates it)",
                home.display()
            ),
        ));
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Write `bytes` to `path` atomically with mode 0600: a reader sees the old
/// content or the new, never a torn file, whatever happens mid-write. A
/// symbolic link at `path` is refused, never replaced.
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(symlink_refused(path));
    }
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::other("path has no parent directory"))?;
    ensure_private_dir(dir)?;
    write_atomic(path, dir, bytes, 0o600)
}

/// [`write_private_atomic`], except through a symbolic link at `path`:
/// the file it points to is replaced, in its own directory, keeping its
/// mode without group and other write (0600 for a new one), and the link
/// stays. For config.toml, which may live in a dotfiles repository.
pub fn write_atomic_through_link(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = resolve_link(path)?;
    if target == path {
        return write_private_atomic(path, bytes);
    }
    let dir = target
        .parent()
        .ok_or_else(|| io::Error::other("path has no parent directory"))?;
    let mode = existing_mode(&target)?.map_or(0o600, |m| m & 0o755);
    write_atomic(&target, dir, bytes, mode)
}

/// The permission bits of `path`, `None` when it does not exist.
fn existing_mode(path: &Path) -> io::Result<Option<u32>> {
    match fs::metadata(path) {
        #[cfg(unix)]
        Ok(m) => {
            use std::os::unix::fs::PermissionsExt;
            Ok(Some(m.permissions().mode() & 0o777))
        }
        #[cfg(not(unix))]
        Ok(_) => Ok(Some(0o600)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// What `path` points to, following symbolic links (not `canonicalize`:
/// the target may not exist yet).
fn resolve_link(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) => dir.join(to),
                    None => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other(format!(
        "{}: too many levels of symbolic links",
        path.display()
    )))
}

fn write_atomic(path: &Path, dir: &Path, bytes: &[u8], _mode: u32) -> io::Result<()> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    // tempfile creates the file with O_EXCL (never through a link).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(_mode));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    // Locked while it is written: a temp file nobody holds is left over
    // from a writer that died ([`remove_stale_temps`]).
    tmp.as_file().lock()?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Remove the temp files [`write_private_atomic`] left in `dir` when its
/// writer died mid-write (they may hold a whole credentials file): named
/// `.tmp-` and six characters, regular files of the user's, at least a
/// second old, and locked by no writer. Returns how many went; what cannot
/// be removed stays, quietly.
pub fn remove_stale_temps(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMP_PREFIX)) else {
            continue;
        };
        if rest.len() != TEMP_RANDOM || !rest.chars().all(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let path = e.path();
        if is_stale_temp(&path) && fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

fn is_stale_temp(path: &Path) -> bool {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.uid() != crate::trust::current_user() {
            return false;
        }
    }
    let old = meta
        .modified()
        .ok()
        .and_then(|m| m.elapsed().ok())
        .is_some_and(|age| age >= TEMP_GRACE);
    if !meta.is_file() || !old {
        return false;
    }
    // Held by a live writer: leave it. The lock goes with the file.
    open_no_follow(path, fs::OpenOptions::new().read(true)).is_ok_and(|f| f.try_lock().is_ok())
}

/// If the open `file` is readable or writable by group or others, tighten
/// it to 0600 (through the open file: never a file a link points to).
/// Returns true when it had to.
pub fn tighten_file(file: &fs::File) -> io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata()?.permissions().mode();
        if mode & 0o077 != 0 {
            file.set_permissions(fs::Permissions::from_mode(0o600))?;
            return Ok(true);
        }
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(false)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn atomic_write_is_private() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("cfg");
        let p = dir.join("f.json");
        write_private_atomic(&p, b"one").unwrap();
        write_private_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
        // no temp files left behind
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
    }

    #[test]
    fn tightens_loose_files() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        fs::write(&p, "x").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        let f = fs::File::open(&p).unwrap();
        assert!(tighten_file(&f).unwrap());
        assert!(!tighten_file(&f).unwrap());
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn an_existing_directory_is_left_as_it_is() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("cfg");
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        write_private_atomic(&dir.join("f.json"), b"x").unwrap();
        assert_eq!(
            fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o755
        );
        // the ones it creates are 0700, parents included
        let deep = d.path().join("a/b");
        write_private_atomic(&deep.join("f.json"), b"x").unwrap();
        for p in [d.path().join("a"), deep] {
            assert_eq!(
                fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o700
            );
        }
    }

    #[test]
    fn a_link_is_never_followed_nor_replaced() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("target");
        fs::write(&target, "mine").unwrap();
        let link = d.path().join("credentials.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = write_private_atomic(&link, b"x").unwrap_err();
        assert!(e.to_string().contains("is a symbolic link"), "{e}");
        let e = read_no_follow(&link).unwrap_err().describe();
        assert!(e.contains("credentials.json is a symbolic link"), "{e}");
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "mine");
    }

    #[test]
    fn config_is_written_through_a_link_keeping_the_mode() {
        let d = tempfile::tempdir().unwrap();
        let dots = d.path().join("dotfiles");
        fs::create_dir(&dots).unwrap();
        let target = dots.join("config.toml");
        fs::write(&target, "old").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o664)).unwrap();
        let link = d.path().join("config.toml");
        std::os::unix::fs::symlink("dotfiles/config.toml", &link).unwrap();
        write_atomic_through_link(&link, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        // group write dropped, the rest kept
        assert_eq!(
            fs::metadata(&target).unwrap().permissions().mode() & 0o777,
            0o644
        );
        // a file that is no link is 0600
        let fresh = d.path().join("new.toml");
        write_atomic_through_link(&fresh, b"x").unwrap();
        assert_eq!(
            fs::metadata(&fresh).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    #[test]
    fn stale_temp_files_go_and_live_or_foreign_ones_stay() {
        let d = tempfile::tempdir().unwrap();
        let old = std::time::SystemTime::now() - Duration::from_secs(60);
        let make = |name: &str| {
            let p = d.path().join(name);
            let f = fs::File::create(&p).unwrap();
            f.set_modified(old).unwrap();
            (p, f)
        };
        let (stale, _) = make(".tmp-AbC123");
        let (held, held_file) = make(".tmp-xyz789");
        held_file.lock().unwrap();
        let (other, _) = make(".tmp-notours1");
        let (named, _) = make("credentials.json");
        let (young, _) = make(".tmp-young1");
        fs::File::options()
            .write(true)
            .open(&young)
            .unwrap()
            .set_modified(std::time::SystemTime::now())
            .unwrap();
        assert_eq!(remove_stale_temps(d.path()), 1);
        assert!(!stale.exists());
        for p in [held, other, named, young] {
            assert!(p.exists(), "{}", p.display());
        }
        drop(held_file);
        assert_eq!(remove_stale_temps(d.path()), 1);
    }
}
