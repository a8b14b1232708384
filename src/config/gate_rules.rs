//! The checks of the gate kinds that carry more than a name: approvals, windows and checks.

use std::path::Path;
use std::time::Duration;

use toml::Spanned;

use super::doc::{Doc, Node};
use super::error::quoted_list;
use super::raw;
use super::schedule::{parse_days, parse_hours, parse_tz};
use super::values::{Unique, argv, duration, url};
use crate::domain::config::{CheckSpec, GateRule, Window};

const CHECK_TIMEOUT: Duration = Duration::from_secs(10);

/// `signing` says whether `[project] signing` is set: a signed gate needs it.
pub fn approval(doc: &mut Doc<'_>, g: &raw::ApprovalGate, path: &str, signing: bool) -> GateRule {
    let from: Vec<String> = g.from.iter().map(|f| f.get_ref().clone()).collect();
    let mut approvers = Unique::new("approver");
    for (k, f) in g.from.iter().enumerate() {
        approvers.check(doc, f.get_ref(), &f.span(), &format!("{path}.from[{k}]"));
    }
    let count = match &g.count {
        None => 1,
        Some(c) => {
            let n = *c.get_ref();
            let key = format!("{path}.count");
            if n < 1 {
                doc.report(
                    &c.span(),
                    &key,
                    format!("expected at least 1 approval, found {n}"),
                );
            } else if !from.is_empty() && usize::try_from(n).is_ok_and(|n| n > from.len()) {
                doc.report(
                    &c.span(),
                    &key,
                    format!(
                        "{n} approvals can never be given by the {} people in `from`; expected at most {}",
                        from.len(),
                        from.len()
                    ),
                );
            }
            u32::try_from(n).unwrap_or(1).max(1)
        }
    };
    let signed = g.signed.as_ref().is_some_and(|s| *s.get_ref());
    // Without signing set up there is nothing to check signatures against; accepting the key
    // would let a team believe they are checked.
    if let Some(flag) = g.signed.as_ref().filter(|_| signed && !signing) {
        doc.report(
            &flag.span(),
            &format!("{path}.signed"),
            "`signed = true` needs signing set up: add `signing = { allowed_signers = \
             \".shipdeck/allowed_signers\" }` to [project] (the file committed on the remote's \
             default branch)"
                .to_string(),
        );
    }
    GateRule::Approval {
        count,
        from,
        signed,
    }
}

pub fn window(doc: &mut Doc<'_>, g: &raw::WindowGate, path: &str) -> Option<GateRule> {
    // Each part is checked on its own so a bad `days` does not hide a bad `tz`.
    let days = match &g.days {
        None => Some(
            jiff::civil::Weekday::Monday
                .cycle_forward()
                .take(7)
                .collect(),
        ),
        Some(d) => parse_days(d.get_ref())
            .map_err(|m| doc.report(&d.span(), &format!("{path}.days"), m))
            .ok(),
    };
    let hours = match &g.hours {
        None => Some((jiff::civil::Time::midnight(), jiff::civil::Time::midnight())),
        Some(h) => parse_hours(h.get_ref())
            .map_err(|m| doc.report(&h.span(), &format!("{path}.hours"), m))
            .ok(),
    };
    let tz = parse_tz(g.tz.get_ref())
        .map_err(|m| doc.report(&g.tz.span(), &format!("{path}.tz"), m))
        .ok();
    let (days, (start, end), tz) = (days?, hours?, tz?);
    Some(GateRule::Window(Window {
        days,
        start,
        end,
        tz,
        tz_name: g.tz.get_ref().clone(),
    }))
}

pub fn check(
    doc: &mut Doc<'_>,
    g: &raw::CheckGate,
    node: &Node<'_>,
    path: &str,
    dir: &Path,
) -> Option<GateRule> {
    let timeout = duration(
        doc,
        g.timeout.as_ref(),
        CHECK_TIMEOUT,
        &format!("{path}.timeout"),
    );
    match (&g.http, &g.command) {
        (Some(http), None) => {
            let http_url = url(doc, http, &format!("{path}.http"));
            let missing: Vec<&str> = [("pointer", &g.pointer), ("equals", &g.equals)]
                .into_iter()
                .filter(|(_, v)| v.is_none())
                .map(|(k, _)| k)
                .collect();
            if !missing.is_empty() {
                doc.report(
                    &node.span(),
                    &format!("{path}.{}", missing[0]),
                    format!(
                        "an http check needs {}: the JSON pointer to read and the value it must equal",
                        quoted_list(missing.iter().copied())
                    ),
                );
                return None;
            }
            let pointer = g.pointer.as_ref()?;
            if !(pointer.get_ref().is_empty() || pointer.get_ref().starts_with('/')) {
                doc.report(
                    &pointer.span(),
                    &format!("{path}.pointer"),
                    format!(
                        "expected a JSON pointer like `/state`, found `{}`",
                        pointer.get_ref()
                    ),
                );
            }
            Some(GateRule::Check(CheckSpec::Http {
                url: http_url,
                pointer: pointer.get_ref().clone(),
                equals: g.equals.as_ref().map(Spanned::get_ref).cloned()?,
                timeout,
            }))
        }
        (None, Some(command)) => {
            for (key, value) in [("pointer", &g.pointer), ("equals", &g.equals)] {
                if let Some(v) = value {
                    doc.report(&v.span(), &format!("{path}.{key}"), format!("`{key}` belongs to an `http` check; a command check passes on exit code 0"));
                }
            }
            let argv = argv(doc, command, &format!("{path}.command"), dir);
            Some(GateRule::Check(CheckSpec::Command { argv, timeout }))
        }
        (Some(http), Some(_)) => {
            doc.report(
                &http.span(),
                &format!("{path}.http"),
                "a check has either `http` (with `pointer` and `equals`) or `command`, not both",
            );
            None
        }
        (None, None) => {
            doc.report(
                &node.span(),
                path,
                "a check needs either `http` (with `pointer` and `equals`) or `command`",
            );
            None
        }
    }
}
