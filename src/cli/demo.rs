//! `shipdeck demo` and `shipdeck demo serve --dir DIR`.

use std::path::PathBuf;

use crate::app::context::now;
use crate::app::{Failure, OrFail};

use clap::Subcommand;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// `serve`: the demo's environments without the console.
    #[command(subcommand)]
    pub action: Option<DemoAction>,
}

#[derive(Debug, Subcommand)]
pub enum DemoAction {
    /// Run the demo's environments without the console, until killed.
    Serve {
        /// Where the demo's repository, configuration and event log are made (anew).
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
    },
}

/// `shipdeck demo` and `shipdeck demo serve --dir DIR`.
pub fn run(action: Option<DemoAction>, read_only: bool) -> Result<u8, Failure> {
    match action {
        Some(DemoAction::Serve { dir }) => {
            crate::demo::serve_blocking_with(&dir, Some(seeder()))
                .map_err(|e| Failure::failed(format!("{e:#}")))?;
            Ok(0)
        }
        None => {
            let config = start_demo_in_background()?;
            crate::tui::run(Some(config), read_only)
                .map_err(|e| Failure::failed(format!("{e:#}")))?;
            Ok(0)
        }
    }
}

/// Records the demo's seeded events (a colleague's approval, ticked items) in its event log,
/// through the same store every action uses.
fn seeder() -> crate::demo::Seeder {
    Box::new(|state_dir, bodies| {
        let (log, _) = crate::store::EventLog::open(state_dir)?;
        for body in bodies {
            log.append(body, now())?;
        }
        Ok(())
    })
}

/// Starts the demo's environments on a thread of their own (they live until the process ends)
/// in a fresh `<data dir>/demo`, and returns its configuration once it is ready.
fn start_demo_in_background() -> Result<std::path::PathBuf, Failure> {
    let dir = crate::config::data_dir().join("demo");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).or_fail(&format!(
            "could not clear the previous demo at {}",
            dir.display()
        ))?;
    }
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let thread_dir = dir.clone();
    std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                let _ = ready_tx.send(Err(format!("could not start the demo runtime: {e}")));
                return;
            }
        };
        runtime.block_on(async move {
            match crate::demo::start_with(&thread_dir, Some(seeder())).await {
                Ok(demo) => {
                    let _ = ready_tx.send(Ok(demo.config_path.clone()));
                    // Keep the environments serving until the process ends.
                    std::future::pending::<()>().await;
                    drop(demo);
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(format!("{e:#}")));
                }
            }
        });
    });
    match ready_rx.recv() {
        Ok(Ok(path)) => Ok(path),
        Ok(Err(e)) => Err(Failure::failed(format!("the demo could not start: {e}"))),
        Err(_) => Err(Failure::failed("the demo could not start")),
    }
}
