//! The key map as data: one row per (views, keys, what it does, help). The key handler looks a
//! key up here, the help overlay lists these rows, and the palette offers the same acts — so
//! what a key does and what the help says cannot drift apart.
//!
//! A row whose `help` is empty works but is not listed (the cursor keys are listed once per view
//! from the view registry's `hints`).

use crate::console::key::{Key, KeyCode};
use crate::console::views::{VIEWS, View};

/// What a key does. Acts on a target take it from the cursor (the board cell, the gate row,
/// the checklist item, the commit) when the key is pressed; see `keys::command_for`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Quit,
    Help,
    Palette,
    Filter,
    Refresh,
    /// Esc: clear the filter, else back to the board.
    Back,
    NextView,
    PreviousView,
    /// A number key: the view registered under it.
    OpenView,
    Up,
    Down,
    Left,
    Right,
    /// Enter on the board: the target view of the cell.
    OpenTarget,
    Promote,
    Rollback,
    Approve,
    Override,
    Tag,
    Notes,
    EditNotes,
    PublishNotes,
    Checklist,
    Tick,
    NoteItem,
    /// Enter in the activity view: the whole line under the cursor.
    ShowLine,
    /// On a train row: cut a train release from what runs in the cell's environment.
    CutTrain,
    /// `]` on a slotted target: the rollout's next step now.
    NextStep,
    /// `x` on a slotted target: abort the rollout.
    AbortRollout,
    /// `S` on a slotted target: switch all traffic to the idle slot.
    Switch,
    /// Space in the flags view: turn the flag on or off in the environment under the cursor.
    ToggleFlag,
    /// `+` / `-` in the flags view: the next / previous of the flag service's `rollout_steps`.
    FlagStepUp,
    FlagStepDown,
    /// Enter in the flags view: the flag's history (from the log) and strategies.
    ShowFlag,
    /// `[` / `]` in the Insights view: a shorter / longer period.
    InsightsPeriod,
    /// `r` in the Insights view: compute the figures again.
    RecomputeInsights,
}

/// Where a row applies.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Everywhere,
    In(&'static [View]),
}

impl Scope {
    pub fn covers(self, view: View) -> bool {
        match self {
            Scope::Everywhere => true,
            Scope::In(views) => views.contains(&view),
        }
    }
}

/// The keys a row answers to.
#[derive(Debug, Clone, Copy)]
pub enum Keys {
    Codes(&'static [KeyCode]),
    /// Ctrl and this character.
    Ctrl(char),
    /// The keys of the view registry (`1`–`6`).
    ViewKeys,
}

impl Keys {
    fn matches(self, key: Key) -> bool {
        match self {
            Keys::Codes(codes) => codes.contains(&key.code),
            Keys::Ctrl(c) => key.ctrl() && key.code == KeyCode::Char(c),
            Keys::ViewKeys => {
                matches!(key.code, KeyCode::Char(c) if View::for_key(c).is_some())
            }
        }
    }
}

/// One row of the key map.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub scope: Scope,
    pub keys: Keys,
    /// The keys as the help overlay shows them.
    pub label: &'static str,
    pub act: Act,
    /// What the help overlay says; empty: not listed.
    pub help: &'static str,
}

const fn row(
    scope: Scope,
    keys: Keys,
    label: &'static str,
    act: Act,
    help: &'static str,
) -> Binding {
    Binding {
        scope,
        keys,
        label,
        act,
        help,
    }
}

use Act as A;
use KeyCode as K;
use Scope::{Everywhere, In};
use View as V;

/// A row's one character key.
macro_rules! ch {
    ($c:literal) => {
        Keys::Codes(&[KeyCode::Char($c)])
    };
}

