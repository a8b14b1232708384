//! What each user command does: open the confirmation or prompt it needs, or ask for effects.
//! Every destructive action goes through one confirm flow (see [`Confirmed`]).

use crate::console::command::Command;
use crate::console::effect::Effect;
use crate::console::model as grid;
use crate::console::overlay::{Confirm, Confirmed, Input, InputPurpose, Overlay, Palette};
use crate::console::palette;
use crate::console::state::{Changes, Level, OpKind, State, TargetKey, View};
use crate::domain::gates::GateStatus;
use crate::domain::release::Release;

/// What read-only mode answers to every action key.
pub const READ_ONLY: &str =
    "read-only: this console was started with --read-only; restart it without to act";

pub mod notes;

pub fn run(state: &mut State, command: Command) -> Vec<Effect> {
    if state.read_only && command.mutates() {
        state.toast(Level::Error, READ_ONLY);
        return Vec::new();
    }
    match command {
        Command::Show(view) => show(state, view),
        Command::Help => {
            state.overlay = Some(Overlay::Help);
            Vec::new()
        }
        Command::Filter => {
            state.overlay = Some(Overlay::Input(Input {
                purpose: InputPurpose::Filter,
                prompt: "filter services".into(),
                text: state.filter.clone(),
            }));
            Vec::new()
        }
        Command::Refresh => {
            state.toast(Level::Info, "refreshing…");
            let mut effects = vec![Effect::Refresh];
            effects.extend(crate::console::update::refresh_plans(state));
            state.changes.clear();
            effects.extend(load_changes(state));
            effects
        }
        Command::Quit => {
            if grid::any_in_flight(state) {
                let mut confirm = Confirm::new(
                    Confirmed::Quit,
                    "Quit while a deployment is in flight?",
                    vec![
                        "The deployment goes on without the console; whoever looks next (this \
                         console, `shipdeck status`) records its outcome."
                            .into(),
                    ],
                );
                confirm.lines.push("Enter or y quits; Esc stays.".into());
                state.overlay = Some(Overlay::Confirm(Box::new(confirm)));
                Vec::new()
            } else {
                state.quitting = true;
                vec![Effect::Quit]
            }
        }
        Command::Promote {
            service,
            release,
            env,
        } => promote(state, &service, release.as_deref(), &env),
        Command::Rollback { service, env } => {
            if let Some(refused) = in_flight_refusal(state, &service, &env) {
                state.toast(Level::Error, refused);
                return Vec::new();
            }
            let key = TargetKey::new(&service, &env);
            state.supersede(&OpKind::RollbackTarget(key.clone()));
            let op = state.start_op(
                OpKind::RollbackTarget(key),
                format!("finding what {service} in {env} rolls back to"),
            );
            vec![Effect::RollbackTarget { op, service, env }]
        }
        Command::Approve {
            service,
            release,
            env,
        } => approve(state, &service, release.as_deref(), &env),
        Command::Tag { service, commit } => {
            let shown = commit.as_deref().map_or("HEAD".to_string(), short);
            state.overlay = Some(Overlay::Input(Input {
                purpose: InputPurpose::TagVersion {
                    service: service.clone(),
                    commit: commit.unwrap_or_else(|| "HEAD".into()),
                },
                prompt: format!("tag {shown} of {service} as version"),
                text: state
                    .next_versions
                    .get(&service)
                    .and_then(|v| v.first().cloned())
                    .unwrap_or_default(),
            }));
            let op = state.start_op(OpKind::NextVersions(service.clone()), "next versions");
            vec![Effect::NextVersions { op, service }]
        }
        Command::Notes { service, env } => {
            state.view = View::Release;
            let mut effects = load_changes(state);
            if let Some(release) = grid::subject(state, &service, &env).cloned() {
                let key = TargetKey::new(&service, &env);
                state.supersede(&OpKind::Notes(key.clone()));
                let op = state.start_op(OpKind::Notes(key), "release notes");
                effects.push(Effect::Notes {
                    op,
                    service,
                    release,
                    env,
                });
            }
            effects
        }
        Command::EditNotes { service, env } => crate::console::flows::notes::edit(state, &service, &env),
        Command::PublishNotes { service, env } => {
            crate::console::flows::notes::publish(state, &service, &env)
        }
        Command::Checklist { service, env } => {
            select(state, &service, &env);
            state.view = View::Checklist;
            Vec::new()
        }
    }
}

