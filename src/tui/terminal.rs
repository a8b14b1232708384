//! Terminal setup and restore: raw mode, the alternate screen and mouse clicks on the way in;
//! the same undone on the way out — on return, on panic (hook) and on SIGTERM/SIGHUP (the loop
//! returns, so the restore runs).

use std::io::{self, Stdout, Write};

use crossterm::cursor::{Hide, Show};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{Command, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Mouse reporting for presses and the wheel only (xterm 1000 + SGR 1006): crossterm's
/// `EnableMouseCapture` also asks for every motion (1003), which would wake the console on each
/// mouse move.
struct MouseClicks(bool);

impl Command for MouseClicks {
    fn write_ansi(&self, f: &mut impl std::fmt::Write) -> std::fmt::Result {
        if self.0 {
            f.write_str("\x1b[?1000h\x1b[?1006h")
        } else {
            f.write_str("\x1b[?1006l\x1b[?1000l")
        }
    }
}

/// Enters the console's terminal mode and installs the panic hook that leaves it.
pub fn enter() -> io::Result<Term> {
    install_panic_hook();
    enable_raw_mode()?;
    let mut stdout = io::stdout();
    if let Err(e) = execute!(stdout, EnterAlternateScreen, MouseClicks(true), Hide) {
        restore();
        return Err(e);
    }
    Terminal::new(CrosstermBackend::new(stdout))
}

/// Re-enters the console's terminal mode after [`restore`] handed the terminal to another
/// program (the editor), and clears the screen so the next draw repaints all of it.
pub fn resume(term: &mut Term) -> io::Result<()> {
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen, MouseClicks(true), Hide)?;
    term.clear()
}

/// Leaves the console's terminal mode; safe to call more than once.
pub fn restore() {
    let mut stdout = io::stdout();
    // Best effort: each step is tried even if an earlier one failed.
    let _ = execute!(stdout, MouseClicks(false));
    let _ = execute!(stdout, LeaveAlternateScreen);
    let _ = execute!(stdout, Show);
    let _ = disable_raw_mode();
    let _ = stdout.flush();
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
