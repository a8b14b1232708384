//! Unit tests for `domain::health`: one per interpretation rule, and the formats DESIGN.md names.

use super::*;
use jiff::Timestamp;

fn auto(status: u16, body: &str) -> Interpretation {
    interpret(Some(status), body.as_bytes(), ProbeFormat::Auto, None)
}

#[test]
fn status_codes_alone_decide_when_the_body_says_nothing() {
    assert_eq!(auto(200, "").health, Health::Pass);
    assert_eq!(auto(204, "").detail, "HTTP 204");
    assert_eq!(auto(302, "").health, Health::Pass);
    assert_eq!(auto(429, "").health, Health::Warn);
    assert_eq!(auto(404, "").health, Health::Fail);
    assert_eq!(auto(503, "").health, Health::Fail);
    assert_eq!(auto(503, "").detail, "HTTP 503");
    assert_eq!(auto(101, "").health, Health::Fail);
}

#[test]
fn body_status_words_are_read_case_insensitively() {
    for word in ["pass", "OK", "Up", "passing", "HEALTHY", "true", "success"] {
        let body = format!("{{\"status\":\"{word}\"}}");
        assert_eq!(auto(200, &body).health, Health::Pass, "{word}");
    }
    for word in ["warn", "Warning", "DEGRADED"] {
        let body = format!("{{\"status\":\"{word}\"}}");
        assert_eq!(auto(200, &body).health, Health::Warn, "{word}");
    }
    for word in [
        "fail",
        "error",
        "DOWN",
        "critical",
        "OUT_OF_SERVICE",
        "false",
    ] {
        let body = format!("{{\"status\":\"{word}\"}}");
        assert_eq!(auto(200, &body).health, Health::Fail, "{word}");
    }
}

