//! Which account of an API URL a command uses: the one asked for
//! (`-u/--user`, `{ENV}_USER`), else the per-project pin's `user` when that
//! account is stored, else the active one (the last login or `auth
//! switch`), else the newest login. A USER matches an account's key, its
//! email (in any case) or its name.

use crate::api_url::ApiUrl;
use crate::error::{Error, Result};
use crate::session::{Session, Source};
use crate::store::Stored;

/// The stored login a command for `api_url` uses, or
/// [`Error::NotLoggedIn`] (and, for a USER that matches no stored account,
/// an authentication error naming the accounts there are).
pub fn stored(session: &Session, api_url: &ApiUrl) -> Result<Stored> {
    let chain = session.stores()?;
    let not_logged_in = || Error::NotLoggedIn {
        api_url: api_url.to_string(),
        unsearched: chain.unsearched(),
    };
    if let Some((user, source)) = session.user() {
        let all = chain.accounts(api_url.as_str())?;
        return match pick(&all, &user, &source, api_url)? {
            Some(s) => Ok(s.clone()),
            None if all.is_empty() => Err(not_logged_in()),
            None => Err(no_such_account(api_url, &user, &source, &all)),
        };
    }
    if let Some(s) = pinned(session, api_url)? {
        return Ok(s);
    }
    if let Some(key) = chain.active(api_url.as_str())
        && let Some(s) = chain.get(&key)?
        && s.record.api_url == api_url.as_str()
    {
        return Ok(s);
    }
    let all = chain.accounts(api_url.as_str())?;
    let newest = all
        .into_iter()
        .max_by_key(|s| s.record.created_at)
        .ok_or_else(not_logged_in)?;
    chain.set_active(api_url.as_str(), Some(&newest.key));
    Ok(newest)
}

/// The account the per-project pin names, when it is stored; a pin that
/// names an account not stored is passed over with a notice.
fn pinned(session: &Session, api_url: &ApiUrl) -> Result<Option<Stored>> {
    let Some((user, source)) = session.pinned_user(api_url)? else {
        return Ok(None);
    };
    let chain = session.stores()?;
    // An account key: one read, no listing.
    let direct = crate::record::store_key(api_url.as_str(), Some(&user));
    if let Some(s) = chain.get(&direct)? {
        return Ok(Some(s));
    }
    let all = chain.accounts(api_url.as_str())?;
    match pick(&all, &user, &source, api_url)? {
        Some(s) => Ok(Some(s.clone())),
        None => {
            if !all.is_empty() {
                chain.notice(format!(
                    "`{user}` ({source}) is not stored for {api_url}: the active account is used"
                ));
            }
            Ok(None)
        }
    }
}

/// Where the account in use comes from, when something other than the
/// login or `auth switch` picked it: `-u`, `{ENV}_USER` or a pin.
pub fn chosen_by(session: &Session, api_url: &ApiUrl, used: &Stored) -> Option<Source> {
    if let Some((_, source)) = session.user() {
        return Some(source);
    }
    let (user, source) = session.pinned_user(api_url).ok().flatten()?;
    let matches = used.record.account() == Some(user.as_str())
        || pick(std::slice::from_ref(used), &user, &source, api_url)
            .ok()
            .flatten()
            .is_some();
    matches.then_some(source)
}

/// The active account of `api_url` whatever `-u` or `{ENV}_USER` pick:
/// the one the login index names, else the newest login. `None` when
/// nothing is stored.
pub fn active(session: &Session, api_url: &ApiUrl, all: &[Stored]) -> Option<Stored> {
    let chain = session.stores().ok()?;
    chain
        .active(api_url.as_str())
        .and_then(|k| all.iter().find(|s| s.key == k))
        .or_else(|| all.iter().max_by_key(|s| s.record.created_at))
        .cloned()
}

/// The account of `accounts` that `user` names: by key, else by email (in
/// any case), name or login name. More than one match is a usage error
/// listing them.
pub fn pick<'a>(
    accounts: &'a [Stored],
    user: &str,
    source: &Source,
    api_url: &ApiUrl,
) -> Result<Option<&'a Stored>> {
    if let Some(s) = accounts
        .iter()
        .find(|s| s.record.account() == Some(user) || s.key == user)
    {
        return Ok(Some(s));
    }
    let same = |v: Option<&str>| v.is_some_and(|v| v.eq_ignore_ascii_case(user));
    let found: Vec<&Stored> = accounts
        .iter()
        .filter(|s| {
            let u = &s.record.user;
            let local = u
                .email
                .as_deref()
                .and_then(|e| e.split_once('@'))
                .map(|(l, _)| l);
            same(u.email.as_deref())
                || same(u.name.as_deref())
                || same(u.login.as_deref())
                || (!user.contains('@') && same(local))
        })
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        many => Err(Error::usage(
            format!(
                "`{user}` ({}) matches {} accounts of {api_url}:\n{}",
                describe_source(source),
                many.len(),
                list(many.iter().copied())
            ),
            Some(format!(
                "name one by its account key: `-u {}`",
                many.first()
                    .and_then(|s| s.record.account())
                    .unwrap_or_default()
            )),
        )),
    }
}

