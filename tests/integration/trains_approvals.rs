//! Train releases on a local repository: the cut pins every member, two approvals of the train
//! count for every member, moving one member's tag voids them; notes by paths; a promotion whose
//! promoter went away is finished or reported by whoever looks next; the configuration's checks.

use crate::common;

use std::path::Path;

use common::{git, shipdeck, stderr, stdout};

const CONFIG: &str = r#"[project]
name = "shop"
state_dir = ".shipdeck"

[[environments]]
name = "staging"

[[environments]]
name = "prod"
gates = [{ kind = "approval", count = 2 }]

[[services]]
name = "api"
repo = "repo"
tags = "api-v*"
paths = ["api/**", "libs/**"]

[[services]]
name = "web"
repo = "repo"
tags = "web-v*"
paths = ["web"]

[[trains]]
name = "shop"
services = ["api", "web"]
"#;

fn commit(repo: &Path, file: &str, message: &str) -> String {
    let path = repo.join(file);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let before = std::fs::read_to_string(&path).unwrap_or_default();
    std::fs::write(&path, format!("{before}{message}\n")).expect("write");
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", message]);
    git(repo, &["rev-parse", "HEAD"]).trim().to_string()
}

/// A monorepo with api and web, each tagged twice, and a config with the train `shop`.
fn project(dir: &Path) -> std::path::PathBuf {
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["init", "-q", "-b", "main"]);
    commit(&repo, "README.md", "chore: start");
    commit(&repo, "api/main.rs", "feat(api): first endpoint");
    commit(&repo, "web/app.ts", "feat(web): first page");
    git(&repo, &["tag", "-a", "api-v1.0.0", "-m", "api 1.0.0"]);
    git(&repo, &["tag", "-a", "web-v1.0.0", "-m", "web 1.0.0"]);
    commit(&repo, "api/orders.rs", "feat(api): order search");
    commit(&repo, "web/cart.ts", "fix(web): cart badge");
    commit(&repo, "libs/money.rs", "fix(libs): rounding");
    commit(&repo, "docs/runbook.md", "docs: runbook");
    git(&repo, &["tag", "-a", "api-v1.1.0", "-m", "api 1.1.0"]);
    git(&repo, &["tag", "-a", "web-v1.1.0", "-m", "web 1.1.0"]);
    std::fs::write(dir.join("shipdeck.toml"), CONFIG).expect("config");
    repo
}

fn ok(out: &std::process::Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(out),
        stderr(out)
    );
    stdout(out)
}

fn cut(dir: &Path) -> String {
    let out = shipdeck(
        dir,
        "dana@shop.example",
        &[
            "train",
            "cut",
            "shop",
            "--releases",
            "api=api-v1.1.0,web=web-v1.1.0",
            "--json",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&ok(&out)).expect("cut JSON");
    let name = json["release"].as_str().expect("name").to_string();
    let day = jiff::Timestamp::now().strftime("%Y.%m.%d").to_string();
    assert_eq!(name, format!("shop-{day}-1"));
    assert_eq!(json["members"][0]["service"], "api");
    assert_eq!(json["members"][1]["release"], "web-v1.1.0");
    assert_eq!(
        json["members"][1]["commit"].as_str().map(str::len),
        Some(40)
    );
    name
}

fn plan(dir: &Path, release: &str) -> (Option<i32>, serde_json::Value) {
    let out = shipdeck(
        dir,
        "dana@shop.example",
        &["train", "plan", "shop", release, "--to", "prod", "--json"],
    );
    let json = serde_json::from_str(&stdout(&out)).expect("plan JSON");
    (out.status.code(), json)
}

fn member_gate<'a>(
    plan: &'a serde_json::Value,
    service: &str,
    gate: &str,
) -> &'a serde_json::Value {
    plan["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["service"] == service)
        .and_then(|m| m["plan"]["gates"].as_array())
        .and_then(|g| g.iter().find(|g| g["id"] == gate))
        .unwrap_or(&serde_json::Value::Null)
}

