//! `[project] state`: where the event log lives — the local file (default) or commits on a ref
//! shared through a git remote.

use std::path::Path;
use std::time::Duration;

use toml::Spanned;

use super::doc::Doc;
use super::raw;
use super::values::{duration, resolve};
use crate::domain::config::{GitState, StateBackend};

const BACKENDS: [&str; 2] = ["file", "git"];
/// The default ref: a branch, so hosting platforms can protect it against force-pushes.
pub const DEFAULT_REF: &str = "refs/heads/shipdeck/log";
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
const FETCH_INTERVAL: Duration = Duration::from_secs(30);

/// Reads `state`; the file backend when absent.
pub fn state(doc: &mut Doc<'_>, value: Option<&Spanned<raw::State>>, dir: &Path) -> StateBackend {
    let Some(value) = value else {
        return StateBackend::File;
    };
    let s = value.get_ref();
    match s.backend.get_ref().as_str() {
        "file" => {
            let git_only = [
                ("remote", s.remote.as_ref().map(Spanned::span)),
                ("ref", s.ref_name.as_ref().map(Spanned::span)),
                ("repo", s.repo.as_ref().map(Spanned::span)),
                ("fetch_timeout", s.fetch_timeout.as_ref().map(Spanned::span)),
                (
                    "fetch_interval",
                    s.fetch_interval.as_ref().map(Spanned::span),
                ),
            ];
            for (key, span) in git_only {
                if let Some(span) = span {
                    doc.report(
                        &span,
                        &format!("project.state.{key}"),
                        format!(
                            "`{key}` applies only to `backend = \"git\"`; remove it or set the backend to \"git\""
                        ),
                    );
                }
            }
            StateBackend::File
        }
        "git" => StateBackend::Git(git(doc, s, dir)),
        other => {
            doc.report(
                &s.backend.span(),
                "project.state.backend",
                format!(
                    "unknown backend `{other}`; expected \"file\" or \"git\"{}",
                    super::error::suggestion(other, BACKENDS)
                ),
            );
            StateBackend::File
        }
    }
}

fn git(doc: &mut Doc<'_>, s: &raw::State, dir: &Path) -> GitState {
    let remote = s.remote.as_ref().map_or_else(
        || "origin".to_string(),
        |r| {
            let text = r.get_ref();
            if text.is_empty() || text.starts_with('-') || text.chars().any(char::is_whitespace) {
                doc.report(
                    &r.span(),
                    "project.state.remote",
                    format!(
                        "expected a git remote name like \"origin\" (or a URL), found `{text}`"
                    ),
                );
            }
            text.clone()
        },
    );
    let ref_name = s.ref_name.as_ref().map_or_else(
        || DEFAULT_REF.to_string(),
        |r| {
            let text = r.get_ref();
            if !text.starts_with("refs/") || !git2::Reference::is_valid_name(text) {
                doc.report(
                    &r.span(),
                    "project.state.ref",
                    format!("expected a full ref name like \"{DEFAULT_REF}\", found `{text}`"),
                );
            }
            text.clone()
        },
    );
    GitState {
        repo: s
            .repo
            .as_ref()
            .map_or_else(|| dir.to_path_buf(), |r| resolve(dir, r.get_ref())),
        remote,
        ref_name,
        fetch_timeout: duration(
            doc,
            s.fetch_timeout.as_ref(),
            FETCH_TIMEOUT,
            "project.state.fetch_timeout",
        ),
        fetch_interval: duration(
            doc,
            s.fetch_interval.as_ref(),
            FETCH_INTERVAL,
            "project.state.fetch_interval",
        ),
    }
}
