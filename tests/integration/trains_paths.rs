//! Changelogs true to each service's `paths`: on a generated monorepo, `shipdeck changelog S A B
//! --json` lists exactly the commits `git log --format=%H A..B -- PATHS` lists, in its order.

use crate::{common, git_support, trains_support};

use git_support::TestRepo;
use trains_support::{Rng, SERVICES, monorepo_config, monorepo_stream};

fn shipdeck_changelog(dir: &std::path::Path, service: &str, from: &str, to: &str) -> Vec<String> {
    let out = common::shipdeck(
        dir,
        "dana@shop.example",
        &["changelog", service, from, to, "--json"],
    );
    assert!(
        out.status.success(),
        "changelog {service} {from} {to}: {}",
        common::stderr(&out)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    json["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .map(|c| c["commit"].as_str().expect("commit").to_string())
        .collect()
}

#[test]
fn changelog_with_paths_lists_what_git_log_with_paths_lists_over_30_ranges_per_service() {
    let repo = TestRepo::new();
    let (stream, _) = monorepo_stream(3000, 7);
    repo.fast_import(&stream);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("shipdeck.toml"),
        monorepo_config(&repo.path().display().to_string()),
    )
    .expect("config");
    let all: Vec<String> = repo
        .git(&["log", "--all", "--format=%H"])
        .lines()
        .map(str::to_string)
        .collect();
    let first_parent: Vec<String> = repo
        .git(&["rev-list", "--first-parent", "main"])
        .lines()
        .map(str::to_string)
        .collect();
    let mut rng = Rng::new(42);
    let mut nonempty = 0;
    let mut with_merges = 0;
    for (service, paths) in SERVICES {
        for i in 0..30 {
            // Ranges between commits of main (releases), and between any two commits.
            let (from, to) = if i % 2 == 0 {
                let newer = rng.below(first_parent.len());
                let older = newer + rng.below(first_parent.len() - newer);
                (first_parent[older].clone(), first_parent[newer].clone())
            } else {
                (
                    all[rng.below(all.len())].clone(),
                    all[rng.below(all.len())].clone(),
                )
            };
            let mut args = vec!["log".to_string(), "--format=%H".to_string()];
            args.push(format!("{from}..{to}"));
            args.push("--".to_string());
            args.extend(paths.iter().map(|p| (*p).to_string()));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let expected: Vec<String> = repo.git(&args).lines().map(str::to_string).collect();
            let got = shipdeck_changelog(dir.path(), service, &from, &to);
            assert_eq!(
                got, expected,
                "{service} {from}..{to} differs from git log -- {paths:?}"
            );
            if !expected.is_empty() {
                nonempty += 1;
            }
            let merges = repo.git(&[
                "log",
                "--merges",
                "--format=%H",
                &format!("{from}..{to}"),
                "--",
                paths[0],
            ]);
            if !merges.trim().is_empty() {
                with_merges += 1;
            }
        }
    }
    // The ranges were not trivial: most list commits, and some of them merges.
    assert!(nonempty >= 45, "only {nonempty} ranges listed commits");
    assert!(
        with_merges >= 5,
        "only {with_merges} ranges held merges git shows"
    );
}

#[test]
fn a_first_release_lists_what_git_log_with_paths_lists() {
    let repo = TestRepo::new();
    let (stream, _) = monorepo_stream(400, 11);
    repo.fast_import(&stream);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("shipdeck.toml"),
        monorepo_config(&repo.path().display().to_string()),
    )
    .expect("config");
    let head = repo.rev("main");
    repo.git(&["tag", "-a", "api-v1.0.0", "-m", "first", &head]);
    let out = common::shipdeck(
        dir.path(),
        "dana@shop.example",
        &["notes", "api", "api-v1.0.0", "--format", "json"],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let expected: Vec<String> = repo
        .git(&[
            "log",
            "--format=%s",
            "main",
            "--",
            "services/api/**",
            "libs/common/**",
        ])
        .lines()
        .map(str::to_string)
        .collect();
    let notes = common::stdout(&out);
    assert!(!expected.is_empty());
    for subject in &expected {
        assert!(notes.contains(subject.as_str()), "notes miss {subject}");
    }
    assert!(
        !notes.contains("Merge topic") || expected.iter().any(|s| s.starts_with("Merge topic")),
        "a merge git does not show is in the notes"
    );
}

#[test]
fn a_path_outside_the_repository_or_with_magic_is_a_configuration_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = TestRepo::new();
    std::fs::write(
        dir.path().join("shipdeck.toml"),
        format!(
            "[project]\nname = \"m\"\n\n[[environments]]\nname = \"dev\"\n\n[[services]]\nname = \
             \"api\"\nrepo = \"{}\"\ntags = \"api-v*\"\npaths = [\"services/api/**\", \
             \":!services/web\", \"../x\"]\n",
            repo.path().display()
        ),
    )
    .expect("config");
    let out = common::shipdeck(dir.path(), "dana@shop.example", &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(err.contains("services[0].paths[1]"), "{err}");
    assert!(err.contains("services[0].paths[2]"), "{err}");
    assert!(!err.contains("paths[0]"), "{err}");
}
