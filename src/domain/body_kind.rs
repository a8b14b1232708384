//! What kind of text a templated HTTP body is, so each value is escaped for it: a value from a
//! tag (`api-v1.0.0&env=prod`) or the log must stay one value, never add a parameter or a field.

use super::template::{json_escape, url_escape};

/// How values are written into a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// JSON: values JSON-escaped (inside the template's quotes); `approvals_json` as it is.
    Json,
    /// `application/x-www-form-urlencoded`: values percent-encoded.
    Form,
    /// Plain text the type says is plain (or a body without values): values as they are.
    Text,
}

/// The kind of `template` sent with `content_type` (the header's value, if any): JSON when the
/// type says so or the body parses as JSON; a form when the type says so or it reads as
/// `a=…&b=…`; plain text when it has no values or its type names another kind. `None` when it
/// cannot be told: `check` refuses such a body rather than guess how to escape into it.
pub fn body_kind(template: &str, content_type: Option<&str>) -> Option<BodyKind> {
    let kind = content_type.map(str::to_ascii_lowercase);
    if let Some(k) = &kind {
        if k.contains("json") {
            return Some(BodyKind::Json);
        }
        if k.contains("x-www-form-urlencoded") {
            return Some(BodyKind::Form);
        }
    }
    let probe = with_placeholders(template);
    let trimmed = probe.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && serde_json::from_str::<serde_json::Value>(&probe).is_ok()
    {
        return Some(BodyKind::Json);
    }
    if looks_like_form(&probe) {
        return Some(BodyKind::Form);
    }
    if !template.contains("{{") || kind.is_some() {
        return Some(BodyKind::Text);
    }
    None
}

/// A value escaped for a body of `kind` (`name` is the template variable it fills).
pub fn escape_for(kind: BodyKind, name: &str, value: &str) -> String {
    match kind {
        BodyKind::Json if name == "approvals_json" => value.to_string(),
        BodyKind::Json => json_escape(value),
        BodyKind::Form => url_escape(value),
        BodyKind::Text => value.to_string(),
    }
}

/// `template` with every `{{…}}` replaced by `0` (valid inside a JSON string and as a JSON value).
fn with_placeholders(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start + 2..].find("}}") else {
            rest = &rest[start..];
            break;
        };
        out.push('0');
        rest = &rest[start + 2 + end + 2..];
    }
    out.push_str(rest);
    out
}

fn looks_like_form(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty()
        && text.split('&').all(|pair| {
            pair.split_once('=').is_some_and(|(k, v)| {
                !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.[]%".contains(c))
                    && !v.contains(char::is_whitespace)
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(
            body_kind("{\"r\":\"{{release}}\"}", None),
            Some(BodyKind::Json)
        );
        assert_eq!(
            body_kind("{\"r\":\"{{release}}\"}", Some("text/plain")),
            Some(BodyKind::Json)
        );
        assert_eq!(
            body_kind("release={{release}}&env={{env}}", None),
            Some(BodyKind::Form)
        );
        assert_eq!(body_kind("deploy please", None), Some(BodyKind::Text));
        assert_eq!(
            body_kind("deploy {{release}} now", Some("text/plain")),
            Some(BodyKind::Text)
        );
        assert_eq!(body_kind("deploy {{release}} now", None), None);
        assert_eq!(
            body_kind("{\"a\": {{approvals_json}} }", None),
            Some(BodyKind::Json)
        );
    }

    #[test]
    fn a_legal_tag_stays_one_form_value() {
        assert_eq!(
            escape_for(BodyKind::Form, "release", "api-v1.0.0&env=prod"),
            "api-v1.0.0%26env%3Dprod"
        );
        assert_eq!(
            escape_for(BodyKind::Json, "release", "api-v1.0.1\"}"),
            "api-v1.0.1\\\"}"
        );
    }
}
