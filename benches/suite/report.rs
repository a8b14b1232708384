//! The table: each figure beside its peer, as a ratio, with the budget from DESIGN.md where
//! there is one; printed to the terminal and written into `BENCHMARKS.md`.

use std::fmt::Write as _;

/// What a figure is held against.
pub enum Peer {
    /// Another program or a floor, measured in the same run, in the same unit.
    Measured { name: String, value: f64 },
    /// A peer that could not be measured here, and why.
    Missing { name: String, why: String },
    /// No peer program: the budget itself is the yardstick.
    Budget,
}

/// The budget a row must meet.
#[derive(Clone, Copy)]
pub enum Budget {
    /// shipdeck's figure divided by the peer's must stay under this.
    Ratio(f64),
    /// shipdeck's figure must stay under this, in the row's unit.
    Max(f64),
}

/// One line of the table.
pub struct Row {
    pub what: String,
    pub ours: f64,
    pub unit: &'static str,
    pub peer: Peer,
    pub budget: Option<Budget>,
    /// The suite command that measures this row alone.
    pub rerun: String,
    /// What exactly is timed, on both sides.
    pub timed: String,
}

impl Row {
    fn ratio(&self) -> Option<f64> {
        if self.ours.is_nan() {
            return None;
        }
        match (&self.peer, self.budget) {
            (Peer::Measured { value, .. }, _) if *value > 0.0 => Some(self.ours / value),
            (Peer::Budget, Some(Budget::Max(max))) if max > 0.0 => Some(self.ours / max),
            _ => None,
        }
    }

    /// `Some(true)` when the row has a budget and meets it.
    pub fn meets(&self) -> Option<bool> {
        if self.ours.is_nan() {
            return None;
        }
        match self.budget? {
            Budget::Ratio(max) => self.ratio().map(|r| r < max),
            Budget::Max(max) => Some(self.ours < max),
        }
    }

    fn cells(&self) -> [String; 7] {
        let (peer_name, peer_value) = match &self.peer {
            Peer::Measured { name, value } => (name.clone(), figure(*value, self.unit)),
            Peer::Missing { name, why } => (name.clone(), format!("not measured: {why}")),
            Peer::Budget => (
                "the budget".to_string(),
                budget_text(self.budget, self.unit),
            ),
        };
        let ratio = self.ratio().map_or("–".to_string(), |r| format!("{r:.2}×"));
        let verdict = match self.meets() {
            Some(true) => "meets",
            Some(false) => "MISSES",
            None => "",
        };
        [
            self.what.clone(),
            figure(self.ours, self.unit),
            peer_name,
            peer_value,
            ratio,
            budget_text(self.budget, self.unit),
            verdict.to_string(),
        ]
    }
}

const HEADERS: [&str; 7] = [
    "measurement",
    "shipdeck",
    "peer",
    "peer's figure",
    "ratio",
    "budget",
    "",
];

fn budget_text(budget: Option<Budget>, unit: &str) -> String {
    match budget {
        Some(Budget::Ratio(r)) => format!("< {r}× peer"),
        Some(Budget::Max(m)) => format!("< {}", figure(m, unit)),
        None => "–".to_string(),
    }
}

/// A value with its unit, to a sensible precision; NaN is a figure that could not be measured.
pub fn figure(value: f64, unit: &str) -> String {
    if value.is_nan() {
        return "not measured".to_string();
    }
    let digits = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else if value >= 1.0 {
        2
    } else {
        3
    };
    format!("{value:.digits$} {unit}")
}

/// The table for a terminal: aligned columns.
pub fn plain(rows: &[Row]) -> String {
    let cells: Vec<[String; 7]> = rows.iter().map(Row::cells).collect();
    let mut widths = HEADERS.map(|h| h.chars().count());
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, row: &[String]| {
        let mut text = String::new();
        for (cell, w) in row.iter().zip(widths) {
            let _ = write!(text, "{cell:<w$}  ");
        }
        let _ = writeln!(out, "{}", text.trim_end());
    };
    line(&mut out, &HEADERS.map(str::to_string));
    for row in &cells {
        line(&mut out, row);
    }
    out
}

/// The table in Markdown.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = format!("| {} |\n", HEADERS.join(" | "));
    let _ = writeln!(out, "|{}", " --- |".repeat(HEADERS.len()));
    for row in rows {
        let cells = row.cells().map(|c| c.replace('|', "\\|"));
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out
}

/// The reproduction list: one item per row.
pub fn reproduce(rows: &[Row]) -> String {
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}. **{}**: `{}`. {}",
            i + 1,
            row.what,
            row.rerun,
            row.timed
        );
    }
    out
}