#[test]
fn two_approvals_of_the_train_count_for_every_member_and_a_moved_tag_voids_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = project(dir.path());
    let name = cut(dir.path());
    // A second cut the same day is numbered on.
    let again = shipdeck(
        dir.path(),
        "dana@shop.example",
        &["train", "cut", "shop", "--releases", "api=1.0.0,web=1.0.0"],
    );
    assert!(
        ok(&again).contains(&name.replace("-1", "-2")),
        "{}",
        stdout(&again)
    );

    let (code, before) = plan(dir.path(), &name);
    assert_eq!(code, Some(3), "{before}");
    assert_eq!(member_gate(&before, "api", "approval")["status"], "pending");

    for who in ["sam@shop.example", "lena@shop.example"] {
        ok(&shipdeck(
            dir.path(),
            who,
            &["approve", "--train", "shop", &name, "--env", "prod"],
        ));
    }
    let (code, after) = plan(dir.path(), &name);
    assert_eq!(code, Some(0), "{after}");
    for service in ["api", "web"] {
        let gate = member_gate(&after, service, "approval");
        assert_eq!(gate["status"], "pass", "{service}: {gate}");
        assert!(
            gate["reason"].as_str().unwrap_or("").contains(&name),
            "{gate}"
        );
    }
    assert_eq!(after["allowed"], true);
    // The train's approvals are the train's: a member promoted alone still needs its own.
    let alone = shipdeck(
        dir.path(),
        "dana@shop.example",
        &["plan", "api", "api-v1.1.0", "--to", "prod"],
    );
    assert_eq!(alone.status.code(), Some(3), "{}", stdout(&alone));

    // Moving one member's tag voids the approvals for every member.
    let elsewhere = commit(&repo, "web/late.ts", "fix(web): late fix");
    git(
        &repo,
        &["tag", "-f", "-a", "web-v1.1.0", "-m", "moved", &elsewhere],
    );
    let (code, moved) = plan(dir.path(), &name);
    assert_eq!(code, Some(3), "{moved}");
    for service in ["api", "web"] {
        let gate = member_gate(&moved, service, "approval");
        assert_eq!(gate["status"], "pending", "{service}: {gate}");
        assert!(
            gate["reason"].as_str().unwrap_or("").contains("tag moved"),
            "{gate}"
        );
    }
    assert_eq!(member_gate(&moved, "web", "pinned")["status"], "fail");
    assert_eq!(
        member_gate(&moved, "api", "pinned"),
        &serde_json::Value::Null
    );
    let refused = shipdeck(
        dir.path(),
        "kim@shop.example",
        &["approve", "--train", "shop", &name, "--env", "prod"],
    );
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("moved"), "{}", stderr(&refused));
}

#[test]
fn the_train_notes_hold_each_members_own_changes_and_its_checklist_is_its_own() {
    let dir = tempfile::tempdir().expect("temp dir");
    project(dir.path());
    std::fs::write(
        dir.path().join("shipdeck.toml"),
        CONFIG.replace(
            "gates = [{ kind = \"approval\", count = 2 }]",
            "gates = [{ kind = \"approval\", count = 2 }, { kind = \"checklist\", name = \"production-release\" }]",
        ),
    )
    .expect("config");
    let name = cut(dir.path());
    let notes = ok(&shipdeck(
        dir.path(),
        "dana@shop.example",
        &["notes", "--train", "shop", &name],
    ));
    let api = notes.find("## api api-v1.1.0").expect("api's section");
    let web = notes.find("## web web-v1.1.0").expect("web's section");
    let (api_part, web_part) = (&notes[api..web], &notes[web..]);
    assert!(
        api_part.contains("order search") && api_part.contains("rounding"),
        "{notes}"
    );
    assert!(
        !api_part.contains("cart badge") && !api_part.contains("runbook"),
        "{notes}"
    );
    assert!(
        web_part.contains("cart badge") && !web_part.contains("order search"),
        "{notes}"
    );
    let json = ok(&shipdeck(
        dir.path(),
        "dana@shop.example",
        &["notes", "--train", "shop", &name, "--format", "json"],
    ));
    let json: serde_json::Value = serde_json::from_str(&json).expect("notes JSON");
    assert_eq!(json["release"], name.as_str());

    ok(&shipdeck(
        dir.path(),
        "lena@shop.example",
        &[
            "checklist",
            "--train",
            "shop",
            &name,
            "--env",
            "prod",
            "tick",
            "backout",
            "--note",
            "back out with train rollback",
        ],
    ));
    let shown = ok(&shipdeck(
        dir.path(),
        "lena@shop.example",
        &["checklist", "--train", "shop", &name, "--env", "prod"],
    ));
    assert!(shown.contains("[x] backout"), "{shown}");
    // The member's own checklist is untouched.
    let member = ok(&shipdeck(
        dir.path(),
        "lena@shop.example",
        &["checklist", "api", "api-v1.1.0", "--env", "prod"],
    ));
    assert!(member.contains("[ ] backout"), "{member}");
}

