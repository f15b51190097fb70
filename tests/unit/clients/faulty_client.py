"""A deliberately faulty conformance client, for testing that the runner reports each fault readably.

Usage: python faulty_client.py MODE, where MODE is one of
  tax_plus_one   answers like the spec but adds 1 to every tax
  wrong_error    answers like the spec but names the parent error InvalidTaxSchedule instead of the specific one
  crash_after_2  answers two requests, then dies with a message on stderr
  garbage        prints a line that is not JSON for every request
  silent         reads requests and never answers
  unsupported    answers "unsupported" to everything
  wrong_id       answers like the spec but with the wrong id
  zero_padding   answers like the spec, except merkle/root, where it pads odd levels with bytes32(0) instead of
                 Lib_MerkleTree's default nodes (the classic mistake: right for every power-of-two tree, wrong otherwise)
  leaky_tax      answers with a spec whose compute_tax leaks: it raises ValueError (no spec error) on a value of
                 2^255 or more, whatever the schedule, as a spec function that overflows a fixed-width type would
"""

from __future__ import annotations

import functools
import json
import sys
import time
from contextlib import AbstractContextManager
from typing import Any

from eth_hash.auto import keccak

from mvm_spec.conformance.client import answer
from mvm_spec.conformance.mutants import swapped
from mvm_spec.forks import load_spec

LEAK_FROM = 2**255  # the smallest value leaky_compute_tax crashes on


def leaking_compute_tax(fork: str = "v1", preset: str = "minimal") -> AbstractContextManager[None]:
    """The spec's compute_tax (of ``fork`` and ``preset``) replaced, while the block runs, by one that raises
    ValueError on a value of LEAK_FROM or more (before reading the schedule): a leak planted for the tests."""
    spec = load_spec(fork, preset)
    original = spec.compute_tax

    @functools.wraps(original)  # the same signature: the handler decodes the input by it
    def leaky_compute_tax(value: Any, schedule: Any) -> Any:
        if value >= LEAK_FROM:
            raise ValueError(f"planted leak: {value} does not fit")
        return original(value, schedule)

    return swapped(spec, "compute_tax", leaky_compute_tax)


def listed_leaves(given: Any) -> list[str]:
    """A request's leaves, written out if the request gives them as ``{"repeat": [...], "length": n}``."""
    if isinstance(given, list):
        return [str(leaf) for leaf in given]
    pattern, length = [str(leaf) for leaf in given["repeat"]], int(given["length"])
    return (pattern * (length // len(pattern) + 1))[:length]


def zero_padded_merkle_root(leaves: list[bytes]) -> bytes:
    """A Merkle root that pairs an odd level's last node with bytes32(0): not the spec's (nor Lib_MerkleTree's)."""
    level = leaves
    while len(level) > 1:
        if len(level) % 2 == 1:
            level = [*level, bytes(32)]
        level = [bytes(keccak(level[index] + level[index + 1])) for index in range(0, len(level), 2)]
    return level[0]


def faulty_answer(mode: str, request: dict[str, Any], answered: int) -> dict[str, Any] | str | None:
    reply = answer(request)
    if mode == "tax_plus_one" and request.get("runner") != "tax":
        return reply  # only taxes are wrong; every other runner gets the reference answer
    if mode == "zero_padding" and (request.get("runner"), request.get("handler")) == ("merkle", "root"):
        if "output" in reply:  # an empty tree stays the reference's EmptyMerkleTree
            leaves = [bytes.fromhex(leaf.removeprefix("0x")) for leaf in listed_leaves(request["input"]["leaves"])]
            reply["output"]["root"] = "0x" + zero_padded_merkle_root(leaves).hex()
        return reply
    if mode == "tax_plus_one" and "output" in reply:
        reply["output"]["tax"] = str(int(reply["output"]["tax"]) + 1)
    elif mode == "wrong_error" and "error" in reply:
        reply["error"] = "InvalidTaxSchedule"
    elif mode == "crash_after_2" and answered == 2:
        print("faulty client: simulated crash", file=sys.stderr)
        sys.exit(3)
    elif mode == "garbage":
        return "this is not json"
    elif mode == "silent":
        return None
    elif mode == "unsupported":
        return {"id": request["id"], "unsupported": True}
    elif mode == "wrong_id":
        reply["id"] = request["id"] + 1000
    return reply


def main() -> None:
    mode = sys.argv[1]
    leaks = [leaking_compute_tax("v1", preset) for preset in ("minimal", "mainnet")] if mode == "leaky_tax" else []
    for leak in leaks:
        leak.__enter__()  # for the life of this process (the list keeps the context open)
    for answered, line in enumerate(sys.stdin):
        reply = faulty_answer(mode, json.loads(line), answered)
        if reply is None:
            time.sleep(60)
            continue
        print(reply if isinstance(reply, str) else json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
