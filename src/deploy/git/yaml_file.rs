//! YAML: the first document is read with saphyr-parser, whose events carry the span of every
//! scalar; the target scalar's bytes are replaced and nothing else is touched, so comments,
//! indentation, anchors and quoting stay as they were.

use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

use super::edit::{EditError, Outcome, is_plain_number, splice};
use crate::domain::key_path::{Step, prefix};

enum Node {
    Scalar {
        value: String,
        style: ScalarStyle,
        span: Range<usize>,
    },
    /// Keys that are not scalars are kept as `None`: no key path reaches them.
    Map(Vec<(Option<String>, Node)>),
    Seq(Vec<Node>),
    Alias,
}

/// Writes `value` at `steps` of the YAML `text`.
pub fn set(text: &str, steps: &[Step], value: &str) -> Result<Outcome, EditError> {
    let mut events = Vec::new();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| EditError::Syntax(e.to_string()))?;
        let end = matches!(event, Event::DocumentEnd);
        events.push((event, span));
        if end {
            break;
        }
    }
    let offsets = Offsets::new(text);
    let mut at = events
        .iter()
        .position(|(e, _)| matches!(e, Event::DocumentStart(_)))
        .map_or(events.len(), |i| i + 1);
    let root = match events.get(at) {
        Some((Event::DocumentEnd | Event::StreamEnd, _)) | None => Node::Map(Vec::new()),
        Some(_) => node(&events, &mut at, &offsets)?,
    };
    let mut here = &root;
    for (i, step) in steps.iter().enumerate() {
        let next = match (here, step) {
            (Node::Map(entries), Step::Key(k)) => entries
                .iter()
                .find(|(key, _)| key.as_deref() == Some(k.as_str()))
                .map(|(_, v)| v),
            (Node::Seq(items), Step::Index(n)) => items.get(*n),
            _ => None,
        };
        here = next.ok_or_else(|| EditError::missing(steps, i))?;
    }
    let key = prefix(steps, steps.len());
    match here {
        Node::Scalar {
            value: old,
            style,
            span,
        } => {
            if old == value {
                return Ok(Outcome::Unchanged);
            }
            let written = render(*style, old, value).ok_or_else(|| EditError::NotAValue {
                key,
                what: "a block scalar (`|` or `>`)".to_string(),
            })?;
            Ok(splice(text, span.clone(), &written))
        }
        Node::Map(_) => Err(EditError::NotAValue {
            key,
            what: "a mapping".to_string(),
        }),
        Node::Seq(_) => Err(EditError::NotAValue {
            key,
            what: "a sequence".to_string(),
        }),
        Node::Alias => Err(EditError::NotAValue {
            key,
            what: "an alias (`*name`); write the value where its anchor is".to_string(),
        }),
    }
}

