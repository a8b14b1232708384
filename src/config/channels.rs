//! `[[channels]]`: where `notes --publish` sends release notes.
//!
//! ```toml
//! [[channels]]
//! name = "notes-file"
//! kind = "file"
//! path = "release-notes/{{service}}-{{release}}.md"
//!
//! [[channels]]
//! name = "slack"
//! kind = "http"
//! url_env = "SLACK_WEBHOOK_URL"          # or url = "https://…"; body defaults to {"text": …}
//!
//! [[channels]]
//! name = "mail"
//! kind = "command"
//! command = ["./scripts/announce.sh", "{{service}}", "{{release}}"]   # markdown on stdin
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use serde::de::IgnoredAny;
use toml::Spanned;

use super::deployers::{auth, headers, method};
use super::doc::{Doc, Node};
use super::error::{quoted_list, suggestion};
use super::raw;
use super::values::{Unique, argv_with, duration, name};
use crate::domain::channel::{Channel, ChannelKind, ChannelUrl, HttpChannel};
use crate::domain::config::SecretName;
use crate::domain::template::{CHANNEL_NAMES, names_in};

pub(super) const KINDS: [&str; 3] = ["file", "http", "command"];
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
const COMMAND_TIMEOUT: Duration = Duration::from_mins(1);
const METHODS: [&str; 3] = ["POST", "PUT", "PATCH"];

/// What a Slack- or Teams-compatible incoming webhook takes: the markdown as `text`.
pub const DEFAULT_BODY: &str = r#"{"text":"{{markdown}}"}"#;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileChannel {
    #[allow(dead_code)]
    name: IgnoredAny,
    #[allow(dead_code)]
    kind: IgnoredAny,
    path: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HttpChannelRaw {
    #[allow(dead_code)]
    name: IgnoredAny,
    #[allow(dead_code)]
    kind: IgnoredAny,
    url: Option<Spanned<String>>,
    url_env: Option<Spanned<String>>,
    method: Option<Spanned<String>>,
    #[serde(default)]
    headers: BTreeMap<String, Spanned<String>>,
    body: Option<Spanned<String>>,
    auth: Option<Spanned<raw::Auth>>,
    timeout: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CommandChannel {
    #[allow(dead_code)]
    name: IgnoredAny,
    #[allow(dead_code)]
    kind: IgnoredAny,
    command: Spanned<Vec<Spanned<String>>>,
    timeout: Option<Spanned<String>>,
}

/// The channel kinds and the shape of each, for the schema.
pub(super) fn raw_kinds() -> Result<Vec<(&'static str, super::schema::Shape)>, String> {
    use super::schema::shape;
    Ok(vec![
        ("file", shape::<FileChannel>()?),
        ("http", shape::<HttpChannelRaw>()?),
        ("command", shape::<CommandChannel>()?),
    ])
}

/// Reads every `[[channels]]` table; one bad channel does not hide the problems of the next.
pub fn channels(doc: &mut Doc<'_>, items: &[Node<'_>], dir: &Path) -> Vec<Channel> {
    let mut names = Unique::new("channel");
    let mut out = Vec::new();
    for (i, node) in items.iter().enumerate() {
        let path = format!("channels[{i}]");
        let Some(table) = doc.table(node, &path) else {
            continue;
        };
        let Some(n) = doc.string_at(table, "name", &path) else {
            if !table.contains_key("name") {
                doc.report(&node.span(), &format!("{path}.name"), "missing key `name`");
            }
            continue;
        };
        names.check(doc, n.get_ref(), &n.span(), &format!("{path}.name"));
        let channel_name = name(doc, &n, &format!("{path}.name"));
        let Some(kind) = doc.string_at(table, "kind", &path) else {
            if !table.contains_key("kind") {
                doc.report(
                    &node.span(),
                    &format!("{path}.kind"),
                    format!("missing key `kind`; expected one of {}", quoted_list(KINDS)),
                );
            }
            continue;
        };
        let kind = match kind.get_ref().as_str() {
            "file" => doc.read::<FileChannel>(node, &path).map(|f| {
                let key = format!("{path}.path");
                if f.path.get_ref().trim().is_empty() || f.path.get_ref().ends_with('/') {
                    doc.report(
                        &f.path.span(),
                        &key,
                        "expected a file path like \"release-notes/{{service}}-{{release}}.md\"",
                    );
                }
                let written = f.path.get_ref();
                if written.starts_with('/')
                    || written.starts_with('~')
                    || written.split('/').any(|part| part == "..")
                {
                    doc.report(
                        &f.path.span(),
                        &key,
                        "a file channel writes only inside the configuration's directory: \
                         expected a relative path without `..`",
                    );
                }
                ChannelKind::File {
                    path: template(doc, &f.path, &key),
                }
            }),
            "http" => doc
                .read::<HttpChannelRaw>(node, &path)
                .and_then(|h| http(doc, h, &node.span(), &path).map(ChannelKind::Http)),
            "command" => doc
                .read::<CommandChannel>(node, &path)
                .map(|c| ChannelKind::Command {
                    argv: argv(doc, &c.command, &format!("{path}.command"), dir),
                    timeout: duration(
                        doc,
                        c.timeout.as_ref(),
                        COMMAND_TIMEOUT,
                        &format!("{path}.timeout"),
                    ),
                }),
            other => {
                doc.report(
                    &kind.span(),
                    &format!("{path}.kind"),
                    format!(
                        "unknown channel kind `{other}`; expected one of {}{}",
                        quoted_list(KINDS),
                        suggestion(other, KINDS)
                    ),
                );
                None
            }
        };
        if let Some(kind) = kind {
            out.push(Channel {
                name: channel_name,
                kind,
            });
        }
    }
    out
}

