//! The demo's `shipdeck.toml`: written last, once every server answers, with real gates and
//! every target pointing at the loopback servers.

use crate::demo_support;

use std::sync::{Arc, Mutex};

use demo_support::{client, health, wait_for};
use shipdeck::demo;
use shipdeck::domain::event::{EventBody, Fact};
use toml::Value;

/// What the seeder saw: whether the config existed yet, and the events.
type SeedCall = (bool, Vec<EventBody>);

fn table<'a>(value: &'a Value, key: &str) -> &'a Value {
    value
        .get(key)
        .unwrap_or_else(|| panic!("missing `{key}` in {value}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_config_appears_only_once_every_server_answers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("shipdeck.toml");
    let path = dir.path().to_path_buf();
    let starting = tokio::spawn(async move { demo::start(&path).await });

    // Watch for the file while the demo builds; the moment it exists, every URL in it answers.
    let text = wait_for(60, "the config file", || async {
        std::fs::read_to_string(&config).ok()
    })
    .await;
    let parsed = Value::Table(toml::from_str(&text).expect("the config is TOML"));
    let http = client();
    for service in table(&parsed, "services").as_array().expect("services") {
        for (env, target) in table(service, "env").as_table().expect("env overrides") {
            let url = table(target, "health").as_str().expect("health URL");
            let response = http.get(url).send().await;
            assert!(
                response.is_ok(),
                "{env}: {url} does not answer: {response:?}"
            );
        }
    }
    let demo = starting.await.expect("start task").expect("demo starts");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
    demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_config_has_real_gates_and_points_every_target_at_its_environment() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("shipdeck.toml"), "stale = true\n").expect("stale file");
    let demo = demo::start(dir.path()).await.expect("demo starts");
    assert_eq!(demo.config_path, demo.dir.join("shipdeck.toml"));
    let text = std::fs::read_to_string(&demo.config_path).expect("config written");
    let config = Value::Table(toml::from_str(&text).expect("the config is TOML"));
    assert!(config.get("stale").is_none(), "the stale file was replaced");

    let project = table(&config, "project");
    assert_eq!(table(project, "name").as_str(), Some("shop"));
    assert_eq!(table(project, "state_dir").as_str(), Some(".shipdeck"));
    assert!(demo.state_dir.is_dir());
    assert_eq!(demo.state_dir, demo.dir.join(".shipdeck"));

    let envs = table(&config, "environments")
        .as_array()
        .expect("environments");
    let names: Vec<&str> = envs
        .iter()
        .map(|e| table(e, "name").as_str().expect("name"))
        .collect();
    assert_eq!(names, ["dev", "staging", "prod"]);
    assert!(envs[0].get("gates").is_none(), "dev has no gates");
    let staging_gates = table(&envs[1], "gates").as_array().expect("gates");
    assert_eq!(staging_gates.len(), 1);
    assert_eq!(table(&staging_gates[0], "kind").as_str(), Some("healthy"));
    assert_eq!(table(&envs[2], "protected").as_bool(), Some(true));
    let prod_gates = table(&envs[2], "gates").as_array().expect("gates");
    let kinds: Vec<&str> = prod_gates
        .iter()
        .map(|g| table(g, "kind").as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["soak", "approval", "checklist", "freeze"]);
    let soak = table(&prod_gates[0], "duration")
        .as_str()
        .expect("duration");
    assert!(
        soak.ends_with('s') && soak.trim_end_matches('s').parse::<u32>().expect("seconds") <= 60
    );
    assert_eq!(table(&prod_gates[1], "count").as_integer(), Some(2));
    assert_eq!(
        table(&prod_gates[2], "name").as_str(),
        Some("production-release")
    );

    let freeze = &table(&config, "freezes").as_array().expect("freezes")[0];
    let from: jiff::Timestamp = table(freeze, "from")
        .as_str()
        .expect("from")
        .parse()
        .expect("RFC 3339");
    let until: jiff::Timestamp = table(freeze, "until")
        .as_str()
        .expect("until")
        .parse()
        .expect("RFC 3339");
    assert!(
        from > jiff::Timestamp::now() && until > from,
        "the freeze lies ahead"
    );
    assert_eq!(
        table(freeze, "environments").as_array().map(Vec::len),
        Some(1)
    );

    let services = table(&config, "services").as_array().expect("services");
    for (service, prefix) in [
        ("api", "api-v*"),
        ("web", "web-v*"),
        ("worker", "worker-v*"),
    ] {
        let s = services
            .iter()
            .find(|s| table(s, "name").as_str() == Some(service))
            .expect("service listed");
        assert_eq!(table(s, "repo").as_str(), Some("repo"));
        assert!(demo.dir.join("repo").join(".git").is_dir());
        assert_eq!(table(s, "tags").as_str(), Some(prefix));
        assert_eq!(table(s, "verify_timeout").as_str(), Some("30s"));
        for env in ["dev", "staging", "prod"] {
            let target = table(table(s, "env"), env);
            let base = demo.base_url(env).expect("environment");
            if service == "web" && env == "prod" {
                // Prod's web is slotted behind the demo's own router (issue 12).
                assert_eq!(
                    table(target, "health").as_str(),
                    Some(format!("{base}/web/slots/{{{{slot}}}}/health").as_str())
                );
                let traffic = table(target, "traffic");
                assert_eq!(table(traffic, "kind").as_str(), Some("http"));
                assert_eq!(
                    table(traffic, "url").as_str(),
                    Some(format!("{base}/web/router").as_str())
                );
                let (status, _, body) = health(format!("{base}/web/health").as_str()).await;
                assert_eq!((status, body["status"].as_str()), (200, Some("pass")));
                continue;
            }
            let health_url = table(target, "health").as_str().expect("health");
            assert_eq!(health_url, format!("{base}/{service}/health"));
            let deploy = table(target, "deploy");
            assert_eq!(table(deploy, "kind").as_str(), Some("webhook"));
            assert_eq!(
                table(deploy, "url").as_str(),
                Some(format!("{base}/{service}/deploy").as_str())
            );
            assert!(
                deploy.get("secret_env").is_none(),
                "the demo needs no setup"
            );
            let (status, _, body) = health(health_url).await;
            assert_eq!((status, body["status"].as_str()), (200, Some("pass")));
        }
    }
    demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_colleague_approval_and_ticks_are_seeded_before_the_config_appears() {
    let dir = tempfile::tempdir().expect("temp dir");
    let seen: Arc<Mutex<Option<SeedCall>>> = Arc::default();
    let record = Arc::clone(&seen);
    let config = dir.path().join("shipdeck.toml");
    let seeder: demo::Seeder = Box::new(move |state_dir, events| {
        assert!(state_dir.ends_with(".shipdeck"));
        *record.lock().expect("lock") = Some((config.exists(), events));
        Ok(())
    });
    let demo = demo::start_with(dir.path(), Some(seeder))
        .await
        .expect("demo starts");
    let (config_existed, events) = seen.lock().expect("lock").take().expect("seeder ran");
    assert!(!config_existed, "seeded before the config was written");

    let release = demo.release(demo::SEEDED_RELEASE).expect("seeded release");
    // The seeded work for today's promotion (the demo's past, weeks of it, comes before it).
    let today = |e: &&EventBody| {
        e.release.as_deref() == Some(demo::SEEDED_RELEASE) && e.env.as_deref() == Some("prod")
    };
    let approvals: Vec<&EventBody> = events
        .iter()
        .filter(today)
        .filter(|e| e.kind == "approved")
        .collect();
    assert_eq!(approvals.len(), 1);
    let approval = approvals[0];
    assert_eq!(approval.actor, "priya@shop.example");
    assert_eq!(approval.service.as_deref(), Some("api"));
    assert_eq!(approval.release.as_deref(), Some("api-v1.5.0"));
    assert_eq!(approval.env.as_deref(), Some("prod"));
    let fact = serde_json::json!({ "kind": approval.kind, "data": approval.data });
    match serde_json::from_value::<Fact>(fact).expect("a known fact") {
        Fact::Approved { commit, .. } => assert_eq!(commit, release.commit),
        other => panic!("not an approval: {other:?}"),
    }
    assert!(events.iter().all(|e| e.at < jiff::Timestamp::now()));
    assert!(events.iter().all(|e| e.actor != "demo"));
    let ticks = events
        .iter()
        .filter(today)
        .filter(|e| e.kind == "item-ticked")
        .count();
    assert_eq!(ticks, 2);
    demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_how_to_names_the_config_and_headless_commands() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = demo::start(dir.path()).await.expect("demo starts");
    let text = demo::how_to(&demo);
    let config = demo.config_path.display().to_string();
    assert!(
        text.contains(&format!("shipdeck --config {config} status")),
        "{text}"
    );
    assert!(text.contains("promote api api-v1.6.0 --to dev"), "{text}");
    for (_, addr) in &demo.environments {
        assert!(text.contains(&addr.to_string()), "{text}");
    }
    demo.shutdown().await;
}
