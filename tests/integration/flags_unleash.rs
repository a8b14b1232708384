//! Feature flags against a real Unleash 8 on a real PostgreSQL: on/off and rollout seen in
//! Unleash's own admin API, `+` in the console (the binary in tmux) to the next step, drift,
//! freezes, `--read-only`, Unleash stopped mid-session (the console's view and key too), and the
//! token in no output, event or log. One Unleash for the whole file (its start is slow): the
//! scenarios run in order in one test.

use crate::common;
use crate::e2e_support::{Tmux, right_column};
use crate::flags_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use flags_support::{Postgres, TOKEN, Unleash};
use serde_json::{Value, json};

struct Project {
    dir: tempfile::TempDir,
    /// Everything every command printed, for the token grep.
    outputs: Vec<String>,
}

impl Project {
    fn new(unleash: &Unleash) -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        common::repo_with_releases(dir.path(), &[(1, "1.0.0")], 2);
        let base = config_text(&unleash.url());
        std::fs::write(dir.path().join("shipdeck.toml"), &base).expect("config");
        let now = jiff::Timestamp::now();
        let freeze = format!(
            "{base}\n[[freezes]]\nname = \"payments-cutover\"\nfrom = \"{}\"\nuntil = \"{}\"\n\
             environments = [\"prod\"]\n",
            now - jiff::SignedDuration::from_hours(1),
            now + jiff::SignedDuration::from_hours(24)
        );
        std::fs::write(dir.path().join("frozen.toml"), freeze).expect("config");
        // The console reads the flag service every second, so it sees Unleash go and come back.
        let console = base.replace("timeout = \"5s\"", "timeout = \"5s\"\ninterval = \"1s\"");
        std::fs::write(dir.path().join("console.toml"), console).expect("config");
        Project {
            dir,
            outputs: Vec::new(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs shipdeck with the token in its environment; keeps what it printed.
    fn run(&mut self, config: &str, args: &[&str]) -> Output {
        let out = Command::new(common::bin())
            .arg("--config")
            .arg(self.path().join(config))
            .args(args)
            .current_dir(self.path())
            .env("SHIPDECK_USER", "dana@shop.example")
            .env("SHIPDECK_DATA_DIR", self.path().join(".data"))
            .env("SHIPDECK_LOG", "debug")
            .env("UNLEASH_ADMIN_TOKEN", TOKEN)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("NO_COLOR", "1")
            .output()
            .expect("shipdeck runs");
        self.outputs.push(common::stdout(&out));
        self.outputs.push(common::stderr(&out));
        assert!(
            !common::stderr(&out).contains("panicked"),
            "shipdeck {args:?} panicked: {}",
            common::stderr(&out)
        );
        out
    }

    /// The console (the binary in tmux, 160×45) on `console.toml`, with the token in its
    /// environment; everything it writes is captured for the token grep.
    fn console(&self) -> Tmux {
        let argv = [
            common::bin().display().to_string(),
            "--config".to_string(),
            self.path().join("console.toml").display().to_string(),
        ];
        let env = [
            ("SHIPDECK_USER", "dana@shop.example".to_string()),
            (
                "SHIPDECK_DATA_DIR",
                self.path().join(".data").display().to_string(),
            ),
            ("SHIPDECK_LOG", "debug".to_string()),
            ("UNLEASH_ADMIN_TOKEN", TOKEN.to_string()),
            ("GIT_CONFIG_GLOBAL", "/dev/null".to_string()),
            ("NO_COLOR", "1".to_string()),
        ];
        Tmux::start(&argv, &env, (160, 45))
    }

    fn ok(&mut self, config: &str, args: &[&str]) -> String {
        let out = self.run(config, args);
        assert!(
            out.status.success(),
            "shipdeck {args:?} failed: {}{}",
            common::stdout(&out),
            common::stderr(&out)
        );
        common::stdout(&out)
    }

    fn flags_json(&mut self) -> Value {
        let text = self.ok("shipdeck.toml", &["flags", "--json"]);
        serde_json::from_str(&text).expect("flags --json is JSON")
    }

    fn events(&self) -> Vec<Value> {
        std::fs::read_to_string(self.path().join("state/events.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("event"))
            .collect()
    }
}

fn config_text(url: &str) -> String {
    format!(
        r#"[project]
name = "shop"
state_dir = "state"

[[environments]]
name = "dev"

[[environments]]
name = "prod"
protected = true

[[services]]
name = "web"
repo = "repo"
tags = "web-v*"

[[services]]
name = "api"
repo = "repo"
tags = "api-v*"

[[flags]]
name = "unleash"
kind = "unleash"
url = "{url}"
token_env = "UNLEASH_ADMIN_TOKEN"
project = "default"
environments = {{ dev = "development", prod = "production" }}
services = {{ web = ["new-checkout"], api = ["search-v2"] }}
timeout = "5s"
"#
    )
}

fn row<'a>(doc: &'a Value, flag: &str, env: &str) -> &'a Value {
    doc["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .find(|r| r["flag"] == flag && r["env"] == env)
        .unwrap_or_else(|| panic!("no row {flag} {env} in {doc}"))
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn flags_through_a_real_unleash() {
    let pg = Postgres::start();
    let mut unleash = Unleash::start(&pg);
    for f in ["new-checkout", "search-v2", "orphan-flag"] {
        unleash.create_feature(f);
    }
    let mut p = Project::new(&unleash);

    // The board: every feature × mapped environment; a flag of no service is listed as such.
    let doc = p.flags_json();
    assert_eq!(doc["flag_services"][0]["status"], "ok", "{doc}");
    assert_eq!(doc["flags"].as_array().map(Vec::len), Some(6), "{doc}");
    assert_eq!(row(&doc, "new-checkout", "prod")["service"], "web");
    assert_eq!(row(&doc, "orphan-flag", "dev")["service"], Value::Null);
    assert_eq!(row(&doc, "new-checkout", "prod")["enabled"], false);

    // On, then off: Unleash's own admin API sees each.
    let out = p.ok(
        "shipdeck.toml",
        &[
            "flag",
            "new-checkout",
            "--env",
            "prod",
            "on",
            "--yes",
            "--note",
            "launch",
        ],
    );
    assert!(
        out.contains("POST ") && out.contains("/environments/production/on"),
        "the exact call is shown: {out}"
    );
    assert!(unleash.enabled("new-checkout", "production"));
    assert!(!unleash.enabled("new-checkout", "development"));
    p.ok(
        "shipdeck.toml",
        &["flag", "new-checkout", "--env", "prod", "off", "--yes"],
    );
    assert!(!unleash.enabled("new-checkout", "production"));
    let events = p.events();
    let changed: Vec<&Value> = events
        .iter()
        .filter(|e| e["kind"] == "flag-changed")
        .collect();
    assert_eq!(changed.len(), 2);
    assert_eq!(changed[0]["env"], "prod");
    assert_eq!(changed[0]["service"], "web");
    assert_eq!(changed[0]["actor"], "dana@shop.example");
    assert_eq!(changed[0]["data"]["before"], json!({"enabled": false}));
    assert_eq!(changed[0]["data"]["after"]["enabled"], true);
    assert_eq!(changed[0]["data"]["ok"], true);
    assert_eq!(changed[0]["data"]["note"], "launch");

    // Dark launch: rollout 10 creates the gradual rollout in dev (it had no strategy), then
    // the next step.
    p.ok(
        "shipdeck.toml",
        &[
            "flag",
            "new-checkout",
            "--env",
            "dev",
            "rollout",
            "10",
            "--yes",
        ],
    );
    assert_eq!(
        unleash.rollout("new-checkout", "development").as_deref(),
        Some("10")
    );
    // `+` in the console's Flags view: new-checkout (web's, the first service) in dev (the first
    // environment) is under the cursor; the plan shows Unleash's exact call, Enter sends it.
    let console = p.console();
    console.wait_screen("the board", Duration::from_secs(30), |s| {
        s.contains("q quit")
    });
    console.send(&["7"]);
    console.wait_screen(
        "new-checkout off at 10% in dev in the Flags view",
        Duration::from_secs(30),
        |s| s.contains("✓ unleash (unleash)") && s.contains("off at 10%"),
    );
    console.send(&["+"]);
    let dialog = console.wait_screen("the plan of +", Duration::from_secs(20), |s| {
        s.contains("will call: PATCH") && s.contains("Enter confirms")
    });
    assert!(
        dialog.contains("off at 10% → off at 25%")
            && dialog.contains(r#"[{"op":"replace","path":"/parameters/rollout","value":"25"}]"#),
        "{dialog}"
    );
    console.send(&["Enter"]);
    common::wait_for(
        "Unleash's rollout parameter to be the next step, 25",
        Duration::from_secs(20),
        || unleash.rollout("new-checkout", "development").as_deref() == Some("25"),
    );
    console.wait_screen(
        "the read-back in the view and the toast",
        Duration::from_secs(10),
        |s| {
            s.contains("off at 25%")
                && right_column(s, 64).contains("(readback);recordedflag-changed")
        },
    );
    let last = p.events().pop().expect("the console's change");
    assert_eq!(last["kind"], "flag-changed");
    assert_eq!(last["actor"], "dana@shop.example");
    assert_eq!(
        last["data"]["after"],
        json!({"enabled": false, "rollout": 25})
    );
    assert_eq!(last["data"]["ok"], true);
    p.ok(
        "shipdeck.toml",
        &["flag", "new-checkout", "--env", "dev", "on", "--yes"],
    );
    let doc = p.flags_json();
    assert_eq!(row(&doc, "new-checkout", "dev")["rollout"], 25);
    assert_eq!(row(&doc, "new-checkout", "dev")["drift"], false);

    // A change made in Unleash itself is drift in the next read; never recorded.
    let strategy = unleash.rollout_strategy("new-checkout", "development");
    let before_events = p.events().len();
    let (status, body) = unleash.api(
        "PATCH",
        &format!(
            "/api/admin/projects/default/features/new-checkout/environments/development/strategies/{strategy}"
        ),
        Some(json!([{"op": "replace", "path": "/parameters/rollout", "value": "50"}])),
    );
    assert_eq!(status, 200, "{body}");
    let doc = p.flags_json();
    let r = row(&doc, "new-checkout", "dev");
    assert_eq!(r["drift"], true, "{doc}");
    assert_eq!(r["rollout"], 50);
    assert_eq!(r["recorded"]["rollout"], 25);
    assert_eq!(p.events().len(), before_events, "drift is never recorded");
    let text = p.ok("shipdeck.toml", &["flags", "--env", "dev"]);
    assert!(text.contains("drift"), "{text}");

    // A freeze on prod: on and raising exit 3 naming it; off succeeds; a reason passes it.
    p.ok(
        "shipdeck.toml",
        &["flag", "search-v2", "--env", "prod", "on", "--yes"],
    );
    let out = p.run(
        "frozen.toml",
        &["flag", "new-checkout", "--env", "prod", "on", "--yes"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", common::stderr(&out));
    assert!(
        common::stderr(&out).contains("payments-cutover"),
        "{}",
        common::stderr(&out)
    );
    assert!(!unleash.enabled("new-checkout", "production"));
    p.ok(
        "shipdeck.toml",
        &[
            "flag",
            "search-v2",
            "--env",
            "prod",
            "rollout",
            "10",
            "--yes",
        ],
    );
    let out = p.run(
        "frozen.toml",
        &[
            "flag",
            "search-v2",
            "--env",
            "prod",
            "rollout",
            "50",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", common::stderr(&out));
    assert_eq!(
        unleash.rollout("search-v2", "production").as_deref(),
        Some("10")
    );
    p.ok(
        "frozen.toml",
        &[
            "flag",
            "search-v2",
            "--env",
            "prod",
            "rollout",
            "5",
            "--yes",
        ],
    );
    assert_eq!(
        unleash.rollout("search-v2", "production").as_deref(),
        Some("5")
    );
    p.ok(
        "frozen.toml",
        &["flag", "search-v2", "--env", "prod", "off", "--yes"],
    );
    assert!(!unleash.enabled("search-v2", "production"));
    p.ok(
        "frozen.toml",
        &[
            "flag",
            "new-checkout",
            "--env",
            "prod",
            "on",
            "--yes",
            "--reason",
            "incident fix",
        ],
    );
    assert!(unleash.enabled("new-checkout", "production"));
    let last = p.events().pop().expect("an event");
    assert_eq!(last["data"]["freeze_override"], "incident fix");

    // --read-only refuses and changes nothing.
    let out = p.run(
        "shipdeck.toml",
        &[
            "--read-only",
            "flag",
            "new-checkout",
            "--env",
            "prod",
            "off",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(common::stderr(&out).contains("read-only"));
    assert!(unleash.enabled("new-checkout", "production"));

    // Unleash stopped mid-session: unreachable, the change refused, nothing panics; started
    // again, the next read recovers.
    // Meanwhile the console followed every change made headless, within its interval.
    let line = |s: &str, flag: &str| -> String {
        s.lines()
            .find(|l| l.contains(&format!("  {flag} ")))
            .unwrap_or_default()
            .to_string()
    };
    console.wait_screen(
        "the console to show the headless changes",
        Duration::from_secs(30),
        |s| {
            line(s, "new-checkout").contains("on at 100%")
                && !line(s, "search-v2").contains("on")
                && s.contains("✓ unleash (unleash)")
        },
    );
    unleash.stop();
    let doc = p.flags_json();
    assert_eq!(doc["flag_services"][0]["status"], "unreachable", "{doc}");
    let events = p.events().len();
    let out = p.run(
        "shipdeck.toml",
        &["flag", "new-checkout", "--env", "prod", "off", "--yes"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = common::stderr(&out);
    assert!(
        err.contains("unreachable") && err.contains("nothing was changed"),
        "{err}"
    );
    assert_eq!(p.events().len(), events, "a refused change records nothing");
    // The console says so too: the view and the board cell, and its key is refused.
    console.wait_screen(
        "the Flags view to say unreachable",
        Duration::from_secs(30),
        |s| s.contains("✖ unleash (unleash) unreachable") && s.contains("changes are refused"),
    );
    console.send(&["+"]);
    console.wait_screen(
        "the key refused with the reason",
        Duration::from_secs(20),
        |s| {
            let toasts = right_column(s, 64);
            toasts.contains("isunreachable") && toasts.contains("nothingwaschanged")
        },
    );
    console.send(&["Escape"]);
    console.send(&["1"]);
    console.wait_screen(
        "the board cell to say unreachable",
        Duration::from_secs(10),
        |s| s.contains("⚑ unreachable"),
    );
    assert_eq!(p.events().len(), events, "a refused key records nothing");
    unleash.start_again();
    let doc = p.flags_json();
    assert_eq!(doc["flag_services"][0]["status"], "ok", "{doc}");
    assert_eq!(row(&doc, "new-checkout", "prod")["enabled"], true);
    console.wait_screen(
        "the board cell to recover by itself",
        Duration::from_mins(1),
        |s| s.contains("⚑ 1 on") && !s.contains("⚑ unreachable"),
    );
    console.send(&["7"]);
    console.wait_screen("the Flags view to recover", Duration::from_secs(10), |s| {
        s.contains("✓ unleash (unleash)")
    });
    assert!(
        !console.screen().contains("panicked"),
        "{}",
        console.screen()
    );
    console.send(&["q"]);
    common::wait_for("the console to quit", Duration::from_secs(10), || {
        !console.alternate_on()
    });
    p.outputs
        .push(String::from_utf8_lossy(&console.raw_output()).into_owned());

    // The token's value is in no output, event or log.
    let mut leaked = Vec::new();
    for (i, text) in p.outputs.iter().enumerate() {
        if text.contains(TOKEN) || text.contains("shipdeck-test-admin") {
            leaked.push(format!("output {i}"));
        }
    }
    let written = files(p.path());
    assert!(
        written.iter().any(|f| f.ends_with("events.jsonl")),
        "the event log is among the files"
    );
    assert!(
        written.iter().any(|f| f.ends_with("shipdeck.log")),
        "the log is among the files"
    );
    for f in written {
        let bytes = std::fs::read(&f).unwrap_or_default();
        if String::from_utf8_lossy(&bytes).contains("shipdeck-test-admin") {
            leaked.push(f.display().to_string());
        }
    }
    assert!(leaked.is_empty(), "the token leaked into {leaked:?}");
}
