//! Insights: the path's flow over 7, 30 or 90 days — the four keys, each with the count it
//! rests on and a weekly sparkline, and bar charts of the waits per stage and per gate kind —
//! for every service or the one under the cursor. Drawn from the figures the engine computed
//! into the state (`console::insights`); nothing is computed here.

use std::fmt::Write as _;
use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use crate::console::insights::{self, Computed, PERIODS};
use crate::console::model;
use crate::console::msg::Hit;
use crate::console::state::State;
use crate::domain::duration::format_duration;
use crate::domain::insights::{Insights, MIN_FOR_P90, Spread};
use crate::domain::sanitize::{sanitize, truncate};
use crate::tui::theme::{Theme, spinner};

use super::Hits;

/// What a figure without enough samples under it says.
pub const NOT_ENOUGH: &str = "not enough data";
/// The services pane is drawn beside the figures from this width on; below it the service is
/// named in the period line.
const SIDE_PANE_FROM: u16 = 100;
const SIDE_PANE: u16 = 22;
/// From this inner width on, the two bar charts stand side by side.
const CHARTS_SIDE_BY_SIDE: u16 = 96;

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: Theme, hits: &mut Hits) {
    let key = insights::key(state);
    let scope = key
        .service
        .as_deref()
        .map_or_else(|| "every service".to_string(), sanitize);
    let shown = insights::shown(state);
    let env = shown
        .and_then(|c| c.result.as_ref().ok())
        .map(|i| sanitize(&i.env));
    let title = match &env {
        Some(env) => format!(
            " Insights — {scope} · last {} days · four keys in {env} ",
            key.days
        ),
        None => format!(" Insights — {scope} · last {} days ", key.days),
    };
    let block = Block::bordered().title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let side = area.width >= SIDE_PANE_FROM;
    let body = if side {
        let [pane, body] =
            Layout::horizontal([Constraint::Length(SIDE_PANE), Constraint::Min(1)]).areas(inner);
        draw_services(frame, pane, state, theme, hits);
        body
    } else {
        inner
    };
    let width = usize::from(body.width);
    let mut lines = vec![period_line(state, theme, shown, side, width)];
    if insights::rows(state).is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!(
                "No service matches the filter /{}; Esc clears it.",
                truncate(&sanitize(&state.filter), 24)
            ),
            theme.dim(),
        ));
        frame.render_widget(
            Paragraph::new(lines),
            body.inner(ratatui::layout::Margin::new(1, 0)),
        );
        return;
    }
    match shown.map(|c| &c.result) {
        None => {
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                format!(
                    "{} computing the figures from the event log and git…",
                    spinner(state.frame)
                ),
                theme.dim(),
            ));
        }
        Some(Err(e)) => {
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                format!("✖ the figures could not be computed: {}", sanitize(e)),
                theme.bad(),
            ));
            lines.push(Line::styled("r tries again", theme.dim()));
            frame.render_widget(
                Paragraph::new(lines).wrap(Wrap { trim: false }),
                body.inner(ratatui::layout::Margin::new(1, 0)),
            );
            return;
        }
        Some(Ok(i)) => {
            lines.push(Line::styled(
                format!(
                    "{} → {}",
                    state.time(i.period.since, "%Y-%m-%d %H:%M"),
                    state.time(i.period.until, "%Y-%m-%d %H:%M %Z")
                ),
                theme.dim(),
            ));
            lines.push(Line::raw(""));
            lines.extend(key_lines(i, theme, width.saturating_sub(2)));
        }
    }
    let content = body.inner(ratatui::layout::Margin::new(1, 0));
    let used = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let [top, rest] =
        Layout::vertical([Constraint::Length(used), Constraint::Min(0)]).areas(content);
    frame.render_widget(Paragraph::new(lines), top);
    if let Some(Ok(i)) = shown.map(|c| &c.result) {
        draw_charts(frame, rest, i, theme);
    }
}

