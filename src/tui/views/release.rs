//! Release: what is about to change at the selected cell (the changelog between environments),
//! the release notes preview, and tagging.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::console::model;
use crate::console::msg::Hit;
use crate::console::state::{OpKind, State, TargetKey};
use crate::domain::commit_id::short;
use crate::domain::sanitize::truncate;
use crate::tui::theme::{Theme, spinner};

use super::Hits;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: Theme, hits: &mut Hits) {
    let Some(key) = model::selected(state) else {
        frame.render_widget(
            Paragraph::new("No target selected.").style(theme.dim()),
            area,
        );
        return;
    };
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area);
    let (left, below) = split_unreleased(state, &key.service, left);
    if let Some(below) = below {
        draw_unreleased(frame, below, state, theme, &key.service);
    }
    let title = match (
        model::cell(state, &key.service, &key.env).release,
        model::candidate(state, &key.service, &key.env),
    ) {
        (Some(from), Some(to)) => format!(" {}: {from} → {} in {} ", key.service, to.name, key.env),
        (_, Some(to)) => format!(" {}: {} → {} ", key.service, to.name, key.env),
        (Some(running), None) => format!(
            " {}: {running} runs in {} — nothing waiting ",
            key.service, key.env
        ),
        (None, None) => format!(" {} in {} ", key.service, key.env),
    };
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let inner = block.inner(left);
    frame.render_widget(block, left);
    let cursor = state.cursor("release");
    let lines = commit_lines(state, theme, &key, usize::from(inner.width), Some(cursor));
    let height = usize::from(inner.height);
    let offset = cursor.saturating_sub(height.saturating_sub(1));
    for (n, line) in lines.into_iter().skip(offset).take(height).enumerate() {
        let area = Rect::new(
            inner.x,
            inner.y + u16::try_from(n).unwrap_or(0),
            inner.width,
            1,
        );
        frame.render_widget(Paragraph::new(line), area);
        hits.push(area, Hit::Row(n + offset));
    }

    let right = draw_flags(frame, right, state, theme, &key);
    let notes_block = Block::bordered().title(Span::styled(
        " notes (n) · edit (e) · publish (P) · tag (t) ",
        theme.title(),
    ));
    // A hand edit is in the log the console follows, so anyone's edit shows as soon as it lands.
    let edited = model::subject(state, &key.service, &key.env)
        .and_then(|r| state.ledger.notes_edit(&key.service, &r.name));
    let notes = match (edited, state.notes.get(&key)) {
        (Some(edit), _) => {
            let mut lines = vec![Line::styled(
                format!(
                    "edited by {} {} ago",
                    edit.actor,
                    crate::console::model::age(state.now, edit.at)
                ),
                theme.dim(),
            )];
            lines.extend(edit.markdown.lines().map(|l| Line::raw(l.to_string())));
            Paragraph::new(lines)
        }
        (None, Some(md)) => Paragraph::new(md.clone()),
        (None, None)
            if state.ops.values().any(|o| match &o.kind {
                OpKind::Notes(k) | OpKind::EditNotes(k, _) => k == &key,
                _ => false,
            }) =>
        {
            Paragraph::new(format!("{} drafting notes from git…", spinner(state.frame)))
                .style(theme.dim())
        }
        (None, None) => {
            Paragraph::new("Press n to draft the release notes from git.").style(theme.dim())
        }
    };
    frame.render_widget(notes.wrap(Wrap { trim: false }).block(notes_block), right);
}

/// The dark-launch picture beside the changes: the service's flags in the environment (from
/// the flag services' latest reads, or why one cannot be read), above the notes. Nothing when
/// no flag service holds flags of the service; returns the room left for the notes.
fn draw_flags(frame: &mut Frame, area: Rect, state: &State, theme: Theme, key: &TargetKey) -> Rect {
    let specs: Vec<_> =
        crate::console::flags::services_for(state, &key.service, &key.env).collect();
    if specs.is_empty() {
        return area;
    }
    let col = state
        .config
        .environments
        .iter()
        .position(|e| e.name == key.env);
    let mut lines: Vec<Line<'static>> = Vec::new();
    for spec in &specs {
        if let Some((fault, _)) = crate::console::flags::fault(state, spec) {
            lines.push(Line::styled(
                format!("✖ {}: {fault}", spec.name),
                theme.bad(),
            ));
        }
    }
    let width = usize::from(area.width.saturating_sub(2));
    for line in crate::console::flags::lines(state)
        .iter()
        .filter(|l| l.service.as_deref() == Some(key.service.as_str()))
    {
        let Some(row) = col.and_then(|c| line.cells.get(c)).and_then(Option::as_ref) else {
            continue;
        };
        let (text, style) = if row.value.enabled {
            (row.value.to_string(), theme.good())
        } else {
            ("off (dark)".to_string(), theme.dim())
        };
        let style = if line.stale { theme.dim() } else { style };
        let drift = if row.drift { " ≠ drift" } else { "" };
        lines.push(Line::from(vec![
            Span::raw(format!(
                "⚑ {} ",
                truncate(&line.flag, width.saturating_sub(20))
            )),
            Span::styled(text, style),
            Span::styled(drift.to_string(), theme.warn()),
        ]));
    }
    if lines.is_empty() {
        lines.push(Line::styled("no flags read yet", theme.dim()));
    }
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height / 2)
        .max(3);
    let [top, rest] =
        Layout::vertical([Constraint::Length(height), Constraint::Min(0)]).areas(area);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(Span::styled(
            format!(" flags of {} in {} (7: Flags) ", key.service, key.env),
            theme.title(),
        ))),
        top,
    );
    rest
}