fn describe_source(source: &Source) -> String {
    match source {
        Source::Flag(_) => "from -u/--user".into(),
        other => other.to_string(),
    }
}

fn no_such_account(api_url: &ApiUrl, user: &str, source: &Source, all: &[Stored]) -> Error {
    let pick = match source {
        Source::Env(var) => format!("set {var} to one of them, or unset it"),
        _ => "pick a stored account with `-u`".to_string(),
    };
    Error::Auth {
        message: format!(
            "no account `{user}` ({}) is stored for {api_url}; stored:\n{}",
            describe_source(source),
            list(all.iter())
        ),
        hint: Some(format!(
            "log in as {user}: `{{bin}} auth login -h {api_url}`, or {pick}"
        )),
    }
}

/// One line per account, the account ids in a column:
/// "  alice-sub  Alice (alice@example.com)".
pub fn list<'a>(accounts: impl Iterator<Item = &'a Stored>) -> String {
    let rows: Vec<(&str, String)> = accounts
        .map(|s| {
            (
                s.record.account().unwrap_or("(no account id)"),
                s.record.user.display(),
            )
        })
        .collect();
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    rows.iter()
        .map(|(k, d)| format!("  {k:<width$}  {d}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// How an account is named on a command line: its email when it has one
/// and it is unique among `accounts`, else its account key.
pub fn short_name(s: &Stored, accounts: &[Stored]) -> String {
    let u = &s.record.user;
    for v in [&u.login, &u.email, &u.name].into_iter().flatten() {
        let unique = accounts
            .iter()
            .filter(|o| {
                let ou = &o.record.user;
                [&ou.login, &ou.email, &ou.name]
                    .into_iter()
                    .flatten()
                    .any(|x| x.eq_ignore_ascii_case(v))
            })
            .count()
            == 1;
        if unique && !v.contains(char::is_whitespace) {
            return v.clone();
        }
    }
    s.record.account().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Record, RecordKind, User};
    use crate::secret::Secret;
    use crate::store::Location;

    fn acct(id: &str, email: &str, name: &str) -> Stored {
        let mut r = Record::new(
            &ApiUrl::parse("https://a.test").unwrap(),
            RecordKind::Token,
            Secret::new("t"),
        );
        r.user = User {
            id: Some(id.into()),
            email: Some(email.into()),
            name: Some(name.into()),
            login: None,
        };
        Stored {
            key: r.key(),
            record: r,
            location: Location::Keychain,
        }
    }

    fn url() -> ApiUrl {
        ApiUrl::parse("https://a.test").unwrap()
    }

    #[test]
    fn user_matches_key_email_in_any_case_or_name() {
        let all = [
            acct("sub-a", "alice@x.test", "Alice"),
            acct("sub-b", "bob@x.test", "Bob"),
        ];
        let src = Source::Flag("--user".into());
        let p = |u: &str| pick(&all, u, &src, &url()).unwrap().map(|s| s.key.clone());
        assert_eq!(p("sub-b").as_deref(), Some("https://a.test#sub-b"));
        assert_eq!(p("ALICE@x.test").as_deref(), Some("https://a.test#sub-a"));
        assert_eq!(p("bob").as_deref(), Some("https://a.test#sub-b"));
        // the email's local part, as people type a user name
        assert_eq!(p("Alice").as_deref(), Some("https://a.test#sub-a"));
        assert_eq!(p("carol"), None);
        assert_eq!(p("alice@other.test"), None, "a whole email must match");
    }

    #[test]
    fn an_ambiguous_user_is_a_usage_error_listing_the_accounts() {
        let all = [
            acct("sub-a", "alice@work.test", "Alice"),
            acct("sub-b", "alice@home.test", "Alice"),
        ];
        let e = pick(&all, "alice", &Source::Env("KEYWARD_USER".into()), &url()).unwrap_err();
        assert_eq!(e.exit_code(), crate::error::exit::USAGE);
        let t = e.to_string();
        assert!(t.contains("sub-a") && t.contains("sub-b"), "{t}");
        assert!(t.contains("KEYWARD_USER"), "{t}");
    }

    #[test]
    fn short_names_are_unique_and_shell_safe() {
        let all = [
            acct("sub-a", "alice@x.test", "Alice Smith"),
            acct("sub-b", "bob@x.test", "Bob"),
        ];
        assert_eq!(short_name(&all[0], &all), "alice@x.test");
        let same = [
            acct("sub-a", "a@x.test", "A"),
            acct("sub-b", "a@x.test", "B"),
        ];
        assert_eq!(short_name(&same[0], &same), "A");
    }
}
