//! The commented `shipdeck.toml` that `init` writes. Pure: proposals in, text out.

use std::fmt::Write;

use super::group::Proposal;

/// What the file is written from.
pub struct Draft<'a> {
    pub project: &'a str,
    /// The repository as the file names it (relative to the file's directory when possible).
    pub repo: &'a str,
    pub services: &'a [(Proposal, Vec<String>)],
    pub ignored: &'a [String],
}

/// A TOML basic string.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

pub fn render(d: &Draft<'_>) -> String {
    let mut out = String::new();
    let total: usize = d.services.iter().map(|(p, _)| p.tags.len()).sum();
    let _ = write!(
        out,
        "# shipdeck.toml, written by `shipdeck init` from the {total} release tags of the \
         repository `{}` ({}).\n\
         # Fill in each service's `health` and `deploy`, then run `shipdeck check`.\n\
         # Editor completion and checking (taplo, Even Better TOML): run\n\
         #   shipdeck schema > shipdeck.schema.json\n\
         # and make the first line of this file `#:schema ./shipdeck.schema.json`.\n\n",
        d.project, d.repo
    );
    let _ = write!(
        out,
        "[project]\nname = {}\n\
         # state_dir = \".shipdeck\"          # where the event log lives; default: a per-project data dir\n\
         # verify_timeout = \"5m\"            # how long a deployment has to report the release, healthy\n\n",
        quoted(d.project)
    );
    out.push_str(
        "# The path to production, in order.\n\
         [[environments]]\nname = \"dev\"\n\n\
         [[environments]]\nname = \"staging\"\n\
         gates = [{ kind = \"healthy\" }]     # the release runs, healthy, in dev\n\n\
         [[environments]]\nname = \"prod\"\n\
         protected = true                   # every action needs `prod` typed to confirm\n\
         gates = [\n\
         \x20 { kind = \"approval\", count = 1 },                     # one yes from someone other than the promoter\n\
         \x20 { kind = \"checklist\", name = \"production-release\" }, # the built-in production checklist\n\
         \x20 # { kind = \"soak\", duration = \"30m\" },             # 30 minutes healthy in staging first\n\
         ]\n",
    );
    for (p, paths) in d.services {
        let first = p.tags.first().map_or("", String::as_str);
        let last = p.tags.last().map_or("", String::as_str);
        let span = if p.tags.len() > 1 {
            format!("{first} … {last}")
        } else {
            first.to_string()
        };
        let _ = write!(
            out,
            "\n# {}: {} release tag{} ({span})\n[[services]]\nname = {}\nrepo = {}\ntags = {}\n",
            p.name,
            p.tags.len(),
            if p.tags.len() == 1 { "" } else { "s" },
            quoted(&p.name),
            quoted(d.repo),
            quoted(&p.pattern),
        );
        if !paths.is_empty() {
            let list = paths
                .iter()
                .map(|p| quoted(p))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(
                out,
                "paths = [{list}]             # changelogs and notes count only commits touching these"
            );
        }
        let _ = write!(
            out,
            "# health = \"http://{{{{env}}}}.internal/{0}/health\"      # its probe, templated per environment\n\
             # deploy = {{ kind = \"webhook\", url = \"https://deploy.internal/hooks/{0}-{{{{env}}}}\", secret_env = \"DEPLOY_HOOK_SECRET\" }}\n",
            p.name
        );
    }
    if !d.ignored.is_empty() {
        let shown: Vec<&str> = d.ignored.iter().take(10).map(String::as_str).collect();
        let more = d.ignored.len().saturating_sub(shown.len());
        let _ = write!(
            out,
            "\n# Tags that look like no release (no version in them), left out: {}{}\n",
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
    out
}