#[test]
fn the_health_field_and_json_booleans_count_too() {
    assert_eq!(auto(200, r#"{"health":true}"#).health, Health::Pass);
    assert_eq!(auto(200, r#"{"Health":false}"#).health, Health::Fail);
    assert_eq!(auto(200, r#"{"status":false}"#).health, Health::Fail);
    assert_eq!(auto(200, "true").health, Health::Pass);
    assert_eq!(auto(200, r#""degraded""#).health, Health::Warn);
}

#[test]
fn the_worse_of_status_code_and_body_wins() {
    // A 503 whose body claims pass is still down; a 200 whose body says fail is down.
    assert_eq!(auto(503, r#"{"status":"pass"}"#).health, Health::Fail);
    assert_eq!(auto(200, r#"{"status":"fail"}"#).health, Health::Fail);
    assert_eq!(auto(429, r#"{"status":"pass"}"#).health, Health::Warn);
    assert_eq!(auto(429, r#"{"status":"down"}"#).health, Health::Fail);
    assert_eq!(auto(200, r#"{"status":"warn"}"#).health, Health::Warn);
}

#[test]
fn unrecognized_status_words_leave_health_to_the_code_and_say_so() {
    let i = auto(200, r#"{"status":"banana"}"#);
    assert_eq!(i.health, Health::Pass);
    assert_eq!(i.detail, r#"unrecognized status "banana""#);
    assert_eq!(auto(503, r#"{"status":"banana"}"#).health, Health::Fail);
    assert_eq!(
        auto(200, r#"{"status":[1,2]}"#).detail,
        "`status` is not a simple value"
    );
}

#[test]
fn invalid_json_with_a_2xx_passes_with_a_note() {
    let i = auto(200, "<html>hello</html>");
    assert_eq!(i.health, Health::Pass);
    assert_eq!(i.detail, "body is not JSON");
    assert_eq!(i.version, None);
    let i = auto(500, "{not json");
    assert_eq!(i.health, Health::Fail);
    assert_eq!(i.detail, "HTTP 500, body is not JSON");
}

#[test]
fn ietf_health_json_reads_release_id_before_the_api_version() {
    let body = r#"{"status":"pass","version":"1","releaseId":"1.4.2","serviceId":"api",
        "checks":{"db:responseTime":[{"status":"pass","observedValue":250}]}}"#;
    let i = auto(200, body);
    assert_eq!(i.health, Health::Pass);
    assert_eq!(i.version.as_deref(), Some("1.4.2"));
    assert_eq!(i.detail, r#"status "pass""#);
}

#[test]
fn ietf_health_json_fail_quotes_its_output() {
    let body = r#"{"status":"fail","releaseId":"1.4.3","output":"db: connection pool exhausted"}"#;
    let i = auto(503, body);
    assert_eq!(i.health, Health::Fail);
    assert_eq!(
        i.detail,
        r#"HTTP 503, status "fail": db: connection pool exhausted"#
    );
    assert_eq!(i.version.as_deref(), Some("1.4.3"));
}

#[test]
fn spring_boot_actuator_health_and_info() {
    let i = auto(
        200,
        r#"{"status":"UP","components":{"db":{"status":"UP"}}}"#,
    );
    assert_eq!(i.health, Health::Pass);
    let i = auto(503, r#"{"status":"OUT_OF_SERVICE"}"#);
    assert_eq!(i.health, Health::Fail);
    // /actuator/info as a version_url.
    let info = r#"{"build":{"version":"2.3.1","artifact":"api"},
        "git":{"branch":"main","commit":{"id":"ABCDEF1","time":"2026-01-01T00:00:00Z"}}}"#;
    let i = auto(200, info);
    assert_eq!(i.version.as_deref(), Some("2.3.1"));
    assert_eq!(i.commit.as_deref(), Some("abcdef1"));
}

#[test]
fn kubernetes_plain_ok_passes_under_auto_and_plain() {
    let i = auto(200, "ok");
    assert_eq!(i.health, Health::Pass);
    assert_eq!(i.detail, r#"body "ok""#);
    let plain = |code, body: &str| interpret(Some(code), body.as_bytes(), ProbeFormat::Plain, None);
    assert_eq!(plain(200, "ok\n").health, Health::Pass);
    assert_eq!(plain(200, "[-]etcd failed").health, Health::Fail);
    assert_eq!(
        plain(200, "[-]etcd failed").detail,
        r#"body is not `ok`: "[-]etcd failed""#
    );
    assert_eq!(plain(500, "ok").health, Health::Fail);
}

#[test]
fn etcd_health_strings() {
    assert_eq!(
        auto(200, r#"{"health":"true","reason":""}"#).health,
        Health::Pass
    );
    let i = auto(503, r#"{"health":"false","reason":"RAFT NO LEADER"}"#);
    assert_eq!(i.health, Health::Fail);
    assert!(i.detail.contains("RAFT NO LEADER"), "{}", i.detail);
}

#[test]
fn prometheus_style_api_answers() {
    let body = r#"{"status":"success","data":{"version":"2.53.0","revision":"1f2e3d4c5b6a7980","branch":"HEAD"}}"#;
    let i = auto(200, body);
    assert_eq!(i.health, Health::Pass);
    assert_eq!(i.version.as_deref(), Some("2.53.0"));
    assert_eq!(i.commit.as_deref(), Some("1f2e3d4c5b6a7980"));
    let i = auto(
        200,
        r#"{"status":"error","errorType":"timeout","error":"query timed out"}"#,
    );
    assert_eq!(i.health, Health::Fail);
    assert!(i.detail.ends_with("query timed out"), "{}", i.detail);
    // Prometheus' own /-/healthy is prose: health comes from the code.
    assert_eq!(
        auto(200, "Prometheus Server is Healthy.\n").health,
        Health::Pass
    );
}

#[test]
fn nested_status_objects_are_read_when_simple() {
    let body =
        r#"{"page":{"id":"x"},"status":{"indicator":"minor","description":"Partial outage"}}"#;
    let i = auto(200, body);
    assert_eq!(i.health, Health::Warn);
    assert_eq!(i.detail, r#"status "minor": Partial outage"#);
    assert_eq!(
        auto(200, r#"{"status":{"indicator":"none"}}"#).health,
        Health::Pass
    );
    assert_eq!(
        auto(200, r#"{"status":{"state":"down"}}"#).health,
        Health::Fail
    );
}

#[test]
fn status_format_counts_only_the_code() {
    let status =
        |code, body: &str| interpret(Some(code), body.as_bytes(), ProbeFormat::Status, None);
    assert_eq!(status(200, r#"{"status":"fail"}"#).health, Health::Pass);
    assert_eq!(status(200, r#"{"status":"fail"}"#).detail, "HTTP 200");
    assert_eq!(status(502, r#"{"status":"pass"}"#).health, Health::Fail);
    // The version is still read.
    assert_eq!(
        status(200, r#"{"version":"3"}"#).version.as_deref(),
        Some("3")
    );
}

#[test]
fn versions_follow_the_default_pointer_order_and_accept_numbers() {
    assert_eq!(
        auto(200, r#"{"version":42}"#).version.as_deref(),
        Some("42")
    );
    assert_eq!(
        auto(
            200,
            r#"{"gitVersion":"v1.30.2","commit":"0123456789abcdef"}"#
        )
        .version
        .as_deref(),
        Some("v1.30.2")
    );
    assert_eq!(
        auto(200, r#"{"data":{"version":"9.1"}}"#)
            .version
            .as_deref(),
        Some("9.1")
    );
    assert_eq!(
        auto(200, r#"{"git":{"commit":{"id":"abcdef1"}}}"#)
            .version
            .as_deref(),
        Some("abcdef1")
    );
    // An empty string is absent: the next pointer is tried.
    assert_eq!(
        auto(200, r#"{"releaseId":"","version":"2.0.0"}"#)
            .version
            .as_deref(),
        Some("2.0.0")
    );
    assert_eq!(auto(200, r#"{"version":{"major":1}}"#).version, None);
}

#[test]
fn a_version_pointer_overrides_the_default_list() {
    let body = br#"{"version":"api-v1","app":{"tag":"api-v1.4.2"}}"#;
    let i = interpret(Some(200), body, ProbeFormat::Auto, Some("/app/tag"));
    assert_eq!(i.version.as_deref(), Some("api-v1.4.2"));
    let i = interpret(Some(200), body, ProbeFormat::Auto, Some("/missing"));
    assert_eq!(i.version, None);
}

#[test]
fn commits_are_read_only_when_they_look_like_hex() {
    assert_eq!(auto(200, r#"{"commit":"not-a-sha"}"#).commit, None);
    assert_eq!(auto(200, r#"{"commit":"abc12"}"#).commit, None);
    assert_eq!(
        auto(
            200,
            r#"{"commit":"0123456789ABCDEF0123456789abcdef01234567"}"#
        )
        .commit
        .as_deref(),
        Some("0123456789abcdef0123456789abcdef01234567")
    );
}

#[test]
fn untrusted_strings_are_sanitized_and_truncated() {
    let long = "9".repeat(300);
    let body = format!(
        r#"{{"status":"fail","version":"\u001b[31m1.0{long}","output":"\u001b]0;pwn\u0007bad\u001b[2J{long}"}}"#
    );
    let i = auto(200, &body);
    let version = i.version.expect("a version");
    assert!(version.starts_with("1.0999"));
    assert_eq!(version.chars().count(), MAX_VERSION_CHARS);
    assert!(!i.detail.contains('\u{1b}') && !i.detail.contains('\u{7}'));
    assert!(i.detail.chars().count() <= MAX_DETAIL_CHARS);
    assert!(i.detail.contains("bad"));
}

#[test]
fn bodies_without_a_status_code_are_read_alone() {
    // A command that exited 0: its stdout is the body.
    let i = interpret(None, br#"{"status":"warn"}"#, ProbeFormat::Auto, None);
    assert_eq!(i.health, Health::Warn);
    assert_eq!(
        interpret(None, b"", ProbeFormat::Auto, None).detail,
        "empty answer"
    );
    assert_eq!(
        interpret(None, b"", ProbeFormat::Status, None).health,
        Health::Pass
    );
}

#[test]
fn binary_garbage_never_panics() {
    let garbage: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    for format in [ProbeFormat::Auto, ProbeFormat::Plain, ProbeFormat::Status] {
        let i = interpret(Some(200), &garbage, format, Some("/x"));
        assert!(i.detail.chars().all(|c| !c.is_control() || c == '\t'));
    }
}

fn rel(name: &str, commit: &str) -> Release {
    Release {
        name: name.into(),
        version: crate::domain::release::version_of(name, "api-v"),
        commit: commit.into(),
        date: Timestamp::UNIX_EPOCH,
    }
}

#[test]
fn releases_match_by_version_first_then_by_commit() {
    let releases = vec![
        rel("api-v1.4.2", "aaaaaaa234567890abcdef1234567890abcdef12"),
        rel("api-v1.4.1", "bbbbbbb234567890abcdef1234567890abcdef12"),
    ];
    let name = |r: Option<&Release>| r.map(|r| r.name.clone());
    assert_eq!(
        name(match_release(
            Some("1.4.1"),
            Some("aaaaaaa"),
            "api-v",
            &releases
        )),
        Some("api-v1.4.1".into())
    );
    assert_eq!(
        name(match_release(
            Some("9.9.9"),
            Some("aaaaaaa"),
            "api-v",
            &releases
        )),
        Some("api-v1.4.2".into())
    );
    assert_eq!(
        name(match_release(None, Some("bbbbbbb2"), "api-v", &releases)),
        Some("api-v1.4.1".into())
    );
    assert_eq!(match_release(Some("9.9.9"), None, "api-v", &releases), None);
    assert_eq!(match_release(None, None, "api-v", &releases), None);
}
