//! A slotted target's slots, as the target view shows them above its deployments: the router's
//! split (or its fault), each slot's release, health and weight, the rollout's steps with the
//! current one and its countdown, and a chart of the new slot's weight over time. Also the
//! rollout lines of the promote dialog. Everything comes from the state: no IO here.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Sparkline};

use crate::console::model;
use crate::console::overlay::Confirm;
use crate::console::state::{State, TargetKey};
use crate::console::traffic::{self, Driver};
use crate::domain::rollout::{Next, Outcome};
use crate::domain::sanitize::truncate;
use crate::tui::theme::{Theme, health_glyph};

/// Draws the slots of `key` at the top of `area` when it is slotted; returns what is left.
pub fn split_off(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    theme: Theme,
    key: &TargetKey,
) -> Rect {
    let Some(spec) = traffic::spec(state, &key.service, &key.env) else {
        return area;
    };
    let width = usize::from(area.width.saturating_sub(2));
    let lines = lines(state, theme, key, width);
    let text_rows = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    // Never more than two thirds of the view: the deployments and changes stay visible. The
    // chart goes first when that is too little for it and the lines.
    let room = (area.height.saturating_mul(2) / 3).max(3);
    let chart = if text_rows + 3 + 2 <= room { 3 } else { 0 };
    let height = (text_rows + chart + 2).min(room);
    let [top, rest] =
        Layout::vertical([Constraint::Length(height), Constraint::Min(0)]).areas(area);
    let block = Block::bordered().title(Span::styled(
        format!(
            " slots · {} ",
            truncate(&crate::traffic::location(spec), width.saturating_sub(12))
        ),
        theme.title(),
    ));
    let inner = block.inner(top);
    frame.render_widget(block, top);
    let [text, spark] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(chart)]).areas(inner);
    frame.render_widget(Paragraph::new(lines), text);
    chart_of(frame, spark, state, theme, key);
    rest
}

fn lines(state: &State, theme: Theme, key: &TargetKey, width: usize) -> Vec<Line<'static>> {
    let (service, env) = (key.service.as_str(), key.env.as_str());
    let mut out = Vec::new();
    let slotted = traffic::slotted(state, service, env);
    let reading = slotted.and_then(|s| s.reading.as_ref());
    let Some(reading) = reading else {
        out.push(Line::styled(
            "reading the router… (no answer yet)",
            theme.dim(),
        ));
        return out;
    };
    let read_ago = format!(" · read {} ago", model::age(state.now, reading.at));
    out.push(
        match (&reading.weights, traffic::router_text(state, service, env)) {
            (Ok(_), Some(split)) => Line::from(vec![
                Span::styled("router  ", theme.dim()),
                Span::raw(split),
                Span::styled(read_ago, theme.dim()),
            ]),
            (Err(e), _) => Line::from(vec![
                Span::styled("router  ", theme.dim()),
                Span::styled(truncate(e, width.saturating_sub(24)), theme.bad()),
                Span::styled(read_ago, theme.dim()),
            ]),
            _ => Line::raw(""),
        },
    );
    if let Some(spec) = traffic::spec(state, service, env)
        && let Some((router, recorded)) = traffic::drift(state, service, env)
    {
        out.push(Line::styled(
            truncate(
                &format!(
                    "≠ drift: the router holds {}, the log last recorded {} (not recorded)",
                    crate::domain::traffic::describe_weights(&spec.slots, router),
                    crate::domain::traffic::describe_weights(&spec.slots, recorded)
                ),
                width,
            ),
            theme.warn(),
        ));
    }
    let live = reading.live().map(|s| s.name.clone());
    for slot in &reading.slots {
        let role = if live.as_deref() == Some(slot.name.as_str()) {
            "live"
        } else {
            "idle"
        };
        let weight = slot.weight.map_or("?".to_string(), |w| format!("{w}%"));
        let text = format!(
            "{:<8} {role:<4} {weight:>4}  {:<18} {}{}",
            slot.name,
            slot.runs(),
            slot.health.as_str(),
            if slot.detail.is_empty() {
                String::new()
            } else {
                format!(" · {}", slot.detail)
            }
        );
        out.push(Line::from(vec![
            Span::styled(
                format!("{} ", health_glyph(slot.health)),
                theme.health(slot.health),
            ),
            Span::raw(truncate(&text, width.saturating_sub(2))),
        ]));
    }
    let Some(r) = slotted.and_then(|s| s.rollout.as_ref()) else {
        out.push(Line::styled(
            "no rollout recorded here yet; p promotes through the steps",
            theme.dim(),
        ));
        return out;
    };
    let state_text = match (&r.outcome, traffic::driver(state, service, env)) {
        (Outcome::Running, Driver::Here) => "driving here".to_string(),
        (Outcome::Running, Driver::Elsewhere) => "driven by another process".to_string(),
        (Outcome::Running, Driver::Nobody) => {
            "paused: nobody driving — ] resumes, x aborts".to_string()
        }
        (Outcome::Running, Driver::Unknown) => "running".to_string(),
        (Outcome::Succeeded { at }, _) => format!("succeeded {} ago", model::age(state.now, *at)),
        (Outcome::Aborted { at, reason }, _) => {
            format!("aborted {} ago: {reason}", model::age(state.now, *at))
        }
        (Outcome::Failed { at, reason }, _) => {
            format!("failed {} ago: {reason}", model::age(state.now, *at))
        }
    };
    let style = match &r.outcome {
        Outcome::Running => theme.accent(),
        Outcome::Succeeded { .. } => theme.good(),
        _ => theme.bad(),
    };
    out.push(Line::styled(
        truncate(
            &format!(
                "rollout of {} {} → {} by {}: {state_text}",
                r.release, r.from, r.to, r.started_by
            ),
            width,
        ),
        style,
    ));
    let current = r.current_step();
    let next = traffic::next(state, service, env);
    for (i, step) in r.steps.iter().enumerate() {
        let done = current.is_some_and(|k| i <= k);
        let mark = match (current, r.outcome == Outcome::Running) {
            (Some(k), true) if i == k => "▸",
            _ if done => "✓",
            _ => " ",
        };
        let pause = if step.pause_secs == 0 {
            String::new()
        } else {
            format!(
                ", then {} with analysis",
                model::compact(i64::try_from(step.pause_secs).unwrap_or(i64::MAX))
            )
        };
        let when = match &next {
            Some(Next::Pause { step: k, until, .. }) if *k + 1 == i => {
                format!(" — in {}", model::countdown(state.now, *until))
            }
            Some(Next::Shift { index }) if *index == i => " — due now".to_string(),
            _ => String::new(),
        };
        out.push(Line::styled(
            truncate(
                &format!("  {mark} {}. {} {}%{pause}{when}", i + 1, r.to, step.weight),
                width,
            ),
            if mark == "▸" {
                theme.bold()
            } else if done {
                theme.good()
            } else {
                theme.dim()
            },
        ));
    }
    out
}

