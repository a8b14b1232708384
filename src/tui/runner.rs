//! The event loop: one `select!` over terminal events, engine messages (probe results, effect
//! results, log changes), a tick while something animates, and SIGTERM/SIGHUP. Draws only when
//! the state changed, inside a synchronized update.

use std::io::Write as _;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind, MouseButton, MouseEventKind};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use futures::StreamExt as _;
use jiff::Timestamp;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use crate::console::effect::Effect;
use crate::console::live::{animating, counting_down};
use crate::console::msg::{Msg, OpResult};
use crate::console::state::State;
use crate::console::update::update;
use crate::tui::editor;
use crate::tui::terminal::{self, Term};
use crate::tui::theme::Theme;
use crate::tui::views::{self, Hits};

/// How many queued engine messages are applied before the next draw (a burst of probe results
/// costs one frame, yet a key press still waits for at most this many).
const BATCH: usize = 64;

/// The outside world the console drives.
pub trait Backend: Send + Sync {
    /// Starts `effect` as a task; its answer comes back on `tx` tagged with the effect's op id.
    /// Never blocks.
    fn perform(&self, effect: Effect, tx: &UnboundedSender<Msg>);
}

/// How long the loop may sleep before the next tick.
fn tick_interval(state: &State) -> Duration {
    if animating(state) {
        Duration::from_millis(100)
    } else if counting_down(state) {
        Duration::from_secs(1)
    } else {
        // Ages on the board ("3m") move slowly; an idle console wakes twice a minute.
        Duration::from_secs(30)
    }
}

/// Runs until the user quits or a signal arrives; the caller restores the terminal.
pub async fn run_loop(
    term: &mut Term,
    mut state: State,
    backend: &dyn Backend,
    tx: &UnboundedSender<Msg>,
    rx: &mut UnboundedReceiver<Msg>,
) -> anyhow::Result<()> {
    let theme = Theme::from_env();
    let mut input = EventStream::new();
    // Effects that need the terminal (the editor), performed between frames.
    let mut handover: Vec<Effect> = Vec::new();
    let mut hits = Hits::default();
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    if let Ok(size) = term.size() {
        state.size = (size.width, size.height);
    }
    loop {
        if state.dirty {
            state.dirty = false;
            draw(term, &state, theme, &mut hits)?;
        }
        if state.quitting {
            return Ok(());
        }
        let wait = tick_interval(&state);
        let msg = tokio::select! {
            biased;
            _ = sigterm.recv() => return Ok(()),
            _ = sighup.recv() => return Ok(()),
            event = input.next() => match event {
                Some(Ok(event)) => translate(&event, &hits),
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            Some(msg) = rx.recv() => Some(msg),
            () = tokio::time::sleep(wait) => Some(Msg::Tick(Timestamp::now())),
        };
        let Some(msg) = msg else { continue };
        let now = Timestamp::now();
        if now.as_millisecond() - state.now.as_millisecond() >= 1000 && !matches!(msg, Msg::Tick(_))
        {
            apply(&mut state, Msg::Tick(now), backend, tx);
        }
        handover.extend(apply(&mut state, msg, backend, tx));
        for _ in 0..BATCH {
            match rx.try_recv() {
                Ok(msg) => handover.extend(apply(&mut state, msg, backend, tx)),
                Err(_) => break,
            }
        }
        if !handover.is_empty() {
            // crossterm's reader would take the editor's keys: it stops with its stream.
            drop(input);
            for effect in handover.drain(..) {
                hand_over(term, effect, backend, tx)?;
            }
            input = EventStream::new();
            state.dirty = true;
        }
    }
}

/// Runs the update and performs its effects; returns those that need the terminal.
fn apply(
    state: &mut State,
    msg: Msg,
    backend: &dyn Backend,
    tx: &UnboundedSender<Msg>,
) -> Vec<Effect> {
    let mut terminal = Vec::new();
    for effect in update(state, msg) {
        if effect == Effect::Quit {
            state.quitting = true;
        } else if effect.needs_terminal() {
            terminal.push(effect);
        } else {
            backend.perform(effect, tx);
        }
    }
    terminal
}

/// Hands the terminal to the editor: leaves raw mode and the alternate screen, runs it, comes
/// back and has the backend record what it left.
fn hand_over(
    term: &mut Term,
    effect: Effect,
    backend: &dyn Backend,
    tx: &UnboundedSender<Msg>,
) -> anyhow::Result<()> {
    let Effect::EditNotes {
        op,
        service,
        release,
        env: _,
        text,
    } = effect
    else {
        return Ok(());
    };
    terminal::restore();
    let run = || editor::edit(&text);
    // The editor blocks this thread until it exits; on a multi-threaded runtime the other
    // tasks (probes, the log watcher) move to other workers meanwhile.
    let edited = match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(run),
        _ => run(),
    };
    terminal::resume(term)?;
    match edited {
        Ok(after) => backend.perform(
            Effect::SaveNotes {
                op,
                service,
                release,
                before: text,
                after,
            },
            tx,
        ),
        Err(f) => {
            let _ = tx.send(Msg::OpFinished {
                op,
                result: OpResult::NotesSaved(Err(f.to_string())),
            });
        }
    }
    Ok(())
}

fn draw(term: &mut Term, state: &State, theme: Theme, hits: &mut Hits) -> anyhow::Result<()> {
    crossterm::queue!(term.backend_mut(), BeginSynchronizedUpdate)?;
    term.draw(|frame| *hits = views::draw(frame, state, theme))?;
    crossterm::queue!(term.backend_mut(), EndSynchronizedUpdate)?;
    term.backend_mut().flush()?;
    Ok(())
}

/// A terminal event as a message: key presses only (not repeats or releases), clicks mapped to
/// what was drawn under them, the wheel, resizes.
pub fn translate(event: &Event, hits: &Hits) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press => {
            crate::tui::keys::key(key).map(Msg::Key)
        }
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                hits.at(mouse.column, mouse.row).map(Msg::Click)
            }
            MouseEventKind::ScrollDown => Some(Msg::Scroll(1)),
            MouseEventKind::ScrollUp => Some(Msg::Scroll(-1)),
            _ => None,
        },
        Event::Resize(w, h) => Some(Msg::Resize(*w, *h)),
        _ => None,
    }
}
