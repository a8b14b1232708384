//! The board cell's flag fact: how many of the service's flags are on in the environment, and
//! how many of those are dark-launched at a percentage (`⚑ 2 on · 1 at 10%`). Pure.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::flag::FlagValue;

/// The summary of `values` (the service's flags in one environment); `None` without flags.
/// Every flag that is on counts as on; those on at less than 100 % are counted again by their
/// percentage (the dark launches); flags that are off are not counted.
pub fn summary(values: &[FlagValue]) -> Option<String> {
    if values.is_empty() {
        return None;
    }
    let mut on = 0usize;
    let mut dark: BTreeMap<u8, usize> = BTreeMap::new();
    for v in values.iter().filter(|v| v.enabled) {
        on += 1;
        if let Some(p) = v.rollout.filter(|p| *p < 100) {
            *dark.entry(p).or_default() += 1;
        }
    }
    let mut out = format!("⚑ {on} on");
    for (p, n) in &dark {
        let _ = write!(out, " · {n} at {p}%");
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(enabled: bool, rollout: Option<u8>) -> FlagValue {
        FlagValue { enabled, rollout }
    }

    #[test]
    fn on_flags_and_dark_launches_are_counted_apart() {
        let values = [
            v(true, None),
            v(true, Some(100)),
            v(true, Some(10)),
            v(false, Some(50)),
        ];
        assert_eq!(summary(&values).as_deref(), Some("⚑ 3 on · 1 at 10%"));
        assert_eq!(summary(&[v(false, None)]).as_deref(), Some("⚑ 0 on"));
        assert_eq!(summary(&[]), None);
        assert_eq!(
            summary(&[v(true, Some(5)), v(true, Some(10)), v(true, Some(5))]).as_deref(),
            Some("⚑ 3 on · 2 at 5% · 1 at 10%")
        );
    }
}
