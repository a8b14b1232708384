//! One probe of one target, turned into an `Observation`. Never panics, never waits past the
//! probe's timeout, never holds more than the body cap.

use std::time::Instant;

use jiff::Timestamp;

use super::command;
use super::fetch::{Fetched, fetch};
use super::target::Target;
use crate::domain::config::{ProbeFormat, ProbeSource, RoutedProbe};
use crate::domain::health::{
    Interpretation, MAX_DETAIL_CHARS, code_health, interpret, match_release,
};
use crate::domain::observation::{Health, Observation};
use crate::domain::sanitize::truncate;

/// The detail of a command probe in a configuration the user has not trusted.
pub const UNTRUSTED_DETAIL: &str =
    "commands in this configuration are not trusted; run `shipdeck trust`";

/// Probes `target` once: an HTTP GET (and its `version_url`, concurrently) or, when `trusted`, a
/// command. Transport failures (refused, DNS, timeout) come back as `Unreachable` with a one-line
/// detail; an untrusted command comes back `Unknown` without running.
pub async fn probe_once(client: &reqwest::Client, target: &Target, trusted: bool) -> Observation {
    if let ProbeSource::Routed(routed) = &target.spec.source {
        return probe_routed(client, target, routed, trusted).await;
    }
    let spec = &target.spec;
    let pointer = spec.version_pointer.as_deref();
    let started = Instant::now();
    match &spec.source {
        ProbeSource::Http { url } => {
            let main = async {
                let result = fetch(client, url, spec.timeout).await;
                (result, started.elapsed())
            };
            let version = async {
                match &spec.version_url {
                    Some(u) => Some(fetch(client, u, spec.timeout).await),
                    None => None,
                }
            };
            let ((main, latency), version) = tokio::join!(main, version);
            let latency = Some(millis(latency));
            match main {
                Ok(answer) => {
                    let mut read = read_answer(&answer, spec.format, pointer);
                    if let Some(version) = version {
                        merge_version(&mut read, version, pointer);
                    }
                    observe(target, read, latency)
                }
                Err(reason) => failed(target, Health::Unreachable, &reason),
            }
        }
        ProbeSource::Command { argv } => {
            if !trusted {
                return failed(target, Health::Unknown, UNTRUSTED_DETAIL);
            }
            let ran = command::run(argv, spec.timeout).await;
            let latency = Some(millis(started.elapsed()));
            match ran {
                Ok(ran) => {
                    let mut read = interpret(None, &ran.stdout, spec.format, pointer);
                    if ran.code != Some(0) {
                        read.health = Health::Fail;
                        read.detail = match ran.code {
                            Some(code) => format!("exit code {code}"),
                            None => "killed by a signal".to_string(),
                        };
                        if !ran.stderr_line.is_empty() {
                            read.detail = format!("{}: {}", read.detail, ran.stderr_line);
                        }
                    }
                    if ran.truncated {
                        read.detail.push_str(", output cut at 64 KiB");
                    }
                    observe(target, read, latency)
                }
                Err((health, reason)) => failed(target, health, &reason),
            }
        }
        ProbeSource::Routed(_) => failed(
            target,
            Health::Unknown,
            "a routed probe inside a routed probe",
        ),
    }
}

/// One slot of a routed target, as a plain target of its own.
pub fn slot_target(target: &Target, slot: &str) -> Option<Target> {
    let ProbeSource::Routed(routed) = &target.spec.source else {
        return None;
    };
    let (_, spec) = routed.slots.iter().find(|(s, _)| s == slot)?;
    Some(Target {
        spec: spec.clone(),
        ..target.clone()
    })
}

/// A slotted target answers with its live slot's probe, the router's split in the detail. A
/// router that cannot be read makes the target unreachable: which slot users reach is unknown.
async fn probe_routed(
    client: &reqwest::Client,
    target: &Target,
    routed: &RoutedProbe,
    trusted: bool,
) -> Observation {
    let weights = match crate::traffic::read(&routed.traffic, trusted).await {
        Ok(w) => w,
        Err(e) => return failed(target, Health::Unreachable, &e.to_string()),
    };
    let slots = &routed.traffic.slots;
    let Some(live) = crate::domain::traffic::live_slot(slots, &weights) else {
        return failed(
            target,
            Health::Fail,
            "the router sends no traffic to any slot",
        );
    };
    let Some(slot) = slot_target(target, live) else {
        return failed(target, Health::Unknown, "the live slot has no probe");
    };
    let mut o = Box::pin(probe_once(client, &slot, trusted)).await;
    let split = crate::domain::traffic::describe_weights(
        slots,
        &crate::domain::traffic::as_percent(slots, &weights),
    );
    o.detail = truncate(
        &if o.detail.is_empty() {
            format!("live {live}: {split}")
        } else {
            format!("live {live}: {split}; {}", o.detail)
        },
        MAX_DETAIL_CHARS,
    );
    o
}

/// What an HTTP answer says, noting a cut body.
fn read_answer(answer: &Fetched, format: ProbeFormat, pointer: Option<&str>) -> Interpretation {
    let mut read = interpret(Some(answer.status), &answer.body, format, pointer);
    if answer.truncated {
        read.detail.push_str(", body cut at 64 KiB");
    }
    read
}

/// Takes version and commit from the `version_url` answer, which wins over the health body's;
/// its failures only add to the detail (health is the health URL's to say).
fn merge_version(
    read: &mut Interpretation,
    answer: Result<Fetched, String>,
    pointer: Option<&str>,
) {
    let problem = match answer {
        Ok(answer) if code_health(answer.status) == Health::Pass => {
            let v = interpret(
                Some(answer.status),
                &answer.body,
                ProbeFormat::Auto,
                pointer,
            );
            read.commit = v.commit.or(read.commit.take());
            match v.version {
                Some(version) => {
                    read.version = Some(version);
                    None
                }
                None => Some("no version in the answer".to_string()),
            }
        }
        Ok(answer) => Some(format!("HTTP {}", answer.status)),
        Err(reason) => Some(reason),
    };
    if let Some(problem) = problem {
        read.detail = format!("{}; version_url: {problem}", read.detail);
    }
}

fn observe(target: &Target, read: Interpretation, latency_ms: Option<u64>) -> Observation {
    let release = match_release(
        read.version.as_deref(),
        read.commit.as_deref(),
        &target.prefix,
        &target.releases,
    );
    Observation {
        service: target.service.clone(),
        env: target.env.clone(),
        health: read.health,
        release: release.map(|r| r.name.clone()),
        commit: read.commit.or_else(|| release.map(|r| r.commit.clone())),
        reported_version: read.version,
        latency_ms,
        at: Timestamp::now(),
        detail: truncate(&read.detail, MAX_DETAIL_CHARS),
    }
}

/// No answer (or none allowed), so no latency to show.
fn failed(target: &Target, health: Health, detail: &str) -> Observation {
    Observation {
        service: target.service.clone(),
        env: target.env.clone(),
        health,
        reported_version: None,
        release: None,
        commit: None,
        latency_ms: None,
        at: Timestamp::now(),
        detail: truncate(detail, MAX_DETAIL_CHARS),
    }
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
