//! The `git` deployer (GitOps): writes one value into a file of a config repository that Argo CD
//! or Flux watches, commits it as the actor and pushes it with the user's own `git` (their
//! credentials, hooks and commit signing apply). It never prompts and never forces: when someone
//! else pushed first it fetches, writes the value again on top of their commit and pushes again,
//! a bounded number of times.
//!
//! It keeps its own clone of the config repository under the state dir (`<state_dir>/gitops/`),
//! so the user's working copies are never touched.

mod clone;
mod edit;
mod json_file;
mod run;
mod toml_file;
mod yaml_file;

use std::fs::File;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::sync::mpsc::UnboundedSender;

use crate::domain::config::GitDeployer;
use crate::domain::sanitize::sanitize;
use crate::domain::template::expand;
use crate::git::harden::{self, Pack};

use super::{Accepted, DeployError, DeployRequest};
use crate::domain::key_path::{self, Step};
use edit::{Format, Outcome};
use run::{git, git_ok};

/// How many times a push rejected because someone else pushed first is re-applied and pushed.
pub const ATTEMPTS: usize = 5;

/// One deployment's expanded templates.
#[derive(Debug, Clone)]
struct Write {
    /// As written in the configuration (expanded), for messages.
    repo_shown: String,
    /// What `git clone` is given: a URL, or an absolute path.
    repo: String,
    branch: String,
    file: String,
    key: String,
    steps: Vec<Step>,
    format: Format,
    value: String,
    message: String,
    clone: PathBuf,
    actor: String,
}

/// `git ../deploy-config main: envs/prod/web/values.yaml image.tag = 1.4.2 ("deploy web …")`.
pub fn describe(spec: &GitDeployer, req: &DeployRequest) -> Result<String, DeployError> {
    let w = expand_all(spec, req)?;
    Ok(sanitize(&format!(
        "git {} {}: {} {} = {} (\"{}\")",
        w.repo_shown, w.branch, w.file, w.key, w.value, w.message
    )))
}

/// Writes, commits and pushes the value; `Accepted` once pushed (or when the value is there
/// already: nothing committed, said so).
pub async fn call(
    spec: &GitDeployer,
    req: &DeployRequest,
    output: &UnboundedSender<String>,
) -> Result<Accepted, DeployError> {
    let w = expand_all(spec, req)?;
    let timeout = spec.timeout;
    let output = output.clone();
    tokio::task::spawn_blocking(move || deploy(&w, timeout, &output))
        .await
        .map_err(|e| DeployError::GitPushUnknown(format!("the git deployer stopped: {e}")))?
}

fn expand_all(spec: &GitDeployer, req: &DeployRequest) -> Result<Write, DeployError> {
    let vars = req.vars();
    let repo_shown = expand(&spec.repo, &vars)?;
    let branch = expand(&spec.branch, &vars)?;
    let file = expand(&spec.file, &vars)?;
    let key = expand(&spec.key, &vars)?;
    let value = expand(&spec.value, &vars)?;
    let message = expand(&spec.message, &vars)?;
    let bad = |what: String| Err(DeployError::Git(sanitize(&what)));
    if !branch_ok(&branch) {
        return bad(format!("`{branch}` is not a usable branch name"));
    }
    if !file_ok(&file) {
        return bad(format!(
            "`{file}` is not a path inside the config repository; write it relative to the \
             repository's top, without `..`"
        ));
    }
    let Some(format) = Format::of(&file) else {
        return bad(format!(
            "`{file}`: the git deployer writes YAML (.yaml, .yml), JSON (.json) or TOML (.toml) files"
        ));
    };
    let steps = key_path::parse(&key).map_err(|e| DeployError::Git(sanitize(&e)))?;
    if repo_shown.is_empty() || repo_shown.starts_with('-') {
        return bad(format!("`{repo_shown}` is not a usable repository"));
    }
    if runs_a_program(&repo_shown) {
        return bad(format!(
            "`{repo_shown}` names git's `ext::` or `fd::` transport, which runs a program; the \
             git deployer reaches a config repository over https, ssh, git or a path"
        ));
    }
    let repo = if is_remote(&repo_shown) {
        repo_shown.clone()
    } else {
        let path: PathBuf = req.workdir.join(&repo_shown).components().collect();
        path.display().to_string()
    };
    let clone = spec.clones.join(clone_name(&repo));
    Ok(Write {
        repo_shown,
        repo,
        branch,
        file,
        key,
        steps,
        format,
        value,
        message,
        clone,
        actor: req.actor.clone(),
    })
}

