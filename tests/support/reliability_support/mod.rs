//! Helpers of the reliability and scale tests: a loopback HTTP server that misbehaves on demand,
//! a tmux session whose raw output is captured, and the binary under test.
#![allow(dead_code)]

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The binary the user runs: the release build when there is one (scripts/test builds it),
/// else the debug build cargo made for this test.
pub fn binary() -> PathBuf {
    let release = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/shipdeck"),
        |d| PathBuf::from(d).join("release/shipdeck"),
    );
    if release.exists() {
        release
    } else {
        PathBuf::from(env!("CARGO_BIN_EXE_shipdeck"))
    }
}

/// What an endpoint does with a request.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// 200 with this body.
    Json(String),
    /// This status and body.
    Status(u16, String),
    /// Reads the request and never answers.
    Hang,
    /// Closes the connection with the request unread, so the kernel resets it.
    Reset,
    /// A 200 whose body comes one byte every `every`.
    Slow { body: String, every: Duration },
    /// A 200 with a body of this many bytes.
    Huge(usize),
    /// Bytes that are not HTTP.
    Garbage(Vec<u8>),
}

/// A loopback listener with a deep accept queue: std's 128 overflows when a thousand probes
/// connect at once, and a dropped handshake would look like a fault of the console.
fn listen() -> TcpListener {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .expect("runtime");
    let _entered = runtime.enter();
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.1:0".parse().expect("address"))
        .expect("bind loopback");
    let listener = socket
        .listen(4096)
        .expect("listen")
        .into_std()
        .expect("std listener");
    listener.set_nonblocking(false).expect("blocking accept");
    listener
}

/// A loopback HTTP server; `route` picks the behaviour for a request path. Stops on drop.
pub struct Endpoint {
    pub port: u16,
    stop: Arc<AtomicBool>,
    requests: Arc<AtomicUsize>,
}

impl Endpoint {
    pub fn start(route: impl Fn(&str) -> Behaviour + Send + Sync + 'static) -> Endpoint {
        let listener = listen();
        let port = listener.local_addr().expect("addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let route = Arc::new(route);
        let requests = Arc::new(AtomicUsize::new(0));
        let stopping = Arc::clone(&stop);
        let counter = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let route = Arc::clone(&route);
                let stopping = Arc::clone(&stopping);
                let counter = Arc::clone(&counter);
                std::thread::spawn(move || serve(stream, &*route, &stopping, &counter));
            }
        });
        Endpoint {
            port,
            stop,
            requests,
        }
    }

    /// How many requests have been answered (or at least read) so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(
    mut stream: TcpStream,
    route: &dyn Fn(&str) -> Behaviour,
    stop: &AtomicBool,
    requests: &AtomicUsize,
) {
    // The request line, one byte at a time, so the headers behind it are still unread.
    let Some(line) = read_until(&mut stream, b"\r\n") else {
        return;
    };
    let text = String::from_utf8_lossy(&line);
    let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
    let behaviour = route(&path);
    requests.fetch_add(1, Ordering::Relaxed);
    if matches!(behaviour, Behaviour::Reset) {
        // Closing with the headers unread makes the kernel answer with RST, not FIN.
        drop(stream);
        return;
    }
    // The headers, line by line, up to the empty one.
    loop {
        match read_until(&mut stream, b"\r\n") {
            Some(header) if header == b"\r\n" => break,
            Some(_) => {}
            None => return,
        }
    }
    let reply = |stream: &mut TcpStream, code: u16, body: &[u8]| {
        let head = format!(
            "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(body);
    };
    match behaviour {
        Behaviour::Json(body) => reply(&mut stream, 200, body.as_bytes()),
        Behaviour::Status(code, body) => reply(&mut stream, code, body.as_bytes()),
        Behaviour::Hang => {
            // Until the client gives up (or the server stops).
            let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
            let mut buf = [0u8; 1024];
            while !stop.load(Ordering::Relaxed) {
                match stream.read(&mut buf) {
                    Ok(0) => return,
                    Ok(_) => {}
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => return,
                }
            }
        }
        Behaviour::Reset => {}
        Behaviour::Slow { body, every } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            if stream.write_all(head.as_bytes()).is_err() {
                return;
            }
            for b in body.bytes() {
                if stop.load(Ordering::Relaxed) || stream.write_all(&[b]).is_err() {
                    return;
                }
                // The endpoint's pace, not a wait in the test.
                std::thread::sleep(every);
            }
        }
        Behaviour::Huge(len) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n"
            );
            if stream.write_all(head.as_bytes()).is_err() {
                return;
            }
            let chunk = vec![b'x'; 64 * 1024];
            let mut left = len;
            while left > 0 && !stop.load(Ordering::Relaxed) {
                let n = left.min(chunk.len());
                if stream.write_all(&chunk[..n]).is_err() {
                    return;
                }
                left -= n;
            }
        }
        Behaviour::Garbage(bytes) => {
            let _ = stream.write_all(&bytes);
        }
    }
}

