//! Helpers of the reliability and scale tests: a loopback HTTP server that misbehaves on demand,
//! and the terminal hazards to look for in what the console wrote (the tmux session and the
//! binary are `crate::e2e_support`'s).
#![allow(dead_code)]

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

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
