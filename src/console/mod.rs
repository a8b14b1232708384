//! The console's Elm-style core: `state`/`msg`/`effect`/`update` (`update` never awaits), with
//! `keys`, `overlay_keys`, `flows`, `results` and `palette` as its parts and `model` the pure
//! queries the console's views and `update` share.

pub mod command;
pub mod effect;
pub mod flows;
pub mod keys;
pub mod model;
pub mod msg;
pub mod overlay;
pub mod overlay_keys;
pub mod palette;
pub mod results;
pub mod state;
pub mod update;
