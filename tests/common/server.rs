//! A small HTTP server on 127.0.0.1 for tests (profile endpoint, token
//! endpoint, metadata), parsing requests with httparse. It records every
//! request so tests can count and inspect them. [`Server::start_tls`] serves
//! the same over HTTPS (rustls), with a certificate from [`super::tls`].

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
    pub fn form(&self) -> HashMap<String, String> {
        url::form_urlencoded::parse(self.body.as_bytes())
            .into_owned()
            .collect()
    }
}

pub struct Reply {
    pub status: u16,
    pub body: String,
    pub delay: Duration,
    /// Extra response headers.
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply {
            status,
            body: body.to_string(),
            delay: Duration::ZERO,
            headers: Vec::new(),
        }
    }

    /// RFC 8414 metadata of an OAuth server at `base`: `/authorize` and
    /// `/token`, and with `device` the device endpoint `/device/code`.
    pub fn metadata(base: &str, device: bool) -> Reply {
        let mut m = serde_json::json!({
            "issuer": base, "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
        });
        if device {
            m["device_authorization_endpoint"] = format!("{base}/device/code").into();
        }
        Reply::json(200, m)
    }

    /// A redirect (`status` 301, 302, 307 ...) to `location`.
    pub fn redirect(status: u16, location: &str) -> Reply {
        let mut r = Reply::json(status, serde_json::json!({}));
        r.headers.push(("Location".into(), location.into()));
        r
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

pub struct Server {
    pub port: u16,
    pub requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    scheme: &'static str,
}

impl Server {
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        Server::listen(None, handler)
    }

    /// The same server over HTTPS with `tls` (see [`super::tls::TestCa`]).
    pub fn start_tls(
        tls: Arc<rustls::ServerConfig>,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> Server {
        Server::listen(Some(tls), handler)
    }

    fn listen(
        tls: Option<Arc<rustls::ServerConfig>>,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let scheme = if tls.is_some() { "https" } else { "http" };
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let (reqs, stop2) = (requests.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (h, r, tls) = (handler.clone(), reqs.clone(), tls.clone());
                std::thread::spawn(move || {
                    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
                    match tls {
                        None => serve(conn, &*h, &r),
                        Some(cfg) => {
                            // A client that refuses the certificate ends the
                            // handshake: nothing is recorded then.
                            let Ok(tls) = rustls::ServerConnection::new(cfg) else {
                                return;
                            };
                            serve(rustls::StreamOwned::new(tls, conn), &*h, &r)
                        }
                    }
                });
            }
        });
        Server {
            port,
            requests,
            stop,
            scheme,
        }
    }

    /// `http://127.0.0.1:PORT`, or `https://...` for a TLS server.
    pub fn url(&self) -> String {
        format!("{}://127.0.0.1:{}", self.scheme, self.port)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    pub fn count(&self, path: &str) -> usize {
        self.requests().iter().filter(|r| r.path == path).count()
    }

    /// A profile endpoint at /api/v1/profile accepting `tokens` (token -> body).
    pub fn profile(tokens: Vec<(&str, serde_json::Value)>) -> Server {
        let tokens: HashMap<String, serde_json::Value> = tokens
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        Server::start(move |r| {
            if r.path != "/api/v1/profile" {
                return Reply::json(404, serde_json::json!({"message": "Not Found"}));
            }
            let tok = r
                .header("authorization")
                .and_then(|a| a.strip_prefix("Bearer "))
                .unwrap_or("");
            match tokens.get(tok) {
                Some(body) => Reply::json(200, body.clone()),
                None => Reply::json(401, serde_json::json!({"message": "Unauthenticated."})),
            }
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(mut conn: impl Read + Write, handler: &Handler, reqs: &Mutex<Vec<Request>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let (req, body_start, len) = loop {
        let n = match conn.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut parsed = httparse::Request::new(&mut headers);
        match parsed.parse(&buf) {
            Ok(httparse::Status::Complete(off)) => {
                let target = parsed.path.unwrap_or("/").to_string();
                let (path, query) = match target.split_once('?') {
                    Some((p, q)) => (p.to_string(), q.to_string()),
                    None => (target, String::new()),
                };
                let headers: HashMap<String, String> = parsed
                    .headers
                    .iter()
                    .map(|h| {
                        (
                            h.name.to_ascii_lowercase(),
                            String::from_utf8_lossy(h.value).into_owned(),
                        )
                    })
                    .collect();
                let len = headers
                    .get("content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0usize);
                break (
                    Request {
                        method: parsed.method.unwrap_or("").to_string(),
                        path,
                        query,
                        headers,
                        body: String::new(),
                    },
                    off,
                    len,
                );
            }
            Ok(httparse::Status::Partial) => continue,
            Err(_) => return,
        }
    };
    let mut body = buf[body_start..].to_vec();
    while body.len() < len {
        let n = match conn.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        body.extend_from_slice(&chunk[..n]);
    }
    let mut req = req;
    req.body = String::from_utf8_lossy(&body).into_owned();
    reqs.lock().unwrap().push(req.clone());
    let reply = handler(&req);
    if !reply.delay.is_zero() {
        std::thread::sleep(reply.delay);
    }
    let extra: String = reply
        .headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    let head = format!(
        "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        reply.status,
        reply.body.len()
    );
    let _ = conn.write_all(head.as_bytes());
    let _ = conn.write_all(reply.body.as_bytes());
    let _ = conn.flush();
}
