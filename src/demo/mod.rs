//! The built-in demo: a real git repository with a shop's history (`DIR/repo`), three simulated
//! environments as real HTTP servers on loopback, and a `DIR/shipdeck.toml` with real gates,
//! written last, in one rename, once every server answers — its existence means the demo is
//! ready. All state stays inside DIR.

mod config;
mod env_server;
pub mod flag_server;
pub mod history;
mod past;
mod repo;
mod router;
mod seed;
mod world;

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use jiff::Timestamp;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use history::{BAD_RELEASE, ENVIRONMENTS, SERVICES};
pub use past::FAILED_IN_PROD;
pub use repo::DemoRelease;
pub use seed::SEEDED_RELEASE;
pub use world::ROLLOUT;

use crate::domain::event::EventBody;

/// Records the demo's seed events (its team's last few weeks of deployments, then a colleague's
/// approval and checklist ticks) in the event log at the given state directory, before the
/// config file appears. Must be idempotent by event id.
pub type Seeder = Box<dyn FnOnce(&Path, Vec<EventBody>) -> Result<()> + Send>;

/// A running demo. The servers live until it is dropped or [`Demo::shutdown`] is awaited.
pub struct Demo {
    /// The demo directory (absolute).
    pub dir: PathBuf,
    /// `DIR/shipdeck.toml`.
    pub config_path: PathBuf,
    /// `DIR/repo`, the git repository.
    pub repo: PathBuf,
    /// `DIR/.shipdeck`, where the event log lives.
    pub state_dir: PathBuf,
    /// Each environment's name and listening address, in path order.
    pub environments: Vec<(String, SocketAddr)>,
    /// Every release tag of the repository, each service's oldest first.
    pub releases: Vec<DemoRelease>,
    /// The demo's own flag service.
    pub flags: SocketAddr,
    servers: Servers,
}

/// The environment servers; aborted when dropped so a failed start leaves nothing running.
struct Servers {
    shutdown: watch::Sender<bool>,
    handles: Vec<JoinHandle<()>>,
}

impl Drop for Servers {
    fn drop(&mut self) {
        for handle in &self.handles {
            handle.abort();
        }
    }
}

impl Demo {
    /// `http://127.0.0.1:PORT` of an environment.
    pub fn base_url(&self, env: &str) -> Option<String> {
        self.environments
            .iter()
            .find(|(name, _)| name == env)
            .map(|(_, addr)| format!("http://{addr}"))
    }

    /// A release of the demo repository by its whole tag name.
    pub fn release(&self, tag: &str) -> Option<&DemoRelease> {
        self.releases.iter().find(|r| r.tag == tag)
    }

    /// Stops the servers gracefully and waits for them.
    pub async fn shutdown(mut self) {
        let _ = self.servers.shutdown.send(true);
        for handle in std::mem::take(&mut self.servers.handles) {
            let _ = handle.await;
        }
    }
}

/// Builds the demo in `dir` (reusing a repository made by an earlier run) and starts its
/// environments; returns once `DIR/shipdeck.toml` is written.
pub async fn start(dir: &Path) -> Result<Demo> {
    start_with(dir, None).await
}

