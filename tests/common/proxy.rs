//! A tiny forward proxy on 127.0.0.1 that records what it is asked for:
//! absolute-form requests (`GET http://127.0.0.1:PORT/path HTTP/1.1`, what a
//! client sends for an `http://` URL through `HTTP_PROXY`) are forwarded as
//! origin-form requests, `CONNECT 127.0.0.1:PORT` (an `https://` URL
//! through `HTTPS_PROXY`) becomes a blind tunnel. It only ever connects to
//! loopback targets; one request per connection.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request the proxy was asked to carry.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// As sent: `http://127.0.0.1:PORT/path?q` or, for CONNECT, `127.0.0.1:PORT`.
    pub target: String,
    /// Lower-case names.
    pub headers: HashMap<String, String>,
}

pub struct Proxy {
    pub port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    pub fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, stop2) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let seen = seen2.clone();
                std::thread::spawn(move || handle(conn, &seen));
            }
        });
        Proxy { port, seen, stop }
    }

    /// `http://127.0.0.1:PORT`, for `HTTP_PROXY` / `HTTPS_PROXY`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn is_loopback(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

fn refuse(mut conn: TcpStream, why: &str) {
    let _ = write!(
        conn,
        "HTTP/1.1 502 Bad Gateway\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{why}",
        why.len()
    );
}

fn handle(mut conn: TcpStream, seen: &Mutex<Vec<Seen>>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let (method, target, headers, head_len) = loop {
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        let mut h = [httparse::EMPTY_HEADER; 64];
        let mut req = httparse::Request::new(&mut h);
        match req.parse(&buf) {
            Ok(httparse::Status::Complete(off)) => {
                let headers: Vec<(String, String)> = req
                    .headers
                    .iter()
                    .map(|h| {
                        (
                            h.name.to_string(),
                            String::from_utf8_lossy(h.value).into_owned(),
                        )
                    })
                    .collect();
                break (
                    req.method.unwrap_or("").to_string(),
                    req.path.unwrap_or("").to_string(),
                    headers,
                    off,
                );
            }
            Ok(httparse::Status::Partial) => continue,
            Err(_) => return,
        }
    };
    seen.lock().unwrap().push(Seen {
        method: method.clone(),
        target: target.clone(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect(),
    });
    let rest = buf[head_len..].to_vec();
    if method == "CONNECT" {
        tunnel(conn, &target, &rest);
    } else {
        forward(conn, &method, &target, &headers, rest);
    }
}

fn tunnel(mut conn: TcpStream, target: &str, rest: &[u8]) {
    let host = target.rsplit_once(':').map(|(h, _)| h).unwrap_or("");
    if !is_loopback(host) {
        return refuse(conn, "this test proxy only reaches loopback");
    }
    let Ok(mut up) = TcpStream::connect(target) else {
        return refuse(conn, "upstream refused");
    };
    if conn
        .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        .is_err()
        || up.write_all(rest).is_err()
    {
        return;
    }
    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
    let _ = up.set_read_timeout(Some(Duration::from_secs(30)));
    let (mut c2, mut u2) = (conn.try_clone().unwrap(), up.try_clone().unwrap());
    let t = std::thread::spawn(move || {
        let _ = std::io::copy(&mut c2, &mut u2);
        let _ = u2.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut up, &mut conn);
    let _ = conn.shutdown(Shutdown::Write);
    let _ = t.join();
}

fn forward(
    mut conn: TcpStream,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    mut body: Vec<u8>,
) {
    let Ok(url) = url::Url::parse(target) else {
        return refuse(conn, "not an absolute-form request");
    };
    let host = url.host_str().unwrap_or("");
    if url.scheme() != "http" || !is_loopback(host) {
        return refuse(conn, "this test proxy only reaches loopback");
    }
    let Ok(mut up) = TcpStream::connect((host, url.port_or_known_default().unwrap_or(80))) else {
        return refuse(conn, "upstream refused");
    };
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let mut chunk = [0u8; 4096];
    while body.len() < len {
        match conn.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    };
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    for (k, v) in headers {
        let k_lower = k.to_ascii_lowercase();
        if !matches!(
            k_lower.as_str(),
            "connection" | "proxy-connection" | "proxy-authorization" | "keep-alive"
        ) {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str("Connection: close\r\n\r\n");
    if up.write_all(head.as_bytes()).is_err() || up.write_all(&body).is_err() {
        return;
    }
    let _ = up.set_read_timeout(Some(Duration::from_secs(30)));
    let _ = std::io::copy(&mut up, &mut conn);
    let _ = conn.shutdown(Shutdown::Both);
}
