#!/usr/bin/env bash
# Has two `athanor tune` workers share one Optuna study through Optuna's own command line: both start
# at once on one SQLite storage, each asks for trials (TPE) and reports every evaluation to Optuna's
# MedianPruner until the study holds 8 trials; then checks in Optuna itself (scripts/check_optuna.py)
# that trials 0–7 finished (complete or pruned), that both workers ran some, that every trial's
# evaluations reached the storage, and that the best trial's zoo entry (best.yml) trains with
# `athanor train --config`. Optuna is installed into its own venv on first use (VENV, default
# ~/.venvs/optuna). `make test` runs this.
# usage: scripts/check-optuna.sh [path to athanor, default .build/release/athanor]
set -euo pipefail
cd "$(dirname "$0")/.."
athanor=$(realpath "${1:-.build/release/athanor}")
venv=${VENV:-$HOME/.venvs/optuna}
if ! "$venv/bin/python" -c "import optuna" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "optuna==5.1.0"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
storage="sqlite:///$work/study.db"
worker() {
  OPENBLAS_NUM_THREADS=1 ATHANOR_THREADS=1 "$athanor" tune --agent ppo --env CartPole-v1 --trials 8 --steps 4096 --evaluations 4 --eval-episodes 3 \
    --startup-trials 3 --storage "$storage" --study ci --worker "$1" --optuna "$venv/bin/optuna" --output "$work/report" \
    > "$work/worker$1.out" 2> "$work/worker$1.err"
}
worker 0 & first=$!
worker 1 & second=$!
wait $first || { echo "check-optuna: worker 0 failed:" >&2; cat "$work/worker0.err" >&2; exit 1; }
wait $second || { echo "check-optuna: worker 1 failed:" >&2; cat "$work/worker1.err" >&2; exit 1; }
"$venv/bin/python" scripts/check_optuna.py "$storage" ci 8 "$work/worker0.out" "$work/worker1.out"
OPENBLAS_NUM_THREADS=1 "$athanor" train --agent ppo --env CartPole-v1 --config "$work/report/best.yml" --steps 256 --eval-episodes 1 \
  --out "$work/best-run" --quiet > /dev/null
echo "check-optuna: ok — two workers shared study 'ci' (8 trials, Optuna's TPE and MedianPruner); best.yml trains"
