//! A deploy endpoint on loopback that records every request it gets.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, LOCATION};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// One request as the endpoint received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Everything the endpoint received, in order.
#[derive(Clone, Default)]
pub struct Seen(Arc<Mutex<Vec<Received>>>);

impl Seen {
    pub fn all(&self) -> Vec<Received> {
        self.0.lock().expect("not poisoned").clone()
    }

    pub fn count(&self, path: &str) -> usize {
        self.all().iter().filter(|r| r.path == path).count()
    }
}

/// Starts the endpoint. Paths: `/ok` (202, echoes the Authorization header and body),
/// `/fail` (500, echoes them too, with a terminal escape), `/redirect` (302 to `/ok`),
/// `/slow` (never answers), `/big` (200 with a 1 MiB body).
pub async fn start() -> (SocketAddr, Seen) {
    let seen = Seen::default();
    let app = Router::new().fallback(handle).with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("bound address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, seen)
}

async fn handle(State(seen): State<Seen>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .expect("the body arrives")
        .to_vec();
    let echo = format!(
        "auth={} body={}",
        parts
            .headers
            .get(AUTHORIZATION)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default(),
        String::from_utf8_lossy(&body)
    );
    let path = parts.uri.path().to_string();
    seen.0.lock().expect("not poisoned").push(Received {
        method: parts.method.to_string(),
        path: path.clone(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        body,
    });
    match path.as_str() {
        "/ok" => (StatusCode::ACCEPTED, format!("queued {echo}")).into_response(),
        "/fail" => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("deploy crashed halfway \u{1b}[31m{echo}"),
        )
            .into_response(),
        "/redirect" => (StatusCode::FOUND, [(LOCATION, "/ok")], "moved").into_response(),
        "/slow" => std::future::pending().await,
        "/big" => (StatusCode::OK, "x".repeat(1024 * 1024)).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
