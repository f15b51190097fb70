"""The encoding derived from the spec's container types: the same JSON as every vector (the schemas derived from
the same types are tested in test_schemas.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional, Tuple

import pytest

from mvm_spec.forks import load_spec
from mvm_spec.runtime import container
from mvm_spec.vectors.codec import decode_genesis_alloc, encode_genesis_alloc
from mvm_spec.vectors.container_codec import (
    decode_arguments,
    decode_container,
    decode_value,
    encode_result,
    encode_value,
    schema_of,
)

REPO = Path(__file__).resolve().parents[2]
SPEC = load_spec("v1", "minimal")


def test_every_hub_of_the_vectors_decodes_and_encodes_to_the_same_json() -> None:
    hubs = 0
    for path in sorted((REPO / "tests" / "vectors" / "minimal" / "v1").glob("*/*/*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for part in ("pre", "post"):
            if isinstance(document.get(part), dict) and "hub" in document[part]:
                hub = document[part]["hub"]
                assert encode_value(decode_container(SPEC, "Hub", hub)) == hub, path
                hubs += 1
    assert hubs > 500


def test_plain_rules_and_bounded_codes() -> None:
    bracket = SPEC.TaxBracket(threshold=SPEC.Wei(2**200), rate_bps=SPEC.BasisPoints(250))
    assert encode_value(bracket) == {"threshold": str(2**200), "rate_bps": 250}
    sequencer = SPEC.Sequencer(address=SPEC.Address(b"\x01" * 20), locked=SPEC.Wei(5), exit_requested_at=None)
    assert encode_value(sequencer) == {"address": "0x" + "01" * 20, "locked": "5", "exit_requested_at": None}
    assert decode_container(SPEC, "Sequencer", encode_value(sequencer)) == sequencer
    header = {"batch_index": "0", "batch_root": "0x" + "00" * 32, "batch_size": "1", "prev_total_elements": "0", "extra_data": "0x"}
    chain = SPEC.BatchChain(headers=(decode_container(SPEC, "ChainBatchHeader", header),))
    assert encode_value(chain) == [header]  # a BatchChain is a bare array of its headers
    with pytest.raises(TypeError):
        decode_container(SPEC, "TaxBracket", {"threshold": "1", "rate_bps": "250"})  # a code as a string
    with pytest.raises(TypeError):
        decode_container(SPEC, "TaxBracket", {"threshold": "1", "rate_bps": True})
    with pytest.raises(ValueError):
        decode_container(SPEC, "TaxBracket", {"threshold": 1, "rate_bps": 250})  # an amount as a number
    with pytest.raises(TypeError):
        decode_container(SPEC, "Validation", {"ranger": "0x" + "00" * 20, "header": header, "rewarded": 1})


@container
class Ticket:
    """A container no hand-written code knows: its encoding, decoding and schema come from its fields alone."""

    holder: SPEC.Address  # type: ignore[name-defined]
    price: SPEC.Wei  # type: ignore[name-defined]
    rate_bps: SPEC.BasisPoints  # type: ignore[name-defined]
    seats: Tuple[SPEC.uint64, ...]  # type: ignore[name-defined]
    note: Optional[str]


def test_a_new_container_costs_no_codec() -> None:
    ticket = Ticket(SPEC.Address(b"\xaa" * 20), SPEC.Wei(10**20), SPEC.BasisPoints(5), (SPEC.uint64(1), SPEC.uint64(2)), None)
    encoded = encode_value(ticket)
    assert encoded == {"holder": "0x" + "aa" * 20, "price": str(10**20), "rate_bps": 5, "seats": ["1", "2"], "note": None}
    assert decode_value(SPEC, Ticket, encoded) == ticket
    assert list(schema_of(Ticket)["properties"]) == ["holder", "price", "rate_bps", "seats", "note"]
    assert schema_of(Ticket)["properties"]["note"] == {"oneOf": [{"type": "string"}, {"type": "null"}]}


def test_every_witness_store_and_allocation_of_the_vectors_round_trips() -> None:
    """The exceptions the derived codec names once (a witness's world as root and preimages, a content store as a
    bare array of CID texts and data, an allocation's entries as objects) read and write every vector's JSON."""
    seen = {"BlockProgress": 0, "ContentStore": 0, "alloc": 0}
    for path in sorted((REPO / "tests" / "vectors" / "minimal" / "v1").glob("*/*/*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        operations = document.get("input", {}).get("operations", []) if isinstance(document.get("input"), dict) else []
        for operation in operations:
            complete = "error" not in document  # a refused step's witness may lack a node its world needs
            if operation.get("op") == "prove_step" and complete:
                witness = operation["witness"]
                assert encode_value(decode_container(SPEC, "BlockProgress", witness)) == witness, path
                seen["BlockProgress"] += 1
            if operation.get("op") == "create_dac":
                alloc = operation["alloc"]
                assert encode_genesis_alloc(decode_genesis_alloc(SPEC, alloc)) == alloc, path
                seen["alloc"] += 1
        for part in ("pre", "post"):
            if isinstance(document.get(part), dict) and "store" in document[part]:
                store = document[part]["store"]
                assert encode_value(decode_container(SPEC, "ContentStore", store)) == store, path
                seen["ContentStore"] += 1
    assert min(seen.values()) > 0, seen


def test_merkle_leaves_may_be_given_as_a_repeated_array() -> None:
    """``{"repeat": [...], "length": n}`` is the array ``repeat`` repeated and cut to n items; a plain array is read
    as itself; anything else is refused before the spec is called (a protocol error, not a spec error)."""
    a, b, c = ("0x" + byte * 32 for byte in ("aa", "bb", "cc"))
    leaves = decode_arguments(SPEC, "compute_merkle_root", {"leaves": {"repeat": [a, b, c], "length": "7"}})["leaves"]
    assert [leaf.hex() for leaf in leaves] == [value[2:] for value in (a, b, c, a, b, c, a)]
    assert decode_arguments(SPEC, "compute_merkle_root", {"leaves": {"repeat": [a], "length": "0"}})["leaves"] == ()
    plain = decode_arguments(SPEC, "compute_merkle_proof", {"leaves": [b, a], "index": 1})
    assert [leaf.hex() for leaf in plain["leaves"]] == [b[2:], a[2:]] and plain["index"] == 1
    for refused in (
        {"repeat": [], "length": "1"},  # nothing to repeat
        {"repeat": [a], "length": str(2**20 + 1)},  # longer than any tree a vector needs
        {"repeat": [a], "length": "2", "extra": 1},
        {"repeat": [a]},
        {"repeat": a, "length": "1"},
    ):
        with pytest.raises((TypeError, ValueError, KeyError)):
            decode_arguments(SPEC, "compute_merkle_root", {"leaves": refused})
    # The spec's own answers never use the shorthand: a tree's leaves encode as the plain array.
    assert encode_result(SPEC, "compute_merkle_proof", (SPEC.Hash32(bytes.fromhex(a[2:])),)) == [a]