/// Reads up to and including `end`, one byte at a time; `None` when the client went away.
fn read_until(stream: &mut TcpStream, end: &[u8]) -> Option<Vec<u8>> {
    let mut got = Vec::new();
    let mut byte = [0u8; 1];
    while !got.ends_with(end) {
        match stream.read(&mut byte) {
            Ok(1) => got.push(byte[0]),
            _ => return None,
        }
        if got.len() > 64 * 1024 {
            return None;
        }
    }
    Some(got)
}

/// Polls `check` until it returns `Some`, or panics naming `what` after `deadline`.
pub fn wait_for<T>(what: &str, deadline: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(
            start.elapsed() < deadline,
            "timed out after {deadline:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A tmux server of our own running one command in a 160×45 window, its raw output captured
/// into a file with `pipe-pane`.
pub struct Tmux {
    socket: String,
    pub raw: PathBuf,
    home: tempfile::TempDir,
}

impl Tmux {
    /// Starts `argv` (with `env`) in a fresh tmux server, capturing everything it writes.
    pub fn start(argv: &[String], env: &[(&str, String)], size: (u16, u16)) -> Tmux {
        let home = tempfile::tempdir().expect("tempdir");
        let raw = home.path().join("raw-output");
        std::fs::write(&raw, b"").expect("capture file");
        let socket = format!(
            "shipdeck-rel-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        let tmux = Tmux { socket, raw, home };
        // A shell first, so pipe-pane is in place before the console writes its first byte.
        let mut cmd = Command::new("tmux");
        cmd.args(["-L", &tmux.socket, "-f", "/dev/null", "new-session", "-d"]);
        cmd.args(["-x", &size.0.to_string(), "-y", &size.1.to_string()]);
        cmd.args(["-s", "t", "env", "-i"]);
        cmd.arg(format!("HOME={}", tmux.home.path().display()));
        cmd.arg(format!(
            "PATH={}",
            std::env::var("PATH").unwrap_or_default()
        ));
        cmd.arg("TERM=xterm-256color");
        cmd.arg("PS1=$ ");
        for (k, v) in env {
            cmd.arg(format!("{k}={v}"));
        }
        cmd.args(["bash", "--norc", "--noprofile"]);
        assert!(
            cmd.status()
                .expect("tmux runs (scripts/test installs it)")
                .success(),
            "tmux new-session failed"
        );
        tmux.tmux(&[
            "pipe-pane",
            "-o",
            "-t",
            "t",
            &format!("cat >> '{}'", tmux.raw.display()),
        ]);
        let line = argv
            .iter()
            .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
            .collect::<Vec<_>>()
            .join(" ");
        tmux.tmux(&["send-keys", "-t", "t", "-l", &format!("exec {line}")]);
        tmux.tmux(&["send-keys", "-t", "t", "Enter"]);
        tmux
    }

    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "t", "-l", text]);
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    pub fn wait_screen(
        &self,
        what: &str,
        deadline: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            assert!(
                start.elapsed() < deadline,
                "timed out after {deadline:?} waiting for {what}; the screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything the program wrote to the terminal so far.
    pub fn raw_output(&self) -> Vec<u8> {
        std::fs::read(&self.raw).unwrap_or_default()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

/// Byte strings that must never reach a terminal from untrusted text: OSC, DCS, SOS/PM/APC
/// introducers, C1 controls (as UTF-8), bidi overrides and isolates, and BEL.
pub fn raw_hazards(bytes: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let needles: &[(&str, &[u8])] = &[
        ("OSC", b"\x1b]"),
        ("DCS", b"\x1bP"),
        ("SOS", b"\x1bX"),
        ("PM", b"\x1b^"),
        ("APC", b"\x1b_"),
        ("BEL", b"\x07"),
        ("RLO", "\u{202e}".as_bytes()),
        ("LRO", "\u{202d}".as_bytes()),
        ("RLI", "\u{2067}".as_bytes()),
        ("FSI", "\u{2068}".as_bytes()),
        ("RLM", "\u{200f}".as_bytes()),
    ];
    for (name, needle) in needles {
        if bytes.windows(needle.len()).any(|w| w == *needle) {
            found.push((*name).to_string());
        }
    }
    // C1 controls encoded as UTF-8: C2 80..C2 9F.
    if bytes
        .windows(2)
        .any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]))
    {
        found.push("C1".to_string());
    }
    found
}

/// Like [`raw_hazards`], and also any ESC or C0 control but newline and tab: for output that is
/// plain text (headless commands), where shipdeck itself writes no escape at all.
pub fn plain_text_hazards(bytes: &[u8]) -> Vec<String> {
    let mut found = raw_hazards(bytes);
    if bytes.contains(&0x1b) {
        found.push("ESC".to_string());
    }
    if bytes
        .iter()
        .any(|&b| b < 0x20 && b != b'\n' && b != b'\t' || b == 0x7f)
    {
        found.push("C0".to_string());
    }
    found
}
