//! TOML: toml_edit keeps each value's surrounding whitespace and comments (its decor) and writes
//! untouched parts of the document back as they were read; the new value takes the old one's
//! decor.

use toml_edit::{DocumentMut, Item, Value};

use super::edit::{EditError, Outcome, is_plain_number};
use crate::domain::key_path::{Step, prefix};

/// Writes `value` at `steps` of the TOML `text`.
pub fn set(text: &str, steps: &[Step], value: &str) -> Result<Outcome, EditError> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| EditError::Syntax(e.message().to_string()))?;
    // Walked read-only first: toml_edit's `get_mut` inserts a missing key.
    let mut seen: &Item = doc.as_item();
    for (i, step) in steps.iter().enumerate() {
        let next = match step {
            Step::Key(k) => seen.get(k.as_str()),
            Step::Index(n) => seen.get(*n),
        };
        seen = next.ok_or_else(|| EditError::missing(steps, i))?;
    }
    let mut item: &mut Item = doc.as_item_mut();
    for step in steps {
        let next = match step {
            Step::Key(k) => item.get_mut(k.as_str()),
            Step::Index(n) => item.get_mut(*n),
        };
        item = next.ok_or_else(|| EditError::Syntax("the key vanished while writing".into()))?;
    }
    let key = prefix(steps, steps.len());
    let Item::Value(old) = item else {
        return Err(EditError::NotAValue {
            key,
            what: "a table".to_string(),
        });
    };
    let new = match old {
        Value::String(s) if s.value() == value => return Ok(Outcome::Unchanged),
        Value::Integer(n) if n.value().to_string() == value => return Ok(Outcome::Unchanged),
        Value::Integer(_) if is_plain_number(value) && !value.contains('.') => value
            .parse::<i64>()
            .map_or_else(|_| Value::from(value), Value::from),
        Value::Array(_) | Value::InlineTable(_) => {
            return Err(EditError::NotAValue {
                key,
                what: "an array or table".to_string(),
            });
        }
        _ => Value::from(value),
    };
    let decor = old.decor().clone();
    *old = new;
    *old.decor_mut() = decor;
    let out = doc.to_string();
    Ok(if out == text {
        Outcome::Unchanged
    } else {
        Outcome::Changed(out)
    })
}

#[cfg(test)]
mod tests {
    use super::set;
    use crate::deploy::git::edit::Outcome;
    use crate::domain::key_path::parse;

    const DOC: &str = "# web\n[image]\nrepository = \"shop/web\"   # registry\ntag = \"1.4.1\" # set by shipdeck\n\n[[replicas]]\ncount = 3\ninline = { a = 'x', b = 2 }\n";

    fn changed(key: &str, value: &str) -> String {
        match set(DOC, &parse(key).unwrap(), value).unwrap() {
            Outcome::Changed(t) => t,
            Outcome::Unchanged => panic!("unchanged"),
        }
    }

    #[test]
    fn only_the_value_changes() {
        assert_eq!(
            changed("image.tag", "1.4.2"),
            DOC.replace("\"1.4.1\"", "\"1.4.2\"")
        );
        assert_eq!(changed("replicas[0].count", "4"), DOC.replace("= 3", "= 4"));
        assert_eq!(
            changed("replicas[0].inline.a", "y"),
            DOC.replace("'x'", "\"y\"")
        );
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
    }
}
