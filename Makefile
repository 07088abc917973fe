# The two commands of the README: `make demo` and `make test`. Both install missing Debian
# packages themselves (scripts/install-deps.sh), so they work on a fresh machine as root.
SWIFT ?= swift
ANCHORS ?= ../shared/anchors
# What the Swift code is compiled for (Package.swift): baseline, the default, is x86-64-v3
# (AVX2, FMA) or ARMv8, so every machine meeting it gives the same numbers for the same seed;
# CPU=native uses the build host's whole instruction set, in its own build folder.
CPU ?= baseline
export ATHANOR_CPU := $(CPU)
SCRATCH := $(if $(filter baseline,$(CPU)),.build,.build-$(CPU))
SWIFT_FLAGS := -c release --traits SDL --scratch-path $(SCRATCH)
ATHANOR := $(SCRATCH)/release/athanor

.PHONY: demo test build perf deps clean install

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build $(SWIFT_FLAGS) --product athanor

# Main job: build, train the deep agents on CartPole (3 seeds each), reproduce Sutton & Barto's
# figures, run the micro-benchmarks; print the results tables (and write Results/).
demo: build
	$(ATHANOR) bench classic --quick
	$(ATHANOR) bench sutton-barto
	$(ATHANOR) perf --no-write

# The whole test suite, on an optimised build (tests that train need it), then TensorBoard
# reading our event files (its own reader and server, in a venv), Minari reading our datasets
# (in a venv), transformers loading and running a GPT we export (in a venv), a sweep through a real
# one-node Slurm cluster (installs slurm-wlm and munge) equal to the local run, two `athanor tune`
# workers sharing one Optuna study (in a venv), then each libFuzzer target for 15 s.
test: deps
	$(SWIFT) test $(SWIFT_FLAGS)
	scripts/check-tensorboard.sh $(ATHANOR)
	scripts/check-minari.sh $(ATHANOR)
	scripts/check-lm-export.sh $(ATHANOR)
	scripts/check-slurm.sh $(ATHANOR)
	scripts/check-optuna.sh $(ATHANOR)
	scripts/fuzz.sh 15

# Benchmarks side by side with the Python anchors (creates their venv on first use, ≈ 5 GB):
# PyTorch MLP steps, Gymnasium environment steps, Stable-Baselines3 PPO/DQN training; and the
# native build's figures beside the baseline's, for what portability costs.
perf: build
	$(MAKE) build CPU=native
	$(ANCHORS)/setup.sh
	$(ATHANOR) perf --anchors $(ANCHORS) --rounds 5 --training --compare-build .build-native/release/athanor

# Puts `athanor` on PATH (PREFIX=/usr/local by default; PREFIX=~/.local for a user install).
PREFIX ?= /usr/local
install: build
	install -d $(PREFIX)/bin $(PREFIX)/share/athanor/hyperparams
	install -m 755 $(ATHANOR) $(PREFIX)/bin/athanor
	install -m 644 hyperparams/*.yml $(PREFIX)/share/athanor/hyperparams

clean:
	rm -rf .build .build-native .build-generic
