//! The end-to-end and reliability tests: the release binary driven in tmux, killed, starved
//! and scaled. One binary, one module per file; shared helpers in ../support.

#[path = "../support/common/mod.rs"]
mod common;
#[path = "../support/e2e_support/mod.rs"]
mod e2e_support;
#[path = "../support/reliability_support/mod.rs"]
mod reliability_support;
#[path = "../support/tui_support/mod.rs"]
mod tui_support;

mod flags_console_e2e;
mod insights_e2e;
mod notes_tui_e2e;
mod reliability_endpoints;
mod reliability_full_disk;
mod reliability_hostile;
mod reliability_kill;
mod reliability_read_only;
mod scale_board;
mod traffic_console_e2e;
mod trains_console_e2e;
mod truth_console_e2e;
mod tui_e2e;
