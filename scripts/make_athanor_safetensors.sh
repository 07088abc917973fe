#!/usr/bin/env bash
# Regenerates Tests/NNTests/Fixtures/athanor_written.safetensors with our writer (the tensors of
# python_written.safetensors, which scripts/make_nn_fixtures.py made with Python, and fixed
# metadata), then shows with Python's safetensors that Python reads it back to the same values.
# usage: scripts/make_athanor_safetensors.sh [python with numpy, safetensors, torch]
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-$HOME/.venvs/anchors/bin/python}
ATHANOR_WRITE_FIXTURES=1 swift test -c release --filter writerOutputIsStableAndReadableByPython
"$python" scripts/check_safetensors_interop.py
