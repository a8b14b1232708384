//! Readiness: a release that failed in an environment says so, an older one is a downgrade,
//! and waiting says what for.

use shipdeck::app::{Context, actions};
use shipdeck::domain::event::Fact;

use crate::common::{project, shipdeck, stderr, stdout};

/// Records a whole deployment of `release` to `env` (requested, accepted, then its outcome).
pub fn deploy(ctx: &Context, release: &str, env: &str, previous: Option<&str>, ok: bool) {
    let r = actions::resolve_release(ctx, "api", release).expect("release");
    let requested = ctx
        .record(
            &Fact::DeployRequested {
                commit: r.commit.clone(),
                previous_release: previous.map(str::to_string),
                rollback: false,
                call: "POST http://deploy".into(),
                verify_timeout_secs: 30,
            },
            Some("api"),
            Some(release),
            Some(env),
        )
        .expect("record");
    ctx.record(
        &Fact::DeployAccepted {
            deployment: requested.id.clone(),
            detail: "202".into(),
        },
        Some("api"),
        Some(release),
        Some(env),
    )
    .expect("record");
    let outcome = if ok {
        Fact::DeploySucceeded {
            deployment: requested.id,
        }
    } else {
        Fact::DeployFailed {
            deployment: requested.id,
            reason: "not verified within 30s: dev reports api-v1.1.0 (fail)".into(),
        }
    };
    ctx.record(&outcome, Some("api"), Some(release), Some(env))
        .expect("record");
}

fn plan(dir: &std::path::Path, release: &str, env: &str) -> serde_json::Value {
    let out = shipdeck(
        dir,
        "pat@x",
        &["plan", "api", release, "--to", env, "--json"],
    );
    serde_json::from_str(&stdout(&out)).unwrap_or_else(|_| panic!("json: {}", stderr(&out)))
}

#[test]
fn failed_here_downgrade_and_what_waiting_waits_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = project(dir.path());
    let (ctx, _) = Context::load(Some(&config), false).expect("context");
    deploy(&ctx, "api-v1.1.0", "dev", None, true);
    deploy(&ctx, "api-v1.2.0", "dev", Some("api-v1.1.0"), false);

    let failed = plan(dir.path(), "api-v1.2.0", "dev");
    assert!(
        failed["readiness"]
            .as_str()
            .unwrap_or_default()
            .starts_with("✖ failed here "),
        "{failed}"
    );
    assert!(
        failed["failed_here"]["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("not verified"),
        "{failed}"
    );
    let human = stdout(&shipdeck(
        dir.path(),
        "pat@x",
        &["plan", "api", "api-v1.2.0", "--to", "dev"],
    ));
    assert!(human.contains("✖ failed here"), "{human}");

    let older = plan(dir.path(), "api-v1.0.0", "dev");
    assert_eq!(older["downgrade"], true, "{older}");
    let human = stdout(&shipdeck(
        dir.path(),
        "pat@x",
        &["plan", "api", "api-v1.0.0", "--to", "dev"],
    ));
    assert!(human.contains("⇣ downgrade"), "{human}");
    assert_eq!(
        plan(dir.path(), "api-v1.2.0", "staging")["downgrade"],
        false
    );

    let waiting = plan(dir.path(), "api-v1.2.0", "prod");
    assert_eq!(
        waiting["readiness"], "⇡ waiting: needs 2 approvals · 5 items",
        "{waiting}"
    );
}
