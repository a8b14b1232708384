//! Render of a 100-service × 6-environment board to a `TestBackend`, per frame (budget 1 ms).

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shipdeck::console::msg::Msg;
use shipdeck::console::state::State;
use shipdeck::console::update::update;
use shipdeck::domain::config::Environment;
use shipdeck::domain::observation::Health;
use shipdeck::tui::theme::Theme;
use shipdeck::tui::views;

use super::report::{Budget, Peer, Row};
use super::timing::{ms, ticks_per_second};

/// This thread's CPU time (user + system) in clock ticks.
fn thread_cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}
use super::tui_support;

const FRAMES: u32 = 500;

fn board(services: usize) -> State {
    let names: Vec<String> = (0..services).map(|i| format!("svc-{i:03}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut state = tui_support::shop_of(&refs);
    for extra in ["canary", "eu-prod", "us-prod"] {
        state.config.environments.push(Environment {
            name: extra.into(),
            protected: true,
            gates: vec![],
        });
    }
    for name in &names {
        for (i, env) in ["canary", "eu-prod", "us-prod"].iter().enumerate() {
            let health = if i == 2 { Health::Warn } else { Health::Pass };
            update(
                &mut state,
                Msg::Observed(tui_support::observed(name, env, "1.4.0", health)),
            );
        }
    }
    state.ops.clear();
    state
}

pub fn rows() -> Vec<Row> {
    let mut state = board(100);
    assert_eq!(state.config.environments.len(), 6);
    let (w, h) = (200u16, 60u16);
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("backend");
    let theme = Theme { color: true };
    let mut frame_no = 0usize;
    // The selection moves every frame, so no frame is a repeat of the one before.
    // (Moved in place, not on a clone: the CPU time below counts everything in the loop.)
    let mut draw = |terminal: &mut Terminal<TestBackend>| {
        frame_no += 1;
        state.row = frame_no % 100;
        let started = Instant::now();
        terminal
            .draw(|f| {
                views::draw(f, &state, theme);
            })
            .expect("draw");
        started.elapsed()
    };
    for _ in 0..50 {
        draw(&mut terminal);
    }
    let cpu_before = thread_cpu_ticks();
    let mut times: Vec<Duration> = (0..FRAMES).map(|_| draw(&mut terminal)).collect();
    let cpu = thread_cpu_ticks()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    times.sort();
    let median = times[times.len() / 2];
    let p99 = times[times.len() * 99 / 100];
    // Wall time counts the moments another process had the core; on a shared machine the CPU
    // time this thread spent drawing is the figure that belongs to the renderer.
    let cpu_per_frame =
        cpu.map(|ticks| Duration::from_millis(ticks * 1000 / ticks_per_second()) / FRAMES);
    let mean = times.iter().sum::<Duration>() / FRAMES;
    vec![Row {
        what: format!("render of a 100 × 6 board ({w}×{h}), per frame"),
        ours: ms(median),
        unit: "ms",
        peer: Peer::Budget,
        budget: Some(Budget::Max(1.0)),
        rerun: "scripts/bench render".into(),
        timed: format!(
            "{FRAMES} frames of `tui::views::draw` into ratatui's `TestBackend`, the selection \
             moving each frame: median wall time shown; mean {:.3} ms, p99 {:.3} ms; CPU time of \
             the drawing thread (`/proc/thread-self/stat`) {} a frame.",
            ms(mean),
            ms(p99),
            cpu_per_frame.map_or("unknown".to_string(), |d| format!("{:.3} ms", ms(d)))
        ),
    }]
}
