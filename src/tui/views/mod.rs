//! The views: pure drawing of `&State` into a frame (no IO), plus where things landed so a
//! mouse click can be mapped back to what was under it. Which views exist, their keys, titles
//! and hints are the console's view registry (`console::views`, which says how to add one);
//! [`drawer`] names each one's draw function.

mod activity;
mod board;
mod checklist;
mod flags;
mod gates;
mod insights;
mod overlays;
mod release;
mod rows;
mod slots;
mod target;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::console::model;
use crate::console::msg::Hit;
use crate::console::state::{Level, State};
use crate::console::views::{VIEWS, View};
use crate::domain::sanitize::truncate;
use crate::tui::theme::{Theme, spinner};

/// Clickable regions of the last frame, later ones on top.
#[derive(Debug, Clone, Default)]
pub struct Hits(Vec<(Rect, Hit)>);

impl Hits {
    pub fn push(&mut self, area: Rect, hit: Hit) {
        self.0.push((area, hit));
    }

    /// What is under (column, row).
    pub fn at(&self, column: u16, row: u16) -> Option<Hit> {
        self.0
            .iter()
            .rev()
            .find(|(r, _)| r.contains(Position::new(column, row)))
            .map(|(_, h)| *h)
    }
}

/// How a view draws itself into the body: from `state`, no IO; clickable regions into `hits`.
pub type Draw = fn(&mut Frame, Rect, &State, Theme, &mut Hits);

/// The draw function of each view of the registry (`console::views::VIEWS`); adding a view is
/// one file here and one line in this match.
pub fn drawer(view: View) -> Draw {
    match view {
        View::Board => board::draw,
        View::Gates => gates::draw,
        View::Target => target::draw,
        View::Checklist => checklist::draw,
        View::Release => release::draw,
        View::Activity => activity::draw,
        View::Flags => flags::draw,
        View::Insights => insights::draw,
    }
}

