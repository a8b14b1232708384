//! `shipdeck-fuzz TARGET SECONDS [SEED]`: long fuzzing runs of the three readers of outside
//! input, on stable Rust (cargo-fuzz needs a nightly toolchain, which this project does not
//! use). A mutational fuzzer without coverage instrumentation: it starts from real seeds (the
//! example configuration, real health bodies, a real event log), mutates bytes (flips, runs of
//! interesting bytes, inserts, deletes, duplicated and spliced ranges, dictionary tokens), and
//! keeps an input in its corpus when it produces an outcome not seen before (a new error kind
//! or shape), a cheap stand-in for coverage feedback.
//!
//! Targets: `config` (`config::load` of a file: never a panic; a rejection names a place inside
//! the file), `health` (`domain::health::interpret`: never a panic; what it returns carries no
//! terminal control), `eventlog` (`store::verify`, `store::read_checked`, `EventLog::open`:
//! never a panic; what counts stops exactly where `verify` says).
//!
//! A crash (a panic or a broken invariant) is written to `fuzz/crashes/TARGET-N.bin` and
//! counted; the run goes on. Build and run:
//! `nice -n 19 cargo run --release --features fuzz-harness --bin shipdeck-fuzz -- config 600`.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};

use shipdeck::domain::config::ProbeFormat;
use shipdeck::domain::health::interpret;
use shipdeck::domain::sanitize::sanitize;
use shipdeck::store::{EventLog, read_checked, verify};

const EXAMPLE: &str = include_str!("../config.example.toml");
const DEMO_LIKE: &str = "[project]\nname = \"shop\"\nstate_dir = \".shipdeck\"\n\n[[environments]]\nname = \"dev\"\n\n[[environments]]\nname = \"prod\"\nprotected = true\ngates = [{ kind = \"approval\", count = 2, signed = true }, { kind = \"soak\", duration = \"30m\" }]\n\n[[services]]\nname = \"api\"\nrepo = \".\"\ntags = \"api-v*\"\nhealth = { url = \"http://127.0.0.1:1/{{env}}\", format = \"auto\" }\n\n[[channels]]\nname = \"n\"\nkind = \"file\"\npath = \"notes/{{service}}-{{release}}.md\"\n";

const TOML_TOKENS: &[&str] = &[
    "[[environments]]\n",
    "[[services]]\n",
    "[project]\n",
    "[[channels]]\n",
    "[[freezes]]\n",
    "name = \"x\"\n",
    "\"\"\"",
    "'''",
    "{{release}}",
    "{{",
    "}}",
    "= [",
    "]",
    "{ kind = \"approval\", count = 2 }",
    "kind = \"command\"",
    "command = [\"./x\"]",
    "url_env = \"U\"",
    "basic_env = \"B\"",
    "\"30d\"",
    "\\u0000",
    "\\U0010FFFF",
    "\u{1b}[2J",
    "\u{202e}",
    "\u{200b}",
    "\r\n",
    "1979-05-27T07:32:00Z",
    "inf",
    "nan",
    "-0",
    "0x7fffffffffffffff",
];

const HEALTH_TOKENS: &[&str] = &[
    "{\"status\":\"pass\"}",
    "{\"status\":\"fail\",\"output\":\"",
    "\"version\":\"",
    "\"releaseId\":",
    "\"checks\":{",
    "ok",
    "\u{1b}]52;c;aGk=\u{7}",
    "\u{9b}31m",
    "\u{202e}",
    "\u{200b}",
    "\\ud800",
    "\\u001b",
    "[[[[[[[[[[[[[[[[",
    "1e999",
    "null",
];

const LOG_TOKENS: &[&str] = &[
    "\n",
    "{\"seq\":",
    "\"id\":\"",
    "\"prev\":\"",
    "\"hash\":\"",
    "\"sig\":\"",
    "\"data\":{",
    "\"kind\":\"approved\"",
    "\"at\":\"2026-05-04T10:00:00Z\"",
    "18446744073709551615",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "\u{1b}",
    "\\u0000",
];

