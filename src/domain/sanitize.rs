//! Untrusted text (commit messages, tag names, endpoint bodies, command output) made safe for a
//! terminal. Called once, where the text enters the program.

/// Removes terminal escape sequences (CSI, OSC, DCS, SOS, PM, APC, and their C1 forms), other
/// control characters (C0 but tab, C1, DEL), and bidi overrides/isolates; newlines become spaces.
/// Use [`sanitize_multiline`] to keep line breaks.
pub fn sanitize(input: &str) -> String {
    clean(input, false)
}

/// Like [`sanitize`], but keeps `\n` (and turns `\r\n` into `\n`).
pub fn sanitize_multiline(input: &str) -> String {
    clean(input, true)
}

/// Truncates to at most `max` characters, marking the cut with `…`.
pub fn truncate(input: &str, max: usize) -> String {
    if input.chars().count() <= max {
        return input.to_string();
    }
    let mut out: String = input.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn clean(input: &str, keep_newlines: bool) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 introducers of strings: DCS, SOS, OSC, PM, APC — skip to the terminator.
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            // CSI in its C1 form.
            '\u{9b}' => skip_csi(&mut chars),
            '\n' if keep_newlines => out.push('\n'),
            '\n' => out.push(' '),
            '\t' => out.push('\t'),
            '\r' => {}
            c if c.is_control() => {}
            c if is_bidi_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        // Two-byte sequences with intermediates, e.g. `ESC ( B`.
        Some(c) if ('\u{20}'..='\u{2f}').contains(&c) => {
            while let Some(&n) = chars.peek() {
                chars.next();
                if !('\u{20}'..='\u{2f}').contains(&n) {
                    break;
                }
            }
        }
        _ => {}
    }
}

fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    // Parameters and intermediates, then one final byte in 0x40..=0x7e.
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
        if !('\u{20}'..='\u{3f}').contains(&c) {
            break;
        }
    }
}

fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    // Until BEL, ST (ESC \) or the C1 ST.
    while let Some(c) = chars.next() {
        match c {
            '\u{07}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csi_osc_dcs_and_c1_never_survive() {
        let hostile = "a\u{1b}[31mred\u{1b}[0m b\u{1b}]0;title\u{07}c\u{1b}P1;2q\u{1b}\\d\u{9b}2Je\u{9d}x\u{9c}f";
        assert_eq!(sanitize(hostile), "ared bcdef");
    }

    #[test]
    fn bidi_controls_and_stray_controls_are_removed() {
        assert_eq!(sanitize("ab\u{202e}cd\u{2066}e\u{0}\u{7f}\u{8}f"), "abcdef");
    }

    #[test]
    fn newlines_become_spaces_unless_kept() {
        assert_eq!(sanitize("a\r\nb"), "a b");
        assert_eq!(sanitize_multiline("a\r\nb"), "a\nb");
    }

    #[test]
    fn plain_text_and_unicode_pass_through() {
        assert_eq!(
            sanitize("feat: ünïcödé ✓ 1.0; rm -rf ~"),
            "feat: ünïcödé ✓ 1.0; rm -rf ~"
        );
    }

    #[test]
    fn truncate_marks_the_cut() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
