//! The console: terminal setup and restore, the event loop, the backend that runs effects
//! through `app::actions`, and the views.

pub mod backend;
pub mod editor;
pub mod launch;
pub mod runner;
pub mod terminal;
pub mod theme;
pub mod views;
pub mod watcher;

pub use launch::{run, run_with};
