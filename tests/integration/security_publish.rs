//! Security (#10): what shipdeck sends out and writes, under a hostile log or endpoint: the
//! `file` notes channel's reach, real files and the real binary.

use crate::notes_support;

use notes_support::{project_with, run, stderr};

const USER: &str = "dana@shop.example";

/// Item 3: a `file` channel with an absolute path or a `..` in its template is refused when
/// the configuration is read; a directory on its way that is a symlink (committed in a
/// checkout) is refused when publishing; the victims are untouched; and publishing asks first.
#[test]
fn security_file_channel_writes_only_inside_the_config_directory() {
    let outside = tempfile::tempdir().expect("outside");
    let victim = outside.path().join("bashrc");
    std::fs::write(&victim, "precious\n").expect("victim");
    for path in [
        victim.display().to_string(),
        "notes/../../bashrc".to_string(),
        "../{{release}}.md".to_string(),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        project_with(
            dir.path(),
            &format!("[[channels]]\nname = \"n\"\nkind = \"file\"\npath = \"{path}\"\n"),
        );
        let out = run(dir.path(), USER, &["check"], &[]);
        assert_eq!(out.status.code(), Some(2), "{path}: refused by check");
        assert!(
            stderr(&out).contains("inside the configuration's directory"),
            "{path}: {}",
            stderr(&out)
        );
        let out = run(
            dir.path(),
            USER,
            &["notes", "api", "api-v1.2.0", "--publish", "--yes"],
            &[],
        );
        assert_ne!(out.status.code(), Some(0), "{path}: publish refused");
    }
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious\n"
    );

    // A symlinked directory on the way out.
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(
        dir.path(),
        "[[channels]]\nname = \"n\"\nkind = \"file\"\npath = \"release-notes/bashrc\"\n",
    );
    std::os::unix::fs::symlink(outside.path(), dir.path().join("release-notes")).expect("link");
    let out = run(
        dir.path(),
        USER,
        &["notes", "api", "api-v1.2.0", "--publish", "--yes"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("symlink"),
        "says why: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious\n"
    );

    // The file itself a symlink.
    std::fs::remove_file(dir.path().join("release-notes")).expect("unlink");
    std::fs::create_dir(dir.path().join("release-notes")).expect("dir");
    std::os::unix::fs::symlink(&victim, dir.path().join("release-notes/bashrc")).expect("link");
    let out = run(
        dir.path(),
        USER,
        &["notes", "api", "api-v1.2.0", "--publish", "--yes"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious\n"
    );

    // Without --yes and without a terminal, nothing is published.
    std::fs::remove_file(dir.path().join("release-notes/bashrc")).expect("unlink");
    let out = run(
        dir.path(),
        USER,
        &["notes", "api", "api-v1.2.0", "--publish"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    assert!(!dir.path().join("release-notes/bashrc").exists());
}

/// A one-shot HTTP server on loopback: answers every request with `status` and the body
/// `answer(request text)`, and hands back each request it got.
fn echo_server(
    status: u16,
    answer: fn(&str) -> String,
) -> (u16, std::sync::mpsc::Receiver<String>) {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let port = listener.local_addr().expect("addr").port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Headers, then as much body as Content-Length says.
            while let Ok(n) = stream.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf);
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text[..end]
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + length {
                        break;
                    }
                }
            }
            let request = String::from_utf8_lossy(&buf).into_owned();
            let body = answer(&request);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = tx.send(request);
        }
    });
    (port, rx)
}

/// Item 8: an endpoint that echoes what it got in parts (the base64 of the basic credentials,
/// the password alone, the token segments of a secret webhook URL) gets none of them shown,
/// recorded in the log, or written to shipdeck.log.
#[test]
fn security_secrets_echoed_in_parts_are_masked_everywhere() {
    const TOKEN: &str = "XoXoTOKEN99";
    const PASSWORD: &str = "s3cretpw";
    const BASIC_B64: &str = "YWxpY2U6czNjcmV0cHc="; // alice:s3cretpw
    let (port, requests) = echo_server(404, |request| {
        let auth = request
            .lines()
            .find_map(|l| {
                l.strip_prefix("authorization: ")
                    .or(l.strip_prefix("Authorization: "))
            })
            .unwrap_or_default()
            .to_string();
        let path = request
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_string();
        format!("Cannot POST {path} ({auth}; password s3cretpw)")
    });
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(
        dir.path(),
        "[[channels]]\nname = \"slack\"\nkind = \"http\"\nurl_env = \"HOOK\"\n\
         auth = { basic_env = \"HOOK_BASIC\" }\n",
    );
    let url = format!("http://127.0.0.1:{port}/services/T0123/B0456/{TOKEN}");
    let out = run(
        dir.path(),
        USER,
        &["notes", "api", "api-v1.2.0", "--publish", "--yes"],
        &[
            ("HOOK", &url),
            ("HOOK_BASIC", "alice:s3cretpw"),
            // Everything the libraries would log, so that nothing reaches the file unmasked.
            ("SHIPDECK_LOG", "trace"),
        ],
    );
    let request = requests
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the endpoint was called");
    assert!(request.contains(BASIC_B64), "the credentials were sent");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let shown = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    let log = std::fs::read_to_string(dir.path().join(".shipdeck/events.jsonl")).expect("log");
    let diagnostics =
        std::fs::read_to_string(dir.path().join(".data/shipdeck.log")).expect("shipdeck.log");
    assert!(
        shown.contains("Cannot POST"),
        "the endpoint's answer is shown: {shown}"
    );
    for (place, text) in [
        ("output", &shown),
        ("events.jsonl", &log),
        ("shipdeck.log", &diagnostics),
    ] {
        for secret in [TOKEN, PASSWORD, BASIC_B64, "YWxpY2U6czNjcmV0cHc"] {
            assert!(
                !text.contains(secret),
                "{secret} leaked into the {place}: {text}"
            );
        }
    }
}

