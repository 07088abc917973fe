#!/usr/bin/env bash
# Runs a sweep through a real Slurm cluster and checks it against a local sequential run (issue: sweeps
# on a cluster scheduler). Installs Debian's slurm-wlm and munge if missing, starts munged, slurmctld and
# slurmd as a one-node cluster on this machine (scripts/slurm/slurm.conf, own ports and state folder),
# then:
#   1. runs examples/sweeps/ci-small.yml (8 tasks) locally, one task at a time: the reference table;
#   2. submits the same spec with `athanor sweep slurm --submit` (a job array, 2 tasks at a time);
#   3. fault test: cancels one array task mid-run (scancel) once it has checkpointed, checks that it
#      stopped partial, requeues it (scontrol requeue) and lets it resume from its checkpoint;
#   4. waits for the array, merges it with `sweep merge --complete`, and asserts that the merged
#      scores.csv equals the local run's byte for byte, and that `sweep status` reports 8 done.
# Needs root (it starts the daemons). `make test` runs this.
# usage: scripts/check-slurm.sh [path to athanor, default .build/release/athanor]
set -euo pipefail
cd "$(dirname "$0")/.."
athanor=$(realpath "${1:-.build/release/athanor}")
spec=$(realpath examples/sweeps/ci-small.yml)
[ "$(id -u)" -eq 0 ] || { echo "check-slurm: needs root to start the Slurm daemons" >&2; exit 1; }

missing=()
for p in slurm-wlm munge; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "check-slurm: installing ${missing[*]} …" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

work=$(mktemp -d /tmp/athanor-slurm.XXXXXX)
state="$work/state"; mkdir -p "$state/ctld" "$state/d"
cleanup() {
  for d in slurmd slurmctld; do [ -f "$state/$d.pid" ] && kill "$(cat "$state/$d.pid")" 2>/dev/null || true; done
  sleep 1
  rm -rf "$work"
}
trap cleanup EXIT

# munge: the key Debian's package made, and one daemon (reused when one already answers).
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  [ -s /etc/munge/munge.key ] || { dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; chmod 400 /etc/munge/munge.key; }
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge
  runuser -u munge -- /usr/sbin/munged
  munge -n | unmunge >/dev/null
fi

host=$(hostname -s)
cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
sed -e "s|@HOST@|$host|g" -e "s|@CPUS@|$cpus|g" -e "s|@MEMORY@|$memory|g" -e "s|@STATE@|$state|g" \
    -e "s|@CTLD_PORT@|16817|g" -e "s|@D_PORT@|16818|g" scripts/slurm/slurm.conf > "$work/slurm.conf"
export SLURM_CONF="$work/slurm.conf"
slurmctld -c
slurmd -c
for _ in $(seq 60); do
  [ "$(sinfo -h -o %T 2>/dev/null | head -1)" = "idle" ] && break
  sleep 1
done
[ "$(sinfo -h -o %T | head -1)" = "idle" ] || { echo "check-slurm: the node did not come up" >&2; tail -5 "$state"/*.log >&2; exit 1; }
echo "check-slurm: one-node cluster up ($host, $cpus CPUs, Slurm $(sinfo -V | awk '{print $2}'))"

# 1. The reference: every task in this process's order, one at a time.
"$athanor" sweep local "$spec" --root "$work/local" --jobs 1 >/dev/null

# 2. The same spec as a job array.
job=$("$athanor" sweep slurm "$spec" --root "$work/slurm" --array-limit 2 --submit)
echo "check-slurm: submitted job array $job"

# 3. Cancel task 6 (DQN) once it runs and has written a checkpoint, then requeue it.
victim=6
for _ in $(seq 600); do
  if [ -f "$work/slurm/ci-small/tasks/$victim/run/checkpoint.safetensors" ] && \
     squeue -h -r -j "${job}_$victim" -o %T 2>/dev/null | grep -q RUNNING; then break; fi
  sleep 0.1
done
scancel "${job}_$victim"
for _ in $(seq 100); do squeue -h -r -j "${job}_$victim" -o %T 2>/dev/null | grep -q . || break; sleep 0.3; done
status=$("$athanor" sweep status "$spec" --root "$work/slurm" --json)
victim_state=$(python3 -c "import json,sys; print(json.load(sys.stdin)['tasks'][$victim]['state'])" <<<"$status")
[ "$victim_state" = "partial" ] || { echo "check-slurm: the cancelled task is '$victim_state', not partial" >&2; exit 1; }
echo "check-slurm: task $victim cancelled mid-run (partial, checkpoint kept); requeueing it"
scontrol requeue "${job}_$victim"
scontrol update jobid="${job}_$victim" StartTime=now  # Slurm delays a requeued job by two minutes otherwise

# 4. Wait for the array, merge, compare.
for _ in $(seq 1200); do squeue -h -j "$job" 2>/dev/null | grep -q . || break; sleep 0.5; done
if squeue -h -j "$job" | grep -q .; then echo "check-slurm: the array did not finish in 10 minutes" >&2; squeue >&2; exit 1; fi
grep -q "restart 1" "$work/slurm/ci-small/logs/$victim.log" || { echo "check-slurm: task $victim did not run again" >&2; exit 1; }
"$athanor" sweep merge "$spec" --root "$work/slurm" --complete >/dev/null
cmp "$work/local/ci-small/merged/scores.csv" "$work/slurm/ci-small/merged/scores.csv" || {
  echo "check-slurm: the Slurm sweep's merged scores differ from the local run's" >&2
  diff "$work/local/ci-small/merged/scores.csv" "$work/slurm/ci-small/merged/scores.csv" >&2 || true
  exit 1
}
"$athanor" sweep status "$spec" --root "$work/slurm" | tail -1 | grep -q "^8 done" || { echo "check-slurm: sweep status does not report 8 done" >&2; exit 1; }
# Slurm's own view, as `sweep status` reads it (scontrol here: this cluster keeps no accounting database).
slurm_states=$("$athanor" sweep status "$spec" --root "$work/slurm" --json | python3 -c "import json,sys; print(' '.join(str(t['slurm']) for t in json.load(sys.stdin)['tasks']))")
[ "$slurm_states" = "COMPLETED COMPLETED COMPLETED COMPLETED COMPLETED COMPLETED COMPLETED COMPLETED" ] || {
  echo "check-slurm: sweep status reads Slurm's states as '$slurm_states'" >&2; exit 1; }
echo "check-slurm: ok — 8 tasks through Slurm (one cancelled and requeued) merge to the local run's table"
