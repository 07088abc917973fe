"""Golden values for composite functions, from PyTorch, for Tests/TensorTests.

Run once (any machine with torch): python scripts/make_torch_golden.py
Writes Tests/TensorTests/Fixtures/torch_golden.json; the Swift tests never need Python.
Every case is float32 on the CPU; inputs, outputs and gradients are stored as flat lists.
"""
import json
import math
import pathlib

import torch
import torch.nn.functional as F

torch.manual_seed(0)


def tensor(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).requires_grad_()


def dump(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def case(inputs, outputs):
    loss = sum((o * w).sum() for o, w in outputs.values())
    loss.backward()
    return {
        "inputs": {k: dump(v) for k, v in inputs.items()},
        "weights": {k: dump(w) for k, (o, w) in outputs.items()},
        "outputs": {k: dump(o) for k, (o, w) in outputs.items()},
        "grads": {k: dump(v.grad) for k, v in inputs.items() if v.grad is not None},
    }


cases = {}

# 1. A two-layer tanh MLP with cross-entropy from logits (the loss of a classifier or policy).
x, w1, b1, w2, b2 = tensor(6, 4), tensor(8, 4, scale=0.5), tensor(8), tensor(3, 8, scale=0.5), tensor(3)
targets = torch.tensor([0, 2, 1, 1, 0, 2])
logits = F.linear(torch.tanh(F.linear(x, w1, b1)), w2, b2)
ce = F.cross_entropy(logits, targets)
cases["mlp_cross_entropy"] = case({"x": x, "w1": w1, "b1": b1, "w2": w2, "b2": b2},
                                  {"loss": (ce, torch.ones(()))})
cases["mlp_cross_entropy"]["targets"] = targets.tolist()

# 2. Layer norm (biased variance, eps 1e-5) followed by exact GELU.
x, w, b = tensor(3, 5), tensor(5), tensor(5)
y = F.gelu(F.layer_norm(x, (5,), w, b, eps=1e-5))
cases["layernorm_gelu"] = case({"x": x, "w": w, "b": b}, {"y": (y, torch.randn(3, 5))})

# 3. Causal scaled dot-product attention, [batch, heads, time, head size].
q, k, v = tensor(2, 2, 5, 4), tensor(2, 2, 5, 4), tensor(2, 2, 5, 4)
att = (q @ k.transpose(-2, -1)) / math.sqrt(4)
mask = torch.tril(torch.ones(5, 5))
att = att.masked_fill(mask == 0, float("-inf")).softmax(dim=-1)
out = att @ v
cases["causal_attention"] = case({"q": q, "k": k, "v": v}, {"out": (out, torch.randn(2, 2, 5, 4))})

# 4. A mixture of reductions and activations along both axes.
x = tensor(4, 6)
y = (torch.logsumexp(x, dim=1) + x.var(dim=1) + F.silu(x).mean(dim=1)
     + torch.sigmoid(x).max(dim=1).values + torch.log_softmax(x, dim=0).sum(dim=1))
cases["reductions_mix"] = case({"x": x}, {"y": (y, torch.randn(4))})

out_path = pathlib.Path(__file__).resolve().parent.parent / "Tests/TensorTests/Fixtures/torch_golden.json"
out_path.write_text(json.dumps({"generator": "scripts/make_torch_golden.py", "torch": torch.__version__,
                                "cases": cases}, indent=None))
print("wrote", out_path)
