#!/usr/bin/env bash
# Has Hugging Face transformers itself load a model `athanor lm export --format hf` wrote: a small GPT
# pretrained a little on the addition task, exported, then GPT2LMHeadModel.from_pretrained on it must give
# Athanor's greedy completions of the first 64 test problems and each token's probability
# (scripts/check_lm_export.py). Sampling from the run folder and from its export must agree too.
# torch (CPU) and transformers are installed into their own venv on first use (VENV, default
# ~/.venvs/lm-export); torch comes from a local CPU wheel in /opt/wheels when there is one. `make test` runs this.
# usage: scripts/check-lm-export.sh [path to athanor, default .build/release/athanor]
set -euo pipefail
cd "$(dirname "$0")/.."
athanor=$(realpath "${1:-.build/release/athanor}")
venv=${VENV:-$HOME/.venvs/lm-export}
if ! "$venv/bin/python" -c "import torch, transformers, safetensors" 2>/dev/null; then
  python3 -m venv "$venv"
  torch=torch  # PyPI's, unless this machine has a CPU wheel of its own
  for wheel in /opt/wheels/torch-*+cpu*.whl; do [ -e "$wheel" ] && torch=$wheel; done
  "$venv/bin/pip" install -q "$torch" "transformers==5.23.0" safetensors
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
"$athanor" lm pretrain --task addition --steps 150 --set n_embd=32 --set n_layer=2 --set n_head=2 --set eval_freq=150 \
  --out "$root/run" --quiet --json >/dev/null
"$athanor" lm export "$root/run" --format hf --out "$root/hf" >/dev/null
"$athanor" lm sample "$root/hf" --temperature 0 --count 64 --json > "$root/ours.json"
"$athanor" lm sample "$root/run" --temperature 0 --count 64 --json > "$root/ours_run.json"
cmp -s "$root/ours.json" "$root/ours_run.json" || { echo "lm export: sampling the run folder and its HF export differ" >&2; exit 1; }
"$venv/bin/python" scripts/check_lm_export.py "$root/hf" "$root/ours.json"