struct Target {
    name: &'static str,
    seeds: Vec<Vec<u8>>,
    tokens: &'static [&'static str],
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(target), Some(seconds)) = (args.get(1), args.get(2).and_then(|s| s.parse().ok()))
    else {
        eprintln!("usage: shipdeck-fuzz config|health|eventlog SECONDS [SEED]");
        std::process::exit(2);
    };
    let seed: u64 = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    let work = std::env::temp_dir().join(format!("shipdeck-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("a temporary directory");
    let target = match target.as_str() {
        "config" => Target {
            name: "config",
            seeds: vec![EXAMPLE.as_bytes().to_vec(), DEMO_LIKE.as_bytes().to_vec()],
            tokens: TOML_TOKENS,
        },
        "health" => Target {
            name: "health",
            seeds: health_seeds(),
            tokens: HEALTH_TOKENS,
        },
        "eventlog" => Target {
            name: "eventlog",
            seeds: log_seeds(&work),
            tokens: LOG_TOKENS,
        },
        other => {
            eprintln!("no target `{other}`: config, health or eventlog");
            std::process::exit(2);
        }
    };
    // Panics are caught and counted; their default report would flood the terminal.
    std::panic::set_hook(Box::new(|_| {}));
    let report = run(&target, Duration::from_secs(seconds), seed, &work);
    let _ = std::fs::remove_dir_all(&work);
    println!("{report}");
}

fn health_seeds() -> Vec<Vec<u8>> {
    [
        "{\"status\":\"pass\",\"version\":\"api-v1.2.0\"}",
        "{\"status\":\"fail\",\"output\":\"db down\",\"checks\":{\"db\":[{\"status\":\"fail\"}]}}",
        "{\"health\":\"warn\",\"releaseId\":\"9f1c2d3\"}",
        "ok",
        "OK\n",
        "<html><body>502 Bad Gateway</body></html>",
        "",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

/// A real log of a few events, written through the store.
fn log_seeds(work: &Path) -> Vec<Vec<u8>> {
    use shipdeck::domain::event::{EventBody, Fact};
    let dir = work.join("seed-log");
    let (log, _) = EventLog::open(&dir).expect("a seed log");
    let now = jiff::Timestamp::now();
    for i in 0..4 {
        let fact = Fact::Approved {
            commit: "9f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c".into(),
            note: Some(format!("note {i}")),
        };
        let body = EventBody::new(
            shipdeck::store::new_event_id(),
            now,
            "alice@example.com",
            &fact,
            Some("api"),
            Some("api-v1.4.2"),
            Some("prod"),
        );
        log.append(body, now).expect("append");
    }
    let bytes = std::fs::read(log.path()).expect("the seed log");
    vec![bytes, Vec::new()]
}

/// What one execution did, coarsely: inputs with a new outcome are kept.
type Outcome = String;

struct Report {
    target: &'static str,
    seed: u64,
    execs: u64,
    elapsed: Duration,
    crashes: u64,
    corpus: usize,
    outcomes: usize,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "target {}: {} execs in {:.0}s ({:.0}/s), {} crashes, corpus {}, {} distinct outcomes (seed {})",
            self.target,
            self.execs,
            self.elapsed.as_secs_f64(),
            f64::from(u32::try_from(self.execs).unwrap_or(u32::MAX))
                / self.elapsed.as_secs_f64().max(0.001),
            self.crashes,
            self.corpus,
            self.outcomes,
            self.seed
        )
    }
}

fn run(target: &Target, budget: Duration, seed: u64, work: &Path) -> Report {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut corpus = target.seeds.clone();
    let mut seen: HashSet<Outcome> = HashSet::new();
    let crash_dir = PathBuf::from("fuzz/crashes");
    let start = Instant::now();
    let mut last_print = start;
    let (mut execs, mut crashes) = (0u64, 0u64);
    let case_dir = work.join("case");
    std::fs::create_dir_all(&case_dir).expect("case dir");
    while start.elapsed() < budget {
        let base = &corpus[rng.random_range(0..corpus.len())];
        let other = &corpus[rng.random_range(0..corpus.len())];
        let input = mutate(&mut rng, base, other, target.tokens);
        let outcome = std::panic::catch_unwind(|| execute(target.name, &input, &case_dir));
        execs += 1;
        match outcome {
            Ok(Ok(outcome)) => {
                if seen.insert(outcome) && corpus.len() < 4096 && input.len() < 256 * 1024 {
                    corpus.push(input);
                }
            }
            Ok(Err(broken)) => {
                crashes += 1;
                save(&crash_dir, target.name, crashes, &input, &broken);
            }
            Err(panic) => {
                crashes += 1;
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                    .unwrap_or_else(|| "a panic".to_string());
                save(
                    &crash_dir,
                    target.name,
                    crashes,
                    &input,
                    &format!("panic: {why}"),
                );
            }
        }
        if last_print.elapsed() > Duration::from_mins(1) {
            last_print = Instant::now();
            eprintln!(
                "… {}: {execs} execs, {crashes} crashes, corpus {}, {:.0}s",
                target.name,
                corpus.len(),
                start.elapsed().as_secs_f64()
            );
        }
    }
    Report {
        target: target.name,
        seed,
        execs,
        elapsed: start.elapsed(),
        crashes,
        corpus: corpus.len(),
        outcomes: seen.len(),
    }
}

fn save(dir: &Path, target: &str, n: u64, input: &[u8], why: &str) {
    let _ = std::fs::create_dir_all(dir);
    let path = dir.join(format!("{target}-{n}.bin"));
    let _ = std::fs::write(&path, input);
    let _ = std::fs::write(path.with_extension("txt"), why);
    eprintln!("CRASH {}: {}", path.display(), sanitize(why));
}

fn mutate(rng: &mut StdRng, base: &[u8], other: &[u8], tokens: &[&str]) -> Vec<u8> {
    let mut out = base.to_vec();
    let rounds = 1 + rng.random_range(0..4u32).pow(2);
    for _ in 0..rounds {
        let at = if out.is_empty() {
            0
        } else {
            rng.random_range(0..=out.len())
        };
        match rng.random_range(0..9u8) {
            0 if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] ^= 1 << rng.random_range(0..8);
            }
            1 if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] = *[
                    0u8, 0x0a, 0x1b, 0x22, 0x5c, 0x7f, 0x80, 0xc0, 0xff, b'{', b'[',
                ]
                .get(rng.random_range(0..11))
                .unwrap_or(&0);
            }
            2 => {
                let n = rng.random_range(1..8);
                let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
                out.splice(at..at, bytes);
            }
            3 if !out.is_empty() => {
                let end = (at + rng.random_range(1..64)).min(out.len());
                out.drain(at.min(end)..end);
            }
            4 if !out.is_empty() => {
                let start = rng.random_range(0..out.len());
                let end = (start + rng.random_range(1..128)).min(out.len());
                let piece = out[start..end].to_vec();
                let times = rng.random_range(1..4);
                for _ in 0..times {
                    out.splice(at..at, piece.iter().copied());
                }
            }
            5 if !other.is_empty() => {
                let start = rng.random_range(0..other.len());
                let end = (start + rng.random_range(1..256)).min(other.len());
                out.splice(at..at, other[start..end].iter().copied());
            }
            6 if !out.is_empty() => {
                let cut = rng.random_range(0..=out.len());
                out.truncate(cut);
            }
            _ => {
                let token = tokens[rng.random_range(0..tokens.len())];
                out.splice(at..at, token.bytes());
            }
        }
    }
    out.truncate(1 << 20);
    out
}

