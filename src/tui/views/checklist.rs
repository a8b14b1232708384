//! Checklist: the release's checklist for the environment, `before` and `after` groups, progress,
//! who ticked and when, notes, and which event ticked the automatic items.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Gauge, Paragraph};

use crate::console::model;
use crate::console::state::State;
use crate::domain::checklist::ItemProgress;
use crate::domain::config::Stage;
use crate::tui::theme::Theme;

use super::Hits;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: Theme, hits: &mut Hits) {
    let Some((key, release, template)) = model::selected_checklist(state) else {
        let text = match model::selected(state) {
            Some(k) => format!(
                "{} in {} has no checklist: the environment has no `checklist` gate (or nothing \
                 runs or waits there yet). Move the board cursor to another cell.",
                k.service, k.env
            ),
            None => "No target selected.".into(),
        };
        frame.render_widget(
            Paragraph::new(text)
                .style(theme.dim())
                .block(Block::bordered().title(" Checklist ")),
            area,
        );
        return;
    };
    let block = Block::bordered().title(Span::styled(
        format!(
            " {} — {} for {} in {} ",
            template.name, release.name, key.service, key.env
        ),
        theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some((_, _, progress)) = model::selected_progress(state) else {
        return;
    };
    let [gauges, list] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    let [g1, g2] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(gauges);
    for (area, label, d, n) in [
        (g1, "before", progress.before_done, progress.before_required),
        (g2, "after ", progress.after_done, progress.after_required),
    ] {
        let ratio = if n == 0 {
            1.0
        } else {
            f64::from(u32::try_from(d).unwrap_or(0)) / f64::from(u32::try_from(n).unwrap_or(1))
        };
        frame.render_widget(
            Gauge::default()
                .ratio(ratio.min(1.0))
                .label(format!("{label} {d}/{n} required done"))
                .gauge_style(if d == n { theme.good() } else { theme.warn() }),
            area,
        );
    }
    let cursor = state.cursor("checklist");
    let mut lines: Vec<(Line<'static>, Option<usize>)> = Vec::new();
    for stage in [Stage::Before, Stage::After] {
        lines.push((
            Line::styled(
                if stage == Stage::Before {
                    "Before promoting"
                } else {
                    "After it runs"
                },
                theme.bold(),
            ),
            None,
        ));
        for (i, p) in progress
            .items
            .iter()
            .enumerate()
            .filter(|(_, p)| p.item.stage == stage)
        {
            let item = &p.item;
            let ticked = p.is_ticked();
            let mark = if ticked { "[x]" } else { "[ ]" };
            let mut spans = vec![
                Span::styled(
                    format!(" {mark} "),
                    if ticked { theme.good() } else { theme.warn() },
                ),
                Span::raw(item.title.clone()),
            ];
            if !item.required {
                spans.push(Span::styled(" (optional)", theme.dim()));
            }
            spans.push(Span::styled(item_state(state, p), theme.dim()));
            lines.push((Line::from(spans), Some(i)));
            // Every note on the item, the ones given with ticks included, oldest first.
            // A note is what someone wrote: wrapped, never cut.
            for (actor, at, note) in p.tick.iter().flat_map(|t| &t.notes) {
                let text = format!(
                    "✎ {actor} ({}): {note}",
                    crate::domain::time::when(*at, state.now, &state.tz)
                );
                let width = usize::from(list.width.saturating_sub(7)).max(8);
                let chars: Vec<char> = text.chars().collect();
                for chunk in chars.chunks(width) {
                    let chunk: String = chunk.iter().collect();
                    lines.push((
                        Line::styled(format!("       {chunk}"), theme.dim()),
                        Some(i),
                    ));
                }
            }
            if i == cursor
                && let Some(help) = &item.help
            {
                lines.push((Line::styled(format!("       {help}"), theme.dim()), Some(i)));
            }
        }
    }
    super::rows::draw(frame, list, lines, cursor, theme, hits);
}

/// " — auto: tagged api-v1.5.0 at Mar 01 10:00 UTC, 1d ago", " — ticked by lena@x at …", or
/// for an `auto` item not satisfied yet " — auto: when tagged"; nothing for an item nobody
/// ticked (a note alone is a note, not an untick).
fn item_state(state: &State, p: &ItemProgress) -> String {
    let when = |at| crate::domain::time::when(at, state.now, &state.tz);
    if p.is_auto()
        && let Some(fact) = &p.auto
    {
        let event = fact
            .event
            .as_deref()
            .map(|e| format!(" (event {})", crate::domain::time::short_id(e)))
            .unwrap_or_default();
        return format!(" — auto: {} at {}{event}", fact.what, when(fact.at));
    }
    match &p.tick {
        Some(t) if t.ticked && t.by_event.is_some() => format!(
            " — auto: by event {} ({}, {})",
            crate::domain::time::short_id(t.by_event.as_deref().unwrap_or_default()),
            t.actor,
            when(t.at)
        ),
        Some(t) if t.ticked || t.unticked => format!(
            " — {} by {} at {}",
            if t.ticked { "ticked" } else { "unticked" },
            t.actor,
            when(t.at)
        ),
        _ => p.item.auto.map_or_else(String::new, |auto| {
            format!(" — auto: when {}", format!("{auto:?}").to_lowercase())
        }),
    }
}
