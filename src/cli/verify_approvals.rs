//! `shipdeck verify-approvals`: the deploy endpoint checks for itself. Reads no configuration
//! and writes nothing, so it runs anywhere a hook runs.

use std::io::Read as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};

use crate::app::Failure;
use crate::domain::sanitize::sanitize;
use crate::sign::{AllowedSigners, Expected, SignError, Verifier, decide};

/// `shipdeck verify-approvals`: every flag is one value, so a webhook hook can pass each from
/// its payload (`pass-arguments-to-command`) and the approvals in the environment
/// (`pass-environment-to-command` → `SHIPDECK_APPROVALS`).
#[derive(Debug, clap::Args)]
pub struct VerifyApprovalsArgs {
    /// The approvals as JSON: `{{approvals_json}}`'s array, or a whole deploy payload with an
    /// `approvals` field. Default: `--approvals-file`, else stdin.
    #[arg(
        long,
        env = "SHIPDECK_APPROVALS",
        hide_env_values = true,
        value_name = "JSON"
    )]
    pub approvals: Option<String>,
    /// Read the approvals from FILE (`-` for stdin); wins over `--approvals`.
    #[arg(long, value_name = "FILE")]
    pub approvals_file: Option<PathBuf>,
    /// The service being deployed.
    #[arg(long)]
    pub service: String,
    /// The environment being deployed to (set it in the hook, not from the request).
    #[arg(long, value_name = "ENV")]
    pub env: String,
    /// The release being deployed (checked when given).
    #[arg(long)]
    pub release: Option<String>,
    /// The commit being deployed (full, or at least 7 hex digits).
    #[arg(long)]
    pub commit: String,
    /// Distinct approvers needed.
    #[arg(long, default_value_t = 1)]
    pub count: u32,
    /// Who may approve (comma-separated or repeated); anyone in allowed signers when absent.
    #[arg(long, value_delimiter = ',', value_name = "EMAIL")]
    pub from: Vec<String>,
    /// Who asks for the deployment (the payload's `actor`): their own approval never counts.
    #[arg(long, value_name = "ACTOR")]
    pub promoter: Option<String>,
    /// An allowed_signers file (git's SSH signing format).
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    /// Or: read allowed signers as committed on the default branch of `--remote` in this
    /// repository (refs/shipdeck/remote-default, refs/remotes/<remote>/HEAD, …/main, …/master;
    /// a bare mirror's own HEAD). Without either: the configuration's `[project] signing`.
    #[arg(long, value_name = "DIR", conflicts_with = "allowed_signers")]
    pub repo: Option<PathBuf>,
    /// The file's path in that repository.
    #[arg(long, value_name = "PATH", default_value = ".shipdeck/allowed_signers")]
    pub signers_path: PathBuf,
    /// The remote whose default branch counts.
    #[arg(long, default_value = "origin")]
    pub remote: String,
    /// Once verified, run this command in place of shipdeck (after `--`).
    #[arg(last = true, value_name = "COMMAND")]
    pub then: Vec<String>,
}

/// Exit 0 (or becomes `then`) when enough approvals verify; 3 naming every one that did not
/// count; 2 for input that is not approvals; 1 when allowed signers cannot be read.
pub fn run(args: &VerifyApprovalsArgs, config: Option<&Path>) -> Result<u8, Failure> {
    let input = approvals(args)?;
    let allowed = match (&args.allowed_signers, &args.repo) {
        (Some(file), _) => AllowedSigners::from_file(file),
        (None, Some(repo)) => {
            AllowedSigners::from_repository(repo, &args.signers_path, &args.remote)
        }
        (None, None) => from_project(config)?,
    }
    .map_err(|e| Failure::failed(format!("cannot verify approvals: {e}")))?;
    let verifier = Verifier::new(Ok(allowed));
    let expected = Expected {
        service: args.service.clone(),
        env: args.env.clone(),
        release: args.release.clone(),
        commit: args.commit.clone(),
        count: args.count,
        from: args
            .from
            .iter()
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect(),
        promoter: args.promoter.clone().filter(|p| !p.is_empty()),
    };
    let decision = decide(&input, &expected, &verifier).map_err(Failure::usage)?;
    let what = format!(
        "{} {} ({}) → {}",
        sanitize(&args.service),
        sanitize(args.release.as_deref().unwrap_or("-")),
        sanitize(&args.commit),
        sanitize(&args.env)
    );
    for line in &decision.refused {
        eprintln!("not counted: {line}");
    }
    if !decision.allowed() {
        return Err(Failure::blocked(format!(
            "refused {what}: {} of {} verified approvals{}",
            decision.counted.len(),
            decision.needed,
            listed(&decision.counted)
        )));
    }
    println!(
        "verified {what}: {} of {} approvals{} (allowed signers: {})",
        decision.counted.len(),
        decision.needed,
        listed(&decision.counted),
        verifier.source().unwrap_or("-")
    );
    let Some((program, rest)) = args.then.split_first() else {
        return Ok(0);
    };
    // Only reached when verified: the deploy command takes this process's place.
    let err = std::process::Command::new(program).args(rest).exec();
    Err(Failure::failed(format!(
        "verified, but could not run {}: {err}",
        sanitize(program)
    )))
}

/// Without `--allowed-signers` or `--repo`: the project's own signing settings (a command
/// deployer running next to its shipdeck.toml).
fn from_project(config: Option<&Path>) -> Result<Result<AllowedSigners, SignError>, Failure> {
    let missing = || {
        Failure::usage(
            "say where the allowed signers are: --allowed-signers FILE, or --repo DIR (read as \
             committed on the remote's default branch), or run next to a shipdeck.toml with \
             `[project] signing`",
        )
    };
    let cwd = std::env::current_dir().map_err(|_| missing())?;
    let path = crate::config::discover(config, &cwd).map_err(|_| missing())?;
    let project = crate::config::load(&path).map_err(|e| Failure::usage(e.to_string()))?;
    let signing = project.project.signing.as_ref().ok_or_else(missing)?;
    Ok(AllowedSigners::from_repository(
        &project.dir,
        &signing.allowed_signers,
        &signing.remote,
    ))
}

fn listed(actors: &[String]) -> String {
    if actors.is_empty() {
        String::new()
    } else {
        format!(" ({})", actors.join(", "))
    }
}

/// The approvals JSON: `--approvals-file` (`-` = stdin), else `--approvals` /
/// `SHIPDECK_APPROVALS`, else stdin.
fn approvals(args: &VerifyApprovalsArgs) -> Result<String, Failure> {
    let from_stdin = || {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::usage(format!("could not read the approvals from stdin: {e}")))?;
        Ok(text)
    };
    match (&args.approvals_file, &args.approvals) {
        (Some(file), _) if file.as_os_str() == "-" => from_stdin(),
        (Some(file), _) => std::fs::read_to_string(file).map_err(|e| {
            Failure::usage(format!(
                "could not read the approvals from {}: {e}",
                file.display()
            ))
        }),
        (None, Some(json)) => Ok(json.clone()),
        (None, None) => from_stdin(),
    }
}
