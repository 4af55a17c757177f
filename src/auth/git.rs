//! `auth git-credential` and `auth setup-git`: the stored login serves `git
//! clone` and `git push` over HTTPS.
//!
//! [`get`] answers git's `get` for the origins of stored API URLs and of
//! the git hosts config maps to one (`git_hosts`), with a live token
//! (refreshed if needed: the same path as `auth token`). It answers
//! nothing for any other origin, and refuses when git would hand the
//! token to another helper too (see [`crate::git::chain`]). git's `store`
//! and `erase` are never acted on: a 401 from a git server must not log the
//! user out, and a typed password must not replace the token.

use super::token::{Cache, access_token_valid_for};
use crate::api_url::ApiUrl;
use crate::error::{Error, Result};
use crate::git::chain::{self, Chain};
use crate::git::setup::{helper_command, install};
use crate::git::{Answer, DEFAULT_USERNAME, Origin, Request};
use crate::session::{Session, Source};
use std::path::Path;
use std::time::Duration;

/// The API URLs whose login may answer for `origin`, most wanted first:
/// the default API URL, then those config maps `origin` to
/// (`git_hosts`), then the stored ones on that origin.
pub fn api_urls_for(session: &Session, origin: &Origin) -> Result<Vec<ApiUrl>> {
    let mut found: Vec<ApiUrl> = Vec::new();
    let mut add = |u: ApiUrl| {
        if !found.contains(&u) {
            found.push(u);
        }
    };
    let default = session.api_url_if_any(None)?.map(|(u, _)| u);
    if let Some(d) = &default
        && (Origin::of_api_url(d) == *origin || maps(session, d, origin))
    {
        add(d.clone());
    }
    for (api_url, hosts) in session.config.git_hosts() {
        if hosts.iter().any(|h| h == origin.as_str()) {
            add(api_url);
        }
    }
    let mut stored: Vec<ApiUrl> = session
        .stores()?
        .list()?
        .into_iter()
        .filter_map(|s| ApiUrl::parse(&s.record.api_url).ok())
        .filter(|u| Origin::of_api_url(u) == *origin)
        .collect();
    stored.sort();
    stored.into_iter().for_each(&mut add);
    // A token for the origin itself from the environment
    // (`{ENV}_TOKEN_<host>`), with nothing stored.
    if let Ok(o) = ApiUrl::parse(origin.as_str())
        && session.env_token(&o)?.is_some()
    {
        add(o);
    }
    Ok(found)
}

fn maps(session: &Session, api_url: &ApiUrl, origin: &Origin) -> bool {
    session
        .host(api_url)
        .git_hosts
        .is_some_and(|h| h.iter().any(|h| h == origin.as_str()))
}

/// The user name git sends with `api_url`'s token: config `git_username`,
/// else `x-access-token`.
pub fn username(session: &Session, api_url: &ApiUrl) -> String {
    session
        .host(api_url)
        .git_username
        .unwrap_or_else(|| DEFAULT_USERNAME.to_string())
}

/// git's `get`: the answer for `request`, or `None` when keyward has
/// nothing to say (another origin, a user name that names no stored
/// account). [`Error::NotLoggedIn`] when the origin is keyward's (mapped
/// by config, or the default API URL's) and nobody is logged in there.
pub fn get(session: &Session, request: &Request) -> Result<Option<Answer>> {
    let (Some(protocol), Some(host)) = (&request.protocol, &request.host) else {
        return Ok(None);
    };
    let Some(origin) = Origin::of_request(protocol, host) else {
        return Ok(None);
    };
    let candidates = api_urls_for(session, &origin)?;
    if candidates.is_empty() {
        // Nothing stored or mapped; but git runs keyward for this origin
        // because `setup-git` set it up there (with --force, or before a
        // logout): say who to log in to, rather than nothing.
        return match set_up_for(&origin) {
            Some(api_url) => Err(Error::NotLoggedIn {
                api_url,
                unsearched: None,
            }),
            None => Ok(None),
        };
    }
    refuse_if_shared(&origin)?;
    let mut not_logged_in = None;
    for api_url in candidates {
        // git's user name picks the account, unless it is the name keyward
        // sends itself (config `git_username`, or x-access-token).
        let own_name = username(session, &api_url);
        let asked = request
            .username
            .as_deref()
            .filter(|u| !u.is_empty() && *u != own_name && *u != DEFAULT_USERNAME);
        let session = match asked {
            None => session.clone(),
            Some(u) => match account_named(session, &api_url, u)? {
                Some(account) => session.clone().with_user(Some(account)),
                None => continue,
            },
        };
        let live =
            match access_token_valid_for(&session, &api_url, &Cache::default(), Duration::ZERO) {
                Ok(t) => t,
                Err(e @ Error::NotLoggedIn { .. }) => {
                    not_logged_in.get_or_insert(e);
                    continue;
                }
                Err(e) => return Err(e),
            };
        // A configured `git_username` is what the server wants, whoever
        // the account; otherwise git's own name is kept.
        let configured = session.host(&api_url).git_username;
        return Ok(Some(Answer {
            username: configured.or(asked.map(str::to_string)).unwrap_or(own_name),
            password: live.token,
            expires_at: live.expires_at,
        }));
    }
    // The origin is keyward's (config maps it, or it is the default API
    // URL's) but nobody is logged in there: say so, then git prompts.
    match not_logged_in {
        Some(e) => Err(e),
        None => Ok(None),
    }
}

