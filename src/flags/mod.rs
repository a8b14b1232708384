//! Feature-flag services (DESIGN.md, "Feature flags"): reading every flag of a `[[flags]]`
//! service, the one call that changes a flag, and the live observer that reads them like probes.
//!
//! - `request`: one authorized request, bounded, never retried, answers redacted.
//! - `unleash`: Unleash's admin API.
//! - `http`: the generic adapter (read URL + JSON pointers, templated write).
//! - `observer`: one task per flag service on its interval, with backoff; never blocks.
//!
//! The rules (direction, freezes, steps, drift) are pure and live in `crate::domain::flag_change`.

mod http;
mod observer;
mod request;
mod unleash;

use reqwest::Client;

use crate::domain::flag::{FlagFault, FlagKind, FlagReading, FlagService, FlagState};
use crate::domain::flag_change::FlagAction;

pub use observer::{FlagObserver, FlagObserverEvent};
pub use request::{Call, client, not_sent};
pub use unleash::ROLLOUT_STRATEGY;

/// Reads every flag of `service` in its mapped environments, within its timeout.
pub async fn read(client: &Client, service: &FlagService) -> FlagReading {
    let result = match tokio::time::timeout(service.timeout, read_inner(client, service)).await {
        Ok(result) => result,
        Err(_) => Err(FlagFault::Slow(service.timeout)),
    };
    FlagReading {
        provider: service.name.clone(),
        at: crate::app::context::now(),
        result,
    }
}

async fn read_inner(client: &Client, service: &FlagService) -> Result<Vec<FlagState>, FlagFault> {
    let secret = request::secret(service)?;
    match &service.kind {
        FlagKind::Unleash(api) => unleash::read(client, service, api, secret.as_ref()).await,
        FlagKind::Http(spec) => http::read(client, service, spec, secret.as_ref()).await,
    }
}

/// Reads every service at once, in the order given.
pub async fn read_all(client: &Client, services: &[&FlagService]) -> Vec<FlagReading> {
    futures::future::join_all(services.iter().map(|s| read(client, s))).await
}

/// The exact call that performs `action` on `state` (read just before).
pub fn call(
    service: &FlagService,
    state: &FlagState,
    action: FlagAction,
) -> Result<Call, FlagFault> {
    let their_env = service
        .service_env(&state.env)
        .ok_or_else(|| FlagFault::Garbage(format!("`{}` is not mapped", state.env)))?;
    match &service.kind {
        FlagKind::Unleash(api) => Ok(unleash::call(api, state, their_env, action)),
        FlagKind::Http(spec) => http::call(spec, state, their_env, action),
    }
}

/// Sends a change once (never retried: a timeout may mean it was applied), within the timeout;
/// what the service answered.
pub async fn write(
    client: &Client,
    service: &FlagService,
    call: &Call,
) -> Result<String, FlagFault> {
    let secret = request::secret(service)?;
    match tokio::time::timeout(
        service.timeout,
        request::send(client, service, secret.as_ref(), call),
    )
    .await
    {
        Ok(result) => result,
        Err(_) => Err(FlagFault::Slow(service.timeout)),
    }
}