fn show(state: &mut State, view: View) -> Vec<Effect> {
    state.view = view;
    if matches!(view, View::Target | View::Release) {
        load_changes(state)
    } else {
        Vec::new()
    }
}

/// Moves the board cursor to (service, env) when it is visible.
fn select(state: &mut State, service: &str, env: &str) {
    if let Some(row) = grid::visible_services(state)
        .iter()
        .position(|s| *s == service)
    {
        state.row = row;
    }
    if let Some(col) = state.config.environments.iter().position(|e| e.name == env) {
        state.col = col;
    }
}

fn short(commit: &str) -> String {
    commit.chars().take(7).collect()
}

fn in_flight_refusal(state: &State, service: &str, env: &str) -> Option<String> {
    let d = state.ledger.in_flight(service, env)?;
    Some(format!(
        "{} is already being deployed to {env} (started by {} at {}); wait for it to finish",
        d.release,
        d.requested_by,
        state.time(d.requested_at, "%H:%M:%S")
    ))
}

fn resolve<'a>(
    state: &'a State,
    service: &str,
    release: Option<&str>,
    env: &str,
) -> Option<&'a Release> {
    match release {
        Some(name) => grid::find_release(state, service, name),
        None => grid::candidate(state, service, env),
    }
}

/// Whether the environment before `env` has not answered its probe yet.
fn checking_before(state: &State, service: &str, env: &str) -> bool {
    state
        .config
        .previous_environment(env)
        .is_some_and(|prev| grid::cell(state, service, &prev.name).release.is_none())
}

fn promote(state: &mut State, service: &str, release: Option<&str>, env: &str) -> Vec<Effect> {
    if let Some(refused) = in_flight_refusal(state, service, env) {
        state.toast(Level::Error, refused);
        return Vec::new();
    }
    let Some(release) = resolve(state, service, release, env).cloned() else {
        let why = match release {
            Some(name) => {
                format!("{service} has no release {name}; see `shipdeck releases {service}`")
            }
            None if checking_before(state, service, env) => format!(
                "what {service} runs before {env} is not known yet (still checking); try again in a moment"
            ),
            None => format!(
                "nothing waits to enter {env}: {service} runs there what the environment before runs"
            ),
        };
        state.toast(Level::Error, why);
        return Vec::new();
    };
    open_plan(state, service, release, env, false)
}

/// Opens the confirmation of a promotion (or rollback) and asks for its plan.
pub fn open_plan(
    state: &mut State,
    service: &str,
    release: Release,
    env: &str,
    rollback: bool,
) -> Vec<Effect> {
    let verb = if rollback { "Roll back" } else { "Promote" };
    let protected = state.config.environment(env).is_some_and(|e| e.protected);
    let mut confirm = Confirm::new(
        Confirmed::Promote {
            service: service.to_string(),
            release: release.clone(),
            env: env.to_string(),
            rollback,
        },
        format!("{verb} {service} to {} in {env}", release.name),
        Vec::new(),
    );
    if protected {
        confirm.require = Some(env.to_string());
    }
    let kind = OpKind::ConfirmPlan { rollback };
    state.supersede(&kind);
    let op = state.start_op(kind, format!("planning {} → {env}", release.name));
    confirm.loading = Some(op);
    state.overlay = Some(Overlay::Confirm(Box::new(confirm)));
    vec![Effect::LoadPlan {
        op,
        service: service.to_string(),
        release,
        env: env.to_string(),
        rollback,
    }]
}

