//! The `allowed_signers` file as committed on the remote's default branch. Read from git's object
//! database, never from the working tree: a key added locally but not committed (and reviewed,
//! and pushed) signs nothing anyone else accepts. Nothing is fetched here; whoever syncs the
//! repository keeps these refs current.

use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

use super::keygen::{SignError, TempFile};
use crate::domain::commit_id::{PINNED, short_n};
use crate::domain::sanitize::sanitize;

/// The refs tried, in order, for `remote`: the one the git state backend fetches the remote's
/// HEAD into, then the remote-tracking refs `git fetch` maintains.
pub fn candidate_refs(remote: &str) -> Vec<String> {
    vec![
        "refs/shipdeck/remote-default".to_string(),
        format!("refs/remotes/{remote}/HEAD"),
        format!("refs/remotes/{remote}/main"),
        format!("refs/remotes/{remote}/master"),
    ]
}

/// An `allowed_signers` file ready for `ssh-keygen -Y verify -f`, and where it came from.
#[derive(Debug)]
pub struct AllowedSigners {
    path: PathBuf,
    /// The private copy made for ssh-keygen (removed on drop); `None` for the user's own file.
    _copy: Option<TempFile>,
    source: String,
    /// sha256 of the file's bytes: verdicts are only as good as the signers they were made with.
    digest: [u8; 32],
}

impl AllowedSigners {
    /// A file the user named (`verify-approvals --allowed-signers FILE`), used as it is.
    pub fn from_file(path: &Path) -> Result<AllowedSigners, SignError> {
        let content = std::fs::read(path).map_err(|e| {
            SignError::AllowedSigners(format!(
                "cannot read the allowed signers file {}: {e}",
                path.display()
            ))
        })?;
        Ok(AllowedSigners {
            path: path.to_path_buf(),
            _copy: None,
            source: path.display().to_string(),
            digest: Sha256::digest(&content).into(),
        })
    }

    /// `file` (relative to `dir`) as committed on `remote`'s default branch, in the repository
    /// that holds `dir`. The first of [`candidate_refs`] that exists is read; a bare repository
    /// (an endpoint's mirror) falls back to its own `HEAD`.
    pub fn from_repository(
        dir: &Path,
        file: &Path,
        remote: &str,
    ) -> Result<AllowedSigners, SignError> {
        let error = |m: String| SignError::AllowedSigners(m);
        let repo = git2::Repository::discover(dir).map_err(|e| {
            error(format!(
                "allowed signers are read from the git repository holding {}, and there is none: {}",
                dir.display(),
                e.message()
            ))
        })?;
        let blob_path = path_in_repo(&repo, dir, file)?;
        let mut refs = candidate_refs(remote);
        if repo.is_bare() {
            refs.push("HEAD".to_string());
        }
        let Some((name, commit)) = refs.iter().find_map(|r| {
            let reference = repo.find_reference(r).ok()?;
            let resolved = reference.resolve().ok()?;
            let commit = resolved.peel_to_commit().ok()?;
            let shown = match resolved.name() {
                Some(target) if target != r => format!("{r} → {target}"),
                _ => r.clone(),
            };
            Some((shown, commit))
        }) else {
            return Err(error(format!(
                "cannot read allowed signers: none of {} exists in {} (fetch from `{remote}` \
                 first)",
                refs.join(", "),
                repo.path().display()
            )));
        };
        let short = short_n(&commit.id().to_string(), PINNED).to_string();
        let source = format!("{} as committed on {name} at {short}", blob_path.display());
        let blob = commit
            .tree()
            .and_then(|tree| tree.get_path(&blob_path))
            .and_then(|entry| entry.to_object(&repo))
            .ok()
            .and_then(|object| object.into_blob().ok())
            .ok_or_else(|| {
                error(format!(
                    "cannot read allowed signers: {} is not committed on {name} at {short} \
                     (commit it on the default branch and push; the working tree does not count)",
                    blob_path.display()
                ))
            })?;
        let copy = TempFile::write("allowed-signers", blob.content()).map_err(|e| {
            error(format!(
                "could not write a copy of the allowed signers: {e}"
            ))
        })?;
        Ok(AllowedSigners {
            path: copy.path().to_path_buf(),
            _copy: Some(copy),
            source,
            digest: Sha256::digest(blob.content()).into(),
        })
    }

    /// The file to hand to `ssh-keygen -f`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// sha256 of the signers' bytes.
    pub fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// Where the signers came from, for messages.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// `dir/file` as a path inside the repository's tree.
fn path_in_repo(repo: &git2::Repository, dir: &Path, file: &Path) -> Result<PathBuf, SignError> {
    let prefix = match repo.workdir() {
        Some(workdir) => {
            let workdir = workdir
                .canonicalize()
                .unwrap_or_else(|_| workdir.to_path_buf());
            let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
            dir.strip_prefix(&workdir)
                .map(Path::to_path_buf)
                .unwrap_or_default()
        }
        None => PathBuf::new(),
    };
    let mut out = PathBuf::new();
    for part in prefix.join(file).components() {
        match part {
            std::path::Component::Normal(p) => out.push(p),
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if out.pop() => {}
            _ => {
                return Err(SignError::AllowedSigners(format!(
                    "allowed signers path {} is outside the repository",
                    sanitize(&file.display().to_string())
                )));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::path_in_repo;

    #[test]
    fn the_signers_path_is_read_relative_to_the_config_dir_and_never_leaves_the_repository() {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = git2::Repository::init(dir.path()).expect("init");
        let sub = dir.path().join("deploy");
        std::fs::create_dir_all(&sub).expect("mkdir");
        let file = Path::new(".shipdeck/allowed_signers");
        assert_eq!(
            path_in_repo(&repo, &sub, file).expect("inside"),
            Path::new("deploy/.shipdeck/allowed_signers")
        );
        assert_eq!(
            path_in_repo(&repo, &sub, Path::new("../keys/signers")).expect("inside"),
            Path::new("keys/signers")
        );
        assert!(path_in_repo(&repo, dir.path(), Path::new("../outside")).is_err());
    }
}
