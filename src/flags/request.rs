//! One request to a flag service: authorized from the environment, never retried, redirects
//! never followed, bounded in time and bytes; whatever comes back is redacted and sanitized.

use std::fmt::Write as _;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Client, Method, redirect};

use crate::deploy::secret::{MASK, Secret, shown};
use crate::domain::config::{Auth, SecretName};
use crate::domain::flag::{FlagFault, FlagKind, FlagService};

/// The most of an answer that is read (a project of a thousand flags fits).
const BODY_CAP: usize = 8 * 1024 * 1024;
/// How long a connect may take before the service counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How an unreachable fault that never connected begins.
const CONNECT_FAILED: &str = "could not connect";

/// A request as it will be sent (templates expanded), minus its credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl Call {
    pub fn get(url: String) -> Call {
        Call {
            method: "GET".to_string(),
            url,
            headers: Vec::new(),
            body: None,
        }
    }

    /// A JSON request.
    pub fn json(method: &str, url: String, body: Option<String>) -> Call {
        let headers = if body.is_some() {
            vec![("Content-Type".to_string(), "application/json".to_string())]
        } else {
            Vec::new()
        };
        Call {
            method: method.to_string(),
            url,
            headers,
            body,
        }
    }

    /// `POST http://…/on` with the body and the credential's header masked: what is shown
    /// before a change and recorded with it.
    pub fn describe(&self, service: &FlagService) -> String {
        let mut out = format!("{} {}", self.method, self.url);
        if let Some(auth) = auth_note(service) {
            let _ = write!(out, " ({auth})");
        }
        if let Some(body) = &self.body {
            let _ = write!(out, " {body}");
        }
        out
    }
}

/// How the credential shows in a description.
fn auth_note(service: &FlagService) -> Option<String> {
    match &service.kind {
        FlagKind::Unleash(_) => Some(format!("Authorization: {MASK}")),
        FlagKind::Http(h) => match &h.auth {
            Some(Auth::Bearer(_)) => Some(format!("Authorization: Bearer {MASK}")),
            Some(Auth::Basic(_)) => Some(format!("Authorization: Basic {MASK}")),
            Some(Auth::Header { name, .. }) => Some(format!("{name}: {MASK}")),
            None => None,
        },
    }
}

/// The client flag services are spoken to with: no redirects, no retries, a short connect.
pub fn client() -> Client {
    Client::builder()
        .use_rustls_tls()
        .redirect(redirect::Policy::none())
        .retry(reqwest::retry::never())
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!("shipdeck/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_else(|e| {
            tracing::warn!("could not build the flag services' HTTP client ({e}); using defaults");
            Client::new()
        })
}

/// The service's secret, read now; a missing one is [`FlagFault::NoToken`] and nothing is sent.
pub fn secret(service: &FlagService) -> Result<Option<Secret>, FlagFault> {
    service
        .secret()
        .map(|name| Secret::from_env(name).map_err(|_| FlagFault::NoToken(name.0.clone())))
        .transpose()
}

