mod config;
mod docs;
mod layout;
mod lifecycle;
mod login;
mod oauth;
mod store;
mod tenants;
