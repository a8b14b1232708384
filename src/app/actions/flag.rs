//! Feature flags: the board of flags × environments (with drift), and changing one — the exact
//! call shown first, freezes stopping only what raises exposure, read back before it counts,
//! recorded as `flag-changed`.

use jiff::Timestamp;
use reqwest::Client;

use crate::app::context::{Context, did_you_mean, now};
use crate::app::failure::Failure;
use crate::deploy::secret::{load_known, secret_names, shown};
use crate::domain::config::Config;
use crate::domain::event::{Event, Fact};
use crate::domain::flag::{FlagFault, FlagKind, FlagReading, FlagService, FlagValue};
use crate::domain::flag_change::{
    Direction, FlagAction, FlagChange, active_freeze, changes, direction, drifted, last_recorded,
};
use crate::domain::sanitize::sanitize;
use crate::flags::{self, Call};

/// One flag in one environment, as the board shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagRow {
    /// The flag service's name.
    pub provider: String,
    pub flag: String,
    /// The shipdeck service whose flag it is; `None`: a flag of no service.
    pub service: Option<String>,
    pub env: String,
    pub value: FlagValue,
    pub strategies: Vec<String>,
    /// What shipdeck's last recorded change left it at.
    pub recorded: Option<FlagValue>,
    /// Changed outside shipdeck since then: computed, never recorded.
    pub drift: bool,
}

/// The rows of `readings`, filtered by environment and service, in path order. Pure: the
/// console builds its view from the same function.
pub fn rows<'a>(
    config: &Config,
    readings: impl IntoIterator<Item = &'a FlagReading>,
    changes: &[FlagChange],
    env: Option<&str>,
    service: Option<&str>,
) -> Vec<FlagRow> {
    let mut out: Vec<FlagRow> = Vec::new();
    for reading in readings {
        let Some(spec) = config.flags.iter().find(|f| f.name == reading.provider) else {
            continue;
        };
        let Ok(states) = &reading.result else {
            continue;
        };
        for state in states {
            if env.is_some_and(|e| e != state.env) {
                continue;
            }
            let owner = spec.owner(&state.flag).map(str::to_string);
            if service.is_some_and(|s| owner.as_deref() != Some(s)) {
                continue;
            }
            let recorded = last_recorded(changes, &spec.name, &state.flag, &state.env);
            out.push(FlagRow {
                provider: spec.name.clone(),
                flag: state.flag.clone(),
                service: owner,
                env: state.env.clone(),
                value: state.value,
                strategies: state.strategies.clone(),
                recorded,
                drift: drifted(state.value, recorded),
            });
        }
    }
    // Path order of environments, then by service (flags of no service last), then by name.
    let position = |env: &str| config.environments.iter().position(|e| e.name == env);
    out.sort_by(|a, b| {
        (
            position(&a.env),
            a.service.is_none(),
            &a.service,
            &a.flag,
            &a.provider,
        )
            .cmp(&(
                position(&b.env),
                b.service.is_none(),
                &b.service,
                &b.flag,
                &b.provider,
            ))
    });
    out
}

/// Every flag service read once, now.
pub async fn read_flags(ctx: &Context, client: &Client) -> Vec<FlagReading> {
    let services: Vec<&FlagService> = ctx.config.flags.iter().collect();
    flags::read_all(client, &services).await
}

/// Every `flag-changed` event of the log.
pub fn flag_changes(ctx: &Context) -> Result<Vec<FlagChange>, Failure> {
    let (events, _) = ctx.ledger()?;
    Ok(changes(&events))
}

/// A change, planned against a fresh read: what it will call and whether a freeze stops it.
#[derive(Debug, Clone)]
pub struct FlagPlan {
    /// The flag service's name.
    pub provider: String,
    pub flag: String,
    pub env: String,
    /// The shipdeck service whose flag it is.
    pub service: Option<String>,
    pub action: FlagAction,
    pub before: FlagValue,
    pub after: FlagValue,
    pub direction: Direction,
    pub call: Call,
    /// The call as shown and recorded (credentials masked).
    pub shown_call: String,
    pub protected: bool,
    /// `frozen: xmas until …` when a freeze covers the environment and the change raises
    /// exposure; off and lower are never blocked.
    pub freeze: Option<String>,
}

