//! Grouping a repository's tags into services by their prefix (`api-v1.2.3` → service `api`,
//! pattern `api-v*`), with patterns that never catch another service's tags: in a repository
//! with `tokio-1.x` and `tokio-util-0.7.x` tags, `tokio`'s pattern is `tokio-[0-9]*`, not
//! `tokio-*`. Pure: tags in, proposals out.

use crate::git::tag_matches;

/// One proposed service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub name: String,
    /// Its `tags` pattern (`git tag --list` glob).
    pub pattern: String,
    /// Every tag the pattern matches, as `git tag -l PATTERN` lists them (sorted by name).
    pub tags: Vec<String>,
}

/// The services `tags` suggest, and the tags that look like no release (no version in them, or
/// a prefix a pattern cannot express). `repo_name` names the service of bare `v1.2.3` tags.
pub fn group(tags: &[String], repo_name: &str) -> (Vec<Proposal>, Vec<String>) {
    let mut prefixes: Vec<(String, bool)> = Vec::new(); // (prefix, every tag has a `v`)
    let mut ignored = Vec::new();
    for tag in tags {
        match split(tag) {
            Some((prefix, v)) if !prefix.contains(['*', '?', '[', '\\']) => {
                match prefixes.iter_mut().find(|(p, _)| *p == prefix) {
                    Some((_, all_v)) => *all_v &= v,
                    None => prefixes.push((prefix.to_string(), v)),
                }
            }
            _ => ignored.push(tag.clone()),
        }
    }
    prefixes.sort();
    let mut out: Vec<Proposal> = Vec::new();
    for (prefix, all_v) in &prefixes {
        let v = if *all_v { "v" } else { "" };
        let own = |t: &String| split(t).is_some_and(|(p, _)| p == prefix);
        // The simplest pattern that catches nothing but this prefix's release tags.
        let candidates = [
            format!("{prefix}{v}*"),
            format!("{prefix}{v}[0-9]*"),
            format!("{prefix}[v0-9]*"),
        ];
        let pattern = candidates
            .iter()
            .find(|p| tags.iter().all(|t| !tag_matches(p, t) || own(t)))
            .cloned()
            .unwrap_or_else(|| candidates[1].clone());
        let mut matched: Vec<String> = tags
            .iter()
            .filter(|t| tag_matches(&pattern, t))
            .cloned()
            .collect();
        matched.sort();
        let mut name = service_name(prefix, repo_name);
        let base = name.clone();
        let mut n = 2;
        while out.iter().any(|p| p.name == name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        out.push(Proposal {
            name,
            pattern,
            tags: matched,
        });
    }
    ignored.sort();
    (out, ignored)
}

/// `(prefix, has_v)` of a release tag: the prefix ends where the version starts, which is a
/// digit (or `v` and a digit) at the start or after a separator (`-`, `_`, `/`, `@`, `.`).
fn split(tag: &str) -> Option<(&str, bool)> {
    let bytes = tag.as_bytes();
    (0..bytes.len()).find_map(|i| {
        let boundary = i == 0 || b"-_/@.".contains(&bytes[i - 1]);
        if !boundary {
            return None;
        }
        let digit_at = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_digit);
        if digit_at(i) {
            Some((&tag[..i], false))
        } else if matches!(bytes[i], b'v' | b'V') && digit_at(i + 1) {
            Some((&tag[..i], true))
        } else {
            None
        }
    })
}

/// `api-` → `api`, `services/api/` → `services-api`, `` → the repository's name.
pub fn service_name(prefix: &str, repo_name: &str) -> String {
    let trimmed = prefix.trim_end_matches(['-', '_', '/', '@', '.']);
    let source = if trimmed.is_empty() {
        repo_name
    } else {
        trimmed
    };
    let cleaned: String = source
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches(['.', '-']).to_string();
    if cleaned.is_empty() {
        "app".to_string()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::{group, service_name, split};

    fn tags(names: &[&str]) -> Vec<String> {
        names.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn versions_start_after_a_separator() {
        assert_eq!(split("api-v1.2.3"), Some(("api-", true)));
        assert_eq!(split("v1.2.3"), Some(("", true)));
        assert_eq!(split("1.0"), Some(("", false)));
        assert_eq!(split("tokio-util-0.7.1"), Some(("tokio-util-", false)));
        assert_eq!(split("services/api/v2.0.0"), Some(("services/api/", true)));
        assert_eq!(split("h2o-1.0"), Some(("h2o-", false)));
        assert_eq!(split("latest"), None);
        assert_eq!(split("nightly-abc"), None);
    }

    #[test]
    fn patterns_never_catch_another_service() {
        let all = tags(&[
            "tokio-1.0.0",
            "tokio-1.38.0",
            "tokio-util-0.7.0",
            "tokio-util-0.7.11",
            "tokio-macros-2.3.0",
            "latest",
        ]);
        let (services, ignored) = group(&all, "tokio");
        let got: Vec<(&str, &str, usize)> = services
            .iter()
            .map(|s| (s.name.as_str(), s.pattern.as_str(), s.tags.len()))
            .collect();
        assert_eq!(
            got,
            [
                ("tokio", "tokio-[0-9]*", 2),
                ("tokio-macros", "tokio-macros-*", 1),
                ("tokio-util", "tokio-util-*", 2)
            ]
        );
        assert_eq!(ignored, ["latest"]);
    }

    #[test]
    fn prefixes_name_services() {
        let all = tags(&["api-v1.0.0", "api-v1.1.0", "web-v2.0.0", "v0.1.0", "v0.2.0"]);
        let (services, _) = group(&all, "shop");
        let got: Vec<(&str, &str)> = services
            .iter()
            .map(|s| (s.name.as_str(), s.pattern.as_str()))
            .collect();
        assert_eq!(got, [("shop", "v*"), ("api", "api-v*"), ("web", "web-v*")]);
        assert_eq!(service_name("services/api/", "x"), "services-api");
        assert_eq!(service_name("", ".hidden"), "hidden");
    }
}
