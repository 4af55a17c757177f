//! Options every command takes.

use clap::Args;

/// `--api-url` and `--tenant`, accepted by every command.
#[derive(Debug, Clone, Default, Args)]
pub struct GlobalArgs {
    /// API URL of the environment (default: KEYWARD_API_URL, then config `api_url`).
    #[arg(long, global = true, value_name = "URL")]
    pub api_url: Option<String>,
    /// Tenant slug sent as X-Tenant (default: KEYWARD_TENANT, config `tenant`, then the login's).
    #[arg(long, global = true, value_name = "SLUG")]
    pub tenant: Option<String>,
}
