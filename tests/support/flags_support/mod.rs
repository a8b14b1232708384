//! A real Unleash 8 on a real PostgreSQL for the flag tests: the cluster is made with `initdb`
//! in a temp dir and run with `pg_ctl` on a free port as the `postgres` user (PostgreSQL refuses
//! root); Unleash (`tests/unleash`, installed with `npm ci` when missing) is started with an
//! admin token through `initApiTokens` and its version check off. Both stop when dropped.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Where Debian's PostgreSQL 15 lives.
const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

/// The admin token the tests' Unleash accepts. Distinctive, so a leak is found by grep.
pub const TOKEN: &str = "*:*.shipdeck-test-admin-4f1c9a7e2b6d";

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// `program args…`, as `postgres` when we are root.
fn as_postgres(program: &str, args: &[&str]) -> Command {
    let path = format!("{PG_BIN}/{program}");
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", &path]).args(args);
        c
    } else {
        let mut c = Command::new(path);
        c.args(args);
        c
    }
}

fn run(mut c: Command, what: &str) {
    let out = c.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A PostgreSQL cluster in a temp dir.
pub struct Postgres {
    pub dir: tempfile::TempDir,
    pub port: u16,
}

impl Postgres {
    pub fn start() -> Postgres {
        assert!(
            Path::new(PG_BIN).join("initdb").exists(),
            "PostgreSQL 15 is not installed ({PG_BIN}); scripts/test installs postgresql-15"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        if is_root() {
            run(
                {
                    let mut c = Command::new("chown");
                    c.args(["-R", "postgres:"]).arg(dir.path());
                    c
                },
                "chown the cluster's dir to postgres",
            );
        }
        let data = dir.path().join("data");
        let data_s = data.display().to_string();
        run(
            as_postgres(
                "initdb",
                &["-D", &data_s, "-A", "trust", "-U", "postgres", "-E", "UTF8"],
            ),
            "initdb",
        );
        let port = free_port();
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            dir.path().display()
        );
        let log = dir.path().join("pg.log").display().to_string();
        run(
            as_postgres(
                "pg_ctl",
                &["-D", &data_s, "-o", &opts, "-l", &log, "-w", "start"],
            ),
            "pg_ctl start",
        );
        Postgres { dir, port }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data").display().to_string();
        let _ = as_postgres("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// `tests/unleash`, with its node_modules installed by `npm ci` when missing.
pub fn unleash_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/unleash");
    if !dir.join("node_modules/unleash-server").exists() {
        run(
            {
                let mut c = Command::new("npm");
                c.args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                    .current_dir(&dir);
                c
            },
            "npm ci in tests/unleash",
        );
    }
    dir
}

/// A running Unleash server.
pub struct Unleash {
    pub port: u16,
    pg_port: u16,
    dir: PathBuf,
    log: PathBuf,
    child: Option<Child>,
}

impl Unleash {
    pub fn start(pg: &Postgres) -> Unleash {
        let mut u = Unleash {
            port: free_port(),
            pg_port: pg.port,
            dir: unleash_dir(),
            log: pg.dir.path().join("unleash.log"),
            child: None,
        };
        u.start_again();
        u
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again, on the same port and database) and waits until it is healthy.
    pub fn start_again(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("unleash log");
        let child = Command::new("node")
            .arg("start.js")
            .current_dir(&self.dir)
            .env("UNLEASH_TEST_ADMIN_TOKEN", TOKEN)
            .env("UNLEASH_TEST_PG_PORT", self.pg_port.to_string())
            .env("UNLEASH_TEST_PORT", self.port.to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("node starts (is Node.js installed?)");
        self.child = Some(child);
        let start = Instant::now();
        loop {
            if let (200, _) = self.api("GET", "/health", None) {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!(
                    "Unleash exited ({status}): {}",
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                );
            }
            assert!(
                start.elapsed() < Duration::from_mins(3),
                "Unleash did not become healthy: {}",
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Stops the server and waits until its port refuses connections.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "Unleash still listens"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// One admin API call with the token: (status, JSON body or null). Status 0: no answer.
    pub fn api(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{path}", self.url());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let client = reqwest::Client::new();
            let mut req = client
                .request(
                    reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
                    &url,
                )
                .header("Authorization", TOKEN)
                .timeout(Duration::from_secs(10));
            if let Some(body) = body {
                req = req
                    .header("Content-Type", "application/json")
                    .body(body.to_string());
            }
            match req.send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let text = resp.text().await.unwrap_or_default();
                    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
                }
                Err(_) => (0, Value::Null),
            }
        })
    }

    /// Creates a feature in the default project.
    pub fn create_feature(&self, name: &str) {
        let (status, body) = self.api(
            "POST",
            "/api/admin/projects/default/features",
            Some(serde_json::json!({"name": name, "type": "release"})),
        );
        assert!(
            matches!(status, 200 | 201),
            "create {name}: {status} {body}"
        );
    }

    /// A feature's environment as Unleash's admin API shows it.
    pub fn environment(&self, feature: &str, env: &str) -> Value {
        let (status, body) = self.api(
            "GET",
            &format!("/api/admin/projects/default/features/{feature}/environments/{env}"),
            None,
        );
        assert_eq!(status, 200, "read {feature} in {env}: {body}");
        body
    }

    pub fn enabled(&self, feature: &str, env: &str) -> bool {
        self.environment(feature, env)["enabled"]
            .as_bool()
            .expect("enabled")
    }

    /// The `rollout` parameter of the environment's flexibleRollout strategy.
    pub fn rollout(&self, feature: &str, env: &str) -> Option<String> {
        let e = self.environment(feature, env);
        e["strategies"]
            .as_array()?
            .iter()
            .find(|s| s["name"] == "flexibleRollout")
            .and_then(|s| s["parameters"]["rollout"].as_str())
            .map(str::to_string)
    }

    /// The id of that strategy.
    pub fn rollout_strategy(&self, feature: &str, env: &str) -> String {
        let e = self.environment(feature, env);
        e["strategies"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["name"] == "flexibleRollout"))
            .and_then(|s| s["id"].as_str())
            .expect("a flexibleRollout strategy")
            .to_string()
    }
}

impl Drop for Unleash {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
