//! `auth switch`: make another stored account of an API URL the active one
//! (and, when asked, that API URL the default).

use super::env::{Action, refuse_if_env_token};
use crate::api_url::ApiUrl;
use crate::config::ConfigEdit;
use crate::error::{Error, Result};
use crate::session::{Session, Source};
use crate::store::Stored;

/// The accounts `auth switch` chooses among.
#[derive(Debug)]
pub struct Accounts {
    /// Every account stored for the API URL, sorted by store key.
    pub all: Vec<Stored>,
    /// The active one.
    pub active: Option<Stored>,
}

/// Every account stored for `api_url` and the active one. Refused where an
/// environment token applies to `api_url`; nothing stored is
/// [`Error::NotLoggedIn`].
pub fn accounts(session: &Session, api_url: &ApiUrl) -> Result<Accounts> {
    refuse_if_env_token(session, api_url, Action::Switch)?;
    let chain = session.stores()?;
    let mut all = chain.accounts(api_url.as_str())?;
    if all.is_empty() {
        return Err(Error::NotLoggedIn {
            api_url: api_url.to_string(),
            unsearched: chain.unsearched(),
        });
    }
    all.sort_by(|a, b| a.key.cmp(&b.key));
    let active = super::account::active(session, api_url, &all);
    Ok(Accounts { all, active })
}

impl Accounts {
    /// The account `user` names (see [`super::account::pick`]); one that
    /// names none is a usage error listing the accounts.
    pub fn named(&self, api_url: &ApiUrl, user: &str) -> Result<&Stored> {
        let source = Source::Flag("--user".into());
        super::account::pick(&self.all, user, &source, api_url)?.ok_or_else(|| {
            Error::usage(
                format!(
                    "no account `{user}` is stored for {api_url}; stored:\n{}",
                    super::account::list(self.all.iter())
                ),
                Some(format!(
                    "pass one of them with -u, or log in as {user}: `{{bin}} auth login -h {api_url}`"
                )),
            )
        })
    }

    /// The account to switch to without `-u`: the other one, when there
    /// are two. `Err`: only one is stored (exit 1); `Ok(None)`: more than
    /// two, someone must choose.
    pub fn toggled(&self, api_url: &ApiUrl) -> Result<Option<&Stored>> {
        let active = self.active.as_ref().map(|s| s.key.as_str());
        match self.all.as_slice() {
            [only] => Err(Error::other(
                format!(
                    "only one account is stored for {api_url} ({}): there is none to switch to",
                    only.record.user.display()
                ),
                None,
                Some(format!(
                    "log in as another account: `{{bin}} auth login -h {api_url}`"
                )),
            )),
            [a, b] => Ok(Some(if Some(a.key.as_str()) == active { b } else { a })),
            _ => Ok(None),
        }
    }

    /// The usage error for several accounts and nobody to choose.
    pub fn choose_error(&self, api_url: &ApiUrl) -> Error {
        Error::usage(
            format!(
                "{} accounts are stored for {api_url}: say which one to switch to\n{}",
                self.all.len(),
                super::account::list(self.all.iter())
            ),
            Some(format!(
                "pass `-u USER`, e.g. `{{bin}} auth switch -u {}`",
                self.all
                    .first()
                    .map(|s| super::account::short_name(s, &self.all))
                    .unwrap_or_default()
            )),
        )
    }
}

/// What `switch` did.
#[derive(Debug)]
pub struct SwitchOutcome {
    /// The account now active (display form).
    pub to: String,
    /// The one active before, when it was another.
    pub from: Option<String>,
    /// True when `api_url` was made the default API URL.
    pub saved_default: bool,
    /// Notices.
    pub warnings: Vec<String>,
}

/// Make `to` the active account of `api_url`; with `make_default`, also
/// save `api_url` as the default API URL in config.toml.
pub fn switch(
    session: &mut Session,
    api_url: &ApiUrl,
    accounts: &Accounts,
    to: &Stored,
    make_default: bool,
) -> Result<SwitchOutcome> {
    let chain = session.stores()?;
    chain.set_active(api_url.as_str(), Some(&to.key));
    let mut warnings = chain.take_warnings();
    let from = accounts
        .active
        .as_ref()
        .filter(|a| a.key != to.key)
        .map(|a| a.record.user.display());
    let mut saved_default = false;
    if make_default && session.config.api_url().as_ref() != Some(api_url) {
        let mut edit = ConfigEdit::open(&session.paths)?;
        edit.set("api_url", api_url.as_str(), None)?;
        session.config = edit.save()?;
        saved_default = true;
    }
    if let Some((user, source)) = session.user()
        && matches!(source, Source::Env(_))
    {
        let picks = super::account::pick(&accounts.all, &user, &source, api_url)
            .ok()
            .flatten();
        if picks.is_none_or(|p| p.key != to.key) {
            warnings.push(format!(
                "`{user}` ({source}) still picks the account in this shell: unset it to use the active one"
            ));
        }
    }
    Ok(SwitchOutcome {
        to: to.record.user.display(),
        from,
        saved_default,
        warnings,
    })
}
