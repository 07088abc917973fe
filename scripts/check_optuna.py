"""Checks, in Optuna itself, the study two `athanor tune` workers shared (scripts/check-optuna.sh)."""
import re
import sys

import optuna

storage, name, budget = sys.argv[1], sys.argv[2], int(sys.argv[3])
outputs = sys.argv[4:]
study = optuna.load_study(study_name=name, storage=storage)
trials = {t.number: t for t in study.get_trials(deepcopy=False)}
States = optuna.trial.TrialState
for number in range(budget):
    t = trials.get(number)
    assert t is not None, f"trial {number} is missing"
    assert t.state in (States.COMPLETE, States.PRUNED), f"trial {number} is {t.state.name}"
    # Every evaluation went through Optuna's Trial.report: steps 1, 2, … up to where it stopped.
    steps = sorted(t.intermediate_values)
    assert steps and steps == list(range(1, len(steps) + 1)), f"trial {number} reported steps {steps}"
    if t.state == States.COMPLETE:
        assert t.value == t.intermediate_values[steps[-1]], f"trial {number}: objective is not its last evaluation"
for extra in (t for n, t in trials.items() if n >= budget):
    assert extra.state == States.FAIL, f"surplus trial {extra.number} is {extra.state.name}, not closed"
ran = []
for path in outputs:
    text = open(path).read()
    match = re.search(r"ran (\d+) trials", text)
    assert match, f"{path}: no summary line"
    ran.append(int(match.group(1)))
assert all(n >= 1 for n in ran) and sum(ran) == budget, f"trials per worker {ran} (want each ≥ 1, {budget} in all)"
complete = sum(t.state == States.COMPLETE for t in trials.values())
pruned = sum(t.state == States.PRUNED for t in trials.values())
print(f"check_optuna: {budget} trials ({complete} complete, {pruned} pruned), per worker {ran}; best {study.best_value:.1f} (trial {study.best_trial.number})")
