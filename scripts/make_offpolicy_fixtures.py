"""Reference values for SAC and TD3 from Stable-Baselines3 itself: its networks (small ones, with
their own initialisation) on a fixed batch with fixed noise, and the losses its `train()` forms.

usage: ~/.venvs/anchors/bin/python scripts/make_offpolicy_fixtures.py
writes Tests/AgentsTests/Fixtures/sb3_offpolicy.json:
  weights: every parameter by Athanor's name (SB3's latent_pi → trunk, qf0/qf1 → q1/q2), shape and values
  batch:   observations, actions (in [−1, 1]), rewards, dones, next observations; noise ε for the
           sampled actions (SAC) and the target smoothing (TD3, before clipping)
  sac:     log π of the sampled actions (SB3's SquashedDiagGaussianDistribution), the temperature loss,
           the soft target, the critic loss and the actor loss, all at the same parameters
  td3:     the clipped double-Q target, the critic loss and the actor loss
  sac_sde: SAC with generalised state-dependent exploration (use_sde=True, log_std_init −2): its actor
           (latent_pi → trunk, mu.0 → mu, log_std [16, 1]), a fixed standard-normal matrix ε for the
           exploration weights θ_ε = exp(log_std) ⊙ ε, and SB3's own `action_log_prob` on the batch: the
           actions, their log π and the actor loss with the first critic pair above
"""
import json
import os

import gymnasium as gym
import numpy as np
import torch as th
import torch.nn.functional as F
from stable_baselines3 import SAC, TD3

th.manual_seed(0)
rng = np.random.default_rng(0)
env = gym.make("Pendulum-v1")
B, gamma = 8, 0.99


def named(module, rename):
    out = {}
    for name, value in module.state_dict().items():
        for old, new in rename:
            name = name.replace(old, new)
        out[name] = {"shape": list(value.shape), "values": value.flatten().tolist()}
    return out


batch = {
    "observations": rng.normal(size=(B, 3)).astype(np.float32),
    "actions": rng.uniform(-1, 1, size=(B, 1)).astype(np.float32),
    "rewards": rng.normal(size=(B,)).astype(np.float32),
    "dones": (rng.uniform(size=(B,)) < 0.25).astype(np.float32),
    "next_observations": rng.normal(size=(B, 3)).astype(np.float32),
    "noise": rng.normal(size=(B, 1)).astype(np.float32),
    "next_noise": rng.normal(size=(B, 1)).astype(np.float32),
}
obs, act, rew, done, nxt = (th.tensor(batch[k]) for k in ("observations", "actions", "rewards", "dones", "next_observations"))
rew, done = rew.reshape(-1, 1), done.reshape(-1, 1)

# SAC, as its train() computes one step's losses (the actor's before any update, for the comparison).
sac = SAC("MlpPolicy", env, policy_kwargs=dict(net_arch=[16, 16]), seed=0, device="cpu")
actor, critic, critic_target = sac.actor, sac.critic, sac.critic_target
with th.no_grad():
    critic_target.load_state_dict(critic.state_dict())
    for p in critic_target.parameters():  # a target that differs from the critic, as in training
        p.add_(0.01 * th.randn_like(p))
log_alpha = th.tensor([np.log(0.7)], dtype=th.float32)


def sampled(observations, eps):
    mean, log_std, _ = actor.get_action_dist_params(observations)
    distribution = actor.action_dist.proba_distribution(mean, log_std)
    gaussian = mean + log_std.exp() * eps
    actions = th.tanh(gaussian)
    return actions, distribution.log_prob(actions, gaussian)


with th.no_grad():
    actions_pi, log_prob = sampled(obs, th.tensor(batch["noise"]))
    alpha = log_alpha.exp()
    target_entropy = -1.0
    alpha_loss = -(log_alpha * (log_prob + target_entropy)).mean()
    next_actions, next_log_prob = sampled(nxt, th.tensor(batch["next_noise"]))
    next_q, _ = th.min(th.cat(critic_target(nxt, next_actions), dim=1), dim=1, keepdim=True)
    next_q = next_q - alpha * next_log_prob.reshape(-1, 1)
    target = rew + (1 - done) * gamma * next_q
    critic_loss = 0.5 * sum(F.mse_loss(q, target) for q in critic(obs, act))
    min_q_pi, _ = th.min(th.cat(critic(obs, actions_pi), dim=1), dim=1, keepdim=True)
    actor_loss = (alpha * log_prob.reshape(-1, 1) - min_q_pi).mean()
