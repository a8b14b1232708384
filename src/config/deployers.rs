//! `deploy = { kind = "http" | "webhook" | "command", … }`.

use std::path::Path;
use std::time::Duration;

use toml::Spanned;

use super::doc::{Doc, Node};
use super::error::{quoted_list, suggestion};
use super::raw;
use super::values::{TemplateCheck, argv, duration, template, url};
use crate::domain::config::{
    Auth, CommandDeployer, DeployerSpec, GitDeployer, HttpDeployer, SecretName,
};
use crate::domain::key_path;

pub(super) const KINDS: [&str; 4] = ["http", "webhook", "command", "git"];
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);
const COMMAND_TIMEOUT: Duration = Duration::from_mins(10);
const GIT_TIMEOUT: Duration = Duration::from_mins(1);
const GIT_BRANCH: &str = "main";
const GIT_VALUE: &str = "{{version}}";
const GIT_MESSAGE: &str = "deploy {{service}} {{release}} to {{env}}";
const METHODS: [&str; 5] = ["POST", "PUT", "PATCH", "GET", "DELETE"];

/// The body a `webhook` deployer sends: everything a hook needs to deploy and to check for
/// itself that the promotion was allowed.
pub const WEBHOOK_BODY: &str = concat!(
    r#"{"service":"{{service}}","env":"{{env}}","release":"{{release}}","version":"{{version}}","#,
    r#""commit":"{{commit}}","previous_release":"{{previous_release}}","actor":"{{actor}}","#,
    r#""idempotency_key":"{{idempotency_key}}","approvals":{{approvals_json}}}"#
);

/// Headers whose value is a credential; written literally they would put a secret in the file.
pub(super) const CREDENTIAL_HEADERS: [&str; 3] =
    ["authorization", "proxy-authorization", "x-api-key"];

pub fn deployer(
    doc: &mut Doc<'_>,
    node: &Node<'_>,
    path: &str,
    dir: &Path,
) -> Option<DeployerSpec> {
    let table = doc.table(node, path)?;
    let Some(kind) = doc.string_at(table, "kind", path) else {
        if !table.contains_key("kind") {
            doc.report(
                &node.span(),
                &format!("{path}.kind"),
                format!("missing key `kind`; expected one of {}", quoted_list(KINDS)),
            );
        }
        return None;
    };
    match kind.get_ref().as_str() {
        "http" => {
            let h = doc.read::<raw::HttpDeploy>(node, path)?;
            Some(DeployerSpec::Http(http(doc, h, path)))
        }
        "webhook" => {
            let w = doc.read::<raw::WebhookDeploy>(node, path)?;
            Some(DeployerSpec::Http(HttpDeployer {
                preset_webhook: true,
                method: "POST".to_string(),
                url: url(doc, &w.url, &format!("{path}.url")),
                headers: vec![("Content-Type".to_string(), "application/json".to_string())],
                body: Some(WEBHOOK_BODY.to_string()),
                auth: None,
                sign_secret: w.secret_env.map(secret),
                success: Vec::new(),
                timeout: duration(
                    doc,
                    w.timeout.as_ref(),
                    HTTP_TIMEOUT,
                    &format!("{path}.timeout"),
                ),
            }))
        }
        "command" => {
            let c = doc.read::<raw::CommandDeploy>(node, path)?;
            Some(DeployerSpec::Command(CommandDeployer {
                argv: argv(doc, &c.command, &format!("{path}.command"), dir),
                timeout: duration(
                    doc,
                    c.timeout.as_ref(),
                    COMMAND_TIMEOUT,
                    &format!("{path}.timeout"),
                ),
            }))
        }
        "git" => {
            let g = doc.read::<raw::GitDeploy>(node, path)?;
            Some(DeployerSpec::Git(git(doc, &g, path)))
        }
        other => {
            doc.report(
                &kind.span(),
                &format!("{path}.kind"),
                format!(
                    "unknown deployer kind `{other}`; expected one of {}{}",
                    quoted_list(KINDS),
                    suggestion(other, KINDS)
                ),
            );
            None
        }
    }
}

/// The `git` deployer; its clones' directory is set once the project's state dir is known.
fn git(doc: &mut Doc<'_>, g: &raw::GitDeploy, path: &str) -> GitDeployer {
    let text = |doc: &mut Doc<'_>, v: Option<&Spanned<String>>, default: &str, name: &str| {
        v.map_or_else(
            || default.to_string(),
            |v| template(doc, v, &format!("{path}.{name}")),
        )
    };
    let key = template(doc, &g.key, &format!("{path}.key"));
    if !key.contains("{{")
        && let Err(e) = key_path::parse(&key)
    {
        doc.report(&g.key.span(), &format!("{path}.key"), e);
    }
    let file = template(doc, &g.file, &format!("{path}.file"));
    let ext = file.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if !matches!(ext.as_deref(), Some("yaml" | "yml" | "json" | "toml")) {
        doc.report(
            &g.file.span(),
            &format!("{path}.file"),
            format!("expected a .yaml, .yml, .json or .toml file, found `{file}`"),
        );
    }
    if file.starts_with('/') || file.split('/').any(|part| part == "..") {
        doc.report(
            &g.file.span(),
            &format!("{path}.file"),
            "expected a path relative to the config repository's top, without `..`",
        );
    }
    GitDeployer {
        repo: template(doc, &g.repo, &format!("{path}.repo")),
        branch: text(doc, g.branch.as_ref(), GIT_BRANCH, "branch"),
        file,
        key,
        value: text(doc, g.value.as_ref(), GIT_VALUE, "value"),
        message: text(doc, g.message.as_ref(), GIT_MESSAGE, "message"),
        timeout: duration(
            doc,
            g.timeout.as_ref(),
            GIT_TIMEOUT,
            &format!("{path}.timeout"),
        ),
        clones: std::path::PathBuf::new(),
    }
}

