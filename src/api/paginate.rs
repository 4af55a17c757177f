//! `keyward api --paginate`: where the next page is, and the pages merged
//! into one answer.
//!
//! The next page is the `Link` header's `rel="next"` (RFC 8288, as GitHub
//! and most REST APIs send it), else the body's `links.next` (Laravel's API
//! resources, JSON:API) or `next_page_url` (Laravel's paginator).
//!
//! Merging: pages that are JSON arrays become one array; pages that are
//! objects with a `data` array become the first page's object with `data`
//! holding every page's items (its other fields, such as `meta` or
//! `current_page`, are the first page's). Other pages are written one
//! after the other, as they came.

use serde_json::Value;

/// The URL of `rel="next"` in a `Link` header value, as written (it may be
/// relative to the page's URL).
pub fn next_from_link_header(value: &str) -> Option<String> {
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        let inner = rest.strip_prefix('<')?;
        let end = inner.find('>')?;
        let target = inner.get(..end)?;
        rest = inner.get(end + 1..)?;
        // The parameters run to the next comma outside quotes.
        let (params, after) = split_params(rest);
        rest = after;
        if params.iter().any(|(name, value)| {
            name.eq_ignore_ascii_case("rel")
                && value
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("next"))
        }) {
            return Some(target.trim().to_string());
        }
        if rest.is_empty() {
            return None;
        }
    }
}

/// `; name=value; name="quoted, value"` up to the comma that ends the link.
fn split_params(s: &str) -> (Vec<(String, String)>, &str) {
    let mut params = Vec::new();
    let mut rest = s;
    loop {
        rest = rest.trim_start_matches([' ', '\t']);
        let Some(after_semi) = rest.strip_prefix(';') else {
            // A comma (or the end) ends this link.
            let next = rest
                .find(',')
                .map_or("", |i| rest.get(i + 1..).unwrap_or(""));
            return (params, next);
        };
        let p = after_semi.trim_start_matches([' ', '\t']);
        let name_end = p.find(['=', ';', ',']).unwrap_or(p.len());
        let name = p.get(..name_end).unwrap_or("").trim().to_string();
        let mut after = p.get(name_end..).unwrap_or("");
        let mut value = String::new();
        if let Some(v) = after.strip_prefix('=') {
            let v = v.trim_start_matches([' ', '\t']);
            if let Some(q) = v.strip_prefix('"') {
                let mut escaped = false;
                let mut end = q.len();
                for (i, c) in q.char_indices() {
                    match c {
                        _ if escaped => {
                            value.push(c);
                            escaped = false;
                        }
                        '\\' => escaped = true,
                        '"' => {
                            end = i + 1;
                            break;
                        }
                        _ => value.push(c),
                    }
                }
                after = q.get(end..).unwrap_or("");
            } else {
                let end = v.find([';', ',']).unwrap_or(v.len());
                value = v.get(..end).unwrap_or("").trim().to_string();
                after = v.get(end..).unwrap_or("");
            }
        }
        params.push((name, value));
        rest = after;
    }
}

/// The next page named in a JSON body: `links.next`, else `next_page_url`
/// (a string; `null` or absent means the last page).
pub fn next_from_body(body: &Value) -> Option<String> {
    let from_links = body
        .get("links")
        .and_then(|l| l.get("next"))
        .and_then(Value::as_str);
    from_links
        .or_else(|| body.get("next_page_url").and_then(Value::as_str))
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
}

/// Pages gathered into one answer (see the module's documentation).
#[derive(Debug, Default)]
pub struct Merge {
    shape: Option<Shape>,
    raw: Vec<u8>,
    /// Pages merged into `shape` so far, and the first one as it came
    /// (one page is written unchanged).
    pages: usize,
    first: Vec<u8>,
}

#[derive(Debug)]
enum Shape {
    Array(Vec<Value>),
    Data(Value, Vec<Value>),
    Raw,
}

