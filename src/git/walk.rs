//! `git log FROM..TO [-- PATHS]` as git itself walks it: a port of git's `limit_list`
//! (revision.c), so the commits and their order are git's, ties between equal commit dates
//! included. With paths, git's default history simplification (`try_to_simplify_commit`): a
//! commit whose tree is the same as a relevant parent's within the paths follows that parent
//! alone and is not shown; merges are shown exactly when git shows them. Each commit object is
//! read once and kept for the changelog.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use git2::{ObjectType, Odb, OdbObject, Oid, Repository};

use super::GitError;
use super::paths::{Pathspec, TreeCompare};
use super::raw_commit::walk_fields;

/// How many more uninteresting commits git looks at once only uninteresting ones are left.
const SLOP: u32 = 5;

/// One commit the walk has met; read when the walk needs its parents.
struct Node<'o> {
    oid: Oid,
    object: Option<OdbObject<'o>>,
    parents: Vec<usize>,
    tree: Oid,
    time: i64,
    seen: bool,
    added: bool,
    uninteresting: bool,
    /// The `FROM` of `FROM..TO` (git's `BOTTOM`): relevant to simplification though excluded.
    bottom: bool,
    /// No change within the paths against the parent it follows (git's `TREESAME`).
    treesame: bool,
}

/// The walk's state: every commit met, by index, and git's date-ordered work list.
struct Walk<'o, 'r> {
    odb: &'o Odb<'r>,
    /// A shallow clone's boundary commits, whose parents git treats as absent.
    shallow: HashSet<Oid>,
    nodes: Vec<Node<'o>>,
    index: HashMap<Oid, usize>,
    /// git's list "inserted by date": newest first, first-inserted first among equal dates.
    queue: BinaryHeap<(i64, Reverse<u64>, usize)>,
    inserted: u64,
    /// An interesting commit last found in the queue (git's `interesting_cache`), which spares
    /// rescanning the whole queue after every uninteresting commit.
    interesting: Option<usize>,
    /// The paths' tree comparison; `None` when the walk is not limited to paths.
    paths: Option<TreeCompare<'o, 'r>>,
}

/// The commits reachable from `to` but not from `from` (every commit reachable from `to` when
/// `from` is `None`), in `git log from..to -- paths` order, with their raw objects. An empty
/// pathspec limits nothing.
pub(super) fn range<'o>(
    repo: &Repository,
    odb: &'o Odb<'_>,
    from: Option<Oid>,
    to: Oid,
    paths: &'o Pathspec,
) -> Result<Vec<(Oid, OdbObject<'o>)>, GitError> {
    let mut walk = Walk {
        odb,
        shallow: shallow_commits(repo),
        nodes: Vec::new(),
        index: HashMap::new(),
        queue: BinaryHeap::new(),
        inserted: 0,
        interesting: None,
        paths: (!paths.is_everything()).then(|| TreeCompare::new(odb, paths)),
    };
    let bottom = from.map(|from| walk.node(from));
    let top = walk.node(to);
    for (i, oid) in bottom.zip(from).into_iter().chain([(top, to)]) {
        walk.parse(i).map_err(|_| GitError::NotFound {
            spec: oid.to_string(),
        })?;
    }
    if let Some(bottom) = bottom {
        walk.nodes[bottom].uninteresting = true;
        walk.nodes[bottom].bottom = true;
        walk.mark_parents_uninteresting(bottom);
    }
    // The starting points, sorted by date (stably: `from` is given first, as in `A..B`).
    let mut starts: Vec<usize> = bottom.into_iter().collect();
    if Some(top) != bottom {
        starts.push(top);
    }
    starts.sort_by_key(|&i| Reverse(walk.nodes[i].time));
    for i in starts {
        walk.nodes[i].seen = true;
        walk.insert_by_date(i);
    }
    let shown = walk.limit()?;
    let mut commits = Vec::with_capacity(shown.len());
    for i in shown {
        // Commits reached from `to` first may turn out reachable from `from` later.
        let node = &mut walk.nodes[i];
        if !node.uninteresting
            && !node.treesame
            && let Some(object) = node.object.take()
        {
            commits.push((node.oid, object));
        }
    }
    Ok(commits)
}

impl Walk<'_, '_> {
    fn node(&mut self, oid: Oid) -> usize {
        if let Some(&i) = self.index.get(&oid) {
            return i;
        }
        self.nodes.push(Node {
            oid,
            object: None,
            parents: Vec::new(),
            tree: Oid::zero(),
            time: 0,
            seen: false,
            added: false,
            uninteresting: false,
            bottom: false,
            treesame: false,
        });
        self.index.insert(oid, self.nodes.len() - 1);
        self.nodes.len() - 1
    }

    fn parse(&mut self, i: usize) -> Result<(), GitError> {
        if self.nodes[i].object.is_some() {
            return Ok(());
        }
        let oid = self.nodes[i].oid;
        let object = self
            .odb
            .read(oid)
            .map_err(|e| GitError::read(format!("reading commit {oid}"), &e))?;
        let fields = (object.kind() == ObjectType::Commit)
            .then(|| walk_fields(object.data()))
            .flatten()
            .ok_or_else(|| GitError::Read {
                action: format!("reading commit {oid}"),
                reason: "it is not a well-formed commit".to_string(),
            })?;
        let parents: Vec<usize> = if self.shallow.contains(&oid) {
            Vec::new()
        } else {
            fields.parents.into_iter().map(|p| self.node(p)).collect()
        };
        let node = &mut self.nodes[i];
        node.time = fields.time;
        node.tree = fields.tree;
        node.parents = parents;
        node.object = Some(object);
        Ok(())
    }

