//! The demo's own flag service, on loopback, spoken to through the generic `http` kind: a few
//! flags per service, one dark-launched at 10 % in prod. State lives in memory (the demo is
//! made anew at every start).
//!
//! - `GET /flags` → `{"flags": [{"name", "environments": {ENV: {"enabled", "rollout"}}}]}`
//! - `PUT /flags/{flag}/{env}` with `{"enabled": bool, "rollout": n | null}`

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::history::ENVIRONMENTS;

/// The flag the demo's story raises: dark-launched at 10 % in prod.
pub const DARK_FLAG: &str = "search-v2";

/// (service, flag, [(dev on, %), (staging on, %), (prod on, %)]); `None` service: a flag of
/// no service.
type Seed = (Option<&'static str>, &'static str, [(bool, Option<u8>); 3]);

/// The demo's flags.
pub const FLAGS: &[Seed] = &[
    (
        Some("api"),
        DARK_FLAG,
        [(true, Some(100)), (true, Some(100)), (true, Some(10))],
    ),
    (
        Some("api"),
        "bulk-export",
        [(true, None), (false, None), (false, None)],
    ),
    (
        Some("web"),
        "new-checkout",
        [(true, Some(100)), (true, Some(100)), (true, Some(100))],
    ),
    (
        Some("web"),
        "dark-mode",
        [(true, None), (false, None), (false, None)],
    ),
    (
        Some("worker"),
        "batch-retry",
        [(true, None), (true, None), (true, None)],
    ),
    (
        None,
        "maintenance-banner",
        [(false, None), (false, None), (false, None)],
    ),
];

#[derive(Clone, Copy)]
struct Setting {
    enabled: bool,
    rollout: Option<u8>,
}

type Flags = Arc<Mutex<BTreeMap<String, BTreeMap<String, Setting>>>>;

fn seeded() -> BTreeMap<String, BTreeMap<String, Setting>> {
    FLAGS
        .iter()
        .map(|(_, flag, envs)| {
            let per_env = ENVIRONMENTS
                .iter()
                .zip(envs)
                .map(|(env, (enabled, rollout))| {
                    (
                        (*env).to_string(),
                        Setting {
                            enabled: *enabled,
                            rollout: *rollout,
                        },
                    )
                })
                .collect();
            ((*flag).to_string(), per_env)
        })
        .collect()
}

/// Starts the flag service on a free loopback port.
pub async fn spawn(mut shutdown: watch::Receiver<bool>) -> Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .context("could not listen on loopback for the demo's flag service")?;
    let addr = listener.local_addr()?;
    let flags: Flags = Arc::new(Mutex::new(seeded()));
    let app = Router::new()
        .route("/flags", get(list))
        .route("/flags/{flag}/{env}", put(set))
        .with_state(flags);
    let handle = tokio::spawn(async move {
        let stop = async move {
            let _ = shutdown.wait_for(|stop| *stop).await;
        };
        if let Err(err) = axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .await
        {
            tracing::warn!("the demo's flag service stopped: {err}");
        }
    });
    Ok((addr, handle))
}

async fn list(State(flags): State<Flags>) -> axum::Json<Value> {
    let flags = flags.lock().unwrap_or_else(PoisonError::into_inner);
    let list: Vec<Value> = flags
        .iter()
        .map(|(name, envs)| {
            let envs: serde_json::Map<String, Value> = envs
                .iter()
                .map(|(env, v)| {
                    (
                        env.clone(),
                        json!({"enabled": v.enabled, "rollout": v.rollout}),
                    )
                })
                .collect();
            json!({"name": name, "environments": envs})
        })
        .collect();
    axum::Json(json!({ "flags": list }))
}

async fn set(
    State(flags): State<Flags>,
    Path((flag, env)): Path<(String, String)>,
    body: String,
) -> (StatusCode, String) {
    let Ok(body) = serde_json::from_str::<Value>(&body) else {
        return (StatusCode::BAD_REQUEST, "expected a JSON body".to_string());
    };
    let Some(enabled) = body.get("enabled").and_then(Value::as_bool) else {
        return (StatusCode::BAD_REQUEST, "expected `enabled`".to_string());
    };
    let rollout = match body.get("rollout") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64().and_then(|n| u8::try_from(n).ok()) {
            Some(p) if p <= 100 => Some(p),
            _ => {
                return (
                    StatusCode::BAD_REQUEST,
                    "expected `rollout` 0–100".to_string(),
                );
            }
        },
    };
    let mut flags = flags.lock().unwrap_or_else(PoisonError::into_inner);
    match flags.get_mut(&flag).and_then(|envs| envs.get_mut(&env)) {
        Some(v) => {
            *v = Setting { enabled, rollout };
            (StatusCode::OK, json!({"ok": true}).to_string())
        }
        None => (StatusCode::NOT_FOUND, format!("no flag {flag} in {env}")),
    }
}

/// The `[[flags]]` table of the demo's configuration.
pub fn config(addr: SocketAddr) -> String {
    table(addr, true)
}

/// The table, with or without the `services` key (a configuration without the demo's services).
pub fn table(addr: SocketAddr, with_services: bool) -> String {
    let mut services: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (service, flag, _) in FLAGS {
        if let Some(s) = service {
            services.entry(s).or_default().push(flag);
        }
    }
    let services: Vec<String> = services
        .iter()
        .map(|(s, flags)| {
            let flags: Vec<String> = flags.iter().map(|f| format!("\"{f}\"")).collect();
            format!("{s} = [{}]", flags.join(", "))
        })
        .collect();
    let services = if with_services {
        format!("services = {{ {} }}\n", services.join(", "))
    } else {
        String::new()
    };
    format!(
        "# The demo's own flag service, through the generic `http` kind.\n\
         [[flags]]\n\
         name = \"demo-flags\"\n\
         kind = \"http\"\n\
         interval = \"2s\"\n\
         read = {{ url = \"http://{addr}/flags\", list = \"/flags\", name = \"/name\", \
         enabled = \"/environments/{{{{env}}}}/enabled\", percent = \"/environments/{{{{env}}}}/rollout\" }}\n\
         write = {{ method = \"PUT\", url = \"http://{addr}/flags/{{{{flag}}}}/{{{{env}}}}\", \
         body = '{{\"enabled\": {{{{enabled}}}}, \"rollout\": {{{{percent}}}}}}' }}\n\
         {services}"
    )
}
