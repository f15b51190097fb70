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

# Chromium, in which the docs test opens the rendered site (tests/unit/test_docs_browser.py): Debian's package, as
# root (CI runs as root). Elsewhere, without it, that test skips and says why (and the next make tries again).
CHROMIUM_STAMP := $(VENV)/.chromium-stamp

$(CHROMIUM_STAMP): $(STAMP)
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	else echo "chromium is missing and cannot be installed here (apt-get as root): the docs browser test will skip"; fi
	@if command -v chromium >/dev/null 2>&1; then touch $(CHROMIUM_STAMP); fi

install: $(STAMP) $(IMPORTER_STAMP) $(CHROMIUM_STAMP)

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
	$(BIN)/pytest -n auto

formal: install
	$(BIN)/python -m formal

docs: install
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

test: check typecheck unit formal docs

# The Ethereum execution specs, the peer benchmarks/t8n.py measures mvm-spec t8n against. They pin older releases of
# cryptography and coincurve than the project's, so they go, without their dependencies, into a folder of their own
# that only that benchmark puts on sys.path.
PEER := $(VENV)/ethereum-execution
PEER_STAMP := $(PEER)/.installed-stamp

$(PEER_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --no-deps --target $(PEER) \
		ethereum-execution==2.20.0 ethereum-types==0.2.5 ethereum-rlp==0.1.7
	@touch $(PEER_STAMP)

bench: install $(PEER_STAMP)
	$(BIN)/python -m benchmarks

# Mutation testing of the vectors (issue 11): a few minutes on 2 cores, so not part of `make test`. Fails when a
# survivor is not explained in tests/vectors/MUTANTS.md or fewer than 99% of the others are killed.
mutants: install
	$(BIN)/mvm-spec mutants --jobs 2 --out build/mutants/report.json

clean:
	rm -rf $(VENV) docs/_build .mypy_cache .pytest_cache .hypothesis
