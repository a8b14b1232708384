//! `{{name}}` templates in URLs, headers, bodies and argv.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The variables a template may use. Unknown names are errors, so a typo never sends a literal
/// `{{relase}}` to a deploy endpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars(BTreeMap<&'static str, String>);

/// Every name a template may contain.
pub const NAMES: &[&str] = &[
    "service",
    "env",
    "release",
    "version",
    "commit",
    "previous_release",
    "actor",
    "idempotency_key",
    "approvals_json",
    "slot",
];

/// Every name a release-notes channel's template may contain (`config::channels`).
pub const CHANNEL_NAMES: &[&str] = &[
    "service", "release", "version", "env", "actor", "title", "markdown", "channel",
];

impl Vars {
    pub fn new() -> Vars {
        Vars::default()
    }

    /// Sets `name` (one of [`NAMES`]).
    #[must_use]
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Vars {
        debug_assert!(NAMES.contains(&name), "unknown template variable {name}");
        self.0.insert(name, value.into());
        self
    }

    pub fn set(&mut self, name: &'static str, value: impl Into<String>) {
        self.0.insert(name, value.into());
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unknown template variable `{{{{{0}}}}}`; known: {known}", known = NAMES.join(", "))]
    Unknown(String),
    #[error("`{{{{{0}}}}}` has no value here")]
    Unset(String),
    #[error("unclosed `{{{{` in template")]
    Unclosed,
    /// An unknown name in a template with its own list of names (a channel's).
    #[error("unknown template variable `{{{{{name}}}}}`; known: {known}")]
    UnknownOf { name: String, known: String },
}

/// The names used in `template`, or the first syntax error.
pub fn names(template: &str) -> Result<Vec<String>, TemplateError> {
    names_in(template, NAMES)
}

fn unknown(name: &str, known: &[&str]) -> TemplateError {
    if known == NAMES {
        TemplateError::Unknown(name.to_string())
    } else {
        TemplateError::UnknownOf {
            name: name.to_string(),
            known: known.join(", "),
        }
    }
}

/// The names used in `template`, which may use only `known`, or the first syntax error.
pub fn names_in(template: &str, known: &[&str]) -> Result<Vec<String>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or(TemplateError::Unclosed)?;
        let name = after[..end].trim();
        if !known.contains(&name) {
            return Err(unknown(name, known));
        }
        out.push(name.to_string());
        rest = &after[end + 2..];
    }
    Ok(out)
}

/// Expands every `{{name}}` in `template` from `vars`, with `escape` applied to each value
/// (identity for argv, URL-encoding for URLs, JSON-escaping for JSON bodies).
pub fn expand_with(
    template: &str,
    vars: &Vars,
    escape: impl Fn(&str) -> String,
) -> Result<String, TemplateError> {
    expand_in(template, vars, NAMES, escape)
}

/// [`expand_with`] for a template that may use only `known` (a channel's: [`CHANNEL_NAMES`]).
pub fn expand_in(
    template: &str,
    vars: &Vars,
    known: &[&str],
    escape: impl Fn(&str) -> String,
) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or(TemplateError::Unclosed)?;
        let name = after[..end].trim();
        if !known.contains(&name) {
            return Err(unknown(name, known));
        }
        let value = vars
            .get(name)
            .ok_or_else(|| TemplateError::Unset(name.to_string()))?;
        out.push_str(&escape(value));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Expands with values inserted as they are.
pub fn expand(template: &str, vars: &Vars) -> Result<String, TemplateError> {
    expand_with(template, vars, str::to_string)
}

/// Percent-encodes a value for a URL path segment or query value.
pub fn url_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Escapes a value for use inside a JSON string literal (the template supplies the quotes).
/// `approvals_json` is already JSON and is inserted as it is by callers that know so.
pub fn json_escape(value: &str) -> String {
    let quoted = serde_json::to_string(value).unwrap_or_default();
    quoted[1..quoted.len().saturating_sub(1)].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_known_names() {
        let v = Vars::new().with("service", "api").with("env", "prod");
        assert_eq!(
            expand("http://{{env}}.internal/{{ service }}/health", &v).expect("expands"),
            "http://prod.internal/api/health"
        );
    }

    #[test]
    fn unknown_and_unset_names_are_errors() {
        let v = Vars::new().with("service", "api");
        assert_eq!(
            expand("{{relase}}", &v),
            Err(TemplateError::Unknown("relase".into()))
        );
        assert_eq!(
            expand("{{env}}", &v),
            Err(TemplateError::Unset("env".into()))
        );
        assert_eq!(expand("{{env", &v), Err(TemplateError::Unclosed));
    }

    #[test]
    fn escapes_apply_to_values_only() {
        let v = Vars::new().with("version", "1.0 \"x\"/y");
        assert_eq!(
            expand_with("/v/{{version}}", &v, url_escape).expect("expands"),
            "/v/1.0%20%22x%22%2Fy"
        );
        assert_eq!(
            expand_with("{\"v\":\"{{version}}\"}", &v, json_escape).expect("expands"),
            "{\"v\":\"1.0 \\\"x\\\"/y\"}"
        );
    }
}
