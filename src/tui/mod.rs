//! The terminal side of the console: terminal setup and restore, crossterm's keys as the
//! console's (`keys`), the event loop (`runner`), the log watcher, the editor hand-over, the
//! backend that runs effects through `app::actions`, and the views (ratatui).

pub mod backend;
pub mod editor;
pub mod keys;
pub mod launch;
pub mod runner;
pub mod terminal;
pub mod theme;
pub mod views;
pub mod watcher;

pub use launch::{run, run_with};
