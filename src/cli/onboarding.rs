//! Getting started: `init` (a commented `shipdeck.toml` from the repository's tags),
//! `completions SHELL`, `man` and `schema`.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use super::args::Cli;
use crate::app::Failure;

/// `shipdeck init [--repo DIR]`: writes `--config PATH` or `./shipdeck.toml`, never over a file.
pub fn init(config: Option<&Path>, repo: Option<&Path>) -> Result<u8, Failure> {
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::failed(format!("could not read the working directory: {e}")))?;
    let file = config.map_or_else(|| cwd.join(crate::config::FILE_NAME), Path::to_path_buf);
    let repo = repo.map_or_else(|| cwd.clone(), Path::to_path_buf);
    let written = crate::init::init(&repo, &file).map_err(Failure::usage)?;
    // What init writes must pass `check` as it is; a file that does not is removed again.
    if let Err(e) = crate::config::load(&written.path) {
        // Best effort: the error below is what matters.
        let _ = std::fs::remove_file(&written.path);
        return Err(Failure::failed(format!(
            "init wrote a configuration that does not pass check (a bug; nothing was kept):\n{e}"
        )));
    }
    println!("wrote {}:", written.path.display());
    for (p, paths) in &written.services {
        let paths = if paths.is_empty() {
            String::new()
        } else {
            format!(", paths {}", paths.join(", "))
        };
        let count = p.tags.len();
        let plural = if count == 1 { "" } else { "s" };
        println!(
            "  service {}: tags `{}` ({count} release tag{plural}){paths}",
            p.name, p.pattern
        );
    }
    if !written.ignored.is_empty() {
        println!(
            "  left out {} tags with no version in them",
            written.ignored.len()
        );
    }
    println!("next: fill in each service's `health` and `deploy`, then run `shipdeck check`");
    Ok(0)
}

/// `shipdeck completions SHELL`: the completion script on stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<u8, Failure> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "shipdeck", &mut out);
    emit(&out)
}

/// `shipdeck man`: the man page (roff) on stdout.
pub fn man() -> Result<u8, Failure> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| Failure::failed(format!("could not render the man page: {e}")))?;
    emit(&out)
}

/// `shipdeck schema`: the JSON Schema of `shipdeck.toml` on stdout.
pub fn schema() -> Result<u8, Failure> {
    let schema = crate::config::schema().map_err(Failure::failed)?;
    let mut text = serde_json::to_string_pretty(&schema)
        .map_err(|e| Failure::failed(format!("could not write the schema: {e}")))?;
    text.push('\n');
    emit(text.as_bytes())
}

fn emit(bytes: &[u8]) -> Result<u8, Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure::failed(format!("could not write to stdout: {e}")))?;
    Ok(0)
}