/// Every key, first match wins. Rows are listed in the help overlay in this order.
pub const KEYMAP: &[Binding] = &[
    row(Everywhere, Keys::Ctrl('c'), "Ctrl-C", A::Quit, ""),
    // Keys every view shares.
    row(
        Everywhere,
        Keys::Codes(&[K::Tab]),
        "Tab / Shift-Tab",
        A::NextView,
        "next / previous view",
    ),
    row(
        Everywhere,
        Keys::Codes(&[K::BackTab]),
        "",
        A::PreviousView,
        "",
    ),
    row(
        Everywhere,
        Keys::ViewKeys,
        "1–6",
        A::OpenView,
        "jump to a view",
    ),
    row(Everywhere, ch!('?'), "?", A::Help, "this help"),
    row(
        Everywhere,
        ch!(':'),
        ":",
        A::Palette,
        "command palette (fuzzy)",
    ),
    row(Everywhere, ch!('/'), "/", A::Filter, "filter services"),
    row(Everywhere, ch!('R'), "R", A::Refresh, "refresh now"),
    row(
        Everywhere,
        Keys::Codes(&[K::Esc]),
        "Esc",
        A::Back,
        "close, dismiss errors, clear filter, back to board",
    ),
    row(
        Everywhere,
        ch!('q'),
        "q",
        A::Quit,
        "quit (asks if a deployment is in flight)",
    ),
    // Cursor keys (listed per view from the registry's hints).
    row(
        Everywhere,
        Keys::Codes(&[K::Down, K::Char('j')]),
        "",
        A::Down,
        "",
    ),
    row(
        Everywhere,
        Keys::Codes(&[K::Up, K::Char('k')]),
        "",
        A::Up,
        "",
    ),
    row(
        In(&[V::Board]),
        Keys::Codes(&[K::Left, K::Char('h')]),
        "",
        A::Left,
        "",
    ),
    row(
        In(&[V::Board]),
        Keys::Codes(&[K::Right, K::Char('l')]),
        "",
        A::Right,
        "",
    ),
    // Board.
    row(
        In(&[V::Board]),
        Keys::Codes(&[K::Enter]),
        "Enter",
        A::OpenTarget,
        "open the target",
    ),
    row(
        In(&[V::Board]),
        ch!('p'),
        "p",
        A::Promote,
        "promote the release waiting for this cell",
    ),
    row(
        In(&[V::Board]),
        ch!('r'),
        "r",
        A::Rollback,
        "roll back to the previous release",
    ),
    row(
        In(&[V::Board]),
        ch!('a'),
        "a",
        A::Approve,
        "approve the release waiting for this cell",
    ),
    row(
        In(&[V::Board]),
        ch!('t'),
        "t",
        A::Tag,
        "tag a new release of this service",
    ),
    row(In(&[V::Board]), ch!('n'), "n", A::Notes, "release notes"),
    row(
        In(&[V::Board]),
        ch!('C'),
        "C",
        A::CutTrain,
        "train row: cut a release from what runs here",
    ),
    row(
        In(&[V::Board]),
        ch!('c'),
        "c",
        A::Checklist,
        "checklist of this cell",
    ),
    // Gates: on the promotion (or gate) under the cursor.
    row(
        In(&[V::Gates]),
        ch!('a'),
        "a",
        A::Approve,
        "approve this promotion",
    ),
    row(
        In(&[V::Gates]),
        ch!('p'),
        "p",
        A::Promote,
        "promote (when every gate passes)",
    ),
    row(
        In(&[V::Gates]),
        ch!('o'),
        "o",
        A::Override,
        "override this gate (asks for a reason)",
    ),
    // Target.
    row(
        In(&[V::Target]),
        ch!('p'),
        "p",
        A::Promote,
        "promote the waiting release here",
    ),
    row(In(&[V::Target]), ch!('r'), "r", A::Rollback, "roll back"),
    row(
        In(&[V::Checklist, V::Release]),
        ch!('p'),
        "p",
        A::Promote,
        "promote the release waiting here",
    ),
    row(
        In(&[V::Target, V::Checklist]),
        ch!('a'),
        "a",
        A::Approve,
        "approve the release waiting here",
    ),
    // Checklist.
    row(
        In(&[V::Checklist]),
        ch!(' '),
        "Space",
        A::Tick,
        "tick / untick the item",
    ),
    row(
        In(&[V::Checklist]),
        ch!('e'),
        "e",
        A::NoteItem,
        "add a note to the item",
    ),
    // Release.
    row(
        In(&[V::Release]),
        ch!('t'),
        "t",
        A::Tag,
        "tag the selected commit (proposes the next version)",
    ),
    row(
        In(&[V::Release]),
        ch!('n'),
        "n",
        A::Notes,
        "load the release notes preview",
    ),
    row(
        In(&[V::Release]),
        ch!('e'),
        "e",
        A::EditNotes,
        "edit the notes in $VISUAL / $EDITOR",
    ),
    row(
        In(&[V::Release]),
        ch!('P'),
        "P",
        A::PublishNotes,
        "publish the notes through the channels",
    ),
    // Activity.
    row(
        In(&[V::Activity]),
        Keys::Codes(&[K::Enter]),
        "Enter",
        A::ShowLine,
        "the whole line: every field of the event",
    ),
    // Rollouts of slotted targets: one help line for the three, so the help still fits 24 rows.
    row(
        In(&[V::Board, V::Target]),
        ch!(']'),
        "] / x / S",
        A::NextStep,
        "rollout: next step now / abort / switch slots",
    ),
    row(
        In(&[V::Board, V::Target]),
        ch!('x'),
        "",
        A::AbortRollout,
        "",
    ),
    row(In(&[V::Board, V::Target]), ch!('S'), "", A::Switch, ""),
    // Flags: on the flag and environment under the cursor.
    row(
        In(&[V::Flags]),
        Keys::Codes(&[K::Left, K::Char('h')]),
        "",
        A::Left,
        "",
    ),
    row(
        In(&[V::Flags]),
        Keys::Codes(&[K::Right, K::Char('l')]),
        "",
        A::Right,
        "",
    ),
    row(
        In(&[V::Flags]),
        ch!(' '),
        "Space",
        A::ToggleFlag,
        "turn the flag on / off in this environment",
    ),
    row(
        In(&[V::Flags]),
        Keys::Codes(&[K::Char('+'), K::Char('=')]),
        "+",
        A::FlagStepUp,
        "raise the rollout to the next step (rollout_steps)",
    ),
    row(
        In(&[V::Flags]),
        ch!('-'),
        "-",
        A::FlagStepDown,
        "lower the rollout to the step below",
    ),
    row(
        In(&[V::Flags]),
        Keys::Codes(&[K::Enter]),
        "Enter",
        A::ShowFlag,
        "the flag's history (from the log) and strategies",
    ),
    // Insights.
    row(
        In(&[V::Insights]),
        Keys::Codes(&[K::Char('['), K::Char(']')]),
        "[ / ]",
        A::InsightsPeriod,
        "shorter / longer period (7, 30, 90 days)",
    ),
    row(
        In(&[V::Insights]),
        ch!('r'),
        "r",
        A::RecomputeInsights,
        "compute the figures again",
    ),
];

