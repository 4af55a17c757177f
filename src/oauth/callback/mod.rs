//! A one-shot loopback HTTP listener that receives the OAuth redirect
//! ([RFC 8252 §7.3]).
//!
//! ```no_run
//! use std::time::Duration;
//!
//! use keyward::oauth::callback::{self, CallbackError, Expect};
//!
//! # async fn login() -> Result<(), CallbackError> {
//! let listener = callback::bind(&callback::DEFAULT_PORTS)?;
//! let redirect_uri = listener.redirect_uri(); // put it in the authorization URL
//! let expect = Expect::new("the-state-you-sent");
//! // Inside a tokio runtime (I/O and time enabled). Race the wait against
//! // whatever should end it: here a timeout; a Ctrl-C signal works the same
//! // way with `tokio::select!`.
//! let cb = tokio::time::timeout(Duration::from_secs(300), listener.wait(expect))
//!     .await
//!     .map_err(|_| CallbackError::Timeout)??;
//! // exchange cb.code for tokens…
//! # let _ = (redirect_uri, cb);
//! # Ok(())
//! # }
//! ```
//!
//! # How requests are served
//!
//! [`bind`] is synchronous. [`Listener::wait`] is a future that accepts
//! connections on the bound socket and serves each one with hyper's HTTP/1
//! server (`hyper::server::conn::http1`), all inside that one future: no
//! task is spawned, so dropping the future closes the listening socket and
//! every open connection at once. It has no deadline of its own; the caller
//! races it against a timeout or a Ctrl-C signal. So:
//!
//! * a client that connects and sends nothing (browsers open such
//!   speculative connections), trickles bytes, or never reads its answer
//!   blocks nobody: other clients are served meanwhile. Each connection has
//!   [`CONNECTION_TIMEOUT`] (5 s, hyper's header read timeout, counted from
//!   the accept) to send a complete request head and is then closed without
//!   an answer; a connection still open 7 s after the accept (a client
//!   that does not read its answer) is dropped. At most
//!   [`MAX_CONNECTIONS`] are kept open, the oldest being dropped to make room
//!   for a new one. A failed accept (out of file descriptors, a connection
//!   aborted before it was accepted, ...) never ends the wait: accepting
//!   resumes after a few milliseconds;
//! * one request per connection (no keep-alive; answers say
//!   `Connection: close`). After an answer that does not end the wait, the
//!   connection is half-closed and the client's further input discarded
//!   for up to half a second, so that it reads the answer rather than a
//!   connection reset;
//! * request heads (request line and headers) are limited to
//!   [`MAX_HEAD_BYTES`] (16 KiB, exactly: hyper's `max_header_size`, with
//!   its read buffer capped at the same size) and 64 headers; a longer head
//!   gets `431` from hyper, a malformed one `400`, both with an empty body,
//!   and the connection is closed. A 64 KiB header is just another 431;
//! * the only resource is `GET /callback` (other paths → 404, other
//!   methods → 405 with `Allow: GET`), matched on the path of the request
//!   target (origin-form, or the path of an absolute-form target). Its query
//!   is decoded with `url::form_urlencoded`.
//!
//! A callback whose `state` is missing or wrong, whose `iss` does not match
//! [`Expect::issuer`] (a possible mix-up attack, [RFC 9207]), which repeats a
//! parameter, or which has no `code` gets a 400 page and the wait goes on:
//! such requests cannot come from the login in progress, and must not let a
//! stray page end it. A callback with the right state and an `error`
//! parameter ends the wait with [`CallbackError::Denied`]; one with the right
//! state and a `code` ends it with a [`Callback`]. Either result is returned
//! only once the page answering it has been written, so the browser gets it
//! even when the caller drops everything right away.
//!
//! Nothing is logged. Pages never show the authorization code, and every
//! value they echo is HTML-escaped. They are small self-contained HTML
//! documents (inline CSS, no scripts, no external resources) served with
//! `Connection: close`, `Cache-Control: no-store`, `Referrer-Policy:
//! no-referrer`, `X-Content-Type-Options: nosniff` and a restrictive
//! `Content-Security-Policy`.
//!
//! [RFC 8252 §7.3]: https://www.rfc-editor.org/rfc/rfc8252#section-7.3
//! [RFC 9207]: https://www.rfc-editor.org/rfc/rfc9207

use std::fmt;
use std::io;
use std::time::Duration;

/// The ports the CLI tries by default, in order. Register
/// `http://127.0.0.1:<port>/callback` for each of them with the provider
/// when it does not accept any loopback port.
pub const DEFAULT_PORTS: [u16; 5] = [8765, 8766, 8767, 8768, 8769];

/// The path the redirect must use.
pub const CALLBACK_PATH: &str = "/callback";

/// Largest accepted request head (request line and headers, up to and
/// including the blank line). A longer head gets `431` and the connection
/// is closed.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;

/// Time a connection has, from being accepted, to send a complete request
/// head. A connection still incomplete then is closed without an answer.
/// Because connections are served side by side, a slow or silent client
/// never delays another one.
pub const CONNECTION_TIMEOUT: Duration = Duration::from_secs(5);