/// The weight of the rollout's new slot (else the idle slot) over the readings kept.
fn chart_of(frame: &mut Frame, area: Rect, state: &State, theme: Theme, key: &TargetKey) {
    let Some(s) = traffic::slotted(state, &key.service, &key.env) else {
        return;
    };
    let slot = s.rollout.as_ref().map(|r| r.to.clone()).or_else(|| {
        s.reading
            .as_ref()
            .and_then(|r| r.idle())
            .map(|i| i.name.clone())
    });
    let Some(slot) = slot else {
        return;
    };
    let data: Vec<u64> = s
        .history
        .iter()
        .map(|(_, w)| u64::from(w.get(&slot).copied().unwrap_or(0)))
        .collect();
    let now = data.last().copied().unwrap_or(0);
    frame.render_widget(
        Sparkline::default()
            .block(Block::new().title(Span::styled(
                format!(
                    "{slot}'s weight over the last {} reads: {now}% now (0–100%)",
                    data.len()
                ),
                theme.dim(),
            )))
            .data(&data)
            .max(100)
            .style(theme.accent()),
        area,
    );
}

/// The promote dialog's rollout: from which slot to which, the deploy call, the verification,
/// and every step with its exact router call.
pub fn rollout_plan_lines(c: &Confirm, theme: Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if c.rollout_loading.is_some() {
        out.push(Line::styled(
            "rollout   reading the router for the steps…",
            theme.dim(),
        ));
    }
    match &c.rollout {
        None => {}
        Some(Err(e)) => out.push(Line::from(vec![
            Span::styled("rollout   ", theme.dim()),
            Span::styled(e.clone(), theme.bad()),
        ])),
        Some(Ok(rp)) => {
            let slots: Vec<String> = rp.weights.keys().cloned().collect();
            out.push(Line::from(vec![
                Span::styled("rollout   ", theme.dim()),
                Span::styled(format!("{} → {}", rp.from, rp.to), theme.bold()),
                Span::raw(format!(
                    " (router now: {})",
                    crate::domain::traffic::describe_weights(&slots, &rp.weights)
                )),
            ]));
            out.push(Line::from(vec![
                Span::styled(format!("  deploy to {}: ", rp.to), theme.dim()),
                Span::styled(
                    rp.deploy_call
                        .clone()
                        .unwrap_or_else(|| "nothing (no deployer)".into()),
                    theme.accent(),
                ),
            ]));
            out.push(Line::styled(
                format!("  verify {}: its probe reports the release, healthy", rp.to),
                theme.dim(),
            ));
            for (i, (step, call)) in rp.steps.iter().enumerate() {
                let pause = if step.pause.is_zero() {
                    String::new()
                } else {
                    format!(
                        ", then {} with analysis",
                        model::compact(i64::try_from(step.pause.as_secs()).unwrap_or(i64::MAX))
                    )
                };
                out.push(Line::from(vec![
                    Span::styled(
                        format!("  step {}: {} {}%{pause} — ", i + 1, rp.to, step.weight),
                        theme.dim(),
                    ),
                    Span::styled(call.clone(), theme.accent()),
                ]));
            }
        }
    }
    out
}