fn http(doc: &mut Doc<'_>, h: raw::HttpDeploy, path: &str) -> HttpDeployer {
    let method = method(
        doc,
        h.method.as_ref(),
        &METHODS,
        "",
        &format!("{path}.method"),
    );
    let headers = headers(
        doc,
        &h.headers,
        path,
        template,
        "`secret_env` (for this header: auth = { bearer_env = \"VAR\" } or \
         auth = { header = \"NAME\", header_env = \"VAR\" })",
    );
    let success = h
        .success
        .iter()
        .map(|code| {
            if !(100..=599).contains(code.get_ref()) {
                doc.report(
                    &code.span(),
                    &format!("{path}.success"),
                    format!(
                        "expected an HTTP status code (100–599), found {}",
                        code.get_ref()
                    ),
                );
            }
            *code.get_ref()
        })
        .collect();
    if let Some(b) = &h.body {
        let content_type = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.as_str());
        if crate::domain::body_kind::body_kind(b.get_ref(), content_type).is_none() {
            doc.report(
                &b.span(),
                &format!("{path}.body"),
                "cannot tell whether this body is JSON, a form or text, so values could not be \
                 escaped for it: add `headers = { Content-Type = \"application/json\" }` (or \
                 application/x-www-form-urlencoded, or text/plain)",
            );
        }
    }
    HttpDeployer {
        preset_webhook: false,
        url: url(doc, &h.url, &format!("{path}.url")),
        method,
        headers,
        body: h
            .body
            .as_ref()
            .map(|b| template(doc, b, &format!("{path}.body"))),
        auth: h.auth.and_then(|a| auth(doc, a, &format!("{path}.auth"))),
        sign_secret: h.secret_env.map(secret),
        success,
        timeout: duration(
            doc,
            h.timeout.as_ref(),
            HTTP_TIMEOUT,
            &format!("{path}.timeout"),
        ),
    }
}

pub(super) fn auth(doc: &mut Doc<'_>, a: Spanned<raw::Auth>, path: &str) -> Option<Auth> {
    let span = a.span();
    let a = a.into_inner();
    let given = [
        a.bearer_env.is_some(),
        a.basic_env.is_some(),
        a.header_env.is_some(),
    ]
    .into_iter()
    .filter(|g| *g)
    .count();
    if given != 1 {
        doc.report(
            &span,
            path,
            "expected exactly one of `bearer_env`, `basic_env` or `header_env` (with `header`)",
        );
        return None;
    }
    if let Some(b) = a.bearer_env {
        return Some(Auth::Bearer(secret(b)));
    }
    if let Some(b) = a.basic_env {
        return Some(Auth::Basic(secret(b)));
    }
    let secret_name = secret(a.header_env?);
    let Some(header) = a.header else {
        doc.report(
            &span,
            &format!("{path}.header"),
            "`header_env` needs `header`: the name of the header to send it in",
        );
        return None;
    };
    Some(Auth::Header {
        name: header.into_inner(),
        secret: secret_name,
    })
}

/// The variable's name; its shape was checked for every `*_env` key before reading.
fn secret(name: Spanned<String>) -> SecretName {
    SecretName(name.into_inner())
}

/// An HTTP method from `allowed`, upper-cased (default POST); `what` follows the method's name
/// in the message (" for a channel").
pub(super) fn method(
    doc: &mut Doc<'_>,
    value: Option<&Spanned<String>>,
    allowed: &[&str],
    what: &str,
    key: &str,
) -> String {
    let Some(m) = value else {
        return "POST".to_string();
    };
    let upper = m.get_ref().to_uppercase();
    if !allowed.contains(&upper.as_str()) {
        doc.report(
            &m.span(),
            key,
            format!(
                "unknown HTTP method `{}`{what}; expected one of {}{}",
                m.get_ref(),
                quoted_list(allowed.iter().copied()),
                suggestion(&upper, allowed.iter().copied())
            ),
        );
    }
    upper
}

/// Templated headers, refusing credentials written as values; `instead` says what to use.
pub(super) fn headers(
    doc: &mut Doc<'_>,
    headers: &std::collections::BTreeMap<String, Spanned<String>>,
    path: &str,
    check: TemplateCheck,
    instead: &str,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, value) in headers {
        let key = format!("{path}.headers.{name}");
        if CREDENTIAL_HEADERS.contains(&name.to_lowercase().as_str()) {
            doc.report(
                &value.span(),
                &key,
                format!("secrets are never values in the file; name an environment variable with {instead}"),
            );
        }
        out.push((name.clone(), check(doc, value, &key)));
    }
    out
}
