//! `api`: an authenticated request to the platform, printed as `gh api`
//! prints it.

use super::color;
use super::target::{Account, Target};
use super::ui::stdout_error;
use crate::api::{Reply, Request, fields::Field};
use crate::error::Result;
use crate::platform::Platform;
use crate::token_source::TokenSource;
use clap::Args;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// `keyward api PATH`.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:
  keyward api /api/v1/profile
  keyward api projects --paginate
  keyward api projects -f name=demo -F private=true
  keyward api -X PATCH projects/42 -F archived=true
  keyward api projects/42 -X DELETE --silent
  keyward api search -f q='name:demo' -f per_page=100      # GET: fields are the query
  echo '{\"name\": \"demo\"}' | keyward api projects --input -
  keyward api -i projects -H 'Accept: application/vnd.acme+json'
  keyward api projects --tenant globex -u bot
  keyward api projects/42 --json 2> error.json      # a failure as JSON on stderr

PATH is joined to the API URL as keyward joins every path: with the API URL
https://api.example.com/api/v1, both /api/v1/projects and projects reach
https://api.example.com/api/v1/projects. A full URL is accepted only on the
API URL's own origin; the token is never sent anywhere else.

Exit status: 0 for a 2xx answer; 4 when the API answers 401 or 403 (after
one refresh and retry); 1 for any other status (the body is still printed).")]
pub struct ApiArgs {
    /// The path (/api/v1/projects, or projects) or a full URL on the API URL's origin.
    #[arg(value_name = "PATH")]
    pub path: String,
    /// The HTTP method (default GET, or POST when fields or --input are given).
    #[arg(short = 'X', long, value_name = "METHOD")]
    pub method: Option<String>,
    /// Add a header, or replace one of keyward's (not Authorization). Repeatable.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// A string field. Repeatable. JSON body, or the query string for GET.
    #[arg(short = 'f', long = "raw-field", value_name = "KEY=VALUE")]
    pub raw_fields: Vec<String>,
    /// A typed field: true, false, null and integers become JSON values; @FILE reads a file,
    /// @- standard input. Repeatable.
    #[arg(short = 'F', long = "field", value_name = "KEY=VALUE")]
    pub typed_fields: Vec<String>,
    /// The request body from FILE, or standard input with `-`. Fields then go in the query string.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// Print the status line and the response headers before the body.
    #[arg(short = 'i', long)]
    pub include: bool,
    /// Follow the next-page links (Link header, or the body's links.next or next_page_url)
    /// and merge the pages: arrays into one array, {data: [...]} pages into one data array.
    #[arg(long)]
    pub paginate: bool,
    /// Do not print the body.
    #[arg(long)]
    pub silent: bool,
    /// Report a failure (also an HTTP error status) as one JSON object on stderr; the body
    /// is printed as always.
    #[arg(long)]
    pub json: bool,
    /// The environment.
    #[command(flatten)]
    pub target: Target,
    /// The account.
    #[command(flatten)]
    pub account: Account,
}

pub(super) fn run(platform: Platform, args: ApiArgs) -> Result<()> {
    if args.json {
        super::ui::set_json_errors(true);
    }
    let mut fields = Vec::with_capacity(args.raw_fields.len() + args.typed_fields.len());
    for f in &args.raw_fields {
        fields.push(Field::parse(f, false)?);
    }
    for f in &args.typed_fields {
        fields.push(Field::parse(f, true)?);
    }
    let req = Request {
        method: args.method,
        path: args.path,
        headers: args.headers,
        fields,
        input: args.input,
        paginate: args.paginate,
    };
    let session = super::debug::load_session(platform)?.with_user(args.account.user);
    let source =
        TokenSource::new(session, args.target.api_url.as_deref())?.with_tenant(args.target.tenant);
    let reply = crate::api::call(&source, &req, &mut std::io::stdin().lock());
    super::ui::warn_all(&source.take_warnings());
    let reply = reply?;
    print(&reply, args.include, args.silent)?;
    match reply.error(source.api_url().as_str()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The heads (with `-i`) and the body: for people (a terminal, or
/// `CLICOLOR_FORCE`) JSON is pretty-printed and coloured and all text made
/// safe to show; otherwise the bytes are written as they came.
fn print(reply: &Reply, include: bool, silent: bool) -> Result<()> {
    let terminal = std::io::stdout().is_terminal();
    let colour = color::stdout_colour();
    let for_people = terminal || colour;
    let mut out = std::io::stdout().lock();
    let mut text = Vec::new();
    if include {
        for h in &reply.heads {
            text.extend_from_slice(format!("{} {} {}\n", h.version, h.status, h.reason).as_bytes());
            for (k, v) in &h.headers {
                text.extend_from_slice(format!("{k}: {v}\n").as_bytes());
            }
            text.push(b'\n');
        }
        if for_people {
            text = color::text_for_people(&text).into_bytes();
        }
    }
    if !silent && !reply.body.is_empty() {
        if !for_people {
            text.extend_from_slice(&reply.body);
        } else if let Some(v) = reply
            .is_json()
            .then(|| serde_json::from_slice::<serde_json::Value>(&reply.body).ok())
            .flatten()
        {
            text.extend(color::json_for_people(&v, colour));
        } else {
            let shown = color::text_for_people(&reply.body);
            text.extend_from_slice(shown.as_bytes());
            if !shown.ends_with('\n') {
                text.push(b'\n');
            }
        }
    }
    out.write_all(&text)
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}
