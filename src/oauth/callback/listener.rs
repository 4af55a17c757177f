//! The listening socket and its event loop: accept, read each request
//! head, answer through [`super::respond`], until a callback ends the wait.

use super::respond::{Response, route};
use super::{
    CALLBACK_PATH, CONNECTION_TIMEOUT, Callback, CallbackError, Expect, LINGER, MAX_CONNECTIONS,
    MAX_DRAIN_BYTES, MAX_HEAD_BYTES, MAX_HEADERS, POLL_INTERVAL, WRITE_TIMEOUT,
};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Instant;

/// A bound loopback socket, ready for one [`Listener::wait`].
#[derive(Debug)]
pub struct Listener {
    inner: TcpListener,
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
/// # Errors
///
/// [`CallbackError::NoPort`] when every port was taken (or the list was
/// empty), [`CallbackError::Bind`] for any other failure to listen.
pub fn bind(ports: &[u16]) -> Result<Listener, CallbackError> {
    for &port in ports {
        match TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
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
    /// Wait for the callback in a tokio runtime; dropping the future stops
    /// the wait and closes the socket.
    pub async fn wait(self, expect: Expect) -> Result<Callback, CallbackError> {
        struct Stop(std::sync::Arc<AtomicBool>);
        impl Drop for Stop {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let cancel = std::sync::Arc::new(AtomicBool::new(false));
        let _stop = Stop(cancel.clone());
        let deadline = Instant::now() + std::time::Duration::from_secs(86400 * 365);
        let (tx, rx) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let _ = tx.send(self.wait_sync(&expect, deadline, &cancel));
        });
        rx.await.unwrap_or(Err(CallbackError::Cancelled))
    }

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

    /// Serves the browser until a callback with the expected state arrives,
    /// the deadline passes, or `cancel` becomes `true`.
    ///
    /// Returns the code on success, [`CallbackError::Denied`] when the
    /// server sent an `error`, [`CallbackError::Timeout`] or
    /// [`CallbackError::Cancelled`]. See the [module docs](super) for how
    /// each request is answered. The socket is closed when this returns.
    ///
    /// # Errors
    ///
    /// [`CallbackError::Denied`], [`CallbackError::Timeout`],
    /// [`CallbackError::Cancelled`], or [`CallbackError::Io`] if the
    /// listening socket itself fails. Misbehaving clients never cause an
    /// error.
    pub(super) fn wait_sync(
        self,
        expect: &Expect,
        deadline: Instant,
        cancel: &AtomicBool,
    ) -> Result<Callback, CallbackError> {
        self.inner.set_nonblocking(true)?;
        let mut conns: Vec<Conn> = Vec::new();
        loop {
            if cancel.load(Ordering::SeqCst) {
                return Err(CallbackError::Cancelled);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(CallbackError::Timeout);
            }
            let mut busy = self.accept_pending(&mut conns)?;

            let mut i = 0;
            while i < conns.len() {
                match conns[i].poll(expect, Instant::now()) {
                    Step::Idle => i += 1,
                    Step::Progress => {
                        busy = true;
                        i += 1;
                    }
                    Step::Close => {
                        conns.remove(i);
                        busy = true;
                    }
                    Step::Finish(result) => return result,
                }
            }

            if !busy {
                let left = deadline.saturating_duration_since(Instant::now());
                thread::sleep(POLL_INTERVAL.min(left));
            }
        }
    }

    /// Accepts every connection waiting in the backlog. Returns whether any
    /// was accepted.
    fn accept_pending(&self, conns: &mut Vec<Conn>) -> Result<bool, CallbackError> {
        let mut accepted = false;
        // Bounded so that a flood cannot starve the rest of the loop.
        for _ in 0..MAX_CONNECTIONS {
            match self.inner.accept() {
                Ok((stream, _peer)) => {
                    accepted = true;
                    // Accepted sockets inherit non-blocking mode on some
                    // platforms and not on others: set it explicitly.
                    if stream.set_nonblocking(true).is_err() {
                        continue;
                    }
                    if conns.len() >= MAX_CONNECTIONS {
                        conns.remove(0);
                    }
                    conns.push(Conn::new(stream));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::Interrupted
                            | io::ErrorKind::ConnectionAborted
                            | io::ErrorKind::ConnectionReset
                    ) => {}
                Err(e) => return Err(CallbackError::Io(e)),
            }
        }
        Ok(accepted)
    }
}

/// What one poll of a connection led to.
enum Step {
    /// Nothing happened.
    Idle,
    /// Bytes were read or written; keep it.
    Progress,
    /// Drop the connection.
    Close,
    /// The wait is over.
    Finish(Result<Callback, CallbackError>),
}

enum Phase {
    /// Collecting the request head.
    Reading,
    /// Answered and half-closed; discarding input until `until`.
    Draining { until: Instant, drained: usize },
}

struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    accepted: Instant,
    phase: Phase,
}

