//! Colour, and JSON shown to people: colour only on a terminal, never with
//! `NO_COLOR` (no-color.org), always with `CLICOLOR_FORCE` (not `0`).
//! JSON for people is pretty-printed, and its text made safe to show (a
//! server's string cannot drive the terminal).

use serde_json::Value;
use serde_json::ser::{Formatter, PrettyFormatter};
use std::io::{self, Write};

/// Whether to colour what goes to stdout.
pub fn stdout_colour() -> bool {
    use std::io::IsTerminal;
    decide(
        io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR"),
        std::env::var_os("CLICOLOR_FORCE"),
    )
}

/// The rule: `NO_COLOR` (set, not empty) wins, then `CLICOLOR_FORCE` (set,
/// not empty, not `0`), then whether it is a terminal.
fn decide(
    terminal: bool,
    no_color: Option<std::ffi::OsString>,
    force: Option<std::ffi::OsString>,
) -> bool {
    if no_color.is_some_and(|v| !v.is_empty()) {
        return false;
    }
    if force.is_some_and(|v| !v.is_empty() && v != "0") {
        return true;
    }
    terminal
}

/// `v` pretty-printed (two spaces), in colour when `colour`, with every
/// string and key made safe to show, and a final newline.
pub fn json_for_people(v: &Value, colour: bool) -> Vec<u8> {
    let v = safe(v);
    let mut out = Vec::new();
    let written = if colour {
        let mut ser = serde_json::Serializer::with_formatter(&mut out, Colours::default());
        serde::Serialize::serialize(&v, &mut ser)
    } else {
        let mut ser = serde_json::Serializer::with_formatter(&mut out, PrettyFormatter::new());
        serde::Serialize::serialize(&v, &mut ser)
    };
    if written.is_err() {
        out = v.to_string().into_bytes();
    }
    out.push(b'\n');
    out
}

/// Text for a terminal: invalid UTF-8 and every character that would drive
/// the terminal (see [`crate::text::is_unsafe`]) become U+FFFD, except line
/// breaks and tabs; CRLF becomes LF.
pub fn text_for_people(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .replace("\r\n", "\n")
        .chars()
        .map(|c| {
            if c != '\n' && c != '\t' && crate::text::is_unsafe(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// A copy of `v` whose strings and keys are safe to show.
fn safe(v: &Value) -> Value {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if crate::text::is_unsafe(c) {
                    '\u{FFFD}'
                } else {
                    c
                }
            })
            .collect()
    };
    match v {
        Value::String(s) => Value::String(clean(s)),
        Value::Array(a) => Value::Array(a.iter().map(safe).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (clean(k), safe(v))).collect()),
        other => other.clone(),
    }
}

const KEY: &[u8] = b"\x1b[1;34m";
const STRING: &[u8] = b"\x1b[32m";
const LITERAL: &[u8] = b"\x1b[36m";
const RESET: &[u8] = b"\x1b[0m";

/// serde_json's pretty printer with ANSI colours: keys bold blue, strings
/// green, numbers, booleans and null cyan.
#[derive(Default)]
struct Colours {
    pretty: PrettyFormatter<'static>,
    in_key: bool,
}

impl Colours {
    fn coloured<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        colour: &[u8],
        f: impl FnOnce(&mut PrettyFormatter<'static>, &mut W) -> io::Result<()>,
    ) -> io::Result<()> {
        w.write_all(colour)?;
        f(&mut self.pretty, w)?;
        w.write_all(RESET)
    }
}

impl Formatter for Colours {
    fn write_null<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.coloured(w, LITERAL, |p, w| p.write_null(w))
    }
    fn write_bool<W: ?Sized + Write>(&mut self, w: &mut W, v: bool) -> io::Result<()> {
        self.coloured(w, LITERAL, |p, w| p.write_bool(w, v))
    }
    fn write_i64<W: ?Sized + Write>(&mut self, w: &mut W, v: i64) -> io::Result<()> {
        self.coloured(w, LITERAL, |p, w| p.write_i64(w, v))
    }
    fn write_u64<W: ?Sized + Write>(&mut self, w: &mut W, v: u64) -> io::Result<()> {
        self.coloured(w, LITERAL, |p, w| p.write_u64(w, v))
    }
    fn write_f64<W: ?Sized + Write>(&mut self, w: &mut W, v: f64) -> io::Result<()> {
        self.coloured(w, LITERAL, |p, w| p.write_f64(w, v))
    }
    fn begin_string<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(if self.in_key { KEY } else { STRING })?;
        self.pretty.begin_string(w)
    }
    fn end_string<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_string(w)?;
        w.write_all(RESET)
    }
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.pretty.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.in_key = true;
        self.pretty.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.in_key = false;
        self.pretty.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn no_color_wins_then_clicolor_force_then_the_terminal() {
        let s = |v: &str| Some(std::ffi::OsString::from(v));
        assert!(decide(true, None, None));
        assert!(!decide(false, None, None));
        assert!(!decide(true, s("1"), None));
        assert!(!decide(true, s("1"), s("1")));
        assert!(decide(true, s(""), None), "an empty NO_COLOR is not set");
        assert!(decide(false, None, s("1")));
        assert!(!decide(false, None, s("0")));
        assert!(!decide(false, None, s("")));
    }

    #[test]
    fn json_keeps_the_servers_key_order_and_colours_only_when_asked() {
        let v: Value = serde_json::from_str(r#"{"zeta":1,"alpha":[true,null,"x"]}"#).unwrap();
        let plain = String::from_utf8(json_for_people(&v, false)).unwrap();
        assert_eq!(
            plain,
            "{\n  \"zeta\": 1,\n  \"alpha\": [\n    true,\n    null,\n    \"x\"\n  ]\n}\n"
        );
        let coloured = String::from_utf8(json_for_people(&v, true)).unwrap();
        assert!(
            coloured.contains("\x1b[1;34m\"zeta\"\x1b[0m: \x1b[36m1\x1b[0m"),
            "{coloured:?}"
        );
        assert!(coloured.contains("\x1b[32m\"x\"\x1b[0m"), "{coloured:?}");
        let stripped = coloured
            .replace("\x1b[1;34m", "")
            .replace("\x1b[32m", "")
            .replace("\x1b[36m", "")
            .replace("\x1b[0m", "");
        assert_eq!(stripped, plain);
    }

    #[test]
    fn server_text_cannot_drive_the_terminal() {
        let v = json!({"\u{1b}]52;c;aGk=\u{7}": "a\u{1b}[2Jb\u{202e}c\u{9b}d"});
        let out = String::from_utf8(json_for_people(&v, true)).unwrap();
        let without_ours = out
            .replace("\x1b[1;34m", "")
            .replace("\x1b[32m", "")
            .replace("\x1b[0m", "");
        assert!(
            !without_ours
                .chars()
                .any(|c| crate::text::is_unsafe(c) && c != '\n'),
            "{out:?}"
        );
        let text = text_for_people(b"line 1\r\nline\t2\x1b]8;;https://evil\x07\n\xff");
        assert_eq!(
            text,
            "line 1\nline\t2\u{FFFD}]8;;https://evil\u{FFFD}\n\u{FFFD}"
        );
    }
}
