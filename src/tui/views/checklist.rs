//! Checklist: the release's checklist for the environment, `before` and `after` groups, progress,
//! who ticked and when, notes, and which event ticked the automatic items.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Gauge, Paragraph};

use crate::console::model;
use crate::console::state::State;
use crate::domain::config::Stage;
use crate::domain::sanitize::truncate;
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
    let ticks = state
        .ledger
        .ticks(&key.service, &release.name, &key.env, &template.name);
    let done = |stage: Stage| {
        template
            .items
            .iter()
            .filter(|i| i.stage == stage && i.required)
            .fold((0u32, 0u32), |(d, n), i| {
                (
                    d + u32::from(ticks.get(&i.id).is_some_and(|t| t.ticked)),
                    n + 1,
                )
            })
    };
    let (before_done, before_all) = done(Stage::Before);
    let (after_done, after_all) = done(Stage::After);
    let [gauges, list] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    let [g1, g2] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(gauges);
    for (area, label, d, n) in [
        (g1, "before", before_done, before_all),
        (g2, "after ", after_done, after_all),
    ] {
        let ratio = if n == 0 {
            1.0
        } else {
            f64::from(d) / f64::from(n)
        };
        frame.render_widget(
            Gauge::default()
                .ratio(ratio)
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
        for (i, item) in template
            .items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.stage == stage)
        {
            let tick = ticks.get(&item.id);
            let ticked = tick.is_some_and(|t| t.ticked);
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
            if let Some(auto) = item.auto {
                spans.push(Span::styled(
                    format!(" auto: {}", format!("{auto:?}").to_lowercase()),
                    theme.dim(),
                ));
            }
            if let Some(t) = tick {
                let who = if let Some(by) = &t.by_event {
                    format!(
                        " — {} by event {}",
                        if t.ticked { "ticked" } else { "unticked" },
                        super::short(by)
                    )
                } else {
                    format!(
                        " — {} by {} at {}",
                        if t.ticked { "ticked" } else { "unticked" },
                        t.actor,
                        state.time(t.at, "%b %d %H:%M")
                    )
                };
                spans.push(Span::styled(who, theme.dim()));
            }
            lines.push((Line::from(spans), Some(i)));
            // Every note on the item, the ones given with ticks included, oldest first.
            let notes = tick.map(|t| t.notes.clone()).unwrap_or_default();
            for (actor, _, note) in notes {
                lines.push((
                    Line::styled(
                        truncate(
                            &format!("       ✎ {actor}: {note}"),
                            usize::from(list.width),
                        ),
                        theme.dim(),
                    ),
                    Some(i),
                ));
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