#[test]
fn a_promotion_left_unfinished_is_finished_or_reported_by_whoever_looks_next() {
    use shipdeck::app::actions::train;
    use shipdeck::app::context::Context;
    use shipdeck::domain::event::Fact;

    let dir = tempfile::tempdir().expect("temp dir");
    project(dir.path());
    let name = cut(dir.path());
    let config = dir.path().join("shipdeck.toml");
    let (ctx, _) = Context::load(Some(&config), false).expect("context");
    let release = train::train_release(&ctx, "shop", &name).expect("train release");
    // A promoter that recorded its start, deployed api (verified), then died before web.
    let started = ctx
        .record(
            &Fact::TrainPromotionStarted {
                members: release.members.clone(),
                backout: false,
                deadline_secs: 0,
            },
            Some("shop"),
            Some(&name),
            Some("staging"),
        )
        .expect("start recorded");
    let api = &release.members[0];
    let d = ctx
        .record(
            &Fact::DeployRequested {
                commit: api.commit.clone(),
                previous_release: Some("api-v1.0.0".into()),
                rollback: false,
                call: "POST http://deploy.invalid/".into(),
                verify_timeout_secs: 30,
            },
            Some("api"),
            Some(&api.release),
            Some("staging"),
        )
        .expect("deploy recorded");
    ctx.record(
        &Fact::DeploySucceeded {
            deployment: d.id.clone(),
        },
        Some("api"),
        Some(&api.release),
        Some("staging"),
    )
    .expect("success recorded");

    // The next person to look (any status) reports it interrupted; nothing is called.
    ok(&shipdeck(dir.path(), "kim@shop.example", &["status"]));
    let shown = ok(&shipdeck(
        dir.path(),
        "kim@shop.example",
        &["train", "show", "shop", &name, "--json"],
    ));
    let shown: serde_json::Value = serde_json::from_str(&shown).expect("show JSON");
    let p = shown["promotions"]
        .as_array()
        .expect("promotions")
        .iter()
        .find(|p| p["id"] == started.id.as_str())
        .expect("the promotion");
    assert_eq!(p["outcome"]["ok"], false, "{p}");
    let reason = p["outcome"]["reason"].as_str().unwrap_or("");
    assert!(
        reason.contains("interrupted") && reason.contains("api moved before web"),
        "{reason}"
    );
    assert_eq!(p["members"][0]["state"]["state"], "succeeded", "{p}");
    assert_eq!(p["members"][1]["state"]["state"], "waiting", "{p}");
    let log = std::fs::read_to_string(dir.path().join(".shipdeck/events.jsonl")).expect("log");
    assert_eq!(
        log.matches("deploy-requested").count(),
        1,
        "nothing else was called"
    );

    // Its backout rolls back only what moved.
    let steps =
        shipdeck::app::actions::train_promote::backout_steps(&ctx, "shop", &name, "staging")
            .expect("steps");
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].service, "api");
    assert_eq!(steps[0].to.as_deref(), Some("api-v1.0.0"));
}

#[test]
fn trains_are_checked_against_the_services() {
    let dir = tempfile::tempdir().expect("temp dir");
    project(dir.path());
    std::fs::write(
        dir.path().join("shipdeck.toml"),
        CONFIG.replace(
            "[[trains]]\nname = \"shop\"\nservices = [\"api\", \"web\"]\n",
            "[[trains]]\nname = \"shop\"\nservices = [\"api\", \"wbe\", \"api\"]\n\n\
             [[trains]]\nname = \"api\"\nservices = []\n",
        ),
    )
    .expect("config");
    let out = shipdeck(dir.path(), "dana@shop.example", &["check"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("trains[0].services[1]") && err.contains("did you mean `web`"),
        "{err}"
    );
    assert!(
        err.contains("trains[0].services[2]") && err.contains("twice"),
        "{err}"
    );
    assert!(
        err.contains("trains[1].name") && err.contains("already a service"),
        "{err}"
    );
    assert!(err.contains("trains[1].services"), "{err}");
}
