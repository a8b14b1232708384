//! Release notes: conventional-commit parsing and markdown grouping.

use crate::domain_support;

use domain_support::*;
use shipdeck::domain::change::Commit;
use shipdeck::domain::notes::{NotesInput, parse_conventional, render_markdown};

fn commit(n: u8, author: &str, summary: &str) -> Commit {
    Commit {
        commit: format!("{n:02x}{}", "0".repeat(38)),
        author: author.into(),
        date: ts("2026-03-01T09:00:00Z"),
        summary: summary.into(),
    }
}

#[test]
fn conventional_summaries_split_into_type_scope_breaking_and_text() {
    assert_eq!(
        parse_conventional("feat(cart): add coupons"),
        (
            "feat".into(),
            Some("cart".into()),
            false,
            "add coupons".into()
        )
    );
    assert_eq!(
        parse_conventional("fix!: drop v1 paths"),
        ("fix".into(), None, true, "drop v1 paths".into())
    );
    assert_eq!(
        parse_conventional("Refactor(db)!: new schema"),
        (
            "refactor".into(),
            Some("db".into()),
            true,
            "new schema".into()
        )
    );
    assert_eq!(
        parse_conventional("chore: bump deps BREAKING CHANGE: node 22"),
        (
            "chore".into(),
            None,
            true,
            "bump deps BREAKING CHANGE: node 22".into()
        )
    );
}

#[test]
fn other_summaries_are_not_conventional() {
    for s in [
        "Merge branch 'main'",
        "fix it: now",
        "feat(): empty scope",
        "feat:",
        "Update README",
    ] {
        let (kind, scope, breaking, text) = parse_conventional(s);
        assert_eq!(
            (kind.as_str(), scope, breaking, text.as_str()),
            ("", None, false, s),
            "{s}"
        );
    }
}

fn render(commits: &[Commit], previous: Option<&str>) -> String {
    let release = release("api-v1.4.2", COMMIT);
    render_markdown(&NotesInput {
        service: "api",
        release: &release,
        previous,
        commits,
        environments: vec![
            (
                "dev".into(),
                Some("api-v1.4.2".into()),
                Some("alice@example.com".into()),
            ),
            ("prod".into(), None, None),
        ],
        now: ts("2026-03-30T08:00:00Z"),
    })
}

#[test]
fn notes_group_commits_with_breaking_changes_first() {
    let commits = [
        commit(1, "Alice", "feat(cart): add coupons"),
        commit(2, "Bob", "fix: rounding in totals"),
        commit(3, "Carol", "feat(api)!: remove v1 endpoints"),
        commit(4, "Dave", "ci: cache cargo"),
        commit(5, "Erin", "Tidy up"),
        commit(6, "Frank", "perf: faster search"),
    ];
    let md = render(&commits, Some("api-v1.4.1"));
    let expected = "\
# api api-v1.4.2

2026-03-30 · version 1.4.2 · commit `abcdef1` · tagged 2026-03-01

Changes since api-v1.4.1 (6 commits):

## Breaking changes

- **api:** remove v1 endpoints (`0300000`, Carol)

## Features

- **cart:** add coupons (`0100000`, Alice)

## Bug fixes

- rounding in totals (`0200000`, Bob)

## Performance

- faster search (`0600000`, Frank)

## Build and CI

- cache cargo (`0400000`, Dave)

## Other changes

- Tidy up (`0500000`, Erin)

## Where it runs

| environment | release | deployed by |
| --- | --- | --- |
| dev | api-v1.4.2 | alice@example.com |
| prod | — | — |
";
    assert_eq!(md, expected);
}

#[test]
fn a_first_release_and_an_empty_range_say_so() {
    assert!(
        render(&[commit(1, "Alice", "feat: first")], None).contains("First release (1 commit).")
    );
    assert!(render(&[], Some("api-v1.4.1")).contains("No changes since api-v1.4.1."));
}

#[test]
fn commit_text_cannot_form_links_or_html() {
    let md = render(
        &[commit(
            1,
            "Mallory",
            "fix: see [here](http://evil) <img src=x>",
        )],
        None,
    );
    assert!(
        md.contains(r"see \[here\](http://evil) &lt;img src=x&gt;"),
        "{md}"
    );
}
