//! Getting started: `init` on a generated repository, completions accepted by `bash -n`, the man
//! page rendered by `man -l`, and config.example.toml and the demo's configuration validated
//! against `schema` by a real JSON Schema validator (Python's `jsonschema`).

use crate::common::{bin, git, shipdeck, stderr, stdout};

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

const USER: &str = "dana@shop.example";

/// A repository laid out like tokio's: three crates in folders named after them, each tagged.
fn tokio_like(dir: &Path) -> std::path::PathBuf {
    let repo = dir.join("tokio");
    for crate_dir in ["tokio", "tokio-util", "tokio-macros", "examples"] {
        std::fs::create_dir_all(repo.join(crate_dir)).expect("mkdir");
        std::fs::write(repo.join(crate_dir).join("lib.rs"), "// code\n").expect("write");
    }
    git(&repo, &["init", "-q", "-b", "master"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "initial"]);
    for (i, tag) in [
        "tokio-1.0.0",
        "tokio-util-0.7.0",
        "tokio-macros-2.0.0",
        "tokio-1.38.0",
        "tokio-util-0.7.11",
        "tokio-macros-2.3.0",
        "tokio-1.38.1",
    ]
    .iter()
    .enumerate()
    {
        std::fs::write(repo.join("tokio/lib.rs"), format!("// {i}\n")).expect("write");
        git(&repo, &["commit", "-q", "-am", &format!("change {i}")]);
        git(&repo, &["tag", tag]);
    }
    git(&repo, &["tag", "latest"]);
    repo
}

