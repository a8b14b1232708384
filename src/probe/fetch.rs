//! One bounded HTTP GET: a timeout on the whole call, the body read up to a cap, and failures
//! described in one line.

use std::error::Error as _;
use std::time::Duration;

use crate::domain::sanitize::{sanitize, truncate};

/// The most body a probe reads; the rest is never received into memory.
pub const BODY_CAP: usize = 64 * 1024;

/// Offered to endpoints that negotiate: health+json first.
const ACCEPT: &str = "application/health+json, application/json;q=0.9, text/plain;q=0.5, */*;q=0.1";

/// An answer, status and (capped) body.
#[derive(Debug)]
pub(crate) struct Fetched {
    pub status: u16,
    pub body: Vec<u8>,
    /// The body was longer than [`BODY_CAP`] and was cut there.
    pub truncated: bool,
}

/// GETs `url`, the whole exchange (connect, headers, body) bounded by `timeout`. An `Err` is the
/// one-line reason the target could not be read (`connection refused`, `timed out after 5s`).
pub(crate) async fn fetch(
    client: &reqwest::Client,
    url: &str,
    timeout: Duration,
) -> Result<Fetched, String> {
    let call = async {
        let response = client
            .get(url)
            .header(reqwest::header::ACCEPT, ACCEPT)
            .send()
            .await
            .map_err(|e| describe(&e, timeout))?;
        let status = response.status().as_u16();
        let (body, truncated) = read_capped(response, BODY_CAP)
            .await
            .map_err(|e| format!("answer cut off: {}", describe(&e, timeout)))?;
        Ok(Fetched {
            status,
            body,
            truncated,
        })
    };
    tokio::time::timeout(timeout, call)
        .await
        .unwrap_or_else(|_| Err(format!("timed out after {}", human(timeout))))
}

/// Reads at most `cap` bytes of `response`'s body, chunk by chunk, and stops there: the response
/// is dropped, closing the connection, so a huge answer never reaches memory. Returns the bytes
/// and whether the body went on past the cap.
pub async fn read_capped(
    mut response: reqwest::Response,
    cap: usize,
) -> Result<(Vec<u8>, bool), reqwest::Error> {
    let hint = response
        .content_length()
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0);
    let mut body = Vec::with_capacity(hint.min(cap));
    while let Some(chunk) = response.chunk().await? {
        let room = cap - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
        if body.len() == cap {
            // Exactly at the cap: only more data would make it truncated.
            return Ok((body, response.chunk().await?.is_some_and(|c| !c.is_empty())));
        }
    }
    Ok((body, false))
}

/// A transport failure in one line, without the URL (the board already names the target).
fn describe(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return if e.is_connect() {
            "connect timed out".to_string()
        } else {
            format!("timed out after {}", human(timeout))
        };
    }
    if e.is_redirect() {
        return "too many redirects".to_string();
    }
    let mut source = e.source();
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as K;
            match io.kind() {
                K::ConnectionRefused => return "connection refused".to_string(),
                K::ConnectionReset => return "connection reset".to_string(),
                K::ConnectionAborted => return "connection aborted".to_string(),
                K::TimedOut => return "connect timed out".to_string(),
                K::UnexpectedEof => return "connection closed early".to_string(),
                _ => {}
            }
        }
        let text = cause.to_string();
        if text.contains("dns error") || text.contains("failed to lookup address") {
            return "DNS lookup failed".to_string();
        }
        if text.contains("certificate") || text.contains("tls") || text.contains("TLS") {
            return truncate(&format!("TLS failed: {}", sanitize(&innermost(cause))), 120);
        }
        source = cause.source();
    }
    let kind = if e.is_connect() {
        "connect failed"
    } else if e.is_body() || e.is_decode() {
        "bad answer"
    } else {
        "request failed"
    };
    truncate(&format!("{kind}: {}", sanitize(&innermost(e))), 120)
}

/// The deepest cause's message: the useful part of a wrapped error.
fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

/// `5s`, `1.5s` or `250ms`.
pub(crate) fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{}s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(human(Duration::from_secs(5)), "5s");
        assert_eq!(human(Duration::from_millis(250)), "250ms");
        assert_eq!(human(Duration::from_millis(1500)), "1.5s");
    }
}
