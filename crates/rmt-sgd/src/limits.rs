//! Size limits: every command estimates, from its flags alone and before allocating anything,
//! the memory and the work a run asks for, and refuses one beyond the limits with one line
//! naming the limit, the estimate, the flags behind it and the flag that raises it. The
//! estimates are rough (within a small factor) and computed in f64, so no product of flags can
//! overflow; their purpose is to stop a mistyped flag (`--batch 100000000`, `--n 10000`) from
//! aborting on allocation or running for years, not to budget a run.

use clap::Args;

use crate::args;

/// Default `--max-memory-gb`.
pub const DEFAULT_MAX_MEMORY_GB: f64 = 4.0;
/// Default `--max-work`: about a day of one core at ~1e9 floating-point operations a second.
pub const DEFAULT_MAX_WORK: f64 = 1e14;

/// `--max-memory-gb` and `--max-work`, shared by the commands that run simulations.
#[derive(Args, Debug, Clone, Copy)]
pub struct Limits {
    /// Refuse a run estimated (from its flags, before starting) to need more memory than this,
    /// in GiB. Raise it for a larger run on a machine that has the memory.
    #[arg(long = "max-memory-gb", default_value_t = DEFAULT_MAX_MEMORY_GB, value_parser = args::positive)]
    pub max_memory_gb: f64,
    /// Refuse a run estimated to take more floating-point operations than this (the default,
    /// 1e14, is about a day of one core). Raise it for a larger run.
    #[arg(long = "max-work", default_value_t = DEFAULT_MAX_WORK, value_parser = args::positive)]
    pub max_work: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_memory_gb: DEFAULT_MAX_MEMORY_GB,
            max_work: DEFAULT_MAX_WORK,
        }
    }
}

/// What a run asks for: memory in bytes and work in floating-point operations, with the flags
/// that set them (named in the error).
pub struct Estimate<'a> {
    pub command: &'a str,
    pub memory_bytes: f64,
    pub work: f64,
    pub flags: String,
}

impl Limits {
    /// Refuses `e` if it exceeds a limit.
    pub fn check(&self, e: &Estimate) -> anyhow::Result<()> {
        let gib = e.memory_bytes / (1u64 << 30) as f64;
        if gib.is_nan() || gib > self.max_memory_gb {
            anyhow::bail!(
                "{}: {} needs about {} GiB of memory, above the limit of {} GiB (raise it with \
                 --max-memory-gb)",
                e.command,
                e.flags,
                short(gib),
                short(self.max_memory_gb)
            );
        }
        if e.work.is_nan() || e.work > self.max_work {
            anyhow::bail!(
                "{}: {} is about {} floating-point operations, above the limit of {} (about a \
                 day of one core at the default; raise it with --max-work)",
                e.command,
                e.flags,
                short(e.work),
                short(self.max_work)
            );
        }
        Ok(())
    }
}

/// A number in 3 significant digits.
fn short(v: f64) -> String {
    if (0.01..1e5).contains(&v) {
        format!("{}", (v * 100.0).round() / 100.0)
    } else {
        format!("{v:.2e}")
    }
}

/// Worker threads that hold a model's state at once.
pub fn threads() -> f64 {
    std::thread::available_parallelism().map_or(1, |n| n.get()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_beyond_the_limits_with_the_flag_to_raise() {
        let l = Limits::default();
        let e = |m: f64, w: f64| Estimate {
            command: "x",
            memory_bytes: m,
            work: w,
            flags: "--n 3".into(),
        };
        assert!(l.check(&e(1e6, 1e6)).is_ok());
        let m = l.check(&e(1e12, 1.0)).unwrap_err().to_string();
        assert!(m.contains("--max-memory-gb") && m.contains("--n 3"), "{m}");
        let w = l.check(&e(1.0, 1e20)).unwrap_err().to_string();
        assert!(w.contains("--max-work"), "{w}");
        assert!(l.check(&e(f64::INFINITY, 1.0)).is_err());
        assert!(l.check(&e(f64::NAN, 1.0)).is_err());
    }
}
