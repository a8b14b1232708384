//! Fixture states for the console's tests: a believable shop with three services on
//! dev → staging → prod, fixed in time so snapshots are stable.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;
use shipdeck::app::actions::Plan;
use shipdeck::console::msg::{Msg, OpResult};
use shipdeck::console::state::State;
use shipdeck::console::update::update;
use shipdeck::domain::change::Commit;
use shipdeck::domain::config::{
    ChecklistItem, ChecklistTemplate, Config, Environment, Freeze, Gate, GateRule, Project,
    Service, Stage,
};
use shipdeck::domain::event::{Event, EventBody, Fact};
use shipdeck::domain::gates::{GateOutcome, GateReport, GateStatus};
use shipdeck::domain::observation::{Health, Observation};
use shipdeck::domain::release::{Release, version_of};

pub const USER: &str = "you@shop.example";

pub fn now() -> Timestamp {
    "2026-03-02T10:00:00Z".parse().expect("fixed time")
}

pub fn at(offset_secs: i64) -> Timestamp {
    now()
        .checked_add(jiff::SignedDuration::from_secs(offset_secs))
        .expect("in range")
}

fn env(name: &str, protected: bool, gates: Vec<Gate>) -> Environment {
    Environment {
        name: name.into(),
        protected,
        gates,
    }
}

fn gate(id: &str, rule: GateRule) -> Gate {
    Gate {
        id: id.into(),
        rule,
    }
}

fn item(id: &str, title: &str, stage: Stage) -> ChecklistItem {
    ChecklistItem {
        id: id.into(),
        title: title.into(),
        help: Some(format!("How to {}", title.to_lowercase())),
        stage,
        required: id != "backout-executed",
        auto: None,
        needs_note: false,
    }
}

pub fn config(services: &[&str]) -> Config {
    let mut checklists = BTreeMap::new();
    checklists.insert(
        "production-release".to_string(),
        ChecklistTemplate {
            name: "production-release".into(),
            items: vec![
                item(
                    "controls",
                    "Review and conform to release controls",
                    Stage::Before,
                ),
                item("backout", "Develop backout plan", Stage::Before),
                item("package", "Package the release", Stage::Before),
                item("verify", "Verify successful deployment", Stage::After),
            ],
        },
    );
    Config {
        path: PathBuf::from("/srv/shop/shipdeck.toml"),
        dir: PathBuf::from("/srv/shop"),
        project: Project {
            name: "shop".into(),
            signing: None,
            state_dir: PathBuf::from("/srv/shop/.shipdeck"),
            verify_timeout: Duration::from_secs(30),
            probe_interval: Duration::from_secs(10),
            state: shipdeck::domain::config::StateBackend::File,
        },
        environments: vec![
            env("dev", false, vec![]),
            env("staging", false, vec![gate("healthy", GateRule::Healthy)]),
            env(
                "prod",
                true,
                vec![
                    gate(
                        "soak",
                        GateRule::Soak {
                            duration: Duration::from_secs(30),
                        },
                    ),
                    gate(
                        "approval",
                        GateRule::Approval {
                            count: 2,
                            from: vec![],
                            signed: false,
                        },
                    ),
                    gate(
                        "checklist",
                        GateRule::Checklist {
                            name: "production-release".into(),
                        },
                    ),
                ],
            ),
        ],
        services: services
            .iter()
            .map(|s| Service {
                name: (*s).to_string(),
                repo: PathBuf::from("/srv/shop/repo"),
                tags: format!("{s}-v*"),
                health: None,
                deploy: None,
                env: BTreeMap::new(),
                verify_timeout: None,
                paths: Vec::new(),
            })
            .collect(),
        freezes: vec![Freeze {
            name: "year-end".into(),
            from: "2026-12-20T00:00:00+01:00".parse().expect("time"),
            until: "2027-01-04T00:00:00+01:00".parse().expect("time"),
            environments: vec!["prod".into()],
        }],
        checklists,
        channels: Vec::new(),
        trains: Vec::new(),
        flags: Vec::new(),
        exposure: shipdeck::domain::traffic::Exposure::default(),
    }
}

