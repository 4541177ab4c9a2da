#!/usr/bin/env bash
# The SLURM scripts on a real cluster: a single-node Slurm (Debian's slurm-wlm and munge) on this
# machine, its daemons started by hand in a scratch directory (no systemd, no cgroups). Submits
# the quick profile's RBM sweep as an array of shards (rbm-paper.sbatch) and the dependent merge
# + analysis job (rbm-paper-merge.sbatch), exactly as submit-rbm-paper.sh does for the paper
# profile, waits for both, and compares every output with a single-machine run of the same
# profile, byte for byte, and with the committed data/quick/MANIFEST. Exit 0 only if all are
# identical.
#
# Usage: scripts/slurm/test-local.sh [SHARDS]   (default 3; `just slurm-test`, CI)
# Installs slurm-wlm and munge with apt-get when they are missing (needs root then). Leaves the
# tree untouched: the daemons' state, the logs and both runs' outputs live in a temporary
# directory, removed at exit with the daemons stopped (RMT_SGD_SLURM_KEEP=1 keeps it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
shards="${1:-3}"
timeout_s="${RMT_SGD_SLURM_TIMEOUT:-1200}"
die() {
    echo "error: $*" >&2
    exit 2
}
[[ $shards =~ ^[1-9][0-9]?$ ]] || die "SHARDS must be a number from 1 to 99, got '$shards'"

# --- install ------------------------------------------------------------------------------------
have() { command -v "$1" >/dev/null 2>&1; }
if ! have slurmctld || ! have slurmd || ! have sbatch || ! have munged; then
    [ "$(id -u)" = 0 ] || die "slurm-wlm and munge are not installed, and installing them needs root"
    echo "installing slurm-wlm and munge (apt-get, --no-install-recommends)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi
slurmctld -V

# --- build (as submit-rbm-paper.sh does on a login node) ----------------------------------------
cargo build --release -p figures --bin all -p rmt-sgd

# --- a one-node cluster in a scratch directory --------------------------------------------------
work="$(mktemp -d /tmp/rmt-sgd-slurm.XXXXXX)"
chmod 755 "$work"
conf="$work/slurm.conf"
export SLURM_CONF="$conf"
cleanup() {
    local rc=$?
    local pids=()
    for f in "$work/slurmd.pid" "$work/slurmctld.pid" "$work/munge/munged.pid"; do
        [ -s "$f" ] && pids+=("$(cat "$f")")
    done
    [ ${#pids[@]} = 0 ] || kill "${pids[@]}" 2>/dev/null || true
    # Wait for the daemons to exit before their directory goes.
    for _ in $(seq 50); do
        kill -0 "${pids[@]}" 2>/dev/null || break
        sleep 0.1
    done
    if [ "$rc" != 0 ]; then
        for log in "$work"/slurmctld.log "$work"/slurmd.log "$work"/logs/*; do
            [ -f "$log" ] && { echo "---- $log (last lines)"; tail -n 15 "$log"; }
        done
    fi
    if [ "${RMT_SGD_SLURM_KEEP:-0}" = 1 ]; then
        echo "kept $work"
    else
        rm -rf "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT

# munge authenticates the daemons and the client commands to each other.
mkdir -p "$work/munge" /run/munge
chown munge:munge "$work/munge" /run/munge 2>/dev/null || true
if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    chown munge:munge /etc/munge/munge.key
    chmod 400 /etc/munge/munge.key
fi
if ! munge -n >/dev/null 2>&1; then
    runuser -u munge -- munged --pid-file="$work/munge/munged.pid" \
        --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed" \
        || munged --force --pid-file="$work/munge/munged.pid" \
            --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed"
fi
for _ in $(seq 50); do munge -n >/dev/null 2>&1 && break; sleep 0.1; done
munge -n | unmunge >/dev/null || die "munge does not work (see $work/munge/munged.log)"

host="$(hostname -s)"
cpus="$(nproc)"
mkdir -p "$work/state" "$work/spool" "$work/logs"
# ANCHOR: config
# No cgroups here: track processes by parent PID (linuxproc), no task binding, no accounting.
cat >"$conf" <<EOF
ClusterName=rmtsgd
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
MailProg=/bin/true
MinJobAge=3600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
# ANCHOR_END: config
slurmctld -f "$conf"
slurmd -f "$conf"
for _ in $(seq 100); do
    state="$(sinfo -h -n "$host" -o %T 2>/dev/null || true)"
    [ "$state" = idle ] && break
    sleep 0.2
done
[ "$state" = idle ] || die "the node did not come up (sinfo says '${state:-nothing}')"
echo "slurm: node $host idle ($cpus CPUs)"

# --- the quick profile on the cluster: array of shards, then the dependent merge ---------------
out="$work/slurm-out"
ref="$work/single-machine"
export RMT_SGD_PROFILE=quick RMT_SGD_OUT="$out"
array=$(sbatch --parsable --array=1-"$shards" --cpus-per-task=1 --time=00:20:00 \
    --output="$work/logs/%x-%A_%a.out" scripts/slurm/rbm-paper.sbatch)
merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes \
    --cpus-per-task="$cpus" --time=00:20:00 --output="$work/logs/%x-%j.out" \
    --export=ALL,SHARDS="$shards" scripts/slurm/rbm-paper-merge.sbatch)
echo "slurm: array job $array ($shards shards), merge job $merge after it"

# Meanwhile, the same profile on this machine alone (the reference).
target/release/all --profile quick --out "$ref" >"$work/logs/single-machine.out" 2>&1 \
    || die "the single-machine run failed (see $work/logs/single-machine.out)"

start=$SECONDS
while squeue -h -j "$array,$merge" 2>/dev/null | grep -q .; do
    ((SECONDS - start < timeout_s)) || die "the jobs did not finish in $timeout_s s"
    sleep 2
done
job_state() { scontrol show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | sort -u | tr '\n' ' '; }
echo "slurm: array $(job_state "$array")"
echo "slurm: merge $(job_state "$merge")"
[ "$(job_state "$merge")" = "JobState=COMPLETED " ] || die "the merge job did not complete"

# --- byte for byte ------------------------------------------------------------------------------
# The shards and the merged items are the cluster run's intermediate files; everything else
# (CSV, JSON, PNG, SVG, numbers.md, MANIFEST) must be identical.
n=$(find "$ref" -type f | wc -l)
diff -r -x shards -x items.csv "$ref" "$out" \
    || die "the cluster run differs from the single-machine run (diff above)"
cmp "$out/MANIFEST" data/quick/MANIFEST \
    || die "the cluster run's MANIFEST differs from the committed data/quick/MANIFEST"
echo "slurm-test: OK, $n file(s) of the sharded cluster run identical to the single-machine run" \
    "and to data/quick/MANIFEST"