/// [`start`], with the seed events handed to `seeder` before the config file is written.
pub async fn start_with(dir: &Path, seeder: Option<Seeder>) -> Result<Demo> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("could not create the demo directory {}", dir.display()))?;
    let dir = dir
        .canonicalize()
        .with_context(|| format!("could not resolve {}", dir.display()))?;
    let config_path = dir.join("shipdeck.toml");
    // The file's existence must mean *this* run is ready.
    match std::fs::remove_file(&config_path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(e).with_context(|| format!("could not replace {}", config_path.display()));
        }
    }
    let now = Timestamp::now();
    let repo_dir = dir.join("repo");
    let releases = {
        let repo_dir = repo_dir.clone();
        tokio::task::spawn_blocking(move || repo::ensure(&repo_dir, now))
            .await
            .context("building the demo repository was interrupted")??
    };
    let state_dir = dir.join(".shipdeck");
    std::fs::create_dir_all(&state_dir)
        .with_context(|| format!("could not create {}", state_dir.display()))?;

    let world = world::World::new(releases.clone(), dir.join("demo-environments.json"), now)?;
    let world = Arc::new(Mutex::new(world));
    let (shutdown, stop) = watch::channel(false);
    let mut servers = Servers {
        shutdown,
        handles: Vec::new(),
    };
    let mut environments = Vec::new();
    for env in ENVIRONMENTS {
        let (addr, handle) = env_server::spawn(Arc::clone(&world), env, stop.clone()).await?;
        servers.handles.push(handle);
        environments.push((*env, addr));
    }
    let (flags, flags_handle) = flag_server::spawn(stop.clone()).await?;
    servers.handles.push(flags_handle);
    wait_until_answering(&environments).await?;

    if let Some(seeder) = seeder {
        // The team's last few weeks first, then today's colleague work.
        let mut bodies = past::events(&repo_dir, &releases, &environments, now)
            .context("could not write the demo's past")?;
        bodies.extend(seed::events(&releases, now));
        seeder(&state_dir, bodies).context("could not seed the demo's event log")?;
    }
    let mut text = config::render(&environments, now)?;
    text.push('\n');
    text.push_str(&flag_server::config(flags));
    let tmp = dir.join(format!(".shipdeck.toml.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text).with_context(|| format!("could not write {}", tmp.display()))?;
    std::fs::rename(&tmp, &config_path)
        .with_context(|| format!("could not write {}", config_path.display()))?;

    Ok(Demo {
        dir,
        config_path,
        repo: repo_dir,
        state_dir,
        environments: environments
            .into_iter()
            .map(|(name, addr)| (name.to_string(), addr))
            .collect(),
        releases,
        flags,
        servers,
    })
}

/// Every target's health answers (any status) before the demo is declared ready.
async fn wait_until_answering(environments: &[(&str, SocketAddr)]) -> Result<()> {
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(2))
        .build()?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    for (env, addr) in environments {
        for (service, _) in SERVICES {
            let url = format!("http://{addr}/{service}/health");
            loop {
                match client.get(&url).send().await {
                    Ok(_) => break,
                    Err(err) if tokio::time::Instant::now() >= deadline => {
                        bail!("the demo's {env} environment does not answer at {url}: {err}");
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            }
        }
    }
    Ok(())
}

/// `shipdeck demo serve --dir DIR`: starts the demo, prints how to use it, and serves until
/// Ctrl-C or SIGTERM.
pub fn serve_blocking(dir: &Path) -> Result<()> {
    serve_blocking_with(dir, None)
}

/// [`serve_blocking`] with a [`Seeder`] for the event log.
pub fn serve_blocking_with(dir: &Path, seeder: Option<Seeder>) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(async {
        let demo = start_with(dir, seeder).await?;
        println!("{}", how_to(&demo));
        until_stopped().await?;
        demo.shutdown().await;
        Ok(())
    })
}

async fn until_stopped() -> Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("could not listen for SIGTERM")?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.context("could not listen for Ctrl-C")?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c()
        .await
        .context("could not listen for Ctrl-C")?;
    Ok(())
}

/// The short how-to `demo serve` prints.
pub fn how_to(demo: &Demo) -> String {
    let config = shell_quote(&demo.config_path.display().to_string());
    let sd = format!("shipdeck --config {config}");
    let mut envs = String::new();
    for (name, addr) in &demo.environments {
        let _ = writeln!(envs, "  {name:<8} http://{addr}");
    }
    format!(
        "shipdeck demo is running in {dir}\n\
         \x20 config   {config}\n\
         \x20 repo     {repo}\n\
         {envs}\n\
         Try:\n\
         \x20 {sd} status\n\
         \x20 {sd} changelog api staging dev\n\
         \x20 {sd} promote api api-v1.5.0 --to staging --yes\n\
         \x20 {sd} plan api api-v1.5.0 --to prod        # soak, approvals, checklist\n\
         \x20 SHIPDECK_USER=sam@shop.example {sd} approve api api-v1.5.0 --env prod\n\
         \x20 {sd} promote api {bad} --to dev --yes     # deploys, then fails its health check\n\
         \x20 {sd} rollback api --env dev --yes\n\
         \x20 {sd}                                      # the console\n\n\
         Press Ctrl-C to stop.",
        dir = demo.dir.display(),
        repo = demo.repo.display(),
        bad = BAD_RELEASE,
    )
}

fn shell_quote(text: &str) -> String {
    let plain = text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c));
    if plain {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}
