//! Everything an action needs: the accepted configuration, the event log, who is acting, and
//! whether this session may change anything.

use std::path::{Path, PathBuf};

use crate::config;
use crate::domain::config::{Config, Service};
use crate::domain::event::{Event, EventBody, Fact};
use crate::domain::ledger::Ledger;
use crate::store::{self, Appended, Events};

use crate::store::state_log::StateLog;
use crate::trust;

use super::failure::{Failure, OrFail};
use super::identity;

/// A loaded project: configuration, log and actor.
pub struct Context {
    pub config: Config,
    pub log: StateLog,
    /// Who is acting (`SHIPDECK_USER`, else `git config user.email`, else the OS user).
    pub actor: String,
    /// Started with `--read-only`: every mutating action refuses.
    pub read_only: bool,
    /// Commands from this configuration may run (it needs none, or it was trusted as it is).
    pub trusted: bool,
    /// Say what the shared log's remote did not take on stderr (the command line); the
    /// console turns this off and shows it on the board instead.
    pub warn_on_stderr: bool,
    /// The key events are signed with, when the project signs events and the user has one.
    pub signing_key: Option<crate::sign::SigningKey>,
    /// The one HTTP client of this session (probes, checks, verification), built once so its
    /// connection pool is shared; cloning it is cheap.
    pub http: reqwest::Client,
}

impl Context {
    /// Finds, reads and validates the configuration, opens the event log. Warnings (a torn log
    /// tail set aside, an unset secret variable) are returned for the caller to show.
    pub fn load(
        explicit: Option<&Path>,
        read_only: bool,
    ) -> Result<(Context, Vec<String>), Failure> {
        let cwd = std::env::current_dir().or_fail("could not read the working directory")?;
        let path = config::discover(explicit, &cwd).map_err(|e| Failure::usage(e.to_string()))?;
        let (config, bytes) = config::read(&path).map_err(|e| Failure::usage(e.to_string()))?;
        // Trust is decided on the very bytes that were parsed: a file swapped after the read
        // cannot borrow the trust of the one that was there before.
        let explicitly = trust::is_trusted_content(&config.path, &bytes).unwrap_or(false);
        Context::with_trust(config, explicitly, read_only)
    }

    /// Like [`Context::load`] for a configuration already read, whose bytes were not kept: it
    /// runs no commands when it needs trust, and its repository's git settings are not honoured.
    pub fn with_config(config: Config, read_only: bool) -> Result<(Context, Vec<String>), Failure> {
        Context::with_trust(config, false, read_only)
    }

    /// Like [`Context::with_config`]; `explicitly_trusted`: the user trusted the bytes `config`
    /// was parsed from (`shipdeck trust`).
    pub fn with_trust(
        config: Config,
        explicitly_trusted: bool,
        read_only: bool,
    ) -> Result<(Context, Vec<String>), Failure> {
        crate::git::harden::set_repository_trusted(explicitly_trusted);
        crate::git::tag_cache::set_dir(Some(&crate::config::data_dir()), !read_only);
        let (log, mut warnings) = StateLog::open(&config, read_only).map_err(Failure::failed)?;
        match log.checked() {
            Ok((_, Some(damage))) => warnings.push(damage),
            Ok((events, None)) => {
                if let Some(file) = log.file()
                    && let Some(rewritten) = super::anchor::check(file, &events, read_only)
                {
                    warnings.push(rewritten);
                }
            }
            Err(_) => {}
        }
        if let Some(git) = log.git()
            && let Ok(foreign) = git.foreign()
            && !foreign.is_empty()
        {
            let named: Vec<String> = foreign
                .iter()
                .take(3)
                .map(|f| {
                    format!(
                        "commit {}: {}",
                        f.commit,
                        crate::domain::sanitize::sanitize(&f.reason)
                    )
                })
                .collect();
            warnings.push(format!(
                "the shared log {} has {} commit{} that {} not an event, skipped ({}{}); run \
                 `shipdeck log --verify`",
                git.place(),
                foreign.len(),
                if foreign.len() == 1 { "" } else { "s" },
                if foreign.len() == 1 { "is" } else { "are" },
                named.join("; "),
                if foreign.len() > 3 { "; …" } else { "" },
            ));
        }
        warnings.extend(config::warnings(&config));
        let trusted = !trust::needs_trust(&config) || explicitly_trusted;
        let actor = identity::current(&config.dir);
        let signing_key = super::signatures::signing_key(&config, read_only, &mut warnings);
        Ok((
            Context {
                config,
                log,
                actor,
                read_only,
                trusted,
                warn_on_stderr: true,
                signing_key,
                http: crate::probe::http_client(),
            },
            warnings,
        ))
    }

