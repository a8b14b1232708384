//! A generated monorepo for the path tests and the bench: services in folders, shared libraries,
//! topic branches merged back (some merges keep one side only, some merge main into a topic),
//! equal and skewed commit dates; made with one `git fast-import` stream.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The services' paths as the generated config lists them.
pub const SERVICES: [(&str, &[&str]); 3] = [
    ("api", &["services/api/**", "libs/common/**"]),
    ("web", &["services/web", "libs/ui/*.rs", "libs/common/**"]),
    ("worker", &["services/worker/**", "libs/common/lib[0-2].rs"]),
];

const FILES: [&str; 16] = [
    "services/api/src/main.rs",
    "services/api/src/routes.rs",
    "services/api/Cargo.toml",
    "services/web/src/app.ts",
    "services/web/src/checkout.ts",
    "services/web/package.json",
    "services/worker/src/jobs.rs",
    "services/worker/src/queue.rs",
    "libs/common/lib0.rs",
    "libs/common/lib1.rs",
    "libs/common/lib4.rs",
    "libs/ui/button.rs",
    "libs/ui/README.md",
    "docs/README.md",
    "Cargo.toml",
    "services/apigw/main.rs",
];

/// A deterministic generator (an LCG: the same repository every run).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from((self.0 >> 33) % (n as u64)).unwrap_or(0)
    }
}

/// One branch's files while the stream is written.
#[derive(Clone)]
struct Branch {
    name: String,
    head: usize,
    files: BTreeMap<String, String>,
}

