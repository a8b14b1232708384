//! A closed pipe ends a command quietly (`shipdeck log | head`), and no command ever shows a
//! panic: Rust's `println!` panics when the reader has gone away, so the panic hook turns that
//! one into a quiet exit, and any other into one line naming the bug.

use std::panic::PanicHookInfo;

/// Installs the hook; call it first thing in `main` (the console chains its own on top).
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let message = message(info);
        if is_closed_pipe(&message) {
            // The reader has what it wanted; whatever is left to print goes nowhere.
            std::process::exit(0);
        }
        let place = info
            .location()
            .map(|l| format!(" ({}:{})", l.file(), l.line()))
            .unwrap_or_default();
        // stderr may be a closed pipe too: never panic again from here.
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("shipdeck: internal error: {message}{place}; please report it\n").as_bytes(),
        );
        std::process::exit(1);
    }));
}

fn message(info: &PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// `failed printing to stdout: Broken pipe (os error 32)` and the like.
pub fn is_closed_pipe(message: &str) -> bool {
    message.starts_with("failed printing to std")
        && (message.contains("Broken pipe") || message.contains("os error 32"))
}

#[cfg(test)]
mod tests {
    use super::is_closed_pipe;

    #[test]
    fn recognises_the_closed_pipe_panic_only() {
        assert!(is_closed_pipe(
            "failed printing to stdout: Broken pipe (os error 32)"
        ));
        assert!(!is_closed_pipe("index out of bounds"));
    }
}
