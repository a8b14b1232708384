//! What a deployer call will do, in one line, for the plan screen and confirmations: the method
//! and URL (or the argv), with secrets shown only as a mask.

use crate::domain::config::DeployerSpec;
use crate::domain::sanitize::sanitize;
use crate::domain::template::expand;

use super::{DeployError, DeployRequest, http};

/// `POST https://deploy.internal/hooks/api-prod (signed X-Hub-Signature-256, Authorization:
/// Bearer ••••••)`, or the argv quoted the way a shell would need it (`./deploy.sh api '1.0; rm
/// -rf ~'`), so one element that looks like several is visibly one. Reads no secret.
pub fn describe(spec: &DeployerSpec, req: &DeployRequest) -> Result<String, DeployError> {
    let vars = req.vars();
    match spec {
        DeployerSpec::Http(h) => {
            let (method, url) = http::target(h, &vars)?;
            let line = format!("{method} {url}");
            let notes = http::notes(h);
            Ok(sanitize(&if notes.is_empty() {
                line
            } else {
                format!("{line} ({})", notes.join(", "))
            }))
        }
        DeployerSpec::Command(c) => {
            let argv = c
                .argv
                .iter()
                .map(|a| expand(a, &vars).map(|a| quote(&sanitize(&a))))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(argv.join(" "))
        }
        DeployerSpec::Git(g) => super::git::describe(g, req),
    }
}

/// `word` as is when a shell would read it as one plain word, else single-quoted.
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || "_-./:=@%+,".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quote_keeps_plain_words_and_quotes_the_rest() {
        assert_eq!(quote("./deploy.sh"), "./deploy.sh");
        assert_eq!(quote("1.0; rm -rf ~"), "'1.0; rm -rf ~'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
    }
}
