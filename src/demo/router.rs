//! The demo's own traffic router in front of prod's `web`: two slot servers' worth of state
//! (`blue`, `green`), an `http` router API (`GET`/`PUT /web/router`, weights as JSON), and the
//! health prod's users see (`GET /web/health`), answered by a slot picked by the weights.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::world::World;
use crate::domain::sanitize::sanitize;

/// The slotted service and environment.
pub const SERVICE: &str = "web";
pub const ENV: &str = "prod";
pub const SLOTS: [&str; 2] = ["blue", "green"];
const HEALTH_JSON: &str = "application/health+json";

/// One slot: what it runs, and a deploy in progress.
#[derive(Debug, Clone)]
pub struct Slot {
    /// Index into `World::releases`.
    pub running: usize,
    pub rolling: Option<(usize, Instant)>,
}

/// Prod web's slots and the router's weights.
#[derive(Debug, Clone)]
pub struct Slotted {
    pub slots: BTreeMap<&'static str, Slot>,
    pub weights: BTreeMap<String, u32>,
}

impl Slotted {
    /// Both slots run `running`; blue takes all traffic.
    pub fn new(running: usize) -> Slotted {
        Slotted {
            slots: SLOTS
                .iter()
                .map(|s| {
                    (
                        *s,
                        Slot {
                            running,
                            rolling: None,
                        },
                    )
                })
                .collect(),
            weights: [("blue".to_string(), 100), ("green".to_string(), 0)].into(),
        }
    }

    fn settle(&mut self, now: Instant) {
        for slot in self.slots.values_mut() {
            if let Some((release, _)) = slot.rolling.take_if(|(_, at)| *at <= now) {
                slot.running = release;
            }
        }
    }
}

type Shared = Arc<Mutex<World>>;

fn lock(world: &Mutex<World>) -> std::sync::MutexGuard<'_, World> {
    world.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The router's and the slots' routes, for prod's server.
pub fn routes(world: Shared) -> Router {
    Router::new()
        .route("/web/router", get(read).put(write))
        .route("/web/slots/{slot}/health", get(slot_health))
        .route("/web/slots/{slot}/deploy", post(deploy))
        .with_state(world)
}

fn json_body(status: StatusCode, body: &Value) -> Response {
    typed(status, "application/json", body)
}

fn typed(status: StatusCode, content_type: &'static str, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, content_type)],
        body.to_string(),
    )
        .into_response()
}

async fn read(State(world): State<Shared>) -> Response {
    let w = lock(&world);
    json_body(StatusCode::OK, &json!(w.slotted.weights))
}

async fn write(State(world): State<Shared>, body: Bytes) -> Response {
    let Ok(weights) = serde_json::from_slice::<BTreeMap<String, u32>>(&body) else {
        return json_body(
            StatusCode::BAD_REQUEST,
            &json!({"error": "expected {\"blue\": N, \"green\": M}"}),
        );
    };
    if weights.keys().any(|k| !SLOTS.contains(&k.as_str())) || weights.values().all(|w| *w == 0) {
        return json_body(
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!({"error": "weights of blue and green, not all zero"}),
        );
    }
    let mut w = lock(&world);
    for slot in SLOTS {
        w.slotted
            .weights
            .insert(slot.to_string(), weights.get(slot).copied().unwrap_or(0));
    }
    tracing::info!(weights = ?w.slotted.weights, "demo: router weights set");
    json_body(StatusCode::OK, &json!(w.slotted.weights))
}

/// A slot's health, in the same shape as the environments' own.
fn health_of(world: &mut World, slot: &str) -> Response {
    world.slotted.settle(Instant::now());
    let Some(s) = world.slotted.slots.get(slot) else {
        return json_body(
            StatusCode::NOT_FOUND,
            &json!({"error": format!("no slot `{}`", sanitize(slot))}),
        );
    };
    let release = &world.releases[s.running];
    let mut body = json!({
        "status": "pass",
        "version": release.version,
        "releaseId": release.tag,
        "commit": release.commit,
        "serviceId": release.service,
        "description": format!("web in prod, slot {slot} (shipdeck demo)"),
        "slot": slot,
        "time": Timestamp::now().to_string(),
    });
    if release.bad {
        body["status"] = json!("fail");
        return typed(StatusCode::SERVICE_UNAVAILABLE, HEALTH_JSON, &body);
    }
    typed(StatusCode::OK, HEALTH_JSON, &body)
}

async fn slot_health(State(world): State<Shared>, Path(slot): Path<String>) -> Response {
    health_of(&mut lock(&world), &slot)
}

/// What prod's users see at `/web/health`: one slot, picked by the router's weights.
pub fn user_health(world: &mut World) -> Response {
    let total: u32 = world.slotted.weights.values().sum();
    let mut pick = rand::random_range(0..total.max(1));
    let mut chosen = SLOTS[0];
    for slot in SLOTS {
        let w = world.slotted.weights.get(slot).copied().unwrap_or(0);
        if pick < w {
            chosen = slot;
            break;
        }
        pick -= w;
    }
    health_of(world, chosen)
}

async fn deploy(State(world): State<Shared>, Path(slot): Path<String>, body: Bytes) -> Response {
    let release = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("release").and_then(Value::as_str).map(str::to_string));
    let Some(release) = release else {
        return json_body(
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!({"error": "field `release` (the whole tag name) is required"}),
        );
    };
    let mut w = lock(&world);
    let Some(index) = w
        .releases
        .iter()
        .position(|r| r.service == SERVICE && r.tag == release)
    else {
        return json_body(
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!({"error": format!("unknown release `{}` for web", sanitize(&release))}),
        );
    };
    let ready = Instant::now() + Duration::from_millis(1500);
    let Some(s) = w.slotted.slots.get_mut(slot.as_str()) else {
        return json_body(
            StatusCode::NOT_FOUND,
            &json!({"error": format!("no slot `{}`", sanitize(&slot))}),
        );
    };
    s.rolling = Some((index, ready));
    tracing::info!(slot = %sanitize(&slot), release = %sanitize(&release), "demo: rolling out to a slot");
    json_body(
        StatusCode::ACCEPTED,
        &json!({"status": "accepted", "slot": slot, "release": release}),
    )
}
