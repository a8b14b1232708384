//! Fetch, take in, replay, push: keeping this clone's copy of the log and the remote's in step
//! without ever losing an event on either side.

use std::collections::HashSet;
use std::time::Duration;

use git2::{Oid, Repository};
use rand::Rng as _;

use super::commits::{self, Foreign, Link};
use super::remote::{self, Pushed, Unreachable};
use super::report::{Rewrite, SyncReport};
use super::status::Status;
use super::{GitLog, GitLogError, Mode, delete_ref, set_ref, tip};

/// How many times a push is tried while others keep appending first.
const PUSH_TRIES: usize = 12;
/// Where the remote's default branch is fetched to (allowed_signers is read from there).
pub const REMOTE_DEFAULT_REF: &str = "refs/shipdeck/remote-default";

impl GitLog {
    /// Brings this clone and the remote in step as far as `mode` allows. Never fails: what went
    /// wrong is in the report, and the local copy is always usable.
    pub fn sync(&self, mode: Mode) -> SyncReport {
        let mut report = SyncReport {
            place: self.place(),
            ..SyncReport::default()
        };
        let outcome = self.sync_into(mode, &mut report);
        self.finish(report, outcome)
    }

    /// How many local events the remote does not have, as of the last fetch (no network).
    pub(super) fn unpushed_report(&self) -> Result<SyncReport, GitLogError> {
        Ok(SyncReport {
            place: self.place(),
            unpushed: self.unpushed()?,
            ..SyncReport::default()
        })
    }

    fn unpushed(&self) -> Result<usize, GitLogError> {
        let repo = self.repo()?;
        let local = tip(&repo, &self.settings.ref_name)?;
        let seen = tip(&repo, &self.seen_ref)?;
        Ok(match (local, seen) {
            (None, _) => 0,
            (Some(l), None) => commits::read(&repo, Some(l), None)?.0.len(),
            (Some(l), Some(s)) => repo.graph_ahead_behind(l, s)?.0,
        })
    }

    /// After an append: push straight away, and fetch only when someone appended first (one
    /// git call instead of two when nobody did).
    pub(super) fn push_now(&self) -> SyncReport {
        let mut report = SyncReport {
            place: self.place(),
            ..SyncReport::default()
        };
        let outcome = self.push_loop(Mode::Full, &mut report);
        self.finish(report, outcome)
    }

    /// Completes a report: a local failure counts as not reaching the remote; how stale and how
    /// far ahead this clone is are read last, whatever happened.
    fn finish(&self, mut report: SyncReport, outcome: Result<(), GitLogError>) -> SyncReport {
        if let Err(e) = outcome {
            report.unreachable.get_or_insert_with(|| e.to_string());
        }
        if report.unreachable.is_some() {
            report.stale_since = Status::read(&self.status_path).last_fetch;
        }
        if let Ok(unpushed) = self.unpushed() {
            report.unpushed = unpushed;
        }
        report
    }

    fn sync_into(&self, mode: Mode, report: &mut SyncReport) -> Result<(), GitLogError> {
        if !self.fetch(report)? {
            return Ok(());
        }
        if !self.take_in(mode, report)? || mode == Mode::Look {
            return Ok(());
        }
        self.push_loop(mode, report)
    }

    fn push_loop(&self, mode: Mode, report: &mut SyncReport) -> Result<(), GitLogError> {
        for attempt in 1..=PUSH_TRIES {
            let repo = self.repo()?;
            let local = tip(&repo, &self.settings.ref_name)?;
            let seen = tip(&repo, &self.seen_ref)?;
            if local.is_none() || local == seen {
                return Ok(());
            }
            if let Some(local) = local {
                self.pack_unpushed(&repo, local, seen)?;
            }
            let timeout = self.settings.fetch_timeout;
            match remote::push(
                &self.workdir,
                &self.settings.remote,
                &self.settings.ref_name,
                timeout,
            ) {
                Ok(Pushed::Done) => {
                    if let Some(local) = local {
                        set_ref(&repo, &self.seen_ref, seen, local, "shipdeck: pushed")?;
                    }
                    let mut status = Status::read(&self.status_path);
                    status.last_push = Some(jiff::Timestamp::now());
                    status.write(&self.status_path);
                    report.pushed = true;
                    return Ok(());
                }
                Ok(Pushed::Behind) => {
                    // Someone appended first: a short random pause spreads the racers out.
                    let pause = rand::rng().random_range(0..(20 * attempt as u64));
                    std::thread::sleep(Duration::from_millis(pause));
                    if !self.fetch(report)? || !self.take_in(mode, report)? {
                        return Ok(());
                    }
                }
                Ok(Pushed::Refused(why)) => {
                    report.refused = Some(why);
                    return Ok(());
                }
                Err(Unreachable(why)) => {
                    report.unreachable = Some(why);
                    return Ok(());
                }
            }
        }
        report.gave_up = Some(PUSH_TRIES);
        Ok(())
    }

