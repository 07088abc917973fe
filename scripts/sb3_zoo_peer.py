"""Stable-Baselines3 trained with the very entry `athanor train --preset zoo` reads: our hyperparams/ALGO.yml
(rl-baselines3-zoo's values in its format), read here the way rl_zoo3 reads it, so the peer and Athanor run
the same settings by construction. For the classic-control entries the anchors' sb3_train.py does not cover
(MountainCarContinuous-v0); `athanor bench classic --anchors DIR` runs it right after our run of the same seed.

usage: ~/.venvs/anchors/bin/python scripts/sb3_zoo_peer.py {sac|td3|ddpg} ENV SEED [TIMESTEPS]
prints one JSON object as sb3_train.py does: learn_s (model.learn() alone, PyTorch on one thread),
num_timesteps, eval_mean/eval_std (20 deterministic episodes on a fresh environment seeded 10 000 + SEED), versions.
"""
import json
import os
import sys
import time

import torch

torch.set_num_threads(1)

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402
import stable_baselines3  # noqa: E402
import yaml  # noqa: E402
from stable_baselines3 import DDPG, SAC, TD3  # noqa: E402
from stable_baselines3.common.env_util import make_vec_env  # noqa: E402
from stable_baselines3.common.evaluation import evaluate_policy  # noqa: E402
from stable_baselines3.common.monitor import Monitor  # noqa: E402
from stable_baselines3.common.noise import NormalActionNoise, OrnsteinUhlenbeckActionNoise  # noqa: E402

ALGORITHMS = {"sac": SAC, "td3": TD3, "ddpg": DDPG}


def settings(algo, env_id):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "hyperparams", f"{algo}.yml")
    with open(path) as f:
        entry = dict(yaml.safe_load(f)[env_id])
    steps = int(float(entry.pop("n_timesteps")))
    policy = entry.pop("policy")
    kwargs = {}
    noise_type, noise_std = entry.pop("noise_type", None), entry.pop("noise_std", None)
    for key, value in entry.items():
        if key == "policy_kwargs":
            value = eval(value, {"dict": dict})  # the zoo writes them as a Python expression
        elif key == "learning_rate" and isinstance(value, str):
            raise SystemExit(f"{key}: schedules are not handled here")
        kwargs[key] = value
    return steps, policy, kwargs, noise_type, noise_std


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[1] not in ALGORITHMS:
        raise SystemExit("usage: sb3_zoo_peer.py {sac|td3|ddpg} ENV SEED [TIMESTEPS]")
    algo, env_id, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    steps, policy, kwargs, noise_type, noise_std = settings(algo, env_id)
    if len(sys.argv) == 5:
        steps = int(float(sys.argv[4]))
    env = make_vec_env(env_id, n_envs=1, seed=seed)
    if noise_type is not None:
        n = env.action_space.shape[0]
        noise = {"normal": NormalActionNoise, "ornstein-uhlenbeck": OrnsteinUhlenbeckActionNoise}[noise_type]
        kwargs["action_noise"] = noise(mean=np.zeros(n), sigma=noise_std * np.ones(n))
    t0 = time.perf_counter()
    model = ALGORITHMS[algo](policy, env, seed=seed, device="cpu", verbose=0, **kwargs)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.learn(total_timesteps=steps)
    t_learn = time.perf_counter() - t0
    eval_env = Monitor(gym.make(env_id))
    eval_env.reset(seed=10_000 + seed)
    mean_r, std_r = evaluate_policy(model, eval_env, n_eval_episodes=20, deterministic=True)
    print(json.dumps(dict(
        algo=algo, env=env_id, seed=seed, settings={k: str(v) for k, v in kwargs.items()},
        num_timesteps=model.num_timesteps, build_s=t_build, learn_s=t_learn, steps_per_s=model.num_timesteps / t_learn,
        eval_mean=float(mean_r), eval_std=float(std_r), torch_threads=torch.get_num_threads(),
        versions=dict(torch=torch.__version__, sb3=stable_baselines3.__version__, gymnasium=gym.__version__),
    )))


if __name__ == "__main__":
    main()
