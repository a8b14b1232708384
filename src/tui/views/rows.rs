//! A scrolling list of lines, each belonging to a selectable row: the cursor's row is
//! highlighted and kept in view, and every line is a click target for its row.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::console::msg::Hit;
use crate::tui::theme::Theme;

use super::Hits;

/// Draws `lines` into `area`, scrolled so the cursor's first line shows.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    lines: Vec<(Line<'static>, Option<usize>)>,
    cursor: usize,
    theme: Theme,
    hits: &mut Hits,
) {
    let height = usize::from(area.height);
    let cursor_line = lines
        .iter()
        .position(|(_, r)| *r == Some(cursor))
        .unwrap_or(0);
    let offset = cursor_line
        .saturating_sub(height.saturating_sub(2))
        .min(lines.len().saturating_sub(height.min(lines.len())));
    for (n, (line, row)) in lines.into_iter().skip(offset).take(height).enumerate() {
        let line_area = Rect::new(
            area.x,
            area.y + u16::try_from(n).unwrap_or(0),
            area.width,
            1,
        );
        let style = if row == Some(cursor) {
            theme.selected()
        } else {
            Style::new()
        };
        frame.render_widget(Paragraph::new(line).style(style), line_area);
        if let Some(r) = row {
            hits.push(line_area, Hit::Row(r));
        }
    }
}
