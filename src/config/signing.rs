//! `[project] signing = { allowed_signers = ".shipdeck/allowed_signers", remote = "origin" }`:
//! events are signed with each person's SSH key, and `signed = true` approval gates count only
//! approvals whose signature verifies against the allowed signers as committed on the remote's
//! default branch.

use std::path::{Component, Path, PathBuf};

use super::doc::Doc;
use super::raw;
use crate::domain::config::Signing;

const DEFAULT_REMOTE: &str = "origin";

/// The signing settings, checked: a relative path that stays inside the repository, a remote
/// name git accepts.
pub fn signing(doc: &mut Doc<'_>, s: &raw::Signing) -> Option<Signing> {
    let file = s.allowed_signers.get_ref();
    let key = "project.signing.allowed_signers";
    let path = Path::new(file);
    if file.trim().is_empty() {
        doc.report(
            &s.allowed_signers.span(),
            key,
            "expected a path like `.shipdeck/allowed_signers` (relative to this file, inside the \
             repository)",
        );
        return None;
    }
    if path.is_absolute() || path.components().any(|c| matches!(c, Component::ParentDir)) {
        doc.report(
            &s.allowed_signers.span(),
            key,
            format!(
                "expected a path inside the repository, relative to this file, found `{file}`: \
                 allowed signers are read as committed on the default branch, never from disk"
            ),
        );
        return None;
    }
    let remote = match &s.remote {
        None => DEFAULT_REMOTE.to_string(),
        Some(r) => {
            let name = r.get_ref();
            let bad = name.is_empty()
                || name.starts_with('-')
                || name
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(c));
            if bad {
                doc.report(
                    &r.span(),
                    "project.signing.remote",
                    format!("expected a git remote name like `origin`, found `{name}`"),
                );
                return None;
            }
            name.clone()
        }
    };
    Some(Signing {
        allowed_signers: PathBuf::from(file),
        remote,
    })
}
