//! The user's editor on a text: `$VISUAL`, else `$EDITOR`, else `vi`, split into argv (no shell;
//! single and double quotes group words), run on a private temp file with the terminal handed
//! over. The caller leaves and re-enters the console's terminal mode around it.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;

use crate::app::failure::Failure;

/// The editor's argv from `$VISUAL`/`$EDITOR`, falling back to `vi`.
pub fn command() -> Vec<String> {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .map(|value| split(&value))
        .find(|argv| !argv.is_empty())
        .unwrap_or_else(|| vec!["vi".to_string()])
}

/// Splits like a shell would for plain words: blanks separate, quotes group, a backslash outside
/// single quotes escapes the next character. No expansion of any kind.
pub fn split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"') | None, '\\') => {
                if let Some(next) = chars.next() {
                    word.push(next);
                }
                in_word = true;
            }
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}

/// A temp file only this user can read, removed when dropped.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn temp_file(text: &str) -> std::io::Result<TempFile> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let dir = std::env::temp_dir();
    for _ in 0..16 {
        let path = dir.join(format!(
            "shipdeck-notes-{}-{:08x}.md",
            std::process::id(),
            rand::random::<u32>()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(mut file) => {
                let guard = TempFile(path);
                file.write_all(text.as_bytes())?;
                file.sync_all()?;
                return Ok(guard);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("could not create a temp file"))
}

/// Opens the editor on `text` and returns what the file holds when it exits. The editor
/// inherits stdin, stdout and stderr; a non-zero exit is a failure (nothing is kept).
pub fn edit(text: &str) -> Result<String, Failure> {
    let file = temp_file(text)
        .map_err(|e| Failure::failed(format!("could not write the notes to a temp file: {e}")))?;
    let argv = command();
    // Ctrl-C in the editor reaches every process of the terminal's foreground group, shipdeck
    // too: like git, shipdeck must outlive it so the editor keeps a parent and the terminal an
    // owner. A registered tokio handler replaces the default (die) for the rest of the process,
    // which the console (raw mode: Ctrl-C is a key) and a command that ends after the edit can
    // live with.
    let _interrupt = tokio::runtime::Handle::try_current().ok().and_then(|_| {
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok()
    });
    let _quit = tokio::runtime::Handle::try_current()
        .ok()
        .and_then(|_| tokio::signal::unix::signal(tokio::signal::unix::SignalKind::quit()).ok());
    let (program, args) = argv
        .split_first()
        .unwrap_or_else(|| unreachable!("command() is never empty"));
    let status = Command::new(program)
        .args(args)
        .arg(&file.0)
        .status()
        .map_err(|e| {
            Failure::failed(format!(
                "could not start the editor `{}` (set $VISUAL or $EDITOR): {e}",
                argv.join(" ")
            ))
        })?;
    if !status.success() {
        return Err(Failure::failed(format!(
            "the editor `{}` {}; nothing recorded",
            argv.join(" "),
            status.code().map_or_else(
                || "was killed by a signal".to_string(),
                |c| format!("exited with status {c}")
            )
        )));
    }
    std::fs::read_to_string(&file.0)
        .map_err(|e| Failure::failed(format!("could not read the edited notes back: {e}")))
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn editor_lines_split_into_argv_with_quotes() {
        assert_eq!(split("code --wait"), ["code", "--wait"]);
        assert_eq!(
            split("'/opt/My Editor/bin/ed' -n \"a b\" c\\ d"),
            ["/opt/My Editor/bin/ed", "-n", "a b", "c d"]
        );
        assert_eq!(split("  vim  "), ["vim"]);
        assert!(split("   ").is_empty());
        assert_eq!(split("ed ''"), ["ed", ""]);
    }
}
