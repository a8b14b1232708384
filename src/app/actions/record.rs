//! Actions that record a person's decision: approve, override, tick, note, tag.

use crate::app::context::{Context, did_you_mean};
use crate::app::failure::{Failure, OrFail};
use crate::domain::checklist::runs_in;
use crate::domain::config::{ChecklistTemplate, GateRule, Stage};
use crate::domain::event::{Event, Fact};
use crate::domain::observation::Observation;
use crate::domain::release::Release;
use crate::domain::sanitize::sanitize;
use crate::git::{self, Repo};

/// Records the actor's approval of `release` for `env`, bound to the release's commit. Approving
/// the same commit twice returns the first approval.
pub fn approve(
    ctx: &Context,
    service: &str,
    release: &Release,
    env: &str,
    note: Option<&str>,
) -> Result<Event, Failure> {
    ctx.writable("approve")?;
    ctx.service(service)?;
    let environment = ctx.environment(env)?;
    if !environment
        .gates
        .iter()
        .any(|g| matches!(g.rule, GateRule::Approval { .. }))
    {
        return Err(Failure::usage(format!(
            "`{env}` has no approval gate, so an approval there would count for nothing"
        )));
    }
    let (events, ledger) = ctx.ledger()?;
    if let Some(existing) = ledger
        .approvals(service, &release.name, env)
        .into_iter()
        .find(|a| a.actor == ctx.actor && a.commit == release.commit)
        && let Some(e) = events.iter().find(|e| e.id == existing.event_id)
    {
        return Ok(e.clone());
    }
    ctx.record(
        &Fact::Approved {
            commit: release.commit.clone(),
            note: note.map(sanitize),
        },
        Some(service),
        Some(&release.name),
        Some(env),
    )
}

/// Passes one gate of (service, release, env) by decision, with a reason. Never an approval gate.
pub fn override_gate(
    ctx: &Context,
    service: &str,
    release: &Release,
    env: &str,
    gate: &str,
    reason: &str,
) -> Result<Event, Failure> {
    ctx.writable("override")?;
    ctx.service(service)?;
    let environment = ctx.environment(env)?;
    let reason = sanitize(reason.trim());
    if reason.is_empty() {
        return Err(Failure::usage(
            "an override needs a reason (`--reason TEXT`)",
        ));
    }
    let has_freeze = ctx
        .config
        .freezes
        .iter()
        .any(|f| f.environments.iter().any(|e| e == env));
    match environment.gates.iter().find(|g| g.id == gate) {
        Some(g) if matches!(g.rule, GateRule::Approval { .. }) => {
            return Err(Failure::usage(format!(
                "`{gate}` is an approval gate; approvals can never be overridden — ask the \
                 approvers (`shipdeck approve`)"
            )));
        }
        Some(_) => {}
        None if gate == "freeze" && has_freeze => {}
        None => {
            let ids: Vec<&str> = environment.gates.iter().map(|g| g.id.as_str()).collect();
            return Err(Failure::usage(format!(
                "`{env}` has no gate `{gate}`{}; its gates: {}",
                did_you_mean(gate, &ids),
                ids.join(", ")
            )));
        }
    }
    ctx.record(
        &Fact::Overridden {
            gate: gate.to_string(),
            reason,
        },
        Some(service),
        Some(&release.name),
        Some(env),
    )
}

