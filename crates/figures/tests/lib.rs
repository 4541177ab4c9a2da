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

mod verify_paper {
    //! `all --verify-paper` on the committed data (passes) and on copies with one value
    //! changed (fails, naming the file, line and column).

    use std::path::{Path, PathBuf};
    use std::process::{Command, Output};

    use runner::{Manifest, MANIFEST_FILE};

    fn data() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data")
    }

    fn verify_paper(out: &Path, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_all"))
            .arg("--verify-paper")
            .args(args)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap()
    }

    fn stderr(o: &Output) -> String {
        String::from_utf8_lossy(&o.stderr).into_owned()
    }

    /// A copy of the committed paper-profile data (the MANIFEST and the files it lists).
    fn copy_of_data() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        let m = Manifest::read(data().join(MANIFEST_FILE)).unwrap();
        for (rel, _) in m.entries() {
            let to = tmp.path().join(rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(data().join(rel), &to).unwrap();
        }
        std::fs::copy(data().join(MANIFEST_FILE), tmp.path().join(MANIFEST_FILE)).unwrap();
        tmp
    }

    /// Replaces field `col` of line `line` (1-based, header = 1) of the CSV `rel` by `value` and,
    /// with `rehash`, records the new hash in the MANIFEST (as a forger would).
    fn change(dir: &Path, rel: &str, line: usize, col: usize, value: &str, rehash: bool) {
        let path = dir.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let mut fields: Vec<&str> = lines[line - 1].split(',').collect();
        assert_ne!(fields[col], value);
        fields[col] = value;
        lines[line - 1] = fields.join(",");
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        if rehash {
            let mut m = Manifest::read(dir.join(MANIFEST_FILE)).unwrap();
            m.add_file(dir, &path).unwrap();
            m.write(dir.join(MANIFEST_FILE)).unwrap();
        }
    }

    #[test]
    fn passes_on_the_committed_data() {
        let out = verify_paper(
            &data(),
            &["--only", "fig4,fig5,ts_scaling", "--sample", "2"],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("file(s) match"), "{text}");
        assert!(
            text.contains("fig5/samples_{z26,z27}.csv: 4 network(s) re-trained"),
            "{text}"
        );
        assert!(text.contains("verify-paper: OK"), "{text}");
    }

    #[test]
    fn a_changed_value_is_named_by_file_line_and_column() {
        let dir = copy_of_data();
        // Network 3 of the Eq 26 ensemble is line 5; column 2 is x_min. The last digit changed.
        let rel = "fig5/samples_z26.csv";
        let text = std::fs::read_to_string(dir.path().join(rel)).unwrap();
        let old = text
            .lines()
            .nth(4)
            .unwrap()
            .split(',')
            .nth(2)
            .unwrap()
            .to_owned();
        let last = old.chars().last().unwrap();
        let new = format!(
            "{}{}",
            &old[..old.len() - 1],
            if last == '1' { '2' } else { '1' }
        );
        change(dir.path(), rel, 5, 2, &new, true);
        let out = verify_paper(dir.path(), &["--only", "fig5", "--realisations", "3"]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.starts_with("error: fig5/samples_z26.csv line 5 (network 3), column x_min"),
            "{err}"
        );
        // The same file untouched at another network still passes.
        let out = verify_paper(dir.path(), &["--only", "fig5", "--realisations", "4"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }

    /// Realisation 3 of every configuration of the RBM sweep re-trained (~15 s in the test
    /// profile): configurations 0-8 match, the changed λ of configuration 9 is named.
    #[test]
    fn the_rbm_sweep_retrains_and_a_changed_lambda_is_named() {
        let dir = copy_of_data();
        // Configuration 9 (α = 0.08, |B| = 16), realisation 3 is line 9005; column 7 is lambda3.
        let rel = "rbm/lambda.csv";
        let text = std::fs::read_to_string(dir.path().join(rel)).unwrap();
        let line = text.lines().nth(9004).unwrap();
        assert!(line.starts_with("9.0,0.08,16.0,3.0,"), "{line}");
        change(dir.path(), rel, 9005, 7, "5.5", true);
        let out = verify_paper(dir.path(), &["--only", "rbm", "--realisations", "3"]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.starts_with(
                "error: rbm/lambda.csv line 9005 (configuration 9, realisation 3), column lambda3: \
                 committed 5.5, re-trained "
            ),
            "{err}"
        );
    }

    #[test]
    fn a_changed_member_trajectory_is_found() {
        let dir = copy_of_data();
        // Network 1's x_max (column 4) at the third record (line 4).
        change(dir.path(), "fig4/members_z27.csv", 4, 4, "1.5", true);
        let out = verify_paper(dir.path(), &["--only", "fig4", "--realisations", "1"]);
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(
            err.contains("fig4/members_z27.csv line 4 (network 1), column m1_x_max"),
            "{err}"
        );
    }

    #[test]
    fn a_file_that_differs_from_the_manifest_or_is_not_in_it_is_an_error() {
        let dir = copy_of_data();
        change(dir.path(), "rbm/lambda.csv", 2, 5, "1.25", false);
        let out = verify_paper(dir.path(), &["--only", "fig4"]);
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(err.contains("rbm/lambda.csv: sha256"), "{err}");
        assert!(err.contains("MANIFEST"), "{err}");

        let dir = copy_of_data();
        std::fs::write(dir.path().join("fig2/stray.csv"), "x\n1\n").unwrap();
        let out = verify_paper(dir.path(), &["--only", "fig4"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("fig2/stray.csv: not listed in"));
    }

    #[test]
    fn bad_arguments_are_one_line_errors() {
        let out = verify_paper(&data(), &["--only", "fig5", "--realisations", "20000"]);
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(err.contains("--realisations 20000"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        let out = verify_paper(&data(), &["--profile", "quick"]);
        assert_eq!(out.status.code(), Some(2));
        let out = Command::new(env!("CARGO_BIN_EXE_all"))
            .args(["--sample", "3"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "--sample needs --verify-paper");
    }
}
