//! The parsed file and the problems found in it so far. Every reader takes the spanned tree
//! from here and reports through here, so all problems carry `file:line:col` and a key path.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::error::{Problem, line_col, quoted_list, suggestion};

/// A spanned TOML value, as the parser left it.
pub type Node<'i> = Spanned<DeValue<'i>>;

/// The source being read and the problems found in it.
pub struct Doc<'s> {
    pub src: &'s str,
    file: String,
    pub problems: Vec<Problem>,
}

impl<'s> Doc<'s> {
    pub fn new(src: &'s str, file: impl Into<String>) -> Doc<'s> {
        Doc {
            src,
            file: file.into(),
            problems: Vec::new(),
        }
    }

    /// Records a problem at `span` for `key`.
    pub fn report(&mut self, span: &Range<usize>, key: &str, message: impl Into<String>) {
        let (line, col) = line_col(self.src, span.start);
        self.problems.push(Problem {
            file: self.file.clone(),
            line,
            col,
            key: key.to_string(),
            message: message.into(),
            offset: span.start,
        });
    }

    /// Records a parse or deserialization error from `toml`, placing it at the deepest key of
    /// `node` its span falls in and rewording serde's unknown-field and unknown-variant messages
    /// with a did-you-mean.
    pub fn report_toml(&mut self, err: &toml::de::Error, node: Option<&Node<'_>>, path: &str) {
        let span = err
            .span()
            .or_else(|| node.map(Spanned::span))
            .unwrap_or(0..0);
        let (key, message) = match node {
            Some(node) => {
                let key = deepest_key(node, &span, path);
                reword(err.message(), &key)
            }
            None => (path.to_string(), err.message().trim().to_string()),
        };
        self.report(&span, &key, message);
    }

    /// Deserializes `node` into a raw struct, recording the problem (and returning `None`) when
    /// it does not fit.
    pub fn read<'i, T: Deserialize<'i>>(&mut self, node: &Node<'i>, path: &str) -> Option<T> {
        match T::deserialize(ValueDeserializer::from(node.clone())) {
            Ok(value) => Some(value),
            Err(err) => {
                self.report_toml(&err, Some(node), path);
                None
            }
        }
    }

    /// The node as a table, or a problem saying a table was expected.
    pub fn table<'n, 'i>(&mut self, node: &'n Node<'i>, path: &str) -> Option<&'n DeTable<'i>> {
        if let DeValue::Table(t) = node.get_ref() {
            Some(t)
        } else {
            let found = node.get_ref().type_str();
            self.report(
                &node.span(),
                path,
                format!("expected a table, found {found}"),
            );
            None
        }
    }

    /// The node as an array, or a problem saying an array was expected.
    pub fn array<'n, 'i>(&mut self, node: &'n Node<'i>, path: &str) -> Option<&'n [Node<'i>]> {
        if let DeValue::Array(a) = node.get_ref() {
            Some(a)
        } else {
            let found = node.get_ref().type_str();
            self.report(
                &node.span(),
                path,
                format!("expected an array, found {found}"),
            );
            None
        }
    }

    /// The string at `key` of `table`, or a problem when it is there but not a string.
    pub fn string_at(
        &mut self,
        table: &DeTable<'_>,
        key: &str,
        path: &str,
    ) -> Option<Spanned<String>> {
        let node = table.get(key)?;
        if let DeValue::String(s) = node.get_ref() {
            Some(Spanned::new(node.span(), s.to_string()))
        } else {
            let found = node.get_ref().type_str();
            self.report(
                &node.span(),
                &format!("{path}.{key}"),
                format!("expected a string, found {found}"),
            );
            None
        }
    }
}

/// The key path of the deepest node under `node` whose key or value covers `span`.
fn deepest_key(node: &Node<'_>, span: &Range<usize>, path: &str) -> String {
    let covers = |s: Range<usize>| s.start <= span.start && span.end <= s.end && s != (0..0);
    match node.get_ref() {
        DeValue::Table(table) => {
            for (k, v) in table {
                if covers(v.span()) {
                    return deepest_key(v, span, &format!("{path}.{}", k.get_ref()));
                }
                if covers(k.span()) {
                    return format!("{path}.{}", k.get_ref());
                }
            }
            path.to_string()
        }
        DeValue::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                if covers(v.span()) {
                    return deepest_key(v, span, &format!("{path}[{i}]"));
                }
            }
            path.to_string()
        }
        _ => path.to_string(),
    }
}

/// serde's messages in the file's terms: `unknown field` becomes `unknown key` with a
/// did-you-mean; `missing field` names the key path.
fn reword(message: &str, key: &str) -> (String, String) {
    let message = message.trim();
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (name, expected) = split_name(rest);
        let path = if key.ends_with(name) {
            key.to_string()
        } else {
            format!("{key}.{name}")
        };
        let known = backticked(expected);
        let text = if known.is_empty() {
            format!("unknown key `{name}`; this table takes no keys")
        } else {
            format!(
                "unknown key `{name}`; expected one of {}{}",
                quoted_list(known.iter().copied()),
                suggestion(name, known.iter().copied())
            )
        };
        return (path, text);
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (name, expected) = split_name(rest);
        let known = backticked(expected);
        let text = format!(
            "unknown value `{name}`; expected one of {}{}",
            quoted_list(known.iter().copied()),
            suggestion(name, known.iter().copied())
        );
        return (key.to_string(), text);
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let (name, _) = split_name(rest);
        return (format!("{key}.{name}"), format!("missing key `{name}`"));
    }
    (key.to_string(), message.to_string())
}

/// `name`, rest from "name`, expected …".
fn split_name(rest: &str) -> (&str, &str) {
    rest.split_once('`').unwrap_or((rest, ""))
}

/// Every `` `word` `` in `text`.
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}
