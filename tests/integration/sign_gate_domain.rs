//! A `signed = true` approval gate, pure: it counts only approvals whose signature verdict is
//! `Verified`, and its reason says why each other one did not count.

use crate::domain_support;

use std::collections::BTreeMap;

use domain_support::*;
use shipdeck::domain::config::GateRule;
use shipdeck::domain::gates::{GateInputs, GateOutcome, GateStatus, evaluate};
use shipdeck::domain::signature::SignatureCheck;

const ALICE: &str = "alice@example.com";
const BOB: &str = "bob@example.com";
const CAROL: &str = "carol@example.com";

fn signed_gate(count: u32) -> shipdeck::domain::config::Gate {
    gate(GateRule::Approval {
        count,
        from: vec![ALICE.to_string(), BOB.to_string()],
        signed: true,
    })
}

fn outcome(log: &Log, signatures: &BTreeMap<String, SignatureCheck>) -> GateOutcome {
    let config = config(vec![signed_gate(2)], vec![]);
    let ledger = log.ledger();
    let release = release("api-v1.4.2", COMMIT);
    let external = BTreeMap::new();
    let report = evaluate(
        &GateInputs {
            config: &config,
            service: &config.services[0],
            env: config.environment("prod").expect("prod"),
            release: &release,
            actor: CAROL,
            ledger: &ledger,
            observations: &[],
            external: &external,
            signatures,
        },
        ts("2026-03-02T12:00:00Z"),
    );
    report.gates[0].clone()
}

#[test]
fn verified_signed_approvals_count() {
    let mut log = Log::default();
    let a = log.add(
        "2026-03-02T10:00:00Z",
        ALICE,
        &approved(COMMIT),
        "api-v1.4.2",
        "prod",
    );
    let b = log.add(
        "2026-03-02T10:01:00Z",
        BOB,
        &approved(COMMIT),
        "api-v1.4.2",
        "prod",
    );
    let checks = BTreeMap::from([(a, SignatureCheck::Verified), (b, SignatureCheck::Verified)]);
    let o = outcome(&log, &checks);
    assert_eq!(o.status, GateStatus::Pass, "{}", o.reason);
    assert!(o.reason.starts_with("2 of 2 approvals"), "{}", o.reason);
}

#[test]
fn a_forged_or_unsigned_approval_does_not_count_and_the_reason_says_why() {
    let mut log = Log::default();
    let a = log.add(
        "2026-03-02T10:00:00Z",
        ALICE,
        &approved(COMMIT),
        "api-v1.4.2",
        "prod",
    );
    let b = log.add(
        "2026-03-02T10:01:00Z",
        BOB,
        &approved(COMMIT),
        "api-v1.4.2",
        "prod",
    );
    let checks = BTreeMap::from([
        (a, SignatureCheck::Unsigned),
        (
            b,
            SignatureCheck::Failed(
                "signature by ED25519 key SHA256:xyz not in allowed_signers".to_string(),
            ),
        ),
    ]);
    let o = outcome(&log, &checks);
    assert_eq!(o.status, GateStatus::Pending);
    assert!(o.reason.starts_with("0 of 2 approvals"), "{}", o.reason);
    assert!(
        o.reason
            .contains(&format!("not counted: {ALICE} (unsigned)")),
        "{}",
        o.reason
    );
    assert!(
        o.reason.contains(&format!(
            "{BOB} (signature by ED25519 key SHA256:xyz not in allowed_signers)"
        )),
        "{}",
        o.reason
    );
}

#[test]
fn an_approval_whose_signature_was_not_checked_does_not_count() {
    let mut log = Log::default();
    log.add(
        "2026-03-02T10:00:00Z",
        ALICE,
        &approved(COMMIT),
        "api-v1.4.2",
        "prod",
    );
    let o = outcome(&log, &BTreeMap::new());
    assert_eq!(o.status, GateStatus::Pending);
    assert!(o.reason.contains("signature not checked"), "{}", o.reason);
}