pub fn release(service: &str, version: &str, days_ago: i64) -> Release {
    let name = format!("{service}-v{version}");
    let digest = format!(
        "{:0>40}",
        format!("{:x}", name.bytes().map(u64::from).sum::<u64>() * 7919)
    );
    Release {
        version: version_of(&name, &format!("{service}-v")),
        name,
        commit: digest,
        date: at(-days_ago * 86_400),
    }
}

pub fn releases(service: &str) -> Vec<Release> {
    vec![
        release(service, "1.6.0", 1),
        release(service, "1.5.0", 3),
        release(service, "1.4.2", 6),
        release(service, "1.4.0", 12),
    ]
}

pub fn observed(service: &str, env: &str, version: &str, health: Health) -> Observation {
    Observation {
        service: service.into(),
        env: env.into(),
        health,
        reported_version: Some(version.into()),
        release: Some(format!("{service}-v{version}")),
        commit: None,
        latency_ms: Some(12),
        at: at(-2),
        detail: if health == Health::Pass {
            "HTTP 200".into()
        } else {
            "HTTP 503".into()
        },
    }
}

pub fn event(seq: u64, offset: i64, actor: &str, fact: &Fact, s: &str, r: &str, e: &str) -> Event {
    let body = EventBody::new(
        format!("ev{seq:04}"),
        at(offset),
        actor,
        fact,
        Some(s),
        Some(r),
        Some(e),
    );
    Event {
        seq,
        id: body.id,
        at: body.at,
        actor: body.actor,
        kind: body.kind,
        service: body.service,
        release: body.release,
        env: body.env,
        data: body.data,
        prev: "0".repeat(64),
        hash: "f".repeat(64),
        sig: None,
    }
}

pub fn deployed(seq: u64, offset: i64, s: &str, r: &str, e: &str) -> Vec<Event> {
    let requested = event(
        seq,
        offset,
        USER,
        &Fact::DeployRequested {
            commit: "a".repeat(40),
            previous_release: None,
            rollback: false,
            call: format!("POST http://127.0.0.1:9000/{s}/deploy"),
            verify_timeout_secs: 30,
        },
        s,
        r,
        e,
    );
    let id = requested.id.clone();
    let done = event(
        seq + 1,
        offset + 5,
        USER,
        &Fact::DeploySucceeded { deployment: id },
        s,
        r,
        e,
    );
    vec![requested, done]
}

/// Three services; dev runs 1.5.0, staging 1.4.2, prod 1.4.0, all healthy, with some history.
pub fn shop() -> State {
    shop_of(&["api", "web", "worker"])
}

pub fn shop_of(services: &[&str]) -> State {
    let mut events = Vec::new();
    for (i, s) in services.iter().enumerate() {
        let base = u64::try_from(i).expect("small") * 10 + 1;
        events.extend(deployed(base, -7200, s, &format!("{s}-v1.4.0"), "prod"));
        events.extend(deployed(
            base + 2,
            -3600,
            s,
            &format!("{s}-v1.4.2"),
            "staging",
        ));
        events.extend(deployed(base + 4, -600, s, &format!("{s}-v1.5.0"), "dev"));
    }
    let mut state = State::new(config(services), USER, false, events, now());
    for s in services {
        state.releases.insert((*s).to_string(), releases(s));
        for (env, v) in [("dev", "1.5.0"), ("staging", "1.4.2"), ("prod", "1.4.0")] {
            let _ = update(&mut state, Msg::Observed(observed(s, env, v, Health::Pass)));
        }
    }
    // Drop the gate evaluations the observations asked for; tests answer them explicitly.
    state.ops.clear();
    state.plans_stale = false;
    state.last_refresh = Some(at(-2));
    state
}

