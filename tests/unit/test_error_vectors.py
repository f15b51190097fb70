"""Every error a client must report has a vector that names it (the rendered spec's leaf ``SpecError`` classes
against the ``error`` of every vector file under tests/vectors/).

A family class (one with subclasses, e.g. ``InvalidTransaction``) needs no vector of its own: a client reports the
leaf. The one exception is listed with its reason, and the list is checked too, so that it cannot go stale.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

from mvm_spec.forks import PRESETS, load_spec

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
# None today: MerkleTreeTooLarge, the last, has vectors since the merkle runner takes repeated leaves.
WITHOUT_A_VECTOR: set[str] = set()


def leaf_error_names() -> set[str]:
    names: set[str] = set()
    for preset in PRESETS:
        spec = load_spec("v1", preset)
        errors = [value for value in vars(spec).values() if inspect.isclass(value) and issubclass(value, spec.SpecError)]
        names |= {error.__name__ for error in errors if not any(other is not error and issubclass(other, error) for other in errors)}
    return names


def vector_error_names() -> set[str]:
    names: set[str] = set()
    for path in VECTORS.rglob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(document, dict) and isinstance(document.get("error"), str):
            names.add(document["error"])
    return names


def test_every_leaf_error_has_a_vector() -> None:
    missing = leaf_error_names() - vector_error_names()
    assert missing <= WITHOUT_A_VECTOR, f"errors no vector names: {sorted(missing - WITHOUT_A_VECTOR)}"


def test_the_exceptions_still_lack_a_vector() -> None:
    """An error listed as without a vector that has gained one, or no longer exists, leaves the list."""
    assert WITHOUT_A_VECTOR <= leaf_error_names() - vector_error_names()