/// `https://…`, `ssh://…`, `file://…` or scp-like `git@host:path`: given to git as is.
fn is_remote(repo: &str) -> bool {
    if repo.contains("://") {
        return true;
    }
    match (repo.find(':'), repo.find('/')) {
        (Some(colon), Some(slash)) => colon < slash && colon > 1,
        (Some(colon), None) => colon > 1,
        _ => false,
    }
}

/// git's `ext::` (runs a command) and `fd::` (speaks over inherited descriptors) transports,
/// in any case: never what a config repository is.
fn runs_a_program(repo: &str) -> bool {
    let lower = repo.trim_start().to_ascii_lowercase();
    lower.starts_with("ext::") || lower.starts_with("fd::")
}

fn branch_ok(branch: &str) -> bool {
    !branch.is_empty()
        && !branch.starts_with(['-', '/'])
        && !branch.ends_with(['/', '.'])
        && !branch.contains("..")
        && !branch.to_ascii_lowercase().ends_with(".lock")
        && branch
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
}

fn file_ok(file: &str) -> bool {
    let path = Path::new(file);
    !file.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)))
}

/// A directory name per repository: readable tail plus a hash of the whole location.
fn clone_name(repo: &str) -> String {
    let tail: String = repo
        .trim_end_matches('/')
        .trim_end_matches(".git")
        .rsplit(['/', ':'])
        .next()
        .unwrap_or("repo")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .take(40)
        .collect();
    let hash = hex::encode(&Sha256::digest(repo.as_bytes())[..6]);
    format!("{}-{hash}", tail.trim_start_matches('.'))
}

/// The actor as a git identity: `alice@example.com` is both name and email.
fn identity(actor: &str) -> String {
    let clean: String = actor.chars().filter(|c| !"<>\n\r\0".contains(*c)).collect();
    let clean = clean.trim().to_string();
    if clean.is_empty() {
        "shipdeck".to_string()
    } else {
        clean
    }
}