/// A flag service's fault as a refusal: nothing was changed.
fn refused(provider: &str, fault: &FlagFault) -> Failure {
    Failure::failed(format!(
        "flag service `{provider}` is {}; nothing was changed",
        fault_text(fault)
    ))
}

fn fault_text(fault: &FlagFault) -> String {
    match fault {
        FlagFault::Unreachable(_) | FlagFault::Slow(_) | FlagFault::Garbage(_) => fault.to_string(),
        FlagFault::Refused { .. } => format!("refusing: {fault}"),
        FlagFault::NoToken(_) => format!("not usable: {fault}"),
    }
}

/// Plans `action` on `flag` in `env`, from a fresh read of the flag services that map `env`.
pub async fn plan_flag(
    ctx: &Context,
    client: &Client,
    flag: &str,
    env: &str,
    action: FlagAction,
) -> Result<FlagPlan, Failure> {
    let environment = ctx.environment(env)?;
    let services: Vec<&FlagService> = ctx
        .config
        .flags
        .iter()
        .filter(|s| s.service_env(env).is_some())
        .collect();
    if services.is_empty() {
        return Err(Failure::usage(if ctx.config.flags.is_empty() {
            "no flag service is configured (`[[flags]]`)".to_string()
        } else {
            format!("no flag service maps `{env}` (their `environments`)")
        }));
    }
    // A flag a service's table names is read only from there; others from every service.
    let listed: Vec<&FlagService> = services
        .iter()
        .copied()
        .filter(|s| s.owner(flag).is_some())
        .collect();
    let asked = if listed.is_empty() { services } else { listed };
    let readings = flags::read_all(client, &asked).await;
    let mut found = Vec::new();
    let mut faults = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (spec, reading) in asked.iter().zip(&readings) {
        match &reading.result {
            Ok(states) => {
                names.extend(states.iter().map(|s| s.flag.clone()));
                if let Some(state) = reading.state(flag, env) {
                    found.push((*spec, state.clone()));
                }
            }
            Err(fault) => faults.push((spec.name.as_str(), fault)),
        }
    }
    let (spec, state) = match (found.len(), faults.first()) {
        (1, _) => found.remove(0),
        (0, Some((provider, fault))) => return Err(refused(provider, fault)),
        (0, None) => {
            names.sort();
            names.dedup();
            let shown_names: Vec<&str> = names.iter().map(String::as_str).collect();
            return Err(Failure::usage(format!(
                "no flag `{}` in `{env}`{}; flags there: {}",
                sanitize(flag),
                did_you_mean(flag, &shown_names),
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            )));
        }
        _ => {
            let providers: Vec<&str> = found.iter().map(|(s, _)| s.name.as_str()).collect();
            return Err(Failure::usage(format!(
                "flag `{}` is in more than one flag service ({}); list it under a service's \
                 flags in one of them (`services = {{ … }}`)",
                sanitize(flag),
                providers.join(", ")
            )));
        }
    };
    if let (FlagAction::Rollout(_), FlagKind::Http(h)) = (action, &spec.kind)
        && h.read.percent.is_none()
    {
        return Err(Failure::usage(format!(
            "flag service `{}` reads no percentage (`read.percent`), so a rollout could not be \
             read back",
            spec.name
        )));
    }
    let call = flags::call(spec, &state, action).map_err(|f| refused(&spec.name, &f))?;
    let before = state.value;
    let after = action.apply(before);
    let dir = direction(before, after);
    let freeze = (dir == Direction::Raise)
        .then(|| active_freeze(&ctx.config.freezes, env, now()))
        .flatten()
        .map(|(names, until)| freeze_text(&names, until));
    Ok(FlagPlan {
        provider: spec.name.clone(),
        flag: state.flag.clone(),
        env: env.to_string(),
        service: spec.owner(&state.flag).map(str::to_string),
        action,
        before,
        after,
        direction: dir,
        shown_call: call.describe(spec),
        call,
        protected: environment.protected,
        freeze,
    })
}

