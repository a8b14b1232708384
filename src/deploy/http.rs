//! The `http` deployer and its `webhook` preset: one templated request, authorized and signed
//! from environment variables. Never retried (a 500 may mean the deploy ran), redirects never
//! followed (a redirect could carry the signed request somewhere nobody configured).

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, LOCATION};
use reqwest::{Client, Method, Response, redirect};

use crate::domain::body_kind::{body_kind, escape_for};
use crate::domain::config::{Auth, HttpDeployer, SecretName};
use crate::domain::template::{NAMES, Vars, expand, expand_with, url_escape};

use super::secret::{Secret, load_known, shown};
use super::sign::{SIGNATURE_HEADER, signature};
use super::{Accepted, DeployError, DeployRequest};

/// The most of an answer's body that is read and kept.
const BODY_CAP: usize = 64 * 1024;

/// The templated method and URL (values URL-escaped), as they will be sent.
pub(super) fn target(spec: &HttpDeployer, vars: &Vars) -> Result<(String, String), DeployError> {
    let method = expand(&spec.method, vars)?.trim().to_ascii_uppercase();
    let url = expand_with(&spec.url, vars, url_escape)?;
    Ok((method, url))
}

/// The `Content-Type` the deployer sends, if it names one.
fn content_type(spec: &HttpDeployer) -> Option<&str> {
    spec.headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(CONTENT_TYPE.as_str()))
        .map(|(_, value)| value.as_str())
}

/// The exact body bytes, each value escaped for the body's kind (JSON, form, text:
/// [`body_kind`]); `approvals_json` goes into a JSON body as the JSON document it is. A body
/// whose kind cannot be told is refused (`check` says so first).
fn body(spec: &HttpDeployer, vars: &Vars) -> Result<Option<Vec<u8>>, DeployError> {
    let Some(template) = &spec.body else {
        return Ok(None);
    };
    let kind = body_kind(template, content_type(spec)).ok_or_else(|| {
        DeployError::Transport(
            "cannot tell whether the body is JSON, a form or text: set its Content-Type header"
                .to_string(),
        )
    })?;
    let mut escaped = Vars::new();
    for &name in NAMES {
        if let Some(value) = vars.get(name) {
            escaped.set(name, escape_for(kind, name, value));
        }
    }
    Ok(Some(expand(template, &escaped)?.into_bytes()))
}

