"""``mvm-spec client``: the specification itself, speaking the conformance protocol (docs/protocol.md).

Reads one JSON request per line on stdin and writes one JSON answer per line on stdout, in order.

A request whose handling fails with anything but a spec error is checked against its runner's published JSON
Schema, on that failure path only (the client stays fast): one the schema rejects gets a ``protocol_error`` (no
client owes it an answer), and one the schema accepts gets a ``crash``: the spec (or this client's decoding) broke
the rule that every input fitting the formats gives an output or a named error.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Any, TextIO

from ..forks import load_spec
from ..vectors.validation import request_format_problem
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
    except Exception as error:  # not a spec error: input outside the formats, or a leak (docs/protocol.md)
        problem = request_format_problem(request)
        if problem:
            return reply | {"protocol_error": f"bad input: {problem}"}
        return reply | {"crash": describe_crash(error)}


def describe_crash(error: Exception) -> str:
    """The exception a schema-valid request raised, and the innermost function of the rendered spec it left."""
    text = f"{type(error).__name__}: {error}"
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if "forks" in Path(frame.filename).parts]
    if not frames:
        return text
    innermost = frames[-1]
    module = "/".join(Path(innermost.filename).parts[-2:])  # such as v1/minimal.py
    return f"{text} (raised in {innermost.name}, {module}:{innermost.lineno})"


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
