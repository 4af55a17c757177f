//! A cross-process exclusive file lock with a timeout whose error names the file.
//!
//! Uses the operating system's advisory locks through the standard library
//! (`flock` on Unix, `LockFileEx` on Windows). The lock is released when the
//! guard is dropped, and by the OS if the process dies.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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
    #[error("timed out after {}s waiting for the lock {} (another keyward process holds it)", waited.as_secs(), path.display())]
    Timeout {
        /// The lock file.
        path: PathBuf,
        /// How long we waited.
        waited: Duration,
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
        let file = crate::fsutil::open_no_follow(path, &mut opts).map_err(io)?;
        let start = Instant::now();
        let mut pause = Duration::from_millis(2);
        loop {
            match file.try_lock() {
                Ok(()) => {
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