    /// Puts the objects of the events `local` has beyond `seen` into one pack in this clone (the
    /// loose copies stay; git prefers the packed one), so that `git push` sends them from the pack
    /// instead of opening, inflating and re-deflating every loose object. Moves no ref: a failed
    /// push still records nothing.
    fn pack_unpushed(
        &self,
        repo: &Repository,
        local: Oid,
        seen: Option<Oid>,
    ) -> Result<(), GitLogError> {
        let mut walk = self.unpacked_walk(repo, local, seen)?;
        let mut count = 0;
        for oid in walk.by_ref() {
            oid?;
            count += 1;
            if count >= PACK_FROM {
                break;
            }
        }
        if count < PACK_FROM {
            return Ok(());
        }
        let mut walk = self.unpacked_walk(repo, local, seen)?;
        let mut builder = repo.packbuilder()?;
        builder.set_threads(0);
        builder.insert_walk(&mut walk)?;
        let mut buf = git2::Buf::new();
        builder.write_buf(&mut buf)?;
        drop(builder);
        let odb = repo.odb()?;
        let mut writer = odb.packwriter()?;
        std::io::Write::write_all(&mut writer, &buf).map_err(|e| {
            GitLogError::Git(git2::Error::from_str(&format!(
                "could not write a pack: {e}"
            )))
        })?;
        writer.commit()?;
        // Only what comes after it is packed next time (each push of an offline clone would
        // otherwise pack everything unpushed again).
        let _ = std::fs::write(&self.packed_path, local.to_string());
        Ok(())
    }

    /// The unpushed commits not packed by an earlier push.
    fn unpacked_walk<'r>(
        &self,
        repo: &'r Repository,
        local: Oid,
        seen: Option<Oid>,
    ) -> Result<git2::Revwalk<'r>, GitLogError> {
        let mut walk = repo.revwalk()?;
        walk.push(local)?;
        if let Some(s) = seen {
            walk.hide(s)?;
        }
        let packed = std::fs::read_to_string(&self.packed_path)
            .ok()
            .and_then(|t| Oid::from_str(t.trim()).ok());
        if let Some(p) = packed
            && repo.find_commit(p).is_ok()
        {
            // Still the walk's own if it is not an ancestor: hide marks only its own history.
            walk.hide(p)?;
        }
        Ok(walk)
    }

    /// Fetches the log's ref and the remote's default branch into this clone's private refs.
    /// `false` when the remote could not be reached (said in the report).
    fn fetch(&self, report: &mut SyncReport) -> Result<bool, GitLogError> {
        let log_spec = format!("+{}:{}", self.settings.ref_name, self.incoming_ref);
        let head_spec = format!("+HEAD:{REMOTE_DEFAULT_REF}");
        let mut specs = vec![log_spec.clone(), head_spec];
        let mut log_missing = false;
        loop {
            let pack = crate::git::harden::pack_option(
                crate::git::harden::Pack::Upload,
                &self.workdir,
                &self.settings.remote,
            );
            let mut args = vec!["fetch"];
            args.extend(pack.as_deref());
            args.extend([
                "--no-tags",
                "--no-write-fetch-head",
                "--quiet",
                self.settings.remote.as_str(),
            ]);
            args.extend(specs.iter().map(String::as_str));
            let out = match remote::git(&self.workdir, &args, self.settings.fetch_timeout) {
                Ok(out) => out,
                Err(Unreachable(why)) => {
                    report.unreachable = Some(why);
                    return Ok(false);
                }
            };
            if out.success {
                break;
            }
            let missing = remote::missing_refs(&out.text);
            if missing.is_empty() {
                report.unreachable = Some(first_line(&out.text));
                return Ok(false);
            }
            if missing.contains(&self.settings.ref_name) {
                log_missing = true;
            }
            let before = specs.len();
            specs.retain(|spec| {
                !missing.iter().any(|m| {
                    spec.strip_prefix('+')
                        .is_some_and(|s| s.starts_with(&format!("{m}:")))
                })
            });
            if specs.len() == before {
                report.unreachable = Some(first_line(&out.text));
                return Ok(false);
            }
            if specs.is_empty() {
                break;
            }
        }
        if log_missing {
            // The remote has no log yet: nothing incoming.
            delete_ref(&self.repo()?, &self.incoming_ref)?;
        }
        report.fetched = true;
        let mut status = Status::read(&self.status_path);
        status.last_fetch = Some(jiff::Timestamp::now());
        status.write(&self.status_path);
        Ok(true)
    }

    /// Takes what was fetched in: checks for a rewrite, moves `seen`, and (unless looking only)
    /// puts the local copy on top. `false` when a rewrite stops it.
    fn take_in(&self, mode: Mode, report: &mut SyncReport) -> Result<bool, GitLogError> {
        let repo = self.repo()?;
        let incoming = tip(&repo, &self.incoming_ref)?;
        let seen = tip(&repo, &self.seen_ref)?;
        if let Some(s) = seen
            && !contains(&repo, incoming, s)?
        {
            // What the remote holds now, by id: an event this clone saw must still be there,
            // and say what it said (same body, same signature), not only carry its id.
            let (now, _) = commits::read(&repo, incoming, None)?;
            let have: std::collections::HashMap<&str, &commits::Stored> = now
                .iter()
                .map(|l| (l.stored.body.id.as_str(), &l.stored))
                .collect();
            let (old, _) = commits::read(&repo, Some(s), None)?;
            let mut missing = Vec::new();
            let mut changed = Vec::new();
            for link in &old {
                match have.get(link.stored.body.id.as_str()) {
                    None => missing.push(link.stored.body.id.clone()),
                    Some(stored) if **stored != link.stored => {
                        changed.push(link.stored.body.id.clone());
                    }
                    Some(_) => {}
                }
            }
            // Changed bodies are never taken in, not even by --restore: putting lost events
            // back on top cannot undo an edit of one that is still there.
            if !changed.is_empty() || (!missing.is_empty() && mode != Mode::Restore) {
                report.rewritten = Some(Rewrite { missing, changed });
                return Ok(false);
            }
        }
        match (seen, incoming) {
            (_, Some(i)) => set_ref(&repo, &self.seen_ref, seen, i, "shipdeck: fetched")?,
            (Some(_), None) => delete_ref(&repo, &self.seen_ref)?,
            (None, None) => {}
        }
        if mode == Mode::Look {
            return Ok(true);
        }
        let _locked = self.locked()?;
        let local = tip(&repo, &self.settings.ref_name)?;
        let (new_local, pulled, replayed) = integrate(&repo, local, incoming)?;
        report.pulled += pulled;
        report.replayed += replayed;
        if let Some(new_local) = new_local {
            set_ref(
                &repo,
                &self.settings.ref_name,
                local,
                new_local,
                "shipdeck: sync",
            )?;
        }
        Ok(true)
    }
}

