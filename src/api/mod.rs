//! `keyward api`: one authenticated request to the platform (or every page
//! of one), as `gh api` makes it. The token is added, refreshed when it is
//! about to expire, and refreshed once more and the request resent after a
//! 401, by [`TokenSource::send`]: the one code path embedders use too.
//!
//! Only the API URL's own origin ever gets the token: a full URL or a next
//! page elsewhere is refused before anything is sent there.

pub mod fields;
pub mod paginate;

use crate::error::{Error, Result};
use crate::token_source::TokenSource;
use fields::{Field, FieldValue};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use std::io::Read;
use std::path::PathBuf;

/// The most bytes of one response (or of a request body) keyward holds.
pub const MAX_BODY: usize = 64 << 20;
/// The most pages `--paginate` follows.
pub const MAX_PAGES: usize = 1000;

/// What to send.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `-X`: the method; default GET, or POST when there are fields or an input.
    pub method: Option<String>,
    /// The path (joined to the API URL by [`crate::ApiUrl::join`]) or a
    /// full URL on the API URL's origin.
    pub path: String,
    /// `-H 'Name: value'`, added to or replacing keyward's (never Authorization).
    pub headers: Vec<String>,
    /// `-f` and `-F` fields, in order.
    pub fields: Vec<Field>,
    /// `--input`: the body, from a file or standard input (`-`).
    pub input: Option<PathBuf>,
    /// Follow the next-page links and merge the pages.
    pub paginate: bool,
}

/// One response's status line and headers.
#[derive(Debug, Clone)]
pub struct Head {
    /// The URL it answered.
    pub url: String,
    /// `HTTP/1.1`, `HTTP/2`.
    pub version: String,
    /// The status code.
    pub status: u16,
    /// The reason phrase for the status (`Not Found`).
    pub reason: String,
    /// The headers, in order, values as text (invalid bytes replaced).
    pub headers: Vec<(String, String)>,
}

/// What came back: every page's head, and the body (pages merged).
#[derive(Debug)]
pub struct Reply {
    /// One per page, in order; the last one decides the outcome.
    pub heads: Vec<Head>,
    /// The body as the server sent it (or the merged pages).
    pub body: Vec<u8>,
    /// The method sent.
    pub method: String,
}

impl Reply {
    /// The last page's status.
    pub fn status(&self) -> u16 {
        self.heads.last().map_or(0, |h| h.status)
    }

    /// True when the answer was JSON (by its `Content-Type`, else by its body).
    pub fn is_json(&self) -> bool {
        let ct = self.heads.last().and_then(|h| {
            h.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| v.to_ascii_lowercase())
        });
        match ct {
            Some(ct) if ct.contains("json") => true,
            Some(_) => false,
            None => serde_json::from_slice::<serde_json::Value>(&self.body).is_ok(),
        }
    }

    /// The failure this reply means, if any: a 401 or 403 (after the one
    /// refresh and retry) is [`Error::TokenRejected`] (exit 4), any other
    /// status outside 2xx an error (exit 1) naming the status and the URL.
    pub fn error(&self, api_url: &str) -> Option<Error> {
        let head = self.heads.last()?;
        match head.status {
            200..=299 => None,
            401 | 403 => Some(Error::TokenRejected {
                api_url: api_url.to_string(),
                status: head.status,
            }),
            s @ 300..=399 => {
                let location = head
                    .headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("location"))
                    // Where, not what it carries: the query may hold a secret.
                    .map(|(_, v)| v.split(['?', '#']).next().unwrap_or_default().to_string());
                Some(Error::other(
                    format!(
                        "HTTP {s} {} ({} {}): {}; keyward does not follow redirects, so the token never goes elsewhere",
                        head.reason,
                        self.method,
                        crate::text::printable(&head.url, 300),
                        match &location {
                            Some(l) => format!("it redirected to {}", crate::text::printable(l, 300)),
                            None => "it redirected without saying where".into(),
                        }
                    ),
                    None,
                    Some("call the address it names with its own path (for another API URL, log in there and pass -h), or fix the path".into()),
                ))
            }
            s => {
                let hint = match s {
                    404 => {
                        "check the path and the method (see {bin} api --help); the body above is the server's answer"
                    }
                    400 | 409 | 422 => {
                        "check the fields you sent; the body above says what the server objected to"
                    }
                    429 => "the server is limiting requests: wait, then try again",
                    500..=599 => "the server failed; try again later, or tell its operators",
                    _ => "the body above is the server's answer",
                };
                Some(Error::other(
                    format!(
                        "HTTP {s} {} ({} {})",
                        head.reason,
                        self.method,
                        crate::text::printable(&head.url, 300)
                    ),
                    None,
                    Some(hint.into()),
                ))
            }
        }
    }
}

/// Send `req` for `source`'s API URL (reading `@-` or `--input -` from
/// `stdin`), following next-page links when asked.
pub fn call(source: &TokenSource, req: &Request, stdin: &mut dyn Read) -> Result<Reply> {
    let prepared = prepare(source, req, stdin)?;
    crate::rt::block_on(send_all(source, prepared, req.paginate))
}

