//! `rmt-sgd density`: the closed-form laws as JSON, for scripting and for checking by hand.

use crate::args;
use crate::output::print_json;
use clap::{Args, Subcommand};
use coulomb_gas::{Density1D, Hoyt, PairDensity, Surmise, TwoSpecies, UnitSurmise};
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
    /// The Hoyt (Nakagami-q) law of the spacing S = 2√(u²+v²), u ~ N(0, A²), v ~ N(0, B²); Eq 31
    /// when A = B.
    Hoyt {
        #[arg(long = "sigma-u", allow_hyphen_values = true, value_parser = args::positive)]
        sigma_u: f64,
        #[arg(long = "sigma-v", allow_hyphen_values = true, value_parser = args::positive)]
        sigma_v: f64,
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

/// A value of the law, or one line saying it is beyond f64 (the laws evaluate in log space
/// where the direct form over- or underflows, so a non-finite value is a true overflow, e.g. a
/// density above 1.8e308 for σ < ~1e-308, or the variance for σ > ~1e154).
fn finite(what: &str, v: f64, params: &str) -> anyhow::Result<f64> {
    if v.is_finite() {
        Ok(v)
    } else {
        anyhow::bail!(
            "{what} is {v}: beyond the range of f64 for {params} (rescale the input or the \
             parameters)"
        )
    }
}

fn evaluate(law: &dyn Density1D, common: &Common, params: &str) -> anyhow::Result<Value> {
    let xs = &common.x.0;
    let mut pdf = Vec::with_capacity(xs.len());
    let mut cdf = Vec::with_capacity(xs.len());
    for &x in xs {
        pdf.push(finite(
            &format!("the pdf at x = {x:?}"),
            law.pdf(x),
            params,
        )?);
        cdf.push(finite(
            &format!("the cdf at x = {x:?}"),
            law.cdf(x),
            params,
        )?);
    }
    let mut out = json!({ "pdf": pdf, "cdf": cdf });
    if common.moments {
        let moment = |name: &str, v: Option<f64>| -> anyhow::Result<Value> {
            match v {
                Some(v) => Ok(json!(finite(&format!("the {name}"), v, params)?)),
                None => Ok(Value::Null),
            }
        };
        out["moments"] = json!({
            "mean": moment("mean", Some(law.mean()))?,
            "variance": moment("variance", Some(law.variance()))?,
            "m4": moment("fourth central moment", law.central_m4())?,
            "u4": moment("U4", law.u4())?,
        });
    }
    Ok(out)
}

pub fn run(cmd: DensityCommand) -> anyhow::Result<()> {
    let value = match &cmd {
        DensityCommand::Pair {
            centre,
            sigma,
            common,
        } => evaluate(
            &PairDensity::new(*centre, *sigma)?,
            common,
            &format!("centre {centre:?}, sigma {sigma:?}"),
        )?,
        DensityCommand::TwoSpecies {
            centre,
            sigma1,
            sigma2,
            common,
        } => {
            // Eq (32) depends on the ratio of the widths: it must be a positive finite number.
            let r = sigma1.min(*sigma2) / sigma1.max(*sigma2);
            if r == 0.0 {
                anyhow::bail!(
                    "sigma1 {sigma1:?} and sigma2 {sigma2:?}: their ratio is beyond the range of \
                     f64 (give widths within a factor 1e300 of each other)"
                );
            }
            evaluate(
                &TwoSpecies::new(*centre, *sigma1, *sigma2)?,
                common,
                &format!("centre {centre:?}, sigma1 {sigma1:?}, sigma2 {sigma2:?}"),
            )?
        }
        DensityCommand::Surmise { sigma_m, common } => evaluate(
            &Surmise::new(*sigma_m)?,
            common,
            &format!("sigma-m {sigma_m:?}"),
        )?,
        DensityCommand::SurmiseUnit { common } => evaluate(&UnitSurmise, common, "the unit law")?,
        DensityCommand::Hoyt {
            sigma_u,
            sigma_v,
            common,
        } => evaluate(
            &Hoyt::new(*sigma_u, *sigma_v)?,
            common,
            &format!("sigma-u {sigma_u:?}, sigma-v {sigma_v:?}"),
        )?,
    };
    print_json(&value)
}
