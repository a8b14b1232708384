//! `shipdeck schema`: a JSON Schema (draft 2020-12) of `shipdeck.toml`, for editors (taplo and
//! Even Better TOML read a `#:schema` line). Generated from the configuration's own serde types
//! in `raw.rs` by tracing their `Deserialize` impls (see `trace`), so keys, renames, optional
//! and defaulted fields and `deny_unknown_fields` are exactly what the loader accepts. The parts
//! the loader reads by hand (`IgnoredAny` fields: a gate's kind picks its struct, `health` is a
//! URL or a probe table …) are said here once, through the same structs; a new hand-read field
//! or section that is not said here makes `schema` fail, and its test with it.
//!
//! What a schema cannot say is still only `check`'s: references between sections, durations and
//! templates, secrets written as values.

mod trace;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::raw;
pub(super) use trace::{Shape, shape};

/// The gate kinds and the struct each is read into (`gates.rs`).
fn gate_kinds() -> Result<Vec<(&'static str, Shape)>, String> {
    Ok(vec![
        ("healthy", shape::<raw::PlainGate>()?),
        ("soak", shape::<raw::SoakGate>()?),
        ("approval", shape::<raw::ApprovalGate>()?),
        ("checklist", shape::<raw::ChecklistGate>()?),
        ("freeze", shape::<raw::PlainGate>()?),
        ("window", shape::<raw::WindowGate>()?),
        ("check", shape::<raw::CheckGate>()?),
        ("ancestor", shape::<raw::AncestorGate>()?),
    ])
}

/// The deployer kinds and their structs (`deployers.rs`).
fn deploy_kinds() -> Result<Vec<(&'static str, Shape)>, String> {
    Ok(vec![
        ("http", shape::<raw::HttpDeploy>()?),
        ("webhook", shape::<raw::WebhookDeploy>()?),
        ("command", shape::<raw::CommandDeploy>()?),
        ("git", shape::<raw::GitDeploy>()?),
    ])
}

/// The router kinds (`traffic.rs`): one struct, each kind's own keys checked by `check`.
fn traffic_kinds() -> Result<Vec<(&'static str, Shape)>, String> {
    super::traffic::KINDS
        .iter()
        .map(|kind| Ok((*kind, shape::<raw::Traffic>()?)))
        .collect()
}

/// The release-notes channel kinds and their structs (`channels.rs`).
fn channel_kinds() -> Result<Vec<(&'static str, Shape)>, String> {
    super::channels::raw_kinds()
}

/// The JSON Schema of `shipdeck.toml`.
pub fn schema() -> Result<Value, String> {
    let mut properties = Map::new();
    for section in super::load::SECTIONS {
        properties.insert(section.to_string(), self::section(section)?);
    }
    Ok(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "shipdeck.toml",
        "description": "The configuration of shipdeck, a terminal release console. `shipdeck check` validates it fully (references, durations, templates).",
        "type": "object",
        "additionalProperties": false,
        "required": ["project", "environments"],
        "properties": properties,
    }))
}

/// A top-level section.
fn section(name: &str) -> Result<Value, String> {
    match name {
        "project" => of::<raw::Project>(),
        "environments" => Ok(array(of::<raw::Environment>()?)),
        "freezes" => Ok(array(of::<raw::Freeze>()?)),
        "services" => Ok(array(of::<raw::Service>()?)),
        "checklists" => Ok(json!({
            "type": "object",
            "additionalProperties": of::<raw::Checklist>()?,
        })),
        "channels" => Ok(array(by_kind(&channel_kinds()?)?)),
        "flags" => Ok(array(by_kind(&super::flags::raw_kinds()?)?)),
        "trains" => Ok(array(of::<raw::Train>()?)),
        other => Err(format!(
            "the schema does not know the section `{other}`: say in config/schema.rs what it takes"
        )),
    }
}

fn of<T: DeserializeOwned>() -> Result<Value, String> {
    to_json(&shape::<T>()?, None)
}

fn array(items: Value) -> Value {
    let mut out = Map::new();
    out.insert("type".to_string(), Value::from("array"));
    out.insert("items".to_string(), items);
    Value::Object(out)
}

