//! The fields of `keyward api`, as `gh api` takes them: `-f key=value`
//! (always a string) and `-F key=value` (typed: `true`, `false`, `null`
//! and integers become JSON values, `@file` is the file's text and `@-`
//! standard input's). A key may nest: `user[name]=x` sets
//! `{"user": {"name": "x"}}`, and `tags[]=a` appends to the array `tags`.

use crate::error::{Error, Result};
use serde_json::{Map, Value};
use std::path::PathBuf;

/// One field, parsed but not yet read (an `@file` is read when the request
/// is built, so that a bad field is reported before any file is opened).
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The key as given (`user[name]`), which is also its query-parameter name.
    pub key: String,
    /// The key's path: `["user", "name"]`; an empty segment (`tags[]`)
    /// appends to an array.
    pub path: Vec<String>,
    /// The value.
    pub value: FieldValue,
}

/// The value of a [`Field`].
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// A JSON value (a string for `-f`).
    Json(Value),
    /// `-F key=@path`: the file's contents, as a string.
    File(PathBuf),
    /// `-F key=@-`: standard input, as a string.
    Stdin,
}

impl Field {
    /// Parse `-f` (`typed == false`) or `-F` (`typed == true`) `KEY=VALUE`.
    pub fn parse(arg: &str, typed: bool) -> Result<Field> {
        let flag = if typed { "-F" } else { "-f" };
        let Some((key, raw)) = arg.split_once('=') else {
            return Err(Error::usage(
                format!("the field `{}` has no `=`", crate::text::printable(arg, 80)),
                Some(format!("write it as {flag} key=value")),
            ));
        };
        let path = key_path(key).ok_or_else(|| {
            Error::usage(
                format!(
                    "the field name `{}` is not valid",
                    crate::text::printable(key, 80)
                ),
                Some(
                    "use a name, optionally with [sub] or [] after it: user[name]=x, tags[]=a"
                        .into(),
                ),
            )
        })?;
        let value = if typed {
            typed_value(raw)
        } else {
            FieldValue::Json(Value::String(raw.to_string()))
        };
        Ok(Field {
            key: key.to_string(),
            path,
            value,
        })
    }
}

/// `-F`'s conversions, as gh's: literal `true`, `false` and `null`, an
/// integer, `@-` and `@path`; anything else is the string itself.
fn typed_value(raw: &str) -> FieldValue {
    match raw {
        "true" => FieldValue::Json(Value::Bool(true)),
        "false" => FieldValue::Json(Value::Bool(false)),
        "null" => FieldValue::Json(Value::Null),
        "@-" => FieldValue::Stdin,
        _ => {
            if let Some(path) = raw.strip_prefix('@') {
                return FieldValue::File(PathBuf::from(path));
            }
            if is_integer(raw)
                && let Ok(n) = raw.parse::<serde_json::Number>()
            {
                return FieldValue::Json(Value::Number(n));
            }
            FieldValue::Json(Value::String(raw.to_string()))
        }
    }
}

/// `-?[0-9]+` without a leading zero (so `007` stays the string "007"),
/// within i64/u64.
fn is_integer(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && (s.parse::<i64>().is_ok() || s.parse::<u64>().is_ok())
}

/// `a[b][]` → `["a", "b", ""]`; `None` for an empty name or unbalanced
/// brackets.
fn key_path(key: &str) -> Option<Vec<String>> {
    let (head, mut rest) = match key.find('[') {
        Some(i) => key.split_at(i),
        None => (key, ""),
    };
    if head.is_empty() || head.contains(']') {
        return None;
    }
    let mut path = vec![head.to_string()];
    while !rest.is_empty() {
        let inner = rest.strip_prefix('[')?;
        let end = inner.find(']')?;
        let (seg, after) = inner.split_at(end);
        if seg.contains('[') {
            return None;
        }
        path.push(seg.to_string());
        rest = after.get(1..)?;
    }
    Some(path)
}

