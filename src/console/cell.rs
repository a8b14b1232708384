//! The board-cell model: what one cell of the board says, as a list of facts, built here and
//! only rendered by the board view (`tui::views::board`).
//!
//! A cell has two lines. The first, [`BoardCell::head`], is a row of badges: health and
//! release, its age, the drift mark — and any fact a feature adds there (traffic slot and
//! weights, flags summary, unreleased-commit count, train progress…). The second,
//! [`BoardCell::status`], is the single most pressing thing happening or waiting there: the
//! first of [`STATUS_FACTS`] that has something to say (in flight, failed, drift, down with
//! why, waiting with its readiness, unhealthy).
//!
//! # How to add a cell fact
//!
//! Write one `fn(&Facts) -> Option<Badge>` below and add it to [`HEAD_FACTS`] (a badge on the
//! first line, in order) or to [`STATUS_FACTS`] (a candidate for the second line, in priority
//! order). [`Facts`] carries what the cell knows; if the fact needs something new from the
//! state, read it through `facts.state`. The board view needs no change.

use crate::console::model::{self, Cell, Deploys};
use crate::console::state::{State, TargetName};
use crate::domain::gates::GateStatus;
use crate::domain::observation::Health;
use crate::domain::release::Release;

/// How a badge is coloured; the view maps it to the theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Dim,
    Accent,
    Good,
    Warn,
    Bad,
    Health(Health),
}

/// A glyph the view draws before a badge's text (it owns the glyphs and the animation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Spinner,
    Health(Health),
}

/// One fact as shown: an optional glyph, its text and tone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Badge {
    pub mark: Option<Mark>,
    pub text: String,
    pub tone: Tone,
    /// The badge that gives way (is truncated) when the line is too narrow; at most one per
    /// line.
    pub fit: bool,
    /// What to show instead when `text` does not fit: the same meaning in fewer characters
    /// (`connection refused` for `unreachable: connection refused` under an `unreachable` head).
    /// On the first line, every badge that has one switches to it when the whole line does not
    /// fit, before the fitting badge gives way.
    pub short: Option<String>,
}

impl Badge {
    pub fn new(text: impl Into<String>, tone: Tone) -> Badge {
        Badge {
            mark: None,
            text: text.into(),
            tone,
            fit: false,
            short: None,
        }
    }

    #[must_use]
    pub fn or_short(mut self, short: impl Into<String>) -> Badge {
        self.short = Some(short.into());
        self
    }

    #[must_use]
    pub fn marked(mut self, mark: Mark) -> Badge {
        self.mark = Some(mark);
        self
    }

    #[must_use]
    pub fn fit(mut self) -> Badge {
        self.fit = true;
        self
    }
}

/// One board cell, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardCell {
    pub head: Vec<Badge>,
    pub status: Option<Badge>,
}

/// What a fact may look at: the cell as the model derives it, the release waiting to enter,
/// and the whole state.
pub struct Facts<'a> {
    pub state: &'a State,
    pub service: &'a str,
    pub env: &'a str,
    pub cell: &'a Cell<'a>,
    pub candidate: Option<&'a Release>,
}

/// A fact: something to say about the cell, or nothing.
pub type Fact = fn(&Facts) -> Option<Badge>;

/// The first line's badges, in order.
pub const HEAD_FACTS: &[Fact] = &[
    glyph, release, checking, age, drift_mark, retry, flags, slots,
];

/// The second line: the first that has something to say.
pub const STATUS_FACTS: &[Fact] = &[
    rollout,
    in_flight,
    aborted,
    failed,
    drifted,
    traffic_drift,
    down,
    waiting,
    unhealthy,
];

/// The cell of (service, env), its deployments taken from a frame's index.
pub fn board_cell(state: &State, deploys: &Deploys<'_>, service: &str, env: &str) -> BoardCell {
    let cell = model::cell_in(state, deploys, service, env);
    let candidate = model::candidate_in(state, deploys, service, env);
    let facts = Facts {
        state,
        service,
        env,
        cell: &cell,
        candidate,
    };
    BoardCell {
        head: HEAD_FACTS.iter().filter_map(|f| f(&facts)).collect(),
        status: STATUS_FACTS.iter().find_map(|f| f(&facts)),
    }
}

/// The health glyph once a probe answered; a spinner while checking a known release.
fn glyph(f: &Facts) -> Option<Badge> {
    let cell = f.cell;
    if cell.checking {
        return cell
            .release
            .as_ref()
            .map(|_| Badge::new("", Tone::Dim).marked(Mark::Spinner));
    }
    Some(Badge::new("", Tone::Health(cell.health)).marked(Mark::Health(cell.health)))
}

