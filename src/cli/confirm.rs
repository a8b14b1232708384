//! Confirmation of destructive actions on the command line.

use std::io::{BufRead, IsTerminal, Write};

use crate::app::Failure;

/// Asks before `what` runs: `--yes` confirms; a protected environment needs its name typed; with
/// no terminal to ask on, refuses and says to pass `--yes`.
pub fn confirm(what: &str, env: &str, protected: bool, yes: bool) -> Result<(), Failure> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Failure::usage(format!(
            "{what} needs confirmation and there is no terminal to ask on; pass --yes"
        )));
    }
    let mut stderr = std::io::stderr();
    if protected {
        let _ = write!(
            stderr,
            "{env} is protected. Type `{env}` to confirm {what}: "
        );
    } else {
        let _ = write!(stderr, "{what}? [y/N] ");
    }
    let _ = stderr.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::failed(format!("could not read the confirmation: {e}")))?;
    let answer = line.trim();
    let ok = if protected {
        answer == env
    } else {
        matches!(answer, "y" | "Y" | "yes")
    };
    if ok {
        Ok(())
    } else {
        Err(Failure::failed("not confirmed; nothing was done"))
    }
}
