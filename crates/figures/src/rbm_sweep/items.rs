//! The sweep's work items: one realisation's result ([`Item`]), its journal and shard-file
//! records, computing a block of items, and reading merged shard files back.

use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use rbm::{Outcome, Snapshot, Sweep, LANES, N};
use runner::{decode_float, encode_floats, write_shard, Finished, Plan, Record, Shard, ShardRun};

use super::{SweepConfig, NAME};
use crate::registry::{Context, Profile};

/// One realisation's result as journalled and as a row of a shard file (the final weights are
/// not kept). Fields: `diverged_at` (empty when learnt), `lambda1..lambdaN` (λ ascending, empty
/// when diverged), then per snapshot `sJ_epoch, sJ_lambda1..sJ_lambdaN`.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// Trained to the end: final λ and the snapshots.
    Learnt {
        /// λ ascending.
        lambda: [f64; N],
        /// The snapshots, in epoch order.
        snapshots: Vec<Snapshot>,
    },
    /// Dropped at this epoch (non-finite weights).
    Diverged {
        /// First epoch with non-finite weights.
        epoch: usize,
        /// Snapshots configured (to pad the row to the common width).
        snapshots: usize,
    },
}

impl Item {
    /// The item of an outcome of an experiment with `snapshots` snapshot epochs.
    pub fn from_outcome(o: &Outcome, snapshots: usize) -> Self {
        match o {
            Outcome::Learnt(r) => Item::Learnt {
                lambda: r.lambda,
                snapshots: r.snapshots.clone(),
            },
            Outcome::Diverged { epoch, .. } => Item::Diverged {
                epoch: *epoch,
                snapshots,
            },
        }
    }

    /// λ when learnt.
    pub fn lambda(&self) -> Option<&[f64; N]> {
        match self {
            Item::Learnt { lambda, .. } => Some(lambda),
            Item::Diverged { .. } => None,
        }
    }
}

impl Record for Item {
    fn encode(&self) -> String {
        match self {
            Item::Learnt { lambda, snapshots } => {
                let mut s = format!(",{}", encode_floats(lambda));
                for snap in snapshots {
                    s.push_str(&format!(",{},{}", snap.epoch, encode_floats(&snap.lambda)));
                }
                s
            }
            Item::Diverged { epoch, snapshots } => {
                format!("{epoch}{}", ",".repeat(N + snapshots * (N + 1)))
            }
        }
    }

