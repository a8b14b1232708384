//! Everything the console knows, in one value the views read and `update` changes. No IO here.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;

use jiff::Timestamp;

use crate::app::actions::Plan;
use crate::console::overlay::Overlay;
use crate::domain::change::Commit;
use crate::domain::config::Config;
use crate::domain::event::Event;
use crate::domain::ledger::Ledger;
use crate::domain::observation::Observation;
use crate::domain::release::Release;

/// How many observations a target keeps for its sparkline and health strip.
pub const HISTORY: usize = 60;
/// How many lines of deployer output are kept per operation.
pub const OUTPUT_LINES: usize = 200;

/// An operation id: every effect that reports back carries one, and a result whose id is no
/// longer in [`State::ops`] answers a superseded request and is dropped.
pub type OpId = u64;

pub use crate::console::views::View;

/// A service in an environment, as a map key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TargetKey {
    pub service: String,
    pub env: String,
}

impl TargetKey {
    pub fn new(service: &str, env: &str) -> TargetKey {
        TargetKey {
            service: service.to_string(),
            env: env.to_string(),
        }
    }
}

/// A target named by borrowed strings: looks a [`TargetKey`] up in a map without building one
/// (the board looks every cell up several times a frame; two `String`s each were a tenth of a
/// frame's time).
pub trait TargetName {
    fn service(&self) -> &str;
    fn env(&self) -> &str;
}

impl TargetName for TargetKey {
    fn service(&self) -> &str {
        &self.service
    }
    fn env(&self) -> &str {
        &self.env
    }
}

impl TargetName for (&str, &str) {
    fn service(&self) -> &str {
        self.0
    }
    fn env(&self) -> &str {
        self.1
    }
}

impl<'a> std::borrow::Borrow<dyn TargetName + 'a> for TargetKey {
    fn borrow(&self) -> &(dyn TargetName + 'a) {
        self
    }
}

// Ordered exactly as `TargetKey`'s derived order: service, then environment.
impl Ord for dyn TargetName + '_ {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.service(), self.env()).cmp(&(other.service(), other.env()))
    }
}

impl PartialOrd for dyn TargetName + '_ {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for dyn TargetName + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.service() == other.service() && self.env() == other.env()
    }
}

impl Eq for dyn TargetName + '_ {}

/// What the console knows about one target's probes.
#[derive(Debug, Clone, Default)]
pub struct TargetState {
    pub latest: Option<Observation>,
    /// Oldest first, at most [`HISTORY`].
    pub history: VecDeque<Observation>,
    /// Set while probes fail: the failures in a row and when the next probe is due.
    pub retrying: Option<Retry>,
}

/// A failing target's next probe: the countdown is `at` minus the console's `now`, so it counts
/// down with every tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Failures in a row.
    pub attempt: u32,
    /// When the next probe is due (never later than one probe interval after it was reported).
    pub at: Timestamp,
}

/// A release that runs in one environment and not yet in the next, with its gate report once
/// it has been evaluated.
#[derive(Debug, Clone)]
pub struct Promotion {
    pub service: String,
    pub release: Release,
    pub from: Option<String>,
    pub env: String,
    /// The newest plan for it (gates, changes, call); `None` until evaluated.
    pub plan: Option<Plan>,
}

/// What an operation in flight is for, so its result lands in the right place.
#[derive(Debug, Clone, PartialEq)]
pub enum OpKind {
    /// Gate reports for the gates view and the board.
    GatePlan(TargetKey),
    /// The plan shown in a promote/rollback confirmation.
    ConfirmPlan {
        rollback: bool,
    },
    /// Finding the release a rollback goes back to.
    RollbackTarget(TargetKey),
    /// A deployment request being made.
    Promote(TargetKey),
    /// An event being recorded (approve, override, tick, note, tag).
    Record(String),
    Changelog(TargetKey),
    Notes(TargetKey),
    NextVersions(String),
    /// Loading the current notes of a release to open the editor on them.
    EditNotes(TargetKey, Release),
    /// Recording what the editor left.
    SaveNotes(TargetKey),
    /// Publishing the notes through the channels.
    Publish(TargetKey),
    /// Planning a train promotion for its confirmation.
    TrainPlan,
    /// A train promotion (or backout) running: (train, release, env).
    TrainRun(String, String, String),
    /// Cutting a train release.
    TrainCut(String),
    /// A rollout of a slotted target this console starts and drives, resumes, aborts or
    /// switches; it ends with `Msg::RolloutEnded`.
    Rollout(TargetKey),
    /// Reading the router for the rollout steps a promote dialog of a slotted target shows.
    RolloutPlan(TargetKey),
    /// The plan shown in a flag change's confirmation.
    FlagPlan,
    /// A flag change being made (planned again, sent, read back, recorded).
    FlagChange {
        flag: String,
        env: String,
    },
    /// Computing the Insights view's figures for one (period, service).
    Insights(crate::console::insights::InsightsAsk),
}

