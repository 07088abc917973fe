"""Reference values for GRPO from TRL itself: the loss that `GRPOTrainer._compute_loss` forms on a fixed batch
(per-token clipped surrogate, k3 KL to a reference, loss aggregation per `loss_type`) and its gradients.

usage (made once, output committed; CPU, offline, deterministic):
    ~/.venvs/anchors/bin/python scripts/make_grpo_fixture.py

writes Tests/AgentsTests/Fixtures/grpo/
  model/         a tiny tied GPT-2 (vocab 14, 2 layers, 2 heads, width 32, float32; every parameter perturbed by
                 0.05·N(0,1) so LayerNorms and biases matter), saved by save_pretrained (config.json, model.safetensors)
  grpo_trl.json  the batch (2 prompts × 4 completions of length 6), rewards, group advantages, reference and old
                 per-token log-probs, and per case: TRL's loss, its per-token log-probs, its logged KL and clip
                 metrics, and the gradients of three parameters after `loss.backward()`

The numbers come from TRL's own code (trl 1.16.0, trl/trainer/grpo_trainer.py):
  GRPOTrainer.__init__                          reads beta, epsilon/epsilon_high (epsilon_low = epsilon), loss_type,
                                                num_iterations, temperature; add_fused_lm_head(model, temperature)
                                                (trl/trainer/utils.py) bakes the temperature into the model's forward,
                                                so every case builds its own trainer
  GRPOTrainer._compute_loss(model, inputs)       the loss (called directly, model in train mode, with
                                                current_gradient_accumulation_steps = 1 as Trainer's loop would set)
  GRPOTrainer._get_per_token_logps_and_entropies the per-token log-probs the loss uses (log_softmax(logits / T)
                                                gathered at the completion tokens; 0 where completion_mask is 0)
  trl.trainer.utils.nanstd                      the group std used for the advantages, as in
                                                GRPOTrainer._generate_and_score_completions (scale_rewards="group")
The KL and clip values are the ones `_compute_loss` appends to `trainer._metrics["train"]`.
"""
import json
import os
import sys

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["CUDA_VISIBLE_DEVICES"] = ""
os.environ["WANDB_DISABLED"] = "true"

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "../shared/anchors/llm"))
if not os.path.isdir(os.path.join(ROOT, "../shared/anchors/llm")):
    sys.path.insert(0, "/work/shared/anchors/llm")
import common as C  # noqa: E402  (CharTokenizer; sets the offline variables too)

import datasets  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
import trl  # noqa: E402
from transformers import GPT2Config, GPT2LMHeadModel  # noqa: E402
from trl import GRPOConfig, GRPOTrainer  # noqa: E402
from trl.trainer.utils import nanstd  # noqa: E402

torch.set_num_threads(1)
OUT = os.path.join(ROOT, "Tests/AgentsTests/Fixtures/grpo")
MODEL_DIR = os.path.join(OUT, "model")
B, G, P, L = 8, 4, 8, 6


def f32(x):
    """A float32 value as the shortest decimal that reads back to the same float32."""
    return float(f"{float(x):.9g}")


def nested(t):
    t = t.detach().to(torch.float32)
    if t.dim() == 0:
        return f32(t.item())
    return [nested(r) for r in t] if t.dim() > 1 else [f32(v) for v in t.tolist()]


# ---------------------------------------------------------------- the model
torch.manual_seed(0)
config = GPT2Config(vocab_size=14, n_positions=32, n_embd=32, n_layer=2, n_head=2,
                    resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                    bos_token_id=13, eos_token_id=13, pad_token_id=0)
model = GPT2LMHeadModel(config)
gen = torch.Generator().manual_seed(1)
with torch.no_grad():
    for _, p in model.named_parameters():  # wte once: lm_head is tied to it
        p.add_(0.05 * torch.randn(p.shape, generator=gen))
assert model.lm_head.weight is model.transformer.wte.weight
os.makedirs(OUT, exist_ok=True)
model.save_pretrained(MODEL_DIR, safe_serialization=True)

# ---------------------------------------------------------------- the batch
prompts = ["123+456=", "909+091="]
prompt_ids = torch.tensor([C.encode(s) for s in prompts for _ in range(G)])
completion_ids = torch.tensor([
    [10, 8, 6, 13, 0, 0],  # "975\n"      4 tokens
    [10, 8, 13, 0, 0, 0],  # "97\n"       3
    [10, 13, 0, 0, 0, 0],  # "9\n"        2
    [10, 8, 6, 1, 1, 13],  # "97500\n"    6, '\n' last
    [1, 1, 1, 2, 13, 0],   # "0001\n"     5
    [1, 1, 2, 13, 0, 0],   # "001\n"      4
    [1, 1, 1, 2, 3, 4],    # "000123"     6, truncated (no '\n')
    [2, 13, 0, 0, 0, 0],   # "1\n"        2
])
completion_mask = torch.zeros(B, L, dtype=torch.long)
for i, row in enumerate(completion_ids.tolist()):
    n = row.index(13) + 1 if 13 in row else L
    completion_mask[i, :n] = 1
