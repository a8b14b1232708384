//! `[[trains]]`: a name and its member services in promotion order, each a declared service,
//! none twice; a train's name is not a service's (train events are recorded under it).

use super::doc::{Doc, Node};
use super::error::{quoted_list, suggestion};
use super::raw;
use super::values::{Unique, name};
use crate::domain::train::Train;

/// Reads the trains; `services` are the declared service names.
pub fn trains(doc: &mut Doc<'_>, items: &[Node<'_>], services: &[String]) -> Vec<Train> {
    let mut names = Unique::new("train");
    let mut out = Vec::new();
    for (i, node) in items.iter().enumerate() {
        let path = format!("trains[{i}]");
        let Some(t) = doc.read::<raw::Train>(node, &path) else {
            continue;
        };
        let train = name(doc, &t.name, &format!("{path}.name"));
        names.check(doc, &train, &t.name.span(), &format!("{path}.name"));
        if services.contains(&train) {
            doc.report(
                &t.name.span(),
                &format!("{path}.name"),
                format!("`{train}` is already a service's name; name the train differently"),
            );
        }
        let mut members: Vec<String> = Vec::new();
        for (k, s) in t.services.get_ref().iter().enumerate() {
            let key = format!("{path}.services[{k}]");
            let member = s.get_ref();
            if !services.contains(member) {
                doc.report(
                    &s.span(),
                    &key,
                    format!(
                        "no service named `{member}`; expected one of {}{}",
                        quoted_list(services.iter().map(String::as_str)),
                        suggestion(member, services.iter().map(String::as_str))
                    ),
                );
            } else if members.contains(member) {
                doc.report(
                    &s.span(),
                    &key,
                    format!("`{member}` is listed twice; a train moves each service once"),
                );
            } else {
                members.push(member.clone());
            }
        }
        if t.services.get_ref().is_empty() {
            doc.report(
                &t.services.span(),
                &format!("{path}.services"),
                "expected at least one service, in promotion order",
            );
        }
        out.push(Train {
            name: train,
            services: members,
        });
    }
    out
}