/// Draws the whole console.
pub fn draw(frame: &mut Frame, state: &State, theme: Theme) -> Hits {
    let mut hits = Hits::default();
    let [header, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    draw_header(frame, header, state, theme, &mut hits);
    // While an overlay is open, clicks must not reach the view beneath it.
    let mut view_hits = Hits::default();
    drawer(state.view)(frame, body, state, theme, &mut view_hits);
    if state.overlay.is_none() {
        hits.0.extend(view_hits.0);
    }
    draw_status(frame, status, state, theme);
    overlays::draw(frame, body, state, theme);
    // Messages go above every overlay, so a refusal is never hidden under the dialog it refuses.
    draw_toasts(frame, body, state, theme);
    hits
}

/// The header: name, tabs, the filter and the READ-ONLY badge. When narrow, the badge and the
/// filter keep their place and the tabs give way: the project name goes, then the tabs other
/// than the current one show only their key.
fn draw_header(frame: &mut Frame, area: Rect, state: &State, theme: Theme, hits: &mut Hits) {
    let mut tail = Vec::new();
    if !state.filter.is_empty() {
        tail.push(Span::styled(
            format!("  /{}", truncate(&state.filter, 16)),
            theme.accent(),
        ));
    }
    if state.read_only {
        tail.push(Span::raw("  "));
        tail.push(Span::styled(
            " READ-ONLY ",
            theme.bad().add_modifier(ratatui::style::Modifier::REVERSED),
        ));
    }
    let full = |spec: &crate::console::views::ViewSpec| format!(" {} {} ", spec.key, spec.title);
    let tabs_width = |compact: bool| -> u16 {
        VIEWS
            .iter()
            .map(|spec| {
                let label = if compact && spec.view != state.view {
                    format!(" {} ", spec.key)
                } else {
                    full(spec)
                };
                u16::try_from(label.chars().count()).unwrap_or(0)
            })
            .sum()
    };
    let name = Span::styled(" shipdeck ", theme.title());
    let project = Span::styled(format!("{} ", state.config.project.name), theme.dim());
    let room = area.width.saturating_sub(span_width(&tail));
    let (with_project, compact) =
        if span_width(&[name.clone(), project.clone()]) + tabs_width(false) <= room {
            (true, false)
        } else if span_width(std::slice::from_ref(&name)) + tabs_width(false) <= room {
            (false, false)
        } else {
            (false, true)
        };
    let mut spans = vec![name];
    if with_project {
        spans.push(project);
    }
    let mut x = area.x + span_width(&spans);
    for spec in VIEWS {
        let view = &spec.view;
        let label = if compact && *view != state.view {
            format!(" {} ", spec.key)
        } else {
            full(spec)
        };
        let width = u16::try_from(label.chars().count()).unwrap_or(0);
        let style = if *view == state.view {
            theme
                .selected()
                .add_modifier(ratatui::style::Modifier::BOLD)
        } else {
            Style::new()
        };
        hits.push(Rect::new(x, area.y, width, 1), Hit::Tab(*view));
        x = x.saturating_add(width);
        spans.push(Span::styled(label, style));
    }
    let tail_width = span_width(&tail);
    frame.render_widget(
        Paragraph::new(Line::from(spans)),
        Rect::new(area.x, area.y, area.width.saturating_sub(tail_width), 1),
    );
    // The badge and the filter are drawn last, at the right edge: nothing narrows them away.
    frame.render_widget(
        Paragraph::new(Line::from(tail)),
        Rect::new(
            area.right().saturating_sub(tail_width),
            area.y,
            tail_width.min(area.width),
            1,
        ),
    );
}

fn span_width(spans: &[Span]) -> u16 {
    u16::try_from(spans.iter().map(Span::width).sum::<usize>()).unwrap_or(u16::MAX)
}

/// The status bar: what is down, who, how fresh, what runs, where the configuration is. The
/// key hints keep the right edge; what is down comes first and the rest is left out, last piece
/// first, when the line is narrow (the configuration's path is cut from the left).
fn draw_status(frame: &mut Frame, area: Rect, state: &State, theme: Theme) {
    const HINTS: &str = " ? help  : palette  q quit ";
    let hints = u16::try_from(HINTS.chars().count()).unwrap_or(0);
    let mut room = usize::from(area.width.saturating_sub(hints));
    let mut pieces: Vec<Span> = Vec::new();
    let mut add = |text: String, style: Style, room: &mut usize| {
        let sep = if pieces.is_empty() { " " } else { " · " };
        let width = sep.chars().count() + text.chars().count();
        if width <= *room {
            *room -= width;
            pieces.push(Span::styled(sep, theme.dim()));
            pieces.push(Span::styled(text, style));
        }
    };
    let down = crate::console::down::summary(state);
    if !down.is_empty() {
        let text = truncate(&format!("✖ {}", down.join(", ")), room.saturating_sub(1));
        add(text, theme.bad(), &mut room);
    }
    add(truncate(&state.user, 24), theme.bold(), &mut room);
    let refreshed = state.last_refresh.map_or_else(
        || "checking…".to_string(),
        |t| format!("refreshed {} ago", model::age(state.now, t)),
    );
    add(refreshed, Style::new(), &mut room);
    if let Some(first) = state
        .ops
        .iter()
        .find(|(id, _)| !crate::console::live::in_background(state, **id))
        .map(|(_, o)| o)
    {
        let text = truncate(&format!("{} {}", spinner(state.frame), first.label), 40);
        add(text, theme.accent(), &mut room);
    }
    let path = state.config_path.display().to_string();
    if room > 12 {
        add(keep_end(&path, room - 3), Style::new(), &mut room);
    }
    let left = Rect::new(area.x, area.y, area.width.saturating_sub(hints), 1);
    frame.render_widget(Paragraph::new(Line::from(pieces)), left);
    let right = Rect::new(
        area.right().saturating_sub(hints),
        area.y,
        hints.min(area.width),
        1,
    );
    frame.render_widget(Paragraph::new(HINTS).style(theme.dim()), right);
}

/// `text` cut to `max` characters from the left (`…/shop/shipdeck.toml`).
fn keep_end(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        return text.to_string();
    }
    let tail: String = text.chars().skip(n - max.saturating_sub(1)).collect();
    format!("…{tail}")
}

fn draw_toasts(frame: &mut Frame, body: Rect, state: &State, theme: Theme) {
    let width = body.width.min(64);
    let mut y = body.bottom();
    for toast in state.toasts.iter().rev() {
        let inner = usize::from(width.saturating_sub(4)).max(1);
        let lines = u16::try_from(toast.text.chars().count().div_ceil(inner))
            .unwrap_or(1)
            .max(1);
        let height = lines + 2;
        if y < body.y + height {
            break;
        }
        y -= height;
        let area = Rect::new(body.right().saturating_sub(width), y, width, height);
        let (style, title) = match toast.level {
            Level::Info => (theme.accent(), " ✓ "),
            Level::Error => (theme.bad(), " ✖ Esc dismisses "),
        };
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(toast.text.as_str())
                .wrap(Wrap { trim: true })
                .block(
                    ratatui::widgets::Block::bordered()
                        .border_style(style)
                        .title(Span::styled(title, style)),
                ),
            area,
        );
    }
}

/// A `Rect` centred in `area`, at most `width` × `height`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
