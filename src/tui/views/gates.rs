//! Gates: every pending promotion, each gate with its status, why, who must act and countdowns.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::console::model;
use crate::console::state::State;
use crate::domain::gates::{GateOutcome, GateStatus};
use crate::domain::sanitize::truncate;
use crate::tui::theme::{Theme, spinner};

use super::Hits;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: Theme, hits: &mut Hits) {
    let block =
        Block::bordered().title(Span::styled(" Gates — pending promotions ", theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = model::gate_rows(state);
    if rows.is_empty() {
        frame.render_widget(
            Paragraph::new(
                "Nothing is waiting: every environment runs what the one before it runs.",
            )
            .style(theme.dim()),
            inner,
        );
        return;
    }
    let cursor = state.cursor("gates").min(rows.len() - 1);
    // Lines: a heading per promotion, then one line per gate row.
    let mut lines: Vec<(Line<'static>, Option<usize>)> = Vec::new();
    let mut last_key = None;
    for (i, row) in rows.iter().enumerate() {
        if last_key.as_ref() != Some(&row.key) {
            if last_key.is_some() {
                lines.push((Line::raw(""), None));
            }
            let plan = state
                .plans
                .get(&row.key)
                .filter(|p| p.release.name == row.release.name);
            let verdict = match plan {
                Some(p) if p.report.allowed() => Span::styled("ready to promote (p)", theme.good()),
                Some(p) => Span::styled(
                    format!("{} blocking", p.report.blocking().len()),
                    theme.warn(),
                ),
                None => Span::styled(format!("{} evaluating…", spinner(state.frame)), theme.dim()),
            };
            let from = state
                .config
                .previous_environment(&row.key.env)
                .map_or_else(|| "new release".to_string(), |e| format!("from {}", e.name));
            lines.push((
                Line::from(vec![
                    Span::styled(format!("{} ", row.key.service), theme.bold()),
                    Span::styled(row.release.name.clone(), theme.accent()),
                    Span::raw(format!(" → {} ({from})  ", row.key.env)),
                    verdict,
                ]),
                None,
            ));
            last_key = Some(row.key.clone());
        }
        let gate = row.gate.and_then(|g| {
            state
                .plans
                .get(&row.key)
                .and_then(|p| p.report.gates.get(g))
        });
        let evaluated = state
            .plans
            .get(&row.key)
            .is_some_and(|p| p.release.name == row.release.name);
        let line = match gate {
            Some(g) => gate_line(state, theme, g, usize::from(inner.width)),
            None if evaluated => Line::styled("   no gates: any release may enter", theme.dim()),
            None => Line::styled("   (gates are being evaluated)", theme.dim()),
        };
        lines.push((line, Some(i)));
    }
    super::rows::draw(frame, inner, lines, cursor, theme, hits);
}

/// `✓ soak      pass     soaked 30s in staging`, with a countdown when it has an end.
pub fn gate_line(state: &State, theme: Theme, g: &GateOutcome, width: usize) -> Line<'static> {
    let (glyph, style) = status_style(theme, g.status);
    let mut spans = vec![
        Span::styled(format!("   {glyph} "), style),
        Span::raw(format!("{:<10} ", truncate(&g.id, 10))),
        Span::styled(format!("{:<10} ", status_word(g.status)), style),
    ];
    let mut reason = g.reason.clone();
    if let Some(until) = g
        .until
        .filter(|u| *u > state.now && g.status != GateStatus::Pass)
    {
        spans.push(Span::styled(
            format!("⏱ {} ", model::countdown(state.now, until)),
            theme.accent(),
        ));
    }
    if let Some(who) = &g.who {
        reason.push_str(" — who: ");
        reason.push_str(who);
    }
    let used: usize = spans.iter().map(Span::width).sum();
    spans.push(Span::raw(truncate(&reason, width.saturating_sub(used))));
    Line::from(spans)
}

pub fn status_style(theme: Theme, status: GateStatus) -> (&'static str, Style) {
    match status {
        GateStatus::Pass => ("✓", theme.good()),
        GateStatus::Fail => ("✖", theme.bad()),
        GateStatus::Pending => ("…", theme.warn()),
        GateStatus::Overridden => ("⚑", theme.accent()),
    }
}

pub fn status_word(status: GateStatus) -> &'static str {
    match status {
        GateStatus::Pass => "pass",
        GateStatus::Fail => "fail",
        GateStatus::Pending => "pending",
        GateStatus::Overridden => "overridden",
    }
}