fn approve(state: &mut State, service: &str, release: Option<&str>, env: &str) -> Vec<Effect> {
    let release = match release {
        Some(_) => resolve(state, service, release, env),
        None => grid::subject(state, service, env),
    };
    let Some(release) = release.cloned() else {
        state.toast(
            Level::Error,
            format!("no release of {service} to approve for {env}: none waits and none runs there"),
        );
        return Vec::new();
    };
    let lines = vec![
        format!("You ({}) approve {} for {env}.", state.user, release.name),
        format!(
            "The approval is bound to commit {}; if the tag moves, it no longer counts.",
            short(&release.commit)
        ),
        "Enter or y records it; Esc cancels.".into(),
    ];
    let confirm = Confirm::new(
        Confirmed::Approve {
            service: service.to_string(),
            release: release.clone(),
            env: env.to_string(),
        },
        format!("Approve {} for {env}", release.name),
        lines,
    );
    state.overlay = Some(Overlay::Confirm(Box::new(confirm)));
    Vec::new()
}

/// The confirmed action's effects.
pub fn confirmed(state: &mut State, action: Confirmed) -> Vec<Effect> {
    match action {
        Confirmed::Promote {
            service,
            release,
            env,
            rollback,
        } => {
            let key = TargetKey::new(&service, &env);
            let label = format!("deploying {} to {env}", release.name);
            let op = state.start_op(OpKind::Promote(key), label.clone());
            state
                .output
                .insert(op, (label, std::collections::VecDeque::default()));
            vec![Effect::Promote {
                op,
                service,
                release,
                env,
                rollback,
            }]
        }
        Confirmed::Approve {
            service,
            release,
            env,
        } => {
            let op = state.start_op(
                OpKind::Record(format!("approved {} for {env}", release.name)),
                "approving",
            );
            vec![Effect::Approve {
                op,
                service,
                release,
                env,
            }]
        }
        Confirmed::Override {
            service,
            release,
            env,
            gate,
            reason,
        } => {
            let op = state.start_op(
                OpKind::Record(format!(
                    "overrode gate {gate} for {} in {env}",
                    release.name
                )),
                "overriding",
            );
            vec![Effect::Override {
                op,
                service,
                release,
                env,
                gate,
                reason,
            }]
        }
        Confirmed::Tag {
            service,
            commit,
            version,
        } => {
            let op = state.start_op(
                OpKind::Record(format!("tagged {service} {version}")),
                "tagging",
            );
            vec![Effect::Tag {
                op,
                service,
                commit,
                version,
            }]
        }
        Confirmed::PublishNotes {
            service,
            release,
            env,
        } => crate::console::flows::notes::publish_confirmed(state, service, release, env),
        Confirmed::Quit => {
            state.quitting = true;
            vec![Effect::Quit]
        }
    }
}

/// `a`, `p`, `o` in the gates view act on the promotion (or gate) under the cursor.
pub fn gate_key(state: &mut State, c: char) -> Vec<Effect> {
    let rows = grid::gate_rows(state);
    let Some(row) = rows.get(state.cursor("gates")) else {
        state.toast(Level::Info, "no promotion is waiting");
        return Vec::new();
    };
    let (key, release, gate) = (row.key.clone(), row.release.clone(), row.gate);
    drop(rows);
    match c {
        'a' => run(
            state,
            Command::Approve {
                service: key.service,
                release: Some(release.name),
                env: key.env,
            },
        ),
        'p' => run(
            state,
            Command::Promote {
                service: key.service,
                release: Some(release.name),
                env: key.env,
            },
        ),
        _ => {
            if state.read_only {
                state.toast(Level::Error, READ_ONLY);
                return Vec::new();
            }
            let outcome =
                gate.and_then(|i| state.plans.get(&key).and_then(|p| p.report.gates.get(i)));
            let Some(outcome) = outcome.cloned() else {
                state.toast(Level::Info, "gates are still being evaluated");
                return Vec::new();
            };
            if outcome.kind == "approval" {
                state.toast(
                    Level::Error,
                    "approval gates can never be overridden; ask an approver (a)",
                );
            } else if matches!(outcome.status, GateStatus::Pass | GateStatus::Overridden) {
                state.toast(Level::Info, format!("gate {} does not block", outcome.id));
            } else {
                state.overlay = Some(Overlay::Input(Input {
                    prompt: format!(
                        "reason to override {} for {} in {}",
                        outcome.id, release.name, key.env
                    ),
                    purpose: InputPurpose::OverrideReason {
                        service: key.service,
                        release,
                        env: key.env,
                        gate: outcome.id,
                    },
                    text: String::new(),
                }));
            }
            Vec::new()
        }
    }
}

