//! Release notes: what the release brings by default, what an environment gains with `--env`
//! (also right after promoting there), and where publishing would send them, masked.

use std::fmt::Write as _;

use shipdeck::app::Context;

use crate::common::{git, project, shipdeck, stderr, stdout};
use crate::truth_ready::deploy;

fn notes(dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["notes", "api", "api-v1.2.0", "--json"];
    all.extend_from_slice(args);
    let out = shipdeck(dir, "a@x", &all);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("json")
}

#[test]
fn notes_on_an_environment_after_promoting_there_say_what_it_gained() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = project(dir.path());
    let mut text = std::fs::read_to_string(&config).expect("config");
    let _ = write!(
        text,
        "\n[[channels]]\nname = \"slack\"\nkind = \"http\"\n\
         url = \"https://hooks.slack.example/services/T000/B000/sekrit\"\n"
    );
    std::fs::write(&config, text).expect("write");
    let (ctx, _) = Context::load(Some(&config), false).expect("context");
    deploy(&ctx, "api-v1.1.0", "staging", None, true);
    deploy(&ctx, "api-v1.2.0", "staging", Some("api-v1.1.0"), true);

    let gained = notes(dir.path(), &["--env", "staging"]);
    let markdown = gained["markdown"].as_str().expect("markdown");
    let expected = git(
        &dir.path().join("repo"),
        &["log", "--format=%s", "api-v1.1.0..api-v1.2.0"],
    );
    for subject in expected.lines() {
        let short = subject.split_once(": ").map_or(subject, |(_, s)| s);
        assert!(
            markdown.contains(short),
            "{short} missing from:\n{markdown}"
        );
    }
    assert!(!markdown.contains("No changes"), "{markdown}");
    // By default, what the release brings since the previous release: the same here.
    let default = notes(dir.path(), &[]);
    assert_eq!(
        default["markdown"]
            .as_str()
            .map(|m| m.lines().filter(|l| l.starts_with("- ")).count()),
        Some(markdown.lines().filter(|l| l.starts_with("- ")).count())
    );

    let channels = gained["channels"].as_array().expect("channels");
    assert_eq!(channels.len(), 1, "{gained}");
    assert_eq!(channels[0]["to"], "POST https://hooks.slack.example/…");
    assert!(!gained.to_string().contains("sekrit"));
}
