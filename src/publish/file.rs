//! The `file` channel: the markdown written to a (templated) path, whole or not at all.

use std::path::{Component, Path};

use crate::deploy::secret::{load_known, shown};
use crate::domain::template::{CHANNEL_NAMES, Vars, expand_in};

use super::Message;

/// Writes the markdown beside the target and renames it into place, so a reader never sees
/// half of it. Returns (the path, the outcome).
pub(super) fn write(
    template: &str,
    vars: &Vars,
    message: &Message,
) -> (String, Result<String, String>) {
    let known = load_known(&message.known_secrets);
    let secrets: Vec<_> = known.iter().collect();
    let relative = match expand_in(template, vars, CHANNEL_NAMES, str::to_string) {
        Ok(p) => p,
        Err(e) => {
            return (
                shown(template, &secrets),
                Err(format!("path template: {e}")),
            );
        }
    };
    // A release name comes from a tag: it must not walk out of the directory it names.
    if Path::new(&relative)
        .components()
        .any(|c| matches!(c, Component::ParentDir))
        && !template.contains("..")
    {
        return (
            shown(&relative, &secrets),
            Err("the path's values would leave its directory (`..`)".to_string()),
        );
    }
    let path = message.workdir.join(&relative);
    let shown_path = shown(&path.display().to_string(), &secrets);
    let result = (|| {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, message.markdown.as_bytes())?;
        std::fs::rename(&tmp, &path)
    })();
    match result {
        Ok(()) => (
            shown_path,
            Ok(format!("wrote {} bytes", message.markdown.len())),
        ),
        Err(e) => (
            shown_path.clone(),
            Err(format!("could not write {shown_path}: {e}")),
        ),
    }
}
