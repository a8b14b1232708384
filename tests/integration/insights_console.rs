//! Issue 16's Insights view, `update()`-level and drawn on `TestBackend`: opening it asks the
//! engine for the figures (an effect, never computed in the view), the answer lands in the
//! state, the period and the service switch, `r` recomputes, superseded answers are dropped,
//! "not enough data" where a figure is `None`, and a snapshot on a demo-like log: three
//! services' last four weeks on dev → staging → prod, approvals and checklists, one release
//! failing in prod and rolled back.

use crate::tui_support;

use jiff::SignedDuration;
use shipdeck::console::effect::Effect;
use shipdeck::console::insights::{self, InsightsKey};
use shipdeck::console::key::{KeyCode, KeyEvent, KeyModifiers};
use shipdeck::console::msg::{Hit, Msg, OpResult};
use shipdeck::console::state::{OpKind, State, View};
use shipdeck::console::update::update;
use shipdeck::domain::event::{Event, Fact};
use shipdeck::domain::insights::{
    CommitTime, Inputs, Insights, Period, Query, ReleaseContents, compute,
};
use tui_support::*;

fn key(state: &mut State, code: KeyCode) -> Vec<Effect> {
    update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ch(state: &mut State, c: char) -> Vec<Effect> {
    key(state, KeyCode::Char(c))
}

/// The one Insights request among `effects`: (op, days, service).
fn asked(effects: &[Effect]) -> Option<(u64, u32, Option<String>)> {
    let mut found = effects.iter().filter_map(|e| match e {
        Effect::Insights {
            op, days, service, ..
        } => Some((*op, *days, service.clone())),
        _ => None,
    });
    let first = found.next();
    assert!(found.next().is_none(), "one request at a time: {effects:?}");
    first
}

const DANA: &str = "dana@shop.example";
const PRIYA: &str = "priya@shop.example";
const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;
const MIN: i64 = 60;

/// A log built event by event, times in seconds from the fixture's `now()`.
struct Log {
    events: Vec<Event>,
    contents: ReleaseContents,
}

impl Log {
    fn push(&mut self, offset: i64, actor: &str, fact: &Fact, s: &str, r: &str, e: &str) -> String {
        let seq = u64::try_from(self.events.len()).expect("small") + 1;
        let ev = event(seq, offset, actor, fact, s, r, e);
        let id = ev.id.clone();
        self.events.push(ev);
        id
    }

    /// A deployment requested at `offset`, ending 5 s later (or failing 30 s later): when it
    /// ended.
    #[allow(clippy::too_many_arguments)]
    fn deploy(
        &mut self,
        offset: i64,
        s: &str,
        r: &str,
        e: &str,
        previous: Option<&str>,
        rollback: bool,
        fails: bool,
    ) -> i64 {
        let id = self.push(
            offset,
            USER,
            &Fact::DeployRequested {
                commit: commit_of(r),
                previous_release: previous.map(str::to_string),
                rollback,
                call: format!("POST http://127.0.0.1:9003/{s}/deploy"),
                verify_timeout_secs: 30,
            },
            s,
            r,
            e,
        );
        if fails {
            self.push(
                offset + 30,
                USER,
                &Fact::DeployFailed {
                    deployment: id,
                    reason: "not verified healthy within 30s: HTTP 503".into(),
                },
                s,
                r,
                e,
            );
            offset + 30
        } else {
            self.push(
                offset + 5,
                USER,
                &Fact::DeploySucceeded { deployment: id },
                s,
                r,
                e,
            );
            offset + 5
        }
    }
}

fn commit_of(release: &str) -> String {
    let sum: u64 = release.bytes().map(u64::from).sum();
    format!("{:0>40x}", sum * 104_729)
}

/// The demo-like past: for each of api, web and worker, four releases tagged 26, 19, 12 and 5
/// days ago, each with three commits, deployed to dev 35 minutes after its tag, to staging
/// some hours later, approved by two colleagues and its `before` items ticked, then to prod;
/// web-v1.3.0 fails in prod and is rolled back to web-v1.2.0 eleven minutes later.
fn demo_like() -> (State, ReleaseContents) {
    let mut log = Log {
        events: Vec::new(),
        contents: ReleaseContents::new(),
    };
    let tagged_days = [26, 19, 12, 5];
    let to_staging = [3 * HOUR, 20 * HOUR, 6 * HOUR, 27 * HOUR];
    let first_approval = [HOUR, 4 * HOUR, 18 * HOUR, 2 * HOUR];
    let second_approval = [2 * HOUR, 19 * HOUR, HOUR, 5 * HOUR];
    let to_prod = [55 * MIN, 3 * HOUR, 35 * MIN, 16 * HOUR];
    for (k, s) in ["api", "web", "worker"].iter().enumerate() {
        let k = i64::try_from(k).expect("small");
        let mut previous: Option<String> = None;
        let mut commits: Vec<CommitTime> = Vec::new();
        for j in 0..4 {
            let r = format!("{s}-v1.{}.0", j + 1);
            let tag = -tagged_days[j] * DAY + k * HOUR;
            // As git has it: a release contains its own three commits and every earlier one.
            commits.extend(
                [2 * DAY, 20 * HOUR, HOUR]
                    .iter()
                    .enumerate()
                    .map(|(c, before)| CommitTime {
                        commit: format!("{}{c}", &commit_of(&r)[..39]),
                        at: at(tag - before),
                    }),
            );
            log.contents.insert(s, &r, commits.clone());
            let dev = log.deploy(tag + 35 * MIN, s, &r, "dev", None, false, false);
            let staging = log.deploy(
                dev + to_staging[j] + k * 10 * MIN,
                s,
                &r,
                "staging",
                None,
                false,
                false,
            );
            let approved = |log: &mut Log, offset: i64, who: &str| {
                log.push(
                    offset,
                    who,
                    &Fact::Approved {
                        commit: commit_of(&r),
                        note: None,
                    },
                    s,
                    &r,
                    "prod",
                );
            };
            approved(&mut log, staging + first_approval[j], DANA);
            approved(&mut log, staging + second_approval[j], PRIYA);
            for item in ["controls", "backout", "package"] {
                log.push(
                    staging + 30 * MIN,
                    USER,
                    &Fact::ItemTicked {
                        checklist: "production-release".into(),
                        item: item.into(),
                        note: None,
                        by_event: None,
                    },
                    s,
                    &r,
                    "prod",
                );
            }
            let gates_met = staging + first_approval[j].max(second_approval[j]);
            let fails = *s == "web" && j == 2;
            let prod = log.deploy(
                gates_met + to_prod[j],
                s,
                &r,
                "prod",
                previous.as_deref(),
                false,
                fails,
            );
            if fails {
                let back = previous.clone().expect("a release before");
                log.deploy(prod + 11 * MIN, s, &back, "prod", Some(&r), true, false);
            } else {
                previous = Some(r);
            }
        }
    }
    log.events.sort_by_key(|e| e.at);
    for (i, e) in log.events.iter_mut().enumerate() {
        e.seq = u64::try_from(i).expect("small") + 1;
    }
    let mut state = State::new(
        config(&["api", "web", "worker"]),
        USER,
        false,
        log.events,
        now(),
    );
    for s in ["api", "web", "worker"] {
        state.releases.insert(s.to_string(), releases(s));
    }
    (state, log.contents)
}

/// What the engine answers to an Insights request: the same pure computation
/// `app::insights::gather` hands the log and git's release contents to.
/// (`contents`: what the releases contain, git's part of the engine's work.)
fn figures(
    state: &State,
    contents: &ReleaseContents,
    days: u32,
    service: Option<&str>,
) -> Insights {
    compute(
        &Inputs {
            config: &state.config,
            events: &state.events,
            ledger: &state.ledger,
            contents,
        },
        &Query {
            period: Period::last(SignedDuration::from_hours(24 * i64::from(days)), now()),
            service,
            env: None,
        },
    )
}

/// Answers the request among `effects` as the backend would.
fn answer(state: &mut State, contents: &ReleaseContents, effects: &[Effect]) {
    let (op, days, service) = asked(effects).expect("an Insights request");
    let insights = figures(state, contents, days, service.as_deref());
    update(
        state,
        Msg::OpFinished {
            op,
            result: OpResult::Insights(Ok(Box::new(insights))),
        },
    );
}

#[test]
fn opening_insights_asks_the_engine_once_and_draws_what_it_answers() {
    let (mut s, c) = demo_like();
    let effects = ch(&mut s, '8');
    assert_eq!(s.view, View::Insights);
    let (_, days, service) = asked(&effects).expect("opening asks for the figures");
    assert_eq!((days, service), (30, None), "30 days, every service");
    assert!(
        matches!(&effects[..], [Effect::Insights { until, .. }] if *until == now()),
        "the period ends now: {effects:?}"
    );
    // Asked again while it is being computed (a probe's change reopens the view): no second
    // request.
    let again = update(
        &mut s,
        Msg::Observed(observed(
            "api",
            "dev",
            "1.6.0",
            shipdeck::domain::observation::Health::Pass,
        )),
    );
    assert_eq!(asked(&again), None, "{again:?}");
    let computing = render_at(&s, 120, 30);
    assert!(computing.contains("computing the figures"), "{computing}");
    answer(&mut s, &c, &effects);
    let key = InsightsKey {
        days: 30,
        service: None,
    };
    let shown = s.insights.computed.get(&key).expect("the figures landed");
    let i = shown.result.as_ref().expect("figures");
    // prod in the last 30 days: 12 deployments and one rollback; 1 of 12 changes failed.
    assert_eq!(i.change_failure.deployments, 12);
    assert_eq!(i.change_failure.failed, 1);
    // Open again: fresh figures are not asked for again.
    ch(&mut s, '1');
    assert_eq!(asked(&ch(&mut s, '8')), None);
}

#[test]
fn brackets_switch_the_period_between_7_30_and_90_days() {
    let (mut s, c) = demo_like();
    let opened = ch(&mut s, '8');
    answer(&mut s, &c, &opened);
    let shorter = ch(&mut s, '[');
    assert_eq!(s.insights.days, 7);
    assert_eq!(asked(&shorter).map(|a| a.1), Some(7));
    assert_eq!(asked(&ch(&mut s, '[')), None, "7 days is the shortest");
    assert_eq!(s.insights.days, 7);
    // Back to 30: already computed and fresh, so nothing is asked; on to 90.
    assert_eq!(asked(&ch(&mut s, ']')), None);
    assert_eq!(s.insights.days, 30);
    let longer = ch(&mut s, ']');
    assert_eq!(asked(&longer).map(|a| a.1), Some(90));
    assert_eq!(asked(&ch(&mut s, ']')), None, "90 days is the longest");
    let screen = render_at(&s, 120, 30);
    assert!(screen.contains("last 90 days"), "{screen}");
    // The help says so, and the palette offers the same.
    ch(&mut s, '?');
    let help = render_at(&s, 120, 40);
    for line in [
        "Insights view",
        "choose the service",
        "[ / ]",
        "shorter / longer period (7, 30, 90 days)",
        "compute the figures again",
    ] {
        assert!(help.contains(line), "{line}:\n{help}");
    }
    let offered: Vec<String> = shipdeck::console::palette::items(&s)
        .into_iter()
        .map(|(words, _)| words)
        .filter(|w| w.starts_with("insights") || w == "view insights")
        .collect();
    assert_eq!(
        offered,
        [
            "view insights",
            "insights 7 days",
            "insights 30 days",
            "insights 90 days",
            "insights recompute"
        ]
    );
}

#[test]
fn the_cursor_and_the_filter_choose_the_service() {
    let (mut s, c) = demo_like();
    let opened = ch(&mut s, '8');
    answer(&mut s, &c, &opened);
    let down = ch(&mut s, 'j');
    assert_eq!(asked(&down).map(|a| a.2), Some(Some("api".to_string())));
    answer(&mut s, &c, &down);
    let i = insights::shown(&s)
        .and_then(|c| c.result.as_ref().ok())
        .expect("api's figures");
    assert_eq!(i.service.as_deref(), Some("api"));
    assert_eq!(i.change_failure.deployments, 4, "api's four prod releases");
    // A click on a row of the services pane chooses that service.
    let clicked = update(&mut s, Msg::Click(Hit::Row(2)));
    assert_eq!(asked(&clicked).map(|a| a.2), Some(Some("web".to_string())));
    // With a filter, only the services it shows are offered (no "every service").
    s.filter = "work".into();
    let rows = insights::rows(&s);
    assert_eq!(rows, vec![Some("worker".to_string())]);
    let filtered = ch(&mut s, 'k');
    assert_eq!(
        asked(&filtered).map(|a| a.2),
        Some(Some("worker".to_string()))
    );
    // A filter that shows no service: nothing to measure, and the view says why.
    s.filter = "nothing-like-this".into();
    assert_eq!(asked(&ch(&mut s, 'j')), None);
    let screen = render_at(&s, 120, 30);
    assert!(
        screen.contains("No service matches the filter /nothing-like-this"),
        "{screen}"
    );
}

#[test]
fn r_recomputes_and_an_answer_to_a_superseded_request_is_dropped() {
    let (mut s, c) = demo_like();
    let opened = ch(&mut s, '8');
    let (first, ..) = asked(&opened).expect("asked");
    // Switched to 90 days before the 30 days came back: the 30-day answer is dropped.
    let longer = ch(&mut s, ']');
    let late = figures(&s, &c, 30, None);
    update(
        &mut s,
        Msg::OpFinished {
            op: first,
            result: OpResult::Insights(Ok(Box::new(late))),
        },
    );
    assert!(s.insights.computed.is_empty(), "superseded: dropped");
    answer(&mut s, &c, &longer);
    assert_eq!(s.insights.computed.len(), 1);
    // r asks again even though the figures are fresh; so does R while the view is open.
    let again = ch(&mut s, 'r');
    assert_eq!(asked(&again).map(|a| a.1), Some(90));
    answer(&mut s, &c, &again);
    let refreshed = ch(&mut s, 'R');
    assert!(refreshed.contains(&Effect::Refresh));
    assert_eq!(asked(&refreshed).map(|a| a.1), Some(90));
    // Under --read-only the view works the same: it only reads.
    s.read_only = true;
    assert!(asked(&ch(&mut s, 'r')).is_some());
}

#[test]
fn the_log_changing_while_the_view_is_open_makes_the_figures_stale_and_asks_again() {
    let (mut s, c) = demo_like();
    let opened = ch(&mut s, '8');
    answer(&mut s, &c, &opened);
    let mut events = s.events.clone();
    let n = u64::try_from(events.len()).expect("small");
    events.extend(deployed(n + 1, -60, "api", "api-v1.4.0", "dev"));
    let effects = update(&mut s, Msg::LogChanged(events));
    let (op, ..) = asked(&effects).expect("asked again");
    assert!(matches!(
        &s.ops[&op].kind,
        OpKind::Insights(a) if a.events == s.events.len()
    ));
    // Until the new figures land, the old ones stay on screen, marked.
    let screen = render_at(&s, 120, 30);
    assert!(screen.contains("recomputing"), "{screen}");
    assert!(screen.contains("Lead time"), "{screen}");
}

#[test]
fn a_figure_without_samples_says_not_enough_data() {
    // Nothing recorded at all.
    let mut s = State::new(config(&["api"]), USER, false, Vec::new(), now());
    let c = ReleaseContents::new();
    let opened = ch(&mut s, '8');
    answer(&mut s, &c, &opened);
    let screen = render_at(&s, 120, 30);
    for label in ["Lead time", "Change failure rate", "Time to restore"] {
        let line = screen
            .lines()
            .find(|l| l.contains(label))
            .unwrap_or_else(|| panic!("{label}:\n{screen}"));
        assert!(line.contains("not enough data"), "{label}: {line}");
    }
    assert!(screen.contains("0 deployments"), "{screen}");
    assert!(
        screen.contains("dev → staging") && screen.contains("not enough data (0 promotions)"),
        "{screen}"
    );
    // An error of the engine is said in the view, and r tries again.
    let again = ch(&mut s, 'r');
    let (op, ..) = asked(&again).expect("asked");
    update(
        &mut s,
        Msg::OpFinished {
            op,
            result: OpResult::Insights(Err("could not read the event log: denied".into())),
        },
    );
    let screen = render_at(&s, 120, 30);
    assert!(
        screen.contains("could not read the event log: denied") && screen.contains("r tries again"),
        "{screen}"
    );
}

#[test]
fn names_from_the_configuration_and_the_answer_reach_the_terminal_sanitized() {
    let (mut s, c) = demo_like();
    let opened = ch(&mut s, '8');
    let (op, ..) = asked(&opened).expect("asked");
    let mut i = figures(&s, &c, 30, None);
    i.env = "prod\u{1b}]0;owned\u{7}".into();
    i.gates[0].kind = "approval\u{1b}[2J\u{202e}".into();
    update(
        &mut s,
        Msg::OpFinished {
            op,
            result: OpResult::Insights(Ok(Box::new(i))),
        },
    );
    let screen = render_at(&s, 160, 45);
    assert!(!screen.contains('\u{1b}'), "{screen:?}");
    assert!(!screen.contains('\u{202e}'), "{screen:?}");
    assert!(screen.contains("approval\\u{202e}"), "{screen}");
}

#[test]
fn snapshot_of_insights_on_a_demo_like_log() {
    let (mut s, c) = demo_like();
    let opened = ch(&mut s, '8');
    answer(&mut s, &c, &opened);
    insta::assert_snapshot!("insights_demo_like_120x30", render_at(&s, 120, 30));
    insta::assert_snapshot!("insights_demo_like_80x24", render_at(&s, 80, 24));
    let longer = ch(&mut s, ']');
    answer(&mut s, &c, &longer);
    let web = update(&mut s, Msg::Click(Hit::Row(2)));
    answer(&mut s, &c, &web);
    insta::assert_snapshot!("insights_demo_like_web_90d_160x45", render_at(&s, 160, 45));
}