    fn insert_by_date(&mut self, i: usize) {
        self.inserted += 1;
        self.queue
            .push((self.nodes[i].time, Reverse(self.inserted), i));
    }

    /// git's `limit_list`: the interesting commits in the order they leave the work list.
    fn limit(&mut self) -> Result<Vec<usize>, GitError> {
        let mut shown = Vec::new();
        let mut slop = SLOP;
        let mut date = i64::MAX;
        while let Some((_, _, i)) = self.queue.pop() {
            if self.interesting == Some(i) {
                self.interesting = None;
            }
            self.process_parents(i)?;
            if self.nodes[i].uninteresting {
                self.mark_parents_uninteresting(i);
                slop = self.still_interesting(date, slop);
                if slop > 0 {
                    continue;
                }
                break;
            }
            date = self.nodes[i].time;
            shown.push(i);
        }
        Ok(shown)
    }

    /// git's `process_parents`: queues the parents not seen yet, passing on uninterest.
    fn process_parents(&mut self, i: usize) -> Result<(), GitError> {
        if self.nodes[i].added {
            return Ok(());
        }
        self.nodes[i].added = true;
        if self.nodes[i].uninteresting {
            for k in 0..self.nodes[i].parents.len() {
                let p = self.nodes[i].parents[k];
                self.nodes[p].uninteresting = true;
                // As git: a missing commit on the excluded side only ends that side's walk.
                if self.parse(p).is_err() {
                    continue;
                }
                if !self.nodes[p].parents.is_empty() {
                    self.mark_parents_uninteresting(p);
                }
                if !self.nodes[p].seen {
                    self.nodes[p].seen = true;
                    self.insert_by_date(p);
                }
            }
            return Ok(());
        }
        self.simplify(i)?;
        // The parents left after simplification (git rewrites `commit->parents`).
        for k in 0..self.nodes[i].parents.len() {
            let p = self.nodes[i].parents[k];
            self.parse(p)?;
            if !self.nodes[p].seen {
                self.nodes[p].seen = true;
                self.insert_by_date(p);
            }
        }
        Ok(())
    }

    /// git's `relevant_commit`: interesting, or the bottom of the range.
    fn relevant(&self, i: usize) -> bool {
        !self.nodes[i].uninteresting || self.nodes[i].bottom
    }

    /// git's `try_to_simplify_commit` with default simplification (`simplify_history`, dense):
    /// the first relevant parent with the same tree within the paths becomes the only parent
    /// and the commit is TREESAME; otherwise TREESAME means no change against any relevant
    /// parent (against any parent when none is relevant).
    fn simplify(&mut self, i: usize) -> Result<(), GitError> {
        let Some(mut compare) = self.paths.take() else {
            return Ok(());
        };
        let outcome = self.simplify_with(i, &mut compare);
        self.paths = Some(compare);
        outcome
    }

    fn simplify_with(
        &mut self,
        i: usize,
        compare: &mut TreeCompare<'_, '_>,
    ) -> Result<(), GitError> {
        let tree = self.nodes[i].tree;
        let parents = self.nodes[i].parents.clone();
        if parents.is_empty() {
            self.nodes[i].treesame = compare.empty(tree)?;
            return Ok(());
        }
        let (mut relevant_parents, mut relevant_change, mut irrelevant_change) = (0, false, false);
        for p in parents {
            let relevant = self.relevant(p);
            if relevant {
                relevant_parents += 1;
            }
            self.parse(p)?;
            if compare.same(self.nodes[p].tree, tree)? {
                if !relevant {
                    continue;
                }
                self.nodes[i].parents = vec![p];
                self.nodes[i].treesame = true;
                return Ok(());
            }
            if relevant {
                relevant_change = true;
            } else {
                irrelevant_change = true;
            }
        }
        self.nodes[i].treesame = if relevant_parents > 0 {
            !relevant_change
        } else {
            !irrelevant_change
        };
        Ok(())
    }

    /// git's `mark_parents_uninteresting`: through the commits already read (the others are
    /// marked when they are reached).
    fn mark_parents_uninteresting(&mut self, i: usize) {
        let mut pending: Vec<usize> = self.nodes[i].parents.clone();
        while let Some(p) = pending.pop() {
            if self.nodes[p].uninteresting {
                continue;
            }
            self.nodes[p].uninteresting = true;
            pending.extend_from_slice(&self.nodes[p].parents);
        }
    }

    /// git's `still_interesting`: whether the walk must go on, and with how much slop left.
    fn still_interesting(&mut self, date: i64, slop: u32) -> u32 {
        let Some(&(newest, _, _)) = self.queue.peek() else {
            return 0;
        };
        if date <= newest {
            return SLOP;
        }
        if let Some(i) = self.interesting
            && !self.nodes[i].uninteresting
        {
            return SLOP;
        }
        self.interesting = self
            .queue
            .iter()
            .map(|&(_, _, i)| i)
            .find(|&i| !self.nodes[i].uninteresting);
        if self.interesting.is_some() {
            return SLOP;
        }
        slop - 1
    }
}

/// The boundary commits of a shallow clone (`shallow` in the common git dir), none for a full one.
fn shallow_commits(repo: &Repository) -> HashSet<Oid> {
    if !repo.is_shallow() {
        return HashSet::new();
    }
    std::fs::read_to_string(repo.commondir().join("shallow"))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| Oid::from_str(line.trim()).ok())
        .collect()
}