/// Item 8, the deploy side: a deploy endpoint that answers 500 with the base64 of the basic
/// credentials and the bare password: the refusal on the terminal, the `deploy-failed` reason in
/// events.jsonl and the failure in shipdeck.log all carry the mask instead.
#[test]
fn security_basic_credentials_echoed_by_a_deploy_endpoint_are_masked() {
    const BASIC_B64: &str = "ZGVwbG95OnB3LTk5LXNlY3JldA=="; // deploy:pw-99-secret
    let (port, requests) = echo_server(500, |request| {
        let auth = request
            .lines()
            .find_map(|l| {
                l.strip_prefix("authorization: ")
                    .or(l.strip_prefix("Authorization: "))
            })
            .unwrap_or_default()
            .to_string();
        format!("bad credentials {auth} (password pw-99-secret)")
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let config = crate::common::project(dir.path());
    let text = std::fs::read_to_string(&config).expect("config").replace(
        "tags = \"api-v*\"\n",
        &format!(
            "tags = \"api-v*\"\ndeploy = {{ kind = \"http\", url = \"http://127.0.0.1:{port}/d\", \
             auth = {{ basic_env = \"DEPLOY_BASIC\" }} }}\n"
        ),
    );
    std::fs::write(&config, text).expect("write");
    let out = run(
        dir.path(),
        USER,
        &["promote", "api", "api-v1.2.0", "--to", "dev", "--yes"],
        &[
            ("DEPLOY_BASIC", "deploy:pw-99-secret"),
            ("SHIPDECK_LOG", "trace"),
        ],
    );
    let request = requests
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the endpoint was called");
    assert!(request.contains(BASIC_B64), "the credentials were sent");
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    let shown = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(
        shown.contains("bad credentials"),
        "the answer is shown: {shown}"
    );
    let log = std::fs::read_to_string(dir.path().join(".shipdeck/events.jsonl")).expect("log");
    assert!(
        log.contains("deploy-failed") && log.contains("bad credentials"),
        "the refusal is recorded with the answer: {log}"
    );
    let diagnostics =
        std::fs::read_to_string(dir.path().join(".data/shipdeck.log")).expect("shipdeck.log");
    for (place, text) in [
        ("output", &shown),
        ("events.jsonl", &log),
        ("shipdeck.log", &diagnostics),
    ] {
        for secret in [BASIC_B64, "ZGVwbG95OnB3LTk5LXNlY3JldA", "pw-99-secret"] {
            assert!(
                !text.contains(secret),
                "{secret} leaked into the {place}: {text}"
            );
        }
    }
}

/// Item 9: a legal tag with `&` and `=` in a form body, and one with `"}` in a JSON body that
/// has no JSON content type, stay one value; `check` refuses a body whose kind it cannot tell.
#[test]
fn security_template_values_are_escaped_for_the_body_kind() {
    let (port, requests) = echo_server(200, |_| "ok".to_string());
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    project_with(
        d,
        &format!(
            "[[channels]]\nname = \"form\"\nkind = \"http\"\nurl = \"http://127.0.0.1:{port}/f\"\n\
             headers = {{ Content-Type = \"text/plain\" }}\nbody = \"release={{{{release}}}}&env=dev\"\n\n\
             [[channels]]\nname = \"json\"\nkind = \"http\"\nurl = \"http://127.0.0.1:{port}/j\"\n\
             headers = {{ Content-Type = \"text/plain\" }}\nbody = '{{\"release\":\"{{{{release}}}}\"}}'\n"
        ),
    );
    let repo = d.join("repo");
    crate::common::git(&repo, &["tag", "api-v1.0.0&env=prod"]);
    crate::common::git(&repo, &["tag", "api-v1.0.1\"}"]);
    for tag in ["api-v1.0.0&env=prod", "api-v1.0.1\"}"] {
        let out = run(d, USER, &["notes", "api", tag, "--publish", "--yes"], &[]);
        assert_eq!(out.status.code(), Some(0), "{tag}: {}", stderr(&out));
    }
    let got: Vec<String> = requests.try_iter().collect();
    let bodies: Vec<&str> = got
        .iter()
        .map(|r| r.split_once("\r\n\r\n").map_or("", |(_, b)| b))
        .collect();
    assert!(
        bodies.contains(&"release=api-v1.0.0%26env%3Dprod&env=dev"),
        "one form value: {bodies:?}"
    );
    let json: Vec<serde_json::Value> = bodies
        .iter()
        .filter_map(|b| serde_json::from_str(b).ok())
        .collect();
    assert!(
        json.iter().any(|v| v["release"] == "api-v1.0.1\"}"),
        "valid JSON with the tag as one string: {bodies:?}"
    );

    // A body that is neither JSON nor a form, with values and no type, is refused by check.
    let dir = tempfile::tempdir().expect("tempdir");
    let config = crate::common::project(dir.path());
    let mut text = std::fs::read_to_string(&config).expect("config");
    text = text.replace(
        "tags = \"api-v*\"\n",
        "tags = \"api-v*\"\ndeploy = { kind = \"http\", url = \"http://127.0.0.1:1/d\", body = \"deploy {{release}} please\" }\n",
    );
    std::fs::write(&config, text).expect("write");
    let out = run(dir.path(), USER, &["check"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot tell"), "{}", stderr(&out));
}

/// Item 11: `check` never echoes raw terminal control from unknown keys; `log --json` writes
/// C1, DEL, bidi and zero-width characters from others' events as `\u` escapes; zero-width
/// characters show visibly in names and actors.
#[test]
fn security_control_and_invisible_text_is_escaped_or_shown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let config = crate::common::project(d);
    let original = std::fs::read_to_string(&config).expect("config");
    // An unknown key and an unknown value whose escapes decode to ESC, BEL, C1 and bidi: valid
    // TOML, so `check` names them in its problems.
    let mut text = original.clone();
    text.push_str("\n[\"evil\\u001b]0;pwned\\u0007\u{202e}key\"]\nx = \"v\\u009b2J\\u200b\"\n");
    std::fs::write(&config, &text).expect("write");
    let out = run(d, USER, &["check"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("evil"), "the unknown key is named: {err}");
    for bad in ['\u{1b}', '\u{7}', '\u{202e}', '\u{9b}', '\u{200b}'] {
        assert!(!err.contains(bad), "raw {bad:?} in: {err:?}");
    }
    // Raw control bytes in the file are a parse error; its message quotes none of them.
    let mut text = original.clone();
    text.push_str("\nname2 = \"evil\u{1b}]0;pwned\u{7}\u{202e}\"\n");
    std::fs::write(&config, &text).expect("write");
    let out = run(d, USER, &["check"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    for bad in ['\u{1b}', '\u{7}', '\u{202e}'] {
        assert!(!err.contains(bad), "raw {bad:?} in: {err:?}");
    }

    std::fs::write(&config, &original).expect("write");
    // Someone else's event, written straight into the log (as anyone who can append could).
    let actor = "mallory\u{200b}@x\u{9b}2J\u{7f}\u{202e}";
    let (log, _) = shipdeck::store::EventLog::open(&d.join(".shipdeck")).expect("log");
    let now = jiff::Timestamp::now();
    let body = shipdeck::domain::event::EventBody::new(
        shipdeck::store::new_event_id(),
        now,
        actor,
        &shipdeck::domain::event::Fact::Approved {
            commit: "0".repeat(40),
            note: None,
        },
        Some("api"),
        Some("api-v1.2.0"),
        Some("prod"),
    );
    log.append(body, now).expect("append");
    drop(log);
    let out = run(d, USER, &["log", "--json"], &[]);
    let json = String::from_utf8_lossy(&out.stdout).into_owned();
    for bad in ['\u{200b}', '\u{9b}', '\u{7f}', '\u{202e}'] {
        assert!(!json.contains(bad), "raw {bad:?} in: {json:?}");
    }
    assert!(
        json.contains("\\u200b") && json.contains("\\u009b"),
        "{json}"
    );
    let event: serde_json::Value =
        serde_json::from_str(json.lines().next().expect("a line")).expect("still JSON");
    assert_eq!(event["actor"], actor, "the same text, escaped");
    let out = run(d, USER, &["log"], &[]);
    let shown = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(shown.contains("mallory\\u{200b}@x"), "visible: {shown}");

    // A tag that differs from a release only by a zero-width space never lists like it.
    crate::common::git(&d.join("repo"), &["tag", "api-v1.2.0\u{200b}"]);
    let out = run(d, USER, &["releases", "api"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        !listed.contains('\u{200b}'),
        "raw zero-width in: {listed:?}"
    );
    assert_eq!(
        listed.lines().filter(|l| l.contains("api-v1.2.0")).count(),
        1,
        "one api-v1.2.0: {listed}"
    );
}
