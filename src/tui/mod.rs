//! The console: terminal setup and restore, the event loop, and the views.

pub mod runner;
pub mod terminal;
pub mod theme;
pub mod views;
pub mod watcher;
