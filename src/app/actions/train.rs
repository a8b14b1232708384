//! Trains: cutting a train release, its approvals, checklist and notes, and the plan of its
//! promotion (every member's plan, the train's approvals standing in for the members' approval
//! gates). The promotion itself is in `train_promote`.

use crate::store::Events;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::app::context::{Context, did_you_mean, now};
use crate::app::failure::Failure;
use crate::app::signatures;
use crate::domain::checklist::runs_in;
use crate::domain::commit_id::{PINNED, short_n};
use crate::domain::config::{ChecklistTemplate, Environment, GateRule, Stage};
use crate::domain::event::{Event, Fact};
use crate::domain::gates::{GateInputs, GateOutcome, GateStatus, evaluate};
use crate::domain::ledger::Ledger;
use crate::domain::observation::Observation;
use crate::domain::release::Release;
use crate::domain::running::Running;
use crate::domain::sanitize::sanitize;
use crate::domain::train::{Train, TrainMember, TrainRelease, Trains, digest_of};

use super::observe::running_release;
use super::plan::{Plan, build};
use super::query::{releases, resolve_release};
use super::record::checklists_of;

/// The train named `name`, or a usage failure listing the trains.
pub fn train_of<'a>(ctx: &'a Context, name: &str) -> Result<&'a Train, Failure> {
    ctx.config.train(name).ok_or_else(|| {
        let names: Vec<&str> = ctx.config.trains.iter().map(|t| t.name.as_str()).collect();
        Failure::usage(if names.is_empty() {
            format!("no train named `{name}`: the configuration has no `[[trains]]`")
        } else {
            format!(
                "no train named `{name}`{}; trains: {}",
                did_you_mean(name, &names),
                names.join(", ")
            )
        })
    })
}

/// The log's trains: releases cut and promotions.
pub fn trains(ctx: &Context) -> Result<(Events, Ledger, Trains), Failure> {
    let (events, ledger) = ctx.ledger()?;
    let trains = Trains::from_events(&events);
    Ok((events, ledger, trains))
}

/// The train release `name` of `train` as its cut pinned it (`latest` names the newest cut).
pub fn train_release(ctx: &Context, train: &str, name: &str) -> Result<TrainRelease, Failure> {
    train_of(ctx, train)?;
    let (_, _, trains) = trains(ctx)?;
    let found = if name == "latest" {
        trains.releases_of(train).first().copied()
    } else {
        trains.release(train, name)
    };
    found.cloned().ok_or_else(|| {
        let names: Vec<&str> = trains
            .releases_of(train)
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        Failure::usage(if names.is_empty() {
            format!("`{train}` has no train release yet; cut one with `shipdeck train cut {train} --from ENV`")
        } else {
            format!(
                "no train release `{name}` of `{train}`{}; newest: {}",
                did_you_mean(name, &names),
                names.iter().take(5).copied().collect::<Vec<_>>().join(", ")
            )
        })
    })
}

/// Where a cut takes its members' releases from.
#[derive(Debug, Clone)]
pub enum CutFrom {
    /// What runs in this environment now.
    Env(String),
    /// Named releases: (service, release or version or commit), one per member.
    Releases(Vec<(String, String)>),
}

