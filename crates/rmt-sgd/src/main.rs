//! `rmt-sgd`: the command-line face of the workspace. Thin: parse, call the libraries, print.
//!
//! Every failure prints one line `error: ...` naming the problem on stderr and exits with
//! status 2; no output file is left behind (files are written to a temporary name and renamed).

#![forbid(unsafe_code)]

mod analyze;
mod args;
mod dbm;
mod density;
mod limits;
mod merge;
mod output;
mod train;
mod train_ts;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Random matrix theory for stochastic gradient descent.
#[derive(Parser, Debug)]
#[command(name = "rmt-sgd", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Evaluate the closed-form densities (Eqs 11, 31, 32) and their CDFs as JSON.
    #[command(subcommand)]
    Density(density::DensityCommand),
    /// Simulate Dyson Brownian motion (Eq 5) with V_i = Ω_i (x_i − c_i)²/2; write final eigenvalues.
    Dbm(dbm::DbmArgs),
    /// Train ensembles of a model (`train rbm`, `train ts`) and write their learnt spectra.
    #[command(subcommand)]
    Train(train::TrainCommand),
    /// Analyse weight matrices or spectra (.npz/.npy/.csv): peak fits (Eqs 11, 32), U4, spacings, --scaling.
    Analyze(analyze::AnalyzeArgs),
    /// Join the CSV outputs of `--shard k/n` runs (byte-identical to the unsharded output).
    Merge(merge::MergeArgs),
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Density(cmd) => density::run(cmd),
        Command::Dbm(args) => dbm::run(args),
        Command::Train(cmd) => train::run(cmd),
        Command::Analyze(args) => analyze::run(args),
        Command::Merge(args) => merge::run(args),
    }
}

/// Clap's error as one line, without the usage block: its first line, joined with the indented
/// lines that complete it (the names of missing required arguments follow
/// "the following required arguments were not provided:" on lines of their own).
fn one_line(text: &str) -> String {
    let mut lines = text.lines();
    let mut out = lines
        .next()
        .unwrap_or("error: invalid arguments")
        .to_string();
    for l in lines.take_while(|l| l.starts_with(char::is_whitespace) && !l.trim().is_empty()) {
        out.push(' ');
        out.push_str(l.trim());
    }
    out
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
                || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            {
                let _ = e.print();
                return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                };
            }
            eprintln!("{}", one_line(&e.render().to_string()));
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // anyhow's alternate form joins the context chain on one line.
            eprintln!("error: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn a_missing_argument_is_named_on_the_one_line() {
        let e = Cli::try_parse_from(["rmt-sgd", "merge", "a.csv"]).unwrap_err();
        let line = one_line(&e.render().to_string());
        assert_eq!(
            line,
            "error: the following required arguments were not provided: --out <OUT>"
        );
        let e = Cli::try_parse_from(["rmt-sgd", "merge", "--out", "x", "--bogus"]).unwrap_err();
        let line = one_line(&e.render().to_string());
        assert!(
            line.starts_with("error: unexpected argument '--bogus'"),
            "{line}"
        );
        assert!(!line.contains("Usage"), "{line}");
    }
}