/// The node starting at event `*at`, leaving `*at` after it.
fn node(
    events: &[(Event<'_>, Span)],
    at: &mut usize,
    offsets: &Offsets,
) -> Result<Node, EditError> {
    let Some((event, span)) = events.get(*at) else {
        return Err(EditError::Syntax("the document ends early".to_string()));
    };
    *at += 1;
    match event {
        Event::Scalar(value, style, _, _) => Ok(Node::Scalar {
            value: value.to_string(),
            style: *style,
            span: offsets.byte(span.start.index())..offsets.byte(span.end.index()),
        }),
        Event::Alias(_) => Ok(Node::Alias),
        Event::SequenceStart(..) => {
            let mut items = Vec::new();
            while !matches!(events.get(*at), Some((Event::SequenceEnd, _)) | None) {
                items.push(node(events, at, offsets)?);
            }
            *at += 1;
            Ok(Node::Seq(items))
        }
        Event::MappingStart(..) => {
            let mut entries = Vec::new();
            while !matches!(events.get(*at), Some((Event::MappingEnd, _)) | None) {
                let key = match node(events, at, offsets)? {
                    Node::Scalar { value, .. } => Some(value),
                    _ => None,
                };
                entries.push((key, node(events, at, offsets)?));
            }
            *at += 1;
            Ok(Node::Map(entries))
        }
        other => Err(EditError::Syntax(format!("unexpected {other:?}"))),
    }
}

/// The new scalar in the old one's style: plain stays plain when the value reads as the same
/// kind of thing (a string stays a string: `1.10` replacing `v1.9` is quoted), quoted stays
/// quoted the same way. `None` for block scalars.
fn render(style: ScalarStyle, old: &str, value: &str) -> Option<String> {
    match style {
        ScalarStyle::Plain if plain_safe(value) && (typed(value) == typed(old)) => {
            Some(value.to_string())
        }
        ScalarStyle::SingleQuoted if !value.contains('\n') => {
            Some(format!("'{}'", value.replace('\'', "''")))
        }
        ScalarStyle::Plain | ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
            Some(serde_json::Value::String(value.to_string()).to_string())
        }
        ScalarStyle::Literal | ScalarStyle::Folded => None,
    }
}

/// Whether `value` can be written as a plain scalar on its own line or after `key: `.
fn plain_safe(value: &str) -> bool {
    let Some(first) = value.chars().next() else {
        return false;
    };
    (first.is_ascii_alphanumeric() || "./_".contains(first))
        && !value.ends_with(':')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/@+-:=".contains(c))
}

/// Whether a plain scalar `value` reads as something other than a string (number, boolean, null).
fn typed(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    is_plain_number(value)
        || value.parse::<f64>().is_ok()
        || lower.starts_with("0x")
        || lower.starts_with("0o")
        || [
            "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".inf", "-.inf",
            ".nan",
        ]
        .contains(&lower.as_str())
}

/// Character index → byte offset (saphyr counts characters).
struct Offsets(Option<Vec<usize>>);

impl Offsets {
    fn new(text: &str) -> Offsets {
        if text.is_ascii() {
            return Offsets(None);
        }
        let mut bytes: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        bytes.push(text.len());
        Offsets(Some(bytes))
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.0 {
            None => char_index,
            Some(bytes) => bytes.get(char_index).copied().unwrap_or(usize::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::set;
    use crate::deploy::git::edit::{EditError, Outcome};
    use crate::domain::key_path::parse;

    fn write(text: &str, key: &str, value: &str) -> Result<Outcome, EditError> {
        set(text, &parse(key).unwrap(), value)
    }

    fn changed(text: &str, key: &str, value: &str) -> String {
        match write(text, key, value).unwrap() {
            Outcome::Changed(t) => t,
            Outcome::Unchanged => panic!("unchanged"),
        }
    }

    const VALUES: &str = "# web in prod\nreplicas: 3\nimage:\n  repository: ghcr.io/shop/web  # the registry\n  tag: 1.4.1   # bumped by shipdeck\nenv:\n  - name: MODE\n    value: \"prod\"\n  - name: ÜBER\n    value: 'x'\n";

    #[test]
    fn only_the_value_changes() {
        let out = changed(VALUES, "image.tag", "1.4.2");
        assert_eq!(out, VALUES.replace("tag: 1.4.1 ", "tag: 1.4.2 "));
        let out = changed(VALUES, "env[0].value", "canary");
        assert_eq!(out, VALUES.replace("\"prod\"", "\"canary\""));
        let out = changed(VALUES, "env[1].value", "it's");
        assert_eq!(out, VALUES.replace("'x'", "'it''s'"));
        let out = changed(VALUES, "replicas", "4");
        assert_eq!(out, VALUES.replace("replicas: 3", "replicas: 4"));
    }

    #[test]
    fn a_string_stays_a_string() {
        let text = "tag: v1.9\n";
        assert_eq!(changed(text, "tag", "1.10"), "tag: \"1.10\"\n");
        assert_eq!(changed(text, "tag", "a b #c"), "tag: \"a b #c\"\n");
        assert_eq!(
            changed("tag: {a: 1, b: x}\n", "tag.b", "z"),
            "tag: {a: 1, b: z}\n"
        );
        // `y` reads as a YAML 1.1 boolean: quoted.
        assert_eq!(changed("tag: x\n", "tag", "y"), "tag: \"y\"\n");
    }

    #[test]
    fn the_same_value_is_unchanged() {
        assert_eq!(
            write(VALUES, "image.tag", "1.4.1").unwrap(),
            Outcome::Unchanged
        );
    }

    #[test]
    fn missing_keys_and_non_values_are_named() {
        assert_eq!(
            write(VALUES, "image.tagg", "1").unwrap_err().to_string(),
            "`image` has no `tagg`"
        );
        assert_eq!(
            write(VALUES, "env[5].value", "1").unwrap_err().to_string(),
            "`env` has no `[5]`"
        );
        assert_eq!(
            write(VALUES, "nope", "1").unwrap_err().to_string(),
            "no key `nope` at the top level"
        );
        assert!(
            write(VALUES, "image", "1")
                .unwrap_err()
                .to_string()
                .contains("a mapping")
        );
        assert!(write("a: [\n", "a", "1").is_err());
    }
}
