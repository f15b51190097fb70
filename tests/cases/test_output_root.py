"""Vector cases for `compute_output_root` (spec/v1/l2-chain.md): keccak256(version 0 ‖ state ‖ charter ‖ block).

Expected roots are recomputed here from that layout with eth-hash directly, never with the spec's function.
"""

from __future__ import annotations

from types import ModuleType
from typing import Iterator

from eth_hash.auto import keccak

from mvm_spec.vectors import vector_case
from mvm_spec.vectors.case import Part
from mvm_spec.vectors.codec import encode_bytes

VERSION_ZERO = bytes(32)


def expect_output_root(spec: ModuleType, state_root: bytes, charter_root: bytes, block_hash: bytes) -> Iterator[Part]:
    yield "input", {
        "evm_state_root": encode_bytes(state_root),
        "charter_root": encode_bytes(charter_root),
        "block_hash": encode_bytes(block_hash),
    }
    root = spec.compute_output_root(spec.Hash32(state_root), spec.Hash32(charter_root), spec.Hash32(block_hash))
    assert root == keccak(VERSION_ZERO + state_root + charter_root + block_hash)
    yield "output", {"output_root": encode_bytes(root)}


@vector_case("output_root", "compute_output_root")
def test_all_zero_inputs(spec: ModuleType) -> Iterator[Part]:
    """All-zero roots and hash: the keccak256 of 128 zero bytes."""
    yield from expect_output_root(spec, bytes(32), bytes(32), bytes(32))


@vector_case("output_root", "compute_output_root")
def test_distinct_inputs(spec: ModuleType) -> Iterator[Part]:
    """Distinct state root, charter root and block hash, so a client that swaps two of them fails."""
    yield from expect_output_root(spec, bytes([1]) * 32, bytes([2]) * 32, bytes([3]) * 32)


@vector_case("output_root", "compute_output_root")
def test_only_charter_differs(spec: ModuleType) -> Iterator[Part]:
    """Same state and block as the case above with another charter root: the output root changes with the charter."""
    yield from expect_output_root(spec, bytes([1]) * 32, bytes([4]) * 32, bytes([3]) * 32)
