//! Who is acting: `SHIPDECK_USER`, else `git config user.email`, else the OS user name.

use std::path::Path;

use crate::domain::sanitize::sanitize;

/// The actor recorded on events.
pub fn current(dir: &Path) -> String {
    if let Ok(user) = std::env::var("SHIPDECK_USER") {
        let user = sanitize(user.trim());
        if !user.is_empty() {
            return user;
        }
    }
    if let Some(email) = crate::git::config_user_email(dir) {
        let email = sanitize(email.trim());
        if !email.is_empty() {
            return email;
        }
    }
    for var in ["USER", "LOGNAME", "USERNAME"] {
        if let Ok(user) = std::env::var(var) {
            let user = sanitize(user.trim());
            if !user.is_empty() {
                return user;
            }
        }
    }
    "unknown".to_string()
}
