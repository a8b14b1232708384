//! Issue 11, "truth at a glance and in the record": each item pinned by a test that fails on
//! the main before it. One test binary (`cargo test --test truth`).

#[path = "../common/mod.rs"]
mod common;
#[path = "../domain_support/mod.rs"]
mod domain_support;

mod board;
mod headless;
mod record;
mod server;
