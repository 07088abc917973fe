"""Reference values for the offline agents' losses, computed with PyTorch in d3rlpy 2.8's formulas
(d3rlpy/algos/qlearning/torch/{dqn_impl,cql_impl,bcq_impl}.py, d3rlpy/models/torch/policies.py):

  CQL(H) regulariser     mean(logsumexp(Q(s, .)) - Q(s, a))                        (DiscreteCQLImpl)
  Double DQN error       mean(huber(Q(s, a), r + gamma (1 - d) Qtarget(s', argmax Q(s', .))))
  BCQ filter             argmax over {a : log G(a|s) - max log G > log tau} of Q(s, a)   (DiscreteBCQImpl)
  imitation loss         nll(log_softmax(logits), a) + beta * mean(logits^2)        (compute_discrete_imitation_loss)
  IQL expectile loss     mean(|tau - 1(u < 0)| u^2), u = q - v                       (IQLImpl.compute_value_loss)

and two small D4RL-style .npz files for the dataset reader (Tests/DatasetsTests/Fixtures): one written by
np.savez_compressed (deflate), one by np.savez (stored), with their contents beside them as JSON.

usage: ~/.venvs/anchors/bin/python scripts/make_offline_fixtures.py"""
import json
import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

root = Path(__file__).resolve().parent.parent
g = torch.Generator().manual_seed(3)
B, A = 6, 3
q = torch.randn(B, A, generator=g) * 2
q_next = torch.randn(B, A, generator=g) * 2
q_target_next = torch.randn(B, A, generator=g) * 2
logits = torch.randn(B, A, generator=g) * 1.5
logits_next = torch.randn(B, A, generator=g) * 1.5
actions = torch.tensor([0, 2, 1, 1, 0, 2])
rewards = torch.tensor([1.0, 0.0, -1.0, 1.0, 0.5, 2.0])
terminals = torch.tensor([0.0, 0.0, 1.0, 0.0, 0.0, 1.0])
gamma, tau, beta = 0.99, 0.3, 0.5

conservative = (torch.logsumexp(q, dim=1) - q.gather(1, actions[:, None])[:, 0]).mean()


def huber(x, y):
    d = y - x
    return torch.where(d.abs() < 1.0, 0.5 * d ** 2, d.abs() - 0.5).mean()


def ddqn(next_actions):
    y = rewards + gamma * (1 - terminals) * q_target_next.gather(1, next_actions[:, None])[:, 0]
    return huber(q.gather(1, actions[:, None])[:, 0], y)


def bcq_filter(values, logits_):
    log_probs = F.log_softmax(logits_, dim=1)
    ratio = log_probs - log_probs.max(dim=1, keepdim=True).values
    mask = (ratio > math.log(tau)).float()
    normalized = values - values.min(dim=1, keepdim=True).values + 1e-5
    return (normalized * mask).argmax(dim=1)


filtered = bcq_filter(q_next, logits_next)
q_values = torch.randn(B, generator=g)
v_values = torch.randn(B, generator=g)
expectile = 0.7
u = q_values - v_values
expectile_loss = ((expectile - (u < 0.0).float()).abs() * u ** 2).mean()
imitation = F.nll_loss(F.log_softmax(logits, dim=1), actions) + beta * (logits ** 2).mean()
fixture = {
    "q": q.flatten().tolist(), "q_next": q_next.flatten().tolist(), "q_target_next": q_target_next.flatten().tolist(),
    "logits": logits.flatten().tolist(), "logits_next": logits_next.flatten().tolist(), "actions": actions.tolist(),
    "rewards": rewards.tolist(), "terminals": terminals.tolist(), "gamma": gamma, "tau": tau, "beta": beta, "batch": B, "action_count": A,
    "conservative": conservative.item(), "ddqn_error": ddqn(q_next.argmax(dim=1)).item(),
    "bcq_next_actions": filtered.tolist(), "bcq_ddqn_error": ddqn(filtered).item(), "imitation": imitation.item(),
    "iql_q": q_values.tolist(), "iql_v": v_values.tolist(), "expectile": expectile, "expectile_loss": expectile_loss.item(),
    "torch": torch.__version__,
}
(root / "Tests" / "AgentsTests" / "Fixtures" / "offline_losses.json").write_text(json.dumps(fixture, indent=1))

# D4RL-style arrays: 3 CartPole-like episodes (a terminal, a time-out, and one cut by the end of the data).
rng = np.random.default_rng(5)
n = 23
arrays = dict(observations=rng.normal(size=(n, 4)).astype(np.float32), actions=rng.integers(0, 2, size=n).astype(np.int64),
              rewards=np.ones(n, np.float32), terminals=np.zeros(n, np.float32), timeouts=np.zeros(n, np.float32))
arrays["terminals"][7] = 1
arrays["timeouts"][15] = 1
out = root / "Tests" / "DatasetsTests" / "Fixtures"
out.mkdir(parents=True, exist_ok=True)
np.savez_compressed(out / "d4rl_compressed.npz", **arrays)
np.savez(out / "d4rl_stored.npz", **arrays)
(out / "d4rl_expected.json").write_text(json.dumps({k: v.astype(float).flatten().tolist() for k, v in arrays.items()}))
print("conservative", fixture["conservative"], "filtered", fixture["bcq_next_actions"])
