//! Reading and validating `shipdeck.toml` into [`crate::domain::config::Config`].
//!
//! The file is parsed into a spanned tree, each section is read through `deny_unknown_fields`
//! serde structs, and the result is checked into the model. Every problem found is reported,
//! one per line, each naming `file:line:col`, the key, what was expected and, for a near-miss
//! name, what was probably meant.

mod channels;
mod checklists;
mod deployers;
mod doc;
mod error;
mod flags;
mod gate_rules;
mod gates;
mod load;
mod paths;
mod raw;
mod schedule;
mod schema;
mod secrets;
mod services;
mod signing;
mod state;
mod traffic;
mod trains;
mod values;
mod warnings;

pub use channels::DEFAULT_BODY as CHANNEL_BODY;
pub use checklists::builtin_checklists;
pub use deployers::WEBHOOK_BODY;
pub use error::{ConfigError, Problem};
pub use gates::KINDS as GATE_KINDS;
pub use load::{load, read};
pub use paths::{FILE_NAME, data_dir, default_state_dir, discover};
pub use schema::schema;
pub use warnings::warnings;
