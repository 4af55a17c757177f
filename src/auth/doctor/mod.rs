//! `auth doctor`: what stands between this machine and a working login,
//! one check at a time, each with what to do about it. It reports and never
//! changes anything: no store is written (no probe item is ever stored in
//! the keychain), no permission is tightened, no token is refreshed, and
//! discovery neither reads nor writes its cache.
//!
//! The checks, in order (their `id`s):
//!
//! - `keychain`: the OS keychain answers (why not: no D-Bus session bus, no
//!   Secret Service, a locked or missing default collection, no answer in
//!   `keychain_timeout`); not used with `credential_store = "file"`;
//! - `credentials_file`: `credentials.json`, when there is one, is 0600 in a
//!   0700 directory and is JSON;
//! - `config`: `config.toml` parses (else where it does not) and has no key
//!   keyward does not know; `config_permissions`: only you can change it;
//! - `api_url`: the API URL answers at all (any HTTP status);
//! - `discovery`: what the server's metadata says (issuer, endpoints), or
//!   which endpoints are used without it;
//! - `token`: the API accepts the token (the environment token when one
//!   applies, else the stored login) at its profile endpoint;
//! - `clock`: the local clock is within a minute of the server's `Date`;
//! - `callback_ports`: each loopback port of a browser login is free.
//!
//! `api_url`, `discovery`, `clock` and the server's verdict on the token
//! need the network: `offline` skips them, and says so.

mod check;
mod clock;
mod local;
mod network;

pub use check::{Check, Report, Status};
pub use clock::{MAX_SKEW_SECS, parse_http_date, skew};

use crate::api_url::ApiUrl;
use crate::config::{Config, Paths};
use crate::error::Result;
use crate::platform::Platform;
use crate::session::Session;

/// What `auth doctor` is asked.
#[derive(Clone, Default)]
pub struct Options<'a> {
    /// `-h`: the API URL (else the default one).
    pub api_url: Option<&'a str>,
    /// `--tenant`: sent as `X-Tenant` with the token.
    pub tenant: Option<&'a str>,
    /// `--offline`: no network.
    pub offline: bool,
    /// Where HTTP traces and diagnostics go.
    pub trace: Option<crate::trace::Sink>,
}

/// Run every check for `platform`. config.toml is read here rather than
/// by [`Session::load`], so that one that does not parse is reported (the
/// other checks then run with the defaults) instead of ending the command.
/// Errors only for what leaves nothing to check: no config directory can
/// be found, or `-h` (or `{ENV}_API_URL`) is not an API URL.
pub fn run(platform: Platform, options: &Options<'_>) -> Result<Report> {
    let paths = Paths::resolve(&platform)?;
    let (config, broken) = match Config::load_unchecked(&paths) {
        Ok(c) => (c, None),
        Err(e) => (Config::parse(paths.config_file(), "")?, Some(e)),
    };
    let session = Session::new(platform, paths, config).with_trace(options.trace.clone());
    let api_url = session.api_url_if_any(options.api_url)?.map(|(u, _)| u);
    Ok(report(&session, api_url.as_ref(), broken.as_ref(), options))
}

fn report(
    session: &Session,
    api_url: Option<&ApiUrl>,
    broken: Option<&crate::config::ConfigError>,
    options: &Options<'_>,
) -> Report {
    let mut checks = vec![local::keychain(session)];
    let (file, loose) = local::credentials_file(session);
    checks.push(file);
    checks.push(local::config(session, broken));
    checks.push(local::config_permissions(session));
    checks.extend(network::checks(
        session,
        &network::Ask {
            api_url,
            tenant: options.tenant,
            offline: options.offline,
            config_broken: broken.is_some(),
            credentials_loose: loose,
        },
    ));
    checks.push(local::callback_ports(session, api_url));
    Report {
        api_url: api_url.map(ApiUrl::to_string),
        ok: checks.iter().all(|c| c.status != Status::Fail),
        checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_check_comes_in_order_and_only_a_failed_one_fails_the_report() {
        let dir = tempfile::tempdir().unwrap();
        // the keychain is not asked in a unit test
        let config = Config::parse(
            dir.path().join("config.toml"),
            "credential_store = \"file\"\n",
        )
        .unwrap();
        let session = Session::new(
            Platform::keyward(),
            Paths {
                dir: dir.path().to_path_buf(),
            },
            config,
        );
        let r = report(
            &session,
            None,
            None,
            &Options {
                offline: true,
                ..Options::default()
            },
        );
        // the API URL is unknown: that check fails, the ones needing it
        // skip, and so does the keychain in file mode
        let status = |id: &str| r.checks.iter().find(|c| c.id == id).unwrap().status;
        assert_eq!(status("api_url"), Status::Fail);
        assert_eq!(status("keychain"), Status::Skip);
        for id in ["discovery", "token", "clock"] {
            assert_eq!(status(id), Status::Skip, "{id}");
        }
        assert!(!r.ok);
        let ids: Vec<&str> = r.checks.iter().map(|c| c.id).collect();
        assert_eq!(
            ids,
            [
                "keychain",
                "credentials_file",
                "config",
                "config_permissions",
                "api_url",
                "discovery",
                "token",
                "clock",
                "callback_ports"
            ]
        );
    }
}
