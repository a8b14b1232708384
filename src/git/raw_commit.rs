//! Reading commit objects the way `git log` reads them: parents and committer date for the walk,
//! author name (`%an`), author date (`%at`) and subject (`%s`) for the changelog. Parsing the raw
//! object ourselves costs a fraction of libgit2's full commit parse, which shows on a changelog
//! of tens of thousands of commits.

use git2::Oid;

use super::repo::timestamp;
use crate::domain::change::Commit;
use crate::domain::sanitize::sanitize;

/// The header fields the history walk needs.
pub(super) struct WalkFields {
    /// The root tree (what a path-limited walk compares).
    pub tree: Oid,
    pub parents: Vec<Oid>,
    /// Committer date, the walk's ordering key (git's `commit->date`).
    pub time: i64,
}

/// Parents and committer date from a raw commit object; `None` if it is malformed.
pub(super) fn walk_fields(data: &[u8]) -> Option<WalkFields> {
    let mut parents = Vec::new();
    let mut time = 0;
    let mut tree = None;
    for line in header_lines(data) {
        if let Some(hex) = line.strip_prefix(b"tree ") {
            tree = Oid::from_str(std::str::from_utf8(hex).ok()?).ok();
        } else if let Some(hex) = line.strip_prefix(b"parent ") {
            parents.push(Oid::from_str(std::str::from_utf8(hex).ok()?).ok()?);
        } else if let Some(ident) = line.strip_prefix(b"committer ") {
            time = ident_time(ident);
        }
    }
    Some(WalkFields {
        tree: tree?,
        parents,
        time,
    })
}

/// The changelog entry of a raw commit object: author name and date, and the subject (the first
/// paragraph, lines joined by spaces), all sanitized.
pub(super) fn change(oid: Oid, data: &[u8]) -> Commit {
    let mut author: &[u8] = b"";
    for line in header_lines(data) {
        if let Some(ident) = line.strip_prefix(b"author ") {
            author = ident;
            break;
        }
    }
    let name_end = author.iter().position(|&b| b == b'<').unwrap_or(0);
    Commit {
        commit: oid.to_string(),
        author: sanitize(&String::from_utf8_lossy(trim_end(&author[..name_end]))),
        date: timestamp(ident_time(author)),
        summary: sanitize(&String::from_utf8_lossy(&subject(message(data)))),
    }
}

/// The header's lines, up to the blank line before the message.
fn header_lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let end = find_blank_line(data).unwrap_or(data.len());
    data[..end].split(|&b| b == b'\n')
}

fn find_blank_line(data: &[u8]) -> Option<usize> {
    data.windows(2).position(|w| w == b"\n\n")
}

fn message(data: &[u8]) -> &[u8] {
    find_blank_line(data).map_or(&[], |i| &data[i + 2..])
}

/// The seconds after an ident's last `>` (`Name <email> 1700000000 +0100`), 0 when absent.
fn ident_time(ident: &[u8]) -> i64 {
    let Some(close) = ident.iter().rposition(|&b| b == b'>') else {
        return 0;
    };
    let digits = ident[close + 1..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit());
    digits.fold(0i64, |n, &d| {
        n.saturating_mul(10).saturating_add(i64::from(d - b'0'))
    })
}

/// git's `%s`: blank lines skipped, then the lines up to the next blank (whitespace-only) line,
/// each without trailing whitespace, joined by single spaces.
fn subject(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut started = false;
    for line in message.split(|&b| b == b'\n') {
        let line = trim_end(line);
        if line.is_empty() {
            if started {
                break;
            }
            continue;
        }
        if started {
            out.push(b' ');
        }
        out.extend_from_slice(line);
        started = true;
    }
    out
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    &bytes[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAW: &[u8] = concat!(
        "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n",
        "parent 1111111111111111111111111111111111111111\n",
        "parent 2222222222222222222222222222222222222222\n",
        "author Ann Author  <ann@example.com> 1700000000 +0100\n",
        "committer Cy Committer <cy@example.com> 1700000300 -0500\n",
        "gpgsig -----BEGIN PGP SIGNATURE-----\n",
        " \n",
        " parent 3333333333333333333333333333333333333333\n",
        " -----END PGP SIGNATURE-----\n",
        "\n",
        "\n",
        "  feat: first line   \n",
        "continues here\n",
        " \n",
        "body\n",
    )
    .as_bytes();

    #[test]
    fn walk_fields_are_the_parents_and_the_committer_date() {
        let fields = walk_fields(RAW).expect("parses");
        assert_eq!(fields.parents.len(), 2);
        assert_eq!(fields.parents[1].to_string(), "2".repeat(40));
        assert_eq!(fields.time, 1_700_000_300);
    }

    #[test]
    fn change_takes_author_name_and_date_and_the_first_paragraph() {
        let change = change(Oid::zero(), RAW);
        assert_eq!(change.author, "Ann Author");
        assert_eq!(change.date.as_second(), 1_700_000_000);
        assert_eq!(change.summary, "  feat: first line continues here");
    }

    #[test]
    fn a_commit_without_a_message_has_an_empty_subject() {
        let raw = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 2 +0000\n";
        let change = change(Oid::zero(), raw);
        assert_eq!(change.summary, "");
        assert_eq!(change.author, "A");
        assert_eq!(walk_fields(raw).expect("parses").time, 2);
    }
}
