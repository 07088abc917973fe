"""Reference data for Tests/TinyLMTests, generated once with the anchors' environment:

    ~/.venvs/anchors/bin/python Tests/TinyLMTests/Fixtures/make_fixtures.py

gpt2_small/: a GPT2LMHeadModel (transformers, seed 0; LayerNorm and bias values perturbed so that every
parameter matters) saved by save_pretrained, and gpt2_golden.json with its logits on fixed token ids.
addition_splits.json: the anchor's make_splits(seed=0) (../shared/anchors/llm/common.py), summarised:
the first and last pairs of each split, counts and an order-sensitive checksum of all of them (pairs and teacher answers).
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../../../../shared/anchors/llm"))
import common as C  # noqa: E402

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import GPT2Config, GPT2LMHeadModel  # noqa: E402

# ---------------------------------------------------------------- GPT-2 golden logits
torch.manual_seed(0)
config = GPT2Config(vocab_size=14, n_positions=16, n_embd=32, n_layer=2, n_head=4,
                    resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                    bos_token_id=13, eos_token_id=13, pad_token_id=0)
model = GPT2LMHeadModel(config).eval()
with torch.no_grad():
    for name, p in model.named_parameters():
        if ".ln_" in name or name.endswith(".bias"):
            p.add_(0.1 * torch.randn_like(p))
model.save_pretrained(os.path.join(HERE, "gpt2_small"))
g = torch.Generator().manual_seed(1)
ids = torch.randint(0, 14, (3, 11), generator=g)
with torch.no_grad():
    logits = model(input_ids=ids).logits
    greedy = model.generate(ids[:, :8], max_new_tokens=6, do_sample=False, eos_token_id=None, pad_token_id=0)
json.dump(dict(generator="make_fixtures.py", transformers=transformers.__version__, torch=torch.__version__,
               input_ids=ids.tolist(), logits=[round(v, 7) for v in logits.reshape(-1).tolist()],
               logits_shape=list(logits.shape), greedy_continuations=greedy[:, 8:].tolist()),
          open(os.path.join(HERE, "gpt2_golden.json"), "w"))

# ---------------------------------------------------------------- the task's splits
s = C.make_splits(seed=0)
# An order-sensitive checksum that the Swift test recomputes: h <- (h * 1000003 + v) mod (2^31 - 1) over
# 1000a + b of every pair (test, val, train in order), then the character codes of every corpus answer.
h = 0
for key in ("test", "val", "train"):
    for a, b in s[key]:
        h = (h * 1000003 + 1000 * a + b) % 2147483647
for _, _, ans in s["corpus"]:
    for ch in ans:
        h = (h * 1000003 + ord(ch)) % 2147483647
json.dump(dict(generator="make_fixtures.py", source="../shared/anchors/llm/common.py make_splits(seed=0)",
               test_head=s["test"][:5], test_tail=s["test"][-5:], val_head=s["val"][:5], train_head=s["train"][:5],
               train_tail=s["train"][-5:], corpus_head=[c[2] for c in s["corpus"][:40]],
               noisy_fraction=sum(ans != C.answer_of(a, b) for a, b, ans in s["corpus"]) / len(s["corpus"]),
               carry_test=sum(C.carry_into_hundreds(a, b) for a, b in s["test"]),
               checksum=h),
          open(os.path.join(HERE, "addition_splits.json"), "w"), indent=1)
print("written", os.listdir(HERE))
