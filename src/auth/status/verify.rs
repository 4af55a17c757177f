//! `auth status --verify`: each unexpired token is sent to its API's
//! profile endpoint, all at once. Never refreshes, never writes a credential.

use super::model::{Environment, Problem, capitalize, login_command};
use crate::api_url::ApiUrl;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::session::Session;

/// What the profile endpoint said of one token.
enum Verdict {
    Accepted,
    Rejected(u16),
    /// No verdict: why, and what to do.
    NoAnswer(String, Option<String>),
}

/// Send `token` to `api_url`'s profile endpoint (with `X-Tenant` when a
/// tenant is in effect). Never refreshes, never writes a credential.
async fn ask(session: Session, api_url: ApiUrl, token: Secret, tenant: Option<String>) -> Verdict {
    let no_answer = |e: Error| {
        let what = match e.cause() {
            Some(c) => format!("{e}: {c}"),
            None => e.to_string(),
        };
        Verdict::NoAnswer(what, e.hint_for(&session.platform))
    };
    let http = match session.http_client(&api_url) {
        Ok(h) => h,
        Err(e) => return no_answer(e),
    };
    let ep = match crate::oauth::endpoints::resolve_online(&session, &http, &api_url).await {
        Ok(ep) => ep,
        Err(e) => return no_answer(e.into()),
    };
    match crate::profile::fetch(&http, &api_url, &ep.profile_url, &token, tenant.as_deref()).await {
        Ok(_) => Verdict::Accepted,
        Err(Error::TokenRejected { status, .. }) => Verdict::Rejected(status),
        Err(e) => no_answer(e),
    }
}

/// One token to ask about: where its verdict goes, and the question.
#[derive(Clone)]
struct Job {
    /// The environment's index.
    env: usize,
    /// The account's index; `None` for the environment token.
    account: Option<usize>,
    api_url: ApiUrl,
    token: Secret,
    tenant: Option<String>,
}

/// `--verify`: ask, all at once, about every unexpired token shown, and
/// record the verdicts and their problems.
pub(crate) fn verify(session: &Session, environments: &mut [Environment]) -> Result<()> {
    let mut jobs: Vec<Job> = Vec::new();
    for (i, e) in environments.iter().enumerate() {
        let Ok(u) = ApiUrl::parse(&e.api_url) else {
            continue;
        };
        let job = |account, token: &Secret| Job {
            env: i,
            account,
            api_url: u.clone(),
            token: token.clone(),
            tenant: e.tenant.clone(),
        };
        if let Some(t) = &e.env_token {
            jobs.push(job(None, &t.secret));
        }
        for (j, a) in e.accounts.iter().enumerate() {
            if !a.expired {
                jobs.push(job(Some(j), &a.secret));
            }
        }
    }
    if jobs.is_empty() {
        return Ok(());
    }
    let questions = jobs.clone();
    let session2 = session.clone();
    let verdicts = crate::rt::block_on(async move {
        let mut set = tokio::task::JoinSet::new();
        for (n, q) in questions.into_iter().enumerate() {
            let s = session2.clone();
            set.spawn(async move { (n, ask(s, q.api_url, q.token, q.tenant).await) });
        }
        let mut out: Vec<Option<Verdict>> = Vec::new();
        out.resize_with(set.len(), || None);
        while let Some(joined) = set.join_next().await {
            if let Ok((n, v)) = joined
                && let Some(slot) = out.get_mut(n)
            {
                *slot = Some(v);
            }
        }
        Ok(out)
    })?;
    for (job, verdict) in jobs.into_iter().zip(verdicts) {
        let Some(e) = environments.get_mut(job.env) else {
            continue;
        };
        let login = login_command(session, &job.api_url, e.default);
        let fix_rejected = match (&e.env_token, job.account) {
            (Some(t), None) => {
                format!("Set {} to a token the API accepts, or unset it", t.variable)
            }
            _ => format!("To log in again, run: {login}"),
        };
        let (verified, problem) = match verdict {
            Some(Verdict::Accepted) => (Some(true), None),
            Some(Verdict::Rejected(status)) => (
                Some(false),
                Some(Problem::error(
                    "token_rejected",
                    format!("the server rejected the token (HTTP {status})"),
                    Some(fix_rejected),
                )),
            ),
            Some(Verdict::NoAnswer(why, hint)) => (
                None,
                Some(Problem::error(
                    "not_verified",
                    format!("could not check the token: {why}"),
                    hint.map(|h| capitalize(&h)),
                )),
            ),
            None => (
                None,
                Some(Problem::error(
                    "not_verified",
                    "could not check the token: the check did not finish".into(),
                    Some(format!(
                        "Run `{} auth status --verify` again",
                        session.platform.name
                    )),
                )),
            ),
        };
        let (slot, problems) = match job.account {
            Some(j) => match e.accounts.get_mut(j) {
                Some(a) => (&mut a.verified, &mut a.problems),
                None => continue,
            },
            None => match &mut e.env_token {
                Some(t) => (&mut t.verified, &mut t.problems),
                None => continue,
            },
        };
        *slot = verified;
        problems.extend(problem);
    }
    Ok(())
}