/// Runs `target` on `input`: the outcome's class, or the invariant it broke.
fn execute(target: &str, input: &[u8], dir: &Path) -> Result<Outcome, String> {
    match target {
        "config" => fuzz_config(input, dir),
        "health" => Ok(fuzz_health(input)),
        _ => fuzz_log(input, dir),
    }
}

fn fuzz_config(input: &[u8], dir: &Path) -> Result<Outcome, String> {
    let file = dir.join("shipdeck.toml");
    std::fs::write(&file, input).map_err(|e| format!("write: {e}"))?;
    match shipdeck::config::load(&file) {
        Ok(config) => Ok(format!(
            "ok {} {}",
            config.environments.len(),
            config.services.len()
        )),
        Err(error) => {
            let problems = error.problems();
            if problems.is_empty() {
                return Err(format!("rejected without a place: {error}"));
            }
            let lines = input.split(|&b| b == b'\n').count().max(1) + 1;
            for p in problems {
                if p.line < 1 || p.line > lines || p.col < 1 {
                    return Err(format!("a place outside the file: {p}"));
                }
                if p.to_string()
                    .chars()
                    .any(|c| c.is_control() && c != '\t' && c != '\n')
                {
                    return Err(format!("terminal control in a message: {p:?}"));
                }
            }
            let first = &problems[0].message;
            let kind: String = first.chars().take(24).collect();
            Ok(format!("err {} {kind}", problems.len().min(8)))
        }
    }
}