/// The commits waiting at `key`, one a line; the `cursor` line highlighted when given.
pub fn commit_lines(
    state: &State,
    theme: Theme,
    key: &TargetKey,
    width: usize,
    cursor: Option<usize>,
) -> Vec<Line<'static>> {
    let loading = state
        .ops
        .values()
        .any(|o| o.kind == OpKind::Changelog(key.clone()));
    let Some(changes) = state.changes.get(key) else {
        let why = if model::candidate(state, &key.service, &key.env).is_none() {
            "Nothing waits to enter here."
        } else {
            "Changes not loaded yet."
        };
        return vec![Line::styled(why, theme.dim())];
    };
    if loading {
        return vec![Line::styled(
            format!("{} reading git…", spinner(state.frame)),
            theme.dim(),
        )];
    }
    if changes.commits.is_empty() {
        return vec![Line::styled("No commits between them.", theme.dim())];
    }
    changes
        .commits
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let style = if cursor == Some(i) {
                theme.selected()
            } else {
                Style::new()
            };
            let author = truncate(&c.author, 16);
            let summary = truncate(
                &c.summary,
                width.saturating_sub(10 + author.chars().count()),
            );
            Line::from(vec![
                Span::styled(format!("{} ", short(&c.commit)), theme.accent()),
                Span::raw(summary),
                Span::styled(format!(" — {author}"), theme.dim()),
            ])
            .style(style)
        })
        .collect()
}

/// Room under the changes for the service's unreleased commits, when there are any (or they
/// could not be read): at most a third of the pane.
fn split_unreleased(state: &State, service: &str, area: Rect) -> (Rect, Option<Rect>) {
    let rows = match state.unreleased.get(service) {
        None => return (area, None),
        Some(Ok(u)) if u.commits.is_empty() => return (area, None),
        Some(Ok(u)) => u.commits.len(),
        Some(Err(_)) => 1,
    };
    let height = u16::try_from(rows + 2)
        .unwrap_or(u16::MAX)
        .min(area.height / 3);
    if height < 3 {
        return (area, None);
    }
    let [top, bottom] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(height)]).areas(area);
    (top, Some(bottom))
}

/// The commits on HEAD touching the service's paths since its newest release: what a new tag
/// (`t`) would ship.
fn draw_unreleased(frame: &mut Frame, area: Rect, state: &State, theme: Theme, service: &str) {
    let Some(found) = state.unreleased.get(service) else {
        return;
    };
    let (title, lines) = match found {
        Ok(u) => {
            let since = u
                .since
                .as_deref()
                .map_or("no release yet".to_string(), |r| format!("since {r}"));
            let title = format!(
                " unreleased on HEAD {since}: {} commit{} · tag (t) ",
                u.commits.len(),
                if u.commits.len() == 1 { "" } else { "s" }
            );
            let width = usize::from(area.width.saturating_sub(2));
            let lines = u
                .commits
                .iter()
                .map(|c| {
                    let author = truncate(&c.author, 16);
                    let summary = truncate(
                        &c.summary,
                        width.saturating_sub(10 + author.chars().count()),
                    );
                    Line::from(vec![
                        Span::styled(format!("{} ", short(&c.commit)), theme.accent()),
                        Span::raw(summary),
                        Span::styled(format!(" — {author}"), theme.dim()),
                    ])
                })
                .collect::<Vec<_>>();
            (title, lines)
        }
        Err(e) => (
            " unreleased on HEAD ".to_string(),
            vec![Line::styled(
                format!("could not be read: {}", truncate(e, 200)),
                theme.dim(),
            )],
        ),
    };
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