/// The origin, as an API URL, when git's config names keyward's helper
/// for exactly `origin` (`credential.<origin>.helper`, as `setup-git`
/// writes it); `None` otherwise, or when git's config cannot be read.
fn set_up_for(origin: &Origin) -> Option<String> {
    let entries = chain::read_entries(None).ok()??;
    entries
        .iter()
        .any(|e| {
            chain::is_ours(&e.value)
                && !e.url.is_empty()
                && Origin::parse(&e.url).ok().as_ref() == Some(origin)
        })
        .then(|| origin.to_string())
}

/// The key of the one stored account of `api_url` that `user` names
/// (`None` for none, or for several).
fn account_named(session: &Session, api_url: &ApiUrl, user: &str) -> Result<Option<String>> {
    let all = session.stores()?.accounts(api_url.as_str())?;
    let source = Source::Flag("git username".into());
    Ok(super::account::pick(&all, user, &source, api_url)
        .ok()
        .flatten()
        .map(|s| s.key.clone()))
}

/// An error when git would hand the token for `origin` to a helper besides
/// keyward's (one configured after keyward's blank line).
fn refuse_if_shared(origin: &Origin) -> Result<()> {
    let Some(entries) = chain::read_entries(None).map_err(|e| {
        Error::other(
            format!("not answering git for {origin}: cannot read git's credential helpers"),
            Some(e),
            Some("check `git config --show-origin --get-regexp credential` runs".into()),
        )
    })?
    else {
        return Ok(());
    };
    let c = Chain::of(&entries, origin);
    match c.others().first() {
        Some((helper, source)) if c.has_ours() => Err(Error::other(
            format!(
                "not answering git for {origin}: git would also hand the token to the credential helper `{}` ({}), which may save it in plain text",
                crate::text::printable(helper, 80),
                crate::text::printable(source, 200),
            ),
            None,
            Some(shared_hint(source)),
        )),
        _ => Ok(()),
    }
}

/// What removes a helper set where `source` (git's `--show-origin`) says:
/// `setup-git` again for one in the global file, whose lines it rewrites
/// at the end; otherwise the helper itself must go, as it is read after
/// the global file (a repository's config, `git -c`).
pub fn shared_hint(source: &str) -> String {
    // A file ~/.gitconfig includes is read where it is included: `setup-git`
    // moves keyward's lines after it too.
    if chain::is_global_source(source) || chain::scope_of(source).as_deref() == Some("global") {
        "run `{bin} auth setup-git` again (it puts keyward's helper after the others), or remove that helper".into()
    } else if source.starts_with("command line") {
        "drop that `-c credential.helper=...` (or GIT_CONFIG_PARAMETERS) from the git command: it comes after ~/.gitconfig, where `setup-git` writes".into()
    } else {
        let file = source.strip_prefix("file:").unwrap_or(source);
        format!(
            "remove that helper from {} (`git config --file {} --unset-all credential.helper`, or the credential.<url>.helper that names it): it is read after ~/.gitconfig, so `setup-git` cannot cut it off",
            crate::text::printable(file, 200),
            crate::text::printable(file, 200)
        )
    }
}

/// One origin `auth setup-git` wrote keyward's helper for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Configured {
    /// The git origin.
    pub origin: Origin,
    /// The API URL whose login answers for it.
    pub api_url: ApiUrl,
    /// Another helper git would still hand the token to (then keyward's
    /// helper refuses to answer), with where it is set.
    pub shared_with: Option<(String, String)>,
}

/// `auth setup-git`: write keyward's helper, run as `exe`, into the global
/// git config for every stored API URL's origin and the git hosts mapped to
/// it; with `api_url`, for that one only, which must be logged in unless
/// `force`.
pub fn setup(
    session: &Session,
    api_url: Option<&ApiUrl>,
    force: bool,
    exe: &Path,
) -> Result<Vec<Configured>> {
    let api_urls = match api_url {
        Some(u) => {
            if !force && !logged_in(session, u)? {
                return Err(Error::Auth {
                    message: format!("not logged in to {u}: git would get no token from keyward"),
                    hint: Some(format!(
                        "log in first (`{{bin}} auth login -h {u}`), or add --force to set up git now and log in later"
                    )),
                });
            }
            vec![u.clone()]
        }
        None => {
            let mut all: Vec<ApiUrl> = session
                .stores()?
                .list()?
                .into_iter()
                .filter_map(|s| ApiUrl::parse(&s.record.api_url).ok())
                .collect();
            if let Some(t) = session.env_token_target()?
                && session.env_token(&t)?.is_some()
            {
                all.push(t);
            }
            all.sort();
            all.dedup();
            if all.is_empty() {
                return Err(Error::Auth {
                    message: "not logged in to any API: there is no login for git to use".into(),
                    hint: Some(
                        "run `{bin} auth login`, then this again (or name one with `-h URL --force`)".into(),
                    ),
                });
            }
            all
        }
    };
    let command = helper_command(exe);
    let mut done: Vec<Configured> = Vec::new();
    for u in &api_urls {
        let mut origins = vec![Origin::of_api_url(u)];
        for h in session.host(u).git_hosts.unwrap_or_default() {
            origins.extend(Origin::parse(&h).ok());
        }
        for origin in origins {
            if done.iter().any(|c| c.origin == origin) {
                continue;
            }
            install(&origin, &command)?;
            done.push(Configured {
                origin,
                api_url: u.clone(),
                shared_with: None,
            });
        }
    }
    if let Ok(Some(entries)) = chain::read_entries(None) {
        for c in &mut done {
            let chain = Chain::of(&entries, &c.origin);
            c.shared_with = chain.others().first().map(|o| (*o).clone());
        }
    }
    Ok(done)
}

fn logged_in(session: &Session, api_url: &ApiUrl) -> Result<bool> {
    Ok(session.env_token(api_url)?.is_some()
        || !session.stores()?.accounts(api_url.as_str())?.is_empty())
}
