//! Unreleased work (issue 14, item 2): `releases S --unreleased --json` lists the commits on
//! HEAD touching the service's paths since its newest release, exactly as
//! `git log --format=%H NEWEST..HEAD -- PATHS` lists them; a service without a release lists
//! what `git log HEAD -- PATHS` lists.

use crate::{common, git_support, trains_support};

use git_support::TestRepo;
use trains_support::{SERVICES, monorepo_config, monorepo_stream};

fn unreleased(dir: &std::path::Path, service: &str) -> serde_json::Value {
    let out = common::shipdeck(
        dir,
        "dana@shop.example",
        &["releases", service, "--unreleased", "--json"],
    );
    assert!(
        out.status.success(),
        "releases {service} --unreleased: {}",
        common::stderr(&out)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn ids(value: &serde_json::Value) -> Vec<String> {
    value["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .map(|c| c["commit"].as_str().expect("commit").to_string())
        .collect()
}

#[test]
fn unreleased_commits_are_what_git_log_lists_since_the_newest_release_on_the_services_paths() {
    let repo = TestRepo::new();
    let (stream, _) = monorepo_stream(600, 23);
    repo.fast_import(&stream);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("shipdeck.toml"),
        monorepo_config(&repo.path().display().to_string()),
    )
    .expect("config");
    // api: two releases, the newer one (by version) on an older commit than HEAD.
    let older = repo.rev("main~300");
    let newer = repo.rev("main~120");
    repo.git(&["tag", "-a", "api-v1.0.0", "-m", "one", &older]);
    repo.git(&["tag", "-a", "api-v1.1.0", "-m", "two", &newer]);
    let head = repo.rev("HEAD");

    for (service, paths) in SERVICES {
        let got = unreleased(dir.path(), service);
        let mut args = vec!["log", "--format=%H"];
        let since = (service == "api").then_some("api-v1.1.0");
        let range = since.map(|s| format!("{s}..HEAD"));
        args.push(range.as_deref().unwrap_or("HEAD"));
        args.push("--");
        args.extend(paths.iter().copied());
        let expected: Vec<String> = repo.git(&args).lines().map(str::to_string).collect();
        assert!(!expected.is_empty(), "{service}: the range is empty");
        assert_eq!(ids(&got), expected, "{service}");
        assert_eq!(got["service"], service);
        assert_eq!(got["head"], head.as_str());
        assert_eq!(
            got["since"],
            since.map_or(serde_json::Value::Null, Into::into)
        );
    }

    // Tagging HEAD leaves nothing unreleased.
    repo.git(&["tag", "-a", "api-v1.2.0", "-m", "three", &head]);
    assert!(ids(&unreleased(dir.path(), "api")).is_empty());
    let text = common::shipdeck(
        dir.path(),
        "dana@shop.example",
        &["releases", "api", "--unreleased"],
    );
    assert!(
        common::stdout(&text).starts_with("api: 0 unreleased commits on HEAD since api-v1.2.0"),
        "{}",
        common::stdout(&text)
    );
}

mod console {
    use crate::tui_support;

    use shipdeck::app::actions::Unreleased;
    use shipdeck::console::msg::Msg;
    use shipdeck::console::state::View;
    use shipdeck::console::update::update;
    use shipdeck::domain::change::Commit;
    use tui_support::*;

    fn commit(n: u8, summary: &str) -> Commit {
        Commit {
            commit: format!("{n:0>40}"),
            author: "Dana Reyes".into(),
            date: at(-600),
            summary: summary.into(),
        }
    }

    #[test]
    fn the_board_counts_unreleased_commits_and_the_release_view_lists_them() {
        let mut s = shop();
        update(
            &mut s,
            Msg::UnreleasedLoaded {
                service: "api".into(),
                unreleased: Ok(Unreleased {
                    service: "api".into(),
                    since: Some("api-v1.6.0".into()),
                    head: format!("{:0>40}", 3),
                    commits: vec![
                        commit(3, "fix(api): return pooled connections"),
                        commit(2, "fix(api): trim whitespace in coupon codes"),
                        commit(1, "feat(api): search orders by SKU"),
                    ],
                }),
            },
        );
        update(
            &mut s,
            Msg::UnreleasedLoaded {
                service: "web".into(),
                unreleased: Err("could not read HEAD of `web`'s repository".into()),
            },
        );
        let board = render_at(&s, 160, 45);
        let api_rows: Vec<&str> = board
            .lines()
            .filter(|l| l.contains("+3 unreleased"))
            .collect();
        assert_eq!(api_rows.len(), 1, "{board}");
        assert!(!board.contains("+0 unreleased"), "{board}");

        s.view = View::Release;
        let release = render_at(&s, 160, 45);
        assert!(
            release.contains("unreleased on HEAD since api-v1.6.0: 3 commits · tag (t)"),
            "{release}"
        );
        assert!(
            release.contains("trim whitespace in coupon codes"),
            "{release}"
        );

        // A service whose HEAD could not be read says so in its release view, not on the board.
        s.row = 1;
        let web = render_at(&s, 160, 45);
        assert!(
            web.contains("could not be read: could not read HEAD"),
            "{web}"
        );
    }
}
