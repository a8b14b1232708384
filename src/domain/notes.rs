//! Release notes drafted from git: commits grouped by conventional-commit type, then where the
//! release runs. Commit text arrives sanitized; here it is only kept from forming markdown links
//! or HTML.

use std::fmt::Write as _;

use jiff::Timestamp;

use super::change::Commit;
use super::commit_id::short;
use super::release::Release;

/// What release notes are written from.
#[derive(Debug, Clone)]
pub struct NotesInput<'a> {
    pub service: &'a str,
    pub release: &'a Release,
    /// The release the changes are counted from; `None` for a first release.
    pub previous: Option<&'a str>,
    /// The commits from `previous` to `release`, newest first.
    pub commits: &'a [Commit],
    /// (environment, release running there, who deployed it), in path order.
    pub environments: Vec<(String, Option<String>, Option<String>)>,
    pub now: Timestamp,
}

/// Sections in the order they are printed; breaking changes always come first.
const SECTIONS: [(&str, &[&str]); 9] = [
    ("Features", &["feat", "feature"]),
    ("Bug fixes", &["fix", "bugfix"]),
    ("Performance", &["perf"]),
    ("Refactoring", &["refactor"]),
    ("Documentation", &["docs", "doc"]),
    ("Tests", &["test", "tests"]),
    ("Build and CI", &["build", "ci"]),
    ("Chores", &["chore"]),
    ("Other changes", &[]),
];

/// Splits a conventional-commit summary `type(scope)!: text` into (type in lower case, scope,
/// breaking, text). A summary that is not conventional gives an empty type and itself as text.
/// `BREAKING CHANGE` (or `BREAKING-CHANGE`) anywhere in the summary also marks it breaking.
pub fn parse_conventional(summary: &str) -> (String, Option<String>, bool, String) {
    let summary = summary.trim();
    let flagged = summary.contains("BREAKING CHANGE") || summary.contains("BREAKING-CHANGE");
    let plain = || (String::new(), None, flagged, summary.to_string());
    let Some((head, text)) = summary.split_once(':') else {
        return plain();
    };
    let text = text.trim();
    let (head, bang) = match head.strip_suffix('!') {
        Some(h) => (h, true),
        None => (head, false),
    };
    let (kind, scope) = match head.split_once('(') {
        Some((k, rest)) => match rest.strip_suffix(')') {
            Some(s) if !s.trim().is_empty() && !s.contains(['(', ')']) => {
                (k, Some(s.trim().to_string()))
            }
            _ => return plain(),
        },
        None => (head, None),
    };
    let valid = !kind.is_empty()
        && kind.len() <= 20
        && kind.chars().all(|c| c.is_ascii_alphabetic() || c == '-');
    if !valid || text.is_empty() {
        return plain();
    }
    (
        kind.to_ascii_lowercase(),
        scope,
        bang || flagged,
        text.to_string(),
    )
}

/// Keeps untrusted text from forming links, images or HTML, and table cells from splitting.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '[' | ']' | '|' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn line(commit: &Commit, scope: Option<&str>, text: &str) -> String {
    let scope = scope
        .map(|s| format!("**{}:** ", escape(s)))
        .unwrap_or_default();
    format!(
        "- {scope}{} (`{}`, {})\n",
        escape(text),
        short(&commit.commit),
        escape(&commit.author)
    )
}

pub fn render_markdown(input: &NotesInput) -> String {
    let r = input.release;
    let mut out = format!("# {} {}\n\n", escape(input.service), escape(&r.name));
    let _ = writeln!(
        out,
        "{} · version {} · commit `{}` · tagged {}\n",
        input.now.strftime("%Y-%m-%d"),
        escape(&r.version),
        short(&r.commit),
        r.date.strftime("%Y-%m-%d")
    );

    let n = input.commits.len();
    let count = if n == 1 {
        "1 commit".to_string()
    } else {
        format!("{n} commits")
    };
    match (input.previous, n) {
        (Some(p), 0) => {
            let _ = writeln!(out, "No changes since {}.\n", escape(p));
        }
        (Some(p), _) => {
            let _ = writeln!(out, "Changes since {} ({count}):\n", escape(p));
        }
        (None, _) => {
            let _ = writeln!(out, "First release ({count}).\n");
        }
    }

    let mut breaking = String::new();
    let mut sections = vec![String::new(); SECTIONS.len()];
    for c in input.commits {
        let (kind, scope, is_breaking, text) = parse_conventional(&c.summary);
        let known = SECTIONS
            .iter()
            .position(|(_, kinds)| kinds.contains(&kind.as_str()));
        // Unknown types keep their whole summary, so nothing the author wrote is lost.
        let (scope, text) = match known {
            Some(_) => (scope.as_deref(), text.as_str()),
            None => (None, c.summary.as_str()),
        };
        let entry = line(c, scope, text);
        if is_breaking {
            breaking.push_str(&entry);
        } else {
            sections[known.unwrap_or(SECTIONS.len() - 1)].push_str(&entry);
        }
    }
    if !breaking.is_empty() {
        let _ = writeln!(out, "## Breaking changes\n\n{breaking}");
    }
    for ((title, _), body) in SECTIONS.iter().zip(&sections) {
        if !body.is_empty() {
            let _ = writeln!(out, "## {title}\n\n{body}");
        }
    }

    if !input.environments.is_empty() {
        out.push_str(
            "## Where it runs\n\n| environment | release | deployed by |\n| --- | --- | --- |\n",
        );
        for (env, release, by) in &input.environments {
            let cell = |v: &Option<String>| v.as_deref().map_or("—".to_string(), escape);
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                escape(env),
                cell(release),
                cell(by)
            );
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}
