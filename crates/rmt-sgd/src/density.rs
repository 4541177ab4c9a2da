//! `rmt-sgd density`: the closed-form laws as JSON, for scripting and for checking by hand.

use crate::args;
use crate::output::print_json;
use clap::{Args, Subcommand};
use coulomb_gas::{Density1D, PairDensity, Surmise, TwoSpecies, UnitSurmise};
use serde_json::{json, Value};

/// The laws `rmt-sgd density` evaluates.
#[derive(Subcommand, Debug)]
pub enum DensityCommand {
    /// Eq 11: the two-level density of a degenerate pair, centre c and width σ.
    Pair {
        #[arg(long, allow_hyphen_values = true, value_parser = args::finite)]
        centre: f64,
        #[arg(long, allow_hyphen_values = true, value_parser = args::positive)]
        sigma: f64,
        #[command(flatten)]
        common: Common,
    },
    /// Eq 32: the two-species generalisation, widths σ1 and σ2 (stable form).
    TwoSpecies {
        #[arg(long, allow_hyphen_values = true, value_parser = args::finite)]
        centre: f64,
        #[arg(long, allow_hyphen_values = true, value_parser = args::positive)]
        sigma1: f64,
        #[arg(long, allow_hyphen_values = true, value_parser = args::positive)]
        sigma2: f64,
        #[command(flatten)]
        common: Common,
    },
    /// Eq 31: the Wigner surmise of the spacing S with ⟨S⟩ = √π σ_m.
    Surmise {
        #[arg(long = "sigma-m", allow_hyphen_values = true, value_parser = args::positive)]
        sigma_m: f64,
        #[command(flatten)]
        common: Common,
    },
    /// The unit-mean Wigner surmise (π/2) s exp(−π s²/4).
    SurmiseUnit {
        #[command(flatten)]
        common: Common,
    },
}

/// Options shared by every law.
#[derive(Args, Debug)]
pub struct Common {
    /// Points at which to evaluate: X1,X2,...
    #[arg(long, allow_hyphen_values = true, value_parser = args::list)]
    x: args::List,
    /// Also print the central moments {mean, variance, m4, u4}.
    #[arg(long)]
    moments: bool,
}

fn evaluate(law: &dyn Density1D, common: &Common) -> Value {
    let xs = &common.x.0;
    let pdf: Vec<f64> = xs.iter().map(|&x| law.pdf(x)).collect();
    let cdf: Vec<f64> = xs.iter().map(|&x| law.cdf(x)).collect();
    let mut out = json!({ "pdf": pdf, "cdf": cdf });
    if common.moments {
        out["moments"] = json!({
            "mean": law.mean(),
            "variance": law.variance(),
            "m4": law.central_m4(),
            "u4": law.u4(),
        });
    }
    out
}

pub fn run(cmd: DensityCommand) -> anyhow::Result<()> {
    let value = match &cmd {
        DensityCommand::Pair {
            centre,
            sigma,
            common,
        } => evaluate(&PairDensity::new(*centre, *sigma)?, common),
        DensityCommand::TwoSpecies {
            centre,
            sigma1,
            sigma2,
            common,
        } => evaluate(&TwoSpecies::new(*centre, *sigma1, *sigma2)?, common),
        DensityCommand::Surmise { sigma_m, common } => evaluate(&Surmise::new(*sigma_m)?, common),
        DensityCommand::SurmiseUnit { common } => evaluate(&UnitSurmise, common),
    };
    print_json(&value)
}