/// A request checked and ready: nothing has been sent yet.
struct Prepared {
    method: reqwest::Method,
    url: url::Url,
    headers: HeaderMap,
    body: Option<Vec<u8>>,
}

fn prepare(source: &TokenSource, req: &Request, stdin: &mut dyn Read) -> Result<Prepared> {
    let api = source.api_url();
    if req.path.trim().is_empty() {
        return Err(Error::usage(
            "the path is empty",
            Some("give a path such as /api/v1/projects, or a full URL on the API URL".into()),
        ));
    }
    let joined = api.join(&req.path);
    let mut url = url::Url::parse(&joined).map_err(|e| {
        Error::usage(
            format!(
                "`{}` is not a valid path or URL: {e}",
                crate::text::printable(&req.path, 200)
            ),
            Some("give a path such as /api/v1/projects, or a full URL on the API URL".into()),
        )
    })?;
    check_origin(api.as_str(), &url, "the URL")?;
    let mut stdin_used = false;
    let mut read_stdin = |what: &str| -> Result<Vec<u8>> {
        if stdin_used {
            return Err(Error::usage(
                format!("standard input is read once, and {what} asks for it again"),
                Some("give one of them a file: -F key=@file or --input FILE".into()),
            ));
        }
        stdin_used = true;
        read_capped(&mut *stdin, "standard input")
    };
    let mut values = Vec::with_capacity(req.fields.len());
    for f in &req.fields {
        let value = match &f.value {
            FieldValue::Json(v) => v.clone(),
            FieldValue::File(p) => {
                serde_json::Value::String(text_of(read_file(p)?, &p.display().to_string())?)
            }
            FieldValue::Stdin => serde_json::Value::String(text_of(
                read_stdin(&format!("-F {}=@-", f.key))?,
                "standard input",
            )?),
        };
        values.push((f, value));
    }
    let input = match &req.input {
        None => None,
        Some(p) if p.as_os_str() == "-" => Some(read_stdin("--input -")?),
        Some(p) => Some(read_file(p)?),
    };
    let method = match &req.method {
        Some(m) => {
            reqwest::Method::from_bytes(m.to_ascii_uppercase().as_bytes()).map_err(|_| {
                Error::usage(
                    format!("`{}` is not an HTTP method", crate::text::printable(m, 40)),
                    Some("use GET, POST, PUT, PATCH, DELETE or HEAD".into()),
                )
            })?
        }
        None if !values.is_empty() || input.is_some() => reqwest::Method::POST,
        None => reqwest::Method::GET,
    };
    if req.paginate && method != reqwest::Method::GET {
        return Err(Error::usage(
            format!("--paginate follows next-page links with GET, not {method}"),
            Some("drop --paginate, or send the request with GET".into()),
        ));
    }
    // Fields go in the query string for GET (and HEAD) and beside --input;
    // otherwise they are the JSON body.
    let fields_in_query =
        input.is_some() || matches!(method, reqwest::Method::GET | reqwest::Method::HEAD);
    let mut body = input;
    if fields_in_query {
        if !values.is_empty() {
            let mut q = url.query_pairs_mut();
            for (f, v) in &values {
                q.append_pair(&f.key, &fields::query_text(v));
            }
        }
    } else if !values.is_empty() {
        let mut obj = serde_json::Map::new();
        for (f, v) in values {
            fields::insert(&mut obj, &f.key, &f.path, v)?;
        }
        body = Some(serde_json::to_vec(&obj).unwrap_or_default());
    }
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    if body.is_some() {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    for h in &req.headers {
        let (name, value) = parse_header(h)?;
        headers.insert(name, value);
    }
    Ok(Prepared {
        method,
        url,
        headers,
        body,
    })
}

/// `Name: value` from `-H`; Authorization is keyward's to set.
fn parse_header(h: &str) -> Result<(HeaderName, HeaderValue)> {
    let bad = |why: &str| {
        Error::usage(
            format!("the header `{}` {why}", crate::text::printable(h, 80)),
            Some("write it as -H 'Name: value'".into()),
        )
    };
    let (name, value) = h.split_once(':').ok_or_else(|| bad("has no `:`"))?;
    let name =
        HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| bad("has an invalid name"))?;
    if name == AUTHORIZATION {
        return Err(Error::usage(
            "-H may not set Authorization: keyward sends the stored token itself",
            Some("to send another credential, use curl with `-H \"Authorization: …\"`".into()),
        ));
    }
    let value = HeaderValue::from_str(value.trim()).map_err(|_| bad("has an invalid value"))?;
    Ok((name, value))
}