/// Most connections kept open at once; accepting one more drops the oldest.
pub const MAX_CONNECTIONS: usize = 16;

/// Most headers a request may have (more → 431).
const MAX_HEADERS: usize = 64;

/// A connection is dropped this long after [`CONNECTION_TIMEOUT`] (so 7 s
/// after its accept) if its answer is still not written. Answers are a few
/// KiB and normally fit the socket's send buffer at once, so this is only
/// hit by clients that never read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(2);

/// After answering a request that does not end the wait, the connection is
/// half-closed and its remaining input discarded for up to this long, so the
/// client reads the answer instead of a connection reset.
const LINGER: Duration = Duration::from_millis(500);

/// Most bytes discarded from one connection after its answer.
const MAX_DRAIN_BYTES: usize = 1024 * 1024;

/// Pause before accepting again after a failed accept.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(10);

/// Longest `error` / `error_description` kept from a callback, in chars.
const MAX_ERROR_CHARS: usize = 300;

/// Name shown in the pages' footer.
const PRODUCT: &str = "keyward";

/// Why no authorization code was received.
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    /// Every port of the list passed to [`bind`] was in use (or not allowed).
    #[error("no callback port available ({})", describe_ports(.tried))]
    NoPort {
        /// The ports tried, in order.
        tried: Vec<u16>,
    },
    /// Listening on a port failed for another reason than it being taken.
    #[error("could not listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port that could not be bound.
        port: u16,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
    /// The authorization server redirected back with an `error` (and the
    /// right `state`), e.g. because the user clicked "Deny".
    ///
    /// Both strings come from the network: control characters are removed
    /// and they are cut to 300 characters, so they are safe to print.
    #[error("authorization failed: {}", describe_denied(.error, .description.as_deref()))]
    Denied {
        /// The `error` code, e.g. `access_denied`.
        error: String,
        /// The `error_description`, when there was one.
        description: Option<String>,
    },
    /// The deadline passed before a callback arrived. [`Listener::wait`]
    /// has no deadline of its own; callers racing it against one report
    /// this.
    #[error("timed out waiting for the login to finish in the browser")]
    Timeout,
    /// The wait was cancelled (e.g. Ctrl-C). [`Listener::wait`] is
    /// cancelled by dropping it; callers report this.
    #[error("login cancelled")]
    Cancelled,
    /// The listening socket failed.
    #[error("callback listener failed: {0}")]
    Io(#[from] io::Error),
}

/// What a callback must carry to be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    /// The `state` sent in the authorization request; the callback's
    /// `state` must equal it exactly.
    pub state: String,
    /// When `Some`, the callback's `iss` parameter must be present and equal
    /// it exactly ([RFC 9207] authorization server issuer identification).
    /// Set it when the server's metadata says
    /// `authorization_response_iss_parameter_supported: true`.
    ///
    /// [RFC 9207]: https://www.rfc-editor.org/rfc/rfc9207
    pub issuer: Option<String>,
}

impl Expect {
    /// Expects `state` and does not check `iss`.
    #[must_use]
    pub fn new(state: impl Into<String>) -> Self {
        Self {
            state: state.into(),
            issuer: None,
        }
    }

    /// Also requires the callback's `iss` to equal `issuer`.
    #[must_use]
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }
}

/// A successful callback.
///
/// `Debug` output never shows the code.
#[derive(Clone, PartialEq, Eq)]
pub struct Callback {
    /// The authorization code, to exchange for tokens.
    pub code: String,
    /// The `iss` parameter, when the server sent one (already checked
    /// against [`Expect::issuer`] when that was set).
    pub iss: Option<String>,
}

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callback")
            .field("code", &"<redacted>")
            .field("iss", &self.iss)
            .finish()
    }
}

mod listener;
mod respond;
mod serve;

pub use listener::{Listener, bind};

fn describe_denied(error: &str, description: Option<&str>) -> String {
    match description {
        Some(d) if !d.is_empty() => format!("{error}: {d}"),
        _ => error.to_owned(),
    }
}