prompt_mask = torch.ones(B, P, dtype=torch.long)
num_items_in_batch = completion_mask.sum()  # as _generate_and_score_completions: loss_mask.sum() (one process)

rewards = torch.tensor([1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0])
# GRPOTrainer._generate_and_score_completions, scale_rewards="group", one reward function of weight 1:
mean_grouped = torch.nanmean(rewards.view(-1, G), dim=1).repeat_interleave(G, dim=0)
std_grouped = nanstd(rewards.view(-1, G), dim=1).repeat_interleave(G, dim=0)
advantages = (rewards - mean_grouped) / (std_grouped + 1e-4)


def hand_logps(m, temperature):
    """log_softmax(logits[:, P-1:P+L-1] / T) gathered at the completion tokens, computed here from the plain model."""
    ids = torch.cat([prompt_ids, completion_ids], 1)
    mask = torch.cat([prompt_mask, completion_mask], 1)
    with torch.no_grad():
        logits = m(input_ids=ids, attention_mask=mask).logits[:, P - 1:P + L - 1].float()
    return torch.log_softmax(logits / temperature, -1).gather(-1, completion_ids[..., None]).squeeze(-1)


# Reference and old log-probs: the model's own, perturbed (every position, padding included; the loss masks them).
base = hand_logps(GPT2LMHeadModel.from_pretrained(MODEL_DIR), 1.0)
noise = torch.Generator().manual_seed(2)
ref_per_token_logps = base + 0.1 * torch.randn(B, L, generator=noise)
old_per_token_logps = base + 0.3 * torch.randn(B, L, generator=noise)

ds = datasets.Dataset.from_dict(dict(prompt=prompts * 4))


def reward(prompts, completions, completion_ids, **kw):  # never called: the batch and advantages are fixed
    return [0.0] * len(prompts)


CASES = [
    dict(name="grpo_beta0.04_mu1", loss_type="grpo", beta=0.04, num_iterations=1, temperature=1.0),
    dict(name="grpo_beta0_mu1", loss_type="grpo", beta=0.0, num_iterations=1, temperature=1.0),
    dict(name="dr_grpo_beta0.04_mu1", loss_type="dr_grpo", beta=0.04, num_iterations=1, temperature=1.0),
    dict(name="dapo_beta0.04_mu1", loss_type="dapo", beta=0.04, num_iterations=1, temperature=1.0),
    dict(name="grpo_beta0.04_old", loss_type="grpo", beta=0.04, num_iterations=2, temperature=1.0,
         epsilon_high=0.28, uses_old_logps=True),
    dict(name="grpo_beta0.04_T0.7", loss_type="grpo", beta=0.04, num_iterations=1, temperature=0.7),
    # TRL's default use_bias_correction_kl=True multiplies the k3 KL by the (differentiable) ratio; the plain k3:
    dict(name="grpo_beta0.04_mu1_nobiascorr", loss_type="grpo", beta=0.04, num_iterations=1, temperature=1.0,
         use_bias_correction_kl=False),
    dict(name="grpo_beta0.04_old_nobiascorr", loss_type="grpo", beta=0.04, num_iterations=2, temperature=1.0,
         epsilon_high=0.28, uses_old_logps=True, use_bias_correction_kl=False),
]
GRAD_NAMES = ["transformer.wte.weight", "transformer.h.0.attn.c_attn.weight", "transformer.ln_f.weight"]

