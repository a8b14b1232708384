//! Colours: the 16 ANSI colours only (readable on light and dark terminals), or none at all
//! when `NO_COLOR` is set. Meaning never rests on colour alone: every state also has a glyph.

use ratatui::style::{Color, Modifier, Style};

use crate::domain::observation::Health;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to anything non-empty (no-color.org).
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn health(self, health: Health) -> Style {
        match health {
            Health::Pass => self.fg(Color::Green),
            Health::Warn => self.fg(Color::Yellow),
            Health::Fail | Health::Unreachable => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Health::Unknown => self.dim(),
        }
    }

    pub fn good(self) -> Style {
        self.fg(Color::Green)
    }

    pub fn warn(self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn bad(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn accent(self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn dim(self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    pub fn bold(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// The cursor: reversed video works in every palette and without colour.
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn title(self) -> Style {
        self.accent().add_modifier(Modifier::BOLD)
    }
}

/// The glyph that carries health without colour.
pub fn health_glyph(health: Health) -> &'static str {
    match health {
        Health::Pass => "●",
        Health::Warn => "▲",
        Health::Fail => "✖",
        Health::Unreachable => "○",
        Health::Unknown => "·",
    }
}

/// Braille spinner frames.
pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn spinner(frame: u64) -> &'static str {
    SPINNER[usize::try_from(frame % 10).unwrap_or(0)]
}
