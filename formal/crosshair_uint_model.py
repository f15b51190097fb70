"""A model of the spec's fixed-width integer constructors that CrossHair can execute symbolically.

Why it exists: ``uint256(x)``, ``Wei(x)``, ``BasisPoints(x)``... are ``int`` subclasses whose ``__new__`` ends in
``super().__new__(cls, value)``. An ``int`` subclass instance must hold a concrete integer, so CrossHair realizes the
symbolic argument there (``int.__index__`` -> ``find_model_value``): each path fixes the value to one number
(0, 1, 2, ...) and the search can never cover 2**256 values. Every contract whose code path runs one of these
constructors on a symbolic value therefore ends "Not confirmed" (run ``python -m formal --diagnose`` to see it).

The model performs the same checks, in the same order, raising the same exception classes, and returns the
(possibly symbolic) value as a plain ``int``. The spec's arithmetic on a fixed-width value only ever uses ``int``
operations, which return plain ``int`` anyway, so the value semantics of the spec functions are unchanged; what is
lost is only the Python class of the returned object. tests/unit/test_formal_models.py checks the model against
the real constructors on edge and random values.

``register()`` is called by formal/crosshair_plugin.py, which CrossHair loads with ``--extra_plugin``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import mvm_spec.forks.v1.mainnet  # noqa: F401  (import the spec modules so their subclasses are registered)
import mvm_spec.forks.v1.minimal  # noqa: F401
from mvm_spec import runtime

BoundedUintClass = type[runtime.uint8] | type[runtime.uint64] | type[runtime.uint256]


def bounded_uint_model(cls: type[int]) -> Callable[..., int]:
    """The checks of ``_BoundedUint.__new__`` for ``cls``, returning the value itself instead of a ``cls``."""
    bits: int = getattr(cls, "BITS")
    name = cls.__name__

    def construct(value: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} takes an int, not {type(value).__name__}")
        if not 0 <= value < (1 << bits):
            raise ValueError(f"{name} out of range")  # no value in the message: formatting would realize it
        return value

    return construct


def bounded_uint_classes() -> list[type[int]]:
    """Every fixed-width integer class defined so far: runtime's uint8/uint64/uint256 and the spec's subclasses."""

    def walk(cls: type[int]) -> Iterator[type[int]]:
        yield cls
        for subclass in cls.__subclasses__():
            yield from walk(subclass)

    roots: list[type[int]] = [runtime.uint8, runtime.uint64, runtime.uint256]
    return [cls for root in roots for cls in walk(root)]


def register() -> None:
    """Make CrossHair call the model wherever analysed code calls one of the fixed-width constructors."""
    from crosshair import register_patch

    for cls in bounded_uint_classes():
        register_patch(cls, bounded_uint_model(cls))