/// From how many unpushed events on the push packs them first (git's own `transfer.unpackLimit`
/// is 100 objects; an event is three).
const PACK_FROM: usize = 34;

/// Whether `ancestor` is `tip` or one of its ancestors.
fn contains(repo: &Repository, tip: Option<Oid>, ancestor: Oid) -> Result<bool, git2::Error> {
    match tip {
        None => Ok(false),
        Some(t) if t == ancestor => Ok(true),
        Some(t) => repo.graph_descendant_of(t, ancestor),
    }
}

/// Where the local copy should point after taking `incoming` in, with how many events came in
/// and how many local ones were replayed on top. `None`: leave it.
fn integrate(
    repo: &Repository,
    local: Option<Oid>,
    incoming: Option<Oid>,
) -> Result<(Option<Oid>, usize, usize), GitLogError> {
    let Some(incoming) = incoming else {
        return Ok((None, 0, 0));
    };
    let Some(local) = local else {
        let pulled = commits::read(repo, Some(incoming), None)?.0.len();
        return Ok((Some(incoming), pulled, 0));
    };
    if contains(repo, Some(local), incoming)? {
        return Ok((None, 0, 0));
    }
    if contains(repo, Some(incoming), local)? {
        let pulled = repo.graph_ahead_behind(incoming, local)?.0;
        return Ok((Some(incoming), pulled, 0));
    }
    let base = repo.merge_base(local, incoming).ok();
    let (theirs, _) = commits::read(repo, Some(incoming), base)?;
    let (ours, _) = commits::read(repo, Some(local), base)?;
    let their_ids: HashSet<&str> = theirs.iter().map(|l| l.stored.body.id.as_str()).collect();
    let mut top = incoming;
    let mut replayed = 0;
    for link in ours
        .iter()
        .filter(|l| !their_ids.contains(l.stored.body.id.as_str()))
    {
        top = commits::write(repo, Some(top), &link.stored)?;
        replayed += 1;
    }
    Ok((Some(top), theirs.len(), replayed))
}

/// The events in the order a sync would publish them: the local chain, or — when what was
/// last fetched is not taken in yet — the shared part, theirs, then ours that they lack.
pub(super) fn merged(
    repo: &Repository,
    local: Option<Oid>,
    seen: Option<Oid>,
) -> Result<(Vec<Link>, Vec<Foreign>), GitLogError> {
    let (Some(l), Some(s)) = (local, seen) else {
        return Ok(commits::read(repo, local.or(seen), None)?);
    };
    if contains(repo, Some(l), s)? {
        return Ok(commits::read(repo, Some(l), None)?);
    }
    if contains(repo, Some(s), l)? {
        return Ok(commits::read(repo, Some(s), None)?);
    }
    let base = repo.merge_base(l, s).ok();
    let (mut links, mut foreign) = commits::read(repo, base, None)?;
    let (theirs, f1) = commits::read(repo, Some(s), base)?;
    let (ours, f2) = commits::read(repo, Some(l), base)?;
    let their_ids: HashSet<String> = theirs.iter().map(|l| l.stored.body.id.clone()).collect();
    links.extend(theirs);
    links.extend(
        ours.into_iter()
            .filter(|l| !their_ids.contains(&l.stored.body.id)),
    );
    foreign.extend(f1);
    foreign.extend(f2);
    Ok((links, foreign))
}

fn first_line(text: &str) -> String {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("git failed")
        .trim_start_matches("fatal: ")
        .to_string()
}
