#!/usr/bin/env bash
# Makes the offline datasets `athanor bench offline` needs beyond the four shared CartPole-v1 ones
# (../shared/anchors/peers/data): CartPole-v1's replay dataset, and Pendulum-v1's random, medium,
# expert, mixed and replay datasets, as Minari folders under datasets/ (not committed: every step
# is seeded, so the same build on the same machine makes the same files).
# usage: scripts/make-offline-datasets.sh [path/to/athanor]   (default .build/release/athanor)
set -euo pipefail
cd "$(dirname "$0")/.."
athanor=${1:-.build/release/athanor}
[ -x "$athanor" ] || { echo "make-offline-datasets: no $athanor (build with: swift build -c release)" >&2; exit 2; }
runs=runs/offline-datasets
mkdir -p datasets/cartpole datasets/pendulum "$runs"

train() {  # OUT ARGS…
  local out=$1; shift
  "$athanor" train "$@" --out "$out" --overwrite --quiet
}
fresh() { rm -rf "$1"; }  # `dataset` refuses to write over a folder

# CartPole-v1 replay: everything DQN saw in its zoo-preset run (5·10⁴ steps, buffer 10⁵ keeps all).
train "$runs/cartpole-dqn" --agent dqn --env CartPole-v1 --preset zoo --seed 0
fresh datasets/cartpole/replay
"$athanor" dataset replay "$runs/cartpole-dqn" --out datasets/cartpole/replay

# Pendulum-v1: the expert is SAC with the zoo's settings (2·10⁴ steps, about −150); the medium
# policy is SAC stopped after 2·10³ steps (about −800: a third of the way from random's −1200 to expert).
train "$runs/pendulum-sac" --agent sac --env Pendulum-v1 --preset zoo --seed 0
train "$runs/pendulum-sac-medium" --agent sac --env Pendulum-v1 --preset zoo --seed 1 --steps 2000
for quality in random medium expert mixed replay; do fresh "datasets/pendulum/$quality"; done
"$athanor" dataset collect --env Pendulum-v1 --policy random --episodes 500 --seed 1 --id athanor/pendulum_v1-random-v0 --out datasets/pendulum/random
"$athanor" dataset collect --policy "run:$runs/pendulum-sac-medium" --episodes 500 --seed 2 --id athanor/pendulum_v1-medium-v0 --out datasets/pendulum/medium
"$athanor" dataset collect --policy "run:$runs/pendulum-sac" --episodes 500 --seed 3 --id athanor/pendulum_v1-expert-v0 --out datasets/pendulum/expert
"$athanor" dataset mix --env Pendulum-v1 --part datasets/pendulum/random:80000 --part datasets/pendulum/expert:20000 \
  --id athanor/pendulum_v1-mixed-v0 --out datasets/pendulum/mixed
"$athanor" dataset replay "$runs/pendulum-sac" --out datasets/pendulum/replay
echo "datasets in datasets/cartpole and datasets/pendulum"
