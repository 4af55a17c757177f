//! The listening socket: [`bind`], then [`Listener::wait`] accepts
//! connections and drives each one ([`super::serve`]) until a request ends
//! the wait.

use super::serve::{self, Outcome};
use super::{ACCEPT_BACKOFF, CALLBACK_PATH, Callback, CallbackError, Expect, MAX_CONNECTIONS};
use std::collections::VecDeque;
use std::future::{Future, poll_fn};
use std::io;
use std::net::Ipv4Addr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use tokio::time::Sleep;

/// A bound loopback socket, ready for one [`Listener::wait`].
#[derive(Debug)]
pub struct Listener {
    inner: std::net::TcpListener,
    port: u16,
}

/// Listens on `127.0.0.1` on the first port of `ports` that can be bound.
///
/// Ports that are in use or not permitted (e.g. excluded ranges on Windows)
/// are skipped; when none is left the result is
/// [`CallbackError::NoPort`]. Any other failure is
/// [`CallbackError::Bind`]. Port `0` asks the operating system for any
/// free port (useful in tests; it cannot be pre-registered with a provider).
///
/// This is synchronous and needs no runtime: bind first, put
/// [`Listener::redirect_uri`] in the authorization URL, then await
/// [`Listener::wait`].
///
/// # Errors
///
/// [`CallbackError::NoPort`] when every port was taken (or the list was
/// empty), [`CallbackError::Bind`] for any other failure to listen.
pub fn bind(ports: &[u16]) -> Result<Listener, CallbackError> {
    for &port in ports {
        match std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
            Ok(inner) => {
                let port = inner.local_addr()?.port();
                return Ok(Listener { inner, port });
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::AddrInUse | io::ErrorKind::PermissionDenied
                ) => {}
            Err(source) => return Err(CallbackError::Bind { port, source }),
        }
    }
    Err(CallbackError::NoPort {
        tried: ports.to_vec(),
    })
}

impl Listener {
    /// The port actually bound.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The `redirect_uri` to send: `http://127.0.0.1:<port>/callback`.
    #[must_use]
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Serves the browser until a callback with the expected state arrives.
    ///
    /// Returns the code on success, or [`CallbackError::Denied`] when the
    /// server sent an `error`; either only after the page answering that
    /// request has been written. See the [module docs](super) for how each
    /// request is answered.
    ///
    /// Must be awaited inside a tokio runtime with I/O and time enabled.
    /// There is no deadline and no cancellation here: race it against
    /// `tokio::time::timeout`, a Ctrl-C signal, etc. Dropping the future
    /// closes the listening socket and every open connection at once, so the
    /// port can be bound again right away. The future is `Send`.
    ///
    /// # Errors
    ///
    /// [`CallbackError::Denied`], or [`CallbackError::Io`] if the socket
    /// cannot be registered with the runtime. Misbehaving clients and
    /// failed accepts never end the wait.
    pub async fn wait(self, expect: Expect) -> Result<Callback, CallbackError> {
        self.inner.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(self.inner)?;
        let mut server = Server {
            listener,
            expect: Arc::new(expect),
            open: VecDeque::with_capacity(MAX_CONNECTIONS),
            backoff: None,
        };
        poll_fn(|cx| server.poll(cx)).await
    }
}

/// One connection being served; yields what its request decided.
type Connection = Pin<Box<dyn Future<Output = Option<Outcome>> + Send>>;

/// The state of one [`Listener::wait`]. Everything it holds (the listening
/// socket, the connections) is closed when it is dropped.
struct Server {
    listener: tokio::net::TcpListener,
    expect: Arc<Expect>,
    /// Oldest first.
    open: VecDeque<Connection>,
    /// Set after a failed accept: no accept until it has elapsed.
    backoff: Option<Pin<Box<Sleep>>>,
}

impl Server {
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Outcome> {
        let mut accepted = 0;
        loop {
            // Drive every open connection (a new one must be polled once to
            // start its header timeout and register for wake-ups).
            let mut i = 0;
            while let Some(conn) = self.open.get_mut(i) {
                match conn.as_mut().poll(cx) {
                    Poll::Ready(Some(outcome)) => return Poll::Ready(outcome),
                    Poll::Ready(None) => {
                        self.open.remove(i);
                    }
                    Poll::Pending => i += 1,
                }
            }
            if accepted == MAX_CONNECTIONS {
                // A flood of connections: let other tasks run, then go on.
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            if let Some(backoff) = &mut self.backoff {
                ready!(backoff.as_mut().poll(cx));
                self.backoff = None;
            }
            match self.listener.poll_accept(cx) {
                Poll::Ready(Ok((stream, _peer))) => {
                    accepted += 1;
                    if self.open.len() >= MAX_CONNECTIONS {
                        // Dropping it closes its socket.
                        self.open.pop_front();
                    }
                    let conn = serve::connection(stream, Arc::clone(&self.expect));
                    self.open.push_back(Box::pin(conn));
                }
                // Out of file descriptors, a connection reset before it was
                // accepted, ...: none of them is a reason to stop waiting.
                Poll::Ready(Err(_)) => {
                    self.backoff = Some(Box::pin(tokio::time::sleep(ACCEPT_BACKOFF)));
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}
