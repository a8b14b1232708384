//! What a target's probe looks at and how often, as the configuration says: the target view
//! shows the probed URL (or command), and the console caps a retry countdown at the interval.

use std::time::Duration;

use super::config::{Config, ProbeSource};
use super::template::{Vars, expand, expand_with, url_escape};
use super::traffic::with_slot;

/// The probe of (service, env) in one line: its URL (credentials and query masked), its command,
/// or for a slotted target each slot's URL. `None` when the target has no probe.
pub fn probed(config: &Config, service: &str, env: &str) -> Option<String> {
    let spec = config.service(service)?.probe_for(env)?;
    let vars = Vars::new()
        .with("service", service.to_string())
        .with("env", env.to_string());
    let url = |template: &str| {
        expand_with(template, &vars, url_escape)
            .map_or_else(|_| template.to_string(), |u| shown(&u))
    };
    Some(
        match (&spec.source, config.exposure.traffic(service, env)) {
            (ProbeSource::Http { url: u }, Some(traffic)) => traffic
                .slots
                .iter()
                .map(|slot| format!("{slot} {}", url(&with_slot(u, slot))))
                .collect::<Vec<_>>()
                .join(" · "),
            (ProbeSource::Http { url: u }, None) => url(u),
            (ProbeSource::Command { argv }, _) => argv
                .iter()
                .map(|a| expand(a, &vars).unwrap_or_else(|_| a.clone()))
                .collect::<Vec<_>>()
                .join(" "),
            (ProbeSource::Routed(_), _) => "the router and the live slot's probe".to_string(),
        },
    )
}

/// How often (service, env) is probed: its own interval, else the project's.
pub fn interval(config: &Config, service: &str, env: &str) -> Duration {
    config
        .service(service)
        .and_then(|s| s.probe_for(env))
        .and_then(|p| p.interval)
        .unwrap_or(config.project.probe_interval)
}

/// A URL as shown: `user:token@` and the query string masked.
fn shown(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (authority, path) = rest.find('/').map_or((rest, ""), |i| rest.split_at(i));
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let path = match path.split_once('?') {
        Some((p, _)) => format!("{p}?…"),
        None => path.to_string(),
    };
    let prefix = if scheme.is_empty() {
        String::new()
    } else {
        format!("{scheme}://")
    };
    super::sanitize::sanitize(&format!("{prefix}{authority}{path}"))
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn credentials_and_queries_are_masked() {
        assert_eq!(
            shown("http://me:tok@127.0.0.1:9/api/health?key=s3cret"),
            "http://127.0.0.1:9/api/health?…"
        );
        assert_eq!(
            shown("http://127.0.0.1:9/api/health"),
            "http://127.0.0.1:9/api/health"
        );
    }
}
