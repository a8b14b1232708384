//! `notes --publish` through `file` and `command` channels against the real binary, and the
//! channel configuration's errors.

use crate::notes_support;

use notes_support::{
    announce_line, checklist, current_notes, project_with, run, script, stderr, stdout,
};

const USER: &str = "dana@shop.example";

#[test]
fn a_file_channel_writes_the_markdown_to_its_templated_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(
        dir.path(),
        "[[channels]]\nname = \"notes-file\"\nkind = \"file\"\n\
         path = \"release-notes/{{service}}-{{release}}.md\"\n",
    );
    let markdown = current_notes(dir.path(), USER);
    let out = run(
        dir.path(),
        USER,
        &[
            "notes",
            "api",
            "api-v1.2.0",
            "--env",
            "prod",
            "--publish",
            "--yes",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(dir.path().join("release-notes/api-api-v1.2.0.md"))
        .expect("the file channel wrote the notes");
    assert_eq!(written.trim_end(), markdown.trim_end());
    assert!(announce_line(&checklist(dir.path(), USER)).contains("[x]"));
}

#[test]
fn a_command_channel_gets_the_markdown_on_stdin_once_the_config_is_trusted() {
    let dir = tempfile::tempdir().expect("tempdir");
    script(
        &dir.path().join("announce.sh"),
        "cat > \"$SHIPDECK_RELEASE.received\"\necho \"posted $1\"",
    );
    project_with(
        dir.path(),
        "[[channels]]\nname = \"mail\"\nkind = \"command\"\n\
         command = [\"./announce.sh\", \"{{title}}\"]\n",
    );
    let markdown = current_notes(dir.path(), USER);
    let args = [
        "notes",
        "api",
        "api-v1.2.0",
        "--env",
        "prod",
        "--publish",
        "--yes",
    ];
    let untrusted = run(dir.path(), USER, &args, &[]);
    assert_eq!(untrusted.status.code(), Some(1));
    assert!(
        stdout(&untrusted).contains("not trusted"),
        "{}",
        stdout(&untrusted)
    );
    assert!(!dir.path().join("api-v1.2.0.received").exists());

    let trust = run(dir.path(), USER, &["trust"], &[]);
    assert_eq!(trust.status.code(), Some(0), "{}", stderr(&trust));
    let out = run(dir.path(), USER, &args, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("posted api api-v1.2.0"),
        "{}",
        stdout(&out)
    );
    let received =
        std::fs::read_to_string(dir.path().join("api-v1.2.0.received")).expect("stdin kept");
    assert_eq!(received.trim_end(), markdown.trim_end());
}

#[test]
fn an_unknown_channel_name_is_refused_with_a_suggestion() {
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(
        dir.path(),
        "[[channels]]\nname = \"notes-file\"\nkind = \"file\"\npath = \"n.md\"\n",
    );
    let out = run(
        dir.path(),
        USER,
        &[
            "notes",
            "api",
            "api-v1.2.0",
            "--publish",
            "--yes",
            "--channel",
            "notes-fil",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `notes-file`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn channel_config_errors_name_the_place_and_the_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(
        dir.path(),
        "[[channels]]\nname = \"slack\"\nkind = \"htp\"\nurl = \"http://x\"\n\n\
         [[channels]]\nname = \"teams\"\nkind = \"http\"\nurl = \"http://x/{{relase}}\"\n\n\
         [[channels]]\nname = \"both\"\nkind = \"http\"\nurl = \"http://x\"\nurl_env = \"HOOK\"\n\n\
         [[channels]]\nname = \"f\"\nkind = \"file\"\npaht = \"x.md\"\n",
    );
    let out = run(dir.path(), USER, &["check"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("channels[0].kind") && err.contains("did you mean `http`?"),
        "{err}"
    );
    assert!(
        err.contains("channels[1].url") && err.contains("{{relase}}"),
        "{err}"
    );
    assert!(err.contains("exactly one of `url` or `url_env`"), "{err}");
    assert!(err.contains("did you mean `path`?"), "{err}");
    assert!(err.contains("shipdeck.toml:"), "{err}");
}

#[test]
fn check_warns_about_an_unset_webhook_variable_and_a_missing_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(
        dir.path(),
        "[[channels]]\nname = \"slack\"\nkind = \"http\"\nurl_env = \"NOTES_HOOK_URL_UNSET\"\n\n\
         [[channels]]\nname = \"mail\"\nkind = \"command\"\ncommand = [\"./nowhere.sh\"]\n",
    );
    let out = run(dir.path(), USER, &["check"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("`NOTES_HOOK_URL_UNSET` (channel `slack`) is not set"),
        "{err}"
    );
    assert!(
        err.contains("(channel `mail`) is not an executable file"),
        "{err}"
    );
}
