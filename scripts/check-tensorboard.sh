#!/usr/bin/env bash
# Trains two short runs (PPO, and DQN interrupted and resumed) and has TensorBoard read them: its event
# reader and `tensorboard --logdir` (scripts/check_tensorboard.py). TensorBoard is installed
# into its own venv on first use (VENV, default ~/.venvs/tensorboard). `make test` runs this.
# usage: scripts/check-tensorboard.sh [path to athanor, default .build/release/athanor]
set -euo pipefail
cd "$(dirname "$0")/.."
athanor=$(realpath "${1:-.build/release/athanor}")
venv=${VENV:-$HOME/.venvs/tensorboard}
if ! "$venv/bin/python" -c "import tensorboard" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q tensorboard==2.20.0
fi
runs=$(mktemp -d)
trap 'rm -rf "$runs"' EXIT
"$athanor" train --agent ppo --env CartPole-v1 --steps 4096 --set n_steps=512 --quiet --out "$runs/ppo_CartPole-v1_1" >/dev/null
# DQN interrupted (SIGINT after 1 s: checkpoint written, exit 130) and resumed: one event file, no step twice.
status=0
timeout --preserve-status -s INT 1 "$athanor" train --agent dqn --env CartPole-v1 --steps 60000 --quiet --out "$runs/dqn_CartPole-v1_1" >/dev/null 2>&1 || status=$?
[ $status -eq 0 ] || [ $status -eq 130 ] || { echo "dqn run failed ($status)" >&2; exit 1; }
dqn="$runs/dqn_CartPole-v1_1"
if [ $status -eq 130 ] && [ -f "$dqn/checkpoint.safetensors" ]; then
  echo "dqn: interrupted at step $(tail -1 "$dqn/metrics.csv" | cut -d, -f1), resumed"
  "$athanor" train --resume "$dqn" --quiet >/dev/null
elif [ $status -eq 130 ]; then  # a slow machine: interrupted before its first iteration
  "$athanor" train --agent dqn --env CartPole-v1 --steps 60000 --quiet --overwrite --out "$dqn" >/dev/null
fi
"$venv/bin/python" scripts/check_tensorboard.py "$runs"
