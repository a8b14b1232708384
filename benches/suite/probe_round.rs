//! The console's first probe round against its `R` round, at 1,800 targets (300 services × 6
//! environments) answering on loopback after a fixed delay. Every environment but `dev` has
//! gates (healthy, soak, approvals, a checklist, ancestor, freeze) and runs the release before
//! the previous environment's, so 1,500 promotions are pending and the console keeps their gate
//! plans fresh (git reads, the log) while it probes: the plans must not starve the probes.
//!
//! Measured in process, through the console's own loop: the live backend (`tui::backend::Live`,
//! which the release binary uses) starts the probes and performs every effect `update` asks for
//! (gate plans included); messages are applied the way `tui::runner::run_loop` applies them (one,
//! then up to 64 queued, then a frame drawn into a 200×50 `TestBackend`). A cell "shows a probe
//! answer" when the state it is drawn from holds an observation newer than the clock's start.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shipdeck::console::key::{Key, KeyCode, KeyModifiers};
use shipdeck::console::msg::Msg;
use shipdeck::console::state::State;
use shipdeck::console::update::update;
use shipdeck::tui::runner::Backend as _;
use shipdeck::tui::theme::Theme;
use shipdeck::tui::views;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use super::repo::small_repo;
use super::report::{Budget, Peer, Row};
use super::targets::Targets;
use super::timing::ms;

const SERVICES: usize = 300;
const ENVS: [&str; 6] = ["dev", "test", "qa", "staging", "canary", "prod"];
const DELAY: Duration = Duration::from_millis(100);
const RUNS: usize = 3;
/// As `run_loop`: queued messages applied before the next frame.
const BATCH: usize = 64;

pub fn rows(root: &Path) -> Vec<Row> {
    let server = Targets::start(DELAY);
    let config = project(root, &server);
    let (mut first, mut again) = (Duration::MAX, Duration::MAX);
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        let (f, r, plans) = one_run(&config, root);
        eprintln!(
            "probe-round: first round {:.0} ms, `R` round {:.0} ms ({plans} gate plans asked for)",
            ms(f),
            ms(r)
        );
        runs.push(format!("{:.0}/{:.0}", ms(f), ms(r)));
        first = first.min(f);
        again = again.min(r);
    }
    let targets = SERVICES * ENVS.len();
    vec![Row {
        what: "console: first probe round of 1,800 targets".into(),
        ours: ms(first),
        unit: "ms",
        peer: Peer::Measured {
            name: "the console's `R` round of the same targets".into(),
            value: ms(again),
        },
        budget: Some(Budget::Ratio(2.0)),
        rerun: "scripts/bench probe-round".into(),
        timed: format!(
            "{SERVICES} services × {} environments ({targets} loopback targets answering after \
             {} ms; every environment but the first gated, 1,500 promotions pending, so gate \
             plans run alongside), in process through the console's loop: `tui::backend::Live` \
             performs every effect of `update`, messages applied as `run_loop` applies them, \
             frames drawn into a 200×50 `TestBackend`. First round: from `Context::load` until \
             every cell holds an observation; `R` round: from the `R` key until every cell holds \
             a newer one. Best of {RUNS} fresh consoles (first/`R` ms: {}).",
            ENVS.len(),
            DELAY.as_millis(),
            runs.join(", ")
        ),
    }]
}

/// A configuration of 300 services × 6 environments on the small repository; environment `k`
/// runs `svc-v0.0.(6-k)`, so each but `dev` has the previous one's release pending.
fn project(root: &Path, server: &Targets) -> PathBuf {
    let repo = small_repo(root);
    let dir = root.join("bench-probe-round");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("the previous run's project is removed");
    }
    std::fs::create_dir_all(&dir).expect("project dir");
    let mut toml = String::from(
        "[project]\nname = \"fleet\"\nstate_dir = \"state\"\n\
         # Only the first round and `R`: no interval round in between.\n\
         probe_interval = \"1h\"\n",
    );
    let gates = [
        "",
        "gates = [{ kind = \"healthy\" }]",
        "gates = [{ kind = \"healthy\" }, { kind = \"ancestor\", branch = \"main\" }]",
        "gates = [{ kind = \"soak\", duration = \"30m\" }, { kind = \"healthy\" }]",
        "gates = [{ kind = \"approval\", count = 1, from = [\"a@example.com\", \"b@example.com\"] }]",
        "protected = true\ngates = [{ kind = \"approval\", count = 2, from = [\"a@example.com\", \
         \"b@example.com\", \"c@example.com\"] }, { kind = \"checklist\", name = \
         \"production-release\" }, { kind = \"ancestor\", branch = \"main\" }, { kind = \"freeze\" }]",
    ];
    for (env, gates) in ENVS.iter().zip(gates) {
        let _ = write!(toml, "\n[[environments]]\nname = \"{env}\"\n{gates}\n");
    }
    let url = |version: usize| {
        format!(
            "http://127.0.0.1:{}/release/0.0.{version}/{{{{service}}}}/{{{{env}}}}",
            server.port
        )
    };
    for i in 0..SERVICES {
        let _ = write!(
            toml,
            "\n[[services]]\nname = \"svc-{i:03}\"\nrepo = \"{}\"\ntags = \"svc-v*\"\n\
             health = {{ url = \"{}\", timeout = \"30s\" }}\n",
            repo.dir.display(),
            url(ENVS.len())
        );
        for (k, env) in ENVS.iter().enumerate().skip(1) {
            let _ = write!(
                toml,
                "[services.env.{env}]\nhealth = {{ url = \"{}\", timeout = \"30s\" }}\n",
                url(ENVS.len() - k)
            );
        }
    }
    let config = dir.join("shipdeck.toml");
    std::fs::write(&config, toml).expect("shipdeck.toml written");
    config
}

