"""Reference data for Tests/NNTests, from PyTorch and Python's safetensors.

Run once (any machine with torch, numpy and safetensors): python scripts/make_nn_fixtures.py
Writes into Tests/NNTests/Fixtures:
  python_written.safetensors  tensors + metadata written by safetensors.numpy (we must read it)
  python_written.json         the same values as plain JSON (what the Swift test expects)
  torch_optimizers.json       parameter trajectories of torch.optim on a fixed problem
  torch_norms.json            LayerNorm / RMSNorm forward and backward values
The Swift tests never run Python.
"""
import json
import pathlib

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.numpy import save_file

out = pathlib.Path(__file__).resolve().parent.parent / "Tests/NNTests/Fixtures"
out.mkdir(parents=True, exist_ok=True)

# --- safetensors written by Python --------------------------------------------------------
rng = np.random.default_rng(0)
tensors = {
    "policy.0.weight": rng.standard_normal((3, 4)).astype(np.float32),
    "policy.0.bias": rng.standard_normal((3,)).astype(np.float32),
    "value.weight": rng.standard_normal((1, 3)).astype(np.float32),
    "scalar": np.array(2.5, dtype=np.float32),
}
save_file(tensors, str(out / "python_written.safetensors"), metadata={"framework": "numpy", "note": "fixture"})
(out / "python_written.json").write_text(json.dumps(
    {k: {"shape": list(v.shape), "data": [float(x) for x in v.reshape(-1)]} for k, v in tensors.items()}))

# --- optimiser trajectories ---------------------------------------------------------------
# Loss L(p) = Σ c·p² + d·p, five steps from p0; record p after every step.
p0 = torch.tensor([0.5, -1.0, 2.0, -0.3, 1.2])
c = torch.tensor([1.0, 0.5, 2.0, 3.0, 0.1])
d = torch.tensor([0.3, -0.2, 0.0, 1.0, -1.0])
configs = {
    "sgd": (torch.optim.SGD, dict(lr=0.1)),
    "sgd_momentum": (torch.optim.SGD, dict(lr=0.05, momentum=0.9, weight_decay=0.01)),
    "sgd_nesterov": (torch.optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True)),
    "adam": (torch.optim.Adam, dict(lr=0.1, weight_decay=0.01)),
    "adamw": (torch.optim.AdamW, dict(lr=0.1, weight_decay=0.1)),
    "rmsprop": (torch.optim.RMSprop, dict(lr=0.01, alpha=0.9)),
    "rmsprop_centered_momentum": (torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, centered=True, momentum=0.5)),
}
trajectories = {}
for name, (cls, kwargs) in configs.items():
    p = p0.clone().requires_grad_()
    opt = cls([p], **kwargs)
    steps = []
    for _ in range(5):
        opt.zero_grad()
        ((c * p * p).sum() + (d * p).sum()).backward()
        opt.step()
        steps.append([float(x) for x in p.detach()])
    trajectories[name] = {"kwargs": kwargs, "steps": steps}
# Gradient clipping: the norm reported and the clipped gradient.
g = torch.tensor([3.0, 4.0, 0.0, 12.0]).requires_grad_()
(g * torch.tensor([3.0, 4.0, 0.0, 12.0])).sum().backward()
total = torch.nn.utils.clip_grad_norm_([g], max_norm=1.0)
(out / "torch_optimizers.json").write_text(json.dumps({
    "p0": p0.tolist(), "c": c.tolist(), "d": d.tolist(), "trajectories": trajectories,
    "clip": {"grad": [3.0, 4.0, 0.0, 12.0], "max_norm": 1.0, "norm": float(total), "clipped": g.grad.tolist()},
}))

# --- normalisation layers -----------------------------------------------------------------
torch.manual_seed(0)
x = torch.randn(2, 3, 6, requires_grad=True)
w = torch.randn(6, requires_grad=True)
b = torch.randn(6, requires_grad=True)
weights = torch.randn(2, 3, 6)
norms = {}
for name, fn in {"layernorm": lambda: F.layer_norm(x, (6,), w, b, eps=1e-5),
                 "rmsnorm": lambda: F.rms_norm(x, (6,), w, eps=1e-6)}.items():
    for t in (x, w, b):
        t.grad = None
    y = fn()
    (y * weights).sum().backward()
    norms[name] = {"y": y.detach().reshape(-1).tolist(), "dx": x.grad.reshape(-1).tolist(),
                   "dw": w.grad.tolist(), "db": None if b.grad is None else b.grad.tolist()}
(out / "torch_norms.json").write_text(json.dumps({
    "x": x.detach().reshape(-1).tolist(), "w": w.detach().tolist(), "b": b.detach().tolist(),
    "weights": weights.reshape(-1).tolist(), "cases": norms}))
print("wrote fixtures to", out)
