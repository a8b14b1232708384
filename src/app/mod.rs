//! The engine both the console and the headless commands drive. `context` loads a project;
//! `actions` are the operations (each records exactly the same events wherever it is called
//! from); `state`/`msg`/`effect`/`update` are the console's Elm-style core (`update` never
//! awaits), with `keys`, `overlay_keys`, `flows`, `results` and `palette` as its parts and
//! `grid` the pure queries the console's views and `update` share.

pub mod anchor;
pub mod actions;
pub mod board;
pub mod command;
pub mod context;
pub mod editor;
pub mod effect;
pub mod failure;
pub mod flows;
pub mod grid;
pub mod identity;
pub mod keys;
pub mod msg;
pub mod notes_flow;
pub mod overlay;
pub mod overlay_keys;
pub mod palette;
pub mod results;
pub mod signatures;
pub mod state;
pub mod state_log;
pub mod update;

pub use context::Context;
pub use failure::{Failure, OrFail};
