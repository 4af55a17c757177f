//! Text from the network made safe to show on a terminal.

/// Control characters (ESC included) become spaces, surrounding whitespace
/// goes, and the result is cut to `max` characters (with `…`).
pub fn printable(s: &str, max: usize) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
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
    }
}
