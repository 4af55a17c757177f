//! `--approve URL` (and `--deny URL`): a browser that answers for the
//! person. keyward runs it as its `BROWSER` with the authorization URL
//! (or a person runs it with a device verification URL): it loads the
//! page, submits the consent form with Approve (or Deny) and follows the
//! redirects, so the answer reaches keyward's loopback callback over real
//! HTTP, exactly as a browser would deliver it.

use crate::pages::escape;
use std::time::Duration;

/// One HTML form: where it goes and what it sends.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Form {
    pub method: String,
    pub action: String,
    /// Hidden inputs.
    pub fields: Vec<(String, String)>,
    /// The values of its `decision` buttons.
    pub decisions: Vec<String>,
}

/// The attributes of one tag's inside (`input type="hidden" name="x"`).
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag.split_once(char::is_whitespace).map_or("", |(_, r)| r);
    loop {
        rest = rest.trim_start();
        let end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        if end == 0 {
            return out;
        }
        let name = rest[..end].to_ascii_lowercase();
        rest = &rest[end..];
        let value = if let Some(after) = rest.trim_start().strip_prefix('=') {
            let after = after.trim_start();
            let (value, next) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let inner = &after[1..];
                    let close = inner.find(q).unwrap_or(inner.len());
                    (&inner[..close], inner.get(close + 1..).unwrap_or(""))
                }
                _ => {
                    let close = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..close], &after[close..])
                }
            };
            rest = next;
            unescape(value)
        } else {
            String::new()
        };
        out.push((name, value));
    }
}

/// Undo [`escape`] (and the numeric form of the quote).
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// The first form of `html` with a `decision` button.
pub fn find_form(html: &str) -> Option<Form> {
    let mut form: Option<Form> = None;
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let end = after.find('>')?;
        let tag = after[..end].trim_end_matches('/').trim();
        rest = &after[end + 1..];
        let name = tag
            .split(char::is_whitespace)
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let attr = |attrs: &[(String, String)], key: &str| {
            attrs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        match (name.as_str(), form.as_mut()) {
            ("form", _) => {
                let a = attributes(tag);
                form = Some(Form {
                    method: attr(&a, "method").to_ascii_lowercase(),
                    action: attr(&a, "action"),
                    ..Form::default()
                });
            }
            ("/form", Some(f)) if !f.decisions.is_empty() => return form,
            ("/form", _) => form = None,
            ("input", Some(f)) => {
                let a = attributes(tag);
                if attr(&a, "type") == "hidden" {
                    f.fields.push((attr(&a, "name"), attr(&a, "value")));
                }
            }
            ("button", Some(f)) => {
                let a = attributes(tag);
                if attr(&a, "name") == "decision" {
                    f.decisions.push(attr(&a, "value"));
                }
            }
            _ => {}
        }
    }
    None
}

/// The page's first heading and paragraph, to say what it said.
fn gist(html: &str) -> String {
    let text = |open: &str, close: &str| {
        html.split_once(open)
            .and_then(|(_, r)| r.split_once(close))
            .map(|(t, _)| {
                let mut plain = String::new();
                let mut in_tag = false;
                for c in t.chars() {
                    match c {
                        '<' => in_tag = true,
                        '>' => in_tag = false,
                        c if !in_tag => plain.push(c),
                        _ => {}
                    }
                }
                unescape(plain.trim())
            })
            .unwrap_or_default()
    };
    format!("{} {}", text("<h1>", "</h1>"), text("<p>", "</p>"))
        .trim()
        .to_string()
}

/// Load `url`, press `decision` on its consent form, follow the answer.
/// Returns what the last page said.
async fn answer(client: &reqwest::Client, url: &str, decision: &str) -> Result<String, String> {
    let get = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("could not load {url}: {e}"))?;
    let page_url = get.url().clone();
    let status = get.status();
    let html = get
        .text()
        .await
        .map_err(|e| format!("could not read {url}: {e}"))?;
    let Some(form) = find_form(&html).filter(|f| f.method == "post") else {
        return Err(format!(
            "{} answered {status} without a consent form: {}",
            page_url.path(),
            gist(&html)
        ));
    };
    if !form.decisions.iter().any(|d| d == decision) {
        return Err(format!("the consent form has no {decision} button"));
    }
    let action = page_url.join(&form.action).map_err(|e| {
        format!(
            "the consent form's action `{}` is not a URL: {e}",
            form.action
        )
    })?;
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form.fields.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .append_pair("decision", decision)
        .finish();
    let done = client
        .post(action.clone())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| format!("could not send the consent form to {action}: {e}"))?;
    let (status, landed) = (done.status(), done.url().clone());
    let html = done.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(format!(
            "{} answered {status}: {}",
            landed.path(),
            gist(&html)
        ));
    }
    Ok(format!("{} ({landed})", gist(&html)))
}

