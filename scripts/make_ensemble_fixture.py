"""Writes Tests/AgentsTests/Fixtures/ensemble_nll.json: a small probabilistic ensemble in
MBRL-Lib's GaussianMLP form (mbrl/models/gaussian_mlp.py and util/math.py: batched member layers,
LeakyReLU(0.01), soft log-variance bounds, `_nll_loss`), its outputs, NLL and every gradient,
computed with PyTorch. Run once; the fixture is committed.
usage: python3 -m venv ENV && ENV/bin/pip install torch numpy && ENV/bin/python scripts/make_ensemble_fixture.py
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)  # the reference in double; Swift's Float32 is compared to it
E, B, IN, OUT, HIDDEN, LAYERS = 3, 6, 5, 4, 8, 2
rng = np.random.default_rng(20)


def tensor(shape, scale=1.0):
    return torch.tensor(rng.normal(0, scale, size=shape), requires_grad=True)


params = {}
sizes = [IN] + [HIDDEN] * LAYERS
for i in range(LAYERS):
    params[f"hidden.{i}.weight"] = tensor((E, sizes[i], sizes[i + 1]), 1 / (2 * np.sqrt(sizes[i])))
    params[f"hidden.{i}.bias"] = tensor((E, 1, sizes[i + 1]), 0.1)
params["head.weight"] = tensor((E, HIDDEN, 2 * OUT), 1 / (2 * np.sqrt(HIDDEN)))
params["head.bias"] = tensor((E, 1, 2 * OUT), 0.1)
# Bounds near the raw outputs so both soft bounds bend the log-variance.
params["min_logvar"] = torch.tensor(-1.0 + 0.1 * rng.normal(size=(1, OUT)), requires_grad=True)
params["max_logvar"] = torch.tensor(0.2 + 0.1 * rng.normal(size=(1, OUT)), requires_grad=True)

x = torch.tensor(rng.normal(size=(E, B, IN)))
y = torch.tensor(rng.normal(0, 0.5, size=(E, B, OUT)))


def forward(x):
    h = x
    for i in range(LAYERS):
        h = F.leaky_relu(h @ params[f"hidden.{i}.weight"] + params[f"hidden.{i}.bias"], 0.01)
    out = h @ params["head.weight"] + params["head.bias"]
    mean, logvar = out[..., :OUT], out[..., OUT:]
    logvar = params["max_logvar"] - F.softplus(params["max_logvar"] - logvar)
    logvar = params["min_logvar"] + F.softplus(logvar - params["min_logvar"])
    return mean, logvar


mean, logvar = forward(x)
l2 = F.mse_loss(mean, y, reduction="none")
nll = (l2 * (-logvar).exp() + logvar).mean((1, 2)).sum()
nll = nll + 0.01 * (params["max_logvar"].sum() - params["min_logvar"].sum())
nll.backward()
mse = ((mean - y) ** 2).mean((1, 2))


def flat(t):
    return [float(v) for v in t.detach().reshape(-1)]


fixture = {
    "members": E, "batch": B, "inputs": IN, "outputs": OUT, "hidden_size": HIDDEN, "hidden_layers": LAYERS,
    "parameters": {name: flat(p) for name, p in params.items()},
    "x": flat(x), "targets": flat(y),
    "mean": flat(mean), "logvar": flat(logvar), "nll": float(nll.detach()), "mse": flat(mse),
    "gradients": {name: flat(p.grad) for name, p in params.items()},
}
path = os.path.join(os.path.dirname(__file__), "..", "Tests", "AgentsTests", "Fixtures", "ensemble_nll.json")
with open(path, "w") as f:
    json.dump(fixture, f)
print("wrote", os.path.normpath(path), "nll", float(nll.detach()))
