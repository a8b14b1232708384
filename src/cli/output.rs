//! Small formatting helpers shared by the commands.

pub use crate::console::model::age;

/// Prints warnings to stderr.
pub fn warn_all(warnings: &[String]) {
    for w in warnings {
        eprintln!(
            "warning: {}",
            crate::domain::sanitize::sanitize_multiline(w)
        );
    }
}

/// Pads `s` to `width` characters (by chars, not bytes).
pub fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - n))
    }
}

/// Serializes as JSON for `--json` output.
/// C1 controls, DEL, bidi and invisible characters (from anyone's events) are `\u` escapes.
pub fn json<T: serde::Serialize>(value: &T) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".to_string());
    crate::domain::sanitize::json_escape_invisible(&text)
}

/// Writes `text` to stdout in one call. Rust's stdout is line-buffered even into a pipe, so
/// printing a long listing a line at a time costs a write per line (20,000 for a big
/// changelog). A reader that went away (`| head`) ends the output quietly.
pub fn emit(text: &str) -> Result<(), crate::app::Failure> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(crate::app::Failure::failed(
            format!("could not write the output: {e}"),
        )),
        _ => Ok(()),
    }
}
