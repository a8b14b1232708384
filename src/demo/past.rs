//! The demo team's last few weeks, as their event log recorded them: every release of the
//! history went to dev soon after its tag, most went on to staging and prod through the same
//! gates the demo's configuration has (approvals by two colleagues, the production checklist,
//! the soak), and one failed in prod and was rolled back: web-v2.0.0, the breaking checkout
//! move, whose prod health check failed; the rollback to web-v1.9.0 restored it.
//!
//! True to the demo's git history: every time is counted from its release tag's commit time as
//! the repository records it, and the deployments end where the demo starts (dev runs each
//! service's newest good release, staging the one before, prod the one before that). These are
//! event bodies for the seeder, ids derived from their content, so seeding twice is a no-op.

use std::net::SocketAddr;

use anyhow::{Context, Result};
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};

use super::history::{DANA, HISTORY, LENA, MARCO, PRIYA, Person, SAM, SERVICES};
use super::repo::DemoRelease;
use crate::domain::event::{EventBody, Fact, outcome_id};

/// The release whose prod deployment failed and was rolled back.
pub const FAILED_IN_PROD: &str = "web-v2.0.0";

/// The demo's verify timeout, as its configuration has it.
const VERIFY_SECS: i64 = 30;

const TEAM: [Person; 5] = [DANA, PRIYA, SAM, LENA, MARCO];

/// The production checklist's `before` items people tick, in the order they usually do.
const BEFORE: [&str; 5] = [
    "controls",
    "infrastructure",
    "plan",
    "backout",
    "communications",
];

/// Minutes, picked per release from these so the waits differ believably from one release to
/// the next (indexed by the release's position in the history).
const TO_DEV: [i64; 5] = [35, 50, 25, 40, 30];
const TO_STAGING: [i64; 7] = [190, 1210, 370, 1630, 140, 880, 305];
const FIRST_APPROVAL: [i64; 5] = [65, 250, 1090, 130, 380];
const SECOND_APPROVAL: [i64; 5] = [140, 1180, 75, 310, 1750];
const AFTER_GATES: [i64; 6] = [55, 170, 35, 960, 120, 410];

/// The events of the demo's past, oldest first, for releases as built in `repo` (their tags'
/// commit times are read from it); `environments` are the demo's addresses, for the calls.
pub fn events(
    repo: &std::path::Path,
    releases: &[DemoRelease],
    environments: &[(&str, SocketAddr)],
    now: Timestamp,
) -> Result<Vec<EventBody>> {
    let git = git2::Repository::open(repo)
        .with_context(|| format!("could not open the demo repository {}", repo.display()))?;
    let mut out = Past {
        bodies: Vec::new(),
        environments,
    };
    for (service, _) in SERVICES {
        let ordered: Vec<&DemoRelease> = releases
            .iter()
            .filter(|r| r.service == *service && !r.bad)
            .collect();
        let n = ordered.len();
        let mut running: [Option<&DemoRelease>; 3] = [None, None, None];
        for (k, release) in ordered.iter().enumerate() {
            let oid = git2::Oid::from_str(&release.commit)?;
            let tagged = Timestamp::from_second(git.find_commit(oid)?.time().seconds())?;
            let pick = HISTORY
                .iter()
                .position(|c| c.tag == Some(release.tag))
                .unwrap_or(k);
            let promoter = HISTORY.get(pick).map_or(DANA, |c| c.author);
            let step = Step {
                release,
                promoter,
                pick,
            };
            // Where the release gets to: dev always; staging unless it is the newest; prod
            // unless it is one of the newest two — and the failed one tries prod too.
            let reach = if release.tag == FAILED_IN_PROD {
                3
            } else {
                (n - k).min(3)
            };
            let dev_at = tagged + minutes(TO_DEV[pick % TO_DEV.len()]);
            let dev_done = out.deploy(&step, "dev", dev_at, running[0], true);
            running[0] = Some(release);
            if reach < 2 {
                continue;
            }
            let staging_at = dev_done + minutes(TO_STAGING[pick % TO_STAGING.len()]);
            let staging_done = out.deploy(&step, "staging", staging_at, running[1], true);
            running[1] = Some(release);
            if reach < 3 {
                continue;
            }
            let ready = out.prod_gates(&step, staging_done);
            let prod_at = ready + minutes(AFTER_GATES[pick % AFTER_GATES.len()]);
            let healthy = release.tag != FAILED_IN_PROD;
            let prod_done = out.deploy(&step, "prod", prod_at, running[2], healthy);
            if healthy {
                running[2] = Some(release);
            } else if let Some(back) = running[2] {
                // Noticed on the board, rolled back from the console eleven minutes later.
                out.rollback(&step, back, prod_done + minutes(11));
            }
        }
    }
    let mut bodies = out.bodies;
    // Nothing from the future, nor in the last hour (the seeded approval is 40 minutes old).
    let cutoff = now - SignedDuration::from_hours(1);
    bodies.retain(|b| b.at < cutoff);
    bodies.sort_by_key(|b| b.at);
    Ok(bodies)
}

