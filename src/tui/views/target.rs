//! Target: one service in one environment — observations, latency and health history, recent
//! deployments, and the changes waiting to enter.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Sparkline};

use crate::console::model;
use crate::console::state::State;
use crate::domain::ledger::DeploymentState;
use crate::domain::sanitize::truncate;
use crate::tui::theme::{Theme, health_glyph};

use super::Hits;
use super::release::commit_lines;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: Theme, _hits: &mut Hits) {
    let Some(key) = model::selected(state) else {
        frame.render_widget(
            Paragraph::new("No target selected.").style(theme.dim()),
            area,
        );
        return;
    };
    let block = Block::bordered().title(Span::styled(
        format!(" {} in {} ", key.service, key.env),
        theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let cell = model::cell(state, &key.service, &key.env);
    let target = state.targets.get(&key);
    let mut lines = vec![Line::from(vec![
        Span::styled(
            format!("{} ", health_glyph(cell.health)),
            theme.health(cell.health),
        ),
        Span::styled(
            cell.running
                .on_board(!cell.checking)
                .unwrap_or_else(|| "no version reported".into()),
            theme.bold(),
        ),
        Span::styled(
            format!("  {}", cell.health.as_str()),
            theme.health(cell.health),
        ),
        Span::styled(
            cell.since
                .map(|t| format!("  for {}", model::age(state.now, t)))
                .unwrap_or_default(),
            theme.dim(),
        ),
    ])];
    let interval = crate::domain::probed::interval(&state.config, &key.service, &key.env);
    lines.push(
        match crate::domain::probed::probed(&state.config, &key.service, &key.env) {
            Some(what) => Line::from(vec![
                Span::styled("probes ", theme.dim()),
                Span::raw(what),
                Span::styled(
                    format!(
                        " every {}",
                        model::compact(i64::try_from(interval.as_secs()).unwrap_or(0))
                    ),
                    theme.dim(),
                ),
            ]),
            None => Line::styled("no health probe is configured for this target", theme.dim()),
        },
    );
    match cell.observation {
        Some(o) => {
            lines.push(Line::raw(format!(
                "last probe {} ago · {} · reported {} · commit {}",
                model::age(state.now, o.at),
                o.latency_ms
                    .map_or("no latency".into(), |l| format!("{l} ms")),
                o.reported_version.as_deref().unwrap_or("no version"),
                o.commit
                    .as_deref()
                    .map_or("—", crate::domain::commit_id::short),
            )));
            match o.problem() {
                Some(problem) => lines.push(Line::styled(problem, theme.health(o.health))),
                None => lines.push(Line::styled(o.detail.clone(), theme.dim())),
            }
        }
        None => lines.push(Line::styled(
            "checking… no probe has answered yet",
            theme.dim(),
        )),
    }
    if cell.drift {
        lines.push(Line::styled(
            "≠ drift: this version was not put there by a deployment shipdeck recorded",
            theme.warn(),
        ));
    }
    // The last deployment's failure, whole: the reason is what tells what to do next.
    if let Some(d) = cell.failed
        && let DeploymentState::Failed { at, reason } = &d.state
    {
        let text = format!(
            "✖ {} failed {}: {reason} — r rolls back",
            d.release,
            crate::domain::time::when(*at, state.now, &state.tz)
        );
        for chunk in wrap(&text, usize::from(inner.width)) {
            lines.push(Line::styled(chunk, theme.bad()));
        }
    }
    if let Some((attempt, left)) = crate::console::down::retry(state, &key.service, &key.env) {
        lines.push(Line::styled(
            format!("↻ probe failing ({attempt} in a row); next probe in {left}"),
            theme.warn(),
        ));
    }
    let [summary, spark, strip, lower] = Layout::vertical([
        Constraint::Length(u16::try_from(lines.len()).unwrap_or(4)),
        Constraint::Length(3),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(lines), summary);

    let latencies: Vec<u64> = target
        .map(|t| {
            t.history
                .iter()
                .map(|o| o.latency_ms.unwrap_or(0))
                .collect()
        })
        .unwrap_or_default();
    let max = latencies.iter().copied().max().unwrap_or(0);
    frame.render_widget(
        Sparkline::default()
            .block(Block::new().title(Span::styled(format!("latency (max {max} ms)"), theme.dim())))
            .data(&latencies)
            .style(theme.accent()),
        spark,
    );
    let mut strip_spans = vec![Span::styled("health ", theme.dim())];
    if let Some(t) = target {
        for o in &t.history {
            strip_spans.push(Span::styled(health_glyph(o.health), theme.health(o.health)));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(strip_spans)), strip);
    let lower = super::slots::split_off(frame, lower, state, theme, &key);

    let [left, changes] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(lower);
    let seen: Vec<&crate::console::state::HealthChange> = state
        .health_changes
        .iter()
        .rev()
        .filter(|h| h.service == key.service && h.env == key.env)
        .collect();
    let [deploys, health] = if seen.is_empty() {
        [left, Rect::default()]
    } else {
        let height = u16::try_from(seen.len().min(6) + 2).unwrap_or(8);
        Layout::vertical([Constraint::Min(3), Constraint::Length(height)]).areas(left)
    };
    if !seen.is_empty() {
        let width = usize::from(health.width.saturating_sub(2));
        let hl: Vec<Line> = seen
            .iter()
            .take(usize::from(health.height.saturating_sub(2)))
            .map(|h| {
                Line::from(vec![
                    Span::styled(format!("{} ", health_glyph(h.to)), theme.health(h.to)),
                    Span::raw(truncate(
                        &format!(
                            "{} {} → {} · {} ({} ago)",
                            state.time(h.at, "%H:%M:%S"),
                            h.from.as_str(),
                            h.to.as_str(),
                            h.detail,
                            model::age(state.now, h.at)
                        ),
                        width.saturating_sub(2),
                    )),
                ])
            })
            .collect();
        frame.render_widget(
            Paragraph::new(hl).block(Block::bordered().title(" health changes seen ")),
            health,
        );
    }
    let width = usize::from(deploys.width.saturating_sub(2));
    let mut dl: Vec<Line> = state
        .ledger
        .deployments()
        .iter()
        .rev()
        .filter(|d| d.service == key.service && d.env == key.env)
        .take(usize::from(deploys.height))
        .map(|d| {
            let (mark, style, what) = match &d.state {
                DeploymentState::InFlight => ("…", theme.accent(), "in flight".to_string()),
                DeploymentState::Succeeded { .. } => ("✓", theme.good(), "succeeded".to_string()),
                DeploymentState::Failed { reason, .. } => {
                    ("✖", theme.bad(), format!("failed: {reason}"))
                }
            };
            let text = format!(
                "{} {}{} by {} {} ago — {what}",
                state.time(d.requested_at, "%H:%M"),
                d.release,
                if d.rollback { " (rollback)" } else { "" },
                d.requested_by,
                model::age(state.now, d.requested_at),
            );
            Line::from(vec![
                Span::styled(format!("{mark} "), style),
                Span::raw(truncate(&text, width.saturating_sub(2))),
            ])
        })
        .collect();
    if dl.is_empty() {
        dl.push(Line::styled(
            "no deployments recorded here yet",
            theme.dim(),
        ));
    }
    frame.render_widget(
        Paragraph::new(dl).block(Block::bordered().title(" recent deployments ")),
        deploys,
    );
    let title = match state.changes.get(&key) {
        Some(c) => format!(" changes {} → {} ", c.from, c.to),
        None => " changes waiting ".to_string(),
    };
    let lines = commit_lines(
        state,
        theme,
        &key,
        usize::from(changes.width.saturating_sub(2)),
        None,
    );
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((u16::try_from(state.cursor("target")).unwrap_or(0), 0))
            .block(Block::bordered().title(title)),
        changes,
    );
}

/// `text` in lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(width.max(1))
        .map(|c| c.iter().collect())
        .collect()
}
