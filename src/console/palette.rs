//! The command palette's entries and its fuzzy matching.

use crate::console::command::Command;
use crate::console::model as grid;
use crate::console::state::{State, View};

/// How many releases per service the palette offers (newest first).
const RELEASES_OFFERED: usize = 8;

/// Every action on offer now, each with the words it is found by.
pub fn items(state: &State) -> Vec<(String, Command)> {
    let mut out = Vec::new();
    for view in View::ALL {
        out.push((
            format!("view {}", view.title().to_lowercase()),
            Command::Show(view),
        ));
    }
    out.push(("refresh".into(), Command::Refresh));
    out.push(("filter services".into(), Command::Filter));
    out.push(("help".into(), Command::Help));
    out.push(("quit".into(), Command::Quit));
    for service in &state.config.services {
        let s = &service.name;
        let releases = state.releases.get(s).map(Vec::as_slice).unwrap_or_default();
        for env in &state.config.environments {
            let e = &env.name;
            if !state.read_only {
                for r in releases.iter().take(RELEASES_OFFERED) {
                    out.push((
                        format!("promote {s} {} {e}", r.name),
                        Command::Promote {
                            service: s.clone(),
                            release: Some(r.name.clone()),
                            env: e.clone(),
                        },
                    ));
                }
                if let Some(r) = grid::subject(state, s, e) {
                    out.push((
                        format!("approve {s} {} {e}", r.name),
                        Command::Approve {
                            service: s.clone(),
                            release: Some(r.name.clone()),
                            env: e.clone(),
                        },
                    ));
                }
                out.push((
                    format!("rollback {s} {e}"),
                    Command::Rollback {
                        service: s.clone(),
                        env: e.clone(),
                    },
                ));
            }
            out.push((
                format!("checklist {s} {e}"),
                Command::Checklist {
                    service: s.clone(),
                    env: e.clone(),
                },
            ));
            out.push((
                format!("notes {s} {e}"),
                Command::Notes {
                    service: s.clone(),
                    env: e.clone(),
                },
            ));
            if !state.read_only {
                out.push((
                    format!("edit notes {s} {e}"),
                    Command::EditNotes {
                        service: s.clone(),
                        env: e.clone(),
                    },
                ));
                if !state.config.channels.is_empty() {
                    out.push((
                        format!("publish notes {s} {e}"),
                        Command::PublishNotes {
                            service: s.clone(),
                            env: e.clone(),
                        },
                    ));
                }
            }
        }
        if !state.read_only {
            out.push((
                format!("tag {s}"),
                Command::Tag {
                    service: s.clone(),
                    commit: None,
                },
            ));
        }
    }
    out
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
