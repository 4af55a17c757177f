//! One accepted connection: hyper (HTTP/1.1 without keep-alive) reads one
//! request head within the limits, [`super::respond::route`] answers it,
//! and the connection is closed so that the client reads the answer.

use super::respond::route;
use super::{
    CONNECTION_TIMEOUT, Callback, CallbackError, Expect, LINGER, MAX_DRAIN_BYTES, MAX_HEAD_BYTES,
    MAX_HEADERS, WRITE_TIMEOUT,
};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::future::{poll_fn, ready};
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::io::AsyncWrite;
use tokio::net::TcpStream;
use tokio::time::timeout;

/// What a request decided: the wait ends with this.
pub(super) type Outcome = Result<Callback, CallbackError>;

/// The HTTP/1 settings every connection is served with.
fn builder() -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        // One request per connection; the answer says `Connection: close`.
        .keep_alive(false)
        // A client may send its request and shut down its write side at
        // once: it still gets its answer.
        .half_close(true)
        // Counted from the first poll, i.e. from the accept: a client that
        // has not sent a complete head by then is closed without an answer.
        .header_read_timeout(CONNECTION_TIMEOUT)
        // A head (request line and headers) longer than this gets 431. The
        // read buffer is capped at the same size, so no more than
        // MAX_HEAD_BYTES of a client's input is ever held.
        .max_header_size(MAX_HEAD_BYTES)
        .max_buf_size(MAX_HEAD_BYTES)
        .max_headers(MAX_HEADERS);
    builder
}

/// Serves one connection to its end. Returns what its request decided, if
/// anything, only once the answer has been written (or the client is gone):
/// the wait never ends before the browser got its page.
pub(super) async fn connection(mut stream: TcpStream, expect: Arc<Expect>) -> Option<Outcome> {
    let decided: Arc<Mutex<Option<Outcome>>> = Arc::default();
    let service = {
        let decided = Arc::clone(&decided);
        service_fn(move |request: hyper::Request<Incoming>| {
            let target = request.uri().path_and_query().map_or("", |pq| pq.as_str());
            let (response, outcome) = route(request.method().as_str(), target, &expect);
            if outcome.is_some() {
                *decided.lock().unwrap_or_else(PoisonError::into_inner) = outcome;
            }
            ready(Ok::<_, Infallible>(response.into_http()))
        })
    };
    let served = builder().serve_connection(TokioIo::new(&mut stream), service);
    // hyper bounds the time to read the head; this also bounds the time to
    // write the answer. Errors (malformed or oversized heads, which hyper
    // answers itself, timeouts, resets) only mean the connection is over.
    let _ = timeout(CONNECTION_TIMEOUT + WRITE_TIMEOUT, served).await;

    let outcome = decided
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    if outcome.is_some() {
        // The wait ends now and the socket is closed right after: drop what
        // the client sent beyond its request, so that closing does not reset
        // the connection under the page.
        discard_pending(&stream);
    } else {
        linger(&mut stream).await;
    }
    outcome
}

/// Half-closes the connection and discards the client's remaining input
/// for up to [`LINGER`] (at most [`MAX_DRAIN_BYTES`]): closing a socket with
/// unread input resets the connection, and the client could lose the answer
/// (e.g. a 431 sent while it was still sending its oversized head).
async fn linger(stream: &mut TcpStream) {
    let _ = poll_fn(|cx| Pin::new(&mut *stream).poll_shutdown(cx)).await;
    let _ = timeout(LINGER, async {
        let mut chunk = [0u8; 4096];
        let mut drained = 0;
        while drained < MAX_DRAIN_BYTES {
            if stream.readable().await.is_err() {
                return;
            }
            match stream.try_read(&mut chunk) {
                Ok(0) => return,
                Ok(n) => drained += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => return,
            }
        }
    })
    .await;
}

/// Reads and drops whatever input is already there, without waiting.
fn discard_pending(stream: &TcpStream) {
    let mut chunk = [0u8; 4096];
    let mut drained = 0;
    while drained < MAX_DRAIN_BYTES {
        match stream.try_read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => drained += n,
        }
    }
}