/// One console from scratch: (first round, `R` round, gate plans asked for).
fn one_run(config: &Path, root: &Path) -> (Duration, Duration, usize) {
    // The console's runtime: multi-threaded, a worker per core.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let result = runtime.block_on(async {
        let started = Instant::now();
        let (mut ctx, _) =
            shipdeck::app::Context::load(Some(config), false).expect("the configuration loads");
        // The tag cache in the bench area, not the user's data directory.
        shipdeck::git::tag_cache::set_dir(Some(&root.join("bench-probe-round").join("data")), true);
        ctx.actor = "bench@example.com".into();
        ctx.warn_on_stderr = false;
        shipdeck::probe::raise_open_file_limit();
        let events = ctx.log.events().expect("the log");
        let mut state = State::new(
            ctx.config.clone(),
            &ctx.actor,
            false,
            events,
            jiff::Timestamp::now(),
        );
        state.size = (200, 50);
        let ctx = Arc::new(ctx);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let backend = shipdeck::tui::backend::Live::new(ctx.clone());
        let mut console = Loop {
            state,
            backend,
            terminal: Terminal::new(TestBackend::new(200, 50)).expect("a test terminal"),
            plans: 0,
        };
        console.backend.start(&tx);
        let since = jiff::Timestamp::now();
        console
            .until(&tx, &mut rx, |s| every_cell_since(s, since))
            .await;
        let first = started.elapsed();

        let pressed = jiff::Timestamp::now();
        let started = Instant::now();
        console.apply(
            Msg::Key(Key::new(KeyCode::Char('R'), KeyModifiers::SHIFT)),
            &tx,
        );
        console
            .until(&tx, &mut rx, |s| every_cell_since(s, pressed))
            .await;
        (first, started.elapsed(), console.plans)
    });
    runtime.shutdown_timeout(Duration::from_secs(2));
    result
}

/// Whether every target's latest observation was made at `since` or later.
fn every_cell_since(state: &State, since: jiff::Timestamp) -> bool {
    let mut n = 0;
    for target in state.targets.values() {
        match &target.latest {
            Some(o) if o.at >= since => n += 1,
            _ => return false,
        }
    }
    n == SERVICES * ENVS.len()
}

/// The console's loop without a terminal: the state, the live backend, a test screen.
struct Loop {
    state: State,
    backend: shipdeck::tui::backend::Live,
    terminal: Terminal<TestBackend>,
    plans: usize,
}

impl Loop {
    fn apply(&mut self, msg: Msg, tx: &UnboundedSender<Msg>) {
        for effect in update(&mut self.state, msg) {
            if matches!(effect, shipdeck::console::effect::Effect::LoadPlan { .. }) {
                self.plans += 1;
            }
            self.backend.perform(effect, tx);
        }
    }

    /// Runs the loop as `run_loop` does until `done` holds after a frame.
    async fn until(
        &mut self,
        tx: &UnboundedSender<Msg>,
        rx: &mut UnboundedReceiver<Msg>,
        done: impl Fn(&State) -> bool,
    ) {
        let theme = Theme { color: true };
        loop {
            if self.state.dirty {
                self.state.dirty = false;
                self.terminal
                    .draw(|f| {
                        views::draw(f, &self.state, theme);
                    })
                    .expect("draw");
            }
            if done(&self.state) {
                return;
            }
            let msg = tokio::time::timeout(Duration::from_mins(2), rx.recv())
                .await
                .expect("the console hears from its backend within 2 minutes")
                .expect("the channel is open");
            let now = jiff::Timestamp::now();
            if now.as_millisecond() - self.state.now.as_millisecond() >= 1000
                && !matches!(msg, Msg::Tick(_))
            {
                self.apply(Msg::Tick(now), tx);
            }
            self.apply(msg, tx);
            for _ in 0..BATCH {
                match rx.try_recv() {
                    Ok(msg) => self.apply(msg, tx),
                    Err(_) => break,
                }
            }
        }
    }
}
