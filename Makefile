# biosynth: `make demo` and `make test` set up what they need (a .venv built from
# this project's own files) and then run.
PYTHON     ?= python3
VENV       ?= .venv
BIN         = $(VENV)/bin
# torch for the torch code paths in the tests: the CPU build is enough; set
# TORCH_SPEC= (empty) to test without torch (torch tests then skip).
TORCH_SPEC ?= torch==2.13.0
DEMO        = demo_out
# mne-hfo's HFO detectors, a peer of benchmarks.hfo_transfer, in their own environment
# (mne-hfo 0.2 needs a scikit-learn older than 1.6; see benchmarks/mnehfo/requirements.txt);
# benchmarks/mnehfo looks for it there (or at $BIOSYNTH_MNEHFO_PYTHON)
MNEHFO      = .venv-mnehfo

.PHONY: demo test lint bench mnehfo clean help

help:
	@echo "make demo   fit a generator on 30 s of a shipped EEG, judge its samples on the next 30 s, write $(DEMO)/report.html"
	@echo "make test   run the test suite (sets up .venv with the dev extras)"
	@echo "make lint   ruff check + format check"
	@echo "make bench  time the end-to-end slice, write benchmarks/results/"
	@echo "make mnehfo build $(MNEHFO), mne-hfo's detectors for benchmarks.hfo_transfer"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "biosynth needs Python >= 3.10")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# core install: what the demo needs
$(VENV)/.core: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

# test install: dev and dask extras, plus torch for the torch paths
$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(if $(TORCH_SPEC),$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)")
	$(BIN)/python -m pip install --quiet -e ".[dev,dask]"
	@touch $@ $(VENV)/.core

demo: $(VENV)/.core
	@mkdir -p $(DEMO)
	$(BIN)/biosynth fit spectral sample:eeglab --window 0 30 --out $(DEMO)/model.npz --overwrite
	$(BIN)/biosynth generate --model $(DEMO)/model.npz --n-records 15 --duration 2 --seed 0 \
		--out $(DEMO)/synthetic.nc --overwrite
	$(BIN)/biosynth fidelity sample:eeglab $(DEMO)/synthetic.nc --window 30 60 \
		--training sample:eeglab --training-window 0 30 --epoch 2 --out $(DEMO)/report.html --overwrite
	$(BIN)/biosynth card $(DEMO)/synthetic.nc --fidelity $(DEMO)/report.json --out $(DEMO)/card.md --overwrite
	@echo "report: $(DEMO)/report.html (open it in a browser); JSON: $(DEMO)/report.json; card: $(DEMO)/card.md"

$(MNEHFO)/.done: benchmarks/mnehfo/requirements.txt
	$(PYTHON) -m venv $(MNEHFO)
	$(MNEHFO)/bin/python -m pip install --quiet --upgrade pip
	$(MNEHFO)/bin/python -m pip install --quiet -r benchmarks/mnehfo/requirements.txt
	@touch $@

mnehfo: $(MNEHFO)/.done

test: $(VENV)/.dev $(MNEHFO)/.done
	$(BIN)/python -m pytest -q -n 2

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.core
	$(BIN)/python -m benchmarks.slice

clean:
	rm -rf $(VENV) $(MNEHFO) $(DEMO) .pytest_cache .ruff_cache
