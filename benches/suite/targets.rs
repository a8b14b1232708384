//! Loopback targets for the probe rows: a separate process (this binary, `serve DELAY_MS`) that
//! answers every `GET /health/…` after a fixed delay with a health+json body (`GET
//! /release/VERSION/…` alike, reporting VERSION), and counts the answers at `GET /count`, so a
//! measurement can wait for "the console probed everything".

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The body every target answers.
pub const BODY: &str = r#"{"status":"pass","releaseId":"1.4.2"}"#;

/// Runs the server until killed; prints its port on stdout once it listens.
pub fn serve(delay: Duration) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let answered = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&answered);
        let released = Arc::clone(&answered);
        let app = axum::Router::new()
            .route(
                "/health/{*rest}",
                axum::routing::get(move || {
                    let answered = Arc::clone(&answered);
                    async move {
                        tokio::time::sleep(delay).await;
                        answered.fetch_add(1, Ordering::Relaxed);
                        ([("content-type", "application/health+json")], BODY)
                    }
                }),
            )
            .route(
                "/release/{version}/{*rest}",
                axum::routing::get(
                    move |axum::extract::Path((version, _)): axum::extract::Path<(
                        String,
                        String,
                    )>| {
                        let answered = Arc::clone(&released);
                        async move {
                            tokio::time::sleep(delay).await;
                            answered.fetch_add(1, Ordering::Relaxed);
                            (
                                [("content-type", "application/health+json")],
                                format!(r#"{{"status":"pass","releaseId":"{version}"}}"#),
                            )
                        }
                    },
                ),
            )
            .route(
                "/count",
                axum::routing::get(move || {
                    let n = counter.load(Ordering::Relaxed);
                    async move { n.to_string() }
                }),
            );
        // A deep accept queue: a thousand probes connect at once.
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.set_reuseaddr(true)?;
        socket.bind("127.0.0.1:0".parse().expect("a loopback address"))?;
        let listener = socket.listen(4096)?;
        println!("{}", listener.local_addr()?.port());
        axum::serve(listener, app).await
    })
}

/// The server process, killed when dropped.
pub struct Targets {
    child: Child,
    pub port: u16,
}

impl Targets {
    /// Starts `serve` in a child process and waits until it listens.
    pub fn start(delay: Duration) -> Targets {
        let exe = std::env::current_exe().expect("the suite's own path");
        let mut child = Command::new(exe)
            .args(["serve", &delay.as_millis().to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the target server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("server stdout"))
            .read_line(&mut line)
            .expect("the target server prints its port");
        let port = line.trim().parse().expect("a port number");
        Targets { child, port }
    }

    /// The URL of target `service`/`env`.
    pub fn url(&self, service: &str, env: &str) -> String {
        format!("http://127.0.0.1:{}/health/{service}/{env}", self.port)
    }

    /// The health URL template for a shipdeck configuration.
    pub fn template(&self) -> String {
        self.url("{{service}}", "{{env}}")
    }

    /// How many health requests were answered so far.
    pub fn answered(&self) -> u64 {
        use std::io::{Read as _, Write as _};
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return 0;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        let _ =
            stream.write_all(b"GET /count HTTP/1.1\r\nhost: bench\r\nconnection: close\r\n\r\n");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
            .rsplit("\r\n\r\n")
            .next()
            .and_then(|body| body.trim().parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Targets {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
