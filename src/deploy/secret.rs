//! Secrets read from environment variables. A [`Secret`] never prints its value, and
//! [`redact`] masks values in anything that is shown (error messages, endpoint bodies, command
//! output), because an endpoint or a script may echo what it was sent.

use std::fmt;

use crate::domain::channel::{ChannelKind, ChannelUrl};
use crate::domain::config::{Auth, Config, DeployerSpec, SecretName};
use crate::domain::sanitize::sanitize;
use crate::domain::template::{json_escape, url_escape};

use super::DeployError;

/// What a secret looks like wherever it would be shown.
pub const MASK: &str = "••••••";

/// A secret value. `Debug` and `Display` print [`MASK`]; only [`Secret::expose`] gives the value,
/// and only the code that puts it on the wire calls it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Reads the variable `name`. The error names the variable, never a value; an empty value
    /// counts as unset, since an empty key would sign or authorize nothing.
    pub fn from_env(name: &SecretName) -> Result<Secret, DeployError> {
        match std::env::var(&name.0) {
            Ok(value) if !value.is_empty() => Ok(Secret(value)),
            _ => Err(DeployError::MissingSecret(name.0.clone())),
        }
    }

    /// The value, for the request that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

/// `text` with every occurrence of every secret's value replaced by [`MASK`]. The URL- and
/// JSON-escaped forms of a value are masked too, since endpoints echo requests in those shapes,
/// and so is every form derived from it that an endpoint may echo in parts (see
/// [`derived_forms`]): the base64 of `user:password` and the password alone, each secret-looking
/// path segment and query value of a secret URL.
pub fn redact(text: &str, secrets: &[&Secret]) -> String {
    let mut forms: Vec<String> = Vec::new();
    for secret in secrets {
        let value = secret.expose();
        if value.is_empty() {
            continue;
        }
        for form in derived_forms(value) {
            forms.push(url_escape(&form));
            forms.push(json_escape(&form));
            forms.push(form);
        }
    }
    forms.retain(|f| !f.is_empty());
    // Longest first, so a secret that contains another is masked whole.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    let mut out = text.to_string();
    for form in &forms {
        if out.contains(form.as_str()) {
            out = out.replace(form.as_str(), MASK);
        }
    }
    out
}

/// The forms of a secret value an endpoint may echo: the value; its base64 (how `basic_env`'s
/// `user:password` travels); the password alone; and for a URL, each path segment and query
/// value that looks like a token (long enough, with a digit or a capital letter, or long).
pub fn derived_forms(value: &str) -> Vec<String> {
    let mut out = vec![value.to_string()];
    out.push(base64(value.as_bytes()));
    out.push(base64(value.as_bytes()).trim_end_matches('=').to_string());
    if let Some((_, password)) = value.split_once(':')
        && password.len() >= 4
        && !value.contains("://")
    {
        out.push(password.to_string());
        out.push(base64(password.as_bytes()));
    }
    if let Some((_, rest)) = value.split_once("://") {
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let path = path.split_once('#').map_or(path, |(p, _)| p);
        // The userinfo's password, if the URL carries one.
        if let Some((userinfo, _)) = path.split('/').next().and_then(|h| h.rsplit_once('@'))
            && let Some((_, password)) = userinfo.split_once(':')
        {
            out.push(password.to_string());
        }
        let pieces = path.split('/').skip(1).chain(
            query
                .split('&')
                .filter_map(|kv| kv.split_once('=').map(|(_, v)| v)),
        );
        for piece in pieces {
            if looks_secret(piece) {
                out.push(piece.to_string());
            }
        }
    }
    out
}

/// A URL piece that may be a token: not a plain word like `services` or `hooks`.
fn looks_secret(piece: &str) -> bool {
    let n = piece.chars().count();
    n >= 6
        && (n >= 20
            || piece.chars().any(|c| c.is_ascii_digit())
            || piece.chars().any(|c| c.is_ascii_uppercase()))
}

/// Standard base64 with padding (RFC 4648), as HTTP basic auth uses it.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Untrusted text made fit to show: redacted, sanitized, and redacted again (an escape sequence
/// inside a value would otherwise hide it from the first pass and reassemble it in the second).
pub fn shown(text: &str, secrets: &[&Secret]) -> String {
    redact(&sanitize(&redact(text, secrets)), secrets)
}