/// The services the figures can be for, the one shown under the cursor.
fn draw_services(frame: &mut Frame, area: Rect, state: &State, theme: Theme, hits: &mut Hits) {
    let block = Block::bordered().title(" service ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let rows = insights::rows(state);
    let cursor = state.cursor("insights").min(rows.len().saturating_sub(1));
    let width = usize::from(inner.width);
    let height = usize::from(inner.height);
    // Keep the cursor in sight.
    let first = cursor.saturating_sub(height.saturating_sub(1));
    let mut lines = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(first).take(height) {
        let name = row
            .as_deref()
            .map_or_else(|| "every service".to_string(), sanitize);
        // The cursor is marked by a glyph too, so it shows without colour or reverse video.
        let (mark, style) = if i == cursor {
            ("›", theme.selected())
        } else {
            (" ", Style::new())
        };
        let text = truncate(&format!("{mark}{name}"), width);
        let y = inner.y + u16::try_from(i - first).unwrap_or(0);
        hits.push(Rect::new(inner.x, y, inner.width, 1), Hit::Row(i));
        lines.push(Line::styled(format!("{text:<width$}"), style));
    }
    if rows.is_empty() {
        lines.push(Line::styled("no service matches", theme.dim()));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// `period  7d [30d] 90d   [ ] switch · r recompute   computed 2m ago`.
fn period_line(
    state: &State,
    theme: Theme,
    shown: Option<&Computed>,
    side: bool,
    width: usize,
) -> Line<'static> {
    let mut spans = vec![Span::styled(" period ", theme.dim())];
    for days in PERIODS {
        if days == state.insights.days {
            spans.push(Span::styled(format!("[{days}d]"), theme.selected()));
        } else {
            spans.push(Span::raw(format!(" {days}d ")));
        }
    }
    spans.push(Span::styled("  [ ] switch · r recompute", theme.dim()));
    if !side {
        let service = insights::selected_service(state)
            .as_deref()
            .map_or_else(|| "every service".to_string(), sanitize);
        spans.push(Span::styled(
            format!(" · ↓↑ service: {}", truncate(&service, 16)),
            theme.dim(),
        ));
    }
    let computing = insights::computing(state, &insights::key(state));
    let status = match shown {
        Some(_) if computing => Span::styled(
            format!("  {} recomputing…", spinner(state.frame)),
            theme.accent(),
        ),
        Some(c) if insights::is_stale(state, c) => Span::styled(
            format!(
                "  computed {} ago, before the log changed: r recomputes",
                model::age(state.now, c.at)
            ),
            theme.warn(),
        ),
        Some(c) => Span::styled(
            format!("  computed {} ago", model::age(state.now, c.at)),
            theme.dim(),
        ),
        None => Span::raw(""),
    };
    let used: usize = spans.iter().map(Span::width).sum();
    if used + status.width() <= width {
        spans.push(status);
    }
    Line::from(spans)
}

/// A duration in seconds as people read it (`3d14h`, `11m4s`).
fn human(secs: f64) -> String {
    format_duration(Duration::from_secs_f64(secs.max(0.0).round()))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn median_text(s: &Spread) -> String {
    s.median_secs.map_or_else(
        || NOT_ENOUGH.to_string(),
        |m| format!("median {}", human(m)),
    )
}

fn p90_text(s: &Spread) -> String {
    s.p90_secs.map_or_else(
        || format!("p90 {NOT_ENOUGH} (needs {MIN_FOR_P90})"),
        |p| format!("p90 {}", human(p)),
    )
}

/// One of the four keys: its name, its figure, what it rests on, its weeks.
struct KeyRow {
    label: &'static str,
    figure: String,
    samples: String,
    /// `samples` in fewer letters, for narrow terminals.
    short: String,
    weekly: Vec<Option<f64>>,
}

fn four_keys(i: &Insights) -> Vec<KeyRow> {
    let measured = i.frequency.iter().find(|f| f.env == i.env);
    let frequency = match measured {
        Some(f) => KeyRow {
            label: "Deployment frequency",
            figure: match (f.per_week, f.per_day) {
                (Some(w), Some(d)) => format!("{w:.1}/week · {d:.2}/day"),
                _ => NOT_ENOUGH.to_string(),
            },
            samples: if f.rollbacks > 0 {
                format!(
                    "{}, {}",
                    plural(f.deployments, "deployment", "deployments"),
                    plural(f.rollbacks, "rollback", "rollbacks")
                )
            } else {
                plural(f.deployments, "deployment", "deployments")
            },
            short: if f.rollbacks > 0 {
                format!(
                    "{} deploys, {}",
                    f.deployments,
                    plural(f.rollbacks, "rollback", "rollbacks")
                )
            } else {
                plural(f.deployments, "deploy", "deploys")
            },
            weekly: f.weekly.iter().map(|n| Some(float(*n))).collect(),
        },
        None => KeyRow {
            label: "Deployment frequency",
            figure: NOT_ENOUGH.to_string(),
            samples: String::new(),
            short: String::new(),
            weekly: vec![None; i.weeks.len()],
        },
    };
    let lt = &i.lead_time;
    let lead = KeyRow {
        label: "Lead time",
        figure: if lt.spread.enough() {
            format!("{} · {}", median_text(&lt.spread), p90_text(&lt.spread))
        } else {
            NOT_ENOUGH.to_string()
        },
        samples: format!(
            "{} in {}",
            plural(lt.spread.samples, "commit", "commits"),
            plural(lt.deployments, "deployment", "deployments")
        ),
        short: format!(
            "{}, {}",
            plural(lt.spread.samples, "commit", "commits"),
            plural(lt.deployments, "deploy", "deploys")
        ),
        weekly: lt.weekly_median_secs.clone(),
    };
    let cf = &i.change_failure;
    let failure = KeyRow {
        label: "Change failure rate",
        figure: cf
            .rate
            .map_or_else(|| NOT_ENOUGH.to_string(), |r| format!("{:.0}%", r * 100.0)),
        samples: format!(
            "{} of {}",
            cf.failed + cf.rolled_back,
            plural(cf.deployments, "deployment", "deployments")
        ),
        short: format!(
            "{} of {}",
            cf.failed + cf.rolled_back,
            plural(cf.deployments, "deploy", "deploys")
        ),
        weekly: cf.weekly.clone(),
    };
    let r = &i.restore;
    let restore = KeyRow {
        label: "Time to restore",
        figure: median_text(&r.spread),
        samples: format!(
            "{} restored, {} open",
            plural(r.spread.samples, "incident", "incidents"),
            r.open
        ),
        short: format!("{} restored, {} open", r.spread.samples, r.open),
        weekly: r.weekly_median_secs.clone(),
    };
    vec![frequency, lead, failure, restore]
}

/// The four keys, one line each, the sparkline at the right edge, then the other
/// environments' frequencies.
fn key_lines(i: &Insights, theme: Theme, width: usize) -> Vec<Line<'static>> {
    let rows = four_keys(i);
    let weeks = i.weeks.len();
    let label_w = rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let figure_w = rows
        .iter()
        .map(|r| r.figure.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    // Between the label and the sparkline: the figure, then what it rests on.
    let middle = width.saturating_sub(label_w + weeks + 2);
    let mut out = vec![Line::from(vec![
        Span::styled(
            format!(
                "{:<w$}",
                format!("THE FOUR KEYS in {}", sanitize(&i.env)),
                w = width.saturating_sub(weeks.max(8) + 1)
            ),
            theme.bold(),
        ),
        Span::styled(format!(" {:>w$}", "weekly", w = weeks.max(8)), theme.dim()),
    ])];
    for row in &rows {
        let figure_style = if row.figure == NOT_ENOUGH {
            theme.dim()
        } else {
            theme.bold()
        };
        let room = middle.saturating_sub(figure_w);
        let samples = if row.samples.chars().count() <= room {
            row.samples.clone()
        } else {
            truncate(&row.short, room)
        };
        let figure = format!("{:<figure_w$}", truncate(&row.figure, middle));
        let samples = format!("{samples:<room$}");
        out.push(Line::from(vec![
            Span::raw(format!("{:<label_w$}", row.label)),
            Span::styled(figure, figure_style),
            Span::styled(samples, theme.dim()),
            Span::raw("  "),
            Span::styled(sparkline(&row.weekly), theme.accent()),
        ]));
    }
    let others: Vec<String> = i
        .frequency
        .iter()
        .map(|f| format!("{} {}", sanitize(&f.env), f.deployments))
        .collect();
    if others.len() > 1 {
        let text = format!(
            "successful deployments per environment: {}",
            others.join(" · ")
        );
        let pad = if label_w + text.chars().count() <= width {
            label_w
        } else {
            0
        };
        out.push(Line::styled(
            truncate(&format!("{:pad$}{text}", ""), width),
            theme.dim(),
        ));
    }
    out
}

/// One bar of a chart: its label, its length (seconds, `None`: not enough data) and what it
/// says beside it.
struct Bar {
    label: String,
    secs: Option<f64>,
    value: String,
    note: String,
    /// Each week's median, for the trend beside the bar when there is room.
    weekly: Vec<Option<f64>>,
}

fn stage_bars(i: &Insights) -> Vec<Bar> {
    i.stages
        .iter()
        .map(|s| {
            let mut note = plural(s.spread.samples, "promotion", "promotions");
            if s.skipped > 0 {
                let _ = write!(note, ", {} not through {}", s.skipped, sanitize(&s.from));
            }
            Bar {
                label: format!("{} → {}", sanitize(&s.from), sanitize(&s.to)),
                secs: s.spread.median_secs,
                value: s.spread.median_secs.map_or_else(String::new, human),
                note,
                weekly: s.weekly_median_secs.clone(),
            }
        })
        .collect()
}

fn gate_bars(i: &Insights) -> Vec<Bar> {
    i.gates
        .iter()
        .map(|g| {
            let kind = sanitize(&g.kind);
            if g.spread.samples == 0 {
                let why = match g.kind.as_str() {
                    "check" | "healthy" | "ancestor" => "not measured: not in the log",
                    _ => "not measured",
                };
                return Bar {
                    label: kind,
                    secs: None,
                    value: String::new(),
                    note: format!(
                        "{why} ({})",
                        plural(g.promotions, "promotion", "promotions")
                    ),
                    weekly: Vec::new(),
                };
            }
            let mut note = format!("held {} of {}", g.blocked, g.spread.samples);
            if g.overridden > 0 {
                let _ = write!(note, ", {} overridden", g.overridden);
            }
            Bar {
                label: kind,
                secs: g.spread.median_secs,
                value: g.spread.median_secs.map_or_else(String::new, human),
                note,
                weekly: g.weekly_median_secs.clone(),
            }
        })
        .collect()
}

/// The two bar charts: side by side when there is room, else one above the other.
fn draw_charts(frame: &mut Frame, area: Rect, i: &Insights, theme: Theme) {
    if area.height == 0 {
        return;
    }
    let (stage_bars, gate_bars) = (stage_bars(i), gate_bars(i));
    let stages = chart(
        "WAITS PER STAGE",
        "median: success in one → request in the next",
        &stage_bars,
        "(one environment: no stages)",
        theme,
    );
    let gates = chart(
        "WAITS PER GATE",
        "median time held, zeros count",
        &gate_bars,
        "(no promotion into an environment with gates)",
        theme,
    );
    if area.width >= CHARTS_SIDE_BY_SIDE {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .spacing(2)
                .areas(area);
        frame.render_widget(stages.render(usize::from(left.width)), left);
        frame.render_widget(gates.render(usize::from(right.width)), right);
    } else {
        let h = u16::try_from(stages.bars.len().max(1) + 2).unwrap_or(u16::MAX);
        let [top, bottom] =
            Layout::vertical([Constraint::Length(h), Constraint::Min(0)]).areas(area);
        frame.render_widget(stages.render(usize::from(top.width)), top);
        frame.render_widget(gates.render(usize::from(bottom.width)), bottom);
    }
}

struct Chart<'a> {
    title: &'static str,
    subtitle: &'static str,
    bars: &'a [Bar],
    empty: &'static str,
    theme: Theme,
}

fn chart<'a>(
    title: &'static str,
    subtitle: &'static str,
    bars: &'a [Bar],
    empty: &'static str,
    theme: Theme,
) -> Chart<'a> {
    Chart {
        title,
        subtitle,
        bars,
        empty,
        theme,
    }
}