/// The fast-import stream of a monorepo with about `commits` commits; returns it with the
/// marks of the commits on main (in order), for picking ranges.
pub fn monorepo_stream(commits: usize, seed: u64) -> (Vec<u8>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let mut out = String::new();
    let mut mark = 0usize;
    let mut time: i64 = 1_700_000_000;
    let mut main = Branch {
        name: "main".into(),
        head: 0,
        files: BTreeMap::new(),
    };
    let mut topics: Vec<(Branch, BTreeMap<String, String>)> = Vec::new();
    let mut main_marks = Vec::new();
    let write = |out: &mut String,
                 branch: &str,
                 mark: usize,
                 time: i64,
                 msg: &str,
                 parents: &[usize],
                 changes: &BTreeMap<String, Option<String>>| {
        let _ = writeln!(out, "commit refs/heads/{branch}\nmark :{mark}");
        let _ = writeln!(out, "author Dev <dev@example.com> {time} +0000");
        let _ = writeln!(out, "committer Dev <dev@example.com> {time} +0000");
        let _ = writeln!(out, "data {}\n{msg}", msg.len());
        for (i, p) in parents.iter().enumerate() {
            let verb = if i == 0 { "from" } else { "merge" };
            let _ = writeln!(out, "{verb} :{p}");
        }
        for (path, content) in changes {
            match content {
                Some(c) => {
                    let _ = writeln!(out, "M 644 inline {path}\ndata {}\n{c}", c.len());
                }
                None => {
                    let _ = writeln!(out, "D {path}");
                }
            }
        }
        out.push('\n');
    };
    let step_time = |rng: &mut Rng, time: &mut i64| {
        // Mostly forward; sometimes the same second; sometimes a skewed clock going back.
        match rng.below(10) {
            0 => {}
            1 => *time -= 120,
            _ => *time += i64::try_from(rng.below(600)).unwrap_or(0) + 1,
        }
    };
    let change = |rng: &mut Rng, files: &mut BTreeMap<String, String>, mark: usize| {
        let mut changes = BTreeMap::new();
        for _ in 0..=rng.below(2) {
            let path = FILES[rng.below(FILES.len())].to_string();
            if rng.below(25) == 0 && files.contains_key(&path) {
                files.remove(&path);
                changes.insert(path, None);
            } else {
                let content = format!("{path} at {mark}\n");
                files.insert(path.clone(), content.clone());
                changes.insert(path, Some(content));
            }
        }
        changes
    };
    while mark < commits {
        mark += 1;
        step_time(&mut rng, &mut time);
        let roll = rng.below(100);
        if mark == 1 || topics.is_empty() && roll < 60 || roll < 45 {
            // A commit on main.
            let changes = change(&mut rng, &mut main.files, mark);
            let parents: Vec<usize> = if main.head == 0 {
                vec![]
            } else {
                vec![main.head]
            };
            write(
                &mut out,
                "main",
                mark,
                time,
                &format!("main change {mark}"),
                &parents,
                &changes,
            );
            main.head = mark;
            main_marks.push(mark);
        } else if roll < 55 || topics.is_empty() {
            // A new topic branch from main.
            let mut topic = main.clone();
            topic.name = format!("topic{mark}");
            let mut touched = BTreeMap::new();
            let changes = change(&mut rng, &mut topic.files, mark);
            for (p, c) in &changes {
                touched.insert(p.clone(), c.clone().unwrap_or_default());
            }
            write(
                &mut out,
                &topic.name,
                mark,
                time,
                &format!("topic change {mark}"),
                &[main.head],
                &changes,
            );
            topic.head = mark;
            topics.push((topic, touched));
        } else if roll < 85 {
            // A commit on a topic (sometimes merging main into it first).
            let k = rng.below(topics.len());
            let (topic, touched) = &mut topics[k];
            if rng.below(6) == 0 {
                let mut changes = BTreeMap::new();
                for (p, c) in &main.files {
                    if topic.files.get(p) != Some(c) && !touched.contains_key(p) {
                        topic.files.insert(p.clone(), c.clone());
                        changes.insert(p.clone(), Some(c.clone()));
                    }
                }
                let msg = format!("Merge main into {}", topic.name);
                write(
                    &mut out,
                    &topic.name,
                    mark,
                    time,
                    &msg,
                    &[topic.head, main.head],
                    &changes,
                );
            } else {
                let changes = change(&mut rng, &mut topic.files, mark);
                for (p, c) in &changes {
                    touched.insert(p.clone(), c.clone().unwrap_or_default());
                }
                write(
                    &mut out,
                    &topic.name,
                    mark,
                    time,
                    &format!("topic change {mark}"),
                    &[topic.head],
                    &changes,
                );
            }
            topic.head = mark;
        } else {
            // Merge a topic into main: usually its changes win; sometimes main's tree is kept
            // (an "ours" merge), sometimes the merge also changes a file itself.
            let k = rng.below(topics.len());
            let (topic, touched) = topics.swap_remove(k);
            let mut changes = BTreeMap::new();
            let kind = rng.below(10);
            if kind != 0 {
                for p in touched.keys() {
                    match topic.files.get(p) {
                        Some(c) => {
                            main.files.insert(p.clone(), c.clone());
                            changes.insert(p.clone(), Some(c.clone()));
                        }
                        None => {
                            if main.files.remove(p).is_some() {
                                changes.insert(p.clone(), None);
                            }
                        }
                    }
                }
            }
            if kind == 1 {
                changes.extend(change(&mut rng, &mut main.files, mark));
            }
            let msg = format!("Merge {} into main", topic.name);
            write(
                &mut out,
                "main",
                mark,
                time,
                &msg,
                &[main.head, topic.head],
                &changes,
            );
            main.head = mark;
            main_marks.push(mark);
        }
    }
    out.push_str("done\n");
    (out.into_bytes(), main_marks)
}

/// A shipdeck.toml for the generated monorepo in `repo` (relative to the config's directory).
pub fn monorepo_config(repo: &str) -> String {
    let mut config =
        "[project]\nname = \"mono\"\nstate_dir = \".shipdeck\"\n\n[[environments]]\nname = \"dev\"\n"
            .to_string();
    for (name, paths) in SERVICES {
        let list: Vec<String> = paths.iter().map(|p| format!("\"{p}\"")).collect();
        let _ = write!(
            config,
            "\n[[services]]\nname = \"{name}\"\nrepo = \"{repo}\"\ntags = \"{name}-v*\"\npaths = [{}]\n",
            list.join(", ")
        );
    }
    config
}
