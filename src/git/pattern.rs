//! Tag patterns with `git tag --list PATTERN` semantics: git's wildmatch without `WM_PATHNAME`
//! and without case folding, so `*` also matches `/`, `?` matches one byte, `[...]` is a set
//! (`!` or `^` negates it, `a-z` ranges, `[:alpha:]` classes) and `\` quotes the next character.

/// Whether tag `name` matches `pattern` exactly as `git tag --list PATTERN` decides it.
pub fn tag_matches(pattern: &str, name: &str) -> bool {
    wild(pattern.as_bytes(), name.as_bytes()) == Outcome::Match
}

/// `AbortAll` means the text ran out while pattern remained: no shorter text tried by an outer
/// `*` can match either, which keeps the backtracking polynomial (as in git).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Match,
    NoMatch,
    AbortAll,
}

/// The byte at `i`, or 0 past the end (git works on NUL-terminated strings).
fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

fn wild(pattern: &[u8], text: &[u8]) -> Outcome {
    let (mut p, mut t) = (0, 0);
    while at(pattern, p) != 0 {
        let p_ch = at(pattern, p);
        let t_ch = at(text, t);
        if t_ch == 0 && p_ch != b'*' {
            return Outcome::AbortAll;
        }
        match p_ch {
            b'?' => {}
            b'*' => {
                while at(pattern, p) == b'*' {
                    p += 1;
                }
                if at(pattern, p) == 0 {
                    return Outcome::Match;
                }
                return star(&pattern[p..], &text[t..]);
            }
            b'[' => match class(pattern, &mut p, t_ch) {
                Some(true) => {}
                Some(false) => return Outcome::NoMatch,
                None => return Outcome::AbortAll,
            },
            b'\\' => {
                p += 1;
                // A trailing backslash compares against NUL and so never matches.
                if t_ch != at(pattern, p) {
                    return Outcome::NoMatch;
                }
            }
            _ => {
                if t_ch != p_ch {
                    return Outcome::NoMatch;
                }
            }
        }
        p += 1;
        t += 1;
    }
    if t < text.len() {
        Outcome::NoMatch
    } else {
        Outcome::Match
    }
}

/// Tries the rest of the pattern after a `*` at every later position of the text.
fn star(rest: &[u8], text: &[u8]) -> Outcome {
    let literal = !matches!(at(rest, 0), b'*' | b'?' | b'[' | b'\\');
    let mut t = 0;
    while t < text.len() {
        // Skip ahead to the next occurrence of a literal that must follow the star.
        if literal {
            match text[t..].iter().position(|&c| c == rest[0]) {
                Some(skip) => t += skip,
                None => return Outcome::NoMatch,
            }
        }
        let outcome = wild(rest, &text[t..]);
        if outcome != Outcome::NoMatch {
            return outcome;
        }
        t += 1;
    }
    Outcome::AbortAll
}

/// Matches `t_ch` against the set opening at `pattern[*p] == '['`, leaving `*p` on its `]`.
/// `None` is a malformed set (unterminated, or an unknown `[:class:]`): git aborts the match.
fn class(pattern: &[u8], p: &mut usize, t_ch: u8) -> Option<bool> {
    *p += 1;
    let mut p_ch = at(pattern, *p);
    let negated = p_ch == b'!' || p_ch == b'^';
    if negated {
        *p += 1;
        p_ch = at(pattern, *p);
    }
    let mut prev_ch = 0u8;
    let mut matched = false;
    // The first character is taken literally even when it is `]`, as in git.
    loop {
        if p_ch == 0 {
            return None;
        }
        if p_ch == b'\\' {
            *p += 1;
            p_ch = at(pattern, *p);
            if p_ch == 0 {
                return None;
            }
            matched |= t_ch == p_ch;
        } else if p_ch == b'-'
            && prev_ch != 0
            && at(pattern, *p + 1) != 0
            && at(pattern, *p + 1) != b']'
        {
            *p += 1;
            p_ch = at(pattern, *p);
            if p_ch == b'\\' {
                *p += 1;
                p_ch = at(pattern, *p);
                if p_ch == 0 {
                    return None;
                }
            }
            matched |= (prev_ch..=p_ch).contains(&t_ch);
            // A range's end cannot start another range.
            p_ch = 0;
        } else if p_ch == b'[' && at(pattern, *p + 1) == b':' {
            let start = *p + 2;
            let mut end = start;
            while at(pattern, end) != 0 && at(pattern, end) != b']' {
                end += 1;
            }
            if at(pattern, end) == 0 {
                return None;
            }
            if end == start || at(pattern, end - 1) != b':' {
                // No closing `:]`: the `[` is an ordinary member of the set.
                matched |= t_ch == b'[';
            } else {
                matched |= in_named_class(&pattern[start..end - 1], t_ch)?;
                *p = end;
                p_ch = 0;
            }
        } else {
            matched |= t_ch == p_ch;
        }
        prev_ch = p_ch;
        *p += 1;
        p_ch = at(pattern, *p);
        if p_ch == b']' {
            break;
        }
    }
    Some(matched != negated)
}