/// One of several tables told apart by their `kind`.
fn by_kind(kinds: &[(&'static str, Shape)]) -> Result<Value, String> {
    let one_of = kinds
        .iter()
        .map(|(kind, s)| to_json(s, Some(kind)))
        .collect::<Result<Vec<_>, _>>()?;
    let names: Vec<&str> = kinds.iter().map(|(k, _)| *k).collect();
    Ok(json!({
        "type": "object",
        "required": ["kind"],
        "properties": { "kind": { "enum": names } },
        "oneOf": one_of,
    }))
}

/// What a hand-read field of `owner` takes.
fn hand_read(owner: &str, field: &str) -> Result<Value, String> {
    match (owner, field) {
        ("Environment", "gates") => Ok(array(by_kind(&gate_kinds()?)?)),
        ("Service" | "Override", "health") => Ok(json!({
            "oneOf": [
                { "type": "string", "description": "the probe's URL, templated" },
                of::<raw::Probe>()?,
            ]
        })),
        ("Service" | "Override", "deploy") => by_kind(&deploy_kinds()?),
        ("Service" | "Override", "traffic") => by_kind(&traffic_kinds()?),
        ("Service", "env") => Ok(json!({
            "type": "object",
            "description": "per-environment overrides, by environment name",
            "additionalProperties": of::<raw::Override>()?,
        })),
        ("Freeze", "from" | "until") => Ok(json!({
            "type": "string",
            "description": "an RFC 3339 time (quoted, or a bare TOML offset date-time)",
        })),
        ("Checklist", "items") => Ok(array(of::<raw::ChecklistItem>()?)),
        (
            "FileChannel" | "HttpChannelRaw" | "CommandChannel" | "UnleashRaw" | "HttpRaw",
            "name",
        ) => Ok(json!({ "type": "string" })),
        _ => Err(format!(
            "`{owner}.{field}` is read by hand: say in config/schema.rs what it takes"
        )),
    }
}

/// The JSON Schema of `shape`; `kind` fixes a `kind` field to that value.
fn to_json(shape: &Shape, kind: Option<&str>) -> Result<Value, String> {
    Ok(match shape {
        Shape::Bool => json!({ "type": "boolean" }),
        Shape::Integer => json!({ "type": "integer" }),
        Shape::Float => json!({ "type": "number" }),
        Shape::String => json!({ "type": "string" }),
        Shape::Any => json!({}),
        Shape::Optional(inner) => to_json(inner, None)?,
        Shape::Array(inner) => array(to_json(inner, None)?),
        Shape::Map(inner) => {
            json!({ "type": "object", "additionalProperties": to_json(inner, None)? })
        }
        Shape::Enum(names) => json!({ "enum": names }),
        Shape::Struct { name, fields } => {
            let mut properties = Map::new();
            let mut required = Vec::new();
            for f in fields {
                let inner = match &f.shape {
                    Shape::Optional(inner) => inner.as_ref(),
                    other => other,
                };
                let value = match (f.name, kind, inner) {
                    ("kind", Some(kind), _) => json!({ "const": kind }),
                    (_, _, Shape::Any) => hand_read(name, f.name)?,
                    _ => to_json(&f.shape, None)?,
                };
                properties.insert(f.name.to_string(), value);
                if f.required {
                    required.push(f.name);
                }
            }
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": required,
                "properties": properties,
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::{channel_kinds, deploy_kinds, gate_kinds, schema};

    fn names(kinds: &[(&'static str, super::Shape)]) -> Vec<&'static str> {
        let mut v: Vec<&str> = kinds.iter().map(|(k, _)| *k).collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn every_kind_the_loader_reads_is_in_the_schema() {
        let mut gates = super::super::gates::KINDS.to_vec();
        gates.sort_unstable();
        assert_eq!(names(&gate_kinds().unwrap()), gates);
        let mut deploys = super::super::deployers::KINDS.to_vec();
        deploys.sort_unstable();
        assert_eq!(names(&deploy_kinds().unwrap()), deploys);
        let mut flags = super::super::flags::KINDS.to_vec();
        flags.sort_unstable();
        assert_eq!(names(&super::super::flags::raw_kinds().unwrap()), flags);
        let mut channels = super::super::channels::KINDS.to_vec();
        channels.sort_unstable();
        assert_eq!(names(&channel_kinds().unwrap()), channels);
    }

    #[test]
    fn required_and_optional_keys_follow_the_types() {
        let s = schema().unwrap();
        let env = &s["properties"]["environments"]["items"];
        assert_eq!(env["required"], serde_json::json!(["name"]));
        assert_eq!(env["additionalProperties"], false);
        assert_eq!(env["properties"]["protected"]["type"], "boolean");
        let service = &s["properties"]["services"]["items"];
        assert_eq!(
            service["required"],
            serde_json::json!(["name", "repo", "tags"])
        );
        let project = &s["properties"]["project"];
        assert_eq!(project["properties"]["name"]["type"], "string");
    }
}
