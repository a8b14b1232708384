//! Secrets are never values in the file. Before anything else is read, every table is searched
//! for a secret written as a value (`token = "…"`) and for `*_env` keys whose value is not an
//! environment-variable name; such keys are reported with one clear sentence and removed, so
//! they are not reported a second time as unknown keys.

use toml::de::{DeTable, DeValue};

use super::doc::{Doc, Node};

/// The sentence every secret problem carries.
pub const NEVER_VALUES: &str =
    "secrets are never values in the file; name an environment variable with `secret_env`";

/// Keys that only ever hold a secret.
const SECRET_KEYS: [&str; 10] = [
    "secret",
    "token",
    "password",
    "passwd",
    "api_key",
    "apikey",
    "private_key",
    "access_token",
    "credentials",
    "bearer",
];

const SECRET_SUFFIXES: [&str; 3] = ["_secret", "_token", "_password"];

/// Reports and removes secrets written as values anywhere under `root`.
pub fn strip(doc: &mut Doc<'_>, root: &mut Node<'_>) {
    if let DeValue::Table(table) = root.get_mut() {
        strip_table(doc, table, "");
    }
}

fn strip_table(doc: &mut Doc<'_>, table: &mut DeTable<'_>, path: &str) {
    let mut remove = Vec::new();
    for (key, value) in table.iter_mut() {
        let name = key.get_ref().to_string();
        let key_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path}.{name}")
        };
        let lower = name.to_lowercase();
        let span = value.span();
        match value.get_mut() {
            DeValue::String(text) => {
                if SECRET_KEYS.contains(&lower.as_str())
                    || SECRET_SUFFIXES.iter().any(|s| lower.ends_with(s))
                {
                    doc.report(&key.span(), &key_path, NEVER_VALUES);
                    remove.push(name);
                } else if lower.ends_with("_env") && !is_variable_name(text) {
                    doc.report(
                        &span,
                        &key_path,
                        format!(
                            "expected the name of an environment variable (like `DEPLOY_TOKEN`), found a value; {NEVER_VALUES}"
                        ),
                    );
                }
            }
            // Header names are the receiver's vocabulary; their values are checked where
            // deployers are read.
            DeValue::Table(inner) if lower != "headers" => strip_table(doc, inner, &key_path),
            DeValue::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    if let DeValue::Table(inner) = item.get_mut() {
                        strip_table(doc, inner, &format!("{key_path}[{i}]"));
                    }
                }
            }
            _ => {}
        }
    }
    for name in remove {
        table.remove(name.as_str());
    }
}

/// `[A-Z_][A-Z0-9_]*`: what a shell would accept as a variable name, upper case.
pub fn is_variable_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::is_variable_name;

    #[test]
    fn variable_names_are_upper_case_identifiers() {
        assert!(is_variable_name("DEPLOY_HOOK_SECRET"));
        assert!(is_variable_name("_X1"));
        assert!(!is_variable_name("1X"));
        assert!(!is_variable_name("deploy_token"));
        assert!(!is_variable_name("s3cr3t-value"));
        assert!(!is_variable_name(""));
    }
}
