//! What counts: the events of a log up to its first bad one. A gate, a plan or an append never
//! counts past a line that fails verification (an edited field, a deleted, reordered or
//! duplicated line, a line that is not an event): whoever can write the log could otherwise
//! forge what is counted. The same rule for both backends; the file log also checks its chain.

use std::collections::HashMap;

use super::chain::{GENESIS_PREV, event_hash};
use crate::domain::event::Event;
use crate::domain::sanitize::sanitize;

/// The first event that does not count, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// 0-based position in the events as read (how many count before it).
    pub index: usize,
    /// 1-based line of the file log, or position on the shared ref.
    pub line: usize,
    /// What is wrong with it, in a sentence.
    pub reason: String,
}

/// Checks events one after the other; the state of a log read so far.
#[derive(Debug, Clone)]
pub struct Chain {
    /// Whether `seq`, `prev` and `hash` are checked (the file log); the git backend's chain is
    /// the commit graph, so there only ids are.
    chained: bool,
    count: usize,
    prev: String,
    ids: HashMap<String, usize>,
}

impl Chain {
    /// A chain for the file log (`chained`) or the git backend.
    pub fn new(chained: bool) -> Chain {
        Chain {
            chained,
            count: 0,
            prev: GENESIS_PREV.to_string(),
            ids: HashMap::new(),
        }
    }

    /// How many events were accepted.
    pub fn len(&self) -> usize {
        self.count
    }

    /// The 1-based position of the accepted event with `id`, if one has it.
    pub fn position_of(&self, id: &str) -> Option<usize> {
        self.ids.get(id).copied()
    }

    /// Whether none was.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Accepts `event` as the next one, or says why it does not count. A refused event leaves
    /// the chain as it was.
    pub fn step(&mut self, event: &Event) -> Result<(), String> {
        self.step_checked(event, None)
    }

    /// Like [`Chain::step`], with `intact` saying whether the event's `hash` is the hash of its
    /// contents, computed beforehand (on the parsing threads of a replay).
    pub(crate) fn step_hashed(&mut self, event: &Event, intact: bool) -> Result<(), String> {
        self.step_checked(event, Some(intact))
    }

    fn step_checked(&mut self, event: &Event, intact: Option<bool>) -> Result<(), String> {
        let position = self.count + 1;
        if self.chained {
            let expected_seq = position as u64;
            if event.seq != expected_seq {
                return Err(format!(
                    "seq is {}, expected {expected_seq} (a line was deleted, reordered or inserted)",
                    event.seq
                ));
            }
            if event.prev != self.prev {
                return Err(format!(
                    "prev is {}, but the hash of the line before is {} (a line was deleted, reordered or inserted)",
                    sanitize(&event.prev),
                    self.prev
                ));
            }
            if !intact.unwrap_or_else(|| event_hash(event) == event.hash) {
                let expected = event_hash(event);
                return Err(format!(
                    "hash is {}, but the line's contents hash to {expected}: the line was changed after it was written",
                    sanitize(&event.hash)
                ));
            }
        }
        if let Some(first) = self.ids.get(&event.id) {
            return Err(format!(
                "id {} was already used by event {first}: an event is never recorded twice, so this copy is forged or replayed",
                sanitize(&event.id)
            ));
        }
        self.ids.insert(event.id.clone(), position);
        self.prev.clone_from(&event.hash);
        self.count = position;
        Ok(())
    }
}

/// The first event of `events` that does not count (see [`Chain`]).
pub fn first_bad(events: &[Event], chained: bool) -> Option<Damage> {
    let mut chain = Chain::new(chained);
    for (index, event) in events.iter().enumerate() {
        if let Err(reason) = chain.step(event) {
            return Some(Damage {
                index,
                line: index + 1,
                reason,
            });
        }
    }
    None
}

/// The loud sentence every command shows for a log that fails verification at `damage`.
pub fn refusal(place: &str, damage: &Damage) -> String {
    format!(
        "THE EVENT LOG FAILED VERIFICATION: {place}:{}: {}; nothing from there on counts: \
         gates, plans and approvals see only the {} event{} before it. Run `shipdeck log \
         --verify` and restore the log from a good copy",
        damage.line,
        damage.reason,
        damage.index,
        if damage.index == 1 { "" } else { "s" },
    )
}