impl Chart<'_> {
    fn render(&self, width: usize) -> Paragraph<'static> {
        let theme = self.theme;
        let mut lines = vec![
            Line::raw(""),
            Line::from(vec![
                Span::styled(self.title, theme.bold()),
                Span::styled(
                    truncate(
                        &format!("  {}", self.subtitle),
                        width.saturating_sub(self.title.len()),
                    ),
                    theme.dim(),
                ),
            ]),
        ];
        if self.bars.is_empty() {
            lines.push(Line::styled(self.empty, theme.dim()));
            return Paragraph::new(lines);
        }
        let label_w = self
            .bars
            .iter()
            .map(|b| b.label.chars().count())
            .max()
            .unwrap_or(0)
            .min(18)
            + 1;
        let value_w = self
            .bars
            .iter()
            .map(|b| b.value.chars().count())
            .max()
            .unwrap_or(0)
            + 1;
        // Rows without a bar say why across the columns: they do not widen them.
        let note_w = self
            .bars
            .iter()
            .filter(|b| b.secs.is_some())
            .map(|b| b.note.chars().count())
            .max()
            .unwrap_or(0)
            .min(26);
        let fixed = label_w + value_w + note_w + 2;
        // The weekly trend goes after the note when the bar keeps 8 cells beside it.
        let weeks = self.bars.iter().map(|b| b.weekly.len()).max().unwrap_or(0);
        let trend = weeks > 1 && width >= fixed + weeks + 2 + 8;
        let bar_w = width
            .saturating_sub(fixed + if trend { weeks + 2 } else { 0 })
            .clamp(4, 40);
        let max = self.bars.iter().filter_map(|b| b.secs).fold(0.0, f64::max);
        for b in self.bars {
            let label = format!("{:<label_w$}", truncate(&b.label, label_w - 1));
            let mut spans = vec![Span::raw(label)];
            match b.secs {
                Some(secs) => {
                    spans.push(Span::styled(
                        format!("{:<bar_w$}", bar(secs, max, bar_w)),
                        theme.accent(),
                    ));
                    spans.push(Span::styled(
                        format!(" {:<value_w$}", b.value),
                        theme.bold(),
                    ));
                    if trend {
                        spans.push(Span::styled(format!("{:<note_w$}  ", b.note), theme.dim()));
                        spans.push(Span::styled(sparkline(&b.weekly), theme.accent()));
                    } else {
                        spans.push(Span::styled(b.note.clone(), theme.dim()));
                    }
                }
                None => spans.push(Span::styled(
                    if b.note.starts_with("not measured") {
                        b.note.clone()
                    } else {
                        format!("{NOT_ENOUGH} ({})", b.note)
                    },
                    theme.dim(),
                )),
            }
            let line = Line::from(spans);
            lines.push(if line.width() > width {
                Line::raw(truncate(
                    &line
                        .spans
                        .iter()
                        .map(|s| s.content.as_ref())
                        .collect::<String>(),
                    width,
                ))
            } else {
                line
            });
        }
        Paragraph::new(lines)
    }
}