    fn decode(fields: &str) -> anyhow::Result<Self> {
        let f: Vec<&str> = fields.split(',').collect();
        if f.len() < 1 + N || !(f.len() - 1 - N).is_multiple_of(N + 1) {
            bail!("{} fields, expected 1 + {N} + k·{}", f.len(), N + 1);
        }
        let snapshots = (f.len() - 1 - N) / (N + 1);
        if !f[0].is_empty() {
            let epoch = f[0]
                .parse()
                .with_context(|| format!("diverged_at '{}' is not an epoch", f[0]))?;
            return Ok(Item::Diverged { epoch, snapshots });
        }
        let arr = |v: &[&str]| -> anyhow::Result<[f64; N]> {
            let mut a = [0.0; N];
            for (x, s) in a.iter_mut().zip(v) {
                *x = decode_float(s)?;
            }
            Ok(a)
        };
        let lambda = arr(&f[1..=N])?;
        let snapshots = f[1 + N..]
            .chunks(N + 1)
            .map(|c| {
                Ok(Snapshot {
                    epoch: c[0]
                        .parse()
                        .with_context(|| format!("snapshot epoch '{}'", c[0]))?,
                    lambda: arr(&c[1..])?,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Item::Learnt { lambda, snapshots })
    }
}

/// A work item of the figures' sweep: the sweep's configuration hash (so that shards of
/// different configurations cannot be mixed) and the realisation's result.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepItem {
    /// First 16 hex digits of the sweep's configuration hash.
    pub sweep: String,
    /// The result.
    pub item: Item,
}

impl Record for SweepItem {
    fn encode(&self) -> String {
        format!("{},{}", self.sweep, self.item.encode())
    }

    fn decode(fields: &str) -> anyhow::Result<Self> {
        let (sweep, rest) = fields
            .split_once(',')
            .context("expected a sweep hash and the realisation's fields")?;
        Ok(SweepItem {
            sweep: sweep.to_string(),
            item: Item::decode(rest)?,
        })
    }
}

/// Header of a shard file (and of the merged `items.csv`): `item,sweep,diverged_at,lambda1..N`,
/// then `sJ_epoch,sJ_lambda1..N` for each of the `snapshots` snapshots.
pub fn items_header(snapshots: usize) -> String {
    let mut h = vec!["item".to_string(), "sweep".into(), "diverged_at".into()];
    h.extend((1..=N).map(|i| format!("lambda{i}")));
    for j in 1..=snapshots {
        h.push(format!("s{j}_epoch"));
        h.extend((1..=N).map(|i| format!("s{j}_lambda{i}")));
    }
    h.join(",")
}

/// Snapshots per realisation (the same for every point of the grid).
fn snapshot_count(sweep: &Sweep) -> usize {
    sweep
        .points
        .first()
        .map_or(0, |p| Sweep::snapshots(p.hyper.epochs).len())
}

/// The hash identifying the sweep's items: first 16 hex digits of its configuration hash.
fn sweep_hash(cfg: &SweepConfig, profile: Profile) -> anyhow::Result<String> {
    let ctx = Context::new(profile, PathBuf::new(), false);
    let mut h = ctx.config_hash(NAME, cfg)?;
    h.truncate(16);
    Ok(h)
}

/// Trains the items `range` of the sweep, resuming from (and appending to) `journal`.
pub fn compute_items(
    cfg: &SweepConfig,
    profile: Profile,
    range: Range<u64>,
    journal: &Path,
) -> anyhow::Result<Finished<SweepItem>> {
    let sweep = &cfg.sweep;
    if sweep.realisations == 0 {
        bail!("the sweep has no realisations");
    }
    let hash = sweep_hash(cfg, profile)?;
    let experiments = sweep
        .points
        .iter()
        .map(|p| sweep.experiment(p))
        .collect::<Result<Vec<_>, _>>()?;
    let snaps = snapshot_count(sweep);
    let key = |i: u64| sweep.item(i).0 as u64;
    let cost = |i: u64| {
        let h = sweep.points[sweep.item(i).0].hyper;
        (h.epochs * h.batch) as u64
    };
    let plan = Plan {
        label: NAME,
        journal: journal.to_path_buf(),
        params: serde_json::json!({
            "sweep": "figures rbm",
            "profile": profile,
            "config_hash": hash,
            "items": [range.start, range.end],
        }),
        items: range,
        group: LANES,
        key: &key,
        cost: &cost,
    };
    runner::run(&plan, |r| {
        let (p, first) = sweep.item(r.start);
        let run = experiments[p].run(first..first + (r.end - r.start), None);
        Ok(run
            .outcomes
            .iter()
            .map(|o| SweepItem {
                sweep: hash.clone(),
                item: Item::from_outcome(o, snaps),
            })
            .collect())
    })
}

/// Writes items as a shard file (the run's provenance, header [`items_header`], one row per
/// item) atomically; `rmt-sgd merge` checks the provenance and drops it.
fn write_items(
    path: &Path,
    cfg: &SweepConfig,
    profile: Profile,
    shard: Shard,
    items: &[(u64, SweepItem)],
) -> anyhow::Result<()> {
    let rows = items.iter().map(|(i, it)| format!("{i},{}", it.encode()));
    let run = ShardRun {
        command: "figures rbm",
        params: serde_json::json!({
            "profile": profile,
            "config_hash": sweep_hash(cfg, profile)?,
            "seed": cfg.sweep.seed,
        }),
        total: cfg.sweep.items(),
        index_added: false,
    };
    let header = items_header(snapshot_count(&cfg.sweep));
    write_shard(path, &run, shard, &header, rows)?;
    Ok(())
}

/// `all --shard k/n`: trains shard `k` of `n` of the profile's sweep (resuming its journal) and
/// writes `<out>/rbm/shards/items-k-of-n.csv`; returns its path.
pub fn run_shard(ctx: &Context, shard: Shard) -> anyhow::Result<PathBuf> {
    let cfg = SweepConfig::for_profile(ctx.profile);
    let dir = ctx.figure_dir(NAME)?.join("shards");
    shard_with(&cfg, ctx.profile, &dir, shard)
}

/// [`run_shard`] for any sweep configuration, writing into `dir`.
pub fn shard_with(
    cfg: &SweepConfig,
    profile: Profile,
    dir: &Path,
    shard: Shard,
) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let out = dir.join(format!("items-{}-of-{}.csv", shard.k, shard.n));
    runner::check_output(&out)?;
    let range = shard.range(cfg.sweep.items())?;
    let done = compute_items(cfg, profile, range, &runner::journal_path(&out))?;
    write_items(&out, cfg, profile, shard, &done.items)?;
    eprintln!("{}", done.log_line(&format!("{NAME} shard {shard}")));
    done.remove_journal()?;
    Ok(out)
}

/// Reads a merged items file of the whole sweep, checking its header, that every row belongs
/// to this sweep configuration and that every item is there exactly once.
pub fn read_items(
    path: &Path,
    cfg: &SweepConfig,
    profile: Profile,
) -> anyhow::Result<Vec<(u64, SweepItem)>> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {shown}"))?;
    let mut lines = text.lines();
    let header = items_header(snapshot_count(&cfg.sweep));
    if lines.next() != Some(header.as_str()) {
        bail!("{shown}: not the items file of this sweep (expected the header '{header}')");
    }
    let hash = sweep_hash(cfg, profile)?;
    let total = cfg.sweep.items();
    let mut items = Vec::with_capacity(total as usize);
    for (n, line) in lines.enumerate() {
        let (i, fields) = line.split_once(',').unwrap_or((line, ""));
        let i: u64 = i
            .parse()
            .with_context(|| format!("{shown} line {}: '{i}' is not an item", n + 2))?;
        let it = SweepItem::decode(fields)
            .with_context(|| format!("{shown} line {}: unreadable row", n + 2))?;
        if it.sweep != hash {
            bail!(
                "{shown} line {}: item {i} was computed for another sweep configuration \
                 ({} instead of {hash}): shards of a different profile or version?",
                n + 2,
                it.sweep
            );
        }
        items.push((i, it));
    }
    items.sort_by_key(|x| x.0);
    for (want, (i, _)) in (0..).zip(&items) {
        if *i != want {
            bail!(
                "{shown}: item {} is {} (the sweep has items 0..{total}; merge every shard)",
                if *i > want { want } else { *i },
                if *i > want { "missing" } else { "repeated" }
            );
        }
    }
    if items.len() as u64 != total {
        bail!(
            "{shown}: {} of {total} items (merge every shard)",
            items.len()
        );
    }
    Ok(items)
}
