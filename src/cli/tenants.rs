//! `tenants list|use`.

use super::debug::load_session;
use super::target::{Host, Target};
use super::ui::success;
use crate::error::Result;
use crate::platform::Platform;
use clap::Subcommand;
use std::io::Write;

/// `tenants` subcommands.
#[derive(Debug, Subcommand)]
#[command(
    after_help = "Examples:\n  keyward tenants list\n  keyward tenants use acme\n  keyward tenants list -h staging.example.com --json"
)]
pub enum TenantsCommand {
    /// List the tenants your login can use; the current one is marked with `*`.
    #[command(after_help = "Examples:\n  keyward tenants list\n  keyward tenants list --json")]
    List {
        /// The environment.
        #[command(flatten)]
        target: Target,
        /// Print JSON; errors as JSON on stderr.
        #[arg(long)]
        json: bool,
    },
    /// Make SLUG the default tenant of an API URL (-h, else the default one): config.toml's
    /// `[hosts."<api_url>"].tenant`; other API URLs keep theirs.
    #[command(
        after_help = "Examples:\n  keyward tenants use acme\n  keyward tenants use globex -h staging.example.com"
    )]
    Use {
        /// The environment.
        #[command(flatten)]
        target: Host,
        /// The tenant's slug.
        slug: String,
    },
}

pub(super) fn run(platform: Platform, cmd: TenantsCommand) -> Result<()> {
    let mut session = load_session(platform)?;
    match cmd {
        TenantsCommand::List { target: g, json } => {
            let (api_url, _) = session.api_url(g.api_url.as_deref())?;
            let l = crate::auth::tenants::list(&session, &api_url, g.tenant.as_deref())?;
            let mut out = String::new();
            if json {
                out = serde_json::to_string_pretty(&l).unwrap_or_default();
                out.push('\n');
            } else if l.tenants.is_empty() {
                out.push_str(&format!(
                    "No tenants are known for {}: the profile listed none.\n",
                    l.api_url
                ));
                if let Some(c) = &l.current {
                    out.push_str(&format!("Current tenant: {c}\n"));
                }
            } else {
                for t in &l.tenants {
                    let mark = if l.current.as_deref() == Some(t.slug.as_str()) {
                        "*"
                    } else {
                        " "
                    };
                    match &t.name {
                        Some(n) => out.push_str(&format!("{mark} {}\t{n}\n", t.slug)),
                        None => out.push_str(&format!("{mark} {}\n", t.slug)),
                    }
                }
            }
            write!(std::io::stdout(), "{out}").map_err(super::ui::stdout_error)
        }
        TenantsCommand::Use { target: g, slug } => {
            let api_url = session.api_url(g.api_url.as_deref()).ok().map(|(u, _)| u);
            crate::auth::tenants::use_tenant(&mut session, api_url.as_ref(), &slug)?;
            let scope = match &api_url {
                Some(u) => format!("for {u}"),
                None => "for every API URL".to_string(),
            };
            success(&format!(
                "Default tenant {scope} is now {slug} ({})",
                session.config.path().display()
            ));
            Ok(())
        }
    }
}