/// Refuse a URL off the API URL's origin: the token never goes there.
fn check_origin(api_url: &str, url: &url::Url, what: &str) -> Result<()> {
    let own = url::Url::parse(api_url).map(|u| u.origin());
    if own.as_ref().is_ok_and(|o| *o == url.origin()) {
        return Ok(());
    }
    let shown = crate::text::printable(url.as_str(), 300);
    let origin = crate::http::origin_of(api_url);
    Err(Error::usage(
        format!(
            "{what} {shown} is not on the API URL's origin ({origin}); keyward sends its token only there, so nothing was sent"
        ),
        Some(format!(
            "give a path (/api/v1/…) or a URL under {origin}; for another API, pass -h with its API URL"
        )),
    ))
}

fn read_file(p: &std::path::Path) -> Result<Vec<u8>> {
    let f = std::fs::File::open(p).map_err(|e| {
        Error::usage(
            format!("cannot read {}: {}", p.display(), e),
            Some("check the file's name and permissions".into()),
        )
    })?;
    read_capped(f, &p.display().to_string())
}

fn read_capped(r: impl Read, what: &str) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.take(MAX_BODY as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| Error::other(format!("cannot read {what}"), Some(e.to_string()), None))?;
    if buf.len() > MAX_BODY {
        return Err(Error::usage(
            format!("{what} is larger than {} MiB", MAX_BODY >> 20),
            Some("send a smaller body".into()),
        ));
    }
    Ok(buf)
}

fn text_of(bytes: Vec<u8>, what: &str) -> Result<String> {
    String::from_utf8(bytes).map_err(|_| {
        Error::usage(
            format!("{what} is not UTF-8 text, so it cannot be a field's value"),
            Some("send binary data with --input FILE".into()),
        )
    })
}

async fn send_all(source: &TokenSource, first: Prepared, paginate: bool) -> Result<Reply> {
    let client = source
        .client_builder()?
        .build()
        .map_err(|e| Error::other("cannot set up the HTTP client", Some(e.to_string()), None))?;
    let method = first.method.to_string();
    let mut heads = Vec::new();
    let mut merge = paginate::Merge::default();
    let mut next = Some(first.url.clone());
    let mut prepared = first;
    while let Some(url) = next.take() {
        if heads.len() == MAX_PAGES {
            return Err(Error::other(
                format!("stopped after {MAX_PAGES} pages: the next-page links did not end"),
                Some(format!("the next page would be {}", crate::text::printable(url.as_str(), 300))),
                Some("fetch fewer pages (a filter or a larger page size), or without --paginate one at a time".into()),
            ));
        }
        let mut req = reqwest::Request::new(prepared.method.clone(), url.clone());
        *req.headers_mut() = prepared.headers.clone();
        if let Some(b) = &prepared.body {
            *req.body_mut() = Some(b.clone().into());
        }
        let resp = source.send(&client, req).await?;
        let (head, body) = read(resp, url.as_str()).await?;
        let ok = (200..300).contains(&head.status);
        if paginate && ok {
            next = next_page(&head, &body, &url, source.api_url().as_str())?;
        }
        heads.push(head);
        if !paginate {
            return Ok(Reply {
                heads,
                body,
                method,
            });
        }
        if !ok {
            // The failing page's own answer is what the user needs to see.
            return Ok(Reply {
                heads,
                body,
                method,
            });
        }
        merge.push(&body);
        prepared.body = None;
    }
    Ok(Reply {
        heads,
        body: merge.finish(),
        method,
    })
}

/// The next page's URL, resolved against this page's, and only on the API
/// URL's origin.
fn next_page(head: &Head, body: &[u8], url: &url::Url, api_url: &str) -> Result<Option<url::Url>> {
    let from_header = head
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("link"))
        .find_map(|(_, v)| paginate::next_from_link_header(v));
    let link = from_header.or_else(|| {
        serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| paginate::next_from_body(&v))
    });
    let Some(link) = link else { return Ok(None) };
    let next = url.join(&link).map_err(|e| {
        Error::other(
            format!("the next-page link `{}` is not a valid URL: {e}", crate::text::printable(&link, 300)),
            None,
            Some("the pages fetched so far were not printed; fetch them one at a time without --paginate".into()),
        )
    })?;
    check_origin(api_url, &next, "the next page").map_err(|e| {
        Error::other(
            e.to_string(),
            None,
            Some("the server's next-page link leads elsewhere; fetch the pages one at a time without --paginate".into()),
        )
    })?;
    Ok(Some(next))
}

async fn read(mut resp: reqwest::Response, url: &str) -> Result<(Head, Vec<u8>)> {
    let status = resp.status();
    let head = Head {
        url: url.to_string(),
        version: format!("{:?}", resp.version()),
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or("").to_string(),
        headers: resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
    };
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| Error::from(crate::http::error_from(url, &e)))?
    {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(Error::other(
                format!(
                    "the answer of {} is larger than {} MiB",
                    crate::text::printable(url, 300),
                    MAX_BODY >> 20
                ),
                None,
                Some("ask for less (a filter, a smaller page size)".into()),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((head, body))
}
