//! The `traffic` table as `check` reads it: every problem with file:line:col and the key.

use crate::traffic_support;

use traffic_support::{Slots, project, shipdeck, stderr};

fn check(table: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let slots = Slots::start("web-v1.0.0");
    project(dir.path(), &slots, table, "");
    let o = shipdeck(dir.path(), "dana@shop.example", &["check"]);
    if o.status.success() {
        String::new()
    } else {
        stderr(&o)
    }
}

#[test]
fn a_valid_haproxy_canary_is_accepted() {
    let table = "  kind = \"haproxy\"\n  address = \"127.0.0.1:9999\"\n  backend = \"web\"\n  slots = [\"blue\", \"green\"]\n  steps = [{ weight = 10, pause = \"5m\" }, { weight = 50, pause = \"10m\" }, { weight = 100 }]\n";
    assert_eq!(check(table), "");
}

#[test]
fn steps_must_go_up_and_end_at_100_and_slots_need_two_names() {
    let err = check(
        "  kind = \"haproxy\"\n  address = \"127.0.0.1:9999\"\n  backend = \"web\"\n  slots = [\"blue\"]\n  steps = [{ weight = 50 }, { weight = 10 }]\n",
    );
    assert!(
        err.contains("traffic.slots: expected two or more slot names"),
        "{err}"
    );
    assert!(err.contains("steps go up"), "{err}");
    assert!(err.contains("end with `{ weight = 100 }`"), "{err}");
}

#[test]
fn keys_of_another_kind_and_unknown_kinds_are_named() {
    let err = check(
        "  kind = \"haproxy\"\n  address = \"127.0.0.1:9999\"\n  backend = \"web\"\n  slots = [\"blue\", \"green\"]\n  dials = { blue = \"x\", green = \"y\" }\n",
    );
    assert!(
        err.contains("`dials` is not a key of a `haproxy` router"),
        "{err}"
    );
    let err = check("  kind = \"haproxi\"\n  slots = [\"blue\", \"green\"]\n");
    assert!(err.contains("did you mean `haproxy`?"), "{err}");
}

#[test]
fn an_http_router_needs_a_write_and_known_templates() {
    let err = check(
        "  kind = \"http\"\n  url = \"http://127.0.0.1:1/weights\"\n  slots = [\"blue\", \"green\"]\n  write = { url = \"http://127.0.0.1:1/set/{{slott}}\" }\n",
    );
    assert!(err.contains("traffic.write.url"), "{err}");
    assert!(
        err.contains("unknown template variable `{{slott}}`"),
        "{err}"
    );
}
