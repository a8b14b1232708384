//! Health probes: the live half of "Health and versions" in DESIGN.md.
//!
//! - `client`: the one shared HTTP client, and the open-file limit raised so many targets fit.
//! - `target`: which targets exist, with their probe templates expanded.
//! - `once`: one probe of one target, bounded in time and bytes, turned into an `Observation`.
//! - `refresh`: every target at once, bounded in concurrency.
//! - `prober`: the live engine, one task per target on its interval; a failing one is
//!   retried within its interval.
//!
//! Reading what an answer means is pure and lives in `crate::domain::health`.

mod backoff;
mod client;
pub(crate) mod command;
mod fetch;
mod once;
mod prober;
mod refresh;
mod target;

pub use backoff::{MAX_BACKOFF, backoff_delay, retry_delay};
pub use client::{http_client, raise_open_file_limit};
pub use fetch::{BODY_CAP, read_capped};
pub use once::{UNTRUSTED_DETAIL, probe_once, slot_target};
pub use prober::{DEFAULT_INTERVAL, FAST_INTERVAL, ProbeEvent, Prober};
pub use refresh::{DEFAULT_CONCURRENCY, probe_concurrency, refresh_all};
pub use target::{Target, slot_spec, targets, targets_and_skipped};
