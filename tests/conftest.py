"""Shared pytest set-up: vector cases run once per fork and preset they declare."""

from __future__ import annotations

import pytest

from mvm_spec.forks import load_spec
from mvm_spec.vectors.case import VectorCase


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    case: VectorCase | None = getattr(metafunc.function, "vector_case", None)
    if case is not None:
        instances = [(fork, preset) for fork in case.forks for preset in case.presets]
        metafunc.parametrize(
            "spec", [load_spec(fork, preset) for fork, preset in instances], ids=[f"{f}-{p}" for f, p in instances]
        )
