//! Unreleased work: the commits on the repository's default branch (its HEAD) that touch a
//! service's paths and are not in its newest release — what a new tag would ship.

use serde::Serialize;

use crate::app::context::Context;
use crate::app::failure::{Failure, OrFail};
use crate::domain::change::Commit;
use crate::domain::release::Release;
use crate::git::Repo;

/// A service's unreleased commits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreleased {
    pub service: String,
    /// The newest release they come after; `None` when the service has no release yet.
    pub since: Option<String>,
    /// The commit HEAD points at (40 hex).
    pub head: String,
    /// Newest first, as `git log NEWEST..HEAD -- PATHS` lists them.
    pub commits: Vec<Commit>,
}

/// The commits on HEAD since `releases`' newest (as [`super::releases`] lists them, newest
/// first) that touch the service's paths.
pub fn unreleased(
    ctx: &Context,
    service: &str,
    releases: &[Release],
) -> Result<Unreleased, Failure> {
    let svc = ctx.service(service)?;
    let repo = Repo::open(&svc.repo).or_fail(&format!(
        "could not open the repository of `{service}` at {}",
        svc.repo.display()
    ))?;
    let head = repo
        .head_commit()
        .or_fail(&format!("could not read HEAD of `{service}`'s repository"))?;
    let newest = releases.first();
    let commits = match newest {
        Some(r) => repo.changelog_in(&r.commit, &head, &svc.paths),
        None => repo.changelog_all_in(&head, &svc.paths),
    }
    .or_fail(&format!("could not list `{service}`'s unreleased commits"))?;
    Ok(Unreleased {
        service: service.to_string(),
        since: newest.map(|r| r.name.clone()),
        head,
        commits,
    })
}
