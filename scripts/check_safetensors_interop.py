"""Shows that Python reads a safetensors file written by Athanor.

usage: python scripts/check_safetensors_interop.py
Loads Tests/NNTests/Fixtures/athanor_written.safetensors (written by our writer; the Swift test
`writerOutputIsStableAndReadableByPython` keeps the writer producing exactly these bytes) with
both safetensors.numpy and safetensors.torch, and compares every tensor with the values that
python_written.safetensors (written by Python) holds. Exits non-zero on any difference.
"""
import pathlib
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

fixtures = pathlib.Path(__file__).resolve().parent.parent / "Tests/NNTests/Fixtures"
ours = load_file(str(fixtures / "athanor_written.safetensors"))
theirs = load_file(str(fixtures / "python_written.safetensors"))
with safe_open(str(fixtures / "athanor_written.safetensors"), framework="pt") as f:
    metadata = f.metadata()
    torch_keys = sorted(f.keys())
ok = sorted(ours) == sorted(theirs) == torch_keys
for name in sorted(theirs):
    same = ours[name].dtype == np.float32 and ours[name].shape == theirs[name].shape and np.array_equal(ours[name], theirs[name])
    print(f"{name:18s} shape {list(ours[name].shape)!s:10s} {'identical' if same else 'DIFFERENT'}")
    ok &= same
print("metadata:", metadata)
ok &= metadata == {"framework": "athanor", "note": "fixture"}
print("Python reads Athanor's file:", "yes" if ok else "NO")
sys.exit(0 if ok else 1)
