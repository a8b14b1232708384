//! Every rejection names `file:line:col`, the key, what was expected and, for near misses,
//! what was probably meant. Appended text starts on line 12 (after `HEAD`).

use crate::config_support;

use config_support::{HEAD, assert_problem, rejected};

const FREEZE_OK: &str =
    "from = \"2026-12-20T00:00:00+01:00\"\nuntil = \"2027-01-04T00:00:00+01:00\"\n";

#[test]
fn an_unknown_section_suggests_the_near_miss() {
    let lines = rejected(&format!("{HEAD}\n[[environmnts]]\nname = \"qa\"\n"));
    assert_problem(
        &lines,
        "shipdeck.toml:13:3: environmnts: ",
        &["unknown key `environmnts`", "did you mean `environments`?"],
    );
}

#[test]
fn an_unknown_environment_key_is_located_and_suggested() {
    let lines = rejected(&format!("{HEAD}protectd = true\n"));
    assert_problem(
        &lines,
        "shipdeck.toml:12:1: environments[2].protectd: ",
        &[
            "unknown key `protectd`",
            "`protected`",
            "did you mean `protected`?",
        ],
    );
}

#[test]
fn an_unknown_gate_kind_suggests_one_of_the_eight() {
    let lines = rejected(&format!("{HEAD}gates = [{{ kind = \"aproval\" }}]\n"));
    assert_problem(
        &lines,
        "shipdeck.toml:12:19: environments[2].gates[0].kind: ",
        &[
            "unknown gate kind `aproval`",
            "`healthy`, `soak`, `approval`, `checklist`, `freeze`, `window`, `check`, `ancestor`",
            "did you mean `approval`?",
        ],
    );
}