/// Eighths of a cell, for the bars' ends.
const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
/// The sparkline's levels, lowest first.
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A bar `secs / max` of `width` cells, in eighths; a wait above zero is never invisible.
fn bar(secs: f64, max: f64, width: usize) -> String {
    if max <= 0.0 || secs <= 0.0 {
        return String::new();
    }
    let cells = float(width);
    let eighths = to_index((secs / max * cells * 8.0).round()).max(1);
    let mut out = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        out.push(EIGHTHS[eighths % 8]);
    }
    out
}

/// One character a week: its value against the period's largest, `·` for a week with no data.
pub fn sparkline(values: &[Option<f64>]) -> String {
    let max = values.iter().flatten().copied().fold(0.0, f64::max);
    values
        .iter()
        .map(|v| match v {
            None => '·',
            Some(_) if max <= 0.0 => LEVELS[0],
            Some(x) => LEVELS[to_index((x / max * 7.0).round()).min(7)],
        })
        .collect()
}

/// A non-negative whole float as an index (negative and NaN are 0).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn to_index(x: f64) -> usize {
    // Clamped to what a bar or a level can be: the cast cannot truncate or lose a sign.
    if x.is_nan() {
        0
    } else {
        x.clamp(0.0, 1_000_000.0) as usize
    }
}

/// A count as a float (counts beyond `u32::MAX` are saturated; none come near).
fn float(n: usize) -> f64 {
    f64::from(u32::try_from(n).unwrap_or(u32::MAX))
}
