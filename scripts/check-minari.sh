#!/usr/bin/env bash
# Has Minari itself read datasets Athanor wrote: `athanor dataset collect` (CartPole-v1, discrete, random;
# Pendulum-v1, continuous, random) and `dataset mix`, then minari.load_dataset on each, transition for
# transition against our own reading (scripts/check_minari.py). Minari (with h5py) is installed into its own
# venv on first use (VENV, default ~/.venvs/minari). `make test` runs this.
# usage: scripts/check-minari.sh [path to athanor, default .build/release/athanor]
set -euo pipefail
cd "$(dirname "$0")/.."
athanor=$(realpath "${1:-.build/release/athanor}")
venv=${VENV:-$HOME/.venvs/minari}
if ! "$venv/bin/python" -c "import minari, h5py, PIL" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "minari[hdf5]==0.5.4" pillow
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
"$athanor" dataset collect --env CartPole-v1 --policy random --episodes 20 --seed 1 --id athanor/cartpole-random-v0 --out "$root/athanor/cartpole-random-v0" >/dev/null
"$athanor" dataset collect --env Pendulum-v1 --policy random --episodes 3 --seed 2 --id athanor/pendulum-random-v0 --out "$root/athanor/pendulum-random-v0" >/dev/null
"$athanor" dataset collect --env CartPole-v1 --policy random --episodes 5 --seed 3 --out "$root/more" >/dev/null
"$athanor" dataset mix --env CartPole-v1 --part "$root/athanor/cartpole-random-v0:150" --part "$root/more:40" --id athanor/cartpole-mixed-v0 --out "$root/athanor/cartpole-mixed-v0" >/dev/null
for id in cartpole-random-v0 pendulum-random-v0 cartpole-mixed-v0; do
  "$athanor" dataset info --json "$root/athanor/$id" > "$root/$id.json"
done
MINARI_DATASETS_PATH="$root" "$venv/bin/python" scripts/check_minari.py "$root"
