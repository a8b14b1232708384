//! Writing one value into a YAML, JSON or TOML file, keeping everything else byte for byte:
//! comments, layout, quoting style and key order. Each format's parser reports where the value
//! sits; only those bytes are replaced.

use super::{json_file, toml_file, yaml_file};
use crate::domain::key_path::{Step, prefix};

/// The file formats a git deployer writes, by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
    Toml,
}

impl Format {
    /// `values.yaml`/`.yml` → YAML, `.json` → JSON, `.toml` → TOML.
    pub fn of(file: &str) -> Option<Format> {
        let ext = file.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            "toml" => Some(Format::Toml),
            _ => None,
        }
    }
}

/// What writing the value did to the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The value was already there: nothing to commit.
    Unchanged,
    /// The whole new text.
    Changed(String),
}

/// Why the value could not be written. The caller adds the file's name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The key path stops existing at `missing` (the part of the key that does exist is `found`).
    #[error("{}", missing_text(found, missing))]
    Missing { found: String, missing: String },
    /// The key holds something that is not a single value.
    #[error("key `{key}` holds {what}, not a single value")]
    NotAValue { key: String, what: String },
    /// The file does not parse.
    #[error("the file does not parse: {0}")]
    Syntax(String),
}

fn missing_text(found: &str, missing: &str) -> String {
    if found.is_empty() {
        format!("no key `{missing}` at the top level")
    } else {
        format!("`{found}` has no `{missing}`")
    }
}

impl EditError {
    /// The error for step `at` of `steps` not being there.
    pub(super) fn missing(steps: &[Step], at: usize) -> EditError {
        EditError::Missing {
            found: prefix(steps, at),
            missing: steps[at].to_string(),
        }
    }
}

/// Writes `value` at `steps` of `text` in `format`.
pub fn set(format: Format, text: &str, steps: &[Step], value: &str) -> Result<Outcome, EditError> {
    match format {
        Format::Yaml => yaml_file::set(text, steps, value),
        Format::Json => json_file::set(text, steps, value),
        Format::Toml => toml_file::set(text, steps, value),
    }
}

/// `text` with the bytes of `span` replaced by `with`; unchanged when they already are `with`.
pub(super) fn splice(text: &str, span: std::ops::Range<usize>, with: &str) -> Outcome {
    if &text[span.clone()] == with {
        return Outcome::Unchanged;
    }
    let mut out = String::with_capacity(text.len() + with.len());
    out.push_str(&text[..span.start]);
    out.push_str(with);
    out.push_str(&text[span.end..]);
    Outcome::Changed(out)
}

/// Whether `value` reads as a number in JSON, YAML and TOML alike (`42`, `-1.5`): such a value
/// replaces a number as a number; anything else is written as a string.
pub(super) fn is_plain_number(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && (int == "0" || !int.starts_with('0'))
        && (digits.find('.').is_none()
            || (!frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit())))
}

#[cfg(test)]
mod tests {
    use super::{Format, is_plain_number};

    #[test]
    fn formats_by_extension() {
        assert_eq!(Format::of("envs/prod/values.yaml"), Some(Format::Yaml));
        assert_eq!(Format::of("a.YML"), Some(Format::Yaml));
        assert_eq!(Format::of("a.json"), Some(Format::Json));
        assert_eq!(Format::of("Cargo.toml"), Some(Format::Toml));
        assert_eq!(Format::of("kustomization"), None);
    }

    #[test]
    fn plain_numbers() {
        for yes in ["0", "42", "-1", "1.5", "-0.25"] {
            assert!(is_plain_number(yes), "{yes}");
        }
        for no in ["", "1.2.3", "v1", "01", "1.", ".5", "1e3", "-", "0x10"] {
            assert!(!is_plain_number(no), "{no}");
        }
    }
}
