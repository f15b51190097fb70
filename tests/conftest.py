"""Shared pytest set-up: vector cases run once per fork and preset they declare; subprocesses import this
checkout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from mvm_spec.forks import load_spec
from mvm_spec.vectors.case import VectorCase

# Derandomized so a CI run is reproducible: a property failure seen once is seen again on the same code.
# `HYPOTHESIS_PROFILE=explore` searches with fresh randomness and more examples, for local bug hunting.
settings.register_profile("ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


CHECKOUT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def subprocesses_import_this_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clients and tools run as subprocesses (faulty clients, the reference client, the fuzzer) import the mvm_spec
    of this checkout, not whichever one the environment installed (in a second worktree sharing a venv, the
    editable install points at the first)."""
    inherited = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", str(CHECKOUT) + (os.pathsep + inherited if inherited else ""))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    case: VectorCase | None = getattr(metafunc.function, "vector_case", None)
    if case is not None:
        instances = [(fork, preset) for fork in case.forks for preset in case.presets]
        metafunc.parametrize(
            "spec", [load_spec(fork, preset) for fork, preset in instances], ids=[f"{f}-{p}" for f, p in instances]
        )