fn freeze_text(names: &[String], until: Timestamp) -> String {
    format!(
        "frozen: {} until {}",
        names.join(", "),
        until.strftime("%Y-%m-%d %H:%M UTC")
    )
}

/// The refusal of a frozen raise without a reason (exit 3, naming the freeze).
pub fn freeze_blocks(plan: &FlagPlan, reason: Option<&str>) -> Result<Option<String>, Failure> {
    let Some(freeze) = &plan.freeze else {
        return Ok(None);
    };
    match reason.map(|r| sanitize(r.trim())).filter(|r| !r.is_empty()) {
        Some(reason) => Ok(Some(reason)),
        None => Err(Failure::blocked(format!(
            "blocked by freeze: {} is {freeze}; {} {} would raise its exposure. Turning it off \
             or lowering it is never blocked; to pass the freeze give a reason (--reason TEXT)",
            plan.env,
            plan.flag,
            plan.action.describe()
        ))),
    }
}

/// How a change ended.
#[derive(Debug, Clone)]
pub struct FlagOutcome {
    pub event: Event,
    /// What the flag service said afterwards.
    pub read_back: Option<FlagValue>,
    pub ok: bool,
    /// Why not, when not ok.
    pub detail: String,
    /// The read that checked it: every flag of the service as it stands after the change (the
    /// console shows it at once rather than at the next interval).
    pub reading: FlagReading,
}

/// Sends the planned call once, reads the flag back, records `flag-changed` (failed when the
/// read-back differs). Refuses under `--read-only`; a call that never reached the service
/// records nothing.
pub async fn change_flag(
    ctx: &Context,
    client: &Client,
    plan: &FlagPlan,
    note: Option<&str>,
    freeze_override: Option<String>,
) -> Result<FlagOutcome, Failure> {
    ctx.writable("changing a flag")?;
    let spec = ctx
        .config
        .flags
        .iter()
        .find(|s| s.name == plan.provider)
        .ok_or_else(|| Failure::failed(format!("no flag service `{}`", plan.provider)))?;
    let known = load_known(&secret_names(&ctx.config));
    let secrets: Vec<&crate::deploy::Secret> = known.iter().collect();
    let sent = flags::write(client, spec, &plan.call).await;
    if let Err(fault) = &sent
        && flags::not_sent(fault)
    {
        return Err(refused(&plan.provider, fault));
    }
    let reading = flags::read(client, spec).await;
    let read_back = reading.state(&plan.flag, &plan.env).map(|s| s.value);
    let holds = read_back.is_some_and(|v| plan.action.holds(v));
    let detail = match (&sent, &reading.result, holds) {
        (Err(fault), _, _) => format!("the write failed: {fault}"),
        (Ok(_), Err(fault), _) => format!("could not read it back: {fault}"),
        (Ok(_), Ok(_), false) => match read_back {
            Some(v) => format!("read back {v}, not {}", plan.after),
            None => "the flag is gone from the flag service".to_string(),
        },
        (Ok(_), Ok(_), true) => String::new(),
    };
    let ok = sent.is_ok() && holds;
    let detail = shown(&detail, &secrets);
    let event = ctx.record(
        &Fact::FlagChanged {
            flag: plan.flag.clone(),
            provider: plan.provider.clone(),
            before: plan.before,
            after: plan.after,
            read_back,
            ok,
            call: plan.shown_call.clone(),
            note: note.map(|n| sanitize(n.trim())).filter(|n| !n.is_empty()),
            freeze_override,
            detail: detail.clone(),
        },
        plan.service.as_deref(),
        None,
        Some(&plan.env),
    )?;
    Ok(FlagOutcome {
        event,
        read_back,
        ok,
        detail,
        reading,
    })
}
