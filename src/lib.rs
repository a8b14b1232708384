//! shipdeck: a terminal release console.
//!
//! - `domain`: the release rules, pure and tested without a terminal or network.
//! - `config`: reading and validating `shipdeck.toml`.
//! - `store`: the append-only, hash-chained event log.
//! - `git`: releases, changelogs and tags from real repositories.
//! - `probe`, `deploy`, `trust`: the live world (health probes, deployers, trusted commands).
//! - `flags`: feature-flag services (Unleash's admin API, or any HTTP API).
//! - `traffic`: traffic routers in front of slotted targets (HAProxy, Caddy, HTTP, commands).
//! - `publish`: release notes sent through the configured channels.
//! - `sign`: SSH signatures on events (ssh-keygen), allowed signers from the remote's default
//!   branch.
//! - `init`: a first `shipdeck.toml` from a repository's tags.
//! - `demo`: the built-in demo's repository and environments.
//! - `app`: the engine both the console and the headless commands drive (no terminal in it).
//! - `console`: the console's Elm core (state, messages, effects, `update`; the key map, the
//!   view registry and the board-cell model as data), with its own key type.
//! - `tui`: the terminal side of the console (terminal, event loop, backend, views).
//! - `cli`: the command line.

pub mod app;
pub mod cli;
pub mod config;
pub mod console;
pub mod demo;
pub mod deploy;
pub mod domain;
pub mod flags;
pub mod git;
pub mod gitlog;
pub mod init;
pub mod probe;
pub mod publish;
pub mod sign;
pub mod store;
pub mod traffic;
pub mod trust;
pub mod tui;