/// The row `key` hits in `view`.
pub fn lookup(view: View, key: Key) -> Option<&'static Binding> {
    KEYMAP
        .iter()
        .find(|b| b.scope.covers(view) && b.keys.matches(key))
}

/// The rows the help overlay lists for `view` alone (its own keys).
pub fn view_help(view: View) -> impl Iterator<Item = &'static Binding> {
    KEYMAP
        .iter()
        .filter(move |b| matches!(b.scope, Scope::In(_)) && b.scope.covers(view))
        .filter(|b| !b.help.is_empty())
}

/// The rows the help overlay lists under "Everywhere".
pub fn global_help() -> impl Iterator<Item = &'static Binding> {
    KEYMAP
        .iter()
        .filter(|b| matches!(b.scope, Scope::Everywhere) && !b.help.is_empty())
}

/// Every act of the key map once, in the order of its first row (the palette's order).
pub fn acts() -> Vec<Act> {
    let mut out: Vec<Act> = Vec::new();
    for b in KEYMAP {
        if !out.contains(&b.act) {
            out.push(b.act);
        }
    }
    out
}

/// Whether `act` only reads (offered under `--read-only` too).
pub fn reads_only(act: Act) -> bool {
    !matches!(
        act,
        A::Promote
            | A::Rollback
            | A::Approve
            | A::Override
            | A::Tag
            | A::EditNotes
            | A::PublishNotes
            | A::Tick
            | A::NoteItem
            | A::CutTrain
            | A::NextStep
            | A::AbortRollout
            | A::Switch
            | A::ToggleFlag
            | A::FlagStepUp
            | A::FlagStepDown
    )
}

/// The number keys the view registry hands out, as the help shows them.
pub fn view_keys_label() -> String {
    match (VIEWS.first(), VIEWS.last()) {
        (Some(first), Some(last)) => format!("{}–{}", first.key, last.key),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Act, KEYMAP, lookup};
    use crate::console::key::{Key, KeyCode};
    use crate::console::views::View;

    #[test]
    fn every_listed_key_is_the_key_that_acts() {
        for b in KEYMAP.iter().filter(|b| !b.help.is_empty()) {
            let super::Keys::Codes(codes) = b.keys else {
                continue;
            };
            for view in View::all().filter(|v| b.scope.covers(*v)) {
                let hit = lookup(view, Key::from(codes[0])).map(|h| h.act);
                assert_eq!(hit, Some(b.act), "{} in {view:?}", b.label);
            }
        }
        assert_eq!(
            lookup(View::Activity, Key::from(KeyCode::Char('p'))).map(|b| b.act),
            None::<Act>
        );
    }
}
