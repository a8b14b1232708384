//! Every integration test: the headless command line, the engine, the domain and the console's
//! Elm core against real repositories, files and loopback servers. One binary, one module per
//! file; shared helpers in ../support.

#[path = "../support/common/mod.rs"]
mod common;
#[path = "../support/config_support/mod.rs"]
mod config_support;
#[path = "../support/demo_support/mod.rs"]
mod demo_support;
#[path = "../support/deploy_support/mod.rs"]
mod deploy_support;
#[path = "../support/domain_support/mod.rs"]
mod domain_support;
#[path = "../support/e2e_support/mod.rs"]
mod e2e_support;
#[path = "../support/flags_support/mod.rs"]
mod flags_support;
#[path = "../support/git_support/mod.rs"]
mod git_support;
#[path = "../support/gitlog_support/mod.rs"]
mod gitlog_support;
#[path = "../support/notes_support/mod.rs"]
mod notes_support;
#[path = "../support/probe_support/mod.rs"]
mod probe_support;
#[path = "../support/sign_support/mod.rs"]
mod sign_support;
#[path = "../support/traffic_support/mod.rs"]
mod traffic_support;
#[path = "../support/trains_support/mod.rs"]
mod trains_support;
#[path = "../support/tui_support/mod.rs"]
mod tui_support;

mod cli_core;
mod cli_gitops;
mod cli_live;
mod cli_webhook;
mod config_gitops;
mod config_load;
mod config_rejections;
mod demo_config;
mod demo_environments;
mod demo_repo;
mod deploy_command;
mod deploy_git;
mod deploy_http;
mod deploy_secrets;
mod deploy_trust;
mod deploy_webhook;
mod domain_checklist;
mod domain_drift;
mod domain_gates;
mod domain_ledger;
mod domain_notes;
mod domain_window;
mod flags_config;
mod flags_console;
mod flags_http;
mod flags_unleash;
mod fuzz_inputs;
mod git_history;
mod git_releases;
mod git_tag_cache;
mod git_tags;
mod gitlog_concurrency;
mod gitlog_signed;
mod gitlog_team;
mod insights_console;
mod insights_demo;
mod insights_known_answers;
mod notes_channels;
mod notes_console;
mod notes_draft;
mod notes_edit;
mod notes_ledger;
mod notes_publish;
mod onboarding;
mod probe_engine;
mod probe_faults;
mod probe_http;
mod security_console;
mod security_deploy;
mod security_exec;
mod security_log;
mod security_publish;
mod sign_config;
mod sign_gate;
mod sign_gate_domain;
mod sign_verify_approvals;
mod sign_webhook;
mod store_concurrency;
mod store_log;
mod store_read_only;
mod traffic_caddy;
mod traffic_config;
mod traffic_console;
mod traffic_console_live;
mod traffic_faults;
mod traffic_haproxy;
mod trains_approvals;
mod trains_console;
mod trains_demo;
mod trains_paths;
mod trains_unreleased;
mod truth_board;
mod truth_console;
mod truth_headless;
mod truth_notes;
mod truth_ready;
mod truth_record;
mod truth_running;
mod truth_server;
mod truth_soak;
mod tui_snapshots;
mod tui_update;