impl Conn {
    fn new(stream: TcpStream) -> Self {
        Self {
            stream,
            buf: Vec::new(),
            accepted: Instant::now(),
            phase: Phase::Reading,
        }
    }

    fn poll(&mut self, expect: &Expect, now: Instant) -> Step {
        match self.phase {
            Phase::Reading => self.poll_reading(expect, now),
            Phase::Draining { until, drained } => self.poll_draining(until, drained, now),
        }
    }

    fn poll_reading(&mut self, expect: &Expect, now: Instant) -> Step {
        let mut chunk = [0u8; 4096];
        let mut got = false;
        let mut eof = false;
        while self.buf.len() < MAX_HEAD_BYTES {
            let room = (MAX_HEAD_BYTES - self.buf.len()).min(chunk.len());
            match self.stream.read(&mut chunk[..room]) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    got = true;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Step::Close,
            }
        }

        if !got {
            if eof || now.duration_since(self.accepted) >= CONNECTION_TIMEOUT {
                return Step::Close;
            }
            return Step::Idle;
        }

        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut req = httparse::Request::new(&mut headers);
        let (response, outcome) = match req.parse(&self.buf) {
            Ok(httparse::Status::Complete(_)) => {
                // A complete parse always fills method and path.
                let method = req.method.unwrap_or("");
                let target = req.path.unwrap_or("");
                route(method, target, expect)
            }
            Ok(httparse::Status::Partial) => {
                if self.buf.len() >= MAX_HEAD_BYTES {
                    (Response::too_large(), None)
                } else if eof || now.duration_since(self.accepted) >= CONNECTION_TIMEOUT {
                    return Step::Close;
                } else {
                    return Step::Progress;
                }
            }
            Err(httparse::Error::TooManyHeaders) => (Response::too_large(), None),
            Err(_) => (Response::bad_request(), None),
        };

        let written = self.send(&response);
        match outcome {
            // The code (or the denial) was received: the wait ends whether or
            // not the page reached the browser.
            Some(result) => Step::Finish(result),
            None if written && !eof => {
                let _ = self.stream.shutdown(Shutdown::Write);
                self.phase = Phase::Draining {
                    until: now + LINGER,
                    drained: 0,
                };
                Step::Progress
            }
            None => Step::Close,
        }
    }

    fn poll_draining(&mut self, until: Instant, mut drained: usize, now: Instant) -> Step {
        let mut chunk = [0u8; 4096];
        let mut got = false;
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return Step::Close,
                Ok(n) => {
                    got = true;
                    drained += n;
                    if drained >= MAX_DRAIN_BYTES {
                        return Step::Close;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Step::Close,
            }
        }
        if now >= until {
            return Step::Close;
        }
        self.phase = Phase::Draining { until, drained };
        if got { Step::Progress } else { Step::Idle }
    }

    /// Writes an answer in blocking mode with a short timeout. Returns
    /// whether it was written whole.
    fn send(&mut self, response: &Response) -> bool {
        let bytes = response.to_bytes();
        let ok = self.stream.set_nonblocking(false).is_ok()
            && self.stream.set_write_timeout(Some(WRITE_TIMEOUT)).is_ok()
            && self.stream.write_all(&bytes).is_ok()
            && self.stream.flush().is_ok();
        ok && self.stream.set_nonblocking(true).is_ok()
    }
}
