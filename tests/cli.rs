//! One integration test binary: every test runs the real `keyward` binary
//! against real components (a private gnome-keyring, local HTTP servers,
//! oidc-provider and Chromium).

mod common;
mod suite;
