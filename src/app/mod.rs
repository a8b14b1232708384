//! The engine both the console and the headless commands drive. `context` loads a project;
//! `actions` are the operations (each records exactly the same events wherever it is called
//! from); `board` is the status board `status` prints. The console's Elm core is
//! [`crate::console`].

pub mod actions;
pub mod anchor;
pub mod board;
pub mod context;
pub mod failure;
pub mod identity;
pub mod insights;
pub mod signatures;

pub use context::Context;
pub use failure::{Failure, OrFail};
