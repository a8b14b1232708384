//! The board: services × environments in path order, one two-line cell per target.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::console::cell::{Badge, BoardCell, Mark, Tone, board_cell};
use crate::console::model;
use crate::console::msg::Hit;
use crate::console::state::State;
use crate::domain::sanitize::truncate;
use crate::tui::theme::{Theme, health_glyph, spinner};

use super::Hits;

const SERVICE_WIDTH: u16 = 14;
const ROW_HEIGHT: u16 = 2;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: Theme, hits: &mut Hits) {
    let title = if state.sync_badge.is_empty() {
        " Board ".to_string()
    } else {
        format!(" Board · shared log: {} ", state.sync_badge)
    };
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let services = model::visible_services(state);
    let envs = &state.config.environments;
    if services.is_empty() {
        let text = if state.filter.is_empty() {
            "No services in the configuration.".to_string()
        } else {
            format!(
                "No service matches /{} — Esc clears the filter.",
                state.filter
            )
        };
        frame.render_widget(Paragraph::new(text).style(theme.dim()), inner);
        return;
    }
    let columns = u16::try_from(envs.len().max(1)).unwrap_or(1);
    let cell_width = inner.width.saturating_sub(SERVICE_WIDTH) / columns;
    // Header: environment names and freeze badges.
    let mut header = vec![Span::styled(pad("SERVICE", SERVICE_WIDTH), theme.bold())];
    for env in envs {
        // A long name is cut to its column (the lock kept), so every column stays in place.
        let lock = if env.protected { 3 } else { 0 };
        let mut label = truncate(
            &env.name.to_uppercase(),
            usize::from(cell_width.saturating_sub(1 + lock)).max(1),
        );
        if env.protected {
            label.push_str(" 🔒");
        }
        header.push(Span::styled(label.clone(), theme.bold()));
        let mut used =
            u16::try_from(label.chars().count() + usize::from(env.protected)).unwrap_or(0);
        if let Some(freeze) = model::freeze_for(state, &env.name) {
            let badge = if freeze.from <= state.now {
                format!(
                    " ❄ frozen until {}",
                    state.time(freeze.until, "%b %d %H:%M")
                )
            } else {
                format!(
                    " ❄ {} from {}",
                    freeze.name,
                    state.time(freeze.from, "%b %d")
                )
            };
            let badge = truncate(&badge, usize::from(cell_width.saturating_sub(used + 1)));
            used += u16::try_from(badge.chars().count()).unwrap_or(0);
            let style = if freeze.from <= state.now {
                theme.bad()
            } else {
                theme.warn()
            };
            header.push(Span::styled(badge, style));
        }
        header.push(Span::raw(
            " ".repeat(usize::from(cell_width.saturating_sub(used))),
        ));
    }
    frame.render_widget(
        Paragraph::new(Line::from(header)),
        Rect::new(inner.x, inner.y, inner.width, 1),
    );

    let visible = usize::from(inner.height.saturating_sub(1) / ROW_HEIGHT).max(1);
    let row = state.row.min(services.len() - 1);
    // Keep the cursor in view, roughly centred once the board scrolls.
    let offset = row
        .saturating_sub(visible / 2)
        .min(services.len().saturating_sub(visible));
    let deploys = model::Deploys::new(state);
    for (i, service) in services.iter().enumerate().skip(offset).take(visible) {
        let y = inner.y + 1 + u16::try_from(i - offset).unwrap_or(0) * ROW_HEIGHT;
        let name_style = if i == row { theme.bold() } else { Style::new() };
        // Under the name: how many commits on HEAD wait for a new tag (`t`).
        let waiting = match model::unreleased_count(state, service) {
            Some(0) | None => Line::raw(""),
            Some(n) => Line::styled(
                truncate(&format!("+{n} unreleased"), usize::from(SERVICE_WIDTH - 1)),
                theme.dim(),
            ),
        };
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled(
                    truncate(service, usize::from(SERVICE_WIDTH - 1)),
                    name_style,
                ),
                waiting,
            ]),
            Rect::new(inner.x, y, SERVICE_WIDTH, ROW_HEIGHT),
        );
        for (c, env) in envs.iter().enumerate() {
            let x = inner.x + SERVICE_WIDTH + u16::try_from(c).unwrap_or(0) * cell_width;
            let area =
                Rect::new(x, y, cell_width.saturating_sub(1), ROW_HEIGHT).intersection(inner);
            let cell = board_cell(state, &deploys, service, &env.name);
            let selected = i == row && c == state.col;
            let lines = cell_lines(state, theme, &cell, usize::from(area.width));
            let mut paragraph = Paragraph::new(lines);
            if selected {
                paragraph = paragraph.style(theme.selected());
            }
            frame.render_widget(paragraph, area);
            hits.push(area, Hit::Cell(i, c));
        }
    }
    if services.len() > visible {
        let more = format!(
            " {}–{} of {} ",
            offset + 1,
            (offset + visible).min(services.len()),
            services.len()
        );
        let width = u16::try_from(more.chars().count()).unwrap_or(0);
        frame.render_widget(
            Paragraph::new(more).style(theme.dim()),
            Rect::new(
                area.right().saturating_sub(width + 2),
                area.bottom() - 1,
                width,
                1,
            ),
        );
    }
}

fn pad(text: &str, width: u16) -> String {
    format!("{text:<w$}", w = usize::from(width))
}

/// The cell model ([`crate::console::cell`]) as two lines: the head badges, the fitting one
/// truncated to what the others leave; the status badge truncated to the width.
fn cell_lines(state: &State, theme: Theme, cell: &BoardCell, width: usize) -> Vec<Line<'static>> {
    let fixed: usize = cell
        .head
        .iter()
        .filter(|b| !b.fit)
        .map(|b| badge_text(state, b).chars().count())
        .sum();
    let first = cell
        .head
        .iter()
        .map(|b| {
            let text = badge_text(state, b);
            let text = if b.fit {
                truncate(&text, width.saturating_sub(fixed))
            } else {
                text
            };
            Span::styled(text, tone(theme, b.tone))
        })
        .collect::<Vec<_>>();
    let second = cell.status.as_ref().map_or_else(
        || Line::raw(""),
        |b| {
            let mut text = badge_text(state, b);
            if text.chars().count() > width
                && let Some(short) = &b.short
            {
                text.clone_from(short);
            }
            Line::from(Span::styled(truncate(&text, width), tone(theme, b.tone)))
        },
    );
    vec![Line::from(first), second]
}

/// A badge's glyph (if any) and text.
fn badge_text(state: &State, badge: &Badge) -> String {
    match badge.mark {
        None => badge.text.clone(),
        Some(Mark::Spinner) => format!("{} {}", spinner(state.frame), badge.text),
        Some(Mark::Health(h)) => format!("{} {}", health_glyph(h), badge.text),
    }
}

fn tone(theme: Theme, tone: Tone) -> Style {
    match tone {
        Tone::Plain => Style::new(),
        Tone::Dim => theme.dim(),
        Tone::Accent => theme.accent(),
        Tone::Good => theme.good(),
        Tone::Warn => theme.warn(),
        Tone::Bad => theme.bad(),
        Tone::Health(h) => theme.health(h),
    }
}
