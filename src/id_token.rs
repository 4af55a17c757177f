//! Where a federated login gets its CI job's ID token, as the record keeps
//! it: the source (never the token), the audience asked for, and the
//! token type the exchange names. The token itself is fetched again at
//! every exchange (see [`crate::federation`]).

use serde::{Deserialize, Serialize};

/// RFC 8693 token type of an OpenID Connect ID token.
pub const ID_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id_token";
/// RFC 8693 token type of a JWT.
pub const JWT_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
/// RFC 8693's grant type.
pub const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// Where the CI ID token comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum IdTokenSource {
    /// GitHub Actions: `ACTIONS_ID_TOKEN_REQUEST_URL`, asked with the
    /// bearer `ACTIONS_ID_TOKEN_REQUEST_TOKEN` (both read at each exchange).
    GithubActions,
    /// An environment variable (GitLab's `id_tokens:`, CircleCI's
    /// `CIRCLE_OIDC_TOKEN_V2`).
    Env {
        /// Its name.
        variable: String,
    },
    /// A command that prints the token (`buildkite-agent oidc
    /// request-token`), run with `sh -c`.
    Command {
        /// The command line.
        command: String,
    },
    /// A file, read again at each exchange (Kubernetes projected
    /// service-account tokens, SPIFFE JWT-SVIDs rotate in place).
    File {
        /// Its absolute path.
        path: String,
    },
}

impl IdTokenSource {
    /// "GitHub Actions", "$KEYWARD_ID_TOKEN", "`cmd`", "/path".
    pub fn describe(&self) -> String {
        match self {
            IdTokenSource::GithubActions => "GitHub Actions".into(),
            IdTokenSource::Env { variable } => format!("${variable}"),
            IdTokenSource::Command { command } => format!("the command `{command}`"),
            IdTokenSource::File { path } => format!("the file {path}"),
        }
    }
}

/// What a federated login keeps to exchange again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Federation {
    /// Where the ID token comes from.
    pub source: IdTokenSource,
    /// The audience the ID token is requested for (GitHub Actions), or
    /// that it is expected to carry.
    pub audience: String,
    /// `subject_token_type` of the exchange.
    pub subject_token_type: String,
}

/// The flags and variables that name a source, as `auth login
/// --federated` reads them.
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    /// `--id-token-env NAME`.
    pub env: Option<String>,
    /// `--id-token-command CMD`.
    pub command: Option<String>,
    /// `--id-token-file PATH`.
    pub file: Option<String>,
    /// The platform's default variable (`KEYWARD_ID_TOKEN`).
    pub default_env: String,
}

/// Why no source could be chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoSource {
    /// Nothing names one.
    Nothing,
    /// GitHub Actions without `permissions: id-token: write`.
    GithubWithoutPermission,
    /// More than one flag.
    Several,
}

/// The source: a flag wins; else GitHub Actions' request variables; else
/// the platform's default variable when it is set. `lookup` reads the
/// environment.
pub fn choose(
    w: &Wanted,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<IdTokenSource, NoSource> {
    let set = |v: &str| lookup(v).is_some_and(|x| !x.trim().is_empty());
    let flags = [w.env.is_some(), w.command.is_some(), w.file.is_some()];
    if flags.iter().filter(|f| **f).count() > 1 {
        return Err(NoSource::Several);
    }
    if let Some(v) = &w.env {
        return Ok(IdTokenSource::Env {
            variable: v.trim().to_string(),
        });
    }
    if let Some(c) = &w.command {
        return Ok(IdTokenSource::Command { command: c.clone() });
    }
    if let Some(p) = &w.file {
        return Ok(IdTokenSource::File { path: p.clone() });
    }
    if set("ACTIONS_ID_TOKEN_REQUEST_URL") && set("ACTIONS_ID_TOKEN_REQUEST_TOKEN") {
        return Ok(IdTokenSource::GithubActions);
    }
    if set(&w.default_env) {
        return Ok(IdTokenSource::Env {
            variable: w.default_env.clone(),
        });
    }
    if lookup("GITHUB_ACTIONS").as_deref() == Some("true")
        || set("ACTIONS_ID_TOKEN_REQUEST_URL")
        || set("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    {
        return Err(NoSource::GithubWithoutPermission);
    }
    Err(NoSource::Nothing)
}

/// The claims of a JWT that messages use, read without checking the
/// signature (the server checks it): `exp`, `aud`. `None` when `token` is
/// not a JWT.
pub fn peek(token: &str) -> Option<Peeked> {
    use base64::Engine as _;
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let aud = match v.get("aud") {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    Some(Peeked {
        exp: v.get("exp").and_then(serde_json::Value::as_i64),
        aud,
    })
}

/// What [`peek`] reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peeked {
    /// Expiry, Unix seconds.
    pub exp: Option<i64>,
    /// Audiences.
    pub aud: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let v: Vec<(String, String)> = vars
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        move |k| v.iter().find(|(a, _)| a == k).map(|(_, b)| b.clone())
    }

    fn wanted() -> Wanted {
        Wanted {
            default_env: "KEYWARD_ID_TOKEN".into(),
            ..Wanted::default()
        }
    }

    #[test]
    fn flags_win_then_github_then_the_default_variable() {
        let gh = [
            ("ACTIONS_ID_TOKEN_REQUEST_URL", "http://x"),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "t"),
            ("KEYWARD_ID_TOKEN", "j"),
        ];
        let mut w = wanted();
        assert_eq!(choose(&w, &env(&gh)), Ok(IdTokenSource::GithubActions));
        assert_eq!(
            choose(&w, &env(&gh[2..])),
            Ok(IdTokenSource::Env {
                variable: "KEYWARD_ID_TOKEN".into()
            })
        );
        w.file = Some("/var/run/token".into());
        assert_eq!(
            choose(&w, &env(&gh)),
            Ok(IdTokenSource::File {
                path: "/var/run/token".into()
            })
        );
        w.env = Some("CIRCLE_OIDC_TOKEN_V2".into());
        assert_eq!(choose(&w, &env(&gh)), Err(NoSource::Several));
    }

    #[test]
    fn nothing_or_github_without_permission() {
        assert_eq!(choose(&wanted(), &env(&[])), Err(NoSource::Nothing));
        assert_eq!(
            choose(&wanted(), &env(&[("GITHUB_ACTIONS", "true")])),
            Err(NoSource::GithubWithoutPermission)
        );
    }

    #[test]
    fn records_keep_the_source_never_a_token() {
        let f = Federation {
            source: IdTokenSource::Env {
                variable: "CI_JOB_JWT".into(),
            },
            audience: "https://api.example.com".into(),
            subject_token_type: ID_TOKEN_TYPE.into(),
        };
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(
            json,
            r#"{"source":{"kind":"env","variable":"CI_JOB_JWT"},"audience":"https://api.example.com","subject_token_type":"urn:ietf:params:oauth:token-type:id_token"}"#
        );
        assert_eq!(serde_json::from_str::<Federation>(&json).unwrap(), f);
    }

    #[test]
    fn peeks_at_expiry_and_audience() {
        use base64::Engine as _;
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let t = format!("{}.{}.sig", b("{}"), b(r#"{"exp":5,"aud":["a","b"]}"#));
        assert_eq!(
            peek(&t),
            Some(Peeked {
                exp: Some(5),
                aud: vec!["a".into(), "b".into()]
            })
        );
        assert_eq!(peek("not-a-jwt"), None);
        assert_eq!(peek("a.b.c.d"), None);
    }
}
