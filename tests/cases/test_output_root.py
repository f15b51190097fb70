"""Vector cases for `compute_output_root` (spec/v1/l2-chain.md), version 1: keccak256 of five 32-byte words,
version 1 ‖ EVM state root ‖ charter root ‖ the message passer's storage root ‖ block hash.

Expected roots are recomputed here from that layout with eth-hash directly, never with the spec's function.
"""

from __future__ import annotations

from types import ModuleType
from typing import Iterator

from eth_hash.auto import keccak

from mvm_spec.vectors import vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import encode_bytes

VERSION_ONE = bytes(31) + b"\x01"  # OUTPUT_ROOT_VERSION as a big-endian uint256 word


def expect_output_root(
    spec: ModuleType, state_root: bytes, charter_root: bytes, passer_root: bytes, block_hash: bytes
) -> Iterator[Part]:
    yield "input", {
        "evm_state_root": encode_bytes(state_root),
        "charter_root": encode_bytes(charter_root),
        "message_passer_root": encode_bytes(passer_root),
        "block_hash": encode_bytes(block_hash),
    }
    root = spec.compute_output_root(
        spec.Hash32(state_root), spec.Hash32(charter_root), spec.Hash32(passer_root), spec.Hash32(block_hash)
    )
    preimage = VERSION_ONE + state_root + charter_root + passer_root + block_hash
    assert len(preimage) == 5 * 32 and root == keccak(preimage)
    yield "output", {"output_root": encode_bytes(root)}


@vector_case("output_root", "compute_output_root")
def test_all_zero_inputs(spec: ModuleType) -> Iterator[Part]:
    """All-zero roots and hash: the keccak256 of the version word 1 followed by 128 zero bytes."""
    yield from expect_output_root(spec, bytes(32), bytes(32), bytes(32), bytes(32))


@vector_case("output_root", "compute_output_root")
def test_distinct_inputs(spec: ModuleType) -> Iterator[Part]:
    """Distinct state root, charter root, message passer root and block hash, so a client that swaps two of them
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