/// The checklist templates of `env`'s checklist gates.
pub fn checklists_of<'a>(ctx: &'a Context, env: &str) -> Vec<&'a ChecklistTemplate> {
    ctx.config
        .environment(env)
        .map(|e| {
            e.gates
                .iter()
                .filter_map(|g| match &g.rule {
                    GateRule::Checklist { name } => ctx.config.checklists.get(name),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

fn checklist_with_item<'a>(
    ctx: &'a Context,
    env: &str,
    item: &str,
) -> Result<&'a ChecklistTemplate, Failure> {
    let lists = checklists_of(ctx, env);
    if lists.is_empty() {
        return Err(Failure::usage(format!(
            "`{env}` has no checklist gate; add `{{ kind = \"checklist\", name = \
             \"production-release\" }}` to its gates"
        )));
    }
    lists
        .iter()
        .find(|t| t.items.iter().any(|i| i.id == item))
        .copied()
        .ok_or_else(|| {
            let ids: Vec<&str> = lists
                .iter()
                .flat_map(|t| t.items.iter().map(|i| i.id.as_str()))
                .collect();
            Failure::usage(format!(
                "no checklist item `{item}` in `{env}`{}; items: {}",
                did_you_mean(item, &ids),
                ids.join(", ")
            ))
        })
}

/// Ticks (`on`) or unticks an item of `env`'s checklist for the release, from what the log
/// says (see [`tick_seen`] to count what the targets report too).
pub fn tick(
    ctx: &Context,
    service: &str,
    release: &Release,
    env: &str,
    item: &str,
    on: bool,
    note: Option<&str>,
) -> Result<Event, Failure> {
    tick_seen(ctx, service, release, env, item, on, note, &[])
}

/// Like [`tick`], with the targets' latest `observations`: an `after` item can be ticked only
/// once the release runs in the environment (a deployment of it succeeded there, or the target
/// reports it), and an item that `needs_note` (the backout plan) only with a note.
#[allow(clippy::too_many_arguments)]
pub fn tick_seen(
    ctx: &Context,
    service: &str,
    release: &Release,
    env: &str,
    item: &str,
    on: bool,
    note: Option<&str>,
    observations: &[Observation],
) -> Result<Event, Failure> {
    ctx.writable(if on { "tick" } else { "untick" })?;
    ctx.service(service)?;
    ctx.environment(env)?;
    let template = checklist_with_item(ctx, env, item)?;
    let note = note.map(|n| sanitize(n.trim())).filter(|n| !n.is_empty());
    if let Some(spec) = template.items.iter().find(|i| i.id == item)
        && on
    {
        let (_, ledger) = ctx.ledger()?;
        // A note written on the item before (`e` in the console) is the plan as well.
        let noted = ledger
            .ticks(service, &release.name, env, &template.name)
            .get(item)
            .is_some_and(|t| !t.notes.is_empty());
        if spec.needs_note && note.is_none() && !noted {
            return Err(Failure::usage(format!(
                "ticking `{item}` ({}) needs a note: the plan itself, e.g. `--note \"back to \
                 the previous release with shipdeck rollback if the error rate doubles\"`",
                spec.title
            )));
        }
        if spec.stage == Stage::After {
            let observation = observations
                .iter()
                .filter(|o| o.service == service && o.env == env)
                .max_by_key(|o| o.at);
            if !runs_in(&ledger, service, &release.name, env, observation) {
                return Err(Failure::usage(format!(
                    "`{item}` is done after the release runs in {env}, and {} does not run \
                     there yet (no successful deployment, not reported by the target)",
                    release.name
                )));
            }
        }
    }
    let fact = if on {
        Fact::ItemTicked {
            checklist: template.name.clone(),
            item: item.to_string(),
            note,
            by_event: None,
        }
    } else {
        Fact::ItemUnticked {
            checklist: template.name.clone(),
            item: item.to_string(),
            note,
        }
    };
    ctx.record(&fact, Some(service), Some(&release.name), Some(env))
}

/// Adds a note to a checklist item without changing it.
pub fn note_item(
    ctx: &Context,
    service: &str,
    release: &Release,
    env: &str,
    item: &str,
    note: &str,
) -> Result<Event, Failure> {
    ctx.writable("note")?;
    let template = checklist_with_item(ctx, env, item)?;
    ctx.record(
        &Fact::ItemNoted {
            checklist: template.name.clone(),
            item: item.to_string(),
            note: sanitize(note),
        },
        Some(service),
        Some(&release.name),
        Some(env),
    )
}

/// Creates the annotated release tag `<prefix><version>` at `commit` (never moves a tag), and
/// with `push` pushes it to `origin` (refusing when the remote has it elsewhere).
pub fn tag(
    ctx: &Context,
    service: &str,
    commit: &str,
    version: &str,
    message: Option<&str>,
    push: bool,
) -> Result<Event, Failure> {
    ctx.writable("tag")?;
    let svc = ctx.service(service)?;
    let prefix = svc.tag_prefix();
    let version = version.trim();
    let bare = if prefix.ends_with('v') {
        version.strip_prefix('v').unwrap_or(version)
    } else {
        version
    };
    if bare.is_empty() || bare.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Failure::usage(format!("`{version}` is not a version")));
    }
    let name = format!("{prefix}{bare}");
    let repo = Repo::open(&svc.repo).or_fail("could not open the repository")?;
    let commit = repo
        .resolve(commit)
        .map_err(|e| Failure::usage(format!("`{commit}`: {e}")))?;
    let message = message.map_or_else(|| format!("Release {name}"), sanitize);
    let email = if ctx.actor.contains('@') {
        ctx.actor.clone()
    } else {
        format!("{}@localhost", ctx.actor)
    };
    repo.create_tag(&name, &commit, &message, &ctx.actor, &email)
        .map_err(|e| Failure::failed(format!("could not create tag {name}: {e}")))?;
    if push {
        git::push_tag(&svc.repo, "origin", &name, &commit).map_err(|e| {
            Failure::failed(format!("tag {name} created locally, push failed: {e}"))
        })?;
    }
    ctx.record(
        &Fact::Tagged {
            tag: name.clone(),
            commit,
            message: Some(message),
            pushed: push,
        },
        Some(service),
        Some(&name),
        None,
    )
}
