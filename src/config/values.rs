//! Checks shared by every section: durations, templates, names, argv and uniqueness.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;

use super::doc::Doc;
use super::error::line_col;
use crate::domain::duration::parse_duration;
use crate::domain::template;

/// A duration at `key`, or `default` when absent; a problem when it does not parse.
pub fn duration(
    doc: &mut Doc<'_>,
    value: Option<&Spanned<String>>,
    default: Duration,
    key: &str,
) -> Duration {
    let Some(value) = value else {
        return default;
    };
    match parse_duration(value.get_ref()) {
        Ok(d) if d.is_zero() => {
            doc.report(&value.span(), key, "expected a duration longer than zero");
            default
        }
        Ok(d) => d,
        Err(message) => {
            doc.report(&value.span(), key, message);
            default
        }
    }
}

/// A template string: every `{{name}}` in it must be a known variable.
pub fn template(doc: &mut Doc<'_>, value: &Spanned<String>, key: &str) -> String {
    if let Err(err) = template::names(value.get_ref()) {
        doc.report(&value.span(), key, err.to_string());
    }
    value.get_ref().clone()
}

/// A templated URL: `http://` or `https://`, known template names.
pub fn url(doc: &mut Doc<'_>, value: &Spanned<String>, key: &str) -> String {
    let text = template(doc, value, key);
    let lower = text.to_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        doc.report(
            &value.span(),
            key,
            format!("expected an http:// or https:// URL, found `{text}`"),
        );
    }
    text
}

/// A templated argv: at least one element, known template names. A relative program path
/// (`./scripts/smoke.sh`, `bin/deploy`) is made absolute against the config's directory so it
/// runs the same from any working directory; a bare name (`kubectl`) is left for `PATH`.
pub fn argv(
    doc: &mut Doc<'_>,
    value: &Spanned<Vec<Spanned<String>>>,
    key: &str,
    dir: &Path,
) -> Vec<String> {
    argv_with(
        doc,
        value,
        key,
        dir,
        template,
        r#"["./deploy.sh", "{{version}}"]"#,
    )
}

/// A template check: reports unknown names, returns the text.
pub type TemplateCheck = fn(&mut Doc<'_>, &Spanned<String>, &str) -> String;

/// [`argv`] whose elements are checked by `check` (channels know other names than deployers),
/// with `example` shown when the array is empty.
pub fn argv_with(
    doc: &mut Doc<'_>,
    value: &Spanned<Vec<Spanned<String>>>,
    key: &str,
    dir: &Path,
    check: TemplateCheck,
    example: &str,
) -> Vec<String> {
    if value.get_ref().is_empty() {
        doc.report(
            &value.span(),
            key,
            format!("expected a command: an array like {example}"),
        );
        return Vec::new();
    }
    let mut out: Vec<String> = value
        .get_ref()
        .iter()
        .enumerate()
        .map(|(i, arg)| check(doc, arg, &format!("{key}[{i}]")))
        .collect();
    if let Some(program) = out.first_mut() {
        if program.is_empty() {
            doc.report(
                &value.get_ref()[0].span(),
                &format!("{key}[0]"),
                "expected a program name or path, found an empty string",
            );
        } else if program.contains('/')
            && !program.contains("{{")
            && Path::new(program.as_str()).is_relative()
        {
            *program = resolve(dir, program).to_string_lossy().into_owned();
        }
    }
    out
}

/// `path` against the config's directory, without `.` components (`./x` → `DIR/x`).
pub fn resolve(dir: &Path, path: &str) -> PathBuf {
    dir.join(path).components().collect()
}

/// A name people type on the command line and that ends up in paths: letters, digits, `-`,
/// `_`, `.`, not starting with `.` or `-`.
pub fn name(doc: &mut Doc<'_>, value: &Spanned<String>, key: &str) -> String {
    let text = value.get_ref();
    let ok = !text.is_empty()
        && !text.starts_with(['.', '-'])
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        doc.report(
            &value.span(),
            key,
            format!("expected a name of letters, digits, `-`, `_` and `.`, found `{text}`"),
        );
    }
    text.clone()
}

/// Names seen so far in one scope, to report the second of two equal ones.
pub struct Unique {
    what: &'static str,
    seen: BTreeMap<String, Range<usize>>,
}

impl Unique {
    pub fn new(what: &'static str) -> Unique {
        Unique {
            what,
            seen: BTreeMap::new(),
        }
    }

    /// Records `name`; a problem at `span` when it was seen before.
    pub fn check(&mut self, doc: &mut Doc<'_>, name: &str, span: &Range<usize>, key: &str) {
        if let Some(first) = self.seen.get(name) {
            let (line, col) = line_col(doc.src, first.start);
            doc.report(
                span,
                key,
                format!(
                    "duplicate {} `{name}`; it is already defined at line {line}, column {col}",
                    self.what
                ),
            );
        } else {
            self.seen.insert(name.to_string(), span.clone());
        }
    }
}
