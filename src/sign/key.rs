//! Whose key signs: `SHIPDECK_SIGNING_KEY` (a path), else git's own SSH signing setting,
//! `git config user.signingkey`, when it names a file.

use std::path::{Path, PathBuf};

use super::NAMESPACE;
use super::keygen::{SignError, arg, run_signing};

/// A key file `ssh-keygen -Y sign -f` accepts: a private key, or a public key whose private half
/// is in the ssh-agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKey {
    pub path: PathBuf,
    /// Where it was found, for messages (`SHIPDECK_SIGNING_KEY` or `git config user.signingkey`).
    pub source: &'static str,
}

impl SigningKey {
    /// Signs `data` in the `shipdeck` namespace; the armored signature.
    pub fn sign(&self, data: &[u8]) -> Result<String, SignError> {
        let key = arg(&self.path);
        let ran = run_signing(&["-Y", "sign", "-n", NAMESPACE, "-f", &key], data)?;
        if ran.success && ran.stdout.contains("BEGIN SSH SIGNATURE") {
            Ok(ran.stdout)
        } else {
            Err(SignError::Failed(format!(
                "signing with {} (from {}): {}",
                self.path.display(),
                self.source,
                if ran.stderr.is_empty() {
                    "no signature written"
                } else {
                    &ran.stderr
                }
            )))
        }
    }
}

/// The key the current user signs with, if any; `dir` is where git's configuration is looked
/// up (the project's repository, else the user's global configuration).
pub fn signing_key(dir: &Path) -> Option<SigningKey> {
    if let Some(path) = std::env::var_os("SHIPDECK_SIGNING_KEY").filter(|p| !p.is_empty()) {
        return Some(SigningKey {
            path: expand_home(Path::new(&path)),
            source: "SHIPDECK_SIGNING_KEY",
        });
    }
    let config = match git2::Repository::discover(dir) {
        Ok(repo) => repo.config().ok()?,
        Err(_) => git2::Config::open_default().ok()?,
    };
    let value = config.get_string("user.signingkey").ok()?;
    let value = value.trim();
    // `key::ssh-ed25519 AAAA…` is a literal key and anything else that is not a file is a GPG
    // key id: neither is something ssh-keygen can sign with by path.
    if value.starts_with("key::") {
        return None;
    }
    let path = expand_home(Path::new(value));
    path.is_file().then_some(SigningKey {
        path,
        source: "git config user.signingkey",
    })
}

/// `~/x` as git reads it: relative to the home directory.
fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), std::env::var_os("HOME")) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => path.to_path_buf(),
    }
}