impl Merge {
    /// Add a page's body.
    pub fn push(&mut self, body: &[u8]) {
        if self.pages == 0 {
            self.first = body.to_vec();
        }
        self.pages += 1;
        let parsed: Option<Value> = serde_json::from_slice(body).ok();
        match (&mut self.shape, parsed) {
            (None, Some(Value::Array(items))) => self.shape = Some(Shape::Array(items)),
            (None, Some(Value::Object(mut obj)))
                if obj.get("data").is_some_and(Value::is_array) =>
            {
                let items = match obj.insert("data".into(), Value::Null) {
                    Some(Value::Array(items)) => items,
                    _ => Vec::new(),
                };
                self.shape = Some(Shape::Data(Value::Object(obj), items));
            }
            (Some(Shape::Array(all)), Some(Value::Array(items))) => all.extend(items),
            (Some(Shape::Data(_, all)), Some(Value::Object(mut obj))) => {
                if let Some(Value::Array(items)) = obj.remove("data") {
                    all.extend(items);
                }
            }
            _ => {
                // Not mergeable: what came before (as it came, when it was
                // one page), then this page, as text.
                if !matches!(self.shape, Some(Shape::Raw)) {
                    self.raw = match self.pages {
                        1 => Vec::new(),
                        2 => std::mem::take(&mut self.first),
                        _ => self.serialize(),
                    };
                    self.shape = Some(Shape::Raw);
                }
                if !self.raw.is_empty() && !self.raw.ends_with(b"\n") {
                    self.raw.push(b'\n');
                }
                self.raw.extend_from_slice(body);
            }
        }
    }

    /// The merged body.
    pub fn finish(mut self) -> Vec<u8> {
        if self.pages == 1 && !matches!(self.shape, Some(Shape::Raw)) {
            return self.first;
        }
        self.serialize()
    }

    fn serialize(&mut self) -> Vec<u8> {
        match self.shape.take() {
            None => Vec::new(),
            Some(Shape::Raw) => std::mem::take(&mut self.raw),
            Some(Shape::Array(items)) => serde_json::to_vec(&items).unwrap_or_default(),
            Some(Shape::Data(mut first, items)) => {
                if let Value::Object(obj) = &mut first {
                    obj.insert("data".into(), Value::Array(items));
                }
                serde_json::to_vec(&first).unwrap_or_default()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn link_headers_as_servers_send_them() {
        let github = r#"<https://api.x.test/repos?page=2>; rel="next", <https://api.x.test/repos?page=5>; rel="last""#;
        assert_eq!(
            next_from_link_header(github).as_deref(),
            Some("https://api.x.test/repos?page=2")
        );
        let last_first = r#"<https://a.test/p?page=9>; rel="last", </p?page=3>; rel="next""#;
        assert_eq!(
            next_from_link_header(last_first).as_deref(),
            Some("/p?page=3")
        );
        assert_eq!(
            next_from_link_header(r#"<b>; rel="prev next"; title="a, b""#).as_deref(),
            Some("b")
        );
        assert_eq!(
            next_from_link_header(r#"<a>; title="x, rel=next", <b>; REL=Next"#).as_deref(),
            Some("b")
        );
        assert_eq!(next_from_link_header(r#"<a>; rel="prev""#), None);
        assert_eq!(next_from_link_header(""), None);
        assert_eq!(next_from_link_header("garbage"), None);
        assert_eq!(next_from_link_header("<unterminated; rel=next"), None);
    }

    #[test]
    fn body_links_of_laravel_resources_and_paginators() {
        assert_eq!(
            next_from_body(&json!({"data": [], "links": {"next": "https://a/p?page=2"}}))
                .as_deref(),
            Some("https://a/p?page=2")
        );
        assert_eq!(
            next_from_body(&json!({"data": [], "next_page_url": "/p?page=3"})).as_deref(),
            Some("/p?page=3")
        );
        assert_eq!(
            next_from_body(&json!({"data": [], "links": {"next": null}})),
            None
        );
        assert_eq!(next_from_body(&json!({"next_page_url": ""})), None);
        assert_eq!(next_from_body(&json!([1, 2])), None);
    }

    fn merged(pages: &[&str]) -> String {
        let mut m = Merge::default();
        for p in pages {
            m.push(p.as_bytes());
        }
        String::from_utf8(m.finish()).unwrap()
    }

    #[test]
    fn arrays_join_and_data_pages_merge_their_data() {
        assert_eq!(merged(&["[1,2]", "[3]", "[]"]), "[1,2,3]");
        assert_eq!(
            merged(&[
                r#"{"data":[{"id":1}],"meta":{"page":1},"zeta":0}"#,
                r#"{"data":[{"id":2}],"meta":{"page":2}}"#
            ]),
            r#"{"data":[{"id":1},{"id":2}],"meta":{"page":1},"zeta":0}"#
        );
        // One page is written as it came.
        assert_eq!(merged(&["plain text"]), "plain text");
        assert_eq!(merged(&["[1, 2]"]), "[1, 2]");
        // Pages that do not merge are written one after the other.
        assert_eq!(merged(&["[1]", r#"{"a": 1}"#]), "[1]\n{\"a\": 1}");
        assert_eq!(merged(&["x", "y\n", "z"]), "x\ny\nz");
    }
}
