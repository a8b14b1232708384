//! The release rules, pure: no tokio, ratatui, reqwest or git2 in here. If a rule needs "now",
//! it takes `now` as an argument.

pub mod body_kind;
pub mod change;
pub mod channel;
pub mod checklist;
pub mod commit_id;
pub mod config;
pub mod drift;
pub mod duration;
pub mod event;
mod fact_summary;
pub mod flag;
pub mod flag_change;
pub mod flag_summary;
pub mod gates;
pub mod health;
pub mod insights;
/// The git deployer's `key`: `image.tag`, `containers[0].image`.
pub mod key_path;
pub mod ledger;
pub mod notes;
pub mod observation;
pub mod probed;
pub mod readiness;
pub mod release;
pub mod rollout;
pub mod running;
pub mod sanitize;
pub mod signature;
pub mod template;
pub mod time;
pub mod traffic;
pub mod traffic_reading;
pub mod train;
