//! Property tests over everything shipdeck parses from the outside: configuration text, `{{…}}`
//! templates, health-probe bodies and the event log. None of them may panic on any input; what
//! they reject they reject with a location (`file:line:col`, the log's line number).
//!
//! Few cases by default, so CI stays fast; for a longer run by hand:
//! `PROPTEST_CASES=20000 cargo test --test fuzz_inputs`. A failing input proptest finds is
//! written to `tests/fuzz_inputs.proptest-regressions` and replayed first on every later run:
//! commit that file with the fix.

use std::path::Path;

use jiff::Timestamp;
use proptest::prelude::*;
use serde_json::json;
use shipdeck::config::load;
use shipdeck::domain::config::ProbeFormat;
use shipdeck::domain::event::EventBody;
use shipdeck::domain::health::{MAX_DETAIL_CHARS, MAX_VERSION_CHARS, interpret};
use shipdeck::domain::template::{
    NAMES, Vars, expand, expand_with, json_escape, names, url_escape,
};
use shipdeck::store::{EventLog, read_events, verify};

const EXAMPLE: &str = include_str!("../../config.example.toml");

fn cases() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// No terminal control of any kind: what every string shown to a user must satisfy.
fn is_clean(text: &str) -> bool {
    !text.chars().any(|c| {
        c.is_control() && c != '\t'
            || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

/// Checks one configuration text: never a panic; a rejection names `file:line:col` inside it.
fn check_config(src: &str) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("shipdeck.toml");
    std::fs::write(&file, src).expect("write");
    if let Err(error) = load(&file) {
        let lines = src.lines().count().max(1) + 1;
        for problem in error.problems() {
            prop_assert!(problem.line >= 1 && problem.line <= lines, "{problem}");
            prop_assert!(problem.col >= 1, "{problem}");
            let shown = problem.to_string();
            let place = format!("{}:{}:{}: ", file.display(), problem.line, problem.col);
            prop_assert!(shown.starts_with(&place), "{shown}");
        }
        prop_assert!(
            !error.problems().is_empty(),
            "rejected without a place: {error}"
        );
    }
    Ok(())
}

/// A byte-level mutation of `base`: delete, insert or replace a short run at `at`.
fn mutate(base: &str, at: usize, op: u8, with: &str) -> String {
    let mut at = at % (base.len() + 1);
    while !base.is_char_boundary(at) {
        at -= 1;
    }
    let mut end = (at + 1 + with.len() % 7).min(base.len());
    while !base.is_char_boundary(end) {
        end -= 1;
    }
    match op % 3 {
        0 => format!("{}{}", &base[..at], &base[end..]),
        1 => format!("{}{with}{}", &base[..at], &base[at..]),
        _ => format!("{}{with}{}", &base[..at], &base[end..]),
    }
}

/// Pieces configuration text is made of, so random text often gets deep into the reader.
fn toml_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("[[environments]]\n".to_string()),
        Just("[[services]]\n".to_string()),
        Just("[project]\n".to_string()),
        Just("name = \"dev\"\n".to_string()),
        Just("gates = [{ kind = \"soak\", duration = \"30m\" }]\n".to_string()),
        Just("deploy = { kind = \"command\", argv = [\"./d\", \"{{version}}\"] }\n".to_string()),
        Just("health = \"http://{{env}}/h\"\n".to_string()),
        Just("tags = \"api-v*\"\n".to_string()),
        Just("[[freezes]]\nfrom = \"2026-12-20T00:00:00+01:00\"\n".to_string()),
        "[a-z_.]{1,12} = [\"{}\\[\\]0-9a-z ,=\\n]{0,20}\n",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn any_text_as_configuration_is_rejected_with_a_place_or_accepted(src in any::<String>()) {
        check_config(&src)?;
    }

    #[test]
    fn configuration_built_from_plausible_pieces_never_panics(
        pieces in proptest::collection::vec(toml_piece(), 0..24)
    ) {
        check_config(&pieces.concat())?;
    }

    #[test]
    fn the_example_configuration_mutated_is_rejected_with_a_place_or_accepted(
        at in any::<usize>(), op in any::<u8>(), with in "[\\[\\]{}\"'=,.#a-z0-9 \\n\\t\u{1b}é]{0,6}"
    ) {
        check_config(&mutate(EXAMPLE, at, op, &with))?;
    }

    #[test]
    fn templates_never_panic_and_expand_exactly_when_their_names_are_known(
        parts in proptest::collection::vec(
            prop_oneof![
                "[a-z/:. ]{0,6}",
                Just("{{".to_string()),
                Just("}}".to_string()),
                Just("{".to_string()),
                proptest::sample::select(NAMES).prop_map(|n| format!("{{{{{n}}}}}")),
                proptest::sample::select(NAMES).prop_map(|n| format!("{{{{ {n} }}}}")),
                "\\{\\{[a-z_ ]{0,10}\\}\\}",
                any::<String>(),
            ],
            0..10,
        ),
        value in any::<String>(),
    ) {
        let template = parts.concat();
        let mut vars = Vars::new();
        for name in NAMES {
            vars.set(name, value.clone());
        }
        let known = names(&template);
        let expanded = expand(&template, &vars);
        prop_assert_eq!(known.is_ok(), expanded.is_ok(), "{:?}", template);
        if !template.contains("{{") {
            prop_assert_eq!(expanded.as_deref().ok(), Some(template.as_str()));
        }
        // Escaped values stay escaped: a URL gets no raw separators from a value.
        if let Ok(url) = expand_with(&template, &vars, url_escape) {
            let literal_len: usize = template.len();
            prop_assert!(url.len() <= literal_len + known.map_or(0, |n| n.len()) * value.len() * 9);
        }
        let escaped = json_escape(&value);
        let back: String = serde_json::from_str(&format!("\"{escaped}\"")).expect("valid JSON string");
        prop_assert_eq!(back, value.clone());
        prop_assert!(url_escape(&value).bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)));
    }

    #[test]
    fn any_health_body_is_read_without_panic_and_everything_kept_is_clean(
        status in proptest::option::of(0u16..1000),
        body in proptest::collection::vec(any::<u8>(), 0..512),
        format in proptest::sample::select(vec![ProbeFormat::Auto, ProbeFormat::Status, ProbeFormat::Plain]),
        pointer in proptest::option::of("/[a-z/~01]{0,12}"),
    ) {
        let seen = interpret(status, &body, format, pointer.as_deref());
        prop_assert!(is_clean(&seen.detail), "{:?}", seen.detail);
        prop_assert!(seen.detail.chars().count() <= MAX_DETAIL_CHARS);
        if let Some(version) = &seen.version {
            prop_assert!(is_clean(version), "{:?}", version);
            prop_assert!(version.chars().count() <= MAX_VERSION_CHARS);
        }
        if let Some(commit) = &seen.commit {
            prop_assert!((7..=40).contains(&commit.len()));
            prop_assert!(commit.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        }
    }

    #[test]
    fn hostile_strings_in_json_health_bodies_never_survive(
        field in proptest::sample::select(vec!["status", "health", "version", "releaseId", "output", "error", "reason"]),
        text in any::<String>(),
        escape in proptest::sample::select(vec!["\u{1b}[2J", "\u{1b}]52;c;aGk=\u{7}", "\u{1b}P1$q\u{1b}\\", "\u{9b}31m", "\u{202e}", "\r\n", "\u{0}"]),
        status in proptest::sample::select(vec![200u16, 429, 503]),
    ) {
        let body = json!({ field: format!("{text}{escape}{text}"), "status": if field == "status" { json!(format!("fail{escape}")) } else { json!("warn") } });
        let seen = interpret(Some(status), body.to_string().as_bytes(), ProbeFormat::Auto, None);
        prop_assert!(is_clean(&seen.detail), "{:?}", seen.detail);
        prop_assert!(seen.version.as_deref().is_none_or(is_clean));
    }

    #[test]
    fn any_bytes_as_an_event_log_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("events.jsonl");
        std::fs::write(&path, &bytes).expect("write");
        let report = verify(&path);
        let _ = read_events(&path);
        if let Some(bad) = report.first_bad {
            prop_assert!(bad.line >= 1, "{:?}", bad);
            prop_assert!(is_clean(&bad.reason), "{:?}", bad.reason);
        }
        // Opening either works (setting a torn tail aside) or says why; then the log verifies,
        // or what counts stops at the very line `verify` names (#10: a complete line that does
        // not parse is corruption, never set aside).
        if let Ok((log, _)) = EventLog::open(dir.path()) {
            let after = verify(&path);
            let (counted, damage) = log.checked().expect("checked");
            match after.first_bad {
                None => prop_assert!(damage.is_none(), "{:?}", damage),
                Some(bad) => {
                    let damage = damage.expect("the damage verify found");
                    prop_assert_eq!(damage.line, bad.line, "{}", damage.reason);
                    prop_assert_eq!(counted.len(), bad.line - 1);
                }
            }
        }
    }

    #[test]
    fn one_changed_byte_in_a_log_makes_verify_name_its_line(
        events in 1usize..8, at in any::<usize>(), byte in any::<u8>(),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write_log(dir.path(), events);
        let mut bytes = std::fs::read(&path).expect("log");
        let at = at % bytes.len();
        prop_assume!(bytes[at] != byte);
        let line = newlines(&bytes[..at]) + 1;
        bytes[at] = byte;
        std::fs::write(&path, &bytes).expect("write");
        let report = verify(&path);
        let bad = report.first_bad.expect("a changed byte never verifies");
        prop_assert_eq!(bad.line, line, "{}", bad.reason);
    }

    #[test]
    fn a_log_cut_anywhere_verifies_up_to_the_cut_and_opens_clean(events in 1usize..8, at in any::<usize>()) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = write_log(dir.path(), events);
        let bytes = std::fs::read(&path).expect("log");
        let at = at % (bytes.len() + 1);
        std::fs::write(&path, &bytes[..at]).expect("truncate");
        let whole = newlines(&bytes[..at]);
        let report = verify(&path);
        prop_assert_eq!(report.events, whole);
        prop_assert_eq!(report.is_ok(), at == 0 || bytes[at - 1] == b'\n');
        let (_log, warnings) = EventLog::open(dir.path()).expect("a cut log opens");
        prop_assert_eq!(warnings.is_empty(), report.is_ok());
        prop_assert!(verify(&path).is_ok());
        prop_assert_eq!(read_events(&path).expect("replay").len(), whole);
    }
}

/// How many `\n` are in `bytes`.
fn newlines(bytes: &[u8]) -> usize {
    bytes.split(|&b| b == b'\n').count() - 1
}

/// A valid log of `n` events with varied, awkward data; returns its path.
fn write_log(dir: &Path, n: usize) -> std::path::PathBuf {
    let (log, _) = EventLog::open(dir).expect("open");
    for i in 0..n {
        let body = EventBody {
            id: format!("ev-{i}"),
            at: Timestamp::now(),
            actor: "fuzz@shop.example".into(),
            kind: if i % 2 == 0 { "approved" } else { "item-noted" }.into(),
            service: Some("api".into()),
            release: Some("api-v1.0.0".into()),
            env: Some("prod".into()),
            data: json!({ "i": i, "note": "é \" \\ \u{1b}[31m", "n": 1.5 }),
        };
        log.append(body, Timestamp::now()).expect("append");
    }
    log.path().to_path_buf()
}
