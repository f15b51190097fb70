"""Vector cases: one test body, two uses.

A case is a generator function decorated with ``@vector_case(runner, handler)``. It receives the rendered spec
module, yields named parts — inputs first (``pre``, ``input``), then exactly one expected part (``output``,
``post`` or ``error``) — and asserts, between the yields, what it knows independently of the code under test.

Under pytest, ``tests/conftest.py`` runs it once per fork and preset: the assertions run and the parts are checked
against the runner's JSON Schema (``tests/unit/test_reference_client.py`` also replays every case through the
reference client). Under ``mvm-spec vectors`` the same parts are written to ``tests/vectors/``.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterator

from ..forks import PRESETS
from .validation import validate_vector

Part = tuple[str, Any]
CaseBody = Callable[[ModuleType], Iterator[Part]]

INPUT_PARTS = ("pre", "input")
EXPECTED_PARTS = ("output", "post", "error")


class CaseError(Exception):
    """A case yielded parts that do not make a vector (a bug in the test, not in a client)."""


@dataclass(frozen=True)
class VectorCase:
    runner: str
    handler: str
    name: str
    body: CaseBody
    forks: tuple[str, ...]
    presets: tuple[str, ...]
    description: str
    source: str  # "tests/cases/test_tax.py::test_value_at_threshold"

    def parts(self, spec: ModuleType) -> dict[str, Any]:
        """Run the body against ``spec`` and return its parts, in the order yielded, after checking their shape."""
        parts: dict[str, Any] = {}
        for name, value in self.body(spec):
            if name not in INPUT_PARTS + EXPECTED_PARTS:
                raise CaseError(f"{self.source}: unknown part {name!r}; parts are {INPUT_PARTS + EXPECTED_PARTS}")
            if name in parts:
                raise CaseError(f"{self.source}: part {name!r} yielded twice")
            if any(expected in parts for expected in EXPECTED_PARTS):
                raise CaseError(f"{self.source}: part {name!r} yielded after the expected result")
            parts[name] = value
        if not any(expected in parts for expected in EXPECTED_PARTS):
            raise CaseError(f"{self.source}: no expected part ({', '.join(EXPECTED_PARTS)}) was yielded")
        return parts


REGISTRY: list[VectorCase] = []


def _source_id(body: CaseBody) -> str:
    path = Path(inspect.getfile(body)).resolve()
    parts = path.parts
    shown = "/".join(parts[parts.index("tests") :]) if "tests" in parts else path.name
    return f"{shown}::{body.__name__}"


def vector_case(
    runner: str, handler: str, *, forks: tuple[str, ...] = ("v1",), presets: tuple[str, ...] = PRESETS
) -> Callable[[CaseBody], Callable[[ModuleType], None]]:
    """Register a case body and turn it into a pytest test taking the ``spec`` module as its parameter."""

    def decorate(body: CaseBody) -> Callable[[ModuleType], None]:
        name = body.__name__.removeprefix("test_")
        case = VectorCase(
            runner, handler, name, body, forks, presets, inspect.cleandoc(body.__doc__ or ""), _source_id(body)
        )
        REGISTRY.append(case)

        def run_as_test(spec: ModuleType) -> None:
            validate_vector(case.runner, case.parts(spec), case.handler)

        run_as_test.__name__ = body.__name__
        run_as_test.__doc__ = body.__doc__
        setattr(run_as_test, "vector_case", case)
        return run_as_test

    return decorate


def expect_spec_error(spec: ModuleType, error_name: str, call: Callable[[], object]) -> Iterator[Part]:
    """Yield ``("error", error_name)`` after checking that ``call()`` raises exactly that spec error.

    A subclass or parent of the named error does not count: a vector names the precise rule that rejects its input.
    """
    try:
        result = call()
    except spec.SpecError as error:
        if type(error).__name__ != error_name:
            raise AssertionError(f"expected {error_name}, the spec raised {type(error).__name__}: {error}") from error
    else:
        raise AssertionError(f"expected {error_name}, the spec returned {result!r}")
    yield "error", error_name
