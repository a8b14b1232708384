//! Where release notes are published: the validated `[[channels]]` of the configuration.

use std::time::Duration;

use super::config::{Auth, SecretName};

/// One configured destination for release notes.
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    /// Unique among the channels; what `notes --publish --channel NAME` selects.
    pub name: String,
    pub kind: ChannelKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChannelKind {
    /// The markdown written to a file (absolute; templated path, parents created).
    File { path: String },
    /// One templated HTTP request: a Slack/Teams-style incoming webhook by default.
    Http(HttpChannel),
    /// argv (templated, no shell) with the markdown on stdin; needs a trusted configuration.
    Command {
        argv: Vec<String>,
        timeout: Duration,
    },
}

impl ChannelKind {
    /// The kind's name as written in the configuration.
    pub fn name(&self) -> &'static str {
        match self {
            ChannelKind::File { .. } => "file",
            ChannelKind::Http(_) => "http",
            ChannelKind::Command { .. } => "command",
        }
    }
}

/// Where an HTTP channel sends: a URL in the file, or one held in an environment variable
/// (incoming-webhook URLs are credentials: whoever has one can post).
#[derive(Debug, Clone, PartialEq)]
pub enum ChannelUrl {
    Literal(String),
    Env(SecretName),
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpChannel {
    pub method: String,
    pub url: ChannelUrl,
    /// Header templates; `Content-Type: application/json` unless set.
    pub headers: Vec<(String, String)>,
    /// Body template; values are JSON-escaped when the content type is JSON.
    pub body: String,
    pub auth: Option<Auth>,
    pub timeout: Duration,
}
