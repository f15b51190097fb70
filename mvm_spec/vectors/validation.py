"""JSON Schemas of the vector formats, one per runner, and validation against them.

The schemas are generated from the spec's types and the hand-written envelopes (``schemas.py``), so validation
always uses what the types say; ``tests/vectors/schema/`` is where the writer publishes them beside the vectors,
checked by ``mvm-spec vectors --check``.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from .schemas import schema_texts as schema_texts  # re-exported: the schemas validation uses


class VectorFormatError(Exception):
    """A vector (or a case's parts) does not match its runner's JSON Schema."""


@cache
def _validators() -> dict[str, Draft202012Validator]:
    schemas = {name: json.loads(text) for name, text in schema_texts().items()}
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    return {
        name.removesuffix(".json"): Draft202012Validator(schema, registry=registry)
        for name, schema in schemas.items()
        if name != "common.json"
    }


def runners_with_schema() -> tuple[str, ...]:
    return tuple(sorted(_validators()))


def validate_vector(runner: str, document: dict[str, Any], handler: str = "") -> None:
    """Raise ``VectorFormatError`` unless ``document`` matches the runner's schema.

    A case's parts are checked before the writer adds ``_info``; for them, pass ``handler`` and a stand-in ``_info``
    is used, so the handler-specific rules of the schema still apply.
    """
    validators = _validators()
    if runner not in validators:
        raise VectorFormatError(f"runner {runner!r} has no schema (mvm_spec/vectors/envelopes/)")
    stand_in = _PLACEHOLDER_INFO | {"runner": runner, "handler": handler}
    candidate = document if "_info" in document else {"_info": stand_in, **document}
    errors = sorted(validators[runner].iter_errors(candidate), key=lambda error: list(error.path))
    if errors:
        first = errors[0]
        where = "/".join(str(step) for step in first.path) or "(document)"
        raise VectorFormatError(f"{runner} vector does not match schema at {where}: {first.message}")


# Parts checked before the writer adds provenance are validated with this stand-in, so _info stays required.
_PLACEHOLDER_INFO = {
    "spec_version": "0",
    "fork": "v1",
    "preset": "minimal",
    "case": "unchecked",
    "generator": "",
    "description": "",
}