/// An operation in flight.
#[derive(Debug, Clone, PartialEq)]
pub struct Op {
    pub kind: OpKind,
    pub started: Timestamp,
    /// What the activity view and spinner say about it.
    pub label: String,
}

/// How bad a toast is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

/// A short message in the corner, drawn above every overlay; errors say what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub level: Level,
    pub text: String,
    /// When it goes by itself; `None` (errors) stays until dismissed (Esc).
    pub until: Option<Timestamp>,
}

/// How many health changes the console remembers (all targets together).
pub const HEALTH_CHANGES: usize = 500;

/// A change of a target's health the console saw (pass → fail → pass): an observation, not an
/// event of the log; the target and activity views list them with their times.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthChange {
    pub service: String,
    pub env: String,
    pub from: crate::domain::observation::Health,
    pub to: crate::domain::observation::Health,
    pub at: Timestamp,
    /// The probe's detail when it changed (`HTTP 503`, `connection refused`).
    pub detail: String,
    /// The release it reported then, if any.
    pub release: Option<String>,
}

/// The changes between what runs in an environment and what would run next, loaded on demand.
#[derive(Debug, Clone, PartialEq)]
pub struct Changes {
    pub from: String,
    pub to: String,
    pub commits: Vec<Commit>,
}

/// The whole console.
#[derive(Debug, Clone)]
pub struct State {
    pub config: Config,
    pub config_path: PathBuf,
    pub user: String,
    pub read_only: bool,
    pub now: Timestamp,
    /// The zone times are shown in (the system's in the console, UTC in tests).
    pub tz: jiff::tz::TimeZone,
    /// Per service, newest first.
    pub releases: BTreeMap<String, Vec<Release>>,
    /// Each service's commits on HEAD since its newest release (or why they could not be read).
    pub unreleased: BTreeMap<String, Result<crate::app::actions::Unreleased, String>>,
    pub events: Vec<Event>,
    pub ledger: Ledger,
    /// Every train release and train promotion in the log (folded with the ledger).
    pub trains: crate::domain::train::Trains,
    pub targets: BTreeMap<TargetKey, TargetState>,
    /// Health changes seen since the console started, oldest first, at most [`HEALTH_CHANGES`].
    pub health_changes: VecDeque<HealthChange>,
    /// Gate reports for pending promotions, by target entered.
    pub plans: BTreeMap<TargetKey, Plan>,
    /// Set when something a gate looks at changed while a gate evaluation was in flight.
    pub plans_stale: bool,
    pub changes: BTreeMap<TargetKey, Changes>,
    pub notes: BTreeMap<TargetKey, String>,
    pub next_versions: BTreeMap<String, Vec<String>>,
    /// Live output of deployments, by operation.
    pub output: BTreeMap<OpId, (String, VecDeque<String>)>,
    pub view: View,
    /// Board cursor: row among the visible services, column among environments.
    pub row: usize,
    pub col: usize,
    /// Cursor or scroll position per list view.
    pub list: BTreeMap<&'static str, usize>,
    pub filter: String,
    pub overlay: Option<Overlay>,
    pub toasts: Vec<Toast>,
    pub ops: BTreeMap<OpId, Op>,
    pub next_op: OpId,
    pub last_refresh: Option<Timestamp>,
    /// What the shared log's last sync found, for the board's title; empty when in step.
    pub sync_badge: String,
    /// The latest read of each flag service (`[[flags]]`), by its name.
    pub flags: BTreeMap<String, crate::domain::flag::FlagReading>,
    /// Slotted targets: the router's latest reading, and the log's rollout there.
    pub traffic: BTreeMap<TargetKey, crate::console::traffic::Slotted>,
    /// The last successful read of each flag service: the Flags view keeps its rows (marked as
    /// not current) while the service cannot be read, so a key still says why it is refused.
    pub flags_seen: BTreeMap<String, crate::domain::flag::FlagReading>,
    /// The Insights view: its period, and the figures computed so far (`console::insights`).
    pub insights: crate::console::insights::InsightsPane,
    /// Animation frame for spinners.
    pub frame: u64,
    pub size: (u16, u16),
    /// Something the views show changed since the last draw.
    pub dirty: bool,
    pub quitting: bool,
}

