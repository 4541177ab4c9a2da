#!/bin/bash
# Build once on the login node, then queue the array job and the dependent merge + analysis job.
# Usage: scripts/slurm/submit-rbm-paper.sh [SHARDS]   (default 8)
set -euo pipefail
cd "$(dirname "$0")/../.."
shards="${1:-8}"
cargo build --release -p figures --bin all -p rmt-sgd
mkdir -p logs
array=$(sbatch --parsable --array=1-"${shards}" scripts/slurm/rbm-paper.sbatch)
sbatch --dependency=afterok:"${array}" --export=ALL,SHARDS="${shards}" \
    scripts/slurm/rbm-paper-merge.sbatch
echo "queued array job ${array} (${shards} shards) and its merge"
