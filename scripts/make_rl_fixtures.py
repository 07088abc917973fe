"""Reference values for the deep agents' building blocks, from Stable-Baselines3 and PyTorch.

usage: ~/.venvs/anchors/bin/python scripts/make_rl_fixtures.py
writes Tests/AgentsTests/Fixtures/sb3_reference.json:
  gae:          SB3 RolloutBuffer.compute_returns_and_advantage on random rollouts (with episode starts)
  running_mean: SB3 RunningMeanStd after three batch updates
  categorical / gaussian: torch.distributions log_prob and entropy
"""
import json
import os

import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3.common.buffers import RolloutBuffer
from stable_baselines3.common.running_mean_std import RunningMeanStd

rng = np.random.default_rng(0)
out = {}

# GAE: 6 steps x 3 envs, obs dim 2, discrete actions.
n_steps, n_envs, gamma, lam = 6, 3, 0.98, 0.8
buf = RolloutBuffer(n_steps, spaces.Box(-1, 1, (2,)), spaces.Discrete(2), device="cpu", gamma=gamma, gae_lambda=lam, n_envs=n_envs)
rewards = rng.normal(size=(n_steps, n_envs)).astype(np.float32)
values = rng.normal(size=(n_steps, n_envs)).astype(np.float32)
starts = (rng.random((n_steps, n_envs)) < 0.25).astype(np.float32)
starts[0] = 1
for t in range(n_steps):
    buf.add(np.zeros((n_envs, 2), np.float32), np.zeros((n_envs, 1)), rewards[t], starts[t],
            torch.tensor(values[t]), torch.zeros(n_envs))
last_values = rng.normal(size=n_envs).astype(np.float32)
dones = np.array([0, 1, 0], np.float32)
buf.compute_returns_and_advantage(torch.tensor(last_values), dones)
out["gae"] = dict(steps=n_steps, envs=n_envs, gamma=gamma, lam=lam, rewards=rewards.ravel().tolist(),
                  values=values.ravel().tolist(), episode_starts=starts.ravel().tolist(),
                  last_values=last_values.tolist(), last_dones=dones.tolist(),
                  advantages=buf.advantages.ravel().tolist(), returns=buf.returns.ravel().tolist())

# RunningMeanStd: three batches of 4-dimensional rows.
rms = RunningMeanStd(shape=(4,))
batches = [rng.normal(loc=3, scale=2, size=(k, 4)) for k in (5, 8, 3)]
for b in batches:
    rms.update(b)
out["running_mean"] = dict(batches=[b.ravel().tolist() for b in batches], mean=rms.mean.tolist(),
                           var=rms.var.tolist(), count=float(rms.count))

# Distributions.
logits = torch.tensor(rng.normal(size=(4, 3)), dtype=torch.float32)
actions = torch.tensor([0, 2, 1, 2])
cat = torch.distributions.Categorical(logits=logits)
out["categorical"] = dict(logits=logits.ravel().tolist(), actions=actions.tolist(),
                          log_prob=cat.log_prob(actions).tolist(), entropy=cat.entropy().tolist())
mean = torch.tensor(rng.normal(size=(4, 2)), dtype=torch.float32)
log_std = torch.tensor([-0.5, 0.3])
a = torch.tensor(rng.normal(size=(4, 2)), dtype=torch.float32)
normal = torch.distributions.Normal(mean, log_std.exp())
out["gaussian"] = dict(mean=mean.ravel().tolist(), log_std=log_std.tolist(), actions=a.ravel().tolist(),
                       log_prob=normal.log_prob(a).sum(1).tolist(), entropy=normal.entropy().sum(1).tolist())

path = os.path.join(os.path.dirname(__file__), "..", "Tests", "AgentsTests", "Fixtures", "sb3_reference.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", os.path.normpath(path))
