"""Minari datasets written by Minari itself, for Athanor's reader (Tests/DatasetsTests/Fixtures/).

usage: ~/.venvs/minari/bin/python scripts/make_minari_fixture.py     (minari[hdf5]==0.5.4, gymnasium)

Writes minari-cartpole/ and minari-pendulum/ (each data/metadata.json + data/main_data.hdf5: Minari's own
layout) from three episodes of seeded random play, and expected.json with what minari.MinariDataset
returns for them, episode by episode (observations, actions, rewards, terminations, truncations)."""
import json, os, shutil, sys, tempfile
from pathlib import Path

import gymnasium as gym
import minari
import numpy as np

out = Path(__file__).resolve().parent.parent / "Tests" / "DatasetsTests" / "Fixtures"
root = Path(tempfile.mkdtemp())
os.environ["MINARI_DATASETS_PATH"] = str(root)
expected = {"minari_version": minari.__version__, "gymnasium_version": gym.__version__}
for name, env_id, steps in [("cartpole", "CartPole-v1", None), ("pendulum", "Pendulum-v1", 60)]:
    env = minari.DataCollector(gym.make(env_id, max_episode_steps=steps) if steps else gym.make(env_id))
    env.action_space.seed(7)
    for episode in range(3):
        env.reset(seed=100 + episode)
        while True:
            _, _, terminated, truncated, _ = env.step(env.action_space.sample())
            if terminated or truncated:
                break
    dataset = env.create_dataset(dataset_id=f"athanor/{name}-random-v0", algorithm_name="random", author="Athanor fixtures",
                                 description=f"three episodes of uniformly random actions on {env_id}")
    episodes = []
    for ep in dataset.iterate_episodes():
        episodes.append({k: np.asarray(getattr(ep, k)).astype(float).tolist()
                         for k in ("observations", "actions", "rewards", "terminations", "truncations")})
    expected[name] = {"env_id": env_id, "total_steps": dataset.total_steps, "episodes": episodes}
    target = out / f"minari-{name}"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(root / "athanor" / f"{name}-random-v0", target)
    print(name, dataset.total_episodes, "episodes,", dataset.total_steps, "steps ->", target)
(out / "minari_expected.json").write_text(json.dumps(expected))
shutil.rmtree(root)
