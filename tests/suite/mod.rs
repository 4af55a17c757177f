mod config;
mod login;
mod store;
mod tenants;
