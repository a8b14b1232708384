//! The hash chain: `hash = hex(sha256(prev ‖ canonical(body) ‖ seq))`, and event ids.

use rand::Rng as _;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::canonical::{write_string, write_value};
use jiff::Timestamp;

use crate::domain::event::{Event, EventBody};

/// The `prev` of the first event: 64 zeros.
pub const GENESIS_PREV: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The RFC 8785 form of an event body. Written field by field (already in UTF-16 key order)
/// instead of through a `serde_json::Value`, because replay verifies 100,000 of these; a unit
/// test pins it to `canonical_json(to_value(body))`.
pub fn canonical_body(body: &EventBody) -> String {
    BodyRef {
        id: &body.id,
        at: body.at,
        actor: &body.actor,
        kind: &body.kind,
        service: body.service.as_deref(),
        release: body.release.as_deref(),
        env: body.env.as_deref(),
        data: &body.data,
    }
    .canonical()
}

/// The hash an event's line should carry, from its own `prev`, body and `seq` (without cloning
/// the body out of the event).
pub(crate) fn event_hash(event: &Event) -> String {
    let body = BodyRef {
        id: &event.id,
        at: event.at,
        actor: &event.actor,
        kind: &event.kind,
        service: event.service.as_deref(),
        release: event.release.as_deref(),
        env: event.env.as_deref(),
        data: &event.data,
    };
    let mut hasher = Sha256::new();
    hasher.update(event.prev.as_bytes());
    hasher.update(body.canonical().as_bytes());
    hasher.update(event.seq.to_string().as_bytes());
    hex::encode(hasher.finalize())
}

/// An event body's fields, borrowed from an [`EventBody`] or an [`Event`].
struct BodyRef<'a> {
    id: &'a str,
    at: Timestamp,
    actor: &'a str,
    kind: &'a str,
    service: Option<&'a str>,
    release: Option<&'a str>,
    env: Option<&'a str>,
    data: &'a Value,
}

impl BodyRef<'_> {
    fn canonical(&self) -> String {
        let mut out = String::with_capacity(256);
        out.push_str("{\"actor\":");
        write_string(&mut out, self.actor);
        out.push_str(",\"at\":");
        write_string(&mut out, &self.at.to_string());
        out.push_str(",\"data\":");
        write_value(&mut out, self.data);
        out.push_str(",\"env\":");
        write_optional(&mut out, self.env);
        out.push_str(",\"id\":");
        write_string(&mut out, self.id);
        out.push_str(",\"kind\":");
        write_string(&mut out, self.kind);
        out.push_str(",\"release\":");
        write_optional(&mut out, self.release);
        out.push_str(",\"service\":");
        write_optional(&mut out, self.service);
        out.push('}');
        out
    }
}

fn write_optional(out: &mut String, value: Option<&str>) {
    match value {
        Some(s) => write_string(out, s),
        None => write_value(out, &Value::Null),
    }
}

/// The bytes an event's hash is taken over: `prev`, then the canonical body, then `seq` in
/// decimal, with no separators.
pub fn body_hash_input(prev: &str, body: &EventBody, seq: u64) -> Vec<u8> {
    let canonical = canonical_body(body);
    let seq = seq.to_string();
    let mut input = Vec::with_capacity(prev.len() + canonical.len() + seq.len());
    input.extend_from_slice(prev.as_bytes());
    input.extend_from_slice(canonical.as_bytes());
    input.extend_from_slice(seq.as_bytes());
    input
}

/// `hex(sha256(prev ‖ canonical(body) ‖ seq))`, lowercase.
pub fn chain_hash(prev: &str, body: &EventBody, seq: u64) -> String {
    hex::encode(Sha256::digest(body_hash_input(prev, body, seq)))
}

/// A fresh event id: 128 random bits as 32 lowercase hex characters.
pub fn new_event_id() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::canonical::canonical_json;
    use serde_json::json;

    fn body(data: Value) -> EventBody {
        EventBody {
            id: "0123456789abcdef0123456789abcdef".to_string(),
            at: "2026-03-01T09:30:00.5Z".parse().expect("valid timestamp"),
            actor: "alice@example.com".to_string(),
            kind: "approved".to_string(),
            service: Some("api".to_string()),
            release: Some("api-v1.4.2".to_string()),
            env: None,
            data,
        }
    }

    #[test]
    fn canonical_body_equals_the_generic_canonicalization_of_the_serialized_body() {
        let samples = [
            body(json!({"commit": "abc", "note": "ship \"it\"\n", "n": [1.5, 2, -0.0, 1e300]})),
            body(json!(null)),
            EventBody {
                env: Some("prod\u{1}".to_string()),
                service: None,
                release: None,
                at: Timestamp::UNIX_EPOCH,
                ..body(json!({"\u{e000}": 1, "😀": 2}))
            },
        ];
        for sample in samples {
            let generic = canonical_json(&serde_json::to_value(&sample).expect("body serializes"));
            assert_eq!(canonical_body(&sample), generic);
        }
    }

    #[test]
    fn event_hash_equals_chain_hash_of_the_events_body() {
        let b = body(serde_json::json!({"commit": "abc"}));
        let event = Event {
            seq: 7,
            id: b.id.clone(),
            at: b.at,
            actor: b.actor.clone(),
            kind: b.kind.clone(),
            service: b.service.clone(),
            release: b.release.clone(),
            env: b.env.clone(),
            data: b.data.clone(),
            prev: "ab".repeat(32),
            hash: String::new(),
            sig: None,
        };
        assert_eq!(event_hash(&event), chain_hash(&event.prev, &b, 7));
    }

    #[test]
    fn hash_input_is_prev_then_canonical_body_then_decimal_seq() {
        let b = body(json!({"commit": "abc"}));
        let input = body_hash_input(GENESIS_PREV, &b, 12);
        let expected = format!("{GENESIS_PREV}{}12", canonical_body(&b));
        assert_eq!(input, expected.into_bytes());
    }

    #[test]
    fn chain_hash_is_lowercase_sha256_hex_and_depends_on_every_part() {
        let b = body(json!({"commit": "abc"}));
        let h = chain_hash(GENESIS_PREV, &b, 1);
        assert_eq!(h.len(), 64);
        assert!(
            h.bytes()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        );
        assert_ne!(h, chain_hash(GENESIS_PREV, &b, 2));
        assert_ne!(h, chain_hash(&h, &b, 1));
        assert_ne!(
            h,
            chain_hash(GENESIS_PREV, &body(json!({"commit": "abd"})), 1)
        );
    }

    #[test]
    fn event_ids_are_32_hex_characters_and_distinct() {
        let a = new_event_id();
        let b = new_event_id();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
