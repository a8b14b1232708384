//! Untrusted text (commit messages, tag names, endpoint bodies, command output) made safe for a
//! terminal. Called once, where the text enters the program.

use std::fmt::Write as _;

/// Removes terminal escape sequences (CSI, OSC, DCS, SOS, PM, APC, and their C1 forms) and
/// other control characters (C0 but tab, C1, DEL); newlines become spaces. Invisible characters
/// (bidi overrides and isolates, zero-width spaces and joiners, the BOM, soft hyphens …) are
/// shown visibly as `\u{200b}`, so that `api-v1.2.0\u{200b}` never lists like `api-v1.2.0`.
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
            c if is_bidi_control(c) || is_invisible(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
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

/// Characters that take no room and show nothing: a name carrying one looks like another.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{034f}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200d}'
            | '\u{2060}'..='\u{2064}'
            | '\u{206a}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

/// A JSON text with every character a terminal or a reader could be fooled by written as a
/// `\uXXXX` escape: C1 controls, DEL, bidi controls and invisible characters (serde_json
/// escapes only C0). Such characters occur only inside strings, so the result is the same JSON.
pub fn json_escape_invisible(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c == '\u{7f}'
            || ('\u{80}'..='\u{9f}').contains(&c)
            || is_bidi_control(c)
            || is_invisible(c)
        {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out
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
    fn bidi_controls_show_visibly_and_stray_controls_are_removed() {
        assert_eq!(
            sanitize("ab\u{202e}cd\u{2066}e\u{0}\u{7f}\u{8}f"),
            "ab\\u{202e}cd\\u{2066}ef"
        );
    }

    #[test]
    fn zero_width_characters_show_visibly() {
        assert_eq!(sanitize("api-v1.2.0\u{200b}"), "api-v1.2.0\\u{200b}");
        assert_eq!(sanitize("\u{feff}bob"), "\\u{feff}bob");
    }

    #[test]
    fn json_keeps_no_c1_del_bidi_or_invisible_character_raw() {
        let json =
            serde_json::to_string(&"a\u{9b}b\u{7f}c\u{202e}d\u{200b}e\u{e0041}").expect("json");
        let safe = json_escape_invisible(&json);
        assert!(safe.is_ascii(), "{safe}");
        let back: String = serde_json::from_str(&safe).expect("still JSON");
        assert_eq!(back, "a\u{9b}b\u{7f}c\u{202e}d\u{200b}e\u{e0041}");
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