/// When the answer never reached the client: tell it, at the redirect URI
/// of the authorization URL, so that the login fails at once with the
/// reason instead of waiting for its timeout.
async fn tell_client(client: &reqwest::Client, url: &url::Url, why: &str) {
    let q = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let (Some(redirect), Some(state)) = (q("redirect_uri"), q("state")) else {
        return;
    };
    let Ok(mut back) = url::Url::parse(&redirect) else {
        return;
    };
    if back.host_str() != Some("127.0.0.1") {
        return;
    }
    back.query_pairs_mut()
        .append_pair("error", "try_it_browser_failed")
        .append_pair("error_description", &format!("try-it --approve: {why}"))
        .append_pair("state", &state)
        .append_pair("iss", url.origin().ascii_serialization().as_str());
    let _ = client.get(back).send().await;
}

/// `--approve URL` / `--deny URL`: exit code 0 when the answer was
/// delivered. Only loopback addresses are answered.
pub fn run(url: &str, approve: bool) -> i32 {
    let decision = if approve { "approve" } else { "deny" };
    let parsed = match url::Url::parse(url) {
        Ok(u) if u.scheme() == "http" && u.host_str() == Some("127.0.0.1") => u,
        _ => {
            eprintln!(
                "error: try-it --{decision} answers only this machine's try-it server (http://127.0.0.1:…), not `{}`",
                escape(url)
            );
            eprintln!("Solution: pass the URL keyward printed for a try-it server.");
            return 2;
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::limited(5))
        .build();
    let (runtime, client) = match (runtime, client) {
        (Ok(r), Ok(c)) => (r, c),
        (Err(e), _) => return fail(decision, &format!("cannot start a runtime: {e}")),
        (_, Err(e)) => return fail(decision, &format!("cannot build an HTTP client: {e}")),
    };
    runtime.block_on(async {
        match answer(&client, url, decision).await {
            Ok(said) => {
                println!("try-it --{decision}: {said}");
                0
            }
            Err(why) => {
                tell_client(&client, &parsed, &why).await;
                fail(decision, &why)
            }
        }
    })
}

fn fail(decision: &str, why: &str) -> i32 {
    eprintln!("error: try-it --{decision}: {why}");
    eprintln!(
        "Solution: open the URL in a browser and answer the page yourself, or start the login again."
    );
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_consent_form_of_the_servers_pages() {
        let t = crate::provider::Ticket::for_tests("a\"b&c");
        let form = find_form(&crate::pages::consent("tk-1&<", &t)).unwrap();
        assert_eq!(form.method, "post");
        assert_eq!(form.action, crate::pages::CONSENT_PATH);
        assert_eq!(form.fields, [("ticket".to_string(), "tk-1&<".to_string())]);
        assert_eq!(form.decisions, ["approve", "deny"]);
        // The device entry page's form (GET, no decision) is no consent form.
        assert_eq!(find_form(&crate::pages::device_entry(None)), None);
    }

    #[test]
    fn reads_attributes_in_any_quoting() {
        assert_eq!(
            attributes(r#"input type=hidden name='a b' value="x&amp;y" disabled"#),
            [
                ("type".to_string(), "hidden".to_string()),
                ("name".into(), "a b".into()),
                ("value".into(), "x&y".into()),
                ("disabled".into(), String::new()),
            ]
        );
    }

    #[test]
    fn says_what_a_page_said() {
        let page = crate::pages::message("No <way>", "Because & why.");
        assert_eq!(gist(&page), "No <way> Because & why.");
    }

    #[test]
    fn answers_only_loopback_urls() {
        assert_eq!(run("https://example.com/oauth/authorize", true), 2);
        assert_eq!(run("not a url", false), 2);
    }
}
