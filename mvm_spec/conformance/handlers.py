"""The reference client's handlers: one per (runner, handler), each decoding a request and calling the spec.

A handler takes the rendered spec module and the request's input parts (``pre``, ``input``) and returns the
expected parts (``output`` or ``post``). A rule that rejects the input raises the spec's own error, which the
client reports by class name.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

from ..vectors.codec import decode_tax_schedule, decode_uint, encode_uint

Handler = Callable[[ModuleType, dict[str, Any]], dict[str, Any]]
HANDLERS: dict[tuple[str, str], Handler] = {}


def handles(runner: str, handler: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        HANDLERS[(runner, handler)] = function
        return function

    return register


@handles("tax", "compute_tax")
def compute_tax(spec: ModuleType, request: dict[str, Any]) -> dict[str, Any]:
    given = request["input"]
    schedule = decode_tax_schedule(spec, given["schedule"])
    tax = spec.compute_tax(spec.Wei(decode_uint(given["value"])), schedule)
    return {"output": {"tax": encode_uint(tax)}}
