mod config;
mod docs;
mod lifecycle;
mod login;
mod oauth;
mod store;
mod tenants;
