"""What a set of vectors exercises of the spec: its functions and its error names.

``mvm-spec conformance --coverage`` replays the vectors a client passed through the reference spec, in this
process, and lists the spec functions they reach and the error names they expect, beside those they do not: what
the client team has not yet shown it implements. The same replay over every vector is the test that every public
spec function is reached by some vector (``tests/unit/test_function_coverage.py``).

A call is recorded by wrapping each function of the rendered module while the vector runs: spec functions look
each other up in their module, so every call, at any depth, goes through the wrapper.
"""

from __future__ import annotations

import inspect
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps
from types import ModuleType
from typing import Any, Callable, Iterable, Iterator

from ..forks import load_spec
from .client import answer
from .runner import Vector


@dataclass
class Coverage:
    """The functions and error names of one (fork, preset) module, and which of them the vectors reached."""

    functions: set[str] = field(default_factory=set)
    errors: set[str] = field(default_factory=set)
    called: set[str] = field(default_factory=set)
    raised: set[str] = field(default_factory=set)

    @property
    def uncalled(self) -> set[str]:
        return self.functions - self.called

    @property
    def unraised(self) -> set[str]:
        return self.errors - self.raised


def spec_functions(spec: ModuleType) -> dict[str, Callable[..., Any]]:
    """The functions the module defines (its rendered ``def``s, not what it imports from the runtime)."""
    return {
        name: value
        for name, value in vars(spec).items()
        if inspect.isfunction(value) and value.__module__ == spec.__name__
    }


def spec_errors(spec: ModuleType) -> set[str]:
    """The leaf error classes: the names a vector can expect (a parent such as ``InvalidBlock`` is never raised)."""
    classes = [value for value in vars(spec).values() if isinstance(value, type) and issubclass(value, spec.SpecError)]
    return {
        error.__name__
        for error in classes
        if not any(other is not error and issubclass(other, error) for other in classes)
    }


def recorded_call(name: str, function: Callable[..., Any], called: set[str]) -> Callable[..., Any]:
    """``function``, adding ``name`` to ``called`` each time it is called."""

    @wraps(function)
    def recorded(*args: Any, **kwargs: Any) -> Any:
        called.add(name)
        return function(*args, **kwargs)

    return recorded


@contextmanager
def recording_calls(spec: ModuleType) -> Iterator[set[str]]:
    """Every spec function called while the block runs, by name."""
    called: set[str] = set()
    originals = spec_functions(spec)
    for name, function in originals.items():
        setattr(spec, name, recorded_call(name, function, called))
    try:
        yield called
    finally:
        for name, function in originals.items():
            setattr(spec, name, function)


def measure(vectors: Iterable[Vector]) -> dict[tuple[str, str], Coverage]:
    """Replay ``vectors`` through the reference spec; per (fork, preset), what they reached."""
    result: dict[tuple[str, str], Coverage] = {}
    for number, vector in enumerate(vectors):
        info = vector.document["_info"]
        key = (str(info["fork"]), str(info["preset"]))
        spec = load_spec(*key)
        coverage = result.setdefault(key, Coverage(set(spec_functions(spec)), spec_errors(spec)))
        with recording_calls(spec) as called:
            answer(vector.request(number))
        coverage.called |= called
        if "error" in vector.document:
            coverage.raised.add(str(vector.document["error"]))
    return result


def format_coverage(coverage: dict[tuple[str, str], Coverage], shown: int = 40) -> str:
    lines = ["coverage of the spec by the vectors this client passed:"]
    for (fork, preset), item in sorted(coverage.items()):
        lines.append(
            f"  {fork}/{preset}: functions {len(item.called & item.functions)}/{len(item.functions)}, "
            f"error names {len(item.raised & item.errors)}/{len(item.errors)}"
        )
        for label, missing in (("functions not reached", item.uncalled), ("errors not expected", item.unraised)):
            if missing:
                names = sorted(missing)
                more = f" (+{len(names) - shown} more)" if len(names) > shown else ""
                lines.append(f"    {label}: {', '.join(names[:shown])}{more}")
    return "\n".join(lines)
