# The two commands a user needs (see README):
#   make vectors   render spec/ into mvm_spec/forks/ and emit every conformance vector into tests/vectors/
#   make test      drift checks, mypy --strict, pytest (unit + property + vector cases), CrossHair + Z3, docs
# Both set themselves up on a fresh machine: they create .venv and install the pinned dependencies first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install build vectors check test typecheck unit formal docs bench mutants clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable ".[dev]"
	@touch $(STAMP)

# IPFS's own JavaScript importer, which the storage tests check the spec's content ids against (npm registry).
IMPORTER := tests/ipfs_importer
IMPORTER_STAMP := $(IMPORTER)/node_modules/.installed-stamp

$(IMPORTER_STAMP): $(IMPORTER)/package.json $(IMPORTER)/package-lock.json
	cd $(IMPORTER) && npm ci --no-audit --no-fund --loglevel=error
	@touch $(IMPORTER_STAMP)

install: $(STAMP) $(IMPORTER_STAMP)

build: install
	$(BIN)/mvm-spec build

vectors: build
	$(BIN)/mvm-spec vectors

check: install
	$(BIN)/mvm-spec build --check
	$(BIN)/mvm-spec vectors --check

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest

formal: install
	$(BIN)/python -m formal

docs: install
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

test: check typecheck unit formal docs

bench: install
	$(BIN)/python -m benchmarks

# Mutation testing of the vectors (issue 11): a few minutes on 2 cores, so not part of `make test`. Fails when a
# survivor is not explained in tests/vectors/MUTANTS.md or fewer than 99% of the others are killed.
mutants: install
	$(BIN)/mvm-spec mutants --jobs 2 --out build/mutants/report.json

clean:
	rm -rf $(VENV) docs/_build .mypy_cache .pytest_cache .hypothesis
