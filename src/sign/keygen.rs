//! Running `ssh-keygen -Y …`: argv only, data on stdin, bounded by a timeout so a key that wants
//! a passphrase nobody can type never hangs the console.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use rand::Rng as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::domain::sanitize::sanitize;

/// How long one `ssh-keygen` may take (signing with a hardware key waits for a touch).
const TIMEOUT: Duration = Duration::from_secs(30);

/// Why signing or checking could not be done (as opposed to a signature that does not verify).
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("could not run ssh-keygen (is OpenSSH 8.2 or later installed?): {0}")]
    Spawn(std::io::Error),
    #[error("ssh-keygen took longer than {}s (a key waiting for a passphrase? use ssh-agent)", TIMEOUT.as_secs())]
    Timeout,
    #[error("ssh-keygen failed: {0}")]
    Failed(String),
    #[error("{0}")]
    AllowedSigners(String),
}

/// What one `ssh-keygen` run said.
pub struct Ran {
    pub success: bool,
    pub stdout: String,
    /// Sanitized, trimmed.
    pub stderr: String,
}

/// Runs `ssh-keygen ARGS` with `input` on stdin.
pub fn run(args: &[&str], input: &[u8]) -> Result<Ran, SignError> {
    spawn(Command::new("ssh-keygen").args(args), input)
}

/// Like [`run`] for signing: a key that needs a passphrase gets none instead of a prompt on the
/// terminal (which the console owns); such keys sign through ssh-agent.
pub fn run_signing(args: &[&str], input: &[u8]) -> Result<Ran, SignError> {
    spawn(
        Command::new("ssh-keygen")
            .args(args)
            .env("SSH_ASKPASS_REQUIRE", "force")
            .env("SSH_ASKPASS", "/bin/false"),
        input,
    )
}

fn spawn(command: &mut Command, input: &[u8]) -> Result<Ran, SignError> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(SignError::Spawn)?;
    if let Some(mut stdin) = child.stdin.take() {
        // ssh-keygen may exit before reading (a bad key): a broken pipe is then not the error.
        let _ = stdin.write_all(input);
    }
    wait(child)
}

/// Waits for `child` until the deadline; its outputs are small (a signature, a line of
/// diagnostics), so they fit the pipes' buffers until it exits.
fn wait(mut child: Child) -> Result<Ran, SignError> {
    let deadline = Instant::now() + TIMEOUT;
    let mut pause = Duration::from_millis(1);
    let status = loop {
        if let Some(status) = child.try_wait().map_err(SignError::Spawn)? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(SignError::Timeout);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(&mut stdout);
    }
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    Ok(Ran {
        success: status.success(),
        stdout,
        stderr: sanitize(stderr.trim()),
    })
}

/// `path` as an argument.
pub fn arg(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// A private file in the temp dir (ssh-keygen reads signatures and signers by path), removed
/// when dropped.
#[derive(Debug)]
pub struct TempFile(PathBuf);

impl TempFile {
    /// Writes `content` to a new file named after `what`.
    pub fn write(what: &str, content: &[u8]) -> std::io::Result<TempFile> {
        let name = format!(
            "shipdeck-{what}-{}-{:016x}",
            std::process::id(),
            rand::rng().random::<u64>()
        );
        let path = std::env::temp_dir().join(name);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        // The guard exists before writing, so a failed write leaves nothing behind.
        let guard = TempFile(path);
        file.write_all(content)?;
        Ok(guard)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
