//! Help, the palette, confirmations and prompts, drawn over the current view.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::console::keymap;
use crate::console::overlay::{Confirm, Detail, Input, Overlay, Palette};
use crate::console::palette;
use crate::console::state::State;
use crate::domain::sanitize::truncate;
use crate::tui::theme::{Theme, spinner};

use super::{centered, gates};
use crate::domain::commit_id::short;

pub fn draw(frame: &mut Frame, body: Rect, state: &State, theme: Theme) {
    match &state.overlay {
        None => {}
        Some(Overlay::Help) => help(frame, body, state, theme),
        Some(Overlay::Palette(p)) => draw_palette(frame, body, p, theme),
        Some(Overlay::Confirm(c)) => confirm(frame, body, state, c, theme),
        Some(Overlay::Input(i)) => input(frame, body, i, theme),
        Some(Overlay::Detail(d)) => detail(frame, body, d, theme),
    }
}

/// The whole of one line, wrapped; ↓↑ scroll, Esc or Enter closes.
fn detail(frame: &mut Frame, body: Rect, d: &Detail, theme: Theme) {
    let height = u16::try_from(d.lines.len() + 4).unwrap_or(u16::MAX);
    let area = centered(body, 100, height.max(8));
    frame.render_widget(Clear, area);
    let lines: Vec<Line> = d.lines.iter().map(|l| Line::raw(l.clone())).collect();
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((u16::try_from(d.scroll).unwrap_or(0), 0))
            .block(
                Block::bordered()
                    .title(Span::styled(format!(" {} ", d.title), theme.title()))
                    .title_bottom(Span::styled(" ↓↑ scroll · Esc closes ", theme.dim()))
                    .border_style(theme.accent()),
            ),
        area,
    );
}

fn key_lines<'a>(
    keys: impl Iterator<Item = (&'a str, &'a str, bool)>,
    state: &State,
    theme: Theme,
) -> Vec<Line<'static>> {
    keys.map(|(keys, what, acts)| {
        let off = acts && state.read_only;
        let what = if off {
            format!("{what} (read-only: off)")
        } else {
            what.to_string()
        };
        Line::from(vec![
            Span::styled(
                format!("  {keys:<16}"),
                if off { theme.dim() } else { theme.accent() },
            ),
            Span::styled(
                what,
                if off {
                    theme.dim()
                } else {
                    ratatui::style::Style::new()
                },
            ),
        ])
    })
    .collect()
}

/// The help overlay, generated from the key map and the view registry.
fn help(frame: &mut Frame, body: Rect, state: &State, theme: Theme) {
    let spec = state.view.spec();
    let mut lines = vec![Line::styled(format!("{} view", spec.title), theme.bold())];
    let (hint_keys, hint) = spec.hints;
    let own = keymap::view_help(state.view).map(|b| (b.label, b.help, !keymap::reads_only(b.act)));
    lines.extend(key_lines(
        std::iter::once((hint_keys, hint, false)).chain(own),
        state,
        theme,
    ));
    lines.push(Line::raw(""));
    lines.push(Line::styled("Everywhere", theme.bold()));
    let view_keys = keymap::view_keys_label();
    let global = keymap::global_help().map(|b| {
        let label = if matches!(b.keys, keymap::Keys::ViewKeys) {
            view_keys.as_str()
        } else {
            b.label
        };
        (label, b.help, !keymap::reads_only(b.act))
    });
    lines.extend(key_lines(global, state, theme));
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Mouse: click a tab, a cell or a row to select it; the wheel scrolls.",
        theme.dim(),
    ));
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    let area = centered(body, 72, height);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title(Span::styled(" Keys (? or Esc closes) ", theme.title()))
                .border_style(theme.accent()),
        ),
        area,
    );
}