/// Membership in a POSIX class, with git's ASCII-only definitions; `None` for an unknown class.
fn in_named_class(name: &[u8], c: u8) -> Option<bool> {
    Some(match name {
        b"alnum" => c.is_ascii_alphanumeric(),
        b"alpha" => c.is_ascii_alphabetic(),
        b"blank" => c == b' ' || c == b'\t',
        b"cntrl" => c.is_ascii_control(),
        b"digit" => c.is_ascii_digit(),
        b"graph" => c.is_ascii_graphic(),
        b"lower" => c.is_ascii_lowercase(),
        b"print" => (0x20..=0x7e).contains(&c),
        b"punct" => c.is_ascii_punctuation(),
        b"space" => matches!(c, b' ' | b'\t' | b'\n' | b'\r'),
        b"upper" => c.is_ascii_uppercase(),
        b"xdigit" => c.is_ascii_hexdigit(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::tag_matches as m;

    #[test]
    fn star_matches_any_run_including_slashes() {
        assert!(m("api-v*", "api-v1.4.2"));
        assert!(m("api-v*", "api-v"));
        assert!(m("*", "release/2024/1"));
        assert!(m("rel*/*-final", "release/2024/x-final"));
        assert!(!m("api-v*", "web-v1.0.0"));
        assert!(!m("api-v*", "xapi-v1"));
        assert!(m("*-v1.*", "api-v1.2.3"));
        assert!(m("a**b", "a/x/b"));
    }

    #[test]
    fn question_mark_matches_exactly_one_byte() {
        assert!(m("v?.0", "v1.0"));
        assert!(!m("v?.0", "v10.0"));
        assert!(!m("v?.0", "v.0"));
        // One byte, not one character, as git compares bytes.
        assert!(!m("v?", "vé"));
        assert!(m("v??", "vé"));
    }

    #[test]
    fn sets_ranges_negation_and_classes() {
        assert!(m("v[0-2].*", "v1.9"));
        assert!(!m("v[0-2].*", "v3.0"));
        assert!(m("v[!0-2].*", "v3.0"));
        assert!(m("v[^0-2].*", "v3.0"));
        assert!(!m("v[!0-2].*", "v1.0"));
        assert!(m("v[[:digit:]]*", "v7"));
        assert!(!m("v[[:digit:]]*", "vx"));
        assert!(m("[[:alpha:]][[:upper:]]", "aB"));
        assert!(m("x[]]", "x]"));
        assert!(m("x[!]]", "xa"));
        assert!(m("x[a-]", "x-"));
        assert!(m("x[[a]", "x["));
        assert!(m("x[[:a]", "x:"));
    }

    #[test]
    fn malformed_sets_never_match() {
        assert!(!m("v[0-9", "v[0-9"));
        assert!(!m("v[0-9", "v1"));
        assert!(!m("v[[:nonsense:]]", "v1"));
    }

    #[test]
    fn backslash_quotes_the_next_character() {
        assert!(m(r"v\*", "v*"));
        assert!(!m(r"v\*", "v1"));
        assert!(m(r"x[\]]", "x]"));
        assert!(!m("v\\", "v\\"));
    }

    #[test]
    fn literal_patterns_match_whole_names_only() {
        assert!(m("api-v1.0.0", "api-v1.0.0"));
        assert!(!m("api-v1.0", "api-v1.0.0"));
        assert!(!m("", "a"));
        assert!(m("", ""));
    }

    #[test]
    fn many_stars_stay_fast() {
        let name = "a".repeat(200);
        assert!(!m("*a*a*a*a*a*a*a*a*a*a*b", &name));
    }
}