pub(crate) fn secret_header(name: &SecretName, value: &str) -> Result<HeaderValue, DeployError> {
    let mut value = HeaderValue::from_str(value).map_err(|_| {
        DeployError::Transport(format!(
            "the secret in `{}` cannot be sent in a header (it holds a line break or control character)",
            name.0
        ))
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Sends the request once and reads the answer.
pub(super) async fn call(
    spec: &HttpDeployer,
    req: &DeployRequest,
) -> Result<Accepted, DeployError> {
    let vars = req.vars();
    // Every secret is read before anything is sent, so a missing one sends nothing.
    let auth = match &spec.auth {
        Some(auth @ (Auth::Bearer(n) | Auth::Basic(n) | Auth::Header { secret: n, .. })) => {
            Some((auth, n, Secret::from_env(n)?))
        }
        None => None,
    };
    let sign_key = spec
        .sign_secret
        .as_ref()
        .map(Secret::from_env)
        .transpose()?;
    let known = load_known(&req.known_secrets);
    let mut secrets: Vec<&Secret> = known.iter().collect();
    secrets.extend(auth.as_ref().map(|(_, _, s)| s));
    secrets.extend(sign_key.as_ref());

    let (method, url) = target(spec, &vars)?;
    let method = Method::from_bytes(method.as_bytes()).map_err(|_| {
        DeployError::Transport(format!(
            "`{}` is not an HTTP method",
            shown(&method, &secrets)
        ))
    })?;

    let mut headers = HeaderMap::new();
    for (name, template) in &spec.headers {
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            DeployError::Transport(format!("`{}` is not a header name", shown(name, &secrets)))
        })?;
        let value = HeaderValue::from_str(&expand(template, &vars)?).map_err(|_| {
            DeployError::Transport(format!(
                "header `{header}` would hold a line break or control character"
            ))
        })?;
        headers.append(header, value);
    }
    let key = HeaderValue::from_str(&req.idempotency_key).map_err(|_| {
        DeployError::Transport("the deployment id is not a valid header value".to_string())
    })?;
    headers.insert(HeaderName::from_static("idempotency-key"), key);

    let mut basic = None;
    match &auth {
        Some((Auth::Bearer(_), name, secret)) => {
            let value = secret_header(name, &format!("Bearer {}", secret.expose()))?;
            headers.insert(AUTHORIZATION, value);
        }
        Some((Auth::Basic(_), name, secret)) => {
            let (user, password) = secret.expose().split_once(':').ok_or_else(|| {
                DeployError::Transport(format!("`{}` must hold `user:password`", name.0))
            })?;
            basic = Some((user, password));
        }
        Some((Auth::Header { name: header, .. }, name, secret)) => {
            let header = HeaderName::from_bytes(header.as_bytes()).map_err(|_| {
                DeployError::Transport(format!(
                    "`{}` is not a header name",
                    shown(header, &secrets)
                ))
            })?;
            headers.insert(header, secret_header(name, secret.expose())?);
        }
        None => {}
    }

    let body = body(spec, &vars)?;
    if let Some(key) = &sign_key {
        let sig = signature(key.expose().as_bytes(), body.as_deref().unwrap_or_default());
        let sig = HeaderValue::from_str(&sig)
            .unwrap_or_else(|_| unreachable!("hex is a valid header value"));
        headers.insert(HeaderName::from_static("x-hub-signature-256"), sig);
    }

    let client = Client::builder()
        .redirect(redirect::Policy::none())
        .retry(reqwest::retry::never())
        .pool_max_idle_per_host(0)
        .timeout(spec.timeout)
        .build()
        .map_err(|e| transport(&e, &secrets))?;
    let mut request = client.request(method, &url).headers(headers);
    if let Some((user, password)) = basic {
        request = request.basic_auth(user, Some(password));
    }
    if let Some(body) = body {
        request = request.body(body);
    }
    let response = request.send().await.map_err(|e| transport(&e, &secrets))?;

    let status = response.status();
    let location = response
        .headers()
        .get(LOCATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let text = shown(&read_capped(response).await, &secrets);
    let accepted = if spec.success.is_empty() {
        status.is_success()
    } else {
        spec.success.contains(&status.as_u16())
    };
    if accepted {
        let detail = format!("{} {text}", status.as_u16()).trim_end().to_string();
        return Ok(Accepted { detail });
    }
    let body = if status.is_redirection() {
        let to = location.map_or_else(String::new, |l| format!(" to {}", shown(&l, &secrets)));
        format!("redirects are not followed (redirected{to}) {text}")
            .trim_end()
            .to_string()
    } else {
        text
    };
    Err(DeployError::Rejected {
        status: status.as_u16(),
        body,
    })
}

/// Up to [`BODY_CAP`] bytes of the body, decoded lossily; a cut or failed read is marked.
pub(crate) async fn read_capped(mut response: Response) -> String {
    let mut bytes = Vec::new();
    let mut note = "";
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = BODY_CAP - bytes.len();
                bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if bytes.len() == BODY_CAP {
                    note = "…";
                    break;
                }
            }
            Ok(None) => break,
            Err(_) => {
                note = " (body cut short)";
                break;
            }
        }
    }
    format!("{}{note}", String::from_utf8_lossy(&bytes))
}

/// A transport failure as a sentence, with its causes (the top-level reqwest message alone says
/// only "error sending request").
pub(crate) fn transport(error: &reqwest::Error, secrets: &[&Secret]) -> DeployError {
    if error.is_timeout() {
        return DeployError::Timeout;
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    DeployError::Transport(shown(&text, secrets))
}

/// What [`SIGNATURE_HEADER`] and the auth header look like in a description.
pub(super) fn notes(spec: &HttpDeployer) -> Vec<String> {
    let mut notes = Vec::new();
    if spec.sign_secret.is_some() {
        notes.push(format!("signed {SIGNATURE_HEADER}"));
    }
    match &spec.auth {
        Some(Auth::Bearer(_)) => notes.push(format!("Authorization: Bearer {}", super::MASK)),
        Some(Auth::Basic(_)) => notes.push(format!("Authorization: Basic {}", super::MASK)),
        Some(Auth::Header { name, .. }) => notes.push(format!("{name}: {}", super::MASK)),
        None => {}
    }
    notes
}
