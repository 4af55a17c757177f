//! The server's HTML pages: consent, the device verification page, and
//! the pages that say what happened. Small self-contained documents (inline
//! CSS, no scripts); every value they show is HTML-escaped.

use crate::account::{USER_EMAIL, USER_NAME};
use crate::device::{Pending, VERIFICATION_PATH};
use crate::provider::Ticket;

/// Where the consent form is posted.
pub const CONSENT_PATH: &str = "/oauth/consent";

/// `text` safe inside HTML text and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What a scope lets the client do, for the consent page.
fn scope_text(scope: &str) -> &'static str {
    match scope {
        "read" => "read your profile and your tenants' data",
        "write" => "change your tenants' data",
        "offline_access" => "stay signed in (a refresh token) until you log out",
        _ => "an unknown permission",
    }
}

fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · keyward try-it</title>
<style>
body{{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0}}
main{{max-width:30rem;margin:4rem auto;background:#fff;border-radius:.6rem;padding:2rem;box-shadow:0 1px 4px #0002}}
h1{{font-size:1.3rem;margin-top:0}} code{{background:#eef0f4;padding:0 .2rem;border-radius:.2rem}}
.note{{color:#5a6275;font-size:.9rem}} ul{{padding-left:1.2rem}}
button{{font-size:1rem;padding:.55rem 1.3rem;border-radius:.4rem;border:1px solid #8a93a6;background:#fff;cursor:pointer;margin-right:.5rem}}
button.primary{{background:#2456d6;border-color:#2456d6;color:#fff}}
input[type=text]{{font-size:1.2rem;padding:.4rem;width:10rem;letter-spacing:.1rem;text-transform:uppercase}}
</style></head>
<body><main>
{body}
<p class="note">keyward try-it: a development server on this machine; nothing leaves it.</p>
</main></body></html>
"#,
        title = escape(title),
    )
}

fn scope_list(scope: &[String]) -> String {
    scope
        .iter()
        .map(|s| format!("<li><code>{}</code>: {}</li>", escape(s), scope_text(s)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The approve/deny buttons every consent form ends with.
const BUTTONS: &str = r#"<p><button class="primary" type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button></p>"#;

/// The consent page of an authorization request.
pub fn consent(ticket_id: &str, t: &Ticket) -> String {
    let body = format!(
        r#"<h1>Authorize {client}</h1>
<p><strong>{client}</strong> (client <code>{client_id}</code>) wants to act as
<strong>{user}</strong> ({email}) on this server. It asks to:</p>
<ul>
{scopes}
</ul>
<form method="post" action="{action}">
<input type="hidden" name="ticket" value="{ticket}">
{BUTTONS}
</form>
<p class="note">Either way, your browser goes back to <code>{redirect}</code>.</p>"#,
        client = escape(&t.client_name),
        client_id = escape(&t.client_id),
        user = escape(USER_NAME),
        email = escape(USER_EMAIL),
        scopes = scope_list(&t.scope),
        action = CONSENT_PATH,
        ticket = escape(ticket_id),
        redirect = escape(&t.redirect_uri),
    );
    page(&format!("Authorize {}", t.client_name), &body)
}

/// The verification page: where to type the code a device shows.
pub fn device_entry(problem: Option<&str>) -> String {
    let problem = problem
        .map(|p| format!("<p><strong>{}</strong></p>\n", escape(p)))
        .unwrap_or_default();
    let body = format!(
        r#"<h1>Connect a device</h1>
{problem}<p>Type the code your terminal shows.</p>
<form method="get" action="{VERIFICATION_PATH}">
<p><input type="text" name="user_code" placeholder="BCDF-GHJK" autocomplete="off" autofocus>
<button class="primary" type="submit">Continue</button></p>
</form>"#
    );
    page("Connect a device", &body)
}

/// The consent page of a device login.
pub fn device_consent(p: &Pending) -> String {
    let body = format!(
        r#"<h1>Authorize {client}</h1>
<p>Check that your terminal shows <strong><code>{code}</code></strong>.</p>
<p><strong>{client}</strong> wants to act as <strong>{user}</strong> ({email}) on this server. It asks to:</p>
<ul>
{scopes}
</ul>
<form method="post" action="{VERIFICATION_PATH}">
<input type="hidden" name="user_code" value="{code}">
{BUTTONS}
</form>"#,
        client = escape(&p.client_name),
        code = escape(&p.user_code),
        user = escape(USER_NAME),
        email = escape(USER_EMAIL),
        scopes = scope_list(&p.scope),
    );
    page(&format!("Authorize {}", p.client_name), &body)
}

/// After a device login was answered.
pub fn device_done(approved: bool) -> String {
    if approved {
        message(
            "Device connected",
            "You approved the login: go back to your terminal, it finishes there.",
        )
    } else {
        message(
            "Login denied",
            "You denied the login: your terminal says so. Nothing was granted.",
        )
    }
}

/// A page that only says something.
pub fn message(title: &str, text: &str) -> String {
    page(
        title,
        &format!("<h1>{}</h1>\n<p>{}</p>", escape(title), escape(text)),
    )
}

/// `/`: what this server is and where its endpoints are.
pub fn index(issuer: &str, metadata_path: &str, profile_path: &str) -> String {
    let link = |path: &str| {
        format!(
            r#"<li><a href="{path}"><code>{path}</code></a></li>"#,
            path = escape(path)
        )
    };
    let body = format!(
        r#"<h1>keyward try-it server</h1>
<p>An OAuth 2.0 authorization server and API for trying keyward at <code>{issuer}</code>.
Log in with <code>keyward auth login -h {host} --client-id keyward-try-it</code>.</p>
<ul>
{metadata}
{device}
<li><code>{profile}</code> (needs a Bearer token)</li>
</ul>"#,
        issuer = escape(issuer),
        host = escape(issuer.trim_start_matches("http://")),
        metadata = link(metadata_path),
        device = link(VERIFICATION_PATH),
        profile = escape(profile_path),
    );
    page("keyward try-it server", &body)
}
