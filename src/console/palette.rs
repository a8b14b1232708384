//! The command palette's entries and its fuzzy matching.

use crate::console::command::Command;
use crate::console::keymap::{self, Act};
use crate::console::model;
use crate::console::state::{State, View};

/// How many releases per service the palette offers (newest first).
const RELEASES_OFFERED: usize = 8;

/// Every action on offer now, each with the words it is found by: the acts of the key map, in
/// its order, each on every target it can take (under `--read-only`, only those whose command
/// does not [`Command::mutates`]).
pub fn items(state: &State) -> Vec<(String, Command)> {
    let acts = keymap::acts();
    let mut out = Vec::new();
    for act in &acts {
        global(*act, &mut out);
    }
    for service in &state.config.services {
        let s = &service.name;
        for env in &state.config.environments {
            for act in &acts {
                on_cell(state, *act, s, &env.name, &mut out);
            }
        }
        if acts.contains(&Act::Tag) {
            out.push((
                format!("tag {s}"),
                Command::Tag {
                    service: s.clone(),
                    commit: None,
                },
            ));
        }
    }
    for t in &state.config.trains {
        let train = t.name.clone();
        out.push((
            format!("show train {train}"),
            Command::TrainShow {
                train: train.clone(),
            },
        ));
        for env in &state.config.environments {
            let e = &env.name;
            if acts.contains(&Act::Promote) {
                out.push((
                    format!("promote train {train} {e}"),
                    Command::TrainPromote {
                        train: train.clone(),
                        env: e.clone(),
                    },
                ));
            }
            if acts.contains(&Act::CutTrain) {
                out.push((
                    format!("cut train {train} from {e}"),
                    Command::TrainCut {
                        train: train.clone(),
                        env: e.clone(),
                    },
                ));
            }
        }
    }
    out.extend(crate::console::flows::flag::palette_items(state));
    out.retain(|(_, command)| !(state.read_only && command.mutates()));
    out
}

/// The entries of an act that needs no target.
fn global(act: Act, out: &mut Vec<(String, Command)>) {
    match act {
        Act::OpenView => {
            for view in View::all() {
                out.push((format!("view {}", view.spec().name), Command::Show(view)));
            }
        }
        Act::Refresh => out.push(("refresh".into(), Command::Refresh)),
        Act::Filter => out.push(("filter services".into(), Command::Filter)),
        Act::Help => out.push(("help".into(), Command::Help)),
        Act::Quit => out.push(("quit".into(), Command::Quit)),
        Act::InsightsPeriod => {
            for days in crate::console::insights::PERIODS {
                out.push((
                    format!("insights {days} days"),
                    Command::InsightsPeriod { days },
                ));
            }
        }
        Act::RecomputeInsights => {
            out.push(("insights recompute".into(), Command::RecomputeInsights));
        }
        _ => {}
    }
}

/// The entries of an act on the cell (s, e).
fn on_cell(state: &State, act: Act, s: &str, e: &str, out: &mut Vec<(String, Command)>) {
    let (service, env) = (s.to_string(), e.to_string());
    match act {
        Act::Promote => {
            let releases = state.releases.get(s).map(Vec::as_slice).unwrap_or_default();
            for r in releases.iter().take(RELEASES_OFFERED) {
                out.push((
                    format!("promote {s} {} {e}", r.name),
                    Command::Promote {
                        service: service.clone(),
                        release: Some(r.name.clone()),
                        env: env.clone(),
                    },
                ));
            }
        }
        Act::Approve => {
            if let Some(r) = model::subject(state, s, e) {
                out.push((
                    format!("approve {s} {} {e}", r.name),
                    Command::Approve {
                        service,
                        release: Some(r.name.clone()),
                        env,
                    },
                ));
            }
        }
        Act::Rollback => out.push((
            format!("rollback {s} {e}"),
            Command::Rollback { service, env },
        )),
        Act::Checklist => out.push((
            format!("checklist {s} {e}"),
            Command::Checklist { service, env },
        )),
        Act::Notes => out.push((format!("notes {s} {e}"), Command::Notes { service, env })),
        Act::EditNotes => out.push((
            format!("edit notes {s} {e}"),
            Command::EditNotes { service, env },
        )),
        Act::PublishNotes if !state.config.channels.is_empty() => out.push((
            format!("publish notes {s} {e}"),
            Command::PublishNotes { service, env },
        )),
        Act::NextStep if crate::console::traffic::running(state, s, e).is_some() => out.push((
            format!("rollout next step {s} {e}"),
            Command::NextStep { service, env },
        )),
        Act::AbortRollout if crate::console::traffic::running(state, s, e).is_some() => out.push((
            format!("rollout abort {s} {e}"),
            Command::AbortRollout { service, env },
        )),
        Act::Switch if crate::console::traffic::spec(state, s, e).is_some() => out.push((
            format!("switch {s} {e} to the idle slot"),
            Command::Switch { service, env },
        )),
        _ => {}
    }
}

/// How well `query` matches `item`: every query word must be found in the item, as a substring
/// (best), at a word start, or as a subsequence; `None` when a word is not found at all.
pub fn score(query: &str, item: &str) -> Option<i64> {
    let item = item.to_lowercase();
    let mut total = 0;
    for word in query.to_lowercase().split_whitespace() {
        total += if let Some(at) = item.find(word) {
            let at_start = at == 0 || !item.as_bytes()[at - 1].is_ascii_alphanumeric();
            100 + if at_start { 50 } else { 0 }
        } else {
            subsequence(word, &item)?
        };
    }
    // Shorter entries first among equals: "promote api" beats "promote api-gateway".
    Some(total * 1000 - i64::try_from(item.len()).unwrap_or(i64::MAX))
}

fn subsequence(word: &str, item: &str) -> Option<i64> {
    let mut chars = item.chars();
    let mut gaps = 0;
    for wanted in word.chars() {
        let mut found = false;
        for c in chars.by_ref() {
            if c == wanted {
                found = true;
                break;
            }
            gaps += 1;
        }
        if !found {
            return None;
        }
    }
    Some((50 - gaps).max(1))
}

/// The entries matching `query`, best first (all of them, in order, for an empty query).
pub fn matches<'a>(query: &str, items: &'a [(String, Command)]) -> Vec<&'a (String, Command)> {
    if query.trim().is_empty() {
        return items.iter().collect();
    }
    let mut scored: Vec<(i64, usize, &(String, Command))> = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| score(query, &item.0).map(|s| (s, i, item)))
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, _, item)| item).collect()
}
