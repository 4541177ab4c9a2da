//! The widths of the learnt spectrum from the model alone: linear response of PCD-k around its
//! fixed point, with no fitted parameter.
//!
//! Write Y = σ_h² WᵀW (so λ = μ² − eig Y) and A = K_φ⁻¹ − σ_h² C, where C = VᵀV/|B| is the
//! chains' estimate of ⟨φφᵀ⟩. One SGD step W ← W + α W A gives exactly
//!
//! ```text
//! Y' = Y + α (A Y + Y A) + α² A Y A.
//! ```
//!
//! At the fixed point Y* = μ² − σ_h² K_φ (λ* = σ_h² κ) A vanishes on average. To first order in
//! the fluctuation δY and in the noise ε = C − K_RBM⁻¹, in the eigenbasis of K_φ (which
//! diagonalises Y* and the chains' covariance Σ = K_RBM⁻¹ = diag 1/λ*),
//!
//! ```text
//! δY'_ij = (1 − γ_ij) δY_ij − α σ_h² (y_i + y_j) ε_ij,    γ_ij = α σ_h² (y_i + y_j)/(λ_i λ_j),
//! Var ε_ij = (1 + δ_ij)/(|B| λ_i λ_j)                    (Isserlis: Σ_ii Σ_jj + Σ_ij²)
//! ```
//!
//! Each matrix element is its own scalar recursion: the noise of different elements is
//! uncorrelated because Σ is diagonal. The chains persist: one block-Gibbs sweep multiplies
//! the mode i of φ by y_i/μ², so after k sweeps ε_ij(t) is an AR(1) sequence with coefficient
//! r_ij = ρ_i ρ_j, ρ_i = (y_i/μ²)^k. The stationary variance of x' = a x + ε with AR(1) noise
//! (Var ε = q, coefficient r) is the solution of the discrete Lyapunov equation
//!
//! ```text
//! Var δY_ij = q_ij (1 + a r) / ((1 − a²)(1 − a r)),   a = 1 − γ_ij,   q_ij = α² σ_h⁴ (y_i + y_j)² Var ε_ij.
//! ```
//!
//! For small γ and r = 0 this is α σ_h² (y_i + y_j)(1 + δ_ij)/(2|B|): the diagonal 2α y/|B|,
//! i.e. σ² = 2 (α/|B|)(μ² − κ) of the book's derivation, the off-diagonal element half of it.
//! The prediction of the *measured* widths is then numerical: [`TheoryEnsemble`] samples
//! Y = Y* + δY with these variances, sorts μ² − eig Y exactly as the training's spectra are
//! sorted, and the same analysis that the data go through is applied to it.

//!
//! * [`response`]: the linear response (the Lyapunov solution, the second-order mean) and the
//!   Gaussian predicted ensemble;
//! * [`predict`]: the prediction of a configuration through the data's analysis, its levels and
//!   the comparison with the data;
//! * [`chains`]: the linearised map driven by simulated chains (the noise's true shape);
//! * [`exact`]: the covariance of trained weights element by element.

pub mod chains;
pub mod exact;
pub mod predict;
pub mod response;

pub use chains::{chain_driven_fluctuations, chain_driven_spectra};
pub use exact::{check_elements, eigenbasis, ElementCheck};
pub use predict::{
    compare, compare_centres, predict_config, predict_config_chain_driven, Comparison,
    TheoryOptions, LEVELS,
};
pub use response::{ar1_driven_variance, Element, LinearResponse, Terms, TheoryEnsemble};