/// Put `value` at `path` in `obj`, creating objects and arrays on the way.
/// A path that contradicts an earlier field (`a=1` then `a[b]=2`) is an
/// error naming the key.
pub fn insert(
    obj: &mut Map<String, Value>,
    key: &str,
    path: &[String],
    value: Value,
) -> Result<()> {
    let conflict = || {
        Error::usage(
            format!(
                "the field `{}` contradicts an earlier one (a value and an object or array under one name)",
                crate::text::printable(key, 80)
            ),
            Some("give each name one shape: user[name]=x and user[email]=y, or user=x".into()),
        )
    };
    let Some((first, rest)) = path.split_first() else {
        return Err(conflict());
    };
    let Some(next) = rest.first() else {
        obj.insert(first.clone(), value);
        return Ok(());
    };
    let slot = obj.entry(first.clone()).or_insert_with(|| {
        if next.is_empty() {
            Value::Array(Vec::new())
        } else {
            Value::Object(Map::new())
        }
    });
    place(slot, rest, value).map_err(|()| conflict())
}

fn place(slot: &mut Value, path: &[String], value: Value) -> std::result::Result<(), ()> {
    let Some((seg, rest)) = path.split_first() else {
        *slot = value;
        return Ok(());
    };
    let fresh = |next: Option<&String>| match next {
        Some(n) if n.is_empty() => Value::Array(Vec::new()),
        Some(_) => Value::Object(Map::new()),
        None => Value::Null,
    };
    match slot {
        Value::Array(items) if seg.is_empty() => {
            items.push(fresh(rest.first()));
            let last = items.last_mut().ok_or(())?;
            place(last, rest, value)
        }
        Value::Object(map) if !seg.is_empty() => {
            let child = map
                .entry(seg.clone())
                .or_insert_with(|| fresh(rest.first()));
            place(child, rest, value)
        }
        _ => Err(()),
    }
}

/// A value as a query parameter: strings as they are, `null` empty, other
/// values as JSON.
pub fn query_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(args: &[(&str, bool)]) -> Result<Value> {
        let mut obj = Map::new();
        for (a, typed) in args {
            let f = Field::parse(a, *typed)?;
            let FieldValue::Json(v) = f.value else {
                panic!("not json")
            };
            insert(&mut obj, &f.key, &f.path, v)?;
        }
        Ok(Value::Object(obj))
    }

    #[test]
    fn raw_fields_are_strings_and_typed_ones_convert_as_gh_does() {
        let v = body(&[
            ("a=true", false),
            ("b=true", true),
            ("c=false", true),
            ("d=null", true),
            ("e=42", true),
            ("f=-7", true),
            ("g=007", true),
            ("h=1.5", true),
            ("i=", true),
            ("j=x=y", false),
            ("k=99999999999999999999999", true),
        ])
        .unwrap();
        assert_eq!(
            v,
            json!({"a": "true", "b": true, "c": false, "d": null, "e": 42, "f": -7,
                   "g": "007", "h": "1.5", "i": "", "j": "x=y", "k": "99999999999999999999999"})
        );
    }

    #[test]
    fn at_values_name_a_file_or_stdin_only_with_capital_f() {
        assert_eq!(
            Field::parse("a=@x.json", true).unwrap().value,
            FieldValue::File("x.json".into())
        );
        assert_eq!(Field::parse("a=@-", true).unwrap().value, FieldValue::Stdin);
        assert_eq!(
            Field::parse("a=@x", false).unwrap().value,
            FieldValue::Json(json!("@x"))
        );
    }

    #[test]
    fn keys_nest_and_append() {
        let v = body(&[
            ("user[name]=Ann", false),
            ("user[emails][]=a@x", false),
            ("user[emails][]=b@x", false),
            ("tags[]=1", true),
            ("tags[]=2", true),
        ])
        .unwrap();
        assert_eq!(
            v,
            json!({"user": {"name": "Ann", "emails": ["a@x", "b@x"]}, "tags": [1, 2]})
        );
    }

    #[test]
    fn bad_fields_are_usage_errors() {
        for bad in [
            "novalue", "=x", "a]=1", "a[b=1", "a[b]c=1", "[x]=1", "a[[b]]=1",
        ] {
            let e = Field::parse(bad, false).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
        }
        let e = body(&[("a=1", false), ("a[b]=2", false)]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("a[b]"), "{e}");
        let e = body(&[("a[]=1", false), ("a[b]=2", false)]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn query_text_of_values() {
        assert_eq!(query_text(&json!("x y")), "x y");
        assert_eq!(query_text(&json!(null)), "");
        assert_eq!(query_text(&json!(3)), "3");
        assert_eq!(query_text(&json!(true)), "true");
    }
}
