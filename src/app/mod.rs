//! The engine both the console and the headless commands drive. `context` loads a project;
//! `actions` are the operations (each records exactly the same events wherever it is called
//! from); `state`/`msg`/`effect`/`update` are the console's Elm-style core.

pub mod actions;
pub mod board;
pub mod context;
pub mod failure;
pub mod identity;

pub use context::Context;
pub use failure::{Failure, OrFail};