/// A template that may use only a channel's names ([`CHANNEL_NAMES`]).
fn template(doc: &mut Doc<'_>, value: &Spanned<String>, key: &str) -> String {
    if let Err(err) = names_in(value.get_ref(), CHANNEL_NAMES) {
        doc.report(&value.span(), key, err.to_string());
    }
    value.get_ref().clone()
}

fn http(
    doc: &mut Doc<'_>,
    h: HttpChannelRaw,
    span: &std::ops::Range<usize>,
    path: &str,
) -> Option<HttpChannel> {
    let url = match (&h.url, h.url_env) {
        (Some(u), None) => {
            let key = format!("{path}.url");
            let text = template(doc, u, &key);
            let lower = text.to_lowercase();
            if !(lower.starts_with("http://") || lower.starts_with("https://")) {
                doc.report(
                    &u.span(),
                    &key,
                    format!("expected an http:// or https:// URL, found `{text}`"),
                );
            }
            ChannelUrl::Literal(text)
        }
        (None, Some(var)) => ChannelUrl::Env(SecretName(var.into_inner())),
        _ => {
            doc.report(
                span,
                &format!("{path}.url"),
                "expected exactly one of `url` or `url_env` (an incoming-webhook URL is a \
                 credential: prefer `url_env = \"VAR\"`)",
            );
            return None;
        }
    };
    let method = method(
        doc,
        h.method.as_ref(),
        &METHODS,
        " for a channel",
        &format!("{path}.method"),
    );
    let mut headers = headers(
        doc,
        &h.headers,
        path,
        template,
        "auth = { bearer_env = \"VAR\" } or auth = { header = \"NAME\", header_env = \"VAR\" }",
    );
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        headers.push(("Content-Type".to_string(), "application/json".to_string()));
    }
    let body = h.body.as_ref().map_or_else(
        || DEFAULT_BODY.to_string(),
        |b| template(doc, b, &format!("{path}.body")),
    );
    Some(HttpChannel {
        method,
        url,
        headers,
        body,
        auth: h.auth.and_then(|a| auth(doc, a, &format!("{path}.auth"))),
        timeout: duration(
            doc,
            h.timeout.as_ref(),
            HTTP_TIMEOUT,
            &format!("{path}.timeout"),
        ),
    })
}

/// A templated argv with a channel's names; a relative program path is made absolute against
/// the config's directory, as for deployers.
fn argv(
    doc: &mut Doc<'_>,
    value: &Spanned<Vec<Spanned<String>>>,
    key: &str,
    dir: &Path,
) -> Vec<String> {
    argv_with(
        doc,
        value,
        key,
        dir,
        template,
        r#"["./announce.sh", "{{release}}"]"#,
    )
}