#[test]
fn an_unknown_gate_key_is_located_and_suggested() {
    let lines = rejected(&format!(
        "{HEAD}gates = [{{ kind = \"soak\", durration = \"30m\" }}]\n"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:12:27: environments[2].gates[0].durration: ",
        &["unknown key `durration`", "did you mean `duration`?"],
    );
}

#[test]
fn a_freeze_of_an_unknown_environment_suggests_the_near_miss() {
    let lines = rejected(&format!(
        "{HEAD}\n[[freezes]]\nname = \"year-end\"\n{FREEZE_OK}environments = [\"prd\"]\n"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:17:17: freezes[0].environments[0]: ",
        &["no environment named `prd`", "did you mean `prod`?"],
    );
}

#[test]
fn an_override_for_an_unknown_environment_suggests_the_near_miss() {
    let lines = rejected(&format!(
        "{HEAD}\n[[services]]\nname = \"api\"\nrepo = \".\"\ntags = \"api-v*\"\n\n[services.env.stagin]\nhealth = \"http://x/health\"\n"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:18:15: services[0].env.stagin: ",
        &["no environment named `stagin`", "did you mean `staging`?"],
    );
}

#[test]
fn a_duplicate_environment_names_the_first() {
    let lines = rejected(&format!("{HEAD}\n[[environments]]\nname = \"dev\"\n"));
    assert_problem(
        &lines,
        "shipdeck.toml:14:8: environments[3].name: ",
        &["duplicate environment `dev`", "line 5, column 8"],
    );
}

#[test]
fn a_duplicate_service_names_the_first() {
    let service = "\n[[services]]\nname = \"api\"\nrepo = \".\"\ntags = \"api-v*\"\n";
    let lines = rejected(&format!("{HEAD}{service}{service}"));
    assert_problem(
        &lines,
        "shipdeck.toml:19:8: services[1].name: ",
        &["duplicate service `api`", "line 14, column 8"],
    );
}

#[test]
fn a_duplicate_freeze_names_the_first() {
    let freeze = format!("\n[[freezes]]\nname = \"x\"\n{FREEZE_OK}environments = [\"prod\"]\n");
    let lines = rejected(&format!("{HEAD}{freeze}{freeze}"));
    assert_problem(
        &lines,
        "shipdeck.toml:20:8: freezes[1].name: ",
        &["duplicate freeze `x`", "line 14, column 8"],
    );
}

#[test]
fn a_duplicate_gate_id_is_rejected() {
    let lines = rejected(&format!(
        "{HEAD}gates = [{{ kind = \"healthy\", id = \"ci\" }}, {{ kind = \"ancestor\", branch = \"main\", id = \"ci\" }}]\n"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:12:86: environments[2].gates[1].id: ",
        &["duplicate gate id `ci`", "line 12, column 35"],
    );
}

#[test]
fn two_gates_of_one_kind_need_ids() {
    let lines = rejected(&format!(
        "{HEAD}gates = [{{ kind = \"check\", command = [\"true\"] }}, {{ kind = \"check\", command = [\"false\"] }}]\n"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:12:10: environments[2].gates[0]: ",
        &["2 `check` gates", "give each an `id`"],
    );
    assert_problem(
        &lines,
        "shipdeck.toml:12:50: environments[2].gates[1]: ",
        &["give each an `id`"],
    );
}

#[test]
fn a_duplicate_checklist_item_id_is_rejected() {
    let lines = rejected(&format!(
        "{HEAD}\n[checklists.mine]\nitems = [\n  {{ id = \"a\", title = \"A\" }},\n  {{ id = \"a\", title = \"B\" }},\n]\n"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:16:10: checklists.mine.items[1].id: ",
        &["duplicate checklist item id `a`", "line 15, column 10"],
    );
}

#[test]
fn an_invalid_time_zone_is_rejected_with_a_suggestion() {
    let lines = rejected(&format!(
        "{HEAD}gates = [{{ kind = \"window\", tz = \"Europe/Berln\" }}]\n"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:12:34: environments[2].gates[0].tz: ",
        &[
            "`Europe/Berln` is not an IANA time zone",
            "did you mean `Europe/Berlin`?",
        ],
    );
}

#[test]
fn bad_window_days_and_hours_are_rejected() {
    let lines = rejected(&format!(
        "{HEAD}gates = [{{ kind = \"window\", id = \"a\", days = \"mon-thr\", tz = \"UTC\" }}, {{ kind = \"window\", id = \"b\", hours = \"9-16\", tz = \"UTC\" }}]\n"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:12:46: environments[2].gates[0].days: ",
        &["`thr` in `mon-thr` is not a day", "did you mean `thu`?"],
    );
    assert_problem(
        &lines,
        "shipdeck.toml:12:108: environments[2].gates[1].hours: ",
        &["expected hours like `09:00-16:00`", "`9-16`"],
    );
}

#[test]
fn a_freeze_must_end_after_it_starts() {
    let lines = rejected(&format!(
        "{HEAD}\n[[freezes]]\nname = \"x\"\nfrom = \"2027-01-04T00:00:00+01:00\"\nuntil = \"2026-12-20T00:00:00+01:00\"\nenvironments = [\"prod\"]\n"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:16:9: freezes[0].until: ",
        &["expected a time after `from`"],
    );
}

#[test]
fn a_freeze_time_needs_an_offset() {
    let lines = rejected(&format!(
        "{HEAD}\n[[freezes]]\nname = \"x\"\nfrom = \"2026-12-20T00:00:00\"\nuntil = \"2027-01-04T00:00:00+01:00\"\nenvironments = [\"prod\"]\n"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:15:8: freezes[0].from: ",
        &["RFC 3339 time with an offset"],
    );
}

#[test]
fn approval_count_is_at_least_one_and_at_most_the_approvers() {
    let lines = rejected(&format!(
        "{HEAD}gates = [{{ kind = \"approval\", count = 0 }}]\n"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:12:39: environments[2].gates[0].count: ",
        &["expected at least 1 approval, found 0"],
    );
    let lines = rejected(&format!(
        "{HEAD}gates = [{{ kind = \"approval\", count = 3, from = [\"a@x\", \"b@x\"] }}]\n"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:12:39: environments[2].gates[0].count: ",
        &["3 approvals can never be given by the 2 people in `from`"],
    );
}

#[test]
fn a_checklist_gate_must_name_an_existing_checklist() {
    let lines = rejected(&format!(
        "{HEAD}gates = [{{ kind = \"checklist\", name = \"production-relase\" }}]\n"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:12:39: environments[2].gates[0].name: ",
        &[
            "no checklist named `production-relase`",
            "did you mean `production-release`?",
        ],
    );
}

#[test]
fn a_secret_written_as_a_value_is_refused() {
    let never =
        "secrets are never values in the file; name an environment variable with `secret_env`";
    let lines = rejected(&format!(
        "{HEAD}\n[[services]]\nname = \"api\"\nrepo = \".\"\ntags = \"api-v*\"\ndeploy = {{ kind = \"webhook\", url = \"https://x/hook\", token = \"abc123\" }}\n"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:17:54: services[0].deploy.token: ",
        &[never],
    );
    assert!(
        !lines.iter().any(|l| l.contains("unknown key `token`")),
        "{lines:?}"
    );

    let lines = rejected(&format!(
        "{HEAD}\n[[services]]\nname = \"api\"\nrepo = \".\"\ntags = \"api-v*\"\ndeploy = {{ kind = \"webhook\", url = \"https://x/hook\", secret_env = \"hunter2!\" }}\n"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:17:67: services[0].deploy.secret_env: ",
        &["expected the name of an environment variable", never],
    );

    let lines = rejected(&format!("{HEAD}password = \"x\"\n"));
    assert_problem(
        &lines,
        "shipdeck.toml:12:1: environments[2].password: ",
        &[never],
    );
}

#[test]
fn a_template_with_an_unknown_name_is_refused() {
    let lines = rejected(&format!(
        "{HEAD}\n[[services]]\nname = \"api\"\nrepo = \".\"\ntags = \"api-v*\"\nhealth = \"http://{{{{enviroment}}}}.internal/health\"\n"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:17:10: services[0].health: ",
        &["unknown template variable `{{enviroment}}`"],
    );
}

#[test]
fn a_wrong_type_names_the_key() {
    let lines = rejected(&format!("{HEAD}protected = \"yes\"\n"));
    assert_problem(
        &lines,
        "shipdeck.toml:12:13: environments[2].protected: ",
        &["expected a boolean"],
    );
}

#[test]
fn a_syntax_error_is_located() {
    let lines = rejected("[project]\nname = \"shop\nx = 1\n");
    assert!(lines[0].starts_with("shipdeck.toml:2:"), "{lines:?}");
}

#[test]
fn every_problem_is_reported_one_per_line_in_file_order() {
    let lines = rejected(&format!(
        "{HEAD}gates = [{{ kind = \"aproval\" }}, {{ kind = \"window\", tz = \"Nowhere/City\" }}]\n\n[[freezes]]\nname = \"x\"\n{FREEZE_OK}environments = [\"qa\"]\n"
    ));
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].starts_with("shipdeck.toml:12:19: environments[2].gates[0].kind"));
    assert!(lines[1].starts_with("shipdeck.toml:12:"));
    assert!(lines[1].contains("environments[2].gates[1].tz"));
    assert!(lines[2].starts_with("shipdeck.toml:18:17: freezes[0].environments[0]"));
}

#[test]
fn an_unknown_value_of_a_closed_set_is_suggested() {
    let lines = rejected(&format!(
        "{HEAD}\n[[services]]\nname = \"api\"\nrepo = \".\"\ntags = \"api-v*\"\nhealth = {{ url = \"http://x/health\", format = \"plian\" }}\n"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:17:46: services[0].health.format: ",
        &[
            "unknown value `plian`",
            "`auto`, `status`, `plain`",
            "did you mean `plain`?",
        ],
    );
}

#[test]
fn an_unknown_deployer_kind_is_suggested() {
    let lines = rejected(&format!(
        "{HEAD}\n[[services]]\nname = \"api\"\nrepo = \".\"\ntags = \"api-v*\"\ndeploy = {{ kind = \"webhok\", url = \"https://x\" }}\n"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:17:19: services[0].deploy.kind: ",
        &["unknown deployer kind `webhok`", "did you mean `webhook`?"],
    );
}

#[test]
fn a_missing_required_key_is_named() {
    let lines = rejected(&format!("{HEAD}\n[[environments]]\nprotected = true\n"));
    assert_problem(
        &lines,
        "shipdeck.toml:13:",
        &["environments[3].name: missing key `name`"],
    );
}

#[test]
fn an_http_check_needs_pointer_and_equals() {
    let lines = rejected(&format!(
        "{HEAD}gates = [{{ kind = \"check\", id = \"ci\", http = \"https://ci/{{{{commit}}}}\" }}]\n"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:12:10: environments[2].gates[0].pointer: ",
        &["an http check needs `pointer`, `equals`"],
    );
}

#[test]
fn signed_approvals_are_refused_until_signing_is_set_up() {
    let lines = rejected(&format!(
        "{HEAD}gates = [{{ kind = \"approval\", count = 1, signed = true }}]\n"
    ));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("environments[2].gates[0].signed")
                && l.contains("needs signing set up")),
        "{lines:?}"
    );
}