/// Records a `train-cut`: pins each member's release and commit, named `<train>-<day>-<n>`.
pub fn cut(
    ctx: &Context,
    train: &str,
    from: &CutFrom,
    observations: &[Observation],
) -> Result<TrainRelease, Failure> {
    ctx.writable("train cut")?;
    let t = train_of(ctx, train)?.clone();
    let (_, ledger, trains) = trains(ctx)?;
    let mut members = Vec::new();
    match from {
        CutFrom::Env(env) => {
            ctx.environment(env)?;
            for service in &t.services {
                let all = releases(ctx, service)?;
                let running = running_release(ctx, &ledger, service, env, observations, &all);
                if let Running::Unmatched { version, .. } = &running {
                    return Err(Failure::failed(format!(
                        "`{service}` in `{env}` reports {version}, which matches no release; name \
                         the releases with `--releases {service}=RELEASE,…`"
                    )));
                }
                let Some(name) = running.release() else {
                    return Err(Failure::failed(format!(
                        "nothing is known to run in `{env}` for `{service}`: no live report and \
                         no successful deployment in the log; name the releases with \
                         `--releases {service}=RELEASE,…`"
                    )));
                };
                let release = resolve_release(ctx, service, name)?;
                members.push(member(service, &release));
            }
        }
        CutFrom::Releases(list) => {
            for (service, _) in list {
                if !t.services.contains(service) {
                    return Err(Failure::usage(format!(
                        "`{service}` is not a member of `{train}` (members: {})",
                        t.services.join(", ")
                    )));
                }
            }
            for service in &t.services {
                let Some((_, spec)) = list.iter().find(|(s, _)| s == service) else {
                    return Err(Failure::usage(format!(
                        "no release named for `{service}`: a train release pins every member \
                         ({}); add `{service}=RELEASE`",
                        t.services.join(", ")
                    )));
                };
                let release = resolve_release(ctx, service, spec)?;
                members.push(member(service, &release));
            }
        }
    }
    let name = trains.next_name(train, now());
    let env = match from {
        CutFrom::Env(env) => Some(env.as_str()),
        CutFrom::Releases(_) => None,
    };
    let event = ctx.record(
        &Fact::TrainCut {
            members: members.clone(),
        },
        Some(train),
        Some(&name),
        env,
    )?;
    Ok(TrainRelease {
        train: train.to_string(),
        name,
        members,
        from_env: env.map(str::to_string),
        cut_by: event.actor.clone(),
        cut_at: event.at,
        event_id: event.id,
    })
}

fn member(service: &str, release: &Release) -> TrainMember {
    TrainMember {
        service: service.to_string(),
        release: release.name.clone(),
        commit: release.commit.clone(),
    }
}

/// A pinned member whose tag points elsewhere now, and the commit it points at.
pub type Moved = (TrainMember, String);

/// Each member's release as its tag resolves now, and the members whose tag moved since the cut
/// (with the commit it points at now).
pub fn current_members(
    ctx: &Context,
    release: &TrainRelease,
) -> Result<(Vec<TrainMember>, Vec<Moved>), Failure> {
    let mut now_members = Vec::new();
    let mut moved = Vec::new();
    for m in &release.members {
        let current = resolve_release(ctx, &m.service, &m.release)?;
        if current.commit != m.commit {
            moved.push((m.clone(), current.commit.clone()));
        }
        now_members.push(TrainMember {
            commit: current.commit,
            ..m.clone()
        });
    }
    Ok((now_members, moved))
}

/// Records the actor's approval of the train release for `env`, bound to every member's commit
/// (the train's digest). Refused when a member's tag moved since the cut.
pub fn approve(
    ctx: &Context,
    release: &TrainRelease,
    env: &str,
    note: Option<&str>,
) -> Result<Event, Failure> {
    ctx.writable("approve")?;
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
    let (_, moved) = current_members(ctx, release)?;
    if let Some((m, now_at)) = moved.first() {
        return Err(Failure::usage(format!(
            "{} moved since {} was cut (pinned {}, now {}); an approval would bind to commits \
             that no longer are the releases — cut a new train release",
            m.release,
            release.name,
            short_n(&m.commit, PINNED),
            short_n(now_at, PINNED)
        )));
    }
    let digest = release.digest();
    let (events, ledger) = ctx.ledger()?;
    if let Some(existing) = ledger
        .approvals(&release.train, &release.name, env)
        .into_iter()
        .find(|a| a.actor == ctx.actor && a.commit == digest)
        && let Some(e) = events.iter().find(|e| e.id == existing.event_id)
    {
        return Ok(e.clone());
    }
    ctx.record(
        &Fact::Approved {
            commit: digest,
            note: note.map(sanitize),
        },
        Some(&release.train),
        Some(&release.name),
        Some(env),
    )
}

/// The train's checklists for `env`: the templates of `env`'s checklist gates.
pub fn checklists<'a>(ctx: &'a Context, env: &str) -> Vec<&'a ChecklistTemplate> {
    checklists_of(ctx, env)
}

