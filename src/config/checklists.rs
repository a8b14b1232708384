//! `[checklists.NAME]` and the built-in templates they may replace.

use std::collections::BTreeMap;

use toml::de::DeTable;

use super::doc::{Doc, Node};
use super::raw;
use super::values::{Unique, name};
use crate::domain::config::{AutoTick, ChecklistItem, ChecklistTemplate, Stage};

/// The built-in templates' source, embedded in the binary.
const BUILTIN: &str = include_str!("../../assets/checklists/production-release.toml");
const BUILTIN_FILE: &str = "assets/checklists/production-release.toml";

/// The built-in checklist templates by name (today: `production-release`).
pub fn builtin_checklists() -> BTreeMap<String, ChecklistTemplate> {
    let (templates, problems) = read_source(BUILTIN, BUILTIN_FILE);
    // The asset is part of the binary and pinned by a test; a problem here is a build mistake.
    assert!(
        problems.is_empty(),
        "the built-in checklist asset is invalid: {problems:?}"
    );
    templates
}

/// Reads a file whose only content is `[checklists.*]` tables.
fn read_source(src: &str, file: &str) -> (BTreeMap<String, ChecklistTemplate>, Vec<String>) {
    let mut doc = Doc::new(src, file);
    let templates = match DeTable::parse(src) {
        Ok(root) => root
            .get_ref()
            .get("checklists")
            .map(|node| checklists(&mut doc, node))
            .unwrap_or_default(),
        Err(err) => {
            doc.report_toml(&err, None, "");
            BTreeMap::new()
        }
    };
    let problems = doc.problems.iter().map(ToString::to_string).collect();
    (templates, problems)
}

/// Reads the `checklists` table: one template per key.
pub fn checklists(doc: &mut Doc<'_>, node: &Node<'_>) -> BTreeMap<String, ChecklistTemplate> {
    let mut out = BTreeMap::new();
    let Some(table) = doc.table(node, "checklists") else {
        return out;
    };
    for (key, value) in table {
        let path = format!("checklists.{}", key.get_ref());
        let list_name = name(
            doc,
            &toml::Spanned::new(key.span(), key.get_ref().to_string()),
            &path,
        );
        if doc.read::<raw::Checklist>(value, &path).is_none() {
            continue;
        }
        let Some(items_node) = doc.table(value, &path).and_then(|t| t.get("items")) else {
            continue;
        };
        let items_path = format!("{path}.items");
        let Some(nodes) = doc.array(items_node, &items_path) else {
            continue;
        };
        let mut ids = Unique::new("checklist item id");
        let mut items = Vec::new();
        for (i, item_node) in nodes.iter().enumerate() {
            let item_path = format!("{items_path}[{i}]");
            let Some(item) = doc.read::<raw::ChecklistItem>(item_node, &item_path) else {
                continue;
            };
            let id = name(doc, &item.id, &format!("{item_path}.id"));
            ids.check(doc, &id, &item.id.span(), &format!("{item_path}.id"));
            if item.title.get_ref().trim().is_empty() {
                doc.report(
                    &item.title.span(),
                    &format!("{item_path}.title"),
                    "expected a title",
                );
            }
            items.push(ChecklistItem {
                id,
                title: item.title.into_inner(),
                help: item.help,
                stage: match item.stage.unwrap_or(raw::Stage::Before) {
                    raw::Stage::Before => Stage::Before,
                    raw::Stage::After => Stage::After,
                },
                required: item.required.unwrap_or(true),
                auto: item.auto.map(|a| match a {
                    raw::Auto::Tagged => AutoTick::Tagged,
                    raw::Auto::Deployed => AutoTick::Deployed,
                    raw::Auto::Healthy => AutoTick::Healthy,
                    raw::Auto::Published => AutoTick::Published,
                }),
                needs_note: item.needs_note.unwrap_or(false),
            });
        }
        if nodes.is_empty() {
            doc.report(
                &items_node.span(),
                &items_path,
                "expected at least one item",
            );
        }
        out.insert(
            list_name.clone(),
            ChecklistTemplate {
                name: list_name,
                items,
            },
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_production_release_checklist_has_the_ten_fixed_items() {
        let (templates, problems) = read_source(BUILTIN, BUILTIN_FILE);
        assert!(problems.is_empty(), "{problems:?}");
        let list = &templates["production-release"];
        let ids: Vec<&str> = list.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "controls",
                "infrastructure",
                "plan",
                "backout",
                "communications",
                "package",
                "execute",
                "verify",
                "backout-executed",
                "announce"
            ]
        );
        let before = list
            .items
            .iter()
            .filter(|i| i.stage == Stage::Before)
            .count();
        assert_eq!(before, 6);
        assert!(
            list.items
                .iter()
                .all(|i| i.help.as_deref().is_some_and(|h| !h.is_empty()))
        );
        let optional: Vec<&str> = list
            .items
            .iter()
            .filter(|i| !i.required)
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(optional, ["backout-executed"]);
        let auto: Vec<(&str, AutoTick)> = list
            .items
            .iter()
            .filter_map(|i| i.auto.map(|a| (i.id.as_str(), a)))
            .collect();
        assert_eq!(
            auto,
            [
                ("package", AutoTick::Tagged),
                ("execute", AutoTick::Deployed),
                ("verify", AutoTick::Healthy),
                ("announce", AutoTick::Published)
            ]
        );
        assert_eq!(
            list.items[0].title,
            "Review and conform to release controls"
        );
    }
}
