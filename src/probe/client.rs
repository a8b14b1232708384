//! The shared HTTP client for probes and checks, and the open-file limit.

use std::time::Duration;

/// How long a TCP (and TLS) connect may take before the probe reports the target unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Idle connections are kept longer than the default probe interval, so a steady board reuses
/// them instead of reconnecting every 10 s.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Idle connections kept per host: as many as probes may run at once, so a board of many
/// services behind one gateway refreshes over warm connections (a cold connect costs more than
/// the request on loopback: `scripts/bench` measured 1.60× one request for a thousand targets
/// with 256 kept, 1.41–1.47× with all kept; the console's peak memory varied between runs
/// (54–66 MiB) more than between the two settings).
const POOL_MAX_IDLE_PER_HOST: usize = super::refresh::DEFAULT_CONCURRENCY;
/// Probes may follow a short redirect chain (`/health` → `/health/`); deploy calls never do and
/// build their own client.
const MAX_REDIRECTS: usize = 3;

/// The HTTP client: rustls, a 2 s connect timeout, a bounded idle pool, at most three
/// redirects, user agent `shipdeck/<version>`. Per-call timeouts are set by each caller. A session
/// builds it once (`app::Context::http`) and shares it, so its connection pool is shared.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(CONNECT_TIMEOUT)
        .pool_idle_timeout(POOL_IDLE_TIMEOUT)
        .pool_max_idle_per_host(POOL_MAX_IDLE_PER_HOST)
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        .user_agent(concat!("shipdeck/", env!("CARGO_PKG_VERSION")))
        .tcp_nodelay(true)
        .build()
        .unwrap_or_else(|e| {
            // Only a broken TLS backend gets here; a default client still probes plain HTTP.
            tracing::warn!("could not build the configured HTTP client ({e}); using defaults");
            reqwest::Client::new()
        })
}

/// Raises the soft open-file limit to the hard one, so a thousand probes (a socket each) fit.
/// Failure is not fatal: probes beyond the limit report their connect error.
pub fn raise_open_file_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::debug!("open-file limit is {limit}"),
        Err(e) => tracing::warn!("could not raise the open-file limit: {e}"),
    }
}
