//! The engine both the console and the headless commands drive: state, messages, effects and
//! `update`, which never awaits.

pub mod command;
pub mod effect;
pub mod flows;
pub mod grid;
pub mod keys;
pub mod msg;
pub mod overlay;
pub mod overlay_keys;
pub mod palette;
pub mod results;
pub mod shim;
pub mod state;
pub mod update;