pub fn outcome(id: &str, kind: &'static str, status: GateStatus, reason: &str) -> GateOutcome {
    GateOutcome {
        id: id.into(),
        kind,
        status,
        reason: reason.into(),
        until: None,
        who: None,
        needs: None,
    }
}

pub fn prod_plan(state: &State) -> Plan {
    let release = state.releases["api"][2].clone();
    let mut soak = outcome("soak", "soak", GateStatus::Pending, "soaking in staging");
    soak.until = Some(at(25));
    let mut approval = outcome(
        "approval",
        "approval",
        GateStatus::Pending,
        "1 of 2 approvals (dana@shop.example); needs one more",
    );
    approval.who = Some("anyone but you".into());
    Plan {
        service: "api".into(),
        release,
        env: "prod".into(),
        rollback: false,
        report: GateReport {
            gates: vec![
                soak,
                approval,
                outcome(
                    "checklist",
                    "checklist",
                    GateStatus::Pending,
                    "missing: controls, backout",
                ),
            ],
        },
        changes: vec![Commit {
            commit: "c0ffee0000000000000000000000000000000000".into(),
            author: "Dana Reyes".into(),
            date: at(-86_400),
            summary: "feat(api): paginate orders".into(),
        }],
        running: shipdeck::domain::running::Running::Release {
            name: "api-v1.4.0".into(),
            commit: None,
        },
        call: Some("POST http://127.0.0.1:9003/api/deploy".into()),
        protected: true,
        downgrade: false,
        failed_here: None,
    }
}

pub fn staging_plan(state: &State, allowed: bool) -> Plan {
    let release = state.releases["api"][1].clone();
    let status = if allowed {
        GateStatus::Pass
    } else {
        GateStatus::Fail
    };
    Plan {
        service: "api".into(),
        release,
        env: "staging".into(),
        rollback: false,
        report: GateReport {
            gates: vec![outcome(
                "healthy",
                "healthy",
                status,
                "api-v1.5.0 is healthy in dev",
            )],
        },
        changes: vec![],
        running: shipdeck::domain::running::Running::Release {
            name: "api-v1.4.2".into(),
            commit: None,
        },
        call: Some("POST http://127.0.0.1:9002/api/deploy".into()),
        protected: false,
        downgrade: false,
        failed_here: None,
    }
}

/// Answers every gate evaluation in flight with the fixture plans.
pub fn answer_gate_plans(state: &mut State) {
    let ops: Vec<_> = state.ops.keys().copied().collect();
    for op in ops {
        let kind = state.ops[&op].kind.clone();
        if let shipdeck::console::state::OpKind::GatePlan(key) = kind {
            let plan = match (key.service.as_str(), key.env.as_str()) {
                ("api", "prod") => Ok(prod_plan(state)),
                ("api", "staging") => Ok(staging_plan(state, true)),
                _ => Err("not in the fixture".to_string()),
            };
            if let Ok(plan) = plan {
                let _ = update(
                    state,
                    Msg::OpFinished {
                        op,
                        result: OpResult::Plan(Ok(plan)),
                    },
                );
            } else {
                state.ops.remove(&op);
            }
        }
    }
    state.toasts.clear();
}

/// The whole console drawn at `width` × `height` on ratatui's `TestBackend`, without colour,
/// one line per row with trailing blanks cut.
pub fn render_at(state: &State, width: u16, height: u16) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height))
        .expect("test backend");
    terminal
        .draw(|frame| {
            shipdeck::tui::views::draw(frame, state, shipdeck::tui::theme::Theme { color: false });
        })
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut line = String::new();
        for x in 0..buffer.area.width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// An observation of a target that does not answer (`detail` as the probe says it).
pub fn unreachable(service: &str, env: &str, detail: &str) -> Observation {
    Observation {
        service: service.into(),
        env: env.into(),
        health: Health::Unreachable,
        reported_version: None,
        release: None,
        commit: None,
        latency_ms: None,
        at: at(-1),
        detail: detail.into(),
    }
}