fn draw_palette(frame: &mut Frame, body: Rect, p: &Palette, theme: Theme) {
    let area = centered(body, 70, 18);
    let area = Rect::new(area.x, body.y + 2, area.width, area.height);
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .title(Span::styled(" : command palette ", theme.title()))
        .border_style(theme.accent());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let found = palette::matches(&p.query, &p.items);
    let mut lines = vec![
        Line::from(vec![
            Span::styled("› ", theme.accent()),
            Span::raw(p.query.clone()),
            Span::styled("▏", theme.accent()),
        ]),
        Line::styled(
            format!("{} of {} actions", found.len(), p.items.len()),
            theme.dim(),
        ),
    ];
    let height = usize::from(inner.height.saturating_sub(2));
    let offset = p.selected.saturating_sub(height.saturating_sub(1));
    for (i, (label, _)) in found.iter().enumerate().skip(offset).take(height) {
        let style = if i == p.selected {
            theme.selected()
        } else {
            ratatui::style::Style::new()
        };
        lines.push(Line::styled(format!(" {label}"), style));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn confirm(frame: &mut Frame, body: Rect, state: &State, c: &Confirm, theme: Theme) {
    let area = centered(body, 96, body.height.saturating_sub(2).max(12));
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .title(Span::styled(format!(" {} ", c.title), theme.title()))
        .border_style(theme.warn());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let mut lines: Vec<Line> = c.lines.iter().map(|l| Line::raw(l.clone())).collect();
    if c.loading.is_some() {
        let what = if matches!(c.action, crate::console::overlay::Confirmed::Flag { .. }) {
            "reading the flag service, preparing the call…"
        } else {
            "evaluating gates, reading git, preparing the call…"
        };
        lines.push(Line::styled(
            format!("{} {what}", spinner(state.frame)),
            theme.dim(),
        ));
    }
    if let Some(plan) = &c.plan {
        lines.push(Line::from(vec![
            Span::styled("release   ", theme.dim()),
            Span::styled(plan.release.name.clone(), theme.bold()),
            Span::raw(format!(" ({})", short(&plan.release.commit))),
        ]));
        lines.push(Line::from(vec![
            Span::styled("target    ", theme.dim()),
            Span::raw(format!(
                "{} in {}{} — running now: {}",
                plan.service,
                plan.env,
                if plan.protected { " (protected)" } else { "" },
                plan.running
                    .label()
                    .unwrap_or_else(|| "nothing reported".into())
            )),
        ]));
        lines.push(Line::from(vec![
            Span::styled("calls     ", theme.dim()),
            Span::styled(
                plan.call
                    .clone()
                    .unwrap_or_else(|| "no deployer configured for this target".into()),
                theme.accent(),
            ),
        ]));
        lines.extend(super::slots::rollout_plan_lines(c, theme));
        lines.push(Line::styled(
            if plan.rollback {
                "gates — shown, not enforced for a rollback"
            } else if plan.report.allowed() {
                "gates — all pass"
            } else {
                "gates — blocking"
            },
            theme.bold(),
        ));
        if plan.report.gates.is_empty() {
            lines.push(Line::styled(
                "   no gates: this environment accepts any release",
                theme.dim(),
            ));
        }
        for g in &plan.report.gates {
            // Whole: the dialog wraps, so a narrow terminal still says who must act.
            lines.push(gates::gate_line(state, theme, g, usize::MAX));
        }
        lines.push(Line::styled(
            format!("changes — {} commit(s)", plan.changes.len()),
            theme.bold(),
        ));
        for commit in &plan.changes {
            lines.push(Line::from(vec![
                Span::styled(format!("   {} ", short(&commit.commit)), theme.accent()),
                Span::raw(truncate(&commit.summary, width.saturating_sub(30))),
                Span::styled(format!(" — {}", truncate(&commit.author, 18)), theme.dim()),
            ]));
        }
    }
    // The prompt stays at the bottom; the rest scrolls.
    let mut footer = Vec::new();
    if let Some(name) = c.require.as_ref().filter(|_| c.asks_name()) {
        footer.push(Line::from(vec![
            Span::styled(
                format!("{name} is protected — type its name to confirm: "),
                theme.warn(),
            ),
            Span::styled(c.typed.clone(), theme.bold()),
            Span::styled("▏", theme.accent()),
        ]));
    }
    footer.push(match c.blocked() {
        Some(why) => Line::styled(format!("{why} · Esc cancels"), theme.warn()),
        None => Line::styled("Enter confirms · Esc cancels", theme.good()),
    });
    let footer_height = u16::try_from(footer.len()).unwrap_or(1);
    let main = Rect::new(
        inner.x,
        inner.y,
        inner.width,
        inner.height.saturating_sub(footer_height + 1),
    );
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((u16::try_from(c.scroll).unwrap_or(0), 0)),
        main,
    );
    frame.render_widget(
        Paragraph::new(footer),
        Rect::new(
            inner.x,
            inner.bottom().saturating_sub(footer_height),
            inner.width,
            footer_height,
        ),
    );
}

fn input(frame: &mut Frame, body: Rect, i: &Input, theme: Theme) {
    let area = Rect::new(body.x, body.bottom().saturating_sub(3), body.width, 3);
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::raw(i.text.clone()),
            Span::styled("▏", theme.accent()),
        ]))
        .block(
            Block::bordered()
                .title(Span::styled(
                    format!(" {} — Enter accepts · Esc cancels ", i.prompt),
                    theme.title(),
                ))
                .border_style(theme.accent()),
        ),
        area,
    );
}