    pub fn config_path(&self) -> &PathBuf {
        &self.config.path
    }

    /// Every event and their fold, for a command that decides (plan, promote, rollback,
    /// approve, tick, override, publish): refused with exit 5 when the log fails verification,
    /// since nothing past its first bad line may be counted.
    pub fn ledger(&self) -> Result<(Events, Ledger), Failure> {
        let (events, damage) = self
            .log
            .checked()
            .map_err(|e| Failure::failed(format!("could not read the event log: {e}")))?;
        if let Some(damage) = damage {
            return Err(Failure::log(damage));
        }
        let ledger = self.fold(&events);
        Ok((events, ledger))
    }

    /// The events that count and their fold, for a command that only shows (status, log, the
    /// board): a log that fails verification is shown up to its first bad line (the warning at
    /// load says so).
    pub fn ledger_shown(&self) -> Result<(Events, Ledger), Failure> {
        let (events, _) = self
            .log
            .checked()
            .map_err(|e| Failure::failed(format!("could not read the event log: {e}")))?;
        let ledger = self.fold(&events);
        Ok((events, ledger))
    }

    /// The events' fold, verify deadlines capped by the configuration's verify timeouts.
    fn fold(&self, events: &[Event]) -> Ledger {
        let mut ledger = Ledger::from_events(events);
        ledger.cap_verify_deadlines(|service| {
            self.config
                .service(service)
                .map(|s| self.config.verify_timeout(s))
        });
        ledger
    }

    /// Why the log fails verification, if it does (the loud sentence).
    pub fn log_damage(&self) -> Option<String> {
        self.log.checked().ok().and_then(|(_, damage)| damage)
    }

    pub fn service(&self, name: &str) -> Result<&Service, Failure> {
        self.config.service(name).ok_or_else(|| {
            let names: Vec<&str> = self
                .config
                .services
                .iter()
                .map(|s| s.name.as_str())
                .collect();
            Failure::usage(format!(
                "no service named `{name}`{}; services: {}",
                did_you_mean(name, &names),
                names.join(", ")
            ))
        })
    }

    pub fn environment(&self, name: &str) -> Result<&crate::domain::config::Environment, Failure> {
        self.config.environment(name).ok_or_else(|| {
            let names: Vec<&str> = self
                .config
                .environments
                .iter()
                .map(|e| e.name.as_str())
                .collect();
            Failure::usage(format!(
                "no environment named `{name}`{}; environments: {}",
                did_you_mean(name, &names),
                names.join(", ")
            ))
        })
    }

    /// Refuses under `--read-only`.
    pub fn writable(&self, what: &str) -> Result<(), Failure> {
        if self.read_only {
            Err(Failure::read_only(what))
        } else {
            Ok(())
        }
    }

    /// Records `fact` as the current actor, now. Refuses under `--read-only`.
    pub fn record(
        &self,
        fact: &Fact,
        service: Option<&str>,
        release: Option<&str>,
        env: Option<&str>,
    ) -> Result<Event, Failure> {
        self.record_with_id(store::new_event_id(), fact, service, release, env)
    }

    /// Records with a given id (outcome ids are derived, so two observers record one outcome).
    pub fn record_with_id(
        &self,
        id: String,
        fact: &Fact,
        service: Option<&str>,
        release: Option<&str>,
        env: Option<&str>,
    ) -> Result<Event, Failure> {
        self.writable(fact.kind())?;
        let now = now();
        let body = EventBody::new(id, now, &self.actor, fact, service, release, env);
        let sig = super::signatures::sign(self.signing_key.as_ref(), &body)?;
        match self.log.append(body, sig, now) {
            Ok((Appended::New(e) | Appended::AlreadyRecorded(e), warnings)) => {
                for warning in warnings {
                    tracing::warn!("{warning}");
                    if self.warn_on_stderr {
                        eprintln!("shipdeck: warning: {warning}");
                    }
                }
                Ok(e)
            }
            Err(e) => Err(Failure::failed(format!(
                "could not record {}: {e}",
                fact.kind()
            ))),
        }
    }
}

/// The current time, at millisecond precision (what the log stores).
pub fn now() -> jiff::Timestamp {
    let t = jiff::Timestamp::now();
    jiff::Timestamp::from_millisecond(t.as_millisecond()).unwrap_or(t)
}

/// `` (did you mean `api`?)`` when a name is close to one of `names`, else empty.
pub fn did_you_mean(name: &str, names: &[&str]) -> String {
    names
        .iter()
        .map(|n| (strsim::jaro_winkler(name, n), *n))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| format!(" (did you mean `{n}`?)"))
        .unwrap_or_default()
}
