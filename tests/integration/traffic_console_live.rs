//! The console's rollout against a real `http` router on loopback, through the live backend the
//! console runs (no terminal): the router reads reach the board cell, `p` deploys to the idle
//! slot once and walks the canary, a second driver is refused while this console drives, `]`
//! cuts the pause short, `x` puts all traffic back, a router answering garbage shows as such,
//! `S` switches and `r` switches back. Every wait is for a condition, with a deadline.

use std::time::{Duration, Instant};

use jiff::Timestamp;
use shipdeck::app::Context;
use shipdeck::console::cell::board_cell;
use shipdeck::console::command::Command;
use shipdeck::console::effect::Effect;
use shipdeck::console::key::{Key, KeyCode};
use shipdeck::console::model::Deploys;
use shipdeck::console::msg::Msg;
use shipdeck::console::overlay::Overlay;
use shipdeck::console::state::State;
use shipdeck::console::update::update;
use shipdeck::tui::backend::Live;
use shipdeck::tui::runner::Backend;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::traffic_support::{RouterMode, Slots, kinds, project, shipdeck, stderr};

// Generous: the machine may be loaded; every wait ends as soon as its condition holds.
const DEADLINE: Duration = Duration::from_secs(90);

struct Console {
    state: State,
    backend: Live,
    tx: UnboundedSender<Msg>,
    rx: UnboundedReceiver<Msg>,
}

impl Console {
    fn apply(&mut self, msg: Msg) {
        for effect in update(&mut self.state, msg) {
            if effect != Effect::Quit && !effect.needs_terminal() {
                self.backend.perform(effect, &self.tx);
            }
        }
    }

    fn key(&mut self, code: KeyCode) {
        self.apply(Msg::Key(Key::from(code)));
    }

    fn cell(&self) -> (String, String) {
        let deploys = Deploys::new(&self.state);
        let cell = board_cell(&self.state, &deploys, "web", "prod");
        let head = cell.head.iter().map(|b| b.text.clone()).collect();
        (head, cell.status.map(|b| b.text).unwrap_or_default())
    }

    /// Applies messages (and a tick when none comes) until `pred` holds.
    async fn until(&mut self, what: &str, pred: impl Fn(&Console) -> bool) {
        let start = Instant::now();
        loop {
            if pred(self) {
                return;
            }
            let toasts: Vec<&str> = self.state.toasts.iter().map(|t| t.text.as_str()).collect();
            assert!(
                start.elapsed() < DEADLINE,
                "timed out waiting for {what}: cell {:?}, toasts {toasts:?}",
                self.cell()
            );
            match tokio::time::timeout(Duration::from_millis(100), self.rx.recv()).await {
                Ok(Some(msg)) => self.apply(msg),
                _ => self.apply(Msg::Tick(Timestamp::now())),
            }
        }
    }

    fn confirm_ready(&self) -> bool {
        matches!(&self.state.overlay, Some(Overlay::Confirm(c)) if c.blocked().is_none())
    }
}

fn weights(slots: &Slots) -> (u32, u32) {
    let w = slots.router();
    (w["blue"], w["green"])
}

#[test]
fn traffic_console_walks_a_canary_through_a_real_router() {
    // The slot servers run on a runtime of their own; the console's on another.
    let slots = Slots::start("web-v1.0.0");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(walk(&slots));
}

