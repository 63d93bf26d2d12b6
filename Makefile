# MMS Desktop: `make run` starts the application, `make test` runs every test.
# Both create the virtual environment .venv on first use (torch's CPU build first, then the project).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run sample test lint typecheck screenshots bundle bundle-test demo-model demo-eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,cluster]'
	touch $(STAMP)

# Open the window and transcribe the shipped sample in it, printing its text too (the bundled
# demonstration pack works with no download).
run: $(STAMP)
	bash .ci/system-deps run
	$(BIN)/mms-desktop-gui resources/sample.wav

# Transcribe the shipped sample on the command line, detecting its language.
sample: $(STAMP)
	$(BIN)/mms-desktop transcribe resources/sample.wav

# PNGs of the window's main states under Xvfb, with speech played into a virtual microphone.
screenshots: $(STAMP)
	bash .ci/system-deps
	$(BIN)/python tests/e2e/screenshots.py build/screenshots

test: $(STAMP) lint typecheck
	bash .ci/system-deps
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check mms_desktop tests
	$(BIN)/ruff format --check mms_desktop tests

typecheck: $(STAMP)
	$(BIN)/mypy

# The installable one-folder build (dist/mms-desktop) and its archive, with PyInstaller (CPU-only torch).
bundle: $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[bundle]'
	bash packaging/build.sh $(BIN)/python

# Build the bundle, then run the frozen command line and the frozen window (under Xvfb).
bundle-test: bundle
	bash .ci/system-deps
	SKIP_BUILD=1 bash packaging/smoke_test.sh

# Rebuild the bundled demonstration model from nothing (corpus and training); prints wall time and CER.
demo-model: $(STAMP)
	$(BIN)/python -m mms_desktop.demo.build --out resources/models

# Character error rate per language and identification accuracy of the bundled demonstration pack; with
# REAL_SPEECH=FOLDER also on English recordings of people there, with transcripts as train-adapter reads them.
demo-eval: $(STAMP)
	$(BIN)/python -m mms_desktop.demo.evaluate --models resources/models $(if $(REAL_SPEECH),--real-speech $(REAL_SPEECH))

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .mypy_cache
