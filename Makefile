# The two commands of the README: `make demo` and `make test`. Both install missing Debian
# packages themselves (scripts/install-deps.sh), so they work on a fresh machine as root.
SWIFT ?= swift
ATHANOR := .build/release/athanor
ANCHORS ?= ../shared/anchors

.PHONY: demo test build perf deps clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product athanor --traits SDL

# Main job: build, train the deep agents on CartPole (3 seeds each), reproduce Sutton & Barto's
# figures, run the micro-benchmarks; print the results tables (and write Results/).
demo: build
	$(ATHANOR) bench classic --quick
	$(ATHANOR) bench sutton-barto
	$(ATHANOR) perf --no-write

# The whole test suite, on an optimised build (tests that train need it).
test: deps
	$(SWIFT) test -c release --traits SDL

# Benchmarks side by side with the Python anchors (creates their venv on first use, ≈ 5 GB):
# PyTorch MLP steps, Gymnasium environment steps, Stable-Baselines3 PPO/DQN training.
perf: build
	$(ANCHORS)/setup.sh
	$(ATHANOR) perf --anchors $(ANCHORS) --rounds 5 --training

clean:
	rm -rf .build
