//! End-to-end: the real binary in tmux against `shipdeck demo serve` — keys sent, the screen
//! read back. Every wait polls for a condition with a deadline; nothing sleeps a fixed time.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::wait_for;
use crate::e2e_support::{DemoServer, Tmux, binary};

fn console(demo: &DemoServer) -> Tmux {
    let t = Tmux::shell(
        &[
            ("SHIPDECK_USER", "you@shop.example".to_string()),
            (
                "SHIPDECK_DATA_DIR",
                demo.dir.path().join("data").display().to_string(),
            ),
        ],
        (160, 45),
    );
    t.line(&format!(
        "{} --config {}",
        binary().display(),
        demo.config().display()
    ));
    // Every target answered and the gates of the waiting promotions are evaluated.
    t.wait_screen(
        "the board with probe answers",
        Duration::from_secs(30),
        |s| s.contains("Board") && s.contains("⇡ ready") && !s.contains("checking"),
    );
    t
}

#[test]
fn walk_promote_to_staging_see_prod_gates_approve_and_quit_restores_the_terminal() {
    let demo = DemoServer::start();
    let t = console(&demo);
    // Cursor starts on the first service in dev; move to staging and promote what dev runs.
    t.send(&["l"]);
    t.send(&["p"]);
    t.wait_screen("the promotion plan", Duration::from_secs(20), |s| {
        s.contains("Enter confirms") && s.contains("calls")
    });
    t.send(&["Enter"]);
    wait_for(
        "the deployment to staging to succeed",
        Duration::from_mins(1),
        || {
            demo.recorded("deploy-succeeded", "you@shop.example")
                .then_some(())
        },
    );
    // The console learns of the outcome from the log (polled every 250 ms): wait until the cell
    // no longer shows the rollout before acting on prod, as a person would.
    t.wait_screen(
        "staging to show the release landed",
        Duration::from_secs(10),
        |s| !s.contains("→ api-v"),
    );
    // Prod is protected and gated: the plan shows what blocks it.
    t.send(&["l"]);
    t.send(&["p"]);
    let plan = t.wait_screen("prod's gates", Duration::from_secs(20), |s| {
        s.contains("blocked by gates")
    });
    assert!(
        plan.contains("approval"),
        "approval gate not shown:\n{plan}"
    );
    // Typing prod's name cannot open a gate: it is asked only once none blocks (issue 11).
    assert!(
        !plan.contains("type its name"),
        "the name is asked while gates block:\n{plan}"
    );
    t.send(&["Escape"]);
    // Esc then a key at once reads as Alt+key: wait for the plan to close first.
    t.wait_screen("the plan to close", Duration::from_secs(5), |s| {
        !s.contains("blocked by gates")
    });
    t.send(&["a"]);
    t.wait_screen("the approval confirmation", Duration::from_secs(5), |s| {
        s.contains("Approve")
    });
    t.send(&["y"]);
    wait_for(
        "your approval to be recorded",
        Duration::from_secs(10),
        || demo.recorded("approved", "you@shop.example").then_some(()),
    );
    t.send(&["q"]);
    t.assert_restored();
}

#[test]
fn sigterm_restores_the_terminal() {
    let demo = DemoServer::start();
    let t = console(&demo);
    let shell = t.shell_pid();
    let pid = wait_for("the console's pid", Duration::from_secs(5), || {
        let out = Command::new("pgrep")
            .args(["-P", &shell.to_string()])
            .output()
            .ok()?;
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()?
            .trim()
            .parse::<u32>()
            .ok()
    });
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    t.assert_restored();
}

/// Accepts connections and never answers: a hanging health endpoint.
fn hanging_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(args)
        .stdout(Stdio::null())
        .status()
        .expect("git");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn with_100_hanging_targets_a_key_press_moves_the_cursor_in_the_next_frame() {
    let port = hanging_server();
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    std::fs::create_dir(&repo).expect("repo dir");
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["commit", "-q", "--allow-empty", "-m", "init"]);
    let mut toml = String::from(
        "[project]\nname = \"hang\"\nstate_dir = \".shipdeck\"\n\n[[environments]]\nname = \"dev\"\n",
    );
    for i in 0..100 {
        let _ = write!(
            toml,
            "\n[[services]]\nname = \"svc-{i:03}\"\nrepo = \"repo\"\ntags = \"svc-{i:03}-v*\"\nhealth = \"http://127.0.0.1:{port}/svc-{i:03}/health\"\n"
        );
    }
    let config = dir.path().join("shipdeck.toml");
    std::fs::write(&config, toml).expect("config");
    let t = Tmux::shell(
        &[
            ("SHIPDECK_USER", "you@shop.example".to_string()),
            (
                "SHIPDECK_DATA_DIR",
                dir.path().join("data").display().to_string(),
            ),
        ],
        (160, 45),
    );
    t.line(&format!(
        "{} --config {}",
        binary().display(),
        config.display()
    ));
    t.wait_screen("the board", Duration::from_secs(20), |s| {
        s.contains("svc-000")
    });
    let selected = |name: &str| {
        let screen = t.screen_with_styles();
        screen
            .lines()
            .find(|l| l.contains(name))
            .is_some_and(|l| l.contains("\u{1b}[7m") || l.contains(";7m"))
    };
    let start = Instant::now();
    while !selected("svc-000") {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "no cursor on the first service:\n{}",
            t.screen_with_styles()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut worst = Duration::ZERO;
    for (key, name) in [("j", "svc-001"), ("j", "svc-002"), ("k", "svc-001")] {
        let sent = Instant::now();
        t.send(&[key]);
        wait_for("the cursor to move", Duration::from_secs(2), || {
            selected(name).then_some(())
        });
        worst = worst.max(sent.elapsed());
    }
    // Includes tmux's own round trips (send-keys, capture-pane), so it over-states the console.
    eprintln!(
        "key press to cursor moved on screen, worst of 3, with 100 hanging targets: {worst:?}"
    );
    assert!(worst < Duration::from_millis(500), "took {worst:?}");
    t.send(&["q"]);
    t.assert_restored();
}
