//! Integration tests of the `figures` crate (one test binary, modules inside).

#![forbid(unsafe_code)]

mod cli {
    //! The `all` binary's argument handling and error paths (no figure computation here: the
    //! quick-profile run itself is exercised by `.ci/run`).

    use std::process::Command;

    fn all() -> Command {
        Command::new(env!("CARGO_BIN_EXE_all"))
    }

    #[test]
    fn list_succeeds() {
        let out = all().arg("--list").output().unwrap();
        assert!(out.status.success());
        assert!(!out.stdout.is_empty());
    }

    #[test]
    fn unknown_figure_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let out = all()
            .args(["--profile", "quick", "--only", "no-such-figure", "--out"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("unknown figure 'no-such-figure'"), "{err}");
        assert!(!dir.path().join("MANIFEST").exists());
    }

    #[test]
    fn bad_profile_is_an_error() {
        let out = all().args(["--profile", "huge"]).output().unwrap();
        assert!(!out.status.success());
    }

    #[test]
    fn verify_without_manifest_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let out = all()
            .args(["--profile", "quick", "--verify", "--out"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("MANIFEST"), "{err}");
    }
}