/// The release it runs (while checking, the one known from the log); it gives way when narrow.
/// A target that does not answer says so rather than "no version".
fn release(f: &Facts) -> Option<Badge> {
    let cell = f.cell;
    // A version that matches no release is written as reported, marked `(unmatched)`.
    let name = match cell.running.on_board(!cell.checking) {
        Some(r) => r,
        None if cell.checking => return None,
        // A state, not a name: it keeps its letters and the badges after it give way.
        None => {
            let state = match cell.health {
                Health::Unreachable => "unreachable",
                Health::Fail => "failing",
                _ => "no version",
            };
            return Some(Badge::new(state, Tone::Plain));
        }
    };
    Some(Badge::new(name, Tone::Plain).fit())
}

/// "checking…" until the first probe answers.
fn checking(f: &Facts) -> Option<Badge> {
    if !f.cell.checking {
        return None;
    }
    Some(if f.cell.release.is_some() {
        Badge::new(" checking…", Tone::Dim)
    } else {
        Badge::new("· checking…", Tone::Dim)
    })
}

/// How long the release has been there.
fn age(f: &Facts) -> Option<Badge> {
    if f.cell.checking {
        return None;
    }
    let since = f.cell.since?;
    Some(Badge::new(
        format!(" {}", model::age(f.state.now, since)),
        Tone::Dim,
    ))
}

fn drift_mark(f: &Facts) -> Option<Badge> {
    (!f.cell.checking && f.cell.drift).then(|| Badge::new(" ≠", Tone::Warn))
}

/// The service's flags there (`⚑ 2 on · 1 at 10%`), from the flag services' latest reads; a
/// flag service holding some of its flags that cannot be read says so (`⚑ unreachable`) rather
/// than nothing or a count that may be stale.
fn flags(f: &Facts) -> Option<Badge> {
    if let Some((fault, _)) = crate::console::flags::services_for(f.state, f.service, f.env)
        .find_map(|spec| crate::console::flags::fault(f.state, spec))
    {
        return Some(Badge::new(format!(" ⚑ {}", fault.status()), Tone::Warn));
    }
    let values: Vec<crate::domain::flag::FlagValue> = f
        .state
        .config
        .flags
        .iter()
        .filter_map(|spec| Some((spec, f.state.flags.get(&spec.name)?.result.as_ref().ok()?)))
        .flat_map(|(spec, states)| {
            states
                .iter()
                .filter(move |s| s.env == f.env && spec.owner(&s.flag) == Some(f.service))
        })
        .map(|s| s.value)
        .collect();
    crate::domain::flag_summary::summary(&values)
        .map(|text| Badge::new(format!(" {text}"), Tone::Dim))
}

fn in_flight(f: &Facts) -> Option<Badge> {
    let d = f.cell.in_flight?;
    let elapsed = model::age(f.state.now, d.requested_at);
    let verb = if d.rollback { "rolling back to" } else { "→" };
    Some(Badge::new(format!("{verb} {} {elapsed}", d.release), Tone::Accent).marked(Mark::Spinner))
}

fn failed(f: &Facts) -> Option<Badge> {
    let d = f.cell.failed?;
    Some(Badge::new(
        format!("✖ {} failed · r rolls back", d.release),
        Tone::Bad,
    ))
}

fn drifted(f: &Facts) -> Option<Badge> {
    f.cell
        .drift
        .then(|| Badge::new("≠ drift: not deployed by shipdeck", Tone::Warn))
}

/// The countdown to a failing target's next probe (`↻ 4s`), live with every tick.
fn retry(f: &Facts) -> Option<Badge> {
    if f.cell.checking {
        return None;
    }
    let (_, left) = crate::console::down::retry(f.state, f.service, f.env)?;
    Some(Badge::new(format!(" ↻ {left}"), Tone::Warn))
}

/// Why a target that is down is down (`unreachable: connection refused`, `fail: HTTP 503`);
/// under a head that already says `unreachable`, the reason alone when narrow.
fn down(f: &Facts) -> Option<Badge> {
    let o = f
        .cell
        .observation
        .filter(|o| matches!(o.health, Health::Unreachable | Health::Fail))?;
    let badge = Badge::new(o.problem()?, Tone::Health(o.health));
    Some(if o.detail.is_empty() {
        badge
    } else {
        badge.or_short(o.detail.clone())
    })
}

