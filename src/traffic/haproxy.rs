//! HAProxy's runtime API (the stats socket at `level admin`): one command line per connection,
//! over TCP (`host:port`) or a unix socket (an absolute path).

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::RouterError;
use crate::domain::traffic::Weights;

/// The most of an answer that is read.
const ANSWER_CAP: usize = 256 * 1024;

/// `show servers state BACKEND`: each server's user weight, by name.
pub(super) async fn read(
    address: &str,
    backend: &str,
    slots: &[String],
    timeout: Duration,
) -> Result<Weights, RouterError> {
    let answer = send(address, &format!("show servers state {backend}"), timeout).await?;
    let weights = parse_state(&answer, backend)?;
    let known: Weights = weights
        .into_iter()
        .filter(|(name, _)| slots.contains(name))
        .collect();
    if known.is_empty() {
        return Err(RouterError::Garbage(format!(
            "backend `{backend}` has none of the slots as servers: {}",
            RouterError::text(&answer)
        )));
    }
    Ok(known)
}

/// `set server B/S weight N` for every slot, in one line (`;`-separated).
pub(super) fn commands(backend: &str, weights: &Weights) -> String {
    weights
        .iter()
        .map(|(slot, w)| format!("set server {backend}/{slot} weight {w}"))
        .collect::<Vec<_>>()
        .join("; ")
}

pub(super) async fn write(
    address: &str,
    backend: &str,
    weights: &Weights,
    timeout: Duration,
) -> Result<(), RouterError> {
    let answer = send(address, &commands(backend, weights), timeout).await?;
    // Success is silence; anything said is a refusal (`No such server.`, a static algorithm).
    if answer.trim().is_empty() {
        Ok(())
    } else {
        Err(RouterError::Refused(RouterError::text(&answer)))
    }
}

/// Reads the `show servers state` table: the header names the columns.
pub(crate) fn parse_state(answer: &str, backend: &str) -> Result<Weights, RouterError> {
    let mut columns: Option<Vec<&str>> = None;
    let mut out = Weights::new();
    for line in answer.lines() {
        let line = line.trim();
        if let Some(header) = line.strip_prefix('#') {
            columns = Some(header.split_whitespace().collect());
            continue;
        }
        if line.is_empty() || line == "1" {
            continue;
        }
        let Some(cols) = &columns else {
            return Err(garbage_or_refusal(answer));
        };
        let at = |name: &str| cols.iter().position(|c| *c == name);
        let (Some(be), Some(name), Some(weight)) =
            (at("be_name"), at("srv_name"), at("srv_uweight"))
        else {
            return Err(RouterError::Garbage(
                "no be_name/srv_name/srv_uweight columns".into(),
            ));
        };
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (Some(b), Some(n), Some(w)) = (fields.get(be), fields.get(name), fields.get(weight))
        else {
            return Err(RouterError::Garbage(format!(
                "a short row: {}",
                RouterError::text(line)
            )));
        };
        if *b != backend {
            continue;
        }
        let w: u32 = w.parse().map_err(|_| {
            RouterError::Garbage(format!("weight `{}` is not a number", RouterError::text(w)))
        })?;
        out.insert((*n).to_string(), w);
    }
    if columns.is_none() {
        return Err(garbage_or_refusal(answer));
    }
    Ok(out)
}

fn garbage_or_refusal(answer: &str) -> RouterError {
    let text = RouterError::text(answer);
    if text.contains("Can't find backend")
        || text.contains("Unknown command")
        || text.contains("Permission denied")
    {
        RouterError::Refused(text)
    } else {
        RouterError::Garbage(if text.is_empty() {
            "an empty answer".into()
        } else {
            text
        })
    }
}

async fn send(address: &str, line: &str, timeout: Duration) -> Result<String, RouterError> {
    let call = async {
        if address.starts_with('/') {
            let stream = tokio::net::UnixStream::connect(address)
                .await
                .map_err(|e| RouterError::Unreachable(format!("{address}: {e}")))?;
            exchange(stream, line).await
        } else {
            let stream = tokio::net::TcpStream::connect(address)
                .await
                .map_err(|e| RouterError::Unreachable(format!("{address}: {e}")))?;
            exchange(stream, line).await
        }
    };
    tokio::time::timeout(timeout, call)
        .await
        .unwrap_or(Err(RouterError::Slow(timeout)))
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    line: &str,
) -> Result<String, RouterError> {
    stream
        .write_all(format!("{line}\n").as_bytes())
        .await
        .map_err(|e| RouterError::Unreachable(e.to_string()))?;
    let mut buf = Vec::new();
    // Without `prompt`, HAProxy answers the one line and closes.
    (&mut stream)
        .take(ANSWER_CAP as u64)
        .read_to_end(&mut buf)
        .await
        .map_err(|e| RouterError::Unreachable(e.to_string()))?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_table_gives_each_servers_user_weight() {
        let answer = "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight\n3 web 1 blue 127.0.0.1 2 0 90 100\n3 web 2 green 127.0.0.1 2 0 10 100\n\n";
        let w = parse_state(answer, "web").expect("parses");
        assert_eq!(w.get("blue"), Some(&90));
        assert_eq!(w.get("green"), Some(&10));
        assert!(matches!(
            parse_state("Can't find backend.\n", "web"),
            Err(RouterError::Refused(_))
        ));
        assert!(matches!(
            parse_state("<html>", "web"),
            Err(RouterError::Garbage(_))
        ));
    }
}
