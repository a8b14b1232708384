//! Activity: the event log, newest first, and live output of running deployments.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

use crate::console::activity::Row;
use crate::console::msg::Hit;
use crate::console::state::{HealthChange, State};
use crate::domain::event::{Event, Fact};
use crate::domain::sanitize::truncate;
use crate::tui::theme::Theme;

use super::Hits;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: Theme, hits: &mut Hits) {
    let output_lines: usize = state.output.values().map(|(_, l)| l.len() + 1).sum();
    let output_height = u16::try_from(output_lines.min(12)).unwrap_or(0);
    let [log, output] = if output_height > 0 {
        Layout::vertical([Constraint::Min(3), Constraint::Length(output_height + 2)]).areas(area)
    } else {
        [area, Rect::default()]
    };
    let rows = crate::console::activity::rows(state);
    let events = rows.iter().filter(|r| matches!(r, Row::Event(_))).count();
    let seen = rows.len() - events;
    let filtered = if state.filter.is_empty() {
        String::new()
    } else {
        format!(" /{}", state.filter)
    };
    let block = Block::bordered().title(Span::styled(
        format!(
            " Event log{filtered} — {events} events, {seen} health changes seen, newest first · \
             Enter shows a line "
        ),
        theme.title(),
    ));
    let inner = block.inner(log);
    frame.render_widget(block, log);
    if rows.is_empty() {
        let text = if state.filter.is_empty() {
            "Nothing recorded yet. Every action you take here is written to the log.".to_string()
        } else {
            format!("Nothing about /{} — Esc clears the filter.", state.filter)
        };
        frame.render_widget(Paragraph::new(text).style(theme.dim()), inner);
    }
    let cursor = state.cursor("activity");
    let height = usize::from(inner.height);
    let offset = cursor.saturating_sub(height.saturating_sub(1));
    let width = usize::from(inner.width);
    for (n, (i, row)) in rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .enumerate()
    {
        let area = Rect::new(
            inner.x,
            inner.y + u16::try_from(n).unwrap_or(0),
            inner.width,
            1,
        );
        let style = if i == cursor {
            theme.selected()
        } else {
            Style::new()
        };
        // Narrow, the line keeps what happened: the date and the actor's width give way.
        let narrow = width < 100;
        let at = state.time(row.at(), if narrow { "%H:%M:%S" } else { "%m-%d %H:%M:%S" });
        let line = match row {
            Row::Event(event) => event_line(event, &at, theme, width, actor_width(narrow)),
            Row::Health(change) => health_line(change, &at, theme, width, actor_width(narrow)),
        };
        frame.render_widget(Paragraph::new(line).style(style), area);
        hits.push(area, Hit::Row(i));
    }
    if output_height > 0 {
        let mut lines = Vec::new();
        for (label, out) in state.output.values() {
            lines.push(Line::styled(label.clone(), theme.bold()));
            lines.extend(out.iter().map(|l| Line::raw(truncate(l, width))));
        }
        let skip = lines.len().saturating_sub(usize::from(output_height));
        let lines: Vec<_> = lines.into_iter().skip(skip).collect();
        frame.render_widget(
            Paragraph::new(lines).block(Block::bordered().title(" deployer output ")),
            output,
        );
    }
}

/// How wide the actor column is.
fn actor_width(narrow: bool) -> usize {
    if narrow { 12 } else { 22 }
}

fn event_line(event: &Event, at: &str, theme: Theme, width: usize, actor: usize) -> Line<'static> {
    let target = [
        event.service.as_deref(),
        event.release.as_deref(),
        event.env.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let fact = event.fact();
    let style = match &fact {
        Some(Fact::DeploySucceeded { .. } | Fact::Approved { .. }) => theme.good(),
        Some(Fact::DeployFailed { .. } | Fact::RolloutAborted { .. }) => theme.bad(),
        Some(Fact::Overridden { .. } | Fact::ItemUnticked { .. }) => theme.warn(),
        Some(Fact::DeployRequested { .. } | Fact::Tagged { .. } | Fact::TrafficShifted { .. }) => {
            theme.accent()
        }
        Some(Fact::NotesPublished { ok, .. } | Fact::FlagChanged { ok, .. }) => {
            if *ok {
                theme.good()
            } else {
                theme.bad()
            }
        }
        _ => Style::new(),
    };
    let detail = fact.map(|f| f.summary()).unwrap_or_default();
    // Events in a shared log come from anyone who can push: every field is untrusted text,
    // sanitized on its own before it is truncated and joined, so that one field's unterminated
    // escape (`mallory@x\x1b]AAAA…`) cannot swallow the rest of the line.
    let clean = crate::domain::sanitize::sanitize;
    let text = format!(
        "{:>5} {} {:<16} {:<actor$} {} {}",
        event.seq,
        clean(at),
        truncate(&clean(&event.kind), 16),
        truncate(&clean(&event.actor), actor),
        clean(&target),
        clean(&detail)
    );
    Line::styled(truncate(&text, width), style)
}

/// A health change this console saw: marked as an observation, not an event of the log.
fn health_line(
    change: &HealthChange,
    at: &str,
    theme: Theme,
    width: usize,
    actor: usize,
) -> Line<'static> {
    let text = format!(
        "{:>5} {} {:<16} {:<actor$} {} {} {} → {}: {}",
        "·",
        at,
        "health seen",
        truncate("(this console)", actor),
        change.service,
        change.env,
        change.from.as_str(),
        change.to.as_str(),
        change.detail
    );
    Line::styled(
        truncate(&crate::domain::sanitize::sanitize(&text), width),
        theme.health(change.to),
    )
}
