//! One simulated environment as a real HTTP server on loopback: `GET /{service}/health` in the
//! IETF health+json shape, `POST /{service}/deploy` taking the `webhook` preset's JSON body.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{Context, Result};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::history::SERVICES;
use super::world::{DeployOutcome, World};
use crate::domain::sanitize::sanitize;

/// What the bad release's health reports once it runs.
const BAD_OUTPUT: &str = "database pool exhausted: 20 of 20 connections in use";

#[derive(Clone)]
struct Env {
    world: Arc<Mutex<World>>,
    name: &'static str,
}

/// Binds `127.0.0.1:0` for environment `name` and serves it until `shutdown` turns true.
/// The socket is listening when this returns.
pub async fn spawn(
    world: Arc<Mutex<World>>,
    name: &'static str,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .with_context(|| format!("could not listen on loopback for the demo's {name}"))?;
    let addr = listener.local_addr()?;
    let app = Router::new()
        .route("/", get(index))
        .route("/{service}/health", get(health))
        .route("/{service}/deploy", post(deploy))
        .with_state(Env {
            world: Arc::clone(&world),
            name,
        });
    // Prod's web is slotted: the demo's own router and its two slots live on prod's server.
    let app = if name == super::router::ENV {
        app.merge(super::router::routes(world))
    } else {
        app
    };
    let handle = tokio::spawn(async move {
        let stop = async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        };
        if let Err(err) = axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .await
        {
            tracing::warn!("the demo's {name} server stopped: {err}");
        }
    });
    Ok((addr, handle))
}

fn lock(world: &Mutex<World>) -> std::sync::MutexGuard<'_, World> {
    // A panic elsewhere leaves the state consistent (every update is a single assignment).
    world.lock().unwrap_or_else(PoisonError::into_inner)
}

fn json_response(status: StatusCode, content_type: &'static str, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body.to_string(),
    )
        .into_response()
}

fn problem(status: StatusCode, message: &str) -> Response {
    json_response(status, "application/json", &json!({ "error": message }))
}

async fn index(State(env): State<Env>) -> Response {
    let services: Vec<&str> = SERVICES.iter().map(|(s, _)| *s).collect();
    json_response(
        StatusCode::OK,
        "application/json",
        &json!({ "environment": env.name, "services": services, "demo": "shipdeck" }),
    )
}

async fn health(State(env): State<Env>, Path(service): Path<String>) -> Response {
    let now = Timestamp::now();
    let mut world = lock(&env.world);
    if env.name == super::router::ENV && service == super::router::SERVICE {
        return super::router::user_health(&mut world);
    }
    world.settle(Instant::now(), now);
    let Some(target) = world
        .envs
        .get(env.name)
        .and_then(|e| e.targets.get(service.as_str()))
    else {
        return problem(
            StatusCode::NOT_FOUND,
            &format!("no service `{}` in {}", sanitize(&service), env.name),
        );
    };
    let release = &world.releases[target.running];
    let uptime = now.duration_since(target.since).as_secs().max(0);
    let mut body = json!({
        "status": "pass",
        "version": release.version,
        "releaseId": release.tag,
        "commit": release.commit,
        "serviceId": release.service,
        "description": format!("{} in {} (shipdeck demo)", release.service, env.name),
        "checks": {
            "uptime": [{
                "componentType": "system",
                "observedValue": uptime,
                "observedUnit": "s",
                "status": "pass",
                "time": now.to_string(),
            }],
        },
    });
    if let Some(rolling) = &target.rolling {
        body["notes"] = json!([format!(
            "rolling out {}",
            world.releases[rolling.release].tag
        )]);
    }
    let status = if release.bad {
        body["status"] = json!("fail");
        body["output"] = json!(BAD_OUTPUT);
        body["checks"]["postgres:connections"] = json!([{
            "componentType": "datastore",
            "observedValue": 20,
            "observedUnit": "connections",
            "status": "fail",
            "output": BAD_OUTPUT,
            "time": now.to_string(),
        }]);
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    json_response(status, "application/health+json", &body)
}

async fn deploy(
    State(env): State<Env>,
    Path(service): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(&body) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "the body must be a JSON object like the webhook preset sends",
        );
    };
    let text = |name: &str| request.get(name).and_then(Value::as_str);
    let Some(release) = text("release") else {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "field `release` (the whole tag name) is required",
        );
    };
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .or_else(|| text("idempotency_key"));
    let now = Instant::now();
    let mut world = lock(&env.world);
    world.settle(now, Timestamp::now());
    let outcome = world.deploy(env.name, &service, release, text("commit"), key, now);
    match outcome {
        DeployOutcome::Accepted(i) | DeployOutcome::Repeated(i) => {
            let r = &world.releases[i];
            let repeated = matches!(outcome, DeployOutcome::Repeated(_));
            if !repeated {
                tracing::info!(
                    env = env.name,
                    service = r.service,
                    release = r.tag,
                    actor = %sanitize(text("actor").unwrap_or("someone")),
                    "demo: rolling out"
                );
            }
            let (status, word) = if repeated {
                (StatusCode::OK, "already-accepted")
            } else {
                (StatusCode::ACCEPTED, "accepted")
            };
            json_response(
                status,
                "application/json",
                &json!({
                    "status": word,
                    "service": r.service,
                    "env": env.name,
                    "release": r.tag,
                    "version": r.version,
                    "rollout_seconds": world.rollout.as_secs_f64(),
                }),
            )
        }
        DeployOutcome::UnknownService => problem(
            StatusCode::NOT_FOUND,
            &format!("no service `{}` in {}", sanitize(&service), env.name),
        ),
        DeployOutcome::Unprocessable(why) => problem(StatusCode::UNPROCESSABLE_ENTITY, &why),
    }
}
