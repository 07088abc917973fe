"""transformers' GPT2LMHeadModel loads the folder `athanor lm export --format hf` wrote (scripts/check-lm-export.sh)
with no key missing or left over, and gives what `athanor lm sample --temperature 0 --json` reported: at each step
of each greedy completion the same arg-max token (a tie within 1e-5 in logits may go either way) with the same
probability at temperature 1 (within 1e-4), from a full forward pass; and model.generate, greedy and batched over
all the prompts, makes the same completions, cut after the first end-of-line token.
usage: check_lm_export.py HF_FOLDER OURS_JSON"""
import json
import os
import sys

for name in ["HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"]:
    os.environ[name] = "1"
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import GPT2LMHeadModel  # noqa: E402

transformers.utils.logging.disable_progress_bar()

EOS = 13          # '\n'
MAX_NEW = 6       # `athanor lm sample`'s default --max-new-tokens
TIE = 1e-5        # logits this close are a tie: either token is a greedy choice
PROB_TOL = 1e-4


def fail(message):
    print(f"lm export: {message}", file=sys.stderr)
    sys.exit(1)


folder, ours_path = sys.argv[1], sys.argv[2]
completions = json.load(open(ours_path))["completions"]
if not completions:
    fail(f"{ours_path} holds no completions")
torch.manual_seed(0)
model, info = GPT2LMHeadModel.from_pretrained(folder, output_loading_info=True, dtype=torch.float32)
model.eval()
for kind in ["missing_keys", "unexpected_keys", "mismatched_keys", "error_msgs"]:
    if info.get(kind):
        fail(f"from_pretrained({folder}): {kind} {sorted(info[kind])}")
if any(p.dtype != torch.float32 for p in model.parameters()):
    fail("parameters are not float32")
parameters = sum(p.numel() for p in model.parameters())


def logits_after(tokens):
    """The logits for the token after each prefix of `tokens`: [len(tokens), vocab]."""
    with torch.no_grad():
        return model(torch.tensor([tokens])).logits[0]


def tie(logits, a, b):
    return abs(float(logits[a]) - float(logits[b])) <= TIE


tokens_checked, worst, ties = 0, 0.0, 0
for n, c in enumerate(completions):
    prompt, tokens, probabilities = c["prompt_tokens"], c["tokens"], c["probabilities"]
    where = f"completion {n} ({c['prompt']!r} -> {c['text']!r})"
    if len(tokens) != len(probabilities) or not tokens:
        fail(f"{where}: {len(tokens)} tokens, {len(probabilities)} probabilities")
    if EOS in tokens[:-1] or (len(tokens) < MAX_NEW and tokens[-1] != EOS) or len(tokens) > MAX_NEW:
        fail(f"{where}: generation should stop after token {EOS} or {MAX_NEW} new tokens, got {tokens}")
    logits = logits_after(prompt + tokens)[len(prompt) - 1:-1]
    probs = torch.softmax(logits.double(), dim=-1)
    for i, token in enumerate(tokens):
        best = int(torch.argmax(logits[i]))
        if best != token:
            if not tie(logits[i], best, token):
                fail(f"{where}, step {i}: transformers' arg max is token {best} (logit {float(logits[i][best]):.6f}), "
                     f"ours {token} (logit {float(logits[i][token]):.6f})")
            ties += 1
        error = abs(float(probs[i][token]) - probabilities[i])
        if error > PROB_TOL:
            fail(f"{where}, step {i}: token {token} has probability {float(probs[i][token]):.6f} in transformers, "
                 f"{probabilities[i]:.6f} in ours")
        worst = max(worst, error)
        tokens_checked += 1

# model.generate, greedy, all prompts in one batch (same length: no padding).
prompts = [c["prompt_tokens"] for c in completions]
if len({len(p) for p in prompts}) != 1:
    fail(f"prompts of different lengths {sorted({len(p) for p in prompts})}: this check batches them unpadded")
input_ids = torch.tensor(prompts)
with torch.no_grad():
    out = model.generate(input_ids, attention_mask=torch.ones_like(input_ids), max_new_tokens=MAX_NEW,
                         do_sample=False, eos_token_id=EOS, pad_token_id=0)
for n, (c, row) in enumerate(zip(completions, out[:, input_ids.shape[1]:].tolist())):
    theirs = row[:row.index(EOS) + 1] if EOS in row else row
    if theirs == c["tokens"]:
        continue
    # Where the two first part, a tie in logits lets each choose its own token (and go on differently).
    k = next((i for i, (a, b) in enumerate(zip(theirs, c["tokens"])) if a != b), min(len(theirs), len(c["tokens"])))
    if k < min(len(theirs), len(c["tokens"])):
        logits = logits_after(c["prompt_tokens"] + c["tokens"][:k])[-1]
        if tie(logits, theirs[k], c["tokens"][k]):
            ties += 1
            continue
    fail(f"completion {n} ({c['prompt']!r}): model.generate gives tokens {theirs}, ours {c['tokens']}")

print(f"lm export: transformers {transformers.__version__} (torch {torch.__version__}) loaded GPT2LMHeadModel "
      f"({parameters:,} parameters), {len(completions)} completions equal: {tokens_checked} tokens greedy "
      f"(model.generate too), probabilities within {worst:.1e}" + (f", {ties} ties" if ties else ""))