/// The release waiting to enter, with what its gates say.
fn waiting(f: &Facts) -> Option<Badge> {
    let candidate = f.candidate?;
    let plan = f
        .state
        .plans
        .get(&(f.service, f.env) as &dyn TargetName)
        .filter(|p| p.release.name == candidate.name);
    let (mark, tone) = match plan {
        Some(p) if p.report.allowed() => ("⇡ ready", Tone::Good),
        Some(p) if p.report.gates.iter().any(|g| g.status == GateStatus::Fail) => {
            ("⇡ blocked", Tone::Bad)
        }
        Some(_) => ("⇡ waiting", Tone::Warn),
        None => ("⇡", Tone::Dim),
    };
    Some(Badge::new(format!("{mark} {}", candidate.name), tone))
}

/// Why a probe does not pass.
fn unhealthy(f: &Facts) -> Option<Badge> {
    let o = f.cell.observation.filter(|o| o.health != Health::Pass)?;
    Some(Badge::new(o.detail.clone(), Tone::Health(o.health)))
}

/// A slotted target's live slot with its weight and the idle slot's release, from the router's
/// latest reading (` blue 90% · green web-v2.0.0`); the live slot alone when narrow.
fn slots(f: &Facts) -> Option<Badge> {
    let reading = crate::console::traffic::slotted(f.state, f.service, f.env)?
        .reading
        .as_ref()?;
    if reading.weights.is_err() {
        // The fault itself is the status line's (`down`, `rollout`); the head says which part
        // failed.
        return Some(Badge::new(" ⇄ router ✖", Tone::Bad));
    }
    let live = reading.live()?;
    let head = format!(" ⇄ {} {}%", live.name, live.weight.unwrap_or(0));
    let text = match reading.idle() {
        Some(idle) => format!("{head} · {} {}", idle.name, idle.runs()),
        None => head.clone(),
    };
    Some(Badge::new(text, Tone::Dim).or_short(head))
}

/// The rollout in progress: the next step's countdown (`green 10% → 50% in 3m`) while it is
/// driven, `paused: nobody driving` when its driver is gone, the router's fault when it cannot
/// be read (the rollout then pauses, nothing assumed).
fn rollout(f: &Facts) -> Option<Badge> {
    use crate::console::traffic::{self, Driver};
    let r = traffic::running(f.state, f.service, f.env)?;
    let reading = traffic::slotted(f.state, f.service, f.env).and_then(|s| s.reading.as_ref());
    if let Some(Err(e)) = reading.map(|r| &r.weights) {
        return Some(
            Badge::new(format!("⏸ {} router: {e}", r.to), Tone::Bad)
                .or_short(format!("⏸ {} router ✖", r.to)),
        );
    }
    let weight = r.recorded().get(&r.to).copied().unwrap_or(0);
    let step = traffic::step_text(f.state, f.service, f.env)?;
    Some(match traffic::driver(f.state, f.service, f.env) {
        Driver::Here | Driver::Elsewhere => Badge::new(step, Tone::Accent).marked(Mark::Spinner),
        Driver::Nobody => Badge::new(
            format!("⏸ {} {weight}% paused: nobody driving · ] resumes", r.to),
            Tone::Warn,
        )
        .or_short(format!("⏸ {} {weight}% paused", r.to)),
        Driver::Unknown => Badge::new(step, Tone::Dim),
    })
}

/// The router holds a split other than the one last recorded: drift, computed, never recorded.
fn traffic_drift(f: &Facts) -> Option<Badge> {
    let spec = crate::console::traffic::spec(f.state, f.service, f.env)?;
    let (router, recorded) = crate::console::traffic::drift(f.state, f.service, f.env)?;
    let show = |w| crate::domain::traffic::describe_weights(&spec.slots, w);
    Some(
        Badge::new(
            format!("≠ router {}; recorded {}", show(router), show(recorded)),
            Tone::Warn,
        )
        .or_short(format!("≠ router {}", show(router))),
    )
}

/// The last deployment here was a rollout that was aborted: all traffic went back on the old
/// slot, so there is nothing to roll back (what `failed` would offer).
fn aborted(f: &Facts) -> Option<Badge> {
    let d = f.cell.failed?;
    let r = crate::console::traffic::slotted(f.state, f.service, f.env)?
        .rollout
        .as_ref()
        .filter(|r| r.deployment == d.id)?;
    let crate::domain::rollout::Outcome::Aborted { reason, .. } = &r.outcome else {
        return None;
    };
    Some(
        Badge::new(
            format!(
                "⤺ {} aborted: {} takes all traffic ({reason})",
                r.release, r.from
            ),
            Tone::Warn,
        )
        .or_short(format!("⤺ {} aborted", r.release)),
    )
}
