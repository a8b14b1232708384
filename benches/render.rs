//! Renders a 100-service × 6-environment board to a `TestBackend` and prints the time per
//! frame (budget: under 1 ms). Run: `cargo bench --bench render`.

#[path = "../tests/tui_support/mod.rs"]
mod tui_support;

use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shipdeck::app::msg::Msg;
use shipdeck::app::state::State;
use shipdeck::app::update::update;
use shipdeck::domain::config::Environment;
use shipdeck::domain::observation::Health;
use shipdeck::tui::theme::Theme;
use shipdeck::tui::views;

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

fn main() {
    let state = board(100);
    assert_eq!(state.config.environments.len(), 6);
    for (w, h) in [(120u16, 40u16), (200, 60)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("backend");
        let theme = Theme { color: true };
        let mut frame_no = 0u64;
        let mut draw = |terminal: &mut Terminal<TestBackend>| {
            let mut s = state.clone();
            frame_no += 1;
            s.row = usize::try_from(frame_no % 100).unwrap_or(0);
            let started = Instant::now();
            terminal
                .draw(|f| {
                    views::draw(f, &s, theme);
                })
                .expect("draw");
            started.elapsed()
        };
        for _ in 0..50 {
            draw(&mut terminal);
        }
        let n = 500;
        let mut times: Vec<Duration> = (0..n).map(|_| draw(&mut terminal)).collect();
        times.sort();
        let mean = times.iter().sum::<Duration>() / n;
        println!(
            "render 100 services x 6 environments at {w}x{h}: mean {:?}, median {:?}, p99 {:?} per frame (budget 1 ms)",
            mean,
            times[times.len() / 2],
            times[times.len() * 99 / 100]
        );
    }
}
