//! Security (#10): what shipdeck sends out and writes, under a hostile log or endpoint: the
//! `file` notes channel's reach, real files and the real binary.

use crate::notes_support;

use notes_support::{project_with, run, stderr};

const USER: &str = "dana@shop.example";

/// Item 3: a `file` channel with an absolute path or a `..` in its template is refused when
/// the configuration is read; a directory on its way that is a symlink (committed in a
/// checkout) is refused when publishing; the victims are untouched; and publishing asks first.
#[test]
fn security_file_channel_writes_only_inside_the_config_directory() {
    let outside = tempfile::tempdir().expect("outside");
    let victim = outside.path().join("bashrc");
    std::fs::write(&victim, "precious\n").expect("victim");
    for path in [
        victim.display().to_string(),
        "notes/../../bashrc".to_string(),
        "../{{release}}.md".to_string(),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        project_with(
            dir.path(),
            &format!("[[channels]]\nname = \"n\"\nkind = \"file\"\npath = \"{path}\"\n"),
        );
        let out = run(dir.path(), USER, &["check"], &[]);
        assert_eq!(out.status.code(), Some(2), "{path}: refused by check");
        assert!(
            stderr(&out).contains("inside the configuration's directory"),
            "{path}: {}",
            stderr(&out)
        );
        let out = run(
            dir.path(),
            USER,
            &["notes", "api", "api-v1.2.0", "--publish", "--yes"],
            &[],
        );
        assert_ne!(out.status.code(), Some(0), "{path}: publish refused");
    }
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious\n"
    );

    // A symlinked directory on the way out.
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(
        dir.path(),
        "[[channels]]\nname = \"n\"\nkind = \"file\"\npath = \"release-notes/bashrc\"\n",
    );
    std::os::unix::fs::symlink(outside.path(), dir.path().join("release-notes")).expect("link");
    let out = run(
        dir.path(),
        USER,
        &["notes", "api", "api-v1.2.0", "--publish", "--yes"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("symlink"),
        "says why: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious\n"
    );

    // The file itself a symlink.
    std::fs::remove_file(dir.path().join("release-notes")).expect("unlink");
    std::fs::create_dir(dir.path().join("release-notes")).expect("dir");
    std::os::unix::fs::symlink(&victim, dir.path().join("release-notes/bashrc")).expect("link");
    let out = run(
        dir.path(),
        USER,
        &["notes", "api", "api-v1.2.0", "--publish", "--yes"],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious\n"
    );

    // Without --yes and without a terminal, nothing is published.
    std::fs::remove_file(dir.path().join("release-notes/bashrc")).expect("unlink");
    let out = run(
        dir.path(),
        USER,
        &["notes", "api", "api-v1.2.0", "--publish"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    assert!(!dir.path().join("release-notes/bashrc").exists());
}
