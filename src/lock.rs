//! A cross-process exclusive file lock with a timeout whose error names the file.
//!
//! Uses the operating system's advisory locks through the standard library
//! (`flock` on Unix, `LockFileEx` on Windows). The lock is released when the
//! guard is dropped, and by the OS if the process dies.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The variable that sets how long to wait for a lock (`KEYWARD_LOCK_TIMEOUT`,
/// or an embedding platform's own), set once by the session.
static TIMEOUT_VAR: OnceLock<String> = OnceLock::new();

/// Name the variable that sets lock timeouts (`{ENV}_LOCK_TIMEOUT`); the
/// first call wins.
pub fn set_timeout_variable(name: String) {
    let _ = TIMEOUT_VAR.set(name);
}

/// The variable that sets lock timeouts.
pub fn timeout_variable() -> &'static str {
    TIMEOUT_VAR
        .get()
        .map(String::as_str)
        .unwrap_or("KEYWARD_LOCK_TIMEOUT")
}

/// How long to wait for a lock: the timeout variable's seconds (0.1 to
/// 3600; other values are ignored), else `default`.
pub fn timeout(default: Duration) -> Duration {
    std::env::var(timeout_variable())
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| (0.1..=3600.0).contains(s))
        .map(Duration::from_secs_f64)
        .unwrap_or(default)
}

/// A held lock; released on drop.
#[derive(Debug)]
pub struct FileLock {
    file: File,
    path: PathBuf,
}

/// Why a lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Someone else held it for too long.
    #[error("timed out after {}s waiting for the lock {}: {}", waited.as_secs(), path.display(), holder_text(*holder))]
    Timeout {
        /// The lock file.
        path: PathBuf,
        /// How long we waited.
        waited: Duration,
        /// The process that holds it, as it wrote itself into the file.
        holder: Option<u32>,
    },
    /// The lock file could not be opened or locked.
    #[error("cannot lock {}: {source}", path.display())]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

fn holder_text(holder: Option<u32>) -> String {
    match holder {
        Some(pid) => format!("another process (pid {pid}) holds it"),
        None => "another process holds it".into(),
    }
}

impl LockError {
    /// What to do: wait for the holder, or let the wait be longer; never
    /// delete the file (the lock is on the open file: a new file would let
    /// two processes in at once).
    pub fn hint(&self) -> Option<String> {
        match self {
            LockError::Timeout { holder, .. } => Some(format!(
                "wait for {} to finish and try again{}; to wait longer, set {}=SECONDS (deleting the lock file does not release it)",
                match holder {
                    Some(pid) => format!("process {pid}"),
                    None => "the other process".into(),
                },
                match holder {
                    Some(pid) => format!(" (if it hangs, end it: `kill {pid}`)"),
                    None => String::new(),
                },
                timeout_variable()
            )),
            LockError::Io { .. } => None,
        }
    }
}

/// The pid a holder wrote into the lock file.
fn read_holder(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.seek(std::io::SeekFrom::Start(0)).ok()?;
    file.take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

impl FileLock {
    /// Take the exclusive lock on `path` (created if missing, mode 0600;
    /// a symbolic link there is refused), waiting at most `timeout`.
    pub fn acquire(path: &Path, timeout: Duration) -> Result<FileLock, LockError> {
        let io = |source| LockError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent() {
            crate::fsutil::ensure_private_dir(dir).map_err(io)?;
        }
        let mut opts = OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        // Never through a symbolic link (a dangling one would create a
        // file elsewhere).
        let mut file = crate::fsutil::open_no_follow(path, &mut opts).map_err(io)?;
        let start = Instant::now();
        let mut pause = Duration::from_millis(2);
        loop {
            match file.try_lock() {
                Ok(()) => {
                    // Say who holds it, for whoever waits (best effort).
                    let _ = file
                        .set_len(0)
                        .and_then(|()| file.rewind())
                        .and_then(|()| writeln!(file, "{}", std::process::id()));
                    return Ok(FileLock {
                        file,
                        path: path.to_path_buf(),
                    });
                }
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
            if start.elapsed() >= timeout {
                return Err(LockError::Timeout {
                    path: path.to_path_buf(),
                    waited: start.elapsed(),
                    holder: read_holder(&mut file),
                });
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_taker_waits_then_times_out() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x.lock");
        let held = FileLock::acquire(&p, Duration::from_secs(1)).unwrap();
        let e = FileLock::acquire(&p, Duration::from_millis(60)).unwrap_err();
        assert!(e.to_string().contains("x.lock"), "{e}");
        // the holder is named, and the advice is to wait, never to delete
        let me = std::process::id();
        assert!(e.to_string().contains(&format!("pid {me}")), "{e}");
        let hint = e.hint().unwrap();
        assert!(hint.contains(&format!("kill {me}")), "{hint}");
        assert!(hint.contains("KEYWARD_LOCK_TIMEOUT=SECONDS"), "{hint}");
        assert!(
            hint.contains("deleting the lock file does not release it"),
            "{hint}"
        );
        drop(held);
        FileLock::acquire(&p, Duration::from_millis(60)).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_lock_file_is_refused_and_nothing_is_created_elsewhere() {
        let d = tempfile::tempdir().unwrap();
        let elsewhere = d.path().join("elsewhere");
        let p = d.path().join("x.lock");
        std::os::unix::fs::symlink(&elsewhere, &p).unwrap();
        let e = FileLock::acquire(&p, Duration::from_millis(60)).unwrap_err();
        assert!(e.to_string().contains("is a symbolic link"), "{e}");
        assert!(!elsewhere.exists());
    }
}
