"""Merkle root cost against the keccak256 calls it cannot avoid (spec/v1/hub.md, compute_merkle_root).

A tree of n leaves needs at least n - 1 pair hashes. The baseline makes exactly those calls on 64-byte inputs with
the same keccak256; the ratio is what the spec's readable Python costs on top. Goal: <= 1.5 at 2^14 leaves.
"""

from __future__ import annotations

from mvm_spec.forks.v1 import mainnet as spec
from mvm_spec.runtime import keccak256

from .common import median_seconds


def leaves_of(count: int) -> list[spec.Hash32]:
    return [spec.Hash32(keccak256(index.to_bytes(32, "big"))) for index in range(count)]


def raw_pair_hashes(count: int) -> None:
    pair = bytes(64)
    for _ in range(count - 1):
        keccak256(pair)


def run() -> list[str]:
    lines = ["merkle: compute_merkle_root vs the n-1 raw keccak256 calls it needs (median of 5)"]
    lines.append(f"  {'leaves':>8}  {'spec ms':>9}  {'raw ms':>9}  {'ratio':>6}  {'spec us/leaf':>12}")
    for exponent in range(10, 17, 2):
        count = 2**exponent
        leaves = leaves_of(count)
        spec_time = median_seconds(lambda: spec.compute_merkle_root(leaves))
        raw_time = median_seconds(lambda: raw_pair_hashes(count))
        lines.append(
            f"  {count:>8}  {spec_time * 1e3:>9.2f}  {raw_time * 1e3:>9.2f}  {spec_time / raw_time:>6.2f}"
            f"  {spec_time / count * 1e6:>12.3f}"
        )
    return lines
