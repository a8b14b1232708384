//! The machine the figures came from, as `/proc` and `uname` describe it.

use std::process::Command;

/// A few Markdown list lines: CPU, cores, memory, kernel, load, tool versions.
pub fn describe() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")?
                .split_once(':')
                .map(|(_, v)| v.trim())
        })
        .unwrap_or("unknown CPU");
    let cpus = cpuinfo
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    let lines = [
        format!("- CPU: {model}, {cpus} logical CPUs (`/proc/cpuinfo`)"),
        format!(
            "- memory: {:.1} GiB (`/proc/meminfo`)",
            f64::from(u32::try_from(mem_kib >> 10).unwrap_or(u32::MAX)) / 1024.0
        ),
        format!("- kernel: {} (`uname -srm`)", output("uname", &["-srm"])),
        format!(
            "- load average when the run started: {} (`/proc/loadavg`)",
            load.join(" ")
        ),
        format!(
            "- peers: {}; {}; {}",
            output("git", &["--version"]),
            output("curl", &["--version"])
                .lines()
                .next()
                .unwrap_or("curl missing")
                .split(" (")
                .next()
                .unwrap_or_default(),
            output("tmux", &["-V"])
        ),
        format!("- compiler: {}", output("rustc", &["--version"])),
    ];
    lines.join("\n")
}

fn output(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(
            || format!("{program} missing"),
            |o| String::from_utf8_lossy(&o.stdout).trim().to_string(),
        )
}