/// Ticks (`on`) or unticks an item of the train release's checklist for `env`.
pub fn tick(
    ctx: &Context,
    release: &TrainRelease,
    env: &str,
    item: &str,
    on: bool,
    note: Option<&str>,
) -> Result<Event, Failure> {
    ctx.writable(if on { "tick" } else { "untick" })?;
    ctx.environment(env)?;
    let lists = checklists(ctx, env);
    let Some(template) = lists.iter().find(|t| t.items.iter().any(|i| i.id == item)) else {
        let ids: Vec<&str> = lists
            .iter()
            .flat_map(|t| t.items.iter().map(|i| i.id.as_str()))
            .collect();
        return Err(Failure::usage(if ids.is_empty() {
            format!("`{env}` has no checklist gate")
        } else {
            format!(
                "no checklist item `{item}` in `{env}`{}; items: {}",
                did_you_mean(item, &ids),
                ids.join(", ")
            )
        }));
    };
    let note = note.map(|n| sanitize(n.trim())).filter(|n| !n.is_empty());
    if let Some(spec) = template.items.iter().find(|i| i.id == item)
        && on
    {
        let (_, ledger) = ctx.ledger()?;
        let noted = ledger
            .ticks(&release.train, &release.name, env, &template.name)
            .get(item)
            .is_some_and(|t| !t.notes.is_empty());
        if spec.needs_note && note.is_none() && !noted {
            return Err(Failure::usage(format!(
                "ticking `{item}` ({}) needs a note: the plan itself, e.g. `--note \"back out \
                 with shipdeck train rollback if checkout errors double\"`",
                spec.title
            )));
        }
        // An `after` item waits until every member runs its release there.
        if spec.stage == Stage::After
            && let Some(m) = release
                .members
                .iter()
                .find(|m| !runs_in(&ledger, &m.service, &m.release, env, None))
        {
            return Err(Failure::usage(format!(
                "`{item}` is done after the train runs in {env}, and {} does not run there yet",
                m.release
            )));
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
    ctx.record(&fact, Some(&release.train), Some(&release.name), Some(env))
}

/// One set of release notes for the train release: each member's own notes (its changes by
/// its paths, since its previous release or since what runs in `env`), in the train's order.
pub fn notes(
    ctx: &Context,
    release: &TrainRelease,
    env: Option<&str>,
    observations: &[Observation],
) -> Result<String, Failure> {
    let mut out = format!(
        "# {} {}\n\nA coordinated release of {} ({}), cut {}{}.\n\n",
        release.train,
        release.name,
        release.members.len(),
        release
            .members
            .iter()
            .map(|m| m.release.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        release.cut_at.strftime("%Y-%m-%d %H:%M UTC"),
        release
            .from_env
            .as_deref()
            .map(|e| format!(" from what ran in {e}"))
            .unwrap_or_default()
    );
    for m in &release.members {
        let r = resolve_release(ctx, &m.service, &m.release)?;
        let member = super::query::notes(ctx, &m.service, &r, env, observations)?;
        for line in member.lines() {
            if line.starts_with('#') {
                out.push('#');
            }
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
    }
    Ok(out)
}

/// One member's part of a train promotion.
#[derive(Debug, Clone, Serialize)]
pub struct MemberPlan {
    pub member: TrainMember,
    /// The member's own plan, its approval gates answered by the train's approvals.
    pub plan: Plan,
    /// It already runs the pinned release there: nothing to move.
    pub already: bool,
}

/// A train promotion as it would happen now.
#[derive(Debug, Clone, Serialize)]
pub struct TrainPlan {
    pub train: String,
    pub release: TrainRelease,
    pub env: String,
    pub members: Vec<MemberPlan>,
    /// The train's approval gates of `env`, evaluated against the train's approvals.
    pub approvals: Vec<GateOutcome>,
    pub protected: bool,
}

impl TrainPlan {
    /// Every member that moves may move (a member already there does not count).
    pub fn allowed(&self) -> bool {
        self.members
            .iter()
            .all(|m| m.already || m.plan.report.allowed())
    }

    /// The members that would move, in order.
    pub fn moving(&self) -> impl Iterator<Item = &MemberPlan> {
        self.members.iter().filter(|m| !m.already)
    }

    /// "member: gate (status): reason" for each blocking gate.
    pub fn blocking(&self) -> Vec<String> {
        self.moving()
            .flat_map(|m| {
                m.plan.report.blocking().into_iter().map(move |g| {
                    format!(
                        "{} {}: {} ({}): {}",
                        m.member.service,
                        m.member.release,
                        g.id,
                        g.status.as_str(),
                        g.reason
                    )
                })
            })
            .collect()
    }
}

/// Plans every member's promotion into `env`: each member's gates as its own plan has them,
/// except that its approval gates are the train's (approvals of the train release bound to all
/// members' commits); a member whose tag moved since the cut also fails a `pinned` gate.
pub async fn plan(
    ctx: &Context,
    release: &TrainRelease,
    env: &str,
    observations: &[Observation],
) -> Result<TrainPlan, Failure> {
    train_of(ctx, &release.train)?;
    let environment = ctx.environment(env)?.clone();
    let (now_members, moved) = current_members(ctx, release)?;
    let approvals = train_approvals(ctx, release, &environment, &digest_of(&now_members))?;
    let mut members = Vec::new();
    for (pinned, current) in release.members.iter().zip(&now_members) {
        let r = resolve_release(ctx, &pinned.service, &pinned.release)?;
        let mut plan = build(ctx, &pinned.service, &r, env, observations, false).await?;
        for gate in &mut plan.report.gates {
            if let Some(train_gate) = approvals.iter().find(|a| a.id == gate.id) {
                *gate = train_gate.clone();
            }
        }
        if let Some((m, now_at)) = moved.iter().find(|(m, _)| m.service == pinned.service) {
            plan.report.gates.insert(
                0,
                pinned_gate(format!(
                    "{} moved since the cut: pinned {}, now {}; cut a new train release",
                    m.release,
                    short_n(&m.commit, PINNED),
                    short_n(now_at, PINNED)
                )),
            );
        }
        let already = plan.running.name() == Some(current.release.as_str())
            && moved.iter().all(|(m, _)| m.service != pinned.service);
        members.push(MemberPlan {
            member: current.clone(),
            plan,
            already,
        });
    }
    Ok(TrainPlan {
        train: release.train.clone(),
        release: release.clone(),
        env: env.to_string(),
        members,
        approvals,
        protected: environment.protected,
    })
}

fn pinned_gate(reason: String) -> GateOutcome {
    // Built through a one-gate evaluation's shape: a failing gate of its own kind.
    GateOutcome {
        id: "pinned".to_string(),
        kind: "pinned",
        status: GateStatus::Fail,
        reason,
        until: None,
        who: None,
        needs: None,
    }
}

/// `env`'s approval gates evaluated for the train release: the approvals recorded for it,
/// counted only when bound to `digest` (every member's commit as it is now).
fn train_approvals(
    ctx: &Context,
    release: &TrainRelease,
    environment: &Environment,
    digest: &str,
) -> Result<Vec<GateOutcome>, Failure> {
    let gates: Vec<_> = environment
        .gates
        .iter()
        .filter(|g| matches!(g.rule, GateRule::Approval { .. }))
        .cloned()
        .collect();
    if gates.is_empty() {
        return Ok(Vec::new());
    }
    let (events, ledger) = ctx.ledger()?;
    let only_approvals = Environment {
        gates,
        ..environment.clone()
    };
    let signatures = if signatures::wants_signed_approvals(&only_approvals) {
        signatures::verifier(&ctx.config)
            .map(|v| {
                signatures::approval_checks(
                    &v,
                    &events,
                    &release.train,
                    &release.name,
                    &environment.name,
                )
            })
            .unwrap_or_default()
    } else {
        BTreeMap::new()
    };
    // The train stands where a service would: its name, and a release whose commit is the
    // digest of all the members' commits.
    let Some(first) = release
        .members
        .first()
        .and_then(|m| ctx.config.service(&m.service))
    else {
        return Ok(Vec::new());
    };
    let pseudo_service = crate::domain::config::Service {
        name: release.train.clone(),
        ..first.clone()
    };
    let pseudo_release = Release {
        name: release.name.clone(),
        version: release.name.clone(),
        commit: digest.to_string(),
        date: release.cut_at,
    };
    let report = evaluate(
        &GateInputs {
            config: &ctx.config,
            service: &pseudo_service,
            env: &only_approvals,
            release: &pseudo_release,
            actor: &ctx.actor,
            ledger: &ledger,
            observations: &[],
            external: &BTreeMap::new(),
            signatures: &signatures,
        },
        now(),
    );
    Ok(report
        .gates
        .into_iter()
        .filter(|g| g.kind == "approval")
        .map(|mut g| {
            g.reason = format!("train {}: {}", release.name, g.reason);
            g
        })
        .collect())
}
