//! Flags: every flag × environment (on/off and rollout percentage) grouped by service, each flag
//! service's read (or why it cannot be read), and the cell under the cursor with its keys.

use std::fmt::Write as _;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::console::flags::{self, FlagLine};
use crate::console::model;
use crate::console::state::State;
use crate::domain::flag::FlagValue;
use crate::domain::sanitize::truncate;
use crate::tui::theme::{Theme, spinner};

use super::Hits;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: Theme, hits: &mut Hits) {
    let block = Block::bordered().title(Span::styled(
        " Flags — flags × environments, by service ",
        theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if state.config.flags.is_empty() {
        frame.render_widget(
            Paragraph::new(
                "No flag service is configured: add a [[flags]] table (README, \"Feature flags\").",
            )
            .wrap(ratatui::widgets::Wrap { trim: true })
            .style(theme.dim()),
            inner,
        );
        return;
    }
    let width = usize::from(inner.width);
    let mut top: Vec<Line<'static>> = state
        .config
        .flags
        .iter()
        .map(|spec| service_line(state, theme, spec, width))
        .collect();
    top.push(Line::raw(""));
    let lines = flags::lines(state);
    let cursor = state.cursor("flags").min(lines.len().saturating_sub(1));
    let col = state
        .col
        .min(state.config.environments.len().saturating_sub(1));
    let name_width = lines
        .iter()
        .map(|l| l.flag.chars().count() + 4)
        .max()
        .unwrap_or(8)
        .clamp(8, 32);
    let envs = state.config.environments.len().max(1);
    let cell_width = (width.saturating_sub(name_width) / envs).max(4);
    let mut header = vec![Span::styled(pad("FLAG", name_width), theme.dim())];
    for (i, e) in state.config.environments.iter().enumerate() {
        let style = if i == col { theme.bold() } else { theme.dim() };
        header.push(Span::styled(pad(&e.name.to_uppercase(), cell_width), style));
    }
    top.push(Line::from(header));
    let footer = selected_line(state, theme, width);
    let top_height = u16::try_from(top.len())
        .unwrap_or(u16::MAX)
        .min(inner.height);
    frame.render_widget(
        Paragraph::new(top),
        Rect::new(inner.x, inner.y, inner.width, top_height),
    );
    let footer_height = u16::from(footer.is_some());
    let list = Rect::new(
        inner.x,
        inner.y + top_height,
        inner.width,
        inner
            .height
            .saturating_sub(top_height)
            .saturating_sub(footer_height),
    );
    if lines.is_empty() {
        let text = if state.filter.is_empty() {
            "No flags read yet."
        } else {
            "No flag or service matches the filter (Esc clears it)."
        };
        frame.render_widget(Paragraph::new(text).style(theme.dim()), list);
        return;
    }
    let mut rows: Vec<(Line<'static>, Option<usize>)> = Vec::new();
    let mut group: Option<Option<&str>> = None;
    for (i, line) in lines.iter().enumerate() {
        if group != Some(line.service.as_deref()) {
            group = Some(line.service.as_deref());
            let heading = line.service.as_deref().unwrap_or("(flags of no service)");
            rows.push((Line::styled(heading.to_string(), theme.bold()), None));
        }
        let at = (i == cursor).then_some(col);
        rows.push((flag_line(line, theme, name_width, cell_width, at), Some(i)));
    }
    super::rows::draw(frame, list, rows, cursor, theme, hits);
    if let Some(footer) = footer {
        frame.render_widget(
            Paragraph::new(footer),
            Rect::new(inner.x, inner.bottom().saturating_sub(1), inner.width, 1),
        );
    }
}

/// `demo-flags (http) · read 3s ago`, or why it cannot be read and what the rows show instead.
fn service_line(
    state: &State,
    theme: Theme,
    spec: &crate::domain::flag::FlagService,
    width: usize,
) -> Line<'static> {
    let name = format!("{} ({})", spec.name, spec.kind.name());
    if let Some((fault, seen)) = flags::fault(state, spec) {
        let shown = seen.map_or_else(
            || "nothing read from it yet".to_string(),
            |at| format!("rows as read at {}", state.time(at, "%H:%M:%S")),
        );
        return Line::from(vec![
            Span::styled(format!("✖ {name} {} ", fault.status()), theme.bad()),
            Span::styled(
                truncate(
                    &format!("— changes are refused; {shown} — {fault}"),
                    width.saturating_sub(name.chars().count() + fault.status().len() + 4),
                ),
                theme.bad(),
            ),
        ]);
    }
    match state.flags.get(&spec.name) {
        Some(r) => Line::from(vec![
            Span::styled(format!("✓ {name}"), theme.good()),
            Span::styled(
                format!(
                    " · read {} ago · every {}s",
                    model::age(state.now, r.at),
                    spec.interval.as_secs()
                ),
                theme.dim(),
            ),
        ]),
        None => Line::styled(
            format!("{} {name} · reading…", spinner(state.frame)),
            theme.dim(),
        ),
    }
}

/// One flag's line: its name, then its value in each environment; `at` is the cursor's column
/// when the cursor is on this line.
fn flag_line(
    line: &FlagLine,
    theme: Theme,
    name_width: usize,
    cell_width: usize,
    at: Option<usize>,
) -> Line<'static> {
    let mut spans = vec![Span::raw(pad(
        &format!("  {}", truncate(&line.flag, name_width.saturating_sub(4))),
        name_width,
    ))];
    for (i, cell) in line.cells.iter().enumerate() {
        let (text, style) = match cell {
            None => ("—".to_string(), theme.dim()),
            Some(row) => {
                let drift = if row.drift { " ≠" } else { "" };
                (
                    format!("{}{drift}", row.value),
                    value_style(theme, row.value),
                )
            }
        };
        let style = if line.stale { theme.dim() } else { style };
        let style = if at == Some(i) {
            style.add_modifier(Modifier::REVERSED)
        } else {
            style
        };
        let text = truncate(&text, cell_width.saturating_sub(1));
        let fill = cell_width.saturating_sub(text.chars().count());
        spans.push(Span::styled(text, style));
        spans.push(Span::raw(" ".repeat(fill)));
    }
    Line::from(spans)
}

fn value_style(theme: Theme, value: FlagValue) -> Style {
    match (value.enabled, value.rollout) {
        (false, _) => theme.dim(),
        (true, Some(p)) if p < 100 => theme.accent(),
        (true, _) => theme.good(),
    }
}

/// The cell under the cursor: its value, strategies and drift, and what the keys would do.
fn selected_line(state: &State, theme: Theme, width: usize) -> Option<Line<'static>> {
    let (line, env) = flags::selected(state)?;
    let col = state
        .config
        .environments
        .iter()
        .position(|e| e.name == env)?;
    let Some(row) = line.cells.get(col).and_then(Option::as_ref) else {
        return Some(Line::styled(
            format!("{} in {env}: not mapped by {}", line.flag, line.provider),
            theme.dim(),
        ));
    };
    let mut text = format!("{} in {env}: {}", line.flag, row.value);
    if let (true, Some(r)) = (row.drift, row.recorded) {
        let _ = write!(text, " (≠ drift: shipdeck last set it {r})");
    }
    if !row.strategies.is_empty() {
        let _ = write!(text, " · {}", row.strategies.join(", "));
    }
    let keys = if state.read_only {
        " · read-only: Enter history".to_string()
    } else {
        format!(
            " · Space {} · +/- step · Enter history",
            if row.value.enabled { "off" } else { "on" }
        )
    };
    let room = width.saturating_sub(keys.chars().count());
    Some(Line::from(vec![
        Span::raw(truncate(&text, room)),
        Span::styled(keys, theme.dim()),
    ]))
}

fn pad(text: &str, width: usize) -> String {
    let n = text.chars().count();
    if n >= width {
        truncate(text, width)
    } else {
        format!("{text}{}", " ".repeat(width - n))
    }
}
