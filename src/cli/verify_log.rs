//! `log --verify`, second half: the signatures. The hash chain says the file was not changed;
//! signatures say who recorded each event. Counts verified and unsigned events and names every
//! one that fails (exit 5 then).

use crate::app::context::Context;
use crate::app::{Failure, signatures};
use crate::domain::event::Event;
use crate::domain::sanitize::sanitize;
use crate::domain::signature::SignatureCheck;

/// Checks every signed event of `ctx`'s log; prints a summary line, and every failure.
pub fn signatures(ctx: &Context) -> Result<u8, Failure> {
    let (events, _) = ctx.ledger_shown()?;
    let signed: Vec<&Event> = events.iter().filter(|e| e.sig.is_some()).collect();
    let unsigned = events.len() - signed.len();
    let Some(verifier) = signatures::verifier(&ctx.config) else {
        if !signed.is_empty() {
            println!(
                "signatures: {} signed events not checked: this project has no \
                 `[project] signing = {{ allowed_signers = … }}`",
                signed.len()
            );
        }
        return Ok(0);
    };
    if signed.is_empty() {
        println!("signatures: 0 verified, {unsigned} unsigned, 0 failed");
        return Ok(0);
    }
    let source = verifier
        .source()
        .map_err(|why| Failure::failed(format!("could not check signatures: {why}")))?;
    let checks = verifier.check_events(&signed);
    let failed: Vec<(&Event, &String)> = signed
        .iter()
        .zip(&checks)
        .filter_map(|(e, c)| match c {
            SignatureCheck::Failed(why) => Some((*e, why)),
            _ => None,
        })
        .collect();
    let verified = checks.iter().filter(|c| c.is_verified()).count();
    println!(
        "signatures: {verified} verified, {unsigned} unsigned, {} failed (allowed signers: {source})",
        failed.len()
    );
    if failed.is_empty() {
        return Ok(0);
    }
    for (e, why) in &failed {
        eprintln!(
            "{}:{}: event {} ({} by {}{}) failed signature verification: {why}",
            ctx.log.describe(),
            e.seq,
            sanitize(&e.id),
            sanitize(&e.kind),
            sanitize(&e.actor),
            scope(e)
        );
    }
    Err(Failure::log(format!(
        "{} of {} signed events failed signature verification",
        failed.len(),
        signed.len()
    )))
}

/// ` for api api-v1.4.2 → prod`, as much of it as the event has.
fn scope(e: &Event) -> String {
    let parts: Vec<String> = [&e.service, &e.release]
        .into_iter()
        .flatten()
        .map(|s| sanitize(s))
        .collect();
    let mut out = if parts.is_empty() {
        String::new()
    } else {
        format!(" for {}", parts.join(" "))
    };
    if let Some(env) = &e.env {
        out.push_str(" → ");
        out.push_str(&sanitize(env));
    }
    out
}
