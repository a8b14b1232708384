//! Releases: immutable versions of a service, named by their whole tag name.

use std::cmp::Ordering;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A release of a service: a tag resolving to a commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    /// The whole tag name, e.g. `api-v1.4.2`.
    pub name: String,
    /// The tag's tail after the pattern's literal prefix, less a leading `v` (`1.4.2`).
    pub version: String,
    /// The commit the tag resolves to (40 hex).
    pub commit: String,
    /// The tagger date of an annotated tag, else the commit date.
    pub date: Timestamp,
}

impl Release {
    /// Whether this is a tag rather than an unreleased commit (which is named by its short
    /// commit).
    pub fn is_tag(&self) -> bool {
        !self.name.is_empty() && !self.commit.starts_with(&self.name)
    }
}

/// The version of tag `name` under a pattern whose literal prefix is `prefix`.
pub fn version_of(name: &str, prefix: &str) -> String {
    let tail = name.strip_prefix(prefix).unwrap_or(name);
    tail.strip_prefix('v').unwrap_or(tail).to_string()
}

/// Newest first: by semver when both versions parse, semver ones before the rest, else by date
/// (newest first), then by name for a stable order.
pub fn newest_first(a: &Release, b: &Release) -> Ordering {
    match (
        semver::Version::parse(&a.version),
        semver::Version::parse(&b.version),
    ) {
        (Ok(va), Ok(vb)) => vb.cmp(&va).then_with(|| b.name.cmp(&a.name)),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => b.date.cmp(&a.date).then_with(|| b.name.cmp(&a.name)),
    }
}

/// Sorts releases newest first (see [`newest_first`]).
pub fn sort_newest_first(releases: &mut [Release]) {
    releases.sort_by(newest_first);
}

/// The release a reported version string refers to: the whole tag name, the tag without the
/// pattern's literal prefix (`1.4.2` or `v1.4.2`), or a commit (full, or abbreviated to 7+ hex).
pub fn match_reported<'a>(
    reported: &str,
    prefix: &str,
    releases: &'a [Release],
) -> Option<&'a Release> {
    let reported = reported.trim();
    if reported.is_empty() {
        return None;
    }
    if let Some(r) = releases.iter().find(|r| r.name == reported) {
        return Some(r);
    }
    let bare = reported.strip_prefix('v').unwrap_or(reported);
    if let Some(r) = releases
        .iter()
        .find(|r| r.version == bare || r.name.strip_prefix(prefix).is_some_and(|t| t == reported))
    {
        return Some(r);
    }
    let lower = reported.to_ascii_lowercase();
    if lower.len() >= 7 && lower.len() <= 40 && lower.bytes().all(|b| b.is_ascii_hexdigit()) {
        // Several tags may point at one commit: the newest release wins (input is newest first).
        return releases.iter().find(|r| r.commit.starts_with(&lower));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(name: &str, commit: &str, secs: i64) -> Release {
        Release {
            name: name.into(),
            version: version_of(name, "api-v"),
            commit: commit.into(),
            date: Timestamp::from_second(secs).expect("valid"),
        }
    }

    #[test]
    fn version_is_the_tail_without_a_leading_v() {
        assert_eq!(version_of("api-v1.4.2", "api-"), "1.4.2");
        assert_eq!(version_of("api-v1.4.2", "api-v"), "1.4.2");
        assert_eq!(version_of("v2.0.0", ""), "2.0.0");
    }

    #[test]
    fn semver_orders_before_dates_and_numerically() {
        let mut r = vec![
            rel("api-v1.9.0", "a", 300),
            rel("api-v1.10.0", "b", 100),
            rel("api-vnext", "c", 999),
            rel("api-v1.10.0-rc.1", "d", 50),
        ];
        sort_newest_first(&mut r);
        let names: Vec<_> = r.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["api-v1.10.0", "api-v1.10.0-rc.1", "api-v1.9.0", "api-vnext"]
        );
    }

    #[test]
    fn reported_versions_match_by_name_version_or_commit() {
        let r = vec![
            rel("api-v1.4.2", "abcdef1234567890abcdef1234567890abcdef12", 1),
            rel("api-v1.4.1", "1111111234567890abcdef1234567890abcdef12", 0),
        ];
        assert_eq!(
            match_reported("api-v1.4.2", "api-v", &r).map(|r| r.name.as_str()),
            Some("api-v1.4.2")
        );
        assert_eq!(
            match_reported("1.4.1", "api-v", &r).map(|r| r.name.as_str()),
            Some("api-v1.4.1")
        );
        assert_eq!(
            match_reported("v1.4.1", "api-v", &r).map(|r| r.name.as_str()),
            Some("api-v1.4.1")
        );
        assert_eq!(
            match_reported("abcdef1", "api-v", &r).map(|r| r.name.as_str()),
            Some("api-v1.4.2")
        );
        assert_eq!(match_reported("9.9.9", "api-v", &r), None);
        assert_eq!(match_reported("abc", "api-v", &r), None);
    }
}
