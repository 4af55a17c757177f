//! Text from the network made safe to show on a terminal.

/// True for a character that changes how a terminal shows the text around
/// it instead of showing itself: control characters (ESC, CR, BEL and the
/// C1 range, which start escape sequences such as OSC 52 clipboard writes
/// and OSC 8 links), and the invisible format characters that reorder or
/// hide text (bidirectional overrides and isolates, zero-width characters,
/// the byte-order mark).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}')
}

/// Characters that are not safe on a terminal (see [`is_unsafe`]) become
/// spaces, surrounding whitespace goes, and the result is cut to `max`
/// characters (with `…`).
pub fn printable(s: &str, max: usize) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| if is_unsafe(c) { ' ' } else { c })
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.chars().count() > max {
        let mut cut: String = trimmed.chars().take(max).collect();
        cut.push('\u{2026}');
        cut
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn printable() {
        assert_eq!(super::printable(" a\x1b[31mb\n ", 10), "a [31mb");
        assert_eq!(super::printable("abcdef", 3), "abc…");
        // OSC 52 (clipboard), OSC 8 (link), CR overwrite, C1 CSI, bidi override
        for hostile in [
            "\u{1b}]52;c;ZXZpbA==\u{7}CODE",
            "\u{1b}]8;;https://evil.test\u{1b}\\https://good.test\u{1b}]8;;\u{1b}\\",
            "https://good.test\rhttps://evil.test",
            "\u{9b}2J",
            "abc\u{202e}fed",
            "a\u{200b}b",
        ] {
            let p = super::printable(hostile, 200);
            assert!(!p.chars().any(super::is_unsafe), "{p:?}");
        }
    }
}
