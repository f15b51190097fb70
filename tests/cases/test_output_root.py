"""Vector cases for `compute_output_root` (spec/v1/l2-chain.md), version 2: keccak256 of six 32-byte words,
version 2 ‖ EVM state root ‖ charter root ‖ the message passer's storage root ‖ block hash ‖ execution context root.

Expected roots are recomputed here from that layout with eth-hash directly, never with the spec's function.
"""

from __future__ import annotations

from types import ModuleType
from typing import Iterator

from eth_hash.auto import keccak

from mvm_spec.vectors import vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import encode_bytes

VERSION_TWO = bytes(31) + b"\x02"  # OUTPUT_ROOT_VERSION as a big-endian uint256 word
CONTEXT = bytes([9]) * 32  # an arbitrary execution context root, distinct from every other input below


def expect_output_root(
    spec: ModuleType,
    state_root: bytes,
    charter_root: bytes,
    passer_root: bytes,
    block_hash: bytes,
    context_root: bytes = CONTEXT,
) -> Iterator[Part]:
    yield "input", {
        "evm_state_root": encode_bytes(state_root),
        "charter_root": encode_bytes(charter_root),
        "message_passer_root": encode_bytes(passer_root),
        "block_hash": encode_bytes(block_hash),
        "context_root": encode_bytes(context_root),
    }
    words = (state_root, charter_root, passer_root, block_hash, context_root)
    root = spec.compute_output_root(*(spec.Hash32(value) for value in words))
    preimage = VERSION_TWO + b"".join(words)
    assert len(preimage) == 6 * 32 and root == keccak(preimage)
    yield "output", {"output_root": encode_bytes(root)}


@vector_case("output_root", "compute_output_root")
def test_all_zero_inputs(spec: ModuleType) -> Iterator[Part]:
    """All-zero roots and hash: the keccak256 of the version word 2 followed by 160 zero bytes."""
    yield from expect_output_root(spec, bytes(32), bytes(32), bytes(32), bytes(32), bytes(32))


@vector_case("output_root", "compute_output_root")
def test_distinct_inputs(spec: ModuleType) -> Iterator[Part]:
    """Distinct state root, charter root, message passer root, block hash and context root, so a client that swaps two of them
    fails."""
    yield from expect_output_root(spec, bytes([1]) * 32, bytes([2]) * 32, bytes([5]) * 32, bytes([3]) * 32)


@vector_case("output_root", "compute_output_root")
def test_only_charter_differs(spec: ModuleType) -> Iterator[Part]:
    """Same state, passer root and block as the case above with another charter root: the output root changes with
    the charter."""
    yield from expect_output_root(spec, bytes([1]) * 32, bytes([4]) * 32, bytes([5]) * 32, bytes([3]) * 32)


@vector_case("output_root", "compute_output_root")
def test_only_message_passer_root_differs(spec: ModuleType) -> Iterator[Part]:
    """Same state, charter and block as test_distinct_inputs with another message passer root: a withdrawal
    recorded or not changes the output root, which is what withdrawal proofs rest on."""
    yield from expect_output_root(spec, bytes([1]) * 32, bytes([2]) * 32, bytes([6]) * 32, bytes([3]) * 32)


@vector_case("output_root", "compute_output_root")
def test_empty_message_passer_storage(spec: ModuleType) -> Iterator[Part]:
    """A chain without messages: the passer's storage root is the empty trie's, keccak256(0x80)."""
    empty_trie = bytes.fromhex("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421")
    assert keccak(b"\x80") == empty_trie
    yield from expect_output_root(spec, bytes([1]) * 32, bytes([2]) * 32, empty_trie, bytes([3]) * 32)


@vector_case("output_root", "compute_output_root")
def test_only_context_root_differs(spec: ModuleType) -> Iterator[Part]:
    """Same fields as test_distinct_inputs with another execution context root: two states that differ only in
    their supply, time, base fee or block-hash history have different output roots."""
    yield from expect_output_root(spec, bytes([1]) * 32, bytes([2]) * 32, bytes([5]) * 32, bytes([3]) * 32, bytes([8]) * 32)