fn names(json: &str) -> Vec<String> {
    let releases: Value = serde_json::from_str(json).expect("releases --json");
    let mut names: Vec<String> = releases
        .as_array()
        .expect("an array")
        .iter()
        .map(|r| r["release"].as_str().expect("a name").to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn init_groups_tags_into_services_whose_patterns_do_not_overlap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = tokio_like(dir.path());
    let out = shipdeck(&repo, USER, &["init"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let text = std::fs::read_to_string(repo.join("shipdeck.toml")).expect("written");
    assert!(text.contains("tags = \"tokio-[0-9]*\""), "{text}");
    assert!(text.contains("\"tokio-util/**\""), "{text}");
    assert!(text.contains("# health = "), "{text}");

    let check = shipdeck(&repo, USER, &["check"]);
    assert!(
        check.status.success(),
        "{}{}",
        stdout(&check),
        stderr(&check)
    );
    assert!(stdout(&check).contains("3 services"), "{}", stdout(&check));

    for (service, pattern) in [
        ("tokio", "tokio-[0-9]*"),
        ("tokio-util", "tokio-util-*"),
        ("tokio-macros", "tokio-macros-*"),
    ] {
        assert!(
            text.contains(&format!("tags = \"{pattern}\"")),
            "{service}: {text}"
        );
        let releases = shipdeck(&repo, USER, &["releases", service, "--json"]);
        assert!(releases.status.success(), "{}", stderr(&releases));
        let mut listed: Vec<String> = git(&repo, &["tag", "-l", pattern])
            .lines()
            .map(str::to_string)
            .collect();
        listed.sort();
        assert_eq!(names(&stdout(&releases)), listed, "{service}");
        assert!(listed.iter().all(|t| t.starts_with(&format!("{service}-"))
            && t[service.len() + 1..].starts_with(|c: char| c.is_ascii_digit())));
    }

    // A second init never overwrites.
    let before = std::fs::read_to_string(repo.join("shipdeck.toml")).expect("file");
    let again = shipdeck(&repo, USER, &["init"]);
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("never overwrites"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        std::fs::read_to_string(repo.join("shipdeck.toml")).expect("file"),
        before
    );
}

#[test]
fn init_from_elsewhere_names_the_repository_relative_to_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = tokio_like(dir.path());
    let out = shipdeck(
        dir.path(),
        USER,
        &["init", "--repo", &repo.display().to_string()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("shipdeck.toml")).expect("written");
    assert!(text.contains("repo = \"tokio\""), "{text}");
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    git(&empty, &["init", "-q"]);
    let none = shipdeck(&empty, USER, &["init"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(
        stderr(&none).contains("no release tags"),
        "{}",
        stderr(&none)
    );
    assert!(!empty.join("shipdeck.toml").exists());
}

/// `shipdeck ARGS` in `dir` with no terminal, stopped if it has not ended within 30 s.
fn without_a_terminal(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("SHIPDECK_USER", USER)
        .env("SHIPDECK_DATA_DIR", dir.join(".data"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("shipdeck starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().expect("waits").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("shipdeck {args:?} did not end");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("its output")
}

#[test]
fn the_console_without_a_configuration_exits_2_with_the_message_every_command_gives() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    for (console, command) in [
        (vec![], vec!["status"]),
        (
            vec!["--config", "nowhere.toml"],
            vec!["--config", "nowhere.toml", "status"],
        ),
    ] {
        let console_out = without_a_terminal(d, &console);
        let status_out = without_a_terminal(d, &command);
        assert_eq!(
            console_out.status.code(),
            Some(2),
            "{}",
            stderr(&console_out)
        );
        assert_eq!(status_out.status.code(), Some(2), "{}", stderr(&status_out));
        assert!(!stderr(&console_out).trim().is_empty());
        assert_eq!(stderr(&console_out), stderr(&status_out), "{console:?}");
        assert_eq!(stdout(&console_out), "", "nothing drawn");
    }
    // A broken one too: exit 2, the same message as `status`.
    std::fs::write(d.join("shipdeck.toml"), "[project]\nnmae = \"x\"\n").expect("write");
    let console_out = without_a_terminal(d, &[]);
    let status_out = without_a_terminal(d, &["status"]);
    assert_eq!(
        console_out.status.code(),
        Some(2),
        "{}",
        stderr(&console_out)
    );
    assert_eq!(stderr(&console_out), stderr(&status_out));
}

#[test]
fn bash_accepts_the_completion_script_and_every_shell_gets_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = shipdeck(dir.path(), USER, &["completions", shell]);
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        assert!(stdout(&out).contains("shipdeck"), "{shell}");
    }
    let script = dir.path().join("shipdeck.bash");
    let out = shipdeck(dir.path(), USER, &["completions", "bash"]);
    std::fs::write(&script, &out.stdout).expect("write");
    assert!(
        stdout(&out).contains("promote"),
        "subcommands are completed"
    );
    let checked = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .expect("bash runs");
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
}

#[test]
fn man_renders_the_page() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = shipdeck(dir.path(), USER, &["man"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = dir.path().join("shipdeck.1");
    std::fs::write(&page, &out.stdout).expect("write");
    let rendered = Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .env("MANWIDTH", "100")
        .stdin(Stdio::null())
        .output()
        .expect("man runs");
    let text = String::from_utf8_lossy(&rendered.stdout);
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    assert!(text.contains("NAME") && text.contains("shipdeck"), "{text}");
    assert!(text.contains("promote"), "subcommands listed: {text}");
}

/// Validates the TOML file `config` against the schema `schema` with Python's jsonschema.
fn validate(schema: &Path, config: &Path) -> Result<(), String> {
    let script = r#"
import json, sys, tomllib, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
with open(sys.argv[2], "rb") as f:
    doc = json.loads(json.dumps(tomllib.load(f), default=str))
errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
for e in errors:
    print("/".join(map(str, e.path)) + ": " + e.message[:300])
sys.exit(1 if errors else 0)
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(schema)
        .arg(config)
        .output()
        .expect("python3 runs");
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_and_the_demo_validate_against_the_schema_and_a_broken_file_does_not() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(bin())
        .arg("schema")
        .output()
        .expect("schema runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let schema = dir.path().join("shipdeck.schema.json");
    std::fs::write(&schema, &out.stdout).expect("write");

    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let text = std::fs::read_to_string(&example).expect("the example");
    for section in ["[[trains]]", "paths = ", "kind = \"git\"", "[[flags]]"] {
        assert!(text.contains(section), "the example shows {section}");
    }
    validate(&schema, &example).expect("config.example.toml validates");

    let demo_dir = dir.path().join("demo");
    std::fs::create_dir_all(&demo_dir).expect("mkdir");
    let demo = shipdeck::demo::start(&demo_dir).await.expect("demo starts");
    let demo_config = demo_dir.join("shipdeck.toml");
    let text = std::fs::read_to_string(&demo_config).expect("the demo's configuration");
    for section in ["[[trains]]", "traffic]", "[[flags]]", "paths = "] {
        assert!(
            text.contains(section),
            "the demo's configuration has {section}"
        );
    }
    let result = validate(&schema, &demo_config);
    demo.shutdown().await;
    result.expect("the demo's configuration validates");

    // And it is a real check: an unknown key, a wrong type, an unknown gate kind, a train's
    // misspelt key and an unknown traffic router fail, each at its place.
    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        "[project]\nname = \"x\"\nstate_dri = \"y\"\n\n[[environments]]\nname = \"dev\"\nprotected = \"yes\"\ngates = [{ kind = \"sometimes\" }]\n\n\
         [[services]]\nname = \"api\"\nrepo = \".\"\ntags = \"v*\"\n[services.env.dev.traffic]\nkind = \"nginx\"\n\n\
         [[trains]]\nname = \"t\"\nservices = [\"api\"]\nmembers = 2\n",
    )
    .expect("write");
    let err = validate(&schema, &broken).expect_err("broken is refused");
    let places: Vec<&str> = err
        .lines()
        .filter_map(|l| l.split_once(": ").map(|(place, _)| place))
        .collect();
    assert_eq!(
        places,
        [
            "environments/0/gates/0",
            "environments/0/gates/0/kind",
            "environments/0/protected",
            "project",
            "services/0/env/dev/traffic",
            "services/0/env/dev/traffic/kind",
            "trains/0"
        ],
        "{err}"
    );
    assert!(
        err.contains("state_dri") && err.contains("members"),
        "{err}"
    );
}