fn header_value(name: &SecretName, value: &str) -> Result<HeaderValue, FlagFault> {
    let mut value = HeaderValue::from_str(value).map_err(|_| {
        FlagFault::NoToken(format!(
            "{} (its value holds a line break or control character)",
            name.0
        ))
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Sends `call` once; the answer's body (redacted, sanitized) on a 2xx.
pub async fn send(
    client: &Client,
    service: &FlagService,
    secret: Option<&Secret>,
    call: &Call,
) -> Result<String, FlagFault> {
    let secrets: Vec<&Secret> = secret.into_iter().collect();
    let garbage = |what: String| FlagFault::Garbage(shown(&what, &secrets));
    let method = Method::from_bytes(call.method.as_bytes())
        .map_err(|_| garbage(format!("`{}` is not an HTTP method", call.method)))?;
    let mut headers = HeaderMap::new();
    for (name, value) in &call.headers {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| garbage(format!("`{name}` is not a header name")))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| garbage(format!("header `{name}` would hold a control character")))?;
        headers.append(header, value);
    }
    let mut basic = None;
    match (&service.kind, secret) {
        (FlagKind::Unleash(u), Some(s)) => {
            headers.insert(AUTHORIZATION, header_value(&u.token, s.expose())?);
        }
        (FlagKind::Http(h), Some(s)) => match &h.auth {
            Some(Auth::Bearer(n)) => {
                headers.insert(
                    AUTHORIZATION,
                    header_value(n, &format!("Bearer {}", s.expose()))?,
                );
            }
            Some(Auth::Basic(n)) => {
                let (user, password) = s.expose().split_once(':').ok_or_else(|| {
                    FlagFault::NoToken(format!("{} (it must hold `user:password`)", n.0))
                })?;
                basic = Some((user, password));
            }
            Some(Auth::Header { name, secret: n }) => {
                let header = HeaderName::from_bytes(name.as_bytes())
                    .map_err(|_| garbage(format!("`{name}` is not a header name")))?;
                headers.insert(header, header_value(n, s.expose())?);
            }
            None => {}
        },
        (_, None) => {}
    }
    let mut request = client
        .request(method, &call.url)
        .headers(headers)
        .timeout(service.timeout);
    if let Some((user, password)) = basic {
        request = request.basic_auth(user, Some(password));
    }
    if let Some(body) = &call.body {
        request = request.body(body.clone());
    }
    let response = request
        .send()
        .await
        .map_err(|e| transport(&e, service.timeout, &secrets))?;
    let status = response.status();
    let text = read(response, service.timeout, &secrets).await?;
    if status.is_success() {
        Ok(text)
    } else {
        let detail = if status.is_redirection() {
            "redirects are not followed".to_string()
        } else {
            crate::domain::sanitize::truncate(&text, 200)
        };
        Err(FlagFault::Refused {
            status: status.as_u16(),
            detail,
        })
    }
}

/// Sends `call` and reads the answer as JSON.
pub async fn json(
    client: &Client,
    service: &FlagService,
    secret: Option<&Secret>,
    call: &Call,
) -> Result<serde_json::Value, FlagFault> {
    let text = send(client, service, secret, call).await?;
    serde_json::from_str(&text).map_err(|e| {
        FlagFault::Garbage(format!(
            "not JSON ({e}): {}",
            crate::domain::sanitize::truncate(&text, 80)
        ))
    })
}

async fn read(
    mut response: reqwest::Response,
    timeout: Duration,
    secrets: &[&Secret],
) -> Result<String, FlagFault> {
    let mut bytes = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if bytes.len() + chunk.len() > BODY_CAP {
                    return Err(FlagFault::Garbage(format!(
                        "an answer larger than {} MiB",
                        BODY_CAP / 1024 / 1024
                    )));
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => return Err(transport(&e, timeout, secrets)),
        }
    }
    Ok(shown(&String::from_utf8_lossy(&bytes), secrets))
}

/// A transport failure: a timeout is [`FlagFault::Slow`], anything else unreachable, with the
/// causes (reqwest's own message says only "error sending request").
pub fn transport(error: &reqwest::Error, timeout: Duration, secrets: &[&Secret]) -> FlagFault {
    if error.is_timeout() {
        return FlagFault::Slow(timeout);
    }
    let mut text = if error.is_connect() {
        format!("{CONNECT_FAILED}: {error}")
    } else {
        error.to_string()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    FlagFault::Unreachable(shown(&text, secrets))
}

/// Whether a fault means nothing reached the service (so a write certainly did not happen).
pub fn not_sent(fault: &FlagFault) -> bool {
    match fault {
        FlagFault::NoToken(_) => true,
        FlagFault::Unreachable(d) => d.starts_with(CONNECT_FAILED),
        _ => false,
    }
}