sac_out = {
    "weights": {**{f"actor.{k}": v for k, v in named(actor, [("latent_pi.", "trunk.")]).items()},
                **{f"critic.{k}": v for k, v in named(critic, [("qf0.", "q1."), ("qf1.", "q2.")]).items()},
                **{f"critic_target.{k}": v for k, v in named(critic_target, [("qf0.", "q1."), ("qf1.", "q2.")]).items()}},
    "log_alpha": float(log_alpha), "gamma": gamma, "target_entropy": target_entropy,
    "log_probability": log_prob.flatten().tolist(), "alpha_loss": float(alpha_loss), "target": target.flatten().tolist(),
    "critic_loss": float(critic_loss), "actor_loss": float(actor_loss),
}

# TD3: the clipped double-Q target with target policy smoothing, the critic and actor losses.
td3 = TD3("MlpPolicy", env, policy_kwargs=dict(net_arch=[16, 16]), seed=0, device="cpu")
with th.no_grad():
    for p in list(td3.actor_target.parameters()) + list(td3.critic_target.parameters()):
        p.add_(0.01 * th.randn_like(p))
    noise = (th.tensor(batch["noise"]) * td3.target_policy_noise).clamp(-td3.target_noise_clip, td3.target_noise_clip)
    next_actions = (td3.actor_target(nxt) + noise).clamp(-1, 1)
    next_q, _ = th.min(th.cat(td3.critic_target(nxt, next_actions), dim=1), dim=1, keepdim=True)
    target = rew + (1 - done) * gamma * next_q
    critic_loss = sum(F.mse_loss(q, target) for q in td3.critic(obs, act))
    actor_loss = -td3.critic.q1_forward(obs, td3.actor(obs)).mean()
td3_out = {
    "weights": {**{f"actor.{k}": v for k, v in named(td3.actor, []).items()},
                **{f"actor_target.{k}": v for k, v in named(td3.actor_target, []).items()},
                **{f"critic.{k}": v for k, v in named(td3.critic, [("qf0.", "q1."), ("qf1.", "q2.")]).items()},
                **{f"critic_target.{k}": v for k, v in named(td3.critic_target, [("qf0.", "q1."), ("qf1.", "q2.")]).items()}},
    "gamma": gamma, "target_policy_noise": td3.target_policy_noise, "target_noise_clip": td3.target_noise_clip,
    "target": target.flatten().tolist(), "critic_loss": float(critic_loss), "actor_loss": float(actor_loss),
}

# SAC with gSDE: SB3's StateDependentNoiseDistribution draws θ_ε by rsample (exp(log_std) ⊙ ε); we set ε.
sde = SAC("MlpPolicy", env, use_sde=True, policy_kwargs=dict(net_arch=[16, 16], log_std_init=-2.0), seed=0, device="cpu")
sde.critic.load_state_dict(critic.state_dict())
batch["exploration"] = rng.normal(size=(16, 1)).astype(np.float32)
with th.no_grad():
    sde.actor.log_std.add_(0.1 * th.randn_like(sde.actor.log_std))  # not all equal, as after training
dist = sde.actor.action_dist
dist.exploration_mat = th.exp(sde.actor.log_std) * th.tensor(batch["exploration"])
dist.exploration_matrices = dist.exploration_mat.unsqueeze(0)
sde_actions, sde_log_prob = sde.actor.action_log_prob(obs)
sde_min_q, _ = th.min(th.cat(sde.critic(obs, sde_actions), dim=1), dim=1, keepdim=True)
sde_actor_loss = (0.7 * sde_log_prob.reshape(-1, 1) - sde_min_q).mean()
sde_actor_loss.backward()
sde_out = {
    "weights": {f"actor.{k}": v for k, v in named(sde.actor, [("latent_pi.", "trunk."), ("mu.0.", "mu.")]).items()},
    "alpha": 0.7, "actions": sde_actions.detach().flatten().tolist(), "log_probability": sde_log_prob.detach().flatten().tolist(),
    "actor_loss": float(sde_actor_loss), "log_std_gradient": sde.actor.log_std.grad.flatten().tolist(),
    "deterministic": sde.actor(obs, deterministic=True).detach().flatten().tolist(),
}

import stable_baselines3
out = {"sb3": stable_baselines3.__version__, "batch": {k: v.tolist() for k, v in batch.items()}, "sac": sac_out, "td3": td3_out, "sac_sde": sde_out}
path = os.path.join(os.path.dirname(__file__), "..", "Tests", "AgentsTests", "Fixtures", "sb3_offpolicy.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", os.path.abspath(path))
