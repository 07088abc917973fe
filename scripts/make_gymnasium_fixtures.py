"""Reference trajectories and transition tables from Gymnasium, for Tests/EnvironmentsTests.

Run once (Python with gymnasium==1.4.0): python scripts/make_gymnasium_fixtures.py
Writes Tests/EnvironmentsTests/Fixtures/gymnasium_trajectories.json and gymnasium_tables.json.
Each trajectory starts from env.unwrapped.state set by hand after reset(seed=0), so the Swift
test can start from the same state (Athanor's generator differs from NumPy's); policies that
depend on the observation are evaluated here and only their actions are stored.
"""
import json
import pathlib

import gymnasium as gym
import numpy as np

out = pathlib.Path(__file__).resolve().parent.parent / "Tests/EnvironmentsTests/Fixtures"
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(0)


def run(env_id, start, policy, steps, continuous=False, **options):
    env = gym.make(env_id, **options)
    obs, _ = env.reset(seed=0)
    env.unwrapped.state = np.array(start, dtype=np.float64)
    record = {"id": env_id, "start": start, "actions": [], "steps": []}
    if options:  # gym.make keyword arguments, as registry options (strings)
        record["options"] = {k: str(v) for k, v in options.items()}
    obs = None
    for t in range(steps):
        a = policy(t, obs)
        action = np.array([a], dtype=np.float32) if continuous else int(a)
        obs, reward, terminated, truncated, _ = env.step(action)
        record["actions"].append(float(a) if continuous else int(a))
        record["steps"].append({"obs": [float(x) for x in obs], "reward": float(reward),
                                "terminated": bool(terminated), "truncated": bool(truncated)})
        if terminated or truncated:
            break
    return record


alternate = lambda t, obs: t % 2
random3 = [int(x) for x in rng.integers(0, 3, 500)]
torques = [float(x) for x in rng.uniform(-3, 3, 200)]
forces = [float(x) for x in rng.uniform(-2, 2, 999)]  # half of them outside [-1, 1], which Gymnasium clips
bang_bang = lambda size: lambda t, obs: size if obs is None or obs[1] >= 0 else -size  # push along the velocity
trajectories = [
    run("CartPole-v1", [0.01, 0.02, 0.03, 0.04], lambda t, obs: (t // 3) % 2, 60),
    run("CartPole-v1", [0.0, 0.0, 0.2, 0.0], lambda t, obs: 1, 40),
    # A pole kept up by pushing toward its lean, until the 500-step limit truncates.
    run("CartPole-v1", [0.0, 0.0, 0.01, 0.0], lambda t, obs: 0 if obs is None else int(obs[2] + 0.5 * obs[3] > 0), 500),
    run("MountainCar-v0", [-0.5, 0.0], lambda t, obs: 1, 250),
    run("MountainCar-v0", [-0.52, 0.0], lambda t, obs: 2 if obs is None or obs[1] >= 0 else 0, 250),
    run("MountainCar-v0", [-1.19, -0.06], lambda t, obs: 0, 5),
    run("Acrobot-v1", [0.05, -0.03, 0.02, 0.01], lambda t, obs: random3[t], 100),
    run("Acrobot-v1", [0.0, 0.0, 0.0, 0.0], lambda t, obs: 1 if obs is None else (2 if obs[4] > 0 else 0), 500),
    # Torque along the second joint's velocity pumps energy until the tip crosses the line.
    run("Acrobot-v1", [0.0, 0.0, 0.0, 0.0], lambda t, obs: 1 if obs is None else (2 if obs[5] > 0 else 0), 500),
    run("Pendulum-v1", [1.0, 0.5], lambda t, obs: torques[t], 200, continuous=True),
    run("Pendulum-v1", [-3.0, -7.9], lambda t, obs: torques[199 - t], 30, continuous=True),
    # MountainCarContinuous keeps float32 state after each step (float64 after reset / a state set by hand).
    run("MountainCarContinuous-v0", [-0.5, 0.0], bang_bang(1.0), 999, continuous=True),
    run("MountainCarContinuous-v0", [-0.52, 0.0], bang_bang(1.7), 999, continuous=True),
    run("MountainCarContinuous-v0", [-0.4, 0.0], lambda t, obs: forces[t], 999, continuous=True),
    run("MountainCarContinuous-v0", [-1.19, -0.06], lambda t, obs: -1.5, 5, continuous=True),
    # Past the goal into the right wall; terminated once the velocity is clipped to 0.07.
    run("MountainCarContinuous-v0", [-0.52, 0.0], bang_bang(1.0), 999, continuous=True, goal_velocity=0.07),
    # Just above the clipped 0.07: Python compares it in double, so the car sits at the wall.
    run("MountainCarContinuous-v0", [-0.52, 0.0], bang_bang(1.0), 150, continuous=True, goal_velocity=0.0700000001),
]
(out / "gymnasium_trajectories.json").write_text(json.dumps({"gymnasium": gym.__version__, "trajectories": trajectories}))

tables = []
for env_id, kwargs in [("FrozenLake-v1", {"map_name": "4x4", "is_slippery": True}),
                       ("FrozenLake-v1", {"map_name": "4x4", "is_slippery": False}),
                       ("FrozenLake-v1", {"map_name": "8x8", "is_slippery": True}),
                       ("FrozenLake-v1", {"map_name": "8x8", "is_slippery": False}),
                       ("CliffWalking-v1", {"is_slippery": False}),
                       ("CliffWalking-v1", {"is_slippery": True})]:
    P = gym.make(env_id, **kwargs).unwrapped.P
    tables.append({"id": env_id, "options": {k: str(v).lower() for k, v in kwargs.items()},
                   "P": [[[[float(p), int(s), float(r), bool(d)] for p, s, r, d in P[s_][a]] for a in sorted(P[s_])]
                         for s_ in sorted(P)]})
(out / "gymnasium_tables.json").write_text(json.dumps({"gymnasium": gym.__version__, "tables": tables}))
for t in trajectories:
    last = t["steps"][-1]
    print(f'{t["id"]:24s} {len(t["steps"]):4d} steps, terminated={last["terminated"]} truncated={last["truncated"]}')