out_cases = []
for case in CASES:
    case = dict(dict(epsilon=0.2, epsilon_high=None, uses_old_logps=False, use_bias_correction_kl=True), **case)
    args = GRPOConfig(
        output_dir=os.path.join("/tmp", "grpo_fixture_out"), use_cpu=True, bf16=False, fp16=False,
        gradient_checkpointing=False, report_to="none", num_generations=G, per_device_train_batch_size=B,
        max_completion_length=L, max_steps=1, save_strategy="no", temperature=case["temperature"],
        beta=case["beta"], epsilon=case["epsilon"], epsilon_high=case["epsilon_high"], loss_type=case["loss_type"],
        num_iterations=case["num_iterations"], scale_rewards="group",
        use_bias_correction_kl=case["use_bias_correction_kl"], seed=0, disable_tqdm=True,
        dataloader_num_workers=0)
    # From the saved folder, so that TRL can build its reference model (from config._name_or_path) when beta != 0.
    trainer = GRPOTrainer(model=GPT2LMHeadModel.from_pretrained(MODEL_DIR), reward_funcs=reward, args=args,
                          train_dataset=ds, processing_class=C.CharTokenizer())
    m = trainer.model
    m.train()  # as in training: mode "train" (dropout is 0 anyway)
    trainer.current_gradient_accumulation_steps = 1  # what Trainer's loop sets for gradient_accumulation_steps=1
    assert trainer.accelerator.device.type == "cpu"
    assert trainer.epsilon_low == case["epsilon"]
    assert trainer.epsilon_high == (case["epsilon_high"] or case["epsilon"])

    inputs = dict(prompt_ids=prompt_ids, prompt_mask=prompt_mask, completion_ids=completion_ids,
                  completion_mask=completion_mask, advantages=advantages.clone(),
                  num_items_in_batch=num_items_in_batch)
    if case["beta"] != 0.0:
        inputs["ref_per_token_logps"] = ref_per_token_logps.clone()
    if case["uses_old_logps"]:
        inputs["old_per_token_logps"] = old_per_token_logps.clone()

    # TRL's per-token log-probs (the helper _compute_loss calls, same arguments), checked against a hand computation.
    with torch.no_grad():
        logps, _, _ = trainer._get_per_token_logps_and_entropies(
            m, torch.cat([prompt_ids, completion_ids], 1), torch.cat([prompt_mask, completion_mask], 1), L,
            compute_entropy=True)
    hand = hand_logps(m, case["temperature"])  # the fused head only acts when fused_lm_head=True
    on = completion_mask.bool()
    assert torch.allclose(logps[on], hand[on], atol=1e-6, rtol=0), (logps - hand).abs()[on].max()
    assert (logps[~on] == 0).all()  # TRL zeroes masked positions

    m.zero_grad(set_to_none=True)
    trainer._metrics["train"].clear()
    loss = trainer._compute_loss(m, inputs)
    loss.backward()
    params = dict(m.named_parameters())
    metrics = trainer._metrics["train"]
    clip = None
    if "clip_ratio/region_mean" in metrics:
        clip = {k.split("/")[1]: f32(metrics[k][-1]) for k in (
            "clip_ratio/low_mean", "clip_ratio/high_mean", "clip_ratio/region_mean",
            "clip_ratio/low_min", "clip_ratio/high_max")}
    out_cases.append(dict(
        name=case["name"], loss_type=case["loss_type"], beta=case["beta"], epsilon=case["epsilon"],
        epsilon_high=case["epsilon_high"] if case["epsilon_high"] is not None else case["epsilon"],
        num_iterations=case["num_iterations"], temperature=case["temperature"],
        uses_old_logps=case["uses_old_logps"], use_bias_correction_kl=case["use_bias_correction_kl"],
        loss=f32(loss.item()), per_token_logps=nested(logps),
        kl_mean=f32(metrics["kl"][-1]) if "kl" in metrics else None,
        entropy_mean=f32(metrics["entropy"][-1]),
        clip_ratio=clip,
        grad={n: nested(params[n].grad) for n in GRAD_NAMES}))
    print(f'{case["name"]:32s} loss {loss.item():+.8f}  kl {out_cases[-1]["kl_mean"]}  clip {clip}', flush=True)

json.dump(dict(
    trl_version=trl.__version__, transformers_version=transformers.__version__, torch_version=torch.__version__,
    note=("scripts/make_grpo_fixture.py: loss = GRPOTrainer._compute_loss(model, inputs) of trl "
          f"{trl.__version__} (trl/trainer/grpo_trainer.py), then loss.backward(); per_token_logps from "
          "GRPOTrainer._get_per_token_logps_and_entropies (0 where completion_mask is 0); kl_mean, entropy_mean and "
          "clip_ratio are what _compute_loss logs in trainer._metrics['train'] (masked means over completion tokens; "
          "low_min / high_max are the min / max over sequences of the per-sequence masked means). TRL's default "
          "use_bias_correction_kl=True multiplies the per-token k3 KL by the ratio exp(logp - old) (differentiable, "
          "so it changes the gradient even on-policy); the *_nobiascorr cases turn it off. "
          "num_iterations=1 cases pass no old_per_token_logps (TRL uses per_token_logps.detach()). "
          "Model in train mode, current_gradient_accumulation_steps=1, one process. ref/old per-token logps are the "
          "model's T=1 log-probs + 0.1 / 0.3 N(0,1) (seed 2) at every position, padding included. "
          "Gradient layouts: wte [vocab 14][32] (tied with lm_head, so both contributions), "
          "h.0.attn.c_attn.weight in HF Conv1D layout [in 32][out 96] (y = x W + b), ln_f.weight [32]. "
          "Token ids: <pad>=0, '0'..'9'=1..10, '+'=11, '='=12, '\\n'=13 (EOS)."),
    model_dir="model", c_attn_weight_layout="Conv1D [in=32][out=96]",
    prompt_ids=prompt_ids.tolist(), completion_ids=completion_ids.tolist(), completion_mask=completion_mask.tolist(),
    num_items_in_batch=int(num_items_in_batch), max_completion_length=L, num_generations=G,
    rewards=nested(rewards), advantages=nested(advantages),
    ref_per_token_logps=nested(ref_per_token_logps), old_per_token_logps=nested(old_per_token_logps),
    cases=out_cases,
), open(os.path.join(OUT, "grpo_trl.json"), "w"))
print("wrote", os.path.relpath(os.path.join(OUT, "grpo_trl.json"), ROOT),
      os.path.getsize(os.path.join(OUT, "grpo_trl.json")), "bytes")
