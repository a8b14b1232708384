//! The `http` channel: one templated request, by default a Slack/Teams-compatible incoming
//! webhook (`{"text": markdown}`). Authorized from environment variables, never retried,
//! redirects never followed (the notes would go somewhere nobody configured).

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Client, Method, redirect};

use crate::deploy::http::{read_capped, secret_header, transport};
use crate::deploy::secret::{Secret, load_known, shown};
use crate::domain::body_kind::{body_kind, escape_for};
use crate::domain::channel::{ChannelUrl, HttpChannel};
use crate::domain::config::Auth;
use crate::domain::template::{CHANNEL_NAMES, Vars, expand_in, url_escape};

use super::Message;

/// Sends the request once. Returns (`METHOD url`, secrets masked; the outcome).
pub(super) async fn send(
    spec: &HttpChannel,
    vars: &Vars,
    message: &Message,
) -> (String, Result<String, String>) {
    let mut url_secret = None;
    let (shown_url, url) = match &spec.url {
        ChannelUrl::Literal(t) => match expand_in(t, vars, CHANNEL_NAMES, url_escape) {
            Ok(u) => (u.clone(), Ok(u)),
            Err(e) => (t.clone(), Err(format!("url template: {e}"))),
        },
        // The URL is the credential: it is shown by its variable's name only.
        ChannelUrl::Env(name) => (
            format!("${}", name.0),
            match Secret::from_env(name) {
                Ok(secret) => {
                    let url = secret.expose().to_string();
                    url_secret = Some(secret);
                    Ok(url)
                }
                Err(e) => Err(e.to_string()),
            },
        ),
    };
    let to = format!("{} {shown_url}", spec.method);
    let known = load_known(&message.known_secrets);
    let mut secrets: Vec<&Secret> = known.iter().collect();
    secrets.extend(url_secret.as_ref());
    let to = shown(&to, &secrets);
    let result = match url {
        Ok(url) => request(spec, vars, &url, &secrets).await,
        Err(e) => Err(e),
    };
    (to, result.map_err(|e| shown(&e, &secrets)))
}

async fn request(
    spec: &HttpChannel,
    vars: &Vars,
    url: &str,
    secrets: &[&Secret],
) -> Result<String, String> {
    let auth = match &spec.auth {
        Some(auth @ (Auth::Bearer(n) | Auth::Basic(n) | Auth::Header { secret: n, .. })) => {
            Some((auth, n, Secret::from_env(n).map_err(|e| e.to_string())?))
        }
        None => None,
    };
    let mut all: Vec<&Secret> = secrets.to_vec();
    all.extend(auth.as_ref().map(|(_, _, s)| s));
    let method = Method::from_bytes(spec.method.as_bytes())
        .map_err(|_| format!("`{}` is not an HTTP method", spec.method))?;
    let mut headers = HeaderMap::new();
    let mut content_type: Option<String> = None;
    for (name, template) in &spec.headers {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("`{name}` is not a header name"))?;
        let value = expand_in(template, vars, CHANNEL_NAMES, str::to_string)
            .map_err(|e| format!("header `{name}`: {e}"))?;
        if header == CONTENT_TYPE {
            content_type = Some(value.clone());
        }
        let value = HeaderValue::from_str(&value)
            .map_err(|_| format!("header `{name}` would hold a line break or control character"))?;
        headers.append(header, value);
    }
    let mut basic = None;
    match &auth {
        Some((Auth::Bearer(_), name, secret)) => {
            let value = secret_header(name, &format!("Bearer {}", secret.expose()))
                .map_err(|e| e.to_string())?;
            headers.insert(AUTHORIZATION, value);
        }
        Some((Auth::Basic(_), name, secret)) => {
            let (user, password) = secret
                .expose()
                .split_once(':')
                .ok_or_else(|| format!("`{}` must hold `user:password`", name.0))?;
            basic = Some((user, password));
        }
        Some((Auth::Header { name: header, .. }, name, secret)) => {
            let header = HeaderName::from_bytes(header.as_bytes())
                .map_err(|_| format!("`{header}` is not a header name"))?;
            headers.insert(
                header,
                secret_header(name, secret.expose()).map_err(|e| e.to_string())?,
            );
        }
        None => {}
    }
    // In a JSON body every value (the markdown above all) is JSON-escaped.
    // Each value escaped for the body's kind (the markdown above all): JSON, form or text.
    let kind = body_kind(&spec.body, content_type.as_deref()).ok_or_else(|| {
        "cannot tell whether the body is JSON, a form or text: set its Content-Type header"
            .to_string()
    })?;
    let body = expand_in(&spec.body, vars, CHANNEL_NAMES, |v| escape_for(kind, "", v))
        .map_err(|e| format!("body template: {e}"))?;

    let client = Client::builder()
        .redirect(redirect::Policy::none())
        .retry(reqwest::retry::never())
        .pool_max_idle_per_host(0)
        .timeout(spec.timeout)
        .build()
        .map_err(|e| transport(&e, &all).to_string())?;
    let mut request = client.request(method, url).headers(headers).body(body);
    if let Some((user, password)) = basic {
        request = request.basic_auth(user, Some(password));
    }
    let response = request.send().await.map_err(|e| {
        if e.is_timeout() {
            format!("no answer within {}s", spec.timeout.as_secs())
        } else {
            transport(&e, &all).to_string()
        }
    })?;
    let status = response.status();
    let text = shown(&read_capped(response).await, &all);
    let detail = format!("{} {text}", status.as_u16()).trim_end().to_string();
    if status.is_success() {
        Ok(detail)
    } else if status.is_redirection() {
        Err(format!("{detail} (redirects are not followed)"))
    } else {
        Err(detail)
    }
}
