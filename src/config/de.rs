//! Serde readers for config.toml values: each applies its kind's check
//! (see [`super::keys`]) and fails with the words that follow the key's name
//! in the error ("must be a string"); the loader adds the key.

use super::keys::{check_path, check_text, split_list};
use crate::api_url::{ApiUrl, check_endpoint};
use crate::input::InputError;
use crate::record::check_tenant;
use crate::store::StoreMode;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use toml::Value;

fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        _ => Err(D::Error::custom("must be a string")),
    }
}

fn checked<'de, D: Deserializer<'de>, T>(
    d: D,
    check: impl FnOnce(&str) -> Result<T, InputError>,
) -> Result<Option<T>, D::Error> {
    let s = string(d)?;
    check(s.trim())
        .map(Some)
        .map_err(|e| D::Error::custom(format!("is invalid: {e}")))
}

pub fn api_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ApiUrl>, D::Error> {
    checked(d, ApiUrl::parse)
}

pub fn tenant<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    checked(d, |s| check_tenant(s).map(str::to_string))
}

pub fn store_mode<'de, D: Deserializer<'de>>(d: D) -> Result<Option<StoreMode>, D::Error> {
    checked(d, |s| {
        StoreMode::parse(s).ok_or_else(|| InputError::new("use auto, keychain or file", None))
    })
}

pub fn endpoint<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    checked(d, |s| check_endpoint("endpoint URL", s))
}

pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    checked(d, |s| check_text(s).map(str::to_string))
}

pub fn seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let v = match Value::deserialize(d)? {
        Value::Float(f) => f,
        Value::Integer(i) => i as f64,
        _ => return Err(D::Error::custom("must be a number of seconds")),
    };
    if super::keys::seconds_in_range(v) {
        Ok(Some(v))
    } else {
        Err(D::Error::custom("must be between 0.001 and 600 seconds"))
    }
}

pub fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    let words: Vec<String> = match Value::deserialize(d)? {
        Value::String(s) => split_list(&s),
        Value::Array(a) => a
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(D::Error::custom("must be a list of strings")),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(D::Error::custom("must be a list of strings")),
    };
    for w in &words {
        check_text(w).map_err(|e| D::Error::custom(e.message))?;
    }
    Ok(Some(words))
}

pub fn ports<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u16>>, D::Error> {
    let Value::Array(a) = Value::deserialize(d)? else {
        return Err(D::Error::custom("must be a list of port numbers"));
    };
    a.into_iter()
        .map(|v| match v {
            Value::Integer(p) if (1..=65535).contains(&p) => Ok(p as u16),
            _ => Err(D::Error::custom("must be a list of port numbers (1-65535)")),
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

pub fn path<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    checked(d, check_path)
}

pub fn origins<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    let Some(words) = list(d)? else {
        return Ok(None);
    };
    words
        .iter()
        .map(|w| {
            crate::git::Origin::parse(w)
                .map(|o| o.as_str().to_string())
                .map_err(|e| D::Error::custom(format!("is invalid: {e}")))
        })
        .collect::<Result<_, _>>()
        .map(Some)
}