/// Every secret variable `config` names (deployer auth and signing keys, overrides included,
/// release-notes channels' auth and URL variables, and flag services' tokens),
/// for [`super::DeployRequest::known_secrets`].
pub fn secret_names(config: &Config) -> Vec<SecretName> {
    let mut names: Vec<SecretName> = Vec::new();
    let deployers = config.services.iter().flat_map(|s| {
        s.deploy
            .iter()
            .chain(s.env.values().filter_map(|o| o.deploy.as_ref()))
    });
    for spec in deployers {
        if let DeployerSpec::Http(http) = spec {
            let auth = http.auth.as_ref().map(|a| match a {
                Auth::Bearer(n) | Auth::Basic(n) | Auth::Header { secret: n, .. } => n,
            });
            for name in auth.into_iter().chain(http.sign_secret.as_ref()) {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
        }
    }
    // Release-notes channels: their auth, and a webhook URL kept in a variable.
    for channel in &config.channels {
        if let ChannelKind::Http(http) = &channel.kind {
            let auth = http.auth.as_ref().map(|a| match a {
                Auth::Bearer(n) | Auth::Basic(n) | Auth::Header { secret: n, .. } => n,
            });
            let url = match &http.url {
                ChannelUrl::Env(n) => Some(n),
                ChannelUrl::Literal(_) => None,
            };
            for name in auth.into_iter().chain(url) {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
        }
    }
    // Flag services' tokens.
    for name in config.flags.iter().filter_map(|f| f.secret()) {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    names
}

/// The values of `names` that are set; unset ones are skipped (they cannot leak).
pub fn load_known(names: &[SecretName]) -> Vec<Secret> {
    names
        .iter()
        .filter_map(|n| Secret::from_env(n).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_prints_as_a_mask() {
        let s = Secret("hunter2-value".into());
        assert_eq!(format!("{s}"), MASK);
        assert_eq!(format!("{s:?}"), MASK);
        assert_eq!(format!("{:?}", Some(&s)), format!("Some({MASK})"));
    }

    #[test]
    fn redact_masks_plain_and_escaped_forms() {
        let s = Secret("a b\"c".into());
        let text = "raw a b\"c url a%20b%22c json a b\\\"c";
        assert_eq!(
            redact(text, &[&s]),
            format!("raw {MASK} url {MASK} json {MASK}")
        );
    }

    #[test]
    fn derived_forms_of_basic_credentials_and_secret_urls_are_masked() {
        assert_eq!(base64(b"alice:s3cretpw"), "YWxpY2U6czNjcmV0cHc=");
        assert_eq!(base64(b"ab"), "YWI=");
        let basic = Secret("alice:s3cretpw".into());
        let echoed = "got Basic YWxpY2U6czNjcmV0cHc= and s3cretpw";
        assert_eq!(
            redact(echoed, &[&basic]),
            format!("got Basic {MASK} and {MASK}")
        );
        let url =
            Secret("https://hooks.example/services/T0123/B0456/XoXoTOKEN99?key=Zz9secret".into());
        let echoed = "404 Cannot POST /services/T0123/B0456/XoXoTOKEN99 (key Zz9secret)";
        let shown = redact(echoed, &[&url]);
        assert!(
            !shown.contains("XoXoTOKEN99") && !shown.contains("Zz9secret"),
            "{shown}"
        );
        assert!(shown.contains("/services/"), "{shown}");
    }

    #[test]
    fn shown_masks_a_value_split_by_an_escape_sequence() {
        let s = Secret("s3cr3t".into());
        assert_eq!(shown("x s3c\u{1b}[0mr3t y", &[&s]), format!("x {MASK} y"));
    }

    #[test]
    fn missing_secret_names_the_variable() {
        let name = SecretName("SHIPDECK_SURELY_UNSET_VARIABLE_FOR_TEST".into());
        let err = Secret::from_env(&name).expect_err("unset");
        assert!(
            err.to_string()
                .contains("SHIPDECK_SURELY_UNSET_VARIABLE_FOR_TEST")
        );
    }
}
