"""``mvm-spec client``: the specification itself, speaking the conformance protocol (docs/protocol.md).

Reads one JSON request per line on stdin and writes one JSON answer per line on stdout, in order.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from ..forks import load_spec
from .handlers import HANDLERS

PROTOCOL_FIELDS = ("id", "fork", "preset", "runner", "handler")


def answer(request: Any) -> dict[str, Any]:
    """The reference answer to one decoded request."""
    if not isinstance(request, dict) or any(field not in request for field in PROTOCOL_FIELDS):
        return {"id": request.get("id") if isinstance(request, dict) else None, "protocol_error": "malformed request"}
    reply: dict[str, Any] = {"id": request["id"]}
    handler = HANDLERS.get((request["runner"], request["handler"]))
    try:
        spec = load_spec(request["fork"], request["preset"])
    except KeyError:
        handler = None
    if handler is None:
        return reply | {"unsupported": True}
    try:
        return reply | handler(spec, request)
    except spec.SpecError as error:
        return reply | {"error": type(error).__name__}
    except (KeyError, TypeError, ValueError) as error:  # a request the schema would reject: say so, don't crash
        return reply | {"protocol_error": f"bad input: {type(error).__name__}: {error}"}


def serve(source: TextIO = sys.stdin, sink: TextIO = sys.stdout) -> None:
    for line in source:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError:
            reply: dict[str, Any] = {"id": None, "protocol_error": "request is not JSON"}
        else:
            reply = answer(request)
        sink.write(json.dumps(reply) + "\n")
        sink.flush()
