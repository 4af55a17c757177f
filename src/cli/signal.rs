//! Ctrl-C during a login. While a login waits, SIGINT is caught so that
//! the command can end cleanly (the listener closed, the spinner erased,
//! nothing written, exit 130); when the wait ends, the process's previous
//! SIGINT disposition is put back, so a program that embeds keyward's
//! commands is not left with Ctrl-C captured.
//!
//! tokio's own `signal::ctrl_c` keeps its handler installed for the life of
//! the process, so on Unix this installs a small handler of its own (it
//! writes one byte to a socket the runtime waits on) and restores the old
//! `sigaction` on drop.

use crate::error::{Error, Result};

/// A SIGINT watch, installed until dropped.
pub struct CtrlC {
    #[cfg(unix)]
    inner: unix::Watch,
}

impl CtrlC {
    /// Start catching Ctrl-C. Must be called inside a tokio runtime.
    pub fn install() -> Result<CtrlC> {
        #[cfg(unix)]
        {
            Ok(CtrlC {
                inner: unix::Watch::install().map_err(|e| {
                    Error::other("cannot watch for Ctrl-C", Some(e.to_string()), None)
                })?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(CtrlC {})
        }
    }

    /// Resolves when Ctrl-C is pressed.
    pub async fn pressed(&mut self) {
        #[cfg(unix)]
        self.inner.pressed().await;
        #[cfg(not(unix))]
        {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

/// SIGINT ignored while a prompt reads keys: the terminal is in raw mode
/// then, and `console` turns a Ctrl-C key into SIGINT for the process; with
/// SIGINT ignored the prompt returns an "interrupted" error instead, so the
/// command can show the cursor again and say `Login cancelled`. The previous
/// disposition is restored on drop.
pub struct QuietSigint {
    #[cfg(unix)]
    old: libc::sigaction,
}

impl QuietSigint {
    /// Ignore SIGINT until dropped.
    pub fn new() -> QuietSigint {
        #[cfg(unix)]
        {
            // SAFETY: plain sigaction(2) calls with initialised structures.
            let old = unsafe {
                let mut ign: libc::sigaction = std::mem::zeroed();
                ign.sa_sigaction = libc::SIG_IGN;
                libc::sigemptyset(&mut ign.sa_mask);
                let mut old: libc::sigaction = std::mem::zeroed();
                libc::sigaction(libc::SIGINT, &ign, &mut old);
                old
            };
            QuietSigint { old }
        }
        #[cfg(not(unix))]
        {
            QuietSigint {}
        }
    }
}

impl Default for QuietSigint {
    fn default() -> Self {
        QuietSigint::new()
    }
}

impl Drop for QuietSigint {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: restores the disposition saved in `new`.
        unsafe {
            libc::sigaction(libc::SIGINT, &self.old, std::ptr::null_mut());
        }
    }
}

/// Run `fut` until it finishes or Ctrl-C is pressed ([`Error::Cancelled`]).
/// Dropping `fut` on Ctrl-C closes what it holds (the callback port) and
/// leaves every store as it was.
pub async fn cancellable<T>(fut: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    let mut ctrl_c = CtrlC::install()?;
    tokio::select! {
        r = fut => r,
        _ = ctrl_c.pressed() => Err(Error::Cancelled),
    }
}

#[cfg(unix)]
mod unix {
    use std::io;
    use std::os::fd::{AsRawFd, OwnedFd};
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicI32, Ordering};

    /// Where the handler writes; -1 when no watch is installed.
    static WRITE_FD: AtomicI32 = AtomicI32::new(-1);
    /// One watch at a time.
    static ACTIVE: Mutex<()> = Mutex::new(());

    extern "C" fn on_sigint(_: libc::c_int) {
        let fd = WRITE_FD.load(Ordering::SeqCst);
        if fd >= 0 {
            let byte = 1u8;
            // SAFETY: write(2) is async-signal-safe; the buffer is valid.
            unsafe {
                libc::write(fd, (&byte as *const u8).cast(), 1);
            }
        }
    }

    pub struct Watch {
        old: libc::sigaction,
        read: tokio::net::UnixStream,
        _write: OwnedFd,
        _active: std::sync::MutexGuard<'static, ()>,
    }

    // SAFETY: `libc::sigaction` is plain data; the guard is only released
    // on drop.
    unsafe impl Send for Watch {}

    impl Watch {
        pub fn install() -> io::Result<Watch> {
            let active = ACTIVE.lock().unwrap_or_else(|e| e.into_inner());
            let (read, write) = std::os::unix::net::UnixStream::pair()?;
            read.set_nonblocking(true)?;
            write.set_nonblocking(true)?;
            let read = tokio::net::UnixStream::from_std(read)?;
            let write: OwnedFd = write.into();
            WRITE_FD.store(write.as_raw_fd(), Ordering::SeqCst);
            // SAFETY: plain sigaction(2) calls with initialised structures.
            let old = unsafe {
                let mut new: libc::sigaction = std::mem::zeroed();
                new.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t;
                new.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut new.sa_mask);
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(libc::SIGINT, &new, &mut old) != 0 {
                    WRITE_FD.store(-1, Ordering::SeqCst);
                    return Err(io::Error::last_os_error());
                }
                old
            };
            Ok(Watch {
                old,
                read,
                _write: write,
                _active: active,
            })
        }

        pub async fn pressed(&mut self) {
            loop {
                if self.read.readable().await.is_err() {
                    std::future::pending::<()>().await;
                }
                let mut buf = [0u8; 16];
                match self.read.try_read(&mut buf) {
                    Ok(n) if n > 0 => return,
                    Ok(_) => std::future::pending::<()>().await,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(_) => std::future::pending::<()>().await,
                }
            }
        }
    }

    impl Drop for Watch {
        fn drop(&mut self) {
            // SAFETY: restores the disposition saved at install.
            unsafe {
                libc::sigaction(libc::SIGINT, &self.old, std::ptr::null_mut());
            }
            WRITE_FD.store(-1, Ordering::SeqCst);
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::unix::Watch;

    fn disposition() -> libc::sighandler_t {
        // SAFETY: reads the current SIGINT action.
        unsafe {
            let mut cur: libc::sigaction = std::mem::zeroed();
            libc::sigaction(libc::SIGINT, std::ptr::null(), &mut cur);
            cur.sa_sigaction
        }
    }

    #[test]
    fn sigint_is_caught_then_restored() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let before = disposition();
        rt.block_on(async {
            let mut w = Watch::install().unwrap();
            assert_ne!(disposition(), before);
            // SAFETY: sends SIGINT to this process, which the watch catches.
            unsafe {
                libc::raise(libc::SIGINT);
            }
            tokio::time::timeout(std::time::Duration::from_secs(5), w.pressed())
                .await
                .expect("the watch saw Ctrl-C");
        });
        assert_eq!(disposition(), before, "the old SIGINT action is back");
    }
}
