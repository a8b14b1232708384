//! The console's Elm-style core, with no terminal library in it: `state` (everything the
//! console knows), `msg` (everything that can happen), `effect` (what it asks the outside world
//! to do) and `update` (`update(&mut State, Msg) -> Vec<Effect>`, a routing table that never
//! awaits). Around it:
//!
//! - `key`: the console's own key type (the terminal layer translates into it);
//! - `keymap`: every key as data (views, keys, act, help) — the key handler (`keys`), the help
//!   overlay and the palette are generated from it;
//! - `views`: the view registry (name, key, title, hints, cursor) — how to add a view;
//! - `cell`: the board-cell model, a list of facts — how to add a cell fact;
//! - `flows/`: one file per action holding its whole lifecycle (start, result, confirmed,
//!   accepted); `results` routes each operation's answer to its flow;
//! - `flags`: the Flags view's model (flags × environments, grouped by service, with the last
//!   good read kept while a flag service is down);
//! - `live`: time, probe observations, the log changing, plan refreshes;
//! - `model`: pure queries over the state the views and `update` share; `down` (what is down,
//!   why, the next probe's countdown) and `activity` (the timeline of events and health changes
//!   seen) are two of them kept apart;
//! - `trains`: the board's train rows (a cell per environment, in the board-cell model);
//! - `insights`: the Insights view's period, service and figures, asked of the engine;
//! - `overlay`, `overlay_keys`, `palette`, `command`.
//!
//! The engine it drives is [`crate::app`]; the terminal, the runner and the backend that
//! performs effects are [`crate::tui`].

pub mod activity;
pub mod cell;
pub mod command;
pub mod down;
pub mod effect;
pub mod flags;
pub mod flows;
pub mod insights;
pub mod key;
pub mod keymap;
pub mod keys;
pub mod live;
pub mod model;
pub mod msg;
pub mod overlay;
pub mod overlay_keys;
pub mod palette;
pub mod results;
pub mod state;
pub mod traffic;
pub mod trains;
pub mod update;
pub mod views;