/// Space ticks or unticks the item under the cursor; `e` asks for a note.
pub fn checklist_key(state: &mut State, c: char) -> Vec<Effect> {
    if state.read_only {
        state.toast(Level::Error, READ_ONLY);
        return Vec::new();
    }
    let Some((key, release, template)) = grid::selected_checklist(state) else {
        state.toast(
            Level::Info,
            "no checklist here: the environment has no checklist gate",
        );
        return Vec::new();
    };
    let Some(item) = template.items.get(state.cursor("checklist")) else {
        return Vec::new();
    };
    let (release, item, checklist) = (release.clone(), item.id.clone(), template.name.clone());
    if c == 'e' {
        state.overlay = Some(Overlay::Input(Input {
            prompt: format!("note on {item}"),
            purpose: InputPurpose::Note {
                service: key.service,
                release: release.name,
                env: key.env,
                item,
            },
            text: String::new(),
        }));
        return Vec::new();
    }
    let ticked = state
        .ledger
        .ticks(&key.service, &release.name, &key.env, &checklist)
        .get(&item)
        .is_some_and(|t| t.ticked);
    let verb = if ticked { "unticked" } else { "ticked" };
    let op = state.start_op(OpKind::Record(format!("{verb} {item}")), verb);
    vec![Effect::Tick {
        op,
        service: key.service,
        release,
        env: key.env,
        item,
        on: !ticked,
    }]
}

/// Loads the changes waiting at the selected cell when they are not loaded yet.
pub fn load_changes(state: &mut State) -> Vec<Effect> {
    let Some(key) = grid::selected(state) else {
        return Vec::new();
    };
    let Some(to) = grid::candidate(state, &key.service, &key.env).map(|r| r.name.clone()) else {
        return Vec::new();
    };
    let Some(from) = grid::cell(state, &key.service, &key.env).release else {
        return Vec::new();
    };
    if state
        .changes
        .get(&key)
        .is_some_and(|c| c.from == from && c.to == to)
    {
        return Vec::new();
    }
    state.changes.insert(
        key.clone(),
        Changes {
            from: from.clone(),
            to: to.clone(),
            commits: Vec::new(),
        },
    );
    state.supersede(&OpKind::Changelog(key.clone()));
    let op = state.start_op(
        OpKind::Changelog(key.clone()),
        format!("changes {from}..{to}"),
    );
    vec![Effect::Changelog {
        op,
        service: key.service,
        from,
        to,
    }]
}

/// The changes waiting at the selected cell, when loaded.
pub fn selected_changes(state: &State) -> Option<&Changes> {
    state.changes.get(&grid::selected(state)?)
}

pub fn selected_changes_len(state: &State) -> usize {
    selected_changes(state).map_or(0, |c| c.commits.len())
}

/// The commit under the release view's cursor.
pub fn selected_commit(state: &State) -> Option<String> {
    selected_changes(state)?
        .commits
        .get(state.cursor("release"))
        .map(|c| c.commit.clone())
}

pub fn open_palette(state: &mut State) {
    state.overlay = Some(Overlay::Palette(Palette {
        query: String::new(),
        selected: 0,
        items: palette::items(state),
    }));
}
