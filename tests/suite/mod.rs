mod config;
mod docs;
mod login;
mod store;
mod tenants;
