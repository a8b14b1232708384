//! `[[flags]]` read into the model, and every rejection at `file:line:col` with the key.
//! Appended text starts on line 12 (after `HEAD`); `[[flags]]` is line 18, its keys from 19.

use crate::config_support;

use config_support::{HEAD, assert_problem, load_str, rejected};
use shipdeck::domain::flag::{DEFAULT_ROLLOUT_STEPS, FlagKind};

const SERVICE: &str = "\n[[services]]\nname = \"api\"\nrepo = \".\"\ntags = \"api-v*\"\n";

fn with(flags: &str) -> String {
    format!("{HEAD}{SERVICE}\n[[flags]]\n{flags}")
}

const UNLEASH: &str = "name = \"unleash\"\nkind = \"unleash\"\nurl = \"https://unleash.internal/\"\ntoken_env = \"UNLEASH_ADMIN_TOKEN\"\n";

#[test]
fn an_unleash_service_reads_with_defaults() {
    let config = load_str(&with(&format!(
        "{UNLEASH}environments = {{ prod = \"production\" }}\nservices = {{ api = [\"search-v2\"] }}\n"
    )))
    .expect("valid");
    let f = &config.flags[0];
    assert_eq!(f.name, "unleash");
    assert_eq!(f.rollout_steps, DEFAULT_ROLLOUT_STEPS);
    assert_eq!(f.service_env("prod"), Some("production"));
    assert_eq!(f.service_env("dev"), None);
    assert_eq!(f.owner("search-v2"), Some("api"));
    let FlagKind::Unleash(u) = &f.kind else {
        panic!("unleash kind");
    };
    assert_eq!(u.url, "https://unleash.internal");
    assert_eq!(u.project, "default");
    assert_eq!(u.token.0, "UNLEASH_ADMIN_TOKEN");
}

#[test]
fn without_environments_every_environment_is_its_own() {
    let config = load_str(&with(UNLEASH)).expect("valid");
    assert_eq!(config.flags[0].service_env("staging"), Some("staging"));
}

#[test]
fn an_http_service_reads_its_read_and_write() {
    let config = load_str(&with(
        "name = \"home\"\nkind = \"http\"\nrollout_steps = [10, 50, 100]\n\
         read = { url = \"http://flags.internal/{{env}}/flags\", list = \"/flags\", name = \"/name\", enabled = \"/on\", percent = \"/pct\" }\n\
         write = { method = \"put\", url = \"http://flags.internal/{{env}}/{{flag}}\", body = '{\"on\": {{enabled}}, \"pct\": {{percent}}}' }\n\
         auth = { bearer_env = \"FLAGS_TOKEN\" }\n",
    ))
    .expect("valid");
    let f = &config.flags[0];
    assert_eq!(f.rollout_steps, [10, 50, 100]);
    let FlagKind::Http(h) = &f.kind else {
        panic!("http kind");
    };
    assert!(h.read.per_env());
    assert_eq!(h.write.method, "PUT");
    assert!(
        h.write
            .headers
            .iter()
            .any(|(n, v)| n == "Content-Type" && v == "application/json")
    );
}

#[test]
fn an_unknown_kind_suggests_the_near_miss() {
    let lines = rejected(&with("name = \"u\"\nkind = \"unlesh\"\n"));
    assert_problem(
        &lines,
        "shipdeck.toml:20:8: flags[0].kind: ",
        &[
            "unknown flag service kind `unlesh`",
            "did you mean `unleash`?",
        ],
    );
}

#[test]
fn a_token_written_as_a_value_is_refused() {
    let lines = rejected(&with(&format!("{UNLEASH}token = \"abc123\"\n")));
    assert_problem(
        &lines,
        "shipdeck.toml:23:1: flags[0].token: ",
        &["secrets are never values in the file"],
    );
}

#[test]
fn unknown_environments_services_and_keys_are_located() {
    let lines = rejected(&with(&format!(
        "{UNLEASH}environments = {{ prd = \"production\" }}\nservices = {{ apii = [\"x\"] }}\n"
    )));
    assert_problem(
        &lines,
        "shipdeck.toml:23:24: flags[0].environments.prd: ",
        &["no environment named `prd`", "did you mean `prod`?"],
    );
    assert_problem(
        &lines,
        "shipdeck.toml:24:21: flags[0].services.apii: ",
        &["no service named `apii`", "did you mean `api`?"],
    );
}

#[test]
fn an_unknown_key_is_located_and_suggested() {
    let lines = rejected(&with(&format!("{UNLEASH}projet = \"default\"\n")));
    assert_problem(
        &lines,
        "shipdeck.toml:23:1: flags[0].projet: ",
        &["unknown key `projet`", "did you mean `project`?"],
    );
}

#[test]
fn steps_must_ascend_and_stay_within_a_hundred() {
    let lines = rejected(&with(&format!("{UNLEASH}rollout_steps = [5, 1, 150]\n")));
    assert_problem(
        &lines,
        "shipdeck.toml:23:21: flags[0].rollout_steps[1]: ",
        &["ascending order"],
    );
    assert_problem(
        &lines,
        "shipdeck.toml:23:24: flags[0].rollout_steps[2]: ",
        &["a percentage from 0 to 100"],
    );
}

#[test]
fn a_flag_belongs_to_one_service() {
    let text = format!(
        "{HEAD}{SERVICE}\n[[services]]\nname = \"web\"\nrepo = \".\"\ntags = \"web-v*\"\n\n[[flags]]\n{UNLEASH}services = {{ api = [\"x\"], web = [\"x\"] }}\n"
    );
    let lines = rejected(&text);
    assert_problem(
        &lines,
        "shipdeck.toml:28:34: flags[0].services.web[0]: ",
        &["flag `x` is already `api`'s"],
    );
}

#[test]
fn http_templates_and_pointers_are_checked() {
    let lines = rejected(&with(
        "name = \"home\"\nkind = \"http\"\n\
         read = { url = \"http://f/{{flag}}\", list = \"flags\", name = \"/name\", enabled = \"/on\" }\n\
         write = { url = \"http://f/{{flg}}\" }\n",
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:21:16: flags[0].read.url: ",
        &["unknown template variable `{{flag}}`", "known: env"],
    );
    assert_problem(
        &lines,
        "shipdeck.toml:21:44: flags[0].read.list: ",
        &["expected a JSON pointer"],
    );
    assert_problem(
        &lines,
        "shipdeck.toml:22:17: flags[0].write.url: ",
        &[
            "unknown template variable `{{flg}}`",
            "flag, env, enabled, percent",
        ],
    );
}

#[test]
fn an_unset_token_is_a_warning_not_a_failure() {
    let text = with(
        "name = \"u\"\nkind = \"unleash\"\nurl = \"http://u\"\ntoken_env = \"SHIPDECK_TEST_UNSET_FLAGS_91\"\n",
    );
    let config = load_str(&text).expect("valid");
    let found = shipdeck::config::warnings(&config);
    assert!(
        found
            .iter()
            .any(|w| w.contains("`SHIPDECK_TEST_UNSET_FLAGS_91`") && w.contains("flag service `u`")),
        "{found:#?}"
    );
}
