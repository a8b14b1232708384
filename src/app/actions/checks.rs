//! The gates an adapter has to compute: `check` (HTTP or command) and `ancestor` (git).

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::Duration;

use futures::StreamExt;

use crate::app::context::Context;
use crate::domain::config::{CheckSpec, Environment, GateRule, Service};
use crate::domain::gates::External;
use crate::domain::release::Release;
use crate::domain::sanitize::{sanitize, truncate};
use crate::domain::template::{self, Vars};
use crate::git::Repo;

const BODY_CAP: usize = 64 * 1024;

/// Runs every `check` and `ancestor` gate of `env` for this release; the result by gate id.
pub(super) async fn external(
    ctx: &Context,
    service: &Service,
    env: &Environment,
    release: &Release,
    previous_release: Option<&str>,
) -> BTreeMap<String, External> {
    let vars = Vars::new()
        .with("service", service.name.clone())
        .with("env", env.name.clone())
        .with("release", release.name.clone())
        .with("version", release.version.clone())
        .with("commit", release.commit.clone())
        .with("previous_release", previous_release.unwrap_or_default())
        .with("actor", ctx.actor.clone());
    let mut out = BTreeMap::new();
    for gate in &env.gates {
        let result = match &gate.rule {
            GateRule::Ancestor { branch } => Some(ancestor(service, release, branch)),
            GateRule::Check(spec) => Some(check(ctx, spec, &vars).await),
            _ => None,
        };
        if let Some(r) = result {
            out.insert(gate.id.clone(), r);
        }
    }
    out
}

fn ancestor(service: &Service, release: &Release, branch: &str) -> External {
    let short = &release.commit[..release.commit.len().min(12)];
    match Repo::open(&service.repo).and_then(|r| r.is_ancestor(&release.commit, branch)) {
        Ok(true) => External::Pass(format!("{} ({short}) is on {branch}", release.name)),
        Ok(false) => External::Fail(format!(
            "{} ({short}) is not on {branch}; going backwards takes `shipdeck rollback`",
            release.name
        )),
        Err(e) => External::Fail(format!("could not check ancestry against {branch}: {e}")),
    }
}

async fn check(ctx: &Context, spec: &CheckSpec, vars: &Vars) -> External {
    match spec {
        CheckSpec::Http {
            url,
            pointer,
            equals,
            timeout,
        } => {
            let url = match template::expand_with(url, vars, template::url_escape) {
                Ok(u) => u,
                Err(e) => return External::Fail(format!("check URL: {e}")),
            };
            match tokio::time::timeout(*timeout, http_value(&ctx.http, &url, pointer)).await {
                Err(_) => External::Fail(format!(
                    "{} did not answer within {}s",
                    sanitize(&url),
                    timeout.as_secs()
                )),
                Ok(Err(e)) => External::Fail(e),
                Ok(Ok(value)) if value == *equals => {
                    External::Pass(format!("{pointer} is {}", truncate(&value, 60)))
                }
                Ok(Ok(value)) => External::Fail(format!(
                    "{pointer} is {}, expected {equals}",
                    truncate(&value, 60)
                )),
            }
        }
        CheckSpec::Command { argv, timeout } => {
            if !ctx.trusted {
                return External::Fail(
                    "commands in this configuration are not trusted; review it, then run \
                     `shipdeck trust`"
                        .to_string(),
                );
            }
            let argv: Result<Vec<String>, _> =
                argv.iter().map(|a| template::expand(a, vars)).collect();
            match argv {
                Ok(argv) => run_command(ctx, &argv, *timeout).await,
                Err(e) => External::Fail(format!("check command: {e}")),
            }
        }
    }
}

async fn http_value(client: &reqwest::Client, url: &str, pointer: &str) -> Result<String, String> {
    let resp = client.get(url).send().await.map_err(|e| {
        format!(
            "{} unreachable: {}",
            sanitize(url),
            sanitize(&e.to_string())
        )
    })?;
    let status = resp.status();
    let mut body = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| sanitize(&e.to_string()))?;
        body.extend_from_slice(&chunk);
        if body.len() >= BODY_CAP {
            body.truncate(BODY_CAP);
            break;
        }
    }
    if !status.is_success() {
        return Err(format!(
            "{} answered HTTP {}",
            sanitize(url),
            status.as_u16()
        ));
    }
    let json: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|_| format!("{} did not answer JSON", sanitize(url)))?;
    let value = json
        .pointer(pointer)
        .ok_or_else(|| format!("{} has no {pointer}", sanitize(url)))?;
    Ok(sanitize(&match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }))
}

async fn run_command(ctx: &Context, argv: &[String], timeout: Duration) -> External {
    let Some((program, args)) = argv.split_first() else {
        return External::Fail("check command is empty".to_string());
    };
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args)
        .current_dir(&ctx.config.dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Its own process group: a check that times out is killed with what it started.
    let child = match crate::process::grouped(&mut cmd).spawn() {
        Ok(c) => c,
        Err(e) => return External::Fail(format!("could not run {}: {e}", sanitize(program))),
    };
    let pid = child.id();
    match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Err(_) => External::Fail({
            crate::process::kill_group(pid);
            format!(
                "{} did not finish within {}s",
                sanitize(program),
                timeout.as_secs()
            )
        }),
        Ok(Err(e)) => External::Fail(format!("{} failed: {e}", sanitize(program))),
        Ok(Ok(out)) => {
            let text = String::from_utf8_lossy(&out.stdout[..out.stdout.len().min(BODY_CAP)]);
            let last = sanitize(text.lines().last().unwrap_or_default());
            if out.status.success() {
                External::Pass(format!(
                    "{} passed {}",
                    sanitize(program),
                    truncate(&last, 80)
                ))
            } else {
                let err = String::from_utf8_lossy(&out.stderr[..out.stderr.len().min(BODY_CAP)]);
                let tail = sanitize(err.lines().last().unwrap_or(&last));
                External::Fail(format!(
                    "{} exited {}: {}",
                    sanitize(program),
                    out.status.code().unwrap_or(-1),
                    truncate(&tail, 80)
                ))
            }
        }
    }
}
