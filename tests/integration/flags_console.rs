//! The console's side of feature flags: a flag service's reading reaches the state as a
//! message, and the board cell of a service shows its flags there (`⚑ 2 on · 1 at 10%`).

use shipdeck::console::cell::board_cell;
use shipdeck::console::model::Deploys;
use shipdeck::console::msg::Msg;
use shipdeck::console::state::State;
use shipdeck::console::update::update;
use shipdeck::domain::flag::{FlagFault, FlagReading, FlagState, FlagValue};

use crate::config_support::load_str;

const CONFIG: &str = r#"[project]
name = "shop"

[[environments]]
name = "dev"

[[environments]]
name = "prod"

[[services]]
name = "api"
repo = "."
tags = "api-v*"

[[flags]]
name = "home"
kind = "http"
read = { url = "http://127.0.0.1:9/flags", list = "/flags", name = "/name", enabled = "/on" }
write = { url = "http://127.0.0.1:9/flags/{{flag}}" }
services = { api = ["search-v2", "bulk-export", "new-search"] }
"#;

fn state(name: &str, env: &str, enabled: bool, rollout: Option<u8>) -> FlagState {
    FlagState {
        flag: name.into(),
        env: env.into(),
        value: FlagValue { enabled, rollout },
        strategies: Vec::new(),
        rollout_strategy: None,
    }
}

fn head(state: &State, env: &str) -> String {
    let deploys = Deploys::new(state);
    board_cell(state, &deploys, "api", env)
        .head
        .iter()
        .map(|b| b.text.clone())
        .collect()
}

#[test]
fn the_board_cell_counts_the_services_flags_there() {
    let config = load_str(CONFIG).expect("valid");
    let mut s = State::new(
        config,
        "dana@shop.example",
        false,
        Vec::new(),
        jiff::Timestamp::now(),
    );
    assert!(!head(&s, "prod").contains('⚑'), "nothing read yet");
    let reading = FlagReading {
        provider: "home".into(),
        at: jiff::Timestamp::now(),
        result: Ok(vec![
            state("search-v2", "prod", true, Some(10)),
            state("bulk-export", "prod", true, None),
            state("new-search", "prod", false, None),
            state("someone-elses", "prod", true, None),
            state("search-v2", "dev", true, Some(100)),
        ]),
    };
    update(&mut s, Msg::FlagsRead(reading));
    assert!(
        head(&s, "prod").contains("⚑ 2 on · 1 at 10%"),
        "{}",
        head(&s, "prod")
    );
    assert!(head(&s, "dev").contains("⚑ 1 on"), "{}", head(&s, "dev"));
    // A service that cannot be read says nothing rather than something stale and wrong.
    let down = FlagReading {
        provider: "home".into(),
        at: jiff::Timestamp::now(),
        result: Err(FlagFault::Unreachable("could not connect".into())),
    };
    update(&mut s, Msg::FlagsRead(down));
    assert!(!head(&s, "prod").contains('⚑'), "{}", head(&s, "prod"));
}