/// No terminal control, no bidi control and no invisible character (issue 10 item 11: those
/// show visibly as `\u{…}` text once sanitized).
fn clean(text: &str) -> bool {
    !text.chars().any(|c| {
        c.is_control() && c != '\t'
            || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            || shipdeck::domain::sanitize::is_invisible(c)
    })
}

fn fuzz_health(input: &[u8]) -> Outcome {
    let mut classes = String::new();
    for (status, format) in [
        (Some(200), ProbeFormat::Auto),
        (Some(503), ProbeFormat::Auto),
        (Some(200), ProbeFormat::Plain),
        (None, ProbeFormat::Status),
    ] {
        let seen = interpret(status, input, format, Some("/version"));
        assert!(
            clean(&seen.detail),
            "terminal control in the detail: {:?}",
            seen.detail
        );
        assert!(
            seen.version.as_deref().is_none_or(clean),
            "terminal control in the version: {:?}",
            seen.version
        );
        let _ = write!(
            classes,
            "{:?}/{}/{} ",
            seen.health,
            seen.version.is_some(),
            seen.detail.chars().take(12).collect::<String>()
        );
    }
    classes
}

fn fuzz_log(input: &[u8], dir: &Path) -> Result<Outcome, String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("mkdir: {e}"))?;
    let path = dir.join("events.jsonl");
    std::fs::write(&path, input).map_err(|e| format!("write: {e}"))?;
    let before = verify(&path);
    let (counted, damage) = read_checked(&path).map_err(|e| format!("read_checked: {e}"))?;
    match (&before.first_bad, &damage) {
        (None, Some(d)) => return Err(format!("verify passed, read_checked refused: {d:?}")),
        (Some(bad), None) if bad.line <= counted.len() => {
            return Err(format!(
                "read_checked counted past verify's bad line: {bad:?}"
            ));
        }
        _ => {}
    }
    if let Some(bad) = &before.first_bad
        && !clean(&bad.reason)
    {
        return Err(format!(
            "terminal control in verify's reason: {:?}",
            bad.reason
        ));
    }
    let opened = match EventLog::open(dir) {
        Ok((log, _)) => {
            let (events, damage) = log.checked().map_err(|e| format!("checked: {e}"))?;
            let after = verify(&path);
            match (&after.first_bad, &damage) {
                (None, None) => {}
                (Some(bad), Some(d)) if bad.line == d.line && events.len() == d.index => {}
                other => return Err(format!("open and verify disagree: {other:?}")),
            }
            format!("open {} {}", events.len().min(16), damage.is_some())
        }
        Err(e) => format!(
            "refused {}",
            e.to_string().chars().take(20).collect::<String>()
        ),
    };
    let reason: String = before
        .first_bad
        .map(|b| b.reason.chars().take(16).collect())
        .unwrap_or_default();
    Ok(format!("{} {reason} {opened}", counted.len().min(16)))
}
