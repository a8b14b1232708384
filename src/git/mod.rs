//! The git adapter: releases (tags), changelogs, ancestry and tag creation from a real repository.
//!
//! Reads and tag creation go through git2 (libgit2, no network in-process). Network operations
//! (`ls-remote`, `push`) run the user's own `git` executable so their credentials and transport
//! settings apply. git2 is blocking: async callers wrap these calls in `spawn_blocking`; [`Repo`]
//! is `Send` for that reason.

mod changelog;
mod error;
pub mod harden;
mod paths;
mod pattern;
mod raw_commit;
mod releases;
mod remote;
mod repo;
mod tag;
pub mod tag_cache;
mod tag_refs;
mod tree_same_cache;
mod walk;

pub use error::GitError;
pub use paths::pathspec_problem;
pub use pattern::tag_matches;
pub use remote::{config_user_email, push_tag};
pub use repo::Repo;