/// "tried 8765–8769" for a contiguous ascending run, else "tried 8765, 9000".
fn describe_ports(ports: &[u16]) -> String {
    match ports {
        [] => "no ports were given".to_owned(),
        [one] => format!("tried {one}"),
        [first, .., last]
            if ports
                .windows(2)
                .all(|w| matches!(w, [a, b] if a.checked_add(1) == Some(*b))) =>
        {
            format!("tried {first}\u{2013}{last}")
        }
        _ => {
            let list: Vec<String> = ports.iter().map(u16::to_string).collect();
            format!("tried {}", list.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::respond::{self, route};
    use super::*;
    use std::io::{ErrorKind, Read, Write};
    use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
    use std::sync::mpsc;
    use std::thread;
    use std::thread::JoinHandle;
    use std::time::Instant;

    const STATE: &str = "s7a7e-Value_0123";

    /// A test that goes wrong fails after this instead of hanging.
    const SAFETY: Duration = Duration::from_secs(30);

    // ---- helpers -------------------------------------------------------

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// `Listener::wait` running on a current-thread runtime of its own
    /// thread, so that the test thread can use blocking clients.
    struct Running {
        addr: SocketAddr,
        handle: JoinHandle<Result<Callback, CallbackError>>,
    }

    impl Running {
        /// The wait's result; the wait's thread and runtime are gone then.
        fn result(self) -> Result<Callback, CallbackError> {
            self.handle.join().expect("listener thread panicked")
        }
    }

    fn start(expect: Expect) -> Running {
        let listener = bind(&[0]).unwrap();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, listener.port()));
        let handle = thread::spawn(move || {
            runtime().block_on(async move {
                tokio::time::timeout(SAFETY, listener.wait(expect))
                    .await
                    .expect("the wait did not end")
            })
        });
        Running { addr, handle }
    }

    fn start_default() -> Running {
        start(Expect::new(STATE))
    }

    fn connect(addr: SocketAddr) -> TcpStream {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
        s
    }

    struct Reply {
        status: u16,
        head: String,
        body: String,
    }

    impl Reply {
        fn header(&self, name: &str) -> Option<&str> {
            self.head.lines().skip(1).find_map(|l| {
                let (n, v) = l.split_once(':')?;
                n.eq_ignore_ascii_case(name).then(|| v.trim())
            })
        }
    }

    fn read_reply(mut s: TcpStream) -> Reply {
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).expect("reading the reply");
        let text = String::from_utf8(raw).expect("utf-8 reply");
        let (head, body) = text.split_once("\r\n\r\n").expect("a head");
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status");
        Reply {
            status,
            head: head.to_owned(),
            body: body.to_owned(),
        }
    }

    fn send_raw(addr: SocketAddr, bytes: &[u8]) -> Reply {
        let mut s = connect(addr);
        s.write_all(bytes).unwrap();
        read_reply(s)
    }

    fn get(addr: SocketAddr, target: &str) -> Reply {
        let req = format!(
            "GET {target} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: test\r\nAccept: text/html\r\n\r\n"
        );
        send_raw(addr, req.as_bytes())
    }

    fn succeed(addr: SocketAddr, code: &str) -> Reply {
        let reply = get(addr, &format!("/callback?code={code}&state={STATE}"));
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply
    }

    /// Asserts that the server closes `s` within a second (end of stream
    /// or reset), without answering.
    fn assert_closed_soon(s: &mut TcpStream) {
        s.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
        let mut buf = [0u8; 64];
        match s.read(&mut buf) {
            Ok(0) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
            Ok(n) => panic!(
                "unexpected answer: {:?}",
                String::from_utf8_lossy(&buf[..n])
            ),
            Err(e) => panic!("still open: {e}"),
        }
    }

    fn assert_still_open(s: &mut TcpStream) {
        s.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let mut buf = [0u8; 64];
        match s.read(&mut buf) {
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            other => panic!("closed or answered: {other:?}"),
        }
    }

    /// A request whose head is exactly `len` bytes.
    fn request_of_len(target: &str, len: usize) -> Vec<u8> {
        let start = format!("GET {target} HTTP/1.1\r\nX-Pad: ");
        let end = "\r\n\r\n";
        let pad = len - start.len() - end.len();
        let mut req = start.into_bytes();
        req.extend(std::iter::repeat_n(b'a', pad));
        req.extend_from_slice(end.as_bytes());
        assert_eq!(req.len(), len);
        req
    }

    /// Sends a whole request (ignoring a write cut short by the server)
    /// and returns whatever came back.
    fn send_lossy(addr: SocketAddr, bytes: &[u8]) -> String {
        let mut s = connect(addr);
        let _ = s.write_all(bytes);
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        String::from_utf8_lossy(&raw).into_owned()
    }

    // ---- end-to-end ----------------------------------------------------

    #[test]
    fn success_returns_code_and_serves_page() {
        let run = start_default();
        let reply = succeed(run.addr, "the-Secret-C0de");
        assert!(reply.body.contains("Logged in"));
        assert!(reply.body.contains("return to your terminal"));
        assert!(
            !reply.body.contains("the-Secret-C0de"),
            "code must not be echoed"
        );
        assert!(!reply.head.contains("the-Secret-C0de"));
        assert!(
            reply.head.starts_with("HTTP/1.1 200 OK\r\n"),
            "{}",
            reply.head
        );
        assert_eq!(reply.header("Connection"), Some("close"));
        assert_eq!(
            reply.header("Content-Type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(
            reply.header("Content-Length"),
            Some(reply.body.len().to_string().as_str())
        );
        assert_eq!(reply.header("Cache-Control"), Some("no-store"));
        assert_eq!(reply.header("Referrer-Policy"), Some("no-referrer"));
        assert_eq!(reply.header("X-Content-Type-Options"), Some("nosniff"));
        assert_eq!(
            reply.header("Content-Security-Policy"),
            Some("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
        );
        assert_eq!(reply.header("Allow"), None);

        let cb = run.result().unwrap();
        assert_eq!(cb.code, "the-Secret-C0de");
        assert_eq!(cb.iss, None);
        assert!(!format!("{cb:?}").contains("the-Secret-C0de"));
    }

    #[test]
    fn page_is_written_before_the_result_is_returned() {
        let run = start_default();
        let mut s = connect(run.addr);
        s.write_all(format!("GET /callback?code=early&state={STATE} HTTP/1.1\r\n\r\n").as_bytes())
            .unwrap();
        // The wait returns and its thread drops the runtime and every
        // socket before this client reads anything.
        assert_eq!(run.result().unwrap().code, "early");
        let reply = read_reply(s);
        assert_eq!(reply.status, 200);
        assert!(reply.body.contains("Logged in"));
        assert_eq!(
            reply.header("Content-Length"),
            Some(reply.body.len().to_string().as_str())
        );
    }

    #[test]
    fn wait_future_is_send() {
        fn assert_send<T: Send>(_: &T) {}
        let listener = bind(&[0]).unwrap();
        let wait = listener.wait(Expect::new(STATE));
        assert_send(&wait);
    }

    #[test]
    fn code_is_percent_decoded() {
        let run = start_default();
        succeed(run.addr, "a%2Fb%2Bc%3D");
        assert_eq!(run.result().unwrap().code, "a/b+c=");
    }

    #[test]
    fn http_1_0_request_is_served() {
        let run = start_default();
        let reply = send_raw(
            run.addr,
            format!("GET /callback?state={STATE}&code=x HTTP/1.0\r\n\r\n").as_bytes(),
        );
        assert_eq!(reply.status, 200);
        assert_eq!(run.result().unwrap().code, "x");
    }

    #[test]
    fn wrong_state_then_right_state() {
        let run = start_default();
        let bad = get(run.addr, "/callback?code=evil&state=other");
        assert_eq!(bad.status, 400);
        assert!(
            bad.body
                .contains("State mismatch, this response was not for this login")
        );
        assert!(!bad.body.contains("evil"));
        assert_eq!(bad.header("Cache-Control"), Some("no-store"));

        let missing = get(run.addr, "/callback?code=evil");
        assert_eq!(missing.status, 400);
        assert!(missing.body.contains("State mismatch"));

        succeed(run.addr, "good");
        assert_eq!(run.result().unwrap().code, "good");
    }

    #[test]
    fn favicon_and_other_paths_get_404() {
        let run = start_default();
        assert_eq!(get(run.addr, "/favicon.ico").status, 404);
        assert_eq!(get(run.addr, "/").status, 404);
        assert_eq!(
            get(run.addr, &format!("/callback/?code=x&state={STATE}")).status,
            404
        );
        succeed(run.addr, "ok");
        assert_eq!(run.result().unwrap().code, "ok");
    }

    #[test]
    fn other_methods_get_405() {
        let run = start_default();
        let reply = send_raw(
            run.addr,
            format!("POST /callback?code=x&state={STATE} HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
                .as_bytes(),
        );
        assert_eq!(reply.status, 405);
        assert_eq!(reply.header("Allow"), Some("GET"));
        assert!(reply.body.contains("Method not allowed"));
        let head = send_raw(
            run.addr,
            format!("HEAD /callback?code=x&state={STATE} HTTP/1.1\r\n\r\n").as_bytes(),
        );
        assert_eq!(head.status, 405);
        assert_eq!(head.header("Allow"), Some("GET"));
        // A body the server never reads does not stop the answer either.
        let with_body = send_lossy(
            run.addr,
            format!(
                "PUT /callback?code=x&state={STATE} HTTP/1.1\r\nContent-Length: 100000\r\n\r\n{}",
                "b".repeat(100_000)
            )
            .as_bytes(),
        );
        assert!(with_body.starts_with("HTTP/1.1 405 "), "{with_body}");
        succeed(run.addr, "after");
        assert_eq!(run.result().unwrap().code, "after");
    }

    #[test]
    fn garbage_gets_400_and_wait_goes_on() {
        let run = start_default();
        let reply = send_raw(run.addr, b"\x00\x01\x02garbage\xff\xfe\r\n\r\n");
        assert_eq!(reply.status, 400);
        let reply = send_raw(run.addr, b"GET /callback HTTP/9.9\r\n\r\n");
        assert_eq!(reply.status, 400);
        let reply = send_raw(run.addr, b"GET /callback HTTP/1.1\r\nBad Header\r\n\r\n");
        assert_eq!(reply.status, 400);
        // Binary noise with no line end at all: answered or closed, never
        // the end of the wait.
        let noise: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
        let text = send_lossy(run.addr, &noise);
        assert!(
            text.is_empty() || text.starts_with("HTTP/1.1 400 "),
            "unexpected reply: {text}"
        );
        succeed(run.addr, "fine");
        assert_eq!(run.result().unwrap().code, "fine");
    }

    #[test]
    fn head_limit_is_exact() {
        let run = start_default();
        let at_limit = send_raw(run.addr, &request_of_len("/favicon.ico", MAX_HEAD_BYTES));
        assert_eq!(at_limit.status, 404, "a head of exactly MAX_HEAD_BYTES");
        let over = send_lossy(
            run.addr,
            &request_of_len("/favicon.ico", MAX_HEAD_BYTES + 1),
        );
        assert!(over.starts_with("HTTP/1.1 431 "), "{over}");
        succeed(run.addr, "limit");
        assert_eq!(run.result().unwrap().code, "limit");
    }

    #[test]
    fn huge_heads_get_431_and_wait_goes_on() {
        let run = start_default();
        for size in [20 * 1024, 64 * 1024, 1024 * 1024] {
            let target = format!("/callback?code=big&state={STATE}");
            let mut s = connect(run.addr);
            // hyper reads 16 KiB and answers; the rest is read and discarded
            // after the answer, so the whole request can be written and the
            // connection ends cleanly, not with a reset.
            s.write_all(&request_of_len(&target, size))
                .expect("writing the whole request");
            s.shutdown(Shutdown::Write).unwrap();
            let mut raw = Vec::new();
            s.read_to_end(&mut raw).expect("a clean end of stream");
            let text = String::from_utf8_lossy(&raw);
            assert!(
                text.starts_with("HTTP/1.1 431 "),
                "{size} bytes: unexpected reply: {text:?}"
            );
        }
        succeed(run.addr, "big-ok");
        assert_eq!(run.result().unwrap().code, "big-ok");
    }

    #[test]
    fn too_many_headers_get_431() {
        let run = start_default();
        let mut req = String::from("GET /callback HTTP/1.1\r\n");
        for i in 0..100 {
            req.push_str(&format!("X-H{i}: v\r\n"));
        }
        req.push_str("\r\n");
        assert_eq!(send_raw(run.addr, req.as_bytes()).status, 431);
        succeed(run.addr, "ok");
        run.result().unwrap();
    }

    #[test]
    fn silent_and_slow_clients_do_not_block_a_good_one() {
        let run = start_default();
        // Connects and sends nothing.
        let _silent = connect(run.addr);
        // Sends half a request line and stalls.
        let mut slow = connect(run.addr);
        slow.write_all(b"GET /callb").unwrap();
        thread::sleep(Duration::from_millis(100));

        let t = Instant::now();
        succeed(run.addr, "fast");
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "good client waited {:?}",
            t.elapsed()
        );
        assert_eq!(run.result().unwrap().code, "fast");
    }

    #[test]
    fn silent_client_is_closed_after_connection_timeout() {
        let run = start_default();
        let mut silent = connect(run.addr);
        let t = Instant::now();
        let mut buf = [0u8; 16];
        // The server closes it without an answer.
        let n = silent.read(&mut buf).unwrap_or(0);
        assert_eq!(n, 0);
        let waited = t.elapsed();
        assert!(
            waited >= CONNECTION_TIMEOUT - Duration::from_millis(200)
                && waited < CONNECTION_TIMEOUT + Duration::from_secs(2),
            "closed after {waited:?}"
        );
        succeed(run.addr, "later");
        run.result().unwrap();
    }

    #[test]
    fn trickling_client_is_closed_after_connection_timeout() {
        let run = start_default();
        let mut s = connect(run.addr);
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        s.write_all(b"GET /callback HTTP/1.1\r\nX-Slow: ").unwrap();
        let t = Instant::now();
        let mut buf = [0u8; 64];
        loop {
            assert!(t.elapsed() < Duration::from_secs(10), "never closed");
            if s.write_all(b"a").is_err() {
                break;
            }
            match s.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => panic!("answered: {:?}", String::from_utf8_lossy(&buf[..n])),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(_) => break,
            }
        }
        let closed = t.elapsed();
        assert!(
            closed >= CONNECTION_TIMEOUT - Duration::from_millis(300)
                && closed < CONNECTION_TIMEOUT + Duration::from_secs(2),
            "closed after {closed:?}"
        );
        succeed(run.addr, "patient");
        assert_eq!(run.result().unwrap().code, "patient");
    }

    #[test]
    fn many_idle_connections_do_not_lock_out_a_good_one() {
        let run = start_default();
        let extra = 4;
        let mut idle: Vec<TcpStream> = (0..MAX_CONNECTIONS + extra)
            .map(|_| connect(run.addr))
            .collect();
        thread::sleep(Duration::from_millis(200));
        // The oldest were dropped to make room; the newest are served.
        for s in &mut idle[..extra] {
            assert_closed_soon(s);
        }
        assert_still_open(idle.last_mut().unwrap());

        let t = Instant::now();
        succeed(run.addr, "through");
        assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
        assert_eq!(run.result().unwrap().code, "through");
    }

    #[test]
    fn clients_closing_early_are_harmless() {
        let run = start_default();
        drop(connect(run.addr));
        {
            let mut s = connect(run.addr);
            s.write_all(b"GET /callback?code=x&sta").unwrap();
        }
        {
            // Complete request, but the client goes away before reading.
            let mut s = connect(run.addr);
            s.write_all(b"GET /favicon.ico HTTP/1.1\r\n\r\n").unwrap();
            s.shutdown(Shutdown::Both).unwrap();
        }
        thread::sleep(Duration::from_millis(100));
        succeed(run.addr, "still");
        assert_eq!(run.result().unwrap().code, "still");
    }

    #[test]
    fn request_sent_then_half_closed_is_answered() {
        let run = start_default();
        let mut s = connect(run.addr);
        s.write_all(format!("GET /callback?code=hc&state={STATE} HTTP/1.1\r\n\r\n").as_bytes())
            .unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        assert_eq!(read_reply(s).status, 200);
        assert_eq!(run.result().unwrap().code, "hc");
    }

    #[test]
    fn request_split_across_packets() {
        let run = start_default();
        let mut s = connect(run.addr);
        let req = format!("GET /callback?code=split&state={STATE} HTTP/1.1\r\nHost: x\r\n\r\n");
        for part in req.as_bytes().chunks(7) {
            s.write_all(part).unwrap();
            thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(read_reply(s).status, 200);
        assert_eq!(run.result().unwrap().code, "split");
    }

    #[test]
    fn access_denied_ends_wait_with_error() {
        let run = start_default();
        let reply = get(
            run.addr,
            &format!(
                "/callback?error=access_denied&error_description=The+user+denied+the+request&state={STATE}"
            ),
        );
        assert_eq!(reply.status, 200);
        assert!(reply.body.contains("Login failed"));
        assert!(reply.body.contains("access_denied"));
        assert!(reply.body.contains("The request was denied."));
        assert!(reply.body.contains("The user denied the request"));

        let err = run.result().unwrap_err();
        assert!(matches!(
            &err,
            CallbackError::Denied { error, description }
                if error == "access_denied"
                    && description.as_deref() == Some("The user denied the request")
        ));
        assert_eq!(
            err.to_string(),
            "authorization failed: access_denied: The user denied the request"
        );
    }

    #[test]
    fn error_page_escapes_html_and_error_is_sanitized() {
        let run = start_default();
        let reply = get(
            run.addr,
            &format!(
                "/callback?error=%3Cb%3Ebad%3C%2Fb%3E&error_description=%3Cscript%3Ealert(%27x%27)%3C%2Fscript%3E%1B%5B31m%26&state={STATE}"
            ),
        );
        assert!(!reply.body.contains("<script>"));
        assert!(!reply.body.contains("<b>bad"));
        assert!(
            reply
                .body
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;")
        );
        assert!(reply.body.contains("&lt;b&gt;bad&lt;/b&gt;"));
        match run.result().unwrap_err() {
            CallbackError::Denied { error, description } => {
                assert_eq!(error, "<b>bad</b>");
                let d = description.unwrap();
                assert!(!d.contains('\u{1b}'), "escape removed: {d:?}");
                assert!(d.ends_with("[31m&"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn error_without_description() {
        let run = start_default();
        get(
            run.addr,
            &format!("/callback?error=server_error&state={STATE}"),
        );
        let err = run.result().unwrap_err();
        assert_eq!(err.to_string(), "authorization failed: server_error");
    }

    #[test]
    fn error_with_wrong_state_does_not_end_wait() {
        let run = start_default();
        let reply = get(run.addr, "/callback?error=access_denied&state=nope");
        assert_eq!(reply.status, 400);
        succeed(run.addr, "real");
        assert_eq!(run.result().unwrap().code, "real");
    }

    #[test]
    fn issuer_is_checked_when_expected() {
        let iss = "https://auth.example.com";
        let run = start(Expect::new(STATE).with_issuer(iss));
        // Missing iss.
        let r = get(run.addr, &format!("/callback?code=a&state={STATE}"));
        assert_eq!(r.status, 400);
        assert!(r.body.contains("Issuer mismatch"));
        // Wrong iss.
        let r = get(
            run.addr,
            &format!("/callback?code=b&state={STATE}&iss=https%3A%2F%2Fevil.example"),
        );
        assert_eq!(r.status, 400);
        assert!(r.body.contains("Issuer mismatch"));
        // Wrong iss on an error response must not end the wait either.
        let r = get(
            run.addr,
            &format!("/callback?error=access_denied&state={STATE}&iss=https%3A%2F%2Fevil.example"),
        );
        assert_eq!(r.status, 400);
        // Right iss.
        let r = get(
            run.addr,
            &format!("/callback?code=c&state={STATE}&iss=https%3A%2F%2Fauth.example.com"),
        );
        assert_eq!(r.status, 200);
        let cb = run.result().unwrap();
        assert_eq!(cb.code, "c");
        assert_eq!(cb.iss.as_deref(), Some(iss));
    }

    #[test]
    fn issuer_is_reported_when_not_expected() {
        let run = start_default();
        get(
            run.addr,
            &format!("/callback?code=c&state={STATE}&iss=https%3A%2F%2Fa.example"),
        );
        assert_eq!(
            run.result().unwrap().iss.as_deref(),
            Some("https://a.example")
        );
    }

    #[test]
    fn repeated_or_empty_parameters_are_rejected() {
        let run = start_default();
        let r = get(run.addr, &format!("/callback?code=a&code=b&state={STATE}"));
        assert_eq!(r.status, 400);
        assert!(r.body.contains("repeats a parameter"));
        assert!(!r.body.contains("code=a"));
        let r = get(
            run.addr,
            &format!("/callback?code=a&state={STATE}&state={STATE}"),
        );
        assert_eq!(r.status, 400);
        let r = get(run.addr, &format!("/callback?code=&state={STATE}"));
        assert_eq!(r.status, 400);
        assert!(r.body.contains("No authorization code"));
        let r = get(run.addr, &format!("/callback?state={STATE}"));
        assert_eq!(r.status, 400);
        succeed(run.addr, "finally");
        assert_eq!(run.result().unwrap().code, "finally");
    }

    #[test]
    fn listener_closes_after_success() {
        let run = start_default();
        let addr = run.addr;
        succeed(addr, "x");
        run.result().unwrap();
        assert!(TcpStream::connect(addr).is_err());
        TcpListener::bind(addr).expect("the port is free again");
    }

    #[test]
    fn dropping_the_wait_closes_everything_at_once() {
        let listener = bind(&[0]).unwrap();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, listener.port()));
        let (dropped_tx, dropped_rx) = mpsc::channel();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let server = thread::spawn(move || {
            runtime().block_on(async move {
                let waited = tokio::time::timeout(
                    Duration::from_millis(500),
                    listener.wait(Expect::new(STATE)),
                )
                .await;
                assert!(waited.is_err(), "the wait ended by itself");
                dropped_tx.send(()).unwrap();
                // Keep the runtime alive, and idle, while the test looks:
                // closing must not depend on the runtime doing more work.
                let _ = done_rx.recv_timeout(SAFETY);
            });
        });
        let mut idle = connect(addr);
        let mut partial = connect(addr);
        partial.write_all(b"GET /callb").unwrap();
        dropped_rx.recv_timeout(SAFETY).unwrap();

        drop(TcpListener::bind(addr).expect("the port is free again"));
        assert_closed_soon(&mut idle);
        assert_closed_soon(&mut partial);
        done_tx.send(()).unwrap();
        server.join().unwrap();
    }

    // ---- binding -------------------------------------------------------

    /// Binds `n` contiguous ports at a random high base, retrying elsewhere
    /// when one is taken.
    fn hold_contiguous_ports(n: u16) -> Vec<TcpListener> {
        use rand::{RngExt as _, SeedableRng as _};
        let mut rng = rand::rngs::StdRng::try_from_rng(&mut rand::rngs::SysRng).unwrap();
        for _ in 0..50 {
            let base = 40_000 + rng.random_range(0..20_000u16);
            let held: Result<Vec<_>, _> = (base..base + n)
                .map(|p| TcpListener::bind((Ipv4Addr::LOCALHOST, p)))
                .collect();
            if let Ok(held) = held {
                return held;
            }
        }
        panic!("could not find {n} free contiguous ports");
    }

    fn port_of(l: &TcpListener) -> u16 {
        l.local_addr().unwrap().port()
    }

    #[test]
    fn all_ports_taken() {
        let held = hold_contiguous_ports(5);
        let ports: Vec<u16> = held.iter().map(port_of).collect();
        let err = bind(&ports).unwrap_err();
        match &err {
            CallbackError::NoPort { tried } => assert_eq!(tried, &ports),
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(
            err.to_string(),
            format!(
                "no callback port available (tried {}\u{2013}{})",
                ports[0], ports[4]
            )
        );
    }

    #[test]
    fn all_scattered_ports_taken() {
        let held: Vec<TcpListener> = (0..3)
            .map(|_| TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap())
            .collect();
        let mut ports: Vec<u16> = held.iter().map(port_of).collect();
        ports.reverse(); // descending is never a contiguous run
        let err = bind(&ports).unwrap_err();
        assert!(matches!(&err, CallbackError::NoPort { tried } if tried == &ports));
        assert_eq!(
            err.to_string(),
            format!(
                "no callback port available (tried {}, {}, {})",
                ports[0], ports[1], ports[2]
            )
        );
    }

    #[test]
    fn bind_skips_taken_ports() {
        let mut held = hold_contiguous_ports(3);
        let taken: Vec<u16> = held.iter().map(port_of).collect();
        drop(held.remove(1)); // free the middle port; keep the others
        let listener = bind(&taken).unwrap();
        assert_eq!(listener.port(), taken[1]);
        assert_eq!(
            listener.redirect_uri(),
            format!("http://127.0.0.1:{}/callback", taken[1])
        );
    }

    #[test]
    fn bind_port_zero_picks_a_port() {
        let l = bind(&[0]).unwrap();
        assert_ne!(l.port(), 0);
        assert_eq!(
            l.redirect_uri(),
            format!("http://127.0.0.1:{}/callback", l.port())
        );
    }

    #[test]
    fn empty_port_list() {
        let err = bind(&[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no callback port available (no ports were given)"
        );
    }

    // ---- pure helpers --------------------------------------------------

    #[test]
    fn describe_ports_forms() {
        assert_eq!(describe_ports(&[8765]), "tried 8765");
        assert_eq!(
            describe_ports(&[8765, 8766, 8767, 8768, 8769]),
            "tried 8765\u{2013}8769"
        );
        assert_eq!(describe_ports(&[8765, 8766]), "tried 8765\u{2013}8766");
        assert_eq!(describe_ports(&[8765, 8767]), "tried 8765, 8767");
        assert_eq!(describe_ports(&[8766, 8765]), "tried 8766, 8765");
        assert_eq!(describe_ports(&[65534, 65535]), "tried 65534\u{2013}65535");
        assert_eq!(describe_ports(&[65535, 0]), "tried 65535, 0");
    }

    #[test]
    fn escape_html_escapes_everything_dangerous() {
        assert_eq!(
            respond::escape_html(r#"<a href="x" onclick='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(respond::escape_html("plain ✓"), "plain ✓");
    }

    #[test]
    fn sanitize_removes_controls_and_truncates() {
        assert_eq!(
            crate::text::printable("  a\u{1b}[2Jb\r\nc ", MAX_ERROR_CHARS),
            "a [2Jb  c"
        );
        let long = "x".repeat(1000);
        let s = crate::text::printable(&long, MAX_ERROR_CHARS);
        assert_eq!(s.chars().count(), MAX_ERROR_CHARS + 1);
        assert!(s.ends_with('\u{2026}'));
    }

    #[test]
    fn route_decisions() {
        let e = Expect::new("st");
        let (r, o) = route("GET", "/callback?state=st&code=c", &e);
        assert_eq!(r.status.as_u16(), 200);
        assert!(matches!(o, Some(Ok(ref cb)) if cb.code == "c"));

        let (r, o) = route("GET", "/callback", &e);
        assert_eq!((r.status.as_u16(), o.is_none()), (400, true));

        let (r, o) = route("PUT", "/callback?state=st&code=c", &e);
        assert_eq!(
            (r.status.as_u16(), o.is_none(), r.allow_get),
            (405, true, true)
        );

        let (r, o) = route("GET", "/other?state=st&code=c", &e);
        assert_eq!((r.status.as_u16(), o.is_none()), (404, true));

        // Unknown parameters are ignored; '+' decodes to a space.
        let (_, o) = route("GET", "/callback?foo=1&foo=2&state=st&code=a+b", &e);
        assert!(matches!(o, Some(Ok(ref cb)) if cb.code == "a b"));

        // A state that only differs by case or padding is a mismatch.
        let (r, _) = route("GET", "/callback?state=ST&code=c", &e);
        assert_eq!(r.status.as_u16(), 400);
        let (r, _) = route("GET", "/callback?state=st%20&code=c", &e);
        assert_eq!(r.status.as_u16(), 400);

        // error wins over code when both are present.
        let (_, o) = route("GET", "/callback?state=st&code=c&error=access_denied", &e);
        assert!(matches!(o, Some(Err(CallbackError::Denied { .. }))));

        // An empty description is dropped.
        let (_, o) = route(
            "GET",
            "/callback?state=st&error=access_denied&error_description=",
            &e,
        );
        assert!(matches!(
            o,
            Some(Err(CallbackError::Denied {
                description: None,
                ..
            }))
        ));
    }

    #[test]
    fn answers_carry_the_security_headers() {
        let (r, _) = route("PUT", "/callback", &Expect::new("s"));
        let body_len = r.body.len();
        let response = r.into_http();
        assert_eq!(response.status(), 405);
        let h = response.headers();
        let expected = [
            ("content-type", "text/html; charset=utf-8"),
            ("connection", "close"),
            ("cache-control", "no-store"),
            ("referrer-policy", "no-referrer"),
            ("x-content-type-options", "nosniff"),
            (
                "content-security-policy",
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
            ),
            ("allow", "GET"),
        ];
        for (name, value) in expected {
            assert_eq!(
                h.get(name).and_then(|v| v.to_str().ok()),
                Some(value),
                "{name}"
            );
        }
        assert_eq!(h.len(), expected.len());
        use hyper::body::Body as _;
        assert_eq!(response.body().size_hint().exact(), Some(body_len as u64));

        let (r, _) = route("GET", "/callback?state=s&code=c", &Expect::new("s"));
        assert!(r.into_http().headers().get("allow").is_none());
    }

    #[test]
    fn pages_are_self_contained() {
        let (r, _) = route("GET", "/callback?state=s&code=c", &Expect::new("s"));
        let body = r.body;
        assert!(body.starts_with("<!doctype html>"));
        assert!(body.contains("<style>"));
        assert!(!body.contains("<script"));
        assert!(!body.contains("src="));
        assert!(!body.contains("href="));
        assert!(body.len() < 4096, "page is {} bytes", body.len());
    }
}
