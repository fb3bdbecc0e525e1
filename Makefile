# biosynth: `make demo` and `make test` set up what they need (a .venv from this
# project's own files) and then run.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
DEMO    = demo_out

.PHONY: demo test lint bench clean help

help:
	@echo "make demo   generate EEG like a shipped real recording, measure fidelity, write $(DEMO)/report.html"
	@echo "make test   run the test suite"
	@echo "make lint   ruff check + format check"
	@echo "make bench  time the end-to-end slice, write benchmarks/results/"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "biosynth needs Python >= 3.10")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,dask]"
	@touch $(STAMP)

demo: $(STAMP)
	@mkdir -p $(DEMO)
	$(BIN)/biosynth generate eeg --like sample:eeglab --n-records 60 --duration 4 --seed 0 \
		--out $(DEMO)/synthetic.nc --overwrite
	$(BIN)/biosynth fidelity sample:eeglab $(DEMO)/synthetic.nc --epoch 4 --out $(DEMO)/report.html --overwrite
	$(BIN)/biosynth card $(DEMO)/synthetic.nc --fidelity $(DEMO)/report.json --out $(DEMO)/card.md --overwrite
	@echo "open $(DEMO)/report.html in a browser"

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(STAMP)
	$(BIN)/python -m benchmarks.slice

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .ruff_cache
