//! What goes wrong with a configuration, said so a person can fix it: every problem names
//! `file:line:col`, the key, and what was expected.

use std::fmt;
use std::path::PathBuf;

/// One problem in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file as it was named to `load`.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// Dotted key path, e.g. `environments[2].gates[1].kind`; empty for a syntax error.
    pub key: String,
    /// What is wrong and what was expected.
    pub message: String,
    /// Byte offset, to keep problems in file order.
    pub(crate) offset: usize,
}

impl fmt::Display for Problem {
    /// Sanitized: a key or value quoted from the file may carry terminal control.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::domain::sanitize::sanitize;
        write!(f, "{}:{}:{}: ", sanitize(&self.file), self.line, self.col)?;
        if !self.key.is_empty() {
            write!(f, "{}: ", sanitize(&self.key))?;
        }
        f.write_str(&sanitize(&self.message))
    }
}

/// Why no configuration could be used. Its `Display` is the whole message for the user.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file was read but is not a valid configuration; one problem per line.
    #[error("{}", lines(.0))]
    Invalid(Vec<Problem>),
    /// The file could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// No configuration file was found where one was looked for.
    #[error("{what}; {how}", how = HOW_TO_GET_ONE)]
    NotFound { what: String },
}

/// Where a new user gets a configuration from.
const HOW_TO_GET_ONE: &str = "run `shipdeck demo serve --dir DIR` to get a working one in DIR, \
     or copy config.example.toml to shipdeck.toml and edit it (or pass --config PATH)";

impl ConfigError {
    /// The located problems, when the file was read but rejected.
    pub fn problems(&self) -> &[Problem] {
        match self {
            ConfigError::Invalid(problems) => problems,
            _ => &[],
        }
    }
}

fn lines(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The candidate closest to `name` when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|&(distance, c)| distance <= (c.chars().count() / 3).max(1))
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, c)| c)
}

/// `; did you mean `x`?` or nothing.
pub fn suggestion<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(name, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// `` `a`, `b`, `c` `` for messages.
pub fn quoted_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items
        .into_iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let src = "a = 1\nnäme = 2\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 6), (2, 1));
        assert_eq!(line_col(src, src.rfind('=').expect("has =")), (2, 6));
    }

    #[test]
    fn suggests_only_near_misses() {
        let keys = ["project", "environments", "services"];
        assert_eq!(did_you_mean("environmnts", keys), Some("environments"));
        assert_eq!(did_you_mean("Project", keys), Some("project"));
        assert_eq!(did_you_mean("zebra", keys), None);
    }
}