async fn walk(slots: &Slots) {
    let dir = tempfile::tempdir().expect("tempdir");
    let steps = "  steps = [{ weight = 10, pause = \"30s\" }, { weight = 50, pause = \"30s\" }, { weight = 100 }]\n";
    let config = project(dir.path(), slots, &slots.http_table(steps), "");
    let (mut ctx, _) = Context::load(Some(&config), false).expect("loads");
    ctx.actor = "dana@shop.example".into();
    ctx.warn_on_stderr = false;
    let events = ctx.log.events().expect("log");
    let state = State::new(
        ctx.config.clone(),
        &ctx.actor,
        false,
        events,
        Timestamp::now(),
    );
    let ctx = std::sync::Arc::new(ctx);
    let (tx, rx) = unbounded_channel();
    let backend = Live::new(ctx.clone());
    backend.start(&tx);
    let watch = shipdeck::tui::watcher::spawn(ctx.clone(), tx.clone());
    let mut c = Console {
        state,
        backend,
        tx,
        rx,
    };

    c.until("the router's first reading on the cell", |c| {
        c.cell().0.contains("⇄ blue 100% · green web-v1.0.0")
    })
    .await;

    // p: the dialog reads the router and lists the steps; confirming drives the rollout here.
    let effects = shipdeck::console::flows::run(
        &mut c.state,
        Command::Promote {
            service: "web".into(),
            release: Some("web-v1.1.0".into()),
            env: "prod".into(),
        },
    );
    for e in effects {
        c.backend.perform(e, &c.tx);
    }
    c.until(
        "the promote dialog's plan and rollout",
        Console::confirm_ready,
    )
    .await;
    let Some(Overlay::Confirm(dialog)) = &c.state.overlay else {
        unreachable!()
    };
    let Some(Ok(rp)) = &dialog.rollout else {
        panic!("a rollout plan: {:?}", dialog.rollout);
    };
    assert_eq!(
        (rp.from.as_str(), rp.to.as_str(), rp.steps.len()),
        ("blue", "green", 3)
    );
    assert!(rp.steps[0].1.contains("/router"), "{:?}", rp.steps[0]);
    c.key(KeyCode::Enter);
    c.until("the 10 % step, counting down on the cell", |c| {
        weights(slots) == (90, 10) && c.cell().1.starts_with("green 10% → 50% in")
    })
    .await;
    assert_eq!(
        slots.deploys(),
        vec![("green".to_string(), "web-v1.1.0".to_string())],
        "one deploy call, to the idle slot"
    );

    // A second driver is refused while this console drives.
    let o = shipdeck(
        dir.path(),
        "erin@shop.example",
        &["rollout", "web", "--env", "prod", "--resume", "--yes"],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("another process is driving"),
        "{}",
        stderr(&o)
    );

    // ]: the pause is cut short (30 s pauses: only the key moves it this soon).
    c.key(KeyCode::Char(']'));
    assert!(c.confirm_ready(), "the next-step dialog");
    c.key(KeyCode::Enter);
    c.until("the 50 % step", |c| {
        weights(slots) == (50, 50) && c.cell().1.starts_with("green 50% → 100% in")
    })
    .await;
    let shifts: Vec<Timestamp> = ctx
        .log
        .events()
        .expect("log")
        .iter()
        .filter(|e| e.kind == "traffic-shifted")
        .map(|e| e.at)
        .collect();
    assert_eq!(shifts.len(), 2);
    assert!(
        shifts[1].duration_since(shifts[0]).as_secs() < 30,
        "the second step came before its pause ended: {shifts:?}"
    );

    // x: one confirmation (prod here is not protected; see traffic_console for the typed name).
    c.key(KeyCode::Char('x'));
    assert!(c.confirm_ready(), "{:?}", c.state.overlay.is_some());
    c.key(KeyCode::Enter);
    c.until("all traffic back on blue, both operations ended", |c| {
        weights(slots) == (100, 0) && c.state.ops.is_empty()
    })
    .await;
    let kinds = kinds(dir.path());
    assert!(kinds.iter().any(|k| k == "rollout-aborted"), "{kinds:?}");
    let o = shipdeck(dir.path(), "dana@shop.example", &["log", "--verify"]);
    assert!(o.status.success(), "{}", stderr(&o));

    // A router answering garbage shows as such on the cell (R reads it at once).
    slots.set_router_mode(RouterMode::Garbage);
    c.key(KeyCode::Char('R'));
    c.until("the router's fault on the cell", |c| {
        c.cell().0.contains("⇄ router ✖")
    })
    .await;
    slots.set_router_mode(RouterMode::Fine);
    c.key(KeyCode::Char('R'));
    c.until("the router read again", |c| {
        c.cell().0.contains("⇄ blue 100% · green web-v1.1.0")
    })
    .await;

    // S: all traffic to the idle slot, which runs web-v1.1.0 healthy (no deploy call).
    c.key(KeyCode::Char('S'));
    assert!(c.confirm_ready(), "the switch dialog");
    c.key(KeyCode::Enter);
    c.until("the switch to green, on the board", |c| {
        let (head, _) = c.cell();
        weights(slots) == (0, 100)
            && c.state.ops.is_empty()
            && head.contains("web-v1.1.0")
            && head.contains("⇄ green 100% · blue web-v1.0.0")
    })
    .await;
    assert_eq!(slots.deploys().len(), 1, "a switch calls no deployer");

    // r: the backout is a switch back to blue, which still runs web-v1.0.0 healthy.
    c.key(KeyCode::Char('r'));
    c.until("the rollback dialog", Console::confirm_ready).await;
    let Some(Overlay::Confirm(dialog)) = &c.state.overlay else {
        unreachable!()
    };
    assert!(
        dialog
            .lines
            .iter()
            .any(|l| l.contains("the backout is a switch")),
        "{:?}",
        dialog.lines
    );
    c.key(KeyCode::Enter);
    c.until("the switch back to blue", |c| {
        weights(slots) == (100, 0) && c.state.ops.is_empty()
    })
    .await;
    let out: Vec<String> = c
        .state
        .output
        .values()
        .flat_map(|(l, o)| std::iter::once(l.clone()).chain(o.iter().cloned()))
        .collect();
    assert_eq!(
        slots.deploys().len(),
        1,
        "a backout by switch calls no deployer: {:?} {out:#?}",
        slots.deploys()
    );
    watch.abort();
}
