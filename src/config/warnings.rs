//! What `check` warns about without failing: secret variables that are unset here and commands
//! that are not found (deployers, probes, check gates, release-notes channels, flag services). Either may be fine on the machine that deploys, so they never fail.

use std::path::{Path, PathBuf};

use crate::domain::channel::{ChannelKind, ChannelUrl};
use crate::domain::config::{
    Auth, CheckSpec, Config, DeployerSpec, GateRule, ProbeSource, ProbeSpec,
};

/// One sentence per unset secret variable or missing command, each named once.
pub fn warnings(config: &Config) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |w: String| {
        if !out.contains(&w) {
            out.push(w);
        }
    };
    for env in &config.environments {
        for gate in &env.gates {
            if let GateRule::Check(CheckSpec::Command { argv, .. }) = &gate.rule {
                let place = format!("gate `{}` of environment `{}`", gate.id, env.name);
                if let Some(w) = missing_command(argv, &config.dir, &place) {
                    push(w);
                }
            }
        }
    }
    for service in &config.services {
        let targets = std::iter::once((None, service.health.as_ref(), service.deploy.as_ref()))
            .chain(
                service
                    .env
                    .iter()
                    .map(|(env, o)| (Some(env.as_str()), o.health.as_ref(), o.deploy.as_ref())),
            );
        for (env, health, deploy) in targets {
            let place = |what: &str| match env {
                Some(env) => format!("{what} of service `{}` in `{env}`", service.name),
                None => format!("{what} of service `{}`", service.name),
            };
            if let Some(ProbeSpec {
                source: ProbeSource::Command { argv },
                ..
            }) = health
                && let Some(w) = missing_command(argv, &config.dir, &place("health probe"))
            {
                push(w);
            }
            match deploy {
                Some(DeployerSpec::Command(c)) => {
                    if let Some(w) = missing_command(&c.argv, &config.dir, &place("deployer")) {
                        push(w);
                    }
                }
                Some(DeployerSpec::Http(h)) => {
                    let auth = h.auth.as_ref().map(|a| match a {
                        Auth::Bearer(s) | Auth::Basic(s) | Auth::Header { secret: s, .. } => s,
                    });
                    for secret in auth.into_iter().chain(h.sign_secret.as_ref()) {
                        if std::env::var_os(&secret.0).is_none() {
                            push(format!(
                                "the secret variable `{}` ({}) is not set in this environment",
                                secret.0,
                                place("deployer")
                            ));
                        }
                    }
                }
                Some(DeployerSpec::Git(_)) => {
                    if let Some(w) =
                        missing_command(&["git".to_string()], &config.dir, &place("git deployer"))
                    {
                        push(w);
                    }
                }
                None => {}
            }
        }
    }
    for channel in &config.channels {
        let place = format!("channel `{}`", channel.name);
        match &channel.kind {
            ChannelKind::Command { argv, .. } => {
                if let Some(w) = missing_command(argv, &config.dir, &place) {
                    push(w);
                }
            }
            ChannelKind::Http(h) => {
                let auth = h.auth.as_ref().map(|a| match a {
                    Auth::Bearer(s) | Auth::Basic(s) | Auth::Header { secret: s, .. } => s,
                });
                let url = match &h.url {
                    ChannelUrl::Env(s) => Some(s),
                    ChannelUrl::Literal(_) => None,
                };
                for secret in auth.into_iter().chain(url) {
                    if std::env::var_os(&secret.0).is_none() {
                        push(format!(
                            "the secret variable `{}` ({place}) is not set in this environment",
                            secret.0
                        ));
                    }
                }
            }
            ChannelKind::File { .. } => {}
        }
    }
    for flags in &config.flags {
        if let Some(secret) = flags.secret()
            && std::env::var_os(&secret.0).is_none()
        {
            push(format!(
                "the secret variable `{}` (flag service `{}`) is not set in this environment",
                secret.0, flags.name
            ));
        }
    }
    out
}

/// A warning when `argv[0]` names no executable file: relative paths against the config's
/// directory, bare names on `PATH`. Templated program names are only known at run time.
fn missing_command(argv: &[String], dir: &Path, place: &str) -> Option<String> {
    let program = argv.first()?;
    if program.contains("{{") {
        return None;
    }
    if program.contains('/') {
        let path = dir.join(program);
        return (!is_executable(&path)).then(|| {
            format!(
                "the command `{program}` ({place}) is not an executable file at {}",
                path.display()
            )
        });
    }
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect::<Vec<PathBuf>>())
        .unwrap_or_default()
        .into_iter()
        .any(|dir| is_executable(&dir.join(program)));
    (!found).then(|| format!("the command `{program}` ({place}) is not found on PATH"))
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}
