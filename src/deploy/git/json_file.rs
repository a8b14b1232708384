//! JSON (comments allowed, as in JSONC): jsonc-parser's syntax tree carries the byte range of
//! every value; the target's bytes are replaced and the rest of the file is left as it was.

use jsonc_parser::ast::Value;
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};

use super::edit::{EditError, Outcome, is_plain_number, splice};
use crate::domain::key_path::{Step, prefix};

/// Writes `value` at `steps` of the JSON `text`.
pub fn set(text: &str, steps: &[Step], value: &str) -> Result<Outcome, EditError> {
    let parsed = parse_to_ast(text, &CollectOptions::default(), &ParseOptions::default())
        .map_err(|e| EditError::Syntax(e.to_string()))?;
    let Some(mut here) = parsed.value.as_ref() else {
        return Err(EditError::missing(steps, 0));
    };
    for (i, step) in steps.iter().enumerate() {
        let next = match (here, step) {
            (Value::Object(o), Step::Key(k)) => o
                .properties
                .iter()
                .rev() // the last of duplicate keys is the one readers see
                .find(|p| p.name.as_str() == k)
                .map(|p| &p.value),
            (Value::Array(a), Step::Index(n)) => a.elements.get(*n),
            _ => None,
        };
        here = next.ok_or_else(|| EditError::missing(steps, i))?;
    }
    let not_a_value = |what: &str| EditError::NotAValue {
        key: prefix(steps, steps.len()),
        what: what.to_string(),
    };
    let (range, written) = match here {
        Value::StringLit(s) if s.value == value => return Ok(Outcome::Unchanged),
        Value::StringLit(s) => (s.range, string(value)),
        Value::NumberLit(n) if n.value == value => return Ok(Outcome::Unchanged),
        Value::NumberLit(n) if is_plain_number(value) => (n.range, value.to_string()),
        Value::NumberLit(n) => (n.range, string(value)),
        Value::BooleanLit(b) => (b.range, string(value)),
        Value::NullKeyword(n) => (n.range, string(value)),
        Value::Object(_) => return Err(not_a_value("an object")),
        Value::Array(_) => return Err(not_a_value("an array")),
    };
    Ok(splice(text, range.start..range.end, &written))
}

fn string(value: &str) -> String {
    serde_json::Value::String(value.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::set;
    use crate::deploy::git::edit::Outcome;
    use crate::domain::key_path::parse;

    const DOC: &str = "{\n  // the web service\n  \"image\": { \"repository\": \"shop/web\", \"tag\": \"1.4.1\" },\n  \"replicas\": 3,\n  \"list\": [ {\"v\": \"a\"} ]\n}\n";

    #[test]
    fn only_the_value_changes() {
        let Outcome::Changed(out) = set(DOC, &parse("image.tag").unwrap(), "1.4.2").unwrap() else {
            panic!("unchanged")
        };
        assert_eq!(out, DOC.replace("\"1.4.1\"", "\"1.4.2\""));
        let Outcome::Changed(out) = set(DOC, &parse("replicas").unwrap(), "5").unwrap() else {
            panic!("unchanged")
        };
        assert_eq!(out, DOC.replace(": 3", ": 5"));
        let Outcome::Changed(out) = set(DOC, &parse("list[0].v").unwrap(), "q\"").unwrap() else {
            panic!("unchanged")
        };
        assert_eq!(out, DOC.replace("\"a\"", "\"q\\\"\""));
        assert_eq!(
            set(DOC, &parse("image.tag").unwrap(), "1.4.1").unwrap(),
            Outcome::Unchanged
        );
    }

    #[test]
    fn missing_keys_are_named() {
        let err = set(DOC, &parse("image.digest").unwrap(), "x").unwrap_err();
        assert_eq!(err.to_string(), "`image` has no `digest`");
        assert!(set(DOC, &parse("image").unwrap(), "x").is_err());
        assert!(set("{", &parse("a").unwrap(), "x").is_err());
    }
}
