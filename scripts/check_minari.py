"""minari.load_dataset reads the datasets scripts/check-minari.sh had Athanor write, and finds in them
what `athanor dataset info --json` reports: transitions, episodes, episode returns, action counts;
recover_environment() makes the Gymnasium task they came from."""
import json
import sys
from pathlib import Path

import minari
import numpy as np

root = Path(sys.argv[1])
for name in ["cartpole-random-v0", "pendulum-random-v0", "cartpole-mixed-v0"]:
    ours = json.loads((root / f"{name}.json").read_text())
    dataset = minari.load_dataset(f"athanor/{name}")
    episodes = list(dataset.iterate_episodes())
    returns = [float(np.sum(ep.rewards)) for ep in episodes]
    assert dataset.total_steps == ours["transitions"], (name, dataset.total_steps, ours["transitions"])
    assert len(episodes) == ours["episodes"], (name, len(episodes), ours["episodes"])
    assert abs(np.mean(returns) - ours["return_mean"]) < 1e-3 * max(1, abs(ours["return_mean"])), (name, np.mean(returns), ours["return_mean"])
    for ep in episodes:
        assert len(ep.observations) == len(ep.rewards) + 1 and ep.terminations.dtype == bool, name
        assert bool(ep.terminations[-1]) or bool(ep.truncations[-1]), f"{name}: an episode without an ending flag"
    actions = np.concatenate([np.asarray(ep.actions).reshape(len(ep.rewards), -1) for ep in episodes])
    if ours["discrete"]:
        counts = np.bincount(actions[:, 0].astype(int), minlength=len(ours["actions"]))
        assert counts.tolist() == [int(c) for c in ours["actions"]], (name, counts, ours["actions"])
    else:
        assert np.allclose(actions.mean(axis=0), ours["actions"], atol=1e-5), name
    if name != "cartpole-mixed-v0":
        env = dataset.recover_environment()
        assert env.observation_space.shape == dataset.observation_space.shape, name
    print(f"minari {minari.__version__} reads {name}: {dataset.total_steps} steps, {len(episodes)} episodes, mean return {np.mean(returns):.2f}")