fn minutes(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

struct Step<'a> {
    release: &'a DemoRelease,
    promoter: Person,
    /// The release's position in the history, for picking waits and colleagues.
    pick: usize,
}

struct Past<'a> {
    bodies: Vec<EventBody>,
    environments: &'a [(&'a str, SocketAddr)],
}

impl Past<'_> {
    fn push(
        &mut self,
        id: String,
        at: Timestamp,
        actor: &str,
        fact: &Fact,
        r: &DemoRelease,
        env: &str,
    ) {
        self.bodies.push(EventBody::new(
            id,
            at,
            actor,
            fact,
            Some(r.service),
            Some(r.tag),
            Some(env),
        ));
    }

    fn call(&self, service: &str, env: &str) -> String {
        self.environments
            .iter()
            .find(|(name, _)| *name == env)
            .map(|(_, addr)| format!("POST http://{addr}/{service}/deploy"))
            .unwrap_or_default()
    }

    /// A deployment requested at `at` that succeeds after the roll-out, or fails its health
    /// check at the verify timeout; returns when it ended.
    fn deploy(
        &mut self,
        step: &Step,
        env: &str,
        at: Timestamp,
        previous: Option<&DemoRelease>,
        healthy: bool,
    ) -> Timestamp {
        let r = step.release;
        let id = past_id(r.tag, env, "deploy");
        let actor = step.promoter.email;
        let requested = Fact::DeployRequested {
            commit: r.commit.clone(),
            previous_release: previous.map(|p| p.tag.to_string()),
            rollback: false,
            call: self.call(r.service, env),
            verify_timeout_secs: VERIFY_SECS.unsigned_abs(),
        };
        self.push(id.clone(), at, actor, &requested, r, env);
        let accepted = Fact::DeployAccepted {
            deployment: id.clone(),
            detail: "202 Accepted".into(),
        };
        let accepted_at = at + SignedDuration::from_secs(1);
        self.push(
            past_id(r.tag, env, "accepted"),
            accepted_at,
            actor,
            &accepted,
            r,
            env,
        );
        let (ended, outcome) = if healthy {
            let done = at + SignedDuration::from_secs(4);
            (
                done,
                Fact::DeploySucceeded {
                    deployment: id.clone(),
                },
            )
        } else {
            let done = at + SignedDuration::from_secs(VERIFY_SECS);
            let reason = format!(
                "not verified within {VERIFY_SECS}s: {env} reports {} (fail: /checkout/v1 answers 404)",
                r.tag
            );
            (
                done,
                Fact::DeployFailed {
                    deployment: id.clone(),
                    reason,
                },
            )
        };
        self.push(outcome_id(&id), ended, actor, &outcome, r, env);
        if env == "prod" && healthy {
            for item in ["execute", "verify"] {
                let tick = tick(item, None);
                self.push(
                    past_id(r.tag, env, item),
                    ended + SignedDuration::from_secs(2),
                    actor,
                    &tick,
                    r,
                    env,
                );
            }
        }
        ended
    }

    /// Two colleagues' approvals and the production checklist, from the staging success on;
    /// returns when the last gate was met (the 20 s soak is long over by then).
    fn prod_gates(&mut self, step: &Step, from: Timestamp) -> Timestamp {
        let r = step.release;
        let others: Vec<Person> = TEAM
            .iter()
            .copied()
            .filter(|p| p.email != step.promoter.email)
            .collect();
        let first = others[step.pick % others.len()];
        let second = others[(step.pick + 1) % others.len()];
        let a1 = from + minutes(FIRST_APPROVAL[step.pick % FIRST_APPROVAL.len()]);
        let a2 = a1 + minutes(SECOND_APPROVAL[step.pick % SECOND_APPROVAL.len()]);
        for (who, at) in [(first, a1), (second, a2)] {
            let approved = Fact::Approved {
                commit: r.commit.clone(),
                note: None,
            };
            self.push(
                past_id(r.tag, "prod", who.email),
                at,
                who.email,
                &approved,
                r,
                "prod",
            );
        }
        // The promoter works through the checklist, one item every twenty minutes or so.
        let mut at = from + minutes(25);
        let package = tick("package", Some("the release is a tag"));
        self.push(
            past_id(r.tag, "prod", "package"),
            at,
            step.promoter.email,
            &package,
            r,
            "prod",
        );
        for (i, item) in BEFORE.iter().enumerate() {
            at += minutes(15 + 5 * i64::try_from((step.pick + i) % 4).unwrap_or(0));
            let who = if *item == "controls" {
                second
            } else {
                step.promoter
            };
            self.push(
                past_id(r.tag, "prod", item),
                at,
                who.email,
                &tick(item, None),
                r,
                "prod",
            );
        }
        a2.max(at)
    }

    /// The rollback of a failed prod deployment to the release that ran before it.
    fn rollback(&mut self, step: &Step, back: &DemoRelease, at: Timestamp) {
        let failed = step.release;
        let id = past_id(failed.tag, "prod", "rollback");
        let actor = step.promoter.email;
        let requested = Fact::DeployRequested {
            commit: back.commit.clone(),
            previous_release: Some(failed.tag.to_string()),
            rollback: true,
            call: self.call(back.service, "prod"),
            verify_timeout_secs: VERIFY_SECS.unsigned_abs(),
        };
        self.push(id.clone(), at, actor, &requested, back, "prod");
        let accepted = Fact::DeployAccepted {
            deployment: id.clone(),
            detail: "202 Accepted".into(),
        };
        let one = SignedDuration::from_secs(1);
        self.push(
            past_id(failed.tag, "prod", "rollback-accepted"),
            at + one,
            actor,
            &accepted,
            back,
            "prod",
        );
        let done = Fact::DeploySucceeded {
            deployment: id.clone(),
        };
        self.push(
            outcome_id(&id),
            at + SignedDuration::from_secs(4),
            actor,
            &done,
            back,
            "prod",
        );
        let note = format!("rolled back to {} after the failed health check", back.tag);
        let executed = tick("backout-executed", Some(&note));
        self.push(
            past_id(failed.tag, "prod", "backout-executed"),
            at + SignedDuration::from_secs(60),
            actor,
            &executed,
            failed,
            "prod",
        );
    }
}

fn tick(item: &str, note: Option<&str>) -> Fact {
    Fact::ItemTicked {
        checklist: "production-release".into(),
        item: item.into(),
        note: note.map(str::to_string),
        by_event: None,
    }
}

fn past_id(tag: &str, env: &str, what: &str) -> String {
    let digest = Sha256::digest(format!("shipdeck-demo-past\n{tag}\n{env}\n{what}"));
    hex::encode(&digest[..16])
}
