//! Publishing release notes through the configured channels (`[[channels]]`): `file` writes the
//! markdown to a path, `http` sends one templated request (an incoming webhook), `command` runs
//! argv with the markdown on stdin. Each channel is tried once, none is retried (a webhook that
//! timed out may have posted), and each gives a [`Delivery`] saying where it went and how it
//! ended, sanitized and with secrets masked.

mod command;
mod file;
mod http;

use std::path::PathBuf;

use crate::domain::channel::{Channel, ChannelKind};
use crate::domain::config::SecretName;
use crate::domain::event::Delivery;
use crate::domain::template::Vars;

/// What is published, and the values channel templates may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub service: String,
    pub release: String,
    pub version: String,
    /// The environment the notes are for; empty when for none in particular.
    pub env: String,
    pub actor: String,
    /// `service release`, for subjects and titles.
    pub title: String,
    pub markdown: String,
    /// The directory relative paths and programs are resolved against (the config's).
    pub workdir: PathBuf,
    /// Every secret variable the configuration names; masked in anything shown or recorded.
    pub known_secrets: Vec<SecretName>,
}

impl Message {
    /// The template variables for `channel` (names from `template::CHANNEL_NAMES`).
    fn vars(&self, channel: &str) -> Vars {
        let mut vars = Vars::new();
        vars.set("service", self.service.clone());
        vars.set("release", self.release.clone());
        vars.set("version", self.version.clone());
        vars.set("env", self.env.clone());
        vars.set("actor", self.actor.clone());
        vars.set("title", self.title.clone());
        vars.set("markdown", self.markdown.clone());
        vars.set("channel", channel.to_string());
        vars
    }
}

/// Sends `message` through each of `channels`, one after the other, and says how each ended.
/// Command channels run only when the configuration is `trusted`.
pub async fn publish(channels: &[&Channel], message: &Message, trusted: bool) -> Vec<Delivery> {
    let mut out = Vec::with_capacity(channels.len());
    for channel in channels {
        let vars = message.vars(&channel.name);
        let (to, result) = match &channel.kind {
            ChannelKind::File { path } => file::write(path, &vars, message),
            ChannelKind::Http(spec) => http::send(spec, &vars, message).await,
            ChannelKind::Command { argv, .. } if !trusted => (
                argv.join(" "),
                Err(
                    "this configuration can run commands and is not trusted yet; review it, \
                     then run `shipdeck trust`"
                        .to_string(),
                ),
            ),
            ChannelKind::Command { argv, timeout } => {
                command::run(argv, *timeout, &vars, message).await
            }
        };
        let (ok, detail) = match result {
            Ok(detail) => (true, detail),
            Err(detail) => (false, detail),
        };
        out.push(Delivery {
            channel: channel.name.clone(),
            kind: channel.kind.name().to_string(),
            to,
            ok,
            detail,
        });
    }
    out
}

/// Where `channel` would send `message`, without sending: the file's path, `POST` and the URL
/// (by its variable's name when it lives in one; a literal URL's path, which often is the
/// credential, masked), or the argv; known secrets masked. For confirmations.
pub fn destination(channel: &Channel, message: &Message) -> String {
    let vars = message.vars(&channel.name);
    let known = crate::deploy::secret::load_known(&message.known_secrets);
    let secrets: Vec<_> = known.iter().collect();
    let expand = |t: &str| {
        crate::domain::template::expand_in(
            t,
            &vars,
            crate::domain::template::CHANNEL_NAMES,
            str::to_string,
        )
        .unwrap_or_else(|_| t.to_string())
    };
    let to = match &channel.kind {
        ChannelKind::File { path } => message.workdir.join(expand(path)).display().to_string(),
        ChannelKind::Http(spec) => match &spec.url {
            crate::domain::channel::ChannelUrl::Literal(t) => {
                format!("{} {}", spec.method, mask_url(&expand(t)))
            }
            crate::domain::channel::ChannelUrl::Env(name) => {
                format!("{} ${}", spec.method, name.0)
            }
        },
        ChannelKind::Command { argv, .. } => {
            argv.iter().map(|a| expand(a)).collect::<Vec<_>>().join(" ")
        }
    };
    crate::domain::sanitize::sanitize(&crate::deploy::secret::shown(&to, &secrets))
}

/// `https://hooks.slack.com/…`: scheme and host kept, the rest masked.
pub fn mask_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "…".to_string();
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // Credentials in the authority (`user:token@host`) are masked too.
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    if rest.len() > host.len() {
        format!("{scheme}://{host}/…")
    } else {
        format!("{scheme}://{host}")
    }
}

#[cfg(test)]
mod tests {
    use super::mask_url;

    #[test]
    fn literal_urls_keep_only_scheme_and_host() {
        assert_eq!(
            mask_url("https://hooks.slack.com/services/T0/B0/secret"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(
            mask_url("https://me:tok@x.example/a"),
            "https://x.example/…"
        );
        assert_eq!(mask_url("http://127.0.0.1:9000"), "http://127.0.0.1:9000");
    }
}
