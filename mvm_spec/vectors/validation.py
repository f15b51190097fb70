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
def _schemas() -> tuple[dict[str, dict[str, Any]], Registry[Any]]:
    """Every runner's schema by runner, and the registry that resolves their references (``common.json``)."""
    schemas = {name: json.loads(text) for name, text in schema_texts().items()}
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    runners = {name.removesuffix(".json"): schema for name, schema in schemas.items() if name != "common.json"}
    return runners, registry


@cache
def _validators() -> dict[str, Draft202012Validator]:
    runners, registry = _schemas()
    return {runner: Draft202012Validator(schema, registry=registry) for runner, schema in runners.items()}


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


@cache
def _request_validators() -> dict[str, Draft202012Validator]:
    """The runners' schemas without the rule that a vector has exactly one expected part: what a request's
    ``pre`` and ``input`` must match (a request carries no ``output``, ``post`` or ``error``)."""
    runners, registry = _schemas()
    return {
        runner: Draft202012Validator({key: value for key, value in schema.items() if key != "oneOf"}, registry=registry)
        for runner, schema in runners.items()
    }


def request_format_problem(request: dict[str, Any]) -> str:
    """Why a conformance request (docs/protocol.md) does not fit its runner's published schema, or "" when it
    does: its ``fork``, ``preset``, ``runner`` and ``handler`` as a vector's ``_info`` would hold them, and its
    ``pre`` and ``input`` as the vector's parts. The reference client asks only when handling a request failed, to
    tell input no client owes an answer (a protocol error) from a crash."""
    validators = _request_validators()
    runner = request.get("runner")
    if not isinstance(runner, str) or runner not in validators:
        return f"runner {runner!r} has no schema"
    head = {field: request.get(field) for field in ("fork", "preset", "runner", "handler")}
    candidate = {"_info": _PLACEHOLDER_INFO | head} | {
        part: request[part] for part in ("pre", "input") if part in request
    }
    errors = sorted(validators[runner].iter_errors(candidate), key=lambda error: list(error.path))
    if not errors:
        return ""
    first = errors[0]
    where = "/".join(str(step) for step in first.path) or "(request)"
    return f"does not match the {runner} schema at {where}: {first.message}"


# Parts checked before the writer adds provenance are validated with this stand-in, so _info stays required.
_PLACEHOLDER_INFO = {
    "spec_version": "0",
    "fork": "v1",
    "preset": "minimal",
    "case": "unchecked",
    "generator": "",
    "description": "",
}
