//! The one home of how shipdeck runs a command it does not trust to end on time (deployers,
//! channels, probes, check gates, git over ssh): in a process group of its own, so that when
//! the time is up the whole group is killed — the command and whatever it started
//! (`sh -c 'sleep 600 & wait'` leaves no `sleep` behind).

/// Puts the command in its own process group and kills it if its handle is dropped.
pub fn grouped(cmd: &mut tokio::process::Command) -> &mut tokio::process::Command {
    cmd.process_group(0).kill_on_drop(true)
}

/// The same for a blocking [`std::process::Command`].
pub fn grouped_std(cmd: &mut std::process::Command) -> &mut std::process::Command {
    use std::os::unix::process::CommandExt as _;
    cmd.process_group(0)
}

/// Kills the process group led by `pid` (a command started [`grouped`]); nothing when it has
/// already ended or `pid` is unknown.
pub fn kill_group(pid: Option<u32>) {
    let group = pid
        .and_then(|id| i32::try_from(id).ok())
        .and_then(rustix::process::Pid::from_raw);
    if let Some(group) = group {
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
    }
}

#[cfg(test)]
mod tests {
    use std::io::BufRead as _;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use super::{grouped_std, kill_group};

    #[test]
    fn killing_the_group_takes_what_the_command_started() {
        let mut command = Command::new("sh");
        let mut child = grouped_std(&mut command)
            .args(["-c", "sleep 30 & echo $!; wait"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("sh runs");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the background pid");
        let sleeper = line.trim().to_string();
        kill_group(Some(child.id()));
        let _ = child.wait();
        let deadline = Instant::now() + Duration::from_secs(10);
        // Gone, or a zombie waiting for init to reap it.
        let alive = || {
            std::fs::read_to_string(format!("/proc/{sleeper}/stat"))
                .is_ok_and(|s| !s.contains(") Z "))
        };
        while alive() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!alive(), "the background sleep {sleeper} survived");
    }
}