/// Clone or fetch, write, commit, push. Every error before the push, and a refused push, is
/// [`DeployError::Git`] (nothing reached the remote); a push that did not finish in time is
/// [`DeployError::GitPushUnknown`].
fn deploy(
    w: &Write,
    timeout: std::time::Duration,
    output: &UnboundedSender<String>,
) -> Result<Accepted, DeployError> {
    let say = |line: String| {
        // The receiver may be gone (a headless caller that does not show output).
        let _ = output.send(sanitize(&line));
    };
    let parent = w.clone.parent().unwrap_or(&w.clone);
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    // One deployment at a time per clone, across processes.
    let lock_path = w.clone.with_extension("lock");
    let lock = File::create(&lock_path)
        .map_err(|e| format!("cannot create {}: {e}", lock_path.display()))?;
    lock.lock()
        .map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;

    // Every call in the clone names its git dir and work tree: a clone that is not (or no
    // longer) a repository fails, instead of git finding the enclosing one (a state dir inside
    // the user's own checkout) and working there.
    let git_dir = w.clone.join(".git").display().to_string();
    let work_tree = w.clone.display().to_string();
    let here = [
        ("GIT_DIR", git_dir.as_str()),
        ("GIT_WORK_TREE", work_tree.as_str()),
    ];
    clone::prepare(w, parent, &here, timeout, &say)?;
    let who = identity(&w.actor);
    let mut env = vec![
        here[0],
        here[1],
        ("GIT_AUTHOR_NAME", who.as_str()),
        ("GIT_AUTHOR_EMAIL", who.as_str()),
    ];
    // The committer is the user's own git identity; a machine without one commits as the actor.
    let has_identity = git(&w.clone, &["config", "--get", "user.email"], &here, timeout)
        .is_ok_and(|r| r.ok && !r.stdout.trim().is_empty())
        || std::env::var_os("GIT_COMMITTER_EMAIL").is_some();
    if !has_identity {
        env.push(("GIT_COMMITTER_NAME", who.as_str()));
        env.push(("GIT_COMMITTER_EMAIL", who.as_str()));
    }
    let remote_ref = format!("refs/remotes/origin/{}", w.branch);
    let refspec = format!("+refs/heads/{}:{remote_ref}", w.branch);
    let push_ref = format!("HEAD:refs/heads/{}", w.branch);
    let upload = harden::pack_option(Pack::Upload, &w.clone, &w.repo);
    let receive = harden::pack_option(Pack::Receive, &w.clone, &w.repo);
    for attempt in 1..=ATTEMPTS {
        let mut fetch = vec!["fetch", "--quiet", "--no-tags"];
        fetch.extend(upload.as_deref());
        fetch.extend(["origin", refspec.as_str()]);
        let fetched = git(&w.clone, &fetch, &here, timeout)?;
        if !fetched.ok {
            return Err(DeployError::Git(
                if fetched.stderr.contains("couldn't find remote ref") {
                    format!(
                        "the config repository {} has no branch `{}`; nothing was committed",
                        w.repo_shown, w.branch
                    )
                } else {
                    format!(
                        "cannot fetch {} from {}: {}",
                        w.branch, w.repo_shown, fetched.stderr
                    )
                },
            ));
        }
        git_ok(
            &w.clone,
            &[
                "checkout",
                "--quiet",
                "--force",
                "-B",
                &w.branch,
                &remote_ref,
            ],
            &here,
            timeout,
        )?;
        let path = w.clone.join(&w.file);
        let inside = path
            .canonicalize()
            .ok()
            .zip(w.clone.canonicalize().ok())
            .is_some_and(|(p, root)| p.starts_with(root));
        let text = match std::fs::read_to_string(&path) {
            Ok(text) if inside => text,
            Ok(_) => {
                return Err(DeployError::Git(format!(
                    "{} in {} leads outside the repository (a symlink); nothing was committed or pushed",
                    w.file, w.repo_shown
                )));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(DeployError::Git(format!(
                    "no file {} on branch {} of {} (to write key `{}`); nothing was committed or pushed",
                    w.file, w.branch, w.repo_shown, w.key
                )));
            }
            Err(e) => return Err(DeployError::Git(format!("cannot read {}: {e}", w.file))),
        };
        let new = match edit::set(w.format, &text, &w.steps, &w.value) {
            Ok(Outcome::Unchanged) => {
                return Ok(Accepted {
                    detail: sanitize(&format!(
                        "{} already has {} = {} on {} of {}; nothing committed",
                        w.file, w.key, w.value, w.branch, w.repo_shown
                    )),
                });
            }
            Ok(Outcome::Changed(new)) => new,
            Err(e) => {
                return Err(DeployError::Git(format!(
                    "{} (branch {} of {}), key `{}`: {e}; nothing was committed or pushed",
                    w.file, w.branch, w.repo_shown, w.key
                )));
            }
        };
        std::fs::write(&path, new).map_err(|e| format!("cannot write {}: {e}", w.file))?;
        git_ok(&w.clone, &["add", "--", &w.file], &here, timeout)?;
        git_ok(
            &w.clone,
            &["commit", "--quiet", "-m", &w.message],
            &env,
            timeout,
        )?;
        let mut push = vec!["push", "--porcelain"];
        push.extend(receive.as_deref());
        push.extend(["origin", push_ref.as_str()]);
        let pushed = git(&w.clone, &push, &here, timeout).map_err(|e| {
            DeployError::GitPushUnknown(format!(
                "{e}; the push may have reached {}: check its branch {} before promoting again",
                w.repo_shown, w.branch
            ))
        })?;
        if pushed.ok {
            let head = git_ok(&w.clone, &["rev-parse", "--short", "HEAD"], &here, timeout)?;
            return Ok(Accepted {
                detail: sanitize(&format!(
                    "pushed {} to {} of {}: {} {} = {}",
                    head.trim(),
                    w.branch,
                    w.repo_shown,
                    w.file,
                    w.key,
                    w.value
                )),
            });
        }
        let text = format!("{}\n{}", pushed.stdout, pushed.stderr);
        if !lost_race(&text) {
            return Err(DeployError::Git(format!(
                "the push to {} of {} was refused: {}",
                w.branch,
                w.repo_shown,
                sanitize(text.trim())
            )));
        }
        if attempt < ATTEMPTS {
            say(format!(
                "someone else pushed to {} first; fetching and writing {} again (attempt {} of {ATTEMPTS})",
                w.branch,
                w.key,
                attempt + 1
            ));
        }
    }
    Err(DeployError::Git(format!(
        "the push to {} of {} was rejected {ATTEMPTS} times (others kept pushing first); nothing of \
         this deployment was pushed; promote again",
        w.branch, w.repo_shown
    )))
}

