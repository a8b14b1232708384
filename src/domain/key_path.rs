//! The `key` of a git deployer (a place in a YAML, JSON or TOML document): a dotted path with `[N]` for sequence items
//! (`image.tag`, `spec.containers[0].image`).

use std::fmt;

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A mapping's (object's, table's) key.
    Key(String),
    /// A sequence's (array's) item, from 0.
    Index(usize),
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Key(k) => write!(f, "{k}"),
            Step::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// The steps of `key`, or why it is not a key path.
pub fn parse(key: &str) -> Result<Vec<Step>, String> {
    let bad = |why: &str| {
        Err(format!(
            "`{key}` is not a key path ({why}); write it like `image.tag` or `containers[0].image`"
        ))
    };
    let mut steps = Vec::new();
    for part in key.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if name.is_empty() && (steps.is_empty() || rest.is_empty()) {
            return bad("an empty name");
        }
        if !name.is_empty() {
            if name.contains(']') {
                return bad("a `]` without `[`");
            }
            steps.push(Step::Key(name.to_string()));
        }
        while !rest.is_empty() {
            let Some(close) = rest.find(']') else {
                return bad("a `[` without `]`");
            };
            let Ok(index) = rest[1..close].parse::<usize>() else {
                return bad("an index that is not a number");
            };
            steps.push(Step::Index(index));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return bad("text after `]`");
            }
        }
    }
    Ok(steps)
}

/// The path of the first `n` steps, written as a key (`image`, `containers[0]`).
pub fn prefix(steps: &[Step], n: usize) -> String {
    let mut out = String::new();
    for step in &steps[..n.min(steps.len())] {
        if matches!(step, Step::Key(_)) && !out.is_empty() {
            out.push('.');
        }
        out.push_str(&step.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Step, parse, prefix};

    #[test]
    fn dotted_keys_and_indexes() {
        assert_eq!(
            parse("spec.containers[0].image").unwrap(),
            vec![
                Step::Key("spec".into()),
                Step::Key("containers".into()),
                Step::Index(0),
                Step::Key("image".into())
            ]
        );
        assert_eq!(parse("a[1][2]").unwrap().len(), 3);
        let steps = parse("spec.containers[0].image").unwrap();
        assert_eq!(prefix(&steps, 3), "spec.containers[0]");
        for bad in ["", "a..b", "a[x]", "a[1", "a]", "a[0]b", ".a"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
