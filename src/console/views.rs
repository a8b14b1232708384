//! The view registry: every view the console has, once, in tab order — its name, the key that
//! opens it, its title, the help line of its cursor keys, the list its cursor walks, and what
//! opening it loads. Tabs, number keys, the palette's `view …` entries and the help overlay are
//! all generated from [`VIEWS`].
//!
//! # How to add a view
//!
//! 1. Add its variant to [`View`] and one [`ViewSpec`] row to [`VIEWS`] (where it goes in the
//!    table is its tab position; `key` is the number that opens it).
//! 2. Add one file under `src/tui/views/` with its `draw(frame, area, state, theme, hits)`, and
//!    name that function in `tui::views::drawer` (the match is exhaustive: the compiler points
//!    at the one line to add).
//! 3. Its own keys, if any, are rows of [`crate::console::keymap::KEYMAP`] scoped to the view.

use crate::console::effect::Effect;
use crate::console::flows;
use crate::console::model;
use crate::console::state::State;

/// The views, in tab order (see [`VIEWS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    Board,
    Gates,
    Target,
    Checklist,
    Release,
    Activity,
    Flags,
    Insights,
}

/// What a view's cursor walks: the board's own grid, or a named list of some length.
#[derive(Clone, Copy)]
pub enum Cursor {
    /// The board cursor (row, column), moved with ←↓↑→.
    Grid,
    /// A list cursor kept under `name` in [`State::list`]; `len` says how far it may go.
    List {
        name: &'static str,
        len: fn(&State) -> usize,
    },
}

/// One registered view.
pub struct ViewSpec {
    pub view: View,
    /// Short lower-case name (the palette's `view <name>`).
    pub name: &'static str,
    /// The key that opens it from anywhere.
    pub key: char,
    pub title: &'static str,
    /// The help overlay's first line for this view: its cursor keys and what they do.
    pub hints: (&'static str, &'static str),
    pub cursor: Cursor,
    /// What opening the view asks for (the changes it shows, for instance). Asked again while
    /// the view is open whenever what it depends on arrives (a release, a probe's report), so it
    /// must ask only for what is missing.
    pub on_open: fn(&mut State) -> Vec<Effect>,
}

fn nothing(_: &mut State) -> Vec<Effect> {
    Vec::new()
}

/// Every view, in tab order.
pub const VIEWS: &[ViewSpec] = &[
    ViewSpec {
        view: View::Board,
        name: "board",
        key: '1',
        title: "Board",
        hints: ("←↓↑→ / hjkl", "move between cells"),
        cursor: Cursor::Grid,
        on_open: nothing,
    },
    ViewSpec {
        view: View::Gates,
        name: "gates",
        key: '2',
        title: "Gates",
        hints: ("↓↑ / jk", "move between gates"),
        cursor: Cursor::List {
            name: "gates",
            len: |s| model::gate_rows(s).len(),
        },
        on_open: nothing,
    },
    ViewSpec {
        view: View::Target,
        name: "target",
        key: '3',
        title: "Target",
        hints: ("↓↑ / jk", "scroll"),
        cursor: Cursor::List {
            name: "target",
            len: |_| usize::MAX,
        },
        on_open: flows::load_changes,
    },
    ViewSpec {
        view: View::Checklist,
        name: "checklist",
        key: '4',
        title: "Checklist",
        hints: ("↓↑ / jk", "move between items"),
        cursor: Cursor::List {
            name: "checklist",
            len: |s| model::selected_checklist(s).map_or(0, |(_, _, t)| t.items.len()),
        },
        on_open: nothing,
    },
    ViewSpec {
        view: View::Release,
        name: "release",
        key: '5',
        title: "Release",
        hints: ("↓↑ / jk", "move between commits"),
        cursor: Cursor::List {
            name: "release",
            len: flows::selected_changes_len,
        },
        on_open: flows::load_changes,
    },
    ViewSpec {
        view: View::Activity,
        name: "activity",
        key: '6',
        title: "Activity",
        hints: ("↓↑ / jk", "scroll the log"),
        cursor: Cursor::List {
            name: "activity",
            len: |s| crate::console::activity::rows(s).len(),
        },
        on_open: nothing,
    },
    ViewSpec {
        view: View::Flags,
        name: "flags",
        key: '7',
        title: "Flags",
        hints: ("↓↑←→ / jkhl", "move between flags and environments"),
        cursor: Cursor::List {
            name: "flags",
            len: |s| crate::console::flags::lines(s).len(),
        },
        on_open: nothing,
    },
    ViewSpec {
        view: View::Insights,
        name: "insights",
        key: '8',
        title: "Insights",
        hints: ("↓↑ / jk", "choose the service (or every service)"),
        cursor: Cursor::List {
            name: "insights",
            len: |s| crate::console::insights::rows(s).len(),
        },
        on_open: crate::console::insights::ask,
    },
];

impl View {
    /// Every view in tab order.
    pub fn all() -> impl Iterator<Item = View> {
        VIEWS.iter().map(|s| s.view)
    }

    /// Its registry row.
    pub fn spec(self) -> &'static ViewSpec {
        VIEWS
            .iter()
            .find(|s| s.view == self)
            .unwrap_or_else(|| unreachable!("every view has a row in VIEWS"))
    }

    pub fn title(self) -> &'static str {
        self.spec().title
    }

    /// Its position in tab order.
    pub fn index(self) -> usize {
        VIEWS.iter().position(|s| s.view == self).unwrap_or(0)
    }

    /// The view `steps` tabs away (negative: to the left), wrapping around.
    #[must_use]
    pub fn step(self, steps: isize) -> View {
        let n = VIEWS.len().cast_signed();
        let i = (self.index().cast_signed() + steps).rem_euclid(n);
        VIEWS[i.cast_unsigned()].view
    }

    /// The view `key` opens.
    pub fn for_key(key: char) -> Option<View> {
        VIEWS.iter().find(|s| s.key == key).map(|s| s.view)
    }
}

#[cfg(test)]
mod tests {
    use super::{VIEWS, View};

    #[test]
    fn every_view_has_one_row_and_one_key() {
        for (i, spec) in VIEWS.iter().enumerate() {
            assert_eq!(spec.view.index(), i, "{} listed twice", spec.name);
            assert_eq!(View::for_key(spec.key), Some(spec.view));
        }
        let last = VIEWS[VIEWS.len() - 1].view;
        assert_eq!(View::Board.step(-1), last);
        assert_eq!(last.step(1), View::Board);
        assert_eq!(View::Board.step(-1), View::Insights);
        assert_eq!(View::Insights.step(1), View::Board);
    }
}