impl From<String> for DeployError {
    /// The git deployer's own failures: nothing was pushed.
    fn from(message: String) -> DeployError {
        DeployError::Git(message)
    }
}

/// Whether a refused push lost a race with someone else's push: `[rejected]` (not a
/// fast-forward: they pushed before we fetched), or the server finding the branch moved while
/// it updated it (they pushed between our fetch and our push). Any other `[remote rejected]` is
/// the server's own refusal (a hook, a protected branch), which writing again would not fix.
fn lost_race(text: &str) -> bool {
    text.contains("[rejected]")
        || (text.contains("[remote rejected]")
            && (text.contains("failed to update ref")
                || text.contains("cannot lock ref")
                || text.contains("incorrect old value")))
}

#[cfg(test)]
mod tests {
    use super::{branch_ok, clone_name, file_ok, identity, is_remote, lost_race, runs_a_program};

    #[test]
    fn remotes_and_paths() {
        assert!(is_remote("https://git.example.com/shop/config.git"));
        assert!(is_remote("git@github.com:shop/config.git"));
        assert!(is_remote("file:///srv/config"));
        assert!(!is_remote("../deploy-config"));
        assert!(!is_remote("/srv/config"));
        assert!(!is_remote("./a:b/c"));
        assert!(file_ok("envs/prod/web/values.yaml"));
        assert!(!file_ok("../x.yaml"));
        assert!(!file_ok("/etc/x.yaml"));
        assert!(!file_ok("a/../../x.yaml"));
        assert!(branch_ok("main") && branch_ok("release/2026"));
        assert!(!branch_ok("-f") && !branch_ok("a..b") && !branch_ok("a b"));
        assert!(clone_name("git@h:shop/deploy-config.git").starts_with("deploy-config-"));
        assert_eq!(identity("alice@example.com"), "alice@example.com");
        assert_eq!(identity("<x>\n"), "x");
        assert!(lost_race(
            "!\tHEAD:refs/heads/main\t[rejected] (fetch first)"
        ));
        assert!(lost_race("[remote rejected] (failed to update ref)"));
        assert!(!lost_race("[remote rejected] (pre-receive hook declined)"));
        assert!(runs_a_program("ext::sh -c touch% x") && runs_a_program("FD::3"));
        assert!(!runs_a_program("git://host/ext::x") && !runs_a_program("../ext"));
    }
}
