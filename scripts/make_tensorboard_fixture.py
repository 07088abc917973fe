"""An event file written by tensorboardX's SummaryWriter, the reference for our event writer.

usage: python3 -m venv ~/.venvs/tensorboard && ~/.venvs/tensorboard/bin/pip install tensorboard==2.20.0 tensorboardX==2.6.5
       ~/.venvs/tensorboard/bin/python scripts/make_tensorboard_fixture.py
writes Tests/TrainingTests/Fixtures/tensorboardx.tfevents (the writer's own file, renamed) and
Tests/TrainingTests/Fixtures/tensorboardx.json (what was written, for the Swift test to write again).
"""
import glob
import json
import os
import shutil
import tempfile

import tensorboardX
from tensorboardX import SummaryWriter

here = os.path.join(os.path.dirname(__file__), "..", "Tests", "TrainingTests", "Fixtures")
# Scalars as a training run logs them (CleanRL's tags), at chosen wall times so the file is reproducible
# but for its first event, whose wall time the writer takes from the clock.
scalars = [
    ("charts/episodic_return", 21.0, 128, 1764633600.25),
    ("charts/episodic_length", 21, 128, 1764633600.25),
    ("losses/value_loss", 0.123456789, 2048, 1764633601.5),
    ("losses/approx_kl", -1.5e-7, 2048, 1764633601.5),
    ("charts/learning_rate", 0.0, 4096, 1764633602.75),
    ("charts/SPS", 3.4e38, 1 << 40, 1764633603.0),
]
text = ("hyperparameters", "|param|value|\n|-|-|\n|learning_rate|0.0003|\n|gamma|0.99|\n|env_id|CartPole-v1 θ|", 0, 1764633599.0)

with tempfile.TemporaryDirectory() as folder:
    writer = SummaryWriter(folder)
    writer.add_text(text[0], text[1], global_step=text[2], walltime=text[3])
    for tag, value, step, wall in scalars:
        writer.add_scalar(tag, value, global_step=step, walltime=wall)
    writer.close()
    (path,) = glob.glob(os.path.join(folder, "events.out.tfevents.*"))
    shutil.copyfile(path, os.path.join(here, "tensorboardx.tfevents"))

with open(os.path.join(here, "tensorboardx.json"), "w") as f:
    json.dump({"writer": f"tensorboardX {tensorboardX.__version__}",
               "text": {"tag": text[0], "text": text[1], "step": text[2], "wall_time": text[3]},
               "scalars": [{"tag": t, "value": v, "step": s, "wall_time": w} for t, v, s, w in scalars]},
              f, indent=1, ensure_ascii=False)
    f.write("\n")
print("wrote", os.path.abspath(here))
