"""Mutant clients: the reference client with one spec function swapped, for checking that vectors catch a mistake.

A researcher who changes a rule, or a test that asks "would the vectors notice a client that gets this wrong?",
runs the reference spec with one definition replaced and counts the vectors that fail. Spec functions look each
other up in their rendered module, so replacing the module attribute changes every caller.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from types import ModuleType
from typing import Any, Callable, Iterator, TextIO


@contextmanager
def swapped(spec: ModuleType, name: str, replacement: Callable[..., Any]) -> Iterator[None]:
    """``spec.<name>`` replaced while the block runs."""
    original = getattr(spec, name)
    setattr(spec, name, replacement)
    try:
        yield
    finally:
        setattr(spec, name, original)


def serve_mutant(
    answer: Callable[[str, Any], dict[str, Any]], mode: str, source: TextIO = sys.stdin, sink: TextIO = sys.stdout
) -> None:
    """Answer one JSON request per line (docs/protocol.md) with ``answer(mode, request)``."""
    for line in source:
        if line.strip():
            print(json.dumps(answer(mode, json.loads(line))), file=sink, flush=True)
