//! shipdeck's benchmark suite: every budget of DESIGN.md measured against its peer in the same
//! run, printed as one table and, with `--out FILE`, written as `BENCHMARKS.md`.
//!
//! `scripts/bench` builds it and the release binary and runs `shipdeck-bench all --out
//! BENCHMARKS.md`. One group alone: `scripts/bench GROUP…` with GROUP one of `git`, `paths`,
//! `probe`, `probe-round`, `startup`, `render`, `console`, `event-log`, `shared-log`, `traffic`,
//! `flags`, `insights`. Working files (the generated repositories, configurations, logs) live under
//! `<target dir>/bench/`.

#[path = "../../tests/support/tui_support/mod.rs"]
mod tui_support;

mod console;
mod event_log;
mod flags;
mod git_rows;
mod insights_rows;
mod machine;
mod path_rows;
mod probe_round;
mod probe_rows;
mod project;
mod render;
mod repo;
mod report;
mod shared_log;
mod startup;
mod targets;
mod timing;
mod traffic_rows;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use report::Row;

const GROUPS: [&str; 12] = [
    "git",
    "paths",
    "probe",
    "probe-round",
    "startup",
    "render",
    "console",
    "event-log",
    "shared-log",
    "traffic",
    "flags",
    "insights",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("serve") {
        let delay = args
            .get(1)
            .and_then(|ms| ms.parse().ok())
            .map_or(Duration::ZERO, Duration::from_millis);
        if let Err(e) = targets::serve(delay) {
            eprintln!("the target server stopped: {e}");
            std::process::exit(1);
        }
        return;
    }
    let mut out = None;
    let mut groups = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--out" => out = Some(PathBuf::from(iter.next().expect("--out FILE"))),
            "all" => groups.extend(GROUPS.map(str::to_string)),
            g if GROUPS.contains(&g) => groups.push(g.to_string()),
            other => {
                eprintln!(
                    "unknown argument `{other}`; use all, {} and --out FILE",
                    GROUPS.join(", ")
                );
                std::process::exit(2);
            }
        }
    }
    if groups.is_empty() {
        groups.extend(GROUPS.map(str::to_string));
    }
    if cfg!(debug_assertions) {
        eprintln!("note: an unoptimized build; these figures say little about speed");
    }
    let (root, binary) = paths();
    let machine = machine::describe();
    let started = Instant::now();
    let date = jiff::Timestamp::now()
        .strftime("%Y-%m-%d %H:%M UTC")
        .to_string();
    let mut rows: Vec<Row> = Vec::new();
    for group in &groups {
        eprintln!("bench: {group}…");
        let group_started = Instant::now();
        let new = match group.as_str() {
            "git" => git_rows::rows(&root, &binary),
            "paths" => path_rows::rows(&root, &binary),
            "probe" => probe_rows::rows(&root, &binary, true),
            "probe-round" => probe_round::rows(&root),
            "startup" => startup::rows(&root, &binary),
            "render" => render::rows(),
            "console" => console::rows(&root, &binary),
            "shared-log" => shared_log::rows(&root),
            "traffic" => traffic_rows::rows(&root, &binary),
            "flags" => flags::rows(&root),
            "insights" => insights_rows::rows(&root),
            _ => event_log::rows(&root),
        };
        print!("{}", report::plain(&new));
        eprintln!(
            "bench: {group} took {:.0} s",
            group_started.elapsed().as_secs_f64()
        );
        rows.extend(new);
    }
    let took = started.elapsed();
    println!("\n{}", report::plain(&rows));
    if let Some(out) = out {
        let text = document(&date, &machine, &rows, took);
        std::fs::write(&out, text).unwrap_or_else(|e| panic!("writing {}: {e}", out.display()));
        eprintln!("wrote {}", out.display());
    }
}

/// The working directory under the target dir, and the release binary next to this bench.
fn paths() -> (PathBuf, PathBuf) {
    let exe = std::env::current_exe().expect("the suite's own path");
    // <target>/release/shipdeck-bench
    let profile_dir = exe
        .parent()
        .expect("the suite runs from a cargo target dir");
    let target = profile_dir.parent().unwrap_or(profile_dir);
    let binary = profile_dir.join("shipdeck");
    assert!(
        binary.exists(),
        "{} is missing: build it first (scripts/bench does)",
        binary.display()
    );
    let root = target.join("bench");
    std::fs::create_dir_all(&root).expect("bench dir");
    (root, binary)
}

fn document(date: &str, machine: &str, rows: &[Row], took: Duration) -> String {
    let missed: Vec<&str> = rows
        .iter()
        .filter(|r| r.meets() == Some(false))
        .map(|r| r.what.as_str())
        .collect();
    let verdict = if missed.is_empty() {
        "Every figure with a budget meets it.".to_string()
    } else {
        format!("Over budget: {}.", missed.join("; "))
    };
    format!(
        "# Benchmarks\n\n\
         Written by `scripts/bench` on {date} (the whole run took {:.0} s); never edited by hand: \
         run `scripts/bench` again to refresh it.\n\n\
         ## Machine\n\n{machine}\n\n\
         ## Figures\n\n\
         Each figure stands beside its peer, measured in the same run, and the ratio between \
         them (shipdeck ÷ peer, or ÷ the budget where the budget is the yardstick). Times are the \
         best of several runs, shipdeck and its peer alternating, so noise from other work on the \
         machine hits both; ratios hold between machines, absolute times do not. Budgets are \
         DESIGN.md's.\n\n{}\n{verdict}\n\n\
         ## Reproducing each row\n\n\
         `scripts/bench GROUP` runs one group (it builds first); each row names its group.\n\n{}",
        took.as_secs_f64(),
        report::markdown(rows),
        report::reproduce(rows)
    )
}
