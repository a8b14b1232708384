//! One [`Decision`] a person takes (approve, override, tick, note, tag), recorded by one call,
//! [`record`], whichever front end asked: the command line and the console record exactly the
//! same event for the same decision.

use crate::app::context::Context;
use crate::app::failure::Failure;
use crate::domain::event::Event;
use crate::domain::observation::Observation;
use crate::domain::release::Release;

use super::record as recorded;

/// A decision about a release (or, for a tag, a commit).
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Approve {
        service: String,
        release: Release,
        env: String,
        note: Option<String>,
    },
    Override {
        service: String,
        release: Release,
        env: String,
        gate: String,
        reason: String,
    },
    /// Tick (`on`) or untick a checklist item.
    Tick {
        service: String,
        release: Release,
        env: String,
        item: String,
        on: bool,
        note: Option<String>,
    },
    Note {
        service: String,
        release: Release,
        env: String,
        item: String,
        note: String,
    },
    Tag {
        service: String,
        commit: String,
        version: String,
        message: Option<String>,
        push: bool,
    },
}

/// Records `decision` (refused under `--read-only`, like every change). `observations` are the
/// targets' latest probes where the caller has them: an `after` checklist item is ticked only
/// once the release runs there.
pub fn record(
    ctx: &Context,
    decision: &Decision,
    observations: &[Observation],
) -> Result<Event, Failure> {
    match decision {
        Decision::Approve {
            service,
            release,
            env,
            note,
        } => recorded::approve(ctx, service, release, env, note.as_deref()),
        Decision::Override {
            service,
            release,
            env,
            gate,
            reason,
        } => recorded::override_gate(ctx, service, release, env, gate, reason),
        Decision::Tick {
            service,
            release,
            env,
            item,
            on,
            note,
        } => recorded::tick_seen(
            ctx,
            service,
            release,
            env,
            item,
            *on,
            note.as_deref(),
            observations,
        ),
        Decision::Note {
            service,
            release,
            env,
            item,
            note,
        } => recorded::note_item(ctx, service, release, env, item, note),
        Decision::Tag {
            service,
            commit,
            version,
            message,
            push,
        } => recorded::tag(ctx, service, commit, version, message.as_deref(), *push),
    }
}