impl State {
    /// A console over `config` before anything has been loaded or probed.
    pub fn new(
        config: Config,
        user: &str,
        read_only: bool,
        events: Vec<Event>,
        now: Timestamp,
    ) -> State {
        let ledger = Ledger::from_events(&events);
        let trains = crate::domain::train::Trains::from_events(&events);
        // The cursor starts on the first service, below the train rows.
        let row = config.trains.len();
        let mut state = State {
            config_path: config.path.clone(),
            config,
            user: user.to_string(),
            read_only,
            now,
            tz: jiff::tz::TimeZone::UTC,
            releases: BTreeMap::new(),
            unreleased: BTreeMap::new(),
            events,
            ledger,
            trains,
            targets: BTreeMap::new(),
            health_changes: VecDeque::new(),
            plans: BTreeMap::new(),
            plans_stale: false,
            changes: BTreeMap::new(),
            notes: BTreeMap::new(),
            next_versions: BTreeMap::new(),
            output: BTreeMap::new(),
            view: View::Board,
            row,
            col: 0,
            list: BTreeMap::new(),
            filter: String::new(),
            overlay: None,
            toasts: Vec::new(),
            ops: BTreeMap::new(),
            next_op: 1,
            last_refresh: None,
            sync_badge: String::new(),
            flags: BTreeMap::new(),
            traffic: BTreeMap::new(),
            flags_seen: BTreeMap::new(),
            insights: crate::console::insights::InsightsPane::default(),
            frame: 0,
            size: (80, 24),
            dirty: true,
            quitting: false,
        };
        crate::console::traffic::fold(&mut state);
        state
    }

    /// Registers an operation and returns its id.
    pub fn start_op(&mut self, kind: OpKind, label: impl Into<String>) -> OpId {
        let op = self.next_op;
        self.next_op += 1;
        self.ops.insert(
            op,
            Op {
                kind,
                started: self.now,
                label: label.into(),
            },
        );
        op
    }

    /// Forgets operations of `kind`, so their results are dropped when they come back.
    pub fn supersede(&mut self, kind: &OpKind) {
        self.ops.retain(|_, op| &op.kind != kind);
    }

    /// Says `text`: information goes after 4 s, an error stays until dismissed.
    pub fn toast(&mut self, level: Level, text: impl Into<String>) {
        let until = (level == Level::Info).then(|| {
            self.now
                .checked_add(jiff::SignedDuration::from_secs(4))
                .unwrap_or(self.now)
        });
        self.toasts.push(Toast {
            level,
            text: text.into(),
            until,
        });
        if self.toasts.len() > 4 {
            self.toasts.remove(0);
        }
    }

    /// `at` formatted in the console's zone with a `strftime` format.
    pub fn time(&self, at: Timestamp, format: &str) -> String {
        at.to_zoned(self.tz.clone()).strftime(format).to_string()
    }

    /// Cursor of a list view.
    pub fn cursor(&self, view: &'static str) -> usize {
        self.list.get(view).copied().unwrap_or(0)
    }

    pub fn observation(&self, service: &str, env: &str) -> Option<&Observation> {
        self.target(service, env).and_then(|t| t.latest.as_ref())
    }

    /// What the console knows of (service, env)'s probes, looked up without allocating.
    pub fn target(&self, service: &str, env: &str) -> Option<&TargetState> {
        self.targets.get(&(service, env) as &dyn TargetName)
    }
}

#[cfg(test)]
mod target_name_tests {
    use std::collections::BTreeMap;

    use super::{TargetKey, TargetName};

    #[test]
    fn a_borrowed_name_finds_exactly_what_its_key_finds() {
        let names = ["api", "api-v2", "web", "a", "", "zz", "web\u{e9}"];
        let mut map = BTreeMap::new();
        for (i, s) in names.iter().enumerate() {
            for (j, e) in names.iter().enumerate() {
                map.insert(TargetKey::new(s, e), i * 10 + j);
            }
        }
        for s in names.iter().chain(&["b", "apix"]) {
            for e in names.iter().chain(&["b", "apix"]) {
                assert_eq!(
                    map.get(&(*s, *e) as &dyn TargetName),
                    map.get(&TargetKey::new(s, e)),
                    "({s:?}, {e:?})"
                );
            }
        }
    }
}
