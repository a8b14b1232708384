//! The live backend: [`Live`] holds the effects' world (`startup` loads releases and starts
//! the probes), `effects` performs each effect through `app::actions`, `sync` syncs the shared
//! log in the background.

mod effects;
mod rollout;
mod startup;
mod sync;
mod traffic;

pub use startup::Live;
pub use sync::sync_shared_log;
