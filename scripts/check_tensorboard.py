"""Reads an Athanor run folder with TensorBoard itself: its event reader (EventAccumulator) and
its server (`tensorboard --logdir`, the data server included), and checks that both show the
run's metrics.csv, column by column, and its hyper-parameters text.

usage: python check_tensorboard.py RUNS_FOLDER   (each sub-folder a run; see check-tensorboard.sh)
"""
import csv
import json
import math
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

runs_folder = sys.argv[1]
runs = sorted(d for d in os.listdir(runs_folder) if os.path.isdir(os.path.join(runs_folder, d)))
assert runs, f"no runs in {runs_folder}"


def metrics(run):
    """metrics.csv as {column: [(step, value)]}, empty (not finite) fields left out."""
    with open(os.path.join(runs_folder, run, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    columns = [c for c in rows[0] if c not in ("steps", "wall_s")]
    return {c: [(int(r["steps"]), float(r[c])) for r in rows if r[c] != ""] for c in columns}


def same(logged, expected, what):
    """TensorBoard stores scalars as float32."""
    steps, expected_steps = [s for s, _ in logged], [s for s, _ in expected]
    assert steps == expected_steps, f"{what}: {len(steps)} steps {steps[:5]}… != {len(expected_steps)} steps {expected_steps[:5]}…"
    for (_, a), (_, b) in zip(logged, expected):
        assert math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-30), f"{what}: {a} != {b}"


# 1. The event reader, as TensorBoard's Python side loads a run.
for run in runs:
    accumulator = EventAccumulator(os.path.join(runs_folder, run), size_guidance={"scalars": 0, "tensors": 0})
    accumulator.Reload()
    expected = metrics(run)
    tags = accumulator.Tags()["scalars"]
    for column, points in expected.items():
        assert column in tags, f"{run}: {column} missing from the event file ({tags})"
        same([(e.step, e.value) for e in accumulator.Scalars(column)], points, f"{run} {column}")
    for tag in ("charts/episodic_return", "charts/episodic_length", "charts/SPS"):
        assert tag in tags and accumulator.Scalars(tag), f"{run}: no {tag}"
    text = accumulator.Tensors("hyperparameters/text_summary")[0].tensor_proto.string_val[0].decode()
    assert text.startswith("|param|value|\n|-|-|\n|agent|"), text
    print(f"event reader: {run}: {len(expected)} columns × {len(next(iter(expected.values())))} rows, "
          f"{len(accumulator.Scalars('charts/episodic_return'))} episodes, hyper-parameters text — as metrics.csv")

# 2. The server a user opens: `tensorboard --logdir RUNS`, asked over HTTP what it would plot.
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
binary = os.path.join(os.path.dirname(sys.executable), "tensorboard")
server = subprocess.Popen([binary, "--logdir", runs_folder, "--port", str(port), "--host", "127.0.0.1", "--reload_interval", "1"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def get(path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return json.load(response)


try:
    deadline = time.time() + 120
    while True:
        try:
            tags = get("/data/plugin/scalars/tags")
            if all(run in tags and "charts/SPS" in tags[run] for run in runs):
                break
        except OSError:
            pass
        assert server.poll() is None, f"tensorboard exited: {server.stderr.read().decode()[-2000:]}"
        assert time.time() < deadline, "tensorboard did not list our runs within 120 s"
        time.sleep(1)
    # The server keeps at most 1000 points of a curve (a reservoir sample that always holds the
    # last one), so it must return points of metrics.csv, as many as it keeps, ending at the last.
    def plotted(run, column):
        return [(step, value) for _, step, value in get("/data/plugin/scalars/scalars?" + urllib.parse.urlencode({"run": run, "tag": column}))]

    for run in runs:
        for column, points in metrics(run).items():
            while len(shown := plotted(run, column)) < min(len(points), 1000) or shown[-1][0] != points[-1][0]:
                assert time.time() < deadline, f"server {run} {column}: {len(shown)} points, expected {min(len(points), 1000)} ending at step {points[-1][0]}"
                time.sleep(1)
            by_step = dict(points)
            for step, value in shown:
                assert step in by_step and math.isclose(value, by_step[step], rel_tol=1e-6, abs_tol=1e-30), f"server {run} {column}: ({step}, {value}) is not in metrics.csv"
        text_tags = get("/data/plugin/text/tags").get(run, [])
        assert "hyperparameters/text_summary" in text_tags, f"server: no hyper-parameters text for {run}: {text_tags}"
        print(f"tensorboard --logdir: {run}: every metrics.csv column plotted from its values, hyper-parameters in the Text tab")
finally:
    server.terminate()
    server.wait(timeout=30)
print("TensorBoard reads our event files")
